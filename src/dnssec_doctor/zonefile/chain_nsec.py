"""The NSEC chain: one NSEC per authoritative name and cut, in canonical order, closed.

RFC 4035 2.3: every authoritative owner name and every delegation point has an NSEC
whose Next Domain Name is the next such name in canonical order (RFC 4034 6.1), the
last pointing back to the apex (RFC 4034 4.1.1); its bitmap lists exactly the types
present there, RRSIG and NSEC included, glue excluded (RFC 4034 4.1.2, RFC 4035 2.3).
"""

from __future__ import annotations

import dns.name
import dns.rdatatype
from dns.rdtypes.ANY.NSEC import NSEC

from dnssec_doctor import findings as F
from dnssec_doctor.findings import Finding
from dnssec_doctor.validate.denial import bitmap_types
from dnssec_doctor.zonefile.load import ZoneData
from dnssec_doctor.zonefile.structure import ZoneShape, type_text

_RRSIG, _NSEC = dns.rdatatype.RRSIG, dns.rdatatype.NSEC


def _types(types: frozenset[int]) -> str:
    return " ".join(sorted(type_text(t) for t in types)) or "(none)"


def expected_bitmap(zone: ZoneData, shape: ZoneShape, name: dns.name.Name) -> frozenset[int]:
    present = set(shape.types[name]) | {_NSEC}
    if any(t == _RRSIG for (t, _c) in zone.nodes.get(name, {})):
        present.add(_RRSIG)
    return frozenset(present)


def check_nsec_chain(zone: ZoneData, shape: ZoneShape) -> list[Finding]:
    z = zone.origin.to_text()
    out: list[Finding] = []
    names = sorted(shape.types)
    position = {n: i for i, n in enumerate(names)}
    for owner, node in zone.nodes.items():
        rrset = node.get((_NSEC, 0))
        if rrset is not None and owner not in position:
            out.append(
                Finding(
                    F.NSEC_CHAIN_BROKEN,
                    z,
                    f"NSEC at {owner}, which is not an authoritative name of the zone",
                    records=(f"{owner} NSEC",),
                )
            )
    for i, name in enumerate(names):
        rrset = zone.get(name, _NSEC)
        if rrset is None or len(rrset) == 0:
            out.append(Finding(F.NSEC_MISSING, z, f"{name} has no NSEC", records=(f"{name}",)))
            continue
        if len(rrset) > 1:
            out.append(Finding(F.NSEC_CHAIN_BROKEN, z, f"{name} has {len(rrset)} NSEC records"))
        rd = next(iter(rrset))
        assert isinstance(rd, NSEC)
        want = names[i + 1] if i + 1 < len(names) else zone.origin
        line = f"{name} NSEC {rd.to_text()}"
        if rd.next != want:
            why = (
                "the chain is not closed at the apex"
                if want == zone.origin
                else "skips or misorders"
            )
            out.append(
                Finding(
                    F.NSEC_CHAIN_BROKEN,
                    z,
                    f"NSEC at {name} points to {rd.next}, the next name is {want} ({why})",
                    records=(line,),
                )
            )
        have = bitmap_types(rd.windows)
        expect = expected_bitmap(zone, shape, name)
        if have != expect:
            extra, lack = have - expect, expect - have
            parts = []
            if lack:
                parts.append(f"lacks {_types(frozenset(lack))}")
            if extra:
                parts.append(f"lists absent {_types(frozenset(extra))}")
            out.append(
                Finding(
                    F.NSEC_BITMAP_MISMATCH,
                    z,
                    f"NSEC bitmap at {name} {' and '.join(parts)}",
                    records=(line,),
                )
            )
    return out


__all__ = ["check_nsec_chain", "expected_bitmap"]
