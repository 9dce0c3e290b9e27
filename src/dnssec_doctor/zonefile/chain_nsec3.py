"""The NSEC3 chain (RFC 5155 7.1) and its parameters (RFC 5155 4, RFC 9276 3.1).

For each NSEC3PARAM at the apex, every authoritative name, cut and empty
non-terminal has an NSEC3 whose owner is the hash of the name (opt-out lets unsigned
delegations, and empty non-terminals above only those, go without: RFC 5155 6, 7.1);
the next hashes link the records in hash order and the last wraps to the first; each
bitmap lists the types at the original name (RRSIG included when signed, RFC 5155
3.2.1).  Every NSEC3 owner must be the hash of some name (else it is an orphan).
"""

from __future__ import annotations

from collections.abc import Iterable

import dns.dnssec
import dns.name
import dns.rdatatype
from dns.rdtypes.ANY.NSEC3PARAM import NSEC3PARAM

from dnssec_doctor import findings as F
from dnssec_doctor.findings import Finding
from dnssec_doctor.validate.nsec3 import Nsec3Record, nsec3_records
from dnssec_doctor.zonefile.load import ZoneData
from dnssec_doctor.zonefile.structure import ZoneShape, type_text

_RRSIG, _NSEC3, _NSEC3PARAM = dns.rdatatype.RRSIG, dns.rdatatype.NSEC3, dns.rdatatype.NSEC3PARAM
Params = tuple[int, int, bytes]


def _types(types: Iterable[int]) -> str:
    return " ".join(sorted(type_text(t) for t in types)) or "(none)"


def _optional(shape: ZoneShape) -> set[dns.name.Name]:
    """Names opt-out may leave without NSEC3: insecure cuts and ENTs above only them."""
    insecure = set(shape.cuts - shape.secure_cuts)
    needed = {n for n in shape.types if n not in insecure}
    keep: set[dns.name.Name] = set()
    for name in needed:
        n = name
        while n != shape.origin and len(n) > len(shape.origin):
            n = n.parent()
            keep.add(n)
    return insecure | {e for e in shape.ents if e not in keep}


def _expected(zone: ZoneData, shape: ZoneShape, name: dns.name.Name) -> frozenset[int]:
    present = set(shape.types.get(name, frozenset()))
    if any(t == _RRSIG for (t, _c) in zone.nodes.get(name, {})) and (
        name not in shape.cuts or name in shape.secure_cuts
    ):
        present.add(_RRSIG)
    return frozenset(present)


def _params_findings(z: str, params: Params, opt_out: bool) -> list[Finding]:
    out: list[Finding] = []
    _alg, iterations, salt = params
    if iterations > 0:
        out.append(
            Finding(
                F.NSEC3_ITERATIONS, z, f"NSEC3 uses {iterations} extra iterations (RFC 9276: 0)"
            )
        )
    if salt:
        out.append(
            Finding(F.NSEC3_SALT, z, f"NSEC3 uses the salt {salt.hex().upper()} (RFC 9276: none)")
        )
    if opt_out:
        out.append(Finding(F.NSEC3_OPT_OUT, z, "the NSEC3 chain uses opt-out"))
    return out


def _check_chain(
    zone: ZoneData, shape: ZoneShape, params: Params, recs: list[Nsec3Record]
) -> list[Finding]:
    z = zone.origin.to_text()
    alg, iterations, salt = params
    opt_out = any(r.opt_out for r in recs)
    optional = _optional(shape) if opt_out else set()
    by_hash: dict[str, dns.name.Name] = {}
    for name in [*shape.types, *shape.ents]:
        by_hash[dns.dnssec.nsec3_hash(name, salt, iterations, alg).upper()] = name
    out = _params_findings(z, params, opt_out)
    present = {r.hash: r for r in recs}
    for h, name in sorted(by_hash.items(), key=lambda kv: kv[1]):
        if h not in present and name not in optional:
            out.append(
                Finding(F.NSEC3_MISSING, z, f"{name} has no NSEC3 (hash {h})", records=(str(name),))
            )
    order = sorted(present)
    for i, h in enumerate(order):
        rec = present[h]
        line = f"{rec.owner} NSEC3 next {rec.next}"
        want = order[(i + 1) % len(order)]
        if rec.next != want:
            out.append(
                Finding(
                    F.NSEC3_CHAIN_BROKEN,
                    z,
                    f"NSEC3 {h} points to {rec.next}, the next hash is {want}",
                    records=(line,),
                )
            )
        original = by_hash.get(h)
        if original is None:
            out.append(
                Finding(
                    F.NSEC3_ORPHAN,
                    z,
                    f"NSEC3 {rec.owner} is the hash of no name of the zone",
                    records=(line,),
                )
            )
            continue
        expect = _expected(zone, shape, original)
        if rec.types != expect:
            lack, extra = expect - rec.types, rec.types - expect
            parts = ([f"lacks {_types(lack)}"] if lack else []) + (
                [f"lists absent {_types(extra)}"] if extra else []
            )
            out.append(
                Finding(
                    F.NSEC3_BITMAP_MISMATCH,
                    z,
                    f"NSEC3 bitmap for {original} ({h}) {' and '.join(parts)}",
                    records=(line,),
                )
            )
    return out


def check_nsec3_chain(zone: ZoneData, shape: ZoneShape) -> list[Finding]:
    z = zone.origin.to_text()
    rrsets = [zone.nodes[n][(_NSEC3, 0)] for n in shape.nsec3_owners]
    recs, _unknown = nsec3_records(rrsets)
    recs = [r for r in recs if r.zone == zone.origin]
    param_rrset = zone.get(zone.origin, _NSEC3PARAM)
    chains: list[Params] = []
    for rd in param_rrset or ():
        if isinstance(rd, NSEC3PARAM) and rd.flags == 0:
            chains.append((int(rd.algorithm), int(rd.iterations), bytes(rd.salt)))
    out: list[Finding] = []
    if not chains:
        seen = sorted({r.params for r in recs})
        out.append(
            Finding(F.NSEC3_PARAM_MISMATCH, z, "NSEC3 records but no NSEC3PARAM at the apex")
        )
        chains = seen[:1]
    stray = [r for r in recs if r.params not in chains]
    if stray:
        out.append(
            Finding(
                F.NSEC3_PARAM_MISMATCH,
                z,
                f"{len(stray)} NSEC3 record(s) use parameters other than the NSEC3PARAM's",
                records=tuple(str(r.owner) for r in stray[:5]),
            )
        )
    for params in chains:
        out.extend(_check_chain(zone, shape, params, [r for r in recs if r.params == params]))
    return out


__all__ = ["check_nsec3_chain"]
