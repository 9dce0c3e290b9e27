"""NSEC denial-of-existence proofs (RFC 4035 3.1.3 and 5.4, RFC 6840 4).

Names are compared in canonical DNS order (RFC 4034 6.1), which is how dnspython
orders ``dns.name.Name``.  An NSEC *matches* a name equal to its owner and
*covers* a name strictly between its owner and its next name (the last NSEC of a
zone wraps round to the apex).  The functions take the NSEC RRsets of a response
(signatures are judged separately) and return a :class:`DenialResult`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

import dns.name
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.NSEC import NSEC

from dnssec_doctor.validate import limits
from dnssec_doctor.validate.denial import DenialCode, DenialKind, DenialResult, bitmap_types

_NS, _SOA, _DS = dns.rdatatype.NS, dns.rdatatype.SOA, dns.rdatatype.DS
_CNAME, _DNAME = dns.rdatatype.CNAME, dns.rdatatype.DNAME


class NsecRecord(NamedTuple):
    """One NSEC record reduced to what proofs need."""

    owner: dns.name.Name
    next: dns.name.Name
    types: frozenset[int]

    def matches(self, name: dns.name.Name) -> bool:
        return bool(self.owner == name)

    def covers(self, name: dns.name.Name) -> bool:
        """Owner < name < next in canonical order; the last NSEC wraps to the apex."""
        if self.owner < self.next:
            return bool(self.owner < name < self.next)
        # Last NSEC of the zone: next is the apex (RFC 4034 4.1.1).
        return bool(name.is_subdomain(self.next) and (name > self.owner or name < self.next))

    @property
    def is_delegation(self) -> bool:
        """From the parent side of a zone cut: NS without SOA (RFC 6840 4.1)."""
        return _NS in self.types and _SOA not in self.types

    def blocks_below(self, name: dns.name.Name) -> bool:
        """True if this record sits at a cut or DNAME above ``name`` and so cannot
        deny anything below it (RFC 6840 4.1)."""
        return (
            name != self.owner
            and name.is_subdomain(self.owner)
            and (self.is_delegation or _DNAME in self.types)
        )


def nsec_records(rrsets: Iterable[dns.rrset.RRset]) -> list[NsecRecord]:
    """The NSEC records in ``rrsets`` (other types are ignored)."""
    out: list[NsecRecord] = []
    for rrset in rrsets:
        if rrset.rdtype != dns.rdatatype.NSEC:
            continue
        for rd in rrset:
            if isinstance(rd, NSEC):
                out.append(NsecRecord(rrset.name, rd.next, bitmap_types(rd.windows)))
    return out


def _common(a: dns.name.Name, b: dns.name.Name) -> dns.name.Name:
    n = a.fullcompare(b)[2]
    return a.split(n)[1]


def _closest_encloser(qname: dns.name.Name, rec: NsecRecord) -> dns.name.Name:
    """The longest existing ancestor of ``qname`` that a covering NSEC implies."""
    a, b = _common(qname, rec.owner), _common(qname, rec.next)
    return a if len(a) >= len(b) else b


def _wild(name: dns.name.Name) -> dns.name.Name:
    return dns.name.Name((b"*", *name.labels))


class _Proof:
    """Shared state of one proof: the records and the names they were used for."""

    def __init__(self, kind: DenialKind, qname: dns.name.Name, recs: Sequence[NsecRecord]):
        self.kind, self.qname, self.recs = kind, qname, recs
        self.used: list[dns.name.Name] = []
        self.ce: dns.name.Name | None = None

    def result(self, code: DenialCode, detail: str = "") -> DenialResult:
        return DenialResult(code, self.kind, self.qname, self.ce, tuple(self.used), False, detail)

    def use(self, rec: NsecRecord) -> NsecRecord:
        if rec.owner not in self.used:
            self.used.append(rec.owner)
        return rec

    def matching(self, name: dns.name.Name) -> NsecRecord | None:
        return next((r for r in self.recs if r.matches(name)), None)

    def covering(self, name: dns.name.Name) -> tuple[NsecRecord | None, bool]:
        """A record covering ``name``; the flag says one was found but was unusable
        because it belongs to a delegation or DNAME above ``name``."""
        blocked = False
        for r in self.recs:
            if r.covers(name):
                if r.blocks_below(name):
                    blocked = True
                    continue
                return r, blocked
        return None, blocked


def _start(
    kind: DenialKind, qname: dns.name.Name, rrsets: Iterable[dns.rrset.RRset]
) -> _Proof | DenialResult:
    recs = nsec_records(rrsets)
    proof = _Proof(kind, qname, recs)
    if not recs:
        return proof.result(DenialCode.NO_RECORDS, "no NSEC records")
    if len(recs) > limits.MAX_DENIAL_RECORDS:
        return proof.result(
            DenialCode.LIMIT_EXCEEDED, f"{len(recs)} NSEC records > MAX_DENIAL_RECORDS"
        )
    return proof


def _not_covered(p: _Proof, name: dns.name.Name, blocked: bool, what: str) -> DenialResult:
    if blocked:
        return p.result(DenialCode.ANCESTOR_DELEGATION, f"only a delegation NSEC covers {name}")
    return p.result(DenialCode.NO_COVERING_NSEC, f"no NSEC covers {what} {name}")


def prove_nxdomain(qname: dns.name.Name, rrsets: Iterable[dns.rrset.RRset]) -> DenialResult:
    """NXDOMAIN: an NSEC covers ``qname`` and one covers the wildcard at the closest
    encloser (RFC 4035 3.1.3.2, 5.4)."""
    p = _start(DenialKind.NXDOMAIN, qname, rrsets)
    if isinstance(p, DenialResult):
        return p
    if (m := p.matching(qname)) is not None:
        p.use(m)
        return p.result(DenialCode.NAME_EXISTS, f"an NSEC is owned by {qname}")
    cover, blocked = p.covering(qname)
    if cover is None:
        return _not_covered(p, qname, blocked, "the name")
    p.use(cover)
    p.ce = _closest_encloser(qname, cover)
    return _deny_wildcard(p, _wild(p.ce))


def _deny_wildcard(p: _Proof, wildcard: dns.name.Name) -> DenialResult:
    if (m := p.matching(wildcard)) is not None:
        p.use(m)
        return p.result(DenialCode.WILDCARD_EXISTS, f"{wildcard} exists")
    wcover, _ = p.covering(wildcard)
    if wcover is None:
        return p.result(DenialCode.WILDCARD_NOT_DENIED, f"no NSEC covers {wildcard}")
    p.use(wcover)
    return p.result(DenialCode.PROVEN)


def _check_types(p: _Proof, rec: NsecRecord, qtype: int, *, wildcard: bool = False) -> DenialResult:
    name = dns.rdatatype.to_text(dns.rdatatype.RdataType.make(qtype))
    if qtype in rec.types:
        return p.result(DenialCode.BITMAP_HAS_TYPE, f"{rec.owner} has {name}")
    if _CNAME in rec.types:
        return p.result(DenialCode.BITMAP_HAS_CNAME, f"{rec.owner} has a CNAME")
    if qtype == _DS and _SOA in rec.types and rec.owner != dns.name.root:
        return p.result(
            DenialCode.DELEGATION_HAS_SOA, "NSEC from the child apex; DS is the parent's"
        )
    if qtype != _DS and rec.is_delegation and not wildcard:
        return p.result(DenialCode.ANCESTOR_DELEGATION, f"{rec.owner} is a delegation point")
    return p.result(DenialCode.PROVEN, "wildcard NODATA" if wildcard else "")


def prove_nodata(
    qname: dns.name.Name, qtype: int, rrsets: Iterable[dns.rrset.RRset]
) -> DenialResult:
    """NODATA: the NSEC at ``qname`` lacks ``qtype`` and CNAME (RFC 4035 3.1.3.1), or
    ``qname`` is an empty non-terminal, or a wildcard matches without the type
    (RFC 4035 3.1.3.4)."""
    p = _start(DenialKind.NODATA, qname, rrsets)
    if isinstance(p, DenialResult):
        return p
    if (m := p.matching(qname)) is not None:
        p.use(m)
        return _check_types(p, m, qtype)
    cover, blocked = p.covering(qname)
    if cover is None:
        if blocked:
            return _not_covered(p, qname, blocked, "the name")
        return p.result(DenialCode.NO_MATCHING_NSEC, f"no NSEC is owned by {qname}")
    p.use(cover)
    if cover.next != qname and cover.next.is_subdomain(qname):
        # Empty non-terminal: a name below qname exists, so qname does, with no data.
        p.ce = qname
        return p.result(DenialCode.PROVEN, "empty non-terminal")
    p.ce = _closest_encloser(qname, cover)
    wildcard = _wild(p.ce)
    if (wm := p.matching(wildcard)) is not None:
        p.use(wm)
        return _check_types(p, wm, qtype, wildcard=True)
    return p.result(DenialCode.NO_MATCHING_NSEC, f"no NSEC for {qname} or {wildcard}")


def prove_no_ds(delegation: dns.name.Name, rrsets: Iterable[dns.rrset.RRset]) -> DenialResult:
    """Unsigned delegation: the parent's NSEC at the cut has NS, and neither DS nor
    SOA (RFC 4035 5.2, RFC 6840 4.4)."""
    p = _start(DenialKind.NO_DS, delegation, rrsets)
    if isinstance(p, DenialResult):
        return p
    m = p.matching(delegation)
    if m is None:
        return p.result(DenialCode.NO_MATCHING_NSEC, f"no NSEC is owned by {delegation}")
    p.use(m)
    p.ce = delegation
    if _DS in m.types:
        return p.result(DenialCode.DELEGATION_HAS_DS, "the NSEC says a DS exists")
    if _SOA in m.types:
        return p.result(DenialCode.DELEGATION_HAS_SOA, "NSEC from the child apex, not the parent")
    if _NS not in m.types:
        return p.result(DenialCode.DELEGATION_NS_MISSING, "the NSEC has no NS bit")
    return p.result(DenialCode.PROVEN)


def _next_closer(qname: dns.name.Name, ce: dns.name.Name) -> dns.name.Name:
    return qname.split(len(ce) + 1)[1]


def prove_wildcard_answer(
    qname: dns.name.Name, wildcard: dns.name.Name, rrsets: Iterable[dns.rrset.RRset]
) -> DenialResult:
    """A positive answer expanded from ``wildcard`` (see ``RrsigJudgment.wildcard``):
    an NSEC must show no closer name exists (RFC 4035 3.1.3.3, 5.3.4)."""
    p = _start(DenialKind.WILDCARD_ANSWER, qname, rrsets)
    if isinstance(p, DenialResult):
        return p
    ce = wildcard.parent()
    if not qname.is_subdomain(ce) or qname == ce:
        return p.result(DenialCode.NO_COVERING_NSEC, f"{qname} is not below {ce}")
    p.ce = ce
    nc = _next_closer(qname, ce)
    cover, blocked = p.covering(nc)
    if cover is None:
        return _not_covered(p, nc, blocked, "the next closer name")
    p.use(cover)
    return p.result(DenialCode.PROVEN)


__all__ = [
    "NsecRecord",
    "nsec_records",
    "prove_no_ds",
    "prove_nodata",
    "prove_nxdomain",
    "prove_wildcard_answer",
]
