"""NSEC3 denial-of-existence proofs (RFC 5155 8, RFC 9276).

Names are hashed (:mod:`nsec3hash`) with each record's own parameters
(RFC 5155 8.2); hashes are compared as base32hex text, whose order is the order of
the hash octets.  Records with an unknown hash algorithm or with flags other than
0/1 are ignored (RFC 5155 8.1, 8.2).  A record with more iterations than
``limits.MAX_NSEC3_ITERATIONS`` makes the proof *insecure* before any hashing
(RFC 9276 3.2), and the number of hashes per proof is capped too.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import NamedTuple

import dns.name
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.NSEC3 import NSEC3

from dnssec_doctor.validate import limits
from dnssec_doctor.validate.denial import DenialCode, DenialKind, DenialResult, bitmap_types
from dnssec_doctor.validate.nsec3hash import b32, nsec3_hash

_NS, _SOA, _DS = dns.rdatatype.NS, dns.rdatatype.SOA, dns.rdatatype.DS
_CNAME, _DNAME = dns.rdatatype.CNAME, dns.rdatatype.DNAME
SHA1 = 1
OPT_OUT_FLAG = 0x01


class Nsec3Record(NamedTuple):
    """One NSEC3 record reduced to what proofs need (hashes as upper-case base32hex)."""

    owner: dns.name.Name
    zone: dns.name.Name
    hash: str
    next: str
    algorithm: int
    iterations: int
    salt: bytes
    opt_out: bool
    types: frozenset[int]

    @property
    def params(self) -> tuple[int, int, bytes]:
        return (self.algorithm, self.iterations, self.salt)

    def covers(self, h: str) -> bool:
        """owner < h < next; the last record of the chain wraps round."""
        if self.hash < self.next:
            return self.hash < h < self.next
        return h > self.hash or h < self.next

    @property
    def is_delegation(self) -> bool:
        return _NS in self.types and _SOA not in self.types


def _b32(data: bytes) -> str:
    return base64.b32hexencode(data).decode("ascii")


def nsec3_records(rrsets: Iterable[dns.rrset.RRset]) -> tuple[list[Nsec3Record], int]:
    """The well-formed NSEC3 records in ``rrsets``, and how many had an unknown hash.

    Ignored: owner labels that are not base32hex of the hash length, flags other
    than 0 or 1 (RFC 5155 8.2), unknown hash algorithms (RFC 5155 8.1; counted).
    """
    out: list[Nsec3Record] = []
    unknown_hash = 0
    for rrset in rrsets:
        if rrset.rdtype != dns.rdatatype.NSEC3 or len(rrset.name) < 2:
            continue
        for rd in rrset:
            if not isinstance(rd, NSEC3) or rd.flags not in (0, 1):
                continue
            if rd.algorithm != SHA1:
                unknown_hash += 1
                continue
            label = rrset.name.labels[0].decode("ascii", "replace").upper()
            try:
                raw = base64.b32hexdecode(label)
            except (binascii.Error, ValueError):
                continue
            if len(raw) != len(rd.next) or not raw:
                continue
            out.append(
                Nsec3Record(
                    owner=rrset.name,
                    zone=rrset.name.parent(),
                    hash=label,
                    next=_b32(rd.next),
                    algorithm=rd.algorithm,
                    iterations=rd.iterations,
                    salt=bytes(rd.salt),
                    opt_out=bool(rd.flags & OPT_OUT_FLAG),
                    types=bitmap_types(rd.windows),
                )
            )
    return out, unknown_hash


class _TooManyHashes(Exception):
    pass


class _Proof:
    def __init__(self, kind: DenialKind, qname: dns.name.Name, recs: list[Nsec3Record]):
        self.kind, self.qname, self.recs = kind, qname, recs
        self.used: list[dns.name.Name] = []
        self.ce: dns.name.Name | None = None
        self.opt_out = False
        self._hashes: dict[tuple[dns.name.Name, tuple[int, int, bytes]], str] = {}
        self._params = sorted({r.params for r in recs})

    def result(self, code: DenialCode, detail: str = "") -> DenialResult:
        return DenialResult(
            code, self.kind, self.qname, self.ce, tuple(self.used), self.opt_out, detail
        )

    def use(self, rec: Nsec3Record) -> Nsec3Record:
        if rec.owner not in self.used:
            self.used.append(rec.owner)
        return rec

    def _hash(self, name: dns.name.Name, params: tuple[int, int, bytes]) -> str:
        key = (name, params)
        if key not in self._hashes:
            if len(self._hashes) >= limits.MAX_NSEC3_HASHES_PER_PROOF:
                raise _TooManyHashes
            alg, iterations, salt = params
            if alg != SHA1:  # records with other algorithms were set aside
                raise ValueError(f"NSEC3 hash algorithm {alg} is not SHA-1")
            self._hashes[key] = b32(nsec3_hash(name.to_digestable(), salt, iterations))
        return self._hashes[key]

    def matching(self, name: dns.name.Name) -> Nsec3Record | None:
        for params in self._params:
            h = self._hash(name, params)
            for r in self.recs:
                if r.params == params and r.hash == h and name.is_subdomain(r.zone):
                    return r
        return None

    def covering(self, name: dns.name.Name) -> Nsec3Record | None:
        for params in self._params:
            h = self._hash(name, params)
            for r in self.recs:
                if r.params == params and name.is_subdomain(r.zone) and r.covers(h):
                    return r
        return None

    def closest_encloser(self) -> tuple[Nsec3Record, dns.name.Name] | DenialResult:
        """RFC 5155 8.3: the longest ancestor of qname matching an NSEC3, with the next
        closer name covered.  Returns (covering record of the next closer name, CE)."""
        zones = [r.zone for r in self.recs if self.qname.is_subdomain(r.zone)]
        if not zones:
            return self.result(DenialCode.NO_CLOSEST_ENCLOSER, "no NSEC3 from a zone above")
        apex = max(zones, key=len)
        name = self.qname
        while True:
            if name != self.qname and (m := self.matching(name)) is not None:
                self.use(m)
                self.ce = name
                if m.is_delegation or _DNAME in m.types:
                    return self.result(
                        DenialCode.ANCESTOR_DELEGATION, f"closest encloser {name} is a cut/DNAME"
                    )
                break
            if name == apex or name == dns.name.root:
                return self.result(
                    DenialCode.NO_CLOSEST_ENCLOSER, f"no NSEC3 matches an ancestor of {self.qname}"
                )
            name = name.parent()
        nc = self.qname.split(len(name) + 1)[1]
        cover = self.covering(nc)
        if cover is None:
            return self.result(DenialCode.NO_COVERING_NSEC3, f"no NSEC3 covers next closer {nc}")
        self.use(cover)
        self.opt_out = cover.opt_out
        return cover, name


_Body = Callable[[_Proof], DenialResult]


def _wild(name: dns.name.Name) -> dns.name.Name:
    return dns.name.Name((b"*", *name.labels))


def _start(
    kind: DenialKind, qname: dns.name.Name, rrsets: Iterable[dns.rrset.RRset]
) -> _Proof | DenialResult:
    rrset_list = list(rrsets)
    recs, unknown = nsec3_records(rrset_list)
    proof = _Proof(kind, qname, recs)
    if not recs:
        if unknown:
            return proof.result(DenialCode.UNSUPPORTED_HASH, "no NSEC3 with a known hash")
        return proof.result(DenialCode.NO_RECORDS, "no NSEC3 records")
    if len(recs) > limits.MAX_DENIAL_RECORDS:
        return proof.result(
            DenialCode.LIMIT_EXCEEDED, f"{len(recs)} NSEC3 records > MAX_DENIAL_RECORDS"
        )
    worst = max(r.iterations for r in recs)
    if worst > limits.MAX_NSEC3_ITERATIONS:
        # RFC 9276 3.2: treat as insecure; do not spend the hashing work.
        return proof.result(
            DenialCode.NSEC3_ITERATIONS_TOO_HIGH,
            f"{worst} iterations > MAX_NSEC3_ITERATIONS={limits.MAX_NSEC3_ITERATIONS}",
        )
    return proof


def _run(
    kind: DenialKind, qname: dns.name.Name, rrsets: Iterable[dns.rrset.RRset], body: _Body
) -> DenialResult:
    p = _start(kind, qname, rrsets)
    if isinstance(p, DenialResult):
        return p
    try:
        return body(p)
    except _TooManyHashes:
        return p.result(DenialCode.LIMIT_EXCEEDED, "MAX_NSEC3_HASHES_PER_PROOF reached")


def _check_types(p: _Proof, rec: Nsec3Record, qtype: int, *, wildcard: bool) -> DenialResult:
    if qtype in rec.types:
        return p.result(
            DenialCode.BITMAP_HAS_TYPE,
            f"{rec.owner} lists {dns.rdatatype.RdataType.make(qtype).name}",
        )
    if _CNAME in rec.types:
        return p.result(DenialCode.BITMAP_HAS_CNAME, f"{rec.owner} lists CNAME")
    if qtype == _DS and _SOA in rec.types and p.qname != dns.name.root:
        return p.result(
            DenialCode.DELEGATION_HAS_SOA, "NSEC3 from the child apex; DS is the parent's"
        )
    if qtype != _DS and rec.is_delegation and not wildcard:
        return p.result(DenialCode.ANCESTOR_DELEGATION, f"{p.qname} is a delegation point")
    return p.result(DenialCode.PROVEN, "wildcard NODATA" if wildcard else "")


def prove_nxdomain(qname: dns.name.Name, rrsets: Iterable[dns.rrset.RRset]) -> DenialResult:
    """NXDOMAIN: closest encloser proof and the wildcard at the closest encloser
    covered (RFC 5155 8.4).  ``opt_out`` is set when an opt-out record covers the
    next closer name (an unsigned delegation may hide there: RFC 5155 9.2)."""

    def body(p: _Proof) -> DenialResult:
        if (m := p.matching(qname)) is not None:
            p.use(m)
            return p.result(DenialCode.NAME_EXISTS, f"an NSEC3 matches {qname}")
        ce = p.closest_encloser()
        if isinstance(ce, DenialResult):
            return ce
        wildcard = _wild(ce[1])
        if (wm := p.matching(wildcard)) is not None:
            p.use(wm)
            return p.result(DenialCode.WILDCARD_EXISTS, f"{wildcard} exists")
        wcover = p.covering(wildcard)
        if wcover is None:
            return p.result(DenialCode.WILDCARD_NOT_DENIED, f"no NSEC3 covers {wildcard}")
        p.use(wcover)
        return p.result(DenialCode.PROVEN)

    return _run(DenialKind.NXDOMAIN, qname, rrsets, body)


def prove_nodata(
    qname: dns.name.Name, qtype: int, rrsets: Iterable[dns.rrset.RRset]
) -> DenialResult:
    """NODATA (RFC 5155 8.5-8.7): an NSEC3 matching ``qname`` without ``qtype`` or
    CNAME; for DS, an opt-out record covering the next closer name (insecure,
    ``OPT_OUT``); otherwise a wildcard NODATA proof."""

    def body(p: _Proof) -> DenialResult:
        if (m := p.matching(qname)) is not None:
            p.use(m)
            p.ce = qname
            return _check_types(p, m, qtype, wildcard=False)
        ce = p.closest_encloser()
        if isinstance(ce, DenialResult):
            if ce.code in (DenialCode.NO_CLOSEST_ENCLOSER, DenialCode.NO_COVERING_NSEC3):
                return p.result(DenialCode.NO_MATCHING_NSEC3, f"no NSEC3 matches {qname}")
            return ce
        cover, encloser = ce
        if qtype == _DS:
            # RFC 5155 8.6: no matching NSEC3 is acceptable only under opt-out.
            if cover.opt_out:
                return p.result(DenialCode.OPT_OUT, "opt-out covers the next closer name")
            return p.result(DenialCode.NOT_OPT_OUT, f"{cover.owner} has no opt-out flag")
        wildcard = _wild(encloser)
        if (wm := p.matching(wildcard)) is not None:
            p.use(wm)
            return _check_types(p, wm, qtype, wildcard=True)
        return p.result(DenialCode.NO_MATCHING_NSEC3, f"no NSEC3 matches {qname} or {wildcard}")

    return _run(DenialKind.NODATA, qname, rrsets, body)


def prove_no_ds(delegation: dns.name.Name, rrsets: Iterable[dns.rrset.RRset]) -> DenialResult:
    """Referral to an unsigned child (RFC 5155 8.9): the NSEC3 matching the cut has NS
    and neither DS nor SOA; or an opt-out NSEC3 covers the next closer name
    (``OPT_OUT``: insecure)."""

    def body(p: _Proof) -> DenialResult:
        if (m := p.matching(delegation)) is not None:
            p.use(m)
            p.ce = delegation
            if _DS in m.types:
                return p.result(DenialCode.DELEGATION_HAS_DS, "the NSEC3 says a DS exists")
            if _SOA in m.types:
                return p.result(DenialCode.DELEGATION_HAS_SOA, "NSEC3 from the child apex")
            if _NS not in m.types:
                return p.result(DenialCode.DELEGATION_NS_MISSING, "the NSEC3 has no NS bit")
            return p.result(DenialCode.PROVEN)
        ce = p.closest_encloser()
        if isinstance(ce, DenialResult):
            return ce
        cover, _ = ce
        if cover.opt_out:
            return p.result(DenialCode.OPT_OUT, "opt-out covers the delegation")
        return p.result(DenialCode.NOT_OPT_OUT, f"{cover.owner} has no opt-out flag")

    return _run(DenialKind.NO_DS, delegation, rrsets, body)


def prove_wildcard_answer(
    qname: dns.name.Name, wildcard: dns.name.Name, rrsets: Iterable[dns.rrset.RRset]
) -> DenialResult:
    """An answer expanded from ``wildcard``: an NSEC3 covers the next closer name
    (RFC 5155 8.8)."""

    def body(p: _Proof) -> DenialResult:
        ce = wildcard.parent()
        if not qname.is_subdomain(ce) or qname == ce:
            return p.result(DenialCode.NO_COVERING_NSEC3, f"{qname} is not below {ce}")
        p.ce = ce
        nc = qname.split(len(ce) + 1)[1]
        cover = p.covering(nc)
        if cover is None:
            return p.result(DenialCode.NO_COVERING_NSEC3, f"no NSEC3 covers next closer {nc}")
        p.use(cover)
        p.opt_out = cover.opt_out
        return p.result(DenialCode.PROVEN)

    return _run(DenialKind.WILDCARD_ANSWER, qname, rrsets, body)


class Nsec3ParamIssue(StrEnum):
    """What RFC 9276 3.1 and 3.2 say of a zone's NSEC3 parameters (zone file or wire).

    - ``EXTRA_ITERATIONS``: iterations above 0 (SHOULD be 0);
    - ``ITERATIONS_TOO_HIGH``: above ``MAX_NSEC3_ITERATIONS``: validators treat the
      zone's denials as insecure (RFC 9276 3.2; Unbound, BIND 9.18 at 150);
    - ``SALT``: a salt (SHOULD NOT); ``OPT_OUT``: the opt-out flag (noted: unsigned
      delegations may lack NSEC3, RFC 5155 6).
    """

    EXTRA_ITERATIONS = "EXTRA_ITERATIONS"
    ITERATIONS_TOO_HIGH = "ITERATIONS_TOO_HIGH"
    SALT = "SALT"
    OPT_OUT = "OPT_OUT"


def parameter_issues(iterations: int, salt: bytes, opt_out: bool) -> list[Nsec3ParamIssue]:
    """The RFC 9276 issues of one set of NSEC3 parameters, the worst iteration one only."""
    out = []
    if iterations > limits.MAX_NSEC3_ITERATIONS:
        out.append(Nsec3ParamIssue.ITERATIONS_TOO_HIGH)
    elif iterations > 0:
        out.append(Nsec3ParamIssue.EXTRA_ITERATIONS)
    if salt:
        out.append(Nsec3ParamIssue.SALT)
    if opt_out:
        out.append(Nsec3ParamIssue.OPT_OUT)
    return out


def iterations_warning(rrsets: Iterable[dns.rrset.RRset]) -> int | None:
    """The highest iteration count if above ``NSEC3_ITERATIONS_STRICT_LIMIT`` (some
    validators then treat proofs as insecure; RFC 9276 3.1 asks for 0), else None."""
    recs, _ = nsec3_records(rrsets)
    worst = max((r.iterations for r in recs), default=0)
    return worst if worst > limits.NSEC3_ITERATIONS_STRICT_LIMIT else None


__all__ = [
    "Nsec3ParamIssue",
    "Nsec3Record",
    "iterations_warning",
    "nsec3_records",
    "parameter_issues",
    "prove_no_ds",
    "prove_nodata",
    "prove_nxdomain",
    "prove_wildcard_answer",
]
