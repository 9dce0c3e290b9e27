"""Which data of a zone is authoritative, which is glue, which is occluded.

RFC 4035 2.2: every authoritative RRset is signed; NS at a delegation point and glue
are not, the DS there is.  Names below a zone cut (or a DNAME, RFC 6672 2.3) are not
the zone's: address records there are glue, anything else is occluded.  The denial
chains (RFC 4035 2.3, RFC 5155 7.1) cover the authoritative names and the cuts.
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.name
import dns.rdatatype

from dnssec_doctor.zonefile.load import ZoneData

_RRSIG, _NSEC, _NSEC3 = dns.rdatatype.RRSIG, dns.rdatatype.NSEC, dns.rdatatype.NSEC3
_NS, _DS, _DNAME = dns.rdatatype.NS, dns.rdatatype.DS, dns.rdatatype.DNAME
_ADDRESS = frozenset({dns.rdatatype.A, dns.rdatatype.AAAA})
#: What is authoritative at a delegation point (RFC 4035 2.2, 2.3).
_AT_CUT = frozenset({_DS, _NSEC})


@dataclass(frozen=True)
class ZoneShape:
    """The zone's names sorted into what must be signed and chained, and what not.

    ``signed``: (owner, type) of every RRset that must carry RRSIGs.
    ``types``: per authoritative name (cuts included), the types present there
    that a denial bitmap describes (RRSIG, NSEC, NSEC3 excluded; callers add them).
    ``cuts``: delegation points; ``secure_cuts``: those with a DS.
    ``ents``: empty non-terminals between the apex and authoritative names.
    ``nsec3_owners``: names that only hold NSEC3 (and its RRSIGs).
    ``unsigned``: (owner, type) that must not be signed (delegation NS, glue).
    ``occluded``: (owner, type) below a cut or DNAME that is not glue.
    """

    origin: dns.name.Name
    signed: tuple[tuple[dns.name.Name, int], ...]
    types: dict[dns.name.Name, frozenset[int]]
    cuts: frozenset[dns.name.Name]
    secure_cuts: frozenset[dns.name.Name]
    ents: frozenset[dns.name.Name]
    nsec3_owners: frozenset[dns.name.Name]
    unsigned: tuple[tuple[dns.name.Name, int], ...]
    occluded: tuple[tuple[dns.name.Name, int], ...]


def type_text(rdtype: int) -> str:
    """The mnemonic of a type number (``A``, ``TYPE65534``)."""
    return dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype))


def _data_types(zone: ZoneData, name: dns.name.Name) -> set[int]:
    return {t for (t, _c) in zone.nodes[name] if t != _RRSIG}


def _below(
    name: dns.name.Name, origin: dns.name.Name, cuts: set[dns.name.Name], dnames: set[dns.name.Name]
) -> str | None:
    """``"cut"`` if an ancestor of ``name`` below the apex is a zone cut, ``"dname"`` if
    it holds a DNAME (nothing below a DNAME is glue, RFC 6672 2.3), else None."""
    n = name
    while n != origin and len(n) > len(origin):
        n = n.parent()
        if n in cuts:
            return "cut"
        if n in dnames:
            return "dname"
    return None


def zone_shape(zone: ZoneData) -> ZoneShape:
    origin = zone.origin
    names = [n for n in zone.nodes if n.is_subdomain(origin)]
    cuts_all = {n for n in names if n != origin and _NS in _data_types(zone, n)}
    dnames = {n for n in names if _DNAME in _data_types(zone, n)}
    signed: list[tuple[dns.name.Name, int]] = []
    unsigned: list[tuple[dns.name.Name, int]] = []
    occluded: list[tuple[dns.name.Name, int]] = []
    types: dict[dns.name.Name, frozenset[int]] = {}
    nsec3_owners: set[dns.name.Name] = set()
    cuts: set[dns.name.Name] = set()
    for name in sorted(names):
        present = _data_types(zone, name)
        below = _below(name, origin, cuts_all, dnames)
        if below is not None:
            for t in sorted(present):
                glue = below == "cut" and t in _ADDRESS
                (unsigned if glue else occluded).append((name, t))
            continue
        if not present:
            continue  # only RRSIGs: reported by the signature checks
        if present == {_NSEC3}:
            nsec3_owners.add(name)
            signed.append((name, _NSEC3))
            continue
        if name in cuts_all:
            cuts.add(name)
            for t in sorted(present):
                if t in _AT_CUT:
                    signed.append((name, t))
                elif t == _NS or t in _ADDRESS:
                    unsigned.append((name, t))
                else:
                    occluded.append((name, t))
            types[name] = frozenset(t for t in present if t in (_NS, _DS))
            continue
        signed.extend((name, t) for t in sorted(present))
        types[name] = frozenset(t for t in present if t not in (_NSEC, _NSEC3))
    ents: set[dns.name.Name] = set()
    for name in types:
        n = name
        while n != origin and len(n) > len(origin):
            n = n.parent()
            if n not in types:
                ents.add(n)
    secure = frozenset(c for c in cuts if _DS in types[c])
    return ZoneShape(
        origin=origin,
        signed=tuple(signed),
        types=types,
        cuts=frozenset(cuts),
        secure_cuts=secure,
        ents=frozenset(ents),
        nsec3_owners=frozenset(nsec3_owners),
        unsigned=tuple(unsigned),
        occluded=tuple(occluded),
    )


__all__ = ["ZoneShape", "type_text", "zone_shape"]
