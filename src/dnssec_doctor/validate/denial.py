"""Result types shared by the NSEC (``nsec``) and NSEC3 (``nsec3``) denial proofs.

The proof functions take RRsets whose signatures were judged separately
(``rrsig.rrset_status``): here we only judge whether the records, taken as
authentic, prove what the response claims.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

import dns.name


class DenialKind(StrEnum):
    """What a proof is meant to show.

    - ``NXDOMAIN``: the name does not exist and no wildcard could have matched
      (RFC 4035 3.1.3.2, RFC 5155 8.4).
    - ``NODATA``: the name exists without the type, or a wildcard matches without it
      (RFC 4035 3.1.3.1 and 3.1.3.4, RFC 5155 8.5-8.7).
    - ``NO_DS``: a delegation has no DS: the child is unsigned (RFC 4035 5.2,
      RFC 5155 8.6 and 8.9).
    - ``WILDCARD_ANSWER``: a wildcard-expanded answer: no closer name exists
      (RFC 4035 3.1.3.3 and 5.3.4, RFC 5155 8.8).
    """

    NXDOMAIN = "NXDOMAIN"
    NODATA = "NODATA"
    NO_DS = "NO_DS"
    WILDCARD_ANSWER = "WILDCARD_ANSWER"


class DenialCode(StrEnum):
    """Verdict of a denial proof (stable codes).

    Accepted:

    - ``PROVEN``: the records prove the denial.
    - ``OPT_OUT``: NSEC3 opt-out covers the name: an unsigned delegation may exist,
      so the answer is *insecure*, not bogus (RFC 5155 6, 8.6, 9.2).
    - ``NSEC3_ITERATIONS_TOO_HIGH``: iterations above ``MAX_NSEC3_ITERATIONS``; the
      proof is treated as insecure, as validators do (RFC 9276 3.2).
    - ``UNSUPPORTED_HASH``: no NSEC3 uses a hash algorithm we know: insecure
      (RFC 5155 8.1).

    Failed (bogus):

    - ``NO_RECORDS``: no NSEC/NSEC3 records where a proof is needed.
    - ``NO_COVERING_NSEC`` / ``NO_COVERING_NSEC3``: nothing covers the name (for
      NSEC3: the next closer name) that must not exist.
    - ``NAME_EXISTS``: a record *matches* the name an NXDOMAIN says does not exist.
    - ``WILDCARD_NOT_DENIED``: nothing proves the wildcard at the closest encloser
      absent (or, for wildcard NODATA, nothing matches it).
    - ``WILDCARD_EXISTS``: the wildcard at the closest encloser exists, so the name
      should have been answered from it.
    - ``NO_CLOSEST_ENCLOSER``: no NSEC3 matches any ancestor of the name (RFC 5155 8.3).
    - ``NO_MATCHING_NSEC`` / ``NO_MATCHING_NSEC3``: NODATA without a record matching
      the name (and no wildcard proof).
    - ``BITMAP_HAS_TYPE``: the matching record says the type exists.
    - ``BITMAP_HAS_CNAME``: the matching record says a CNAME exists (the answer should
      have been the CNAME).
    - ``DELEGATION_NS_MISSING``: DS-absence proof whose record lacks the NS bit
      (RFC 6840 4.4).
    - ``DELEGATION_HAS_SOA``: DS-absence proof from the child's apex (SOA bit set)
      instead of the parent side (RFC 4035 5.2, RFC 5155 8.9).
    - ``DELEGATION_HAS_DS``: the record says a DS exists.
    - ``ANCESTOR_DELEGATION``: the only usable record belongs to a delegation point
      or DNAME above the name, which cannot deny names below it (RFC 6840 4.1).
    - ``NOT_OPT_OUT``: the next closer name of an unsigned delegation is covered by
      an NSEC3 without the opt-out flag (RFC 5155 8.6, 8.9).
    - ``LIMIT_EXCEEDED``: too many records or hashes (``limits``).
    """

    PROVEN = "PROVEN"
    OPT_OUT = "OPT_OUT"
    NSEC3_ITERATIONS_TOO_HIGH = "NSEC3_ITERATIONS_TOO_HIGH"
    UNSUPPORTED_HASH = "UNSUPPORTED_HASH"
    NO_RECORDS = "NO_RECORDS"
    NO_COVERING_NSEC = "NO_COVERING_NSEC"
    NO_COVERING_NSEC3 = "NO_COVERING_NSEC3"
    NAME_EXISTS = "NAME_EXISTS"
    WILDCARD_NOT_DENIED = "WILDCARD_NOT_DENIED"
    WILDCARD_EXISTS = "WILDCARD_EXISTS"
    NO_CLOSEST_ENCLOSER = "NO_CLOSEST_ENCLOSER"
    NO_MATCHING_NSEC = "NO_MATCHING_NSEC"
    NO_MATCHING_NSEC3 = "NO_MATCHING_NSEC3"
    BITMAP_HAS_TYPE = "BITMAP_HAS_TYPE"
    BITMAP_HAS_CNAME = "BITMAP_HAS_CNAME"
    DELEGATION_NS_MISSING = "DELEGATION_NS_MISSING"
    DELEGATION_HAS_SOA = "DELEGATION_HAS_SOA"
    DELEGATION_HAS_DS = "DELEGATION_HAS_DS"
    ANCESTOR_DELEGATION = "ANCESTOR_DELEGATION"
    NOT_OPT_OUT = "NOT_OPT_OUT"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"


#: Codes under which the denial is accepted as secure.
SECURE_CODES = frozenset({DenialCode.PROVEN})
#: Codes under which the answer is accepted as insecure (neither secure nor bogus).
INSECURE_CODES = frozenset(
    {DenialCode.OPT_OUT, DenialCode.NSEC3_ITERATIONS_TOO_HIGH, DenialCode.UNSUPPORTED_HASH}
)


class DenialResult(NamedTuple):
    """The verdict of one denial proof.

    ``closest_encloser`` is the closest encloser found (``None`` if none);
    ``used`` the owner names of the NSEC/NSEC3 records the proof relied on;
    ``opt_out`` whether an opt-out NSEC3 covered the next closer name (an NXDOMAIN
    can then hide an unsigned delegation: RFC 5155 9.2); ``detail`` one line.
    """

    code: DenialCode
    kind: DenialKind
    qname: dns.name.Name
    closest_encloser: dns.name.Name | None = None
    used: tuple[dns.name.Name, ...] = ()
    opt_out: bool = False
    detail: str = ""

    @property
    def secure(self) -> bool:
        return self.code in SECURE_CODES

    @property
    def insecure(self) -> bool:
        return self.code in INSECURE_CODES

    @property
    def bogus(self) -> bool:
        return not (self.secure or self.insecure)


def bitmap_types(windows: Iterable[tuple[int, bytes]]) -> frozenset[int]:
    """The type numbers set in an NSEC/NSEC3 type bitmap (RFC 4034 4.1.2)."""
    types: set[int] = set()
    for window, bitmap in windows:
        for i, octet in enumerate(bitmap):
            for bit in range(8):
                if octet & (0x80 >> bit):
                    types.add(window * 256 + i * 8 + bit)
    return frozenset(types)


__all__ = [
    "INSECURE_CODES",
    "SECURE_CODES",
    "DenialCode",
    "DenialKind",
    "DenialResult",
    "bitmap_types",
]
