"""Side lanes: nameservers looked up while the descent goes on, then asked like the others.

A side lane takes some NS names of one zone (names without glue, or names only the zone
itself lists), finds their addresses and asks the new ones the zone's questions, the
walked name and, when the zone's child is known, the child's DS.  It touches nothing
shared: it returns what it found, and the walk merges it at a fixed point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import dns.name
import dns.rdatatype

from dnssec_doctor.collect.resolve import AddressFinder
from dnssec_doctor.collect.session import Ask, Lane, WalkStop
from dnssec_doctor.model.collection import Reply

Name = dns.name.Name
RdataType = dns.rdatatype.RdataType

#: What every server of a zone is asked about the zone itself.
ZONE_TYPES = (RdataType.DNSKEY, RdataType.SOA, RdataType.NS)

#: What a zone with a parent is asked too: its signals to the parent (RFC 7344/8078).
CHILD_TYPES = (RdataType.CDS, RdataType.CDNSKEY)


def zone_types(has_parent: bool) -> tuple[RdataType, ...]:
    """The questions about itself each server of a zone is asked."""
    return ZONE_TYPES + CHILD_TYPES if has_parent else ZONE_TYPES


class Errand(NamedTuple):
    """What a side lane is to do."""

    zone: Name
    types: tuple[RdataType, ...]  # the zone's questions (zone_types)
    names: tuple[Name, ...]  # NS names to look up
    known: frozenset[str]  # the zone's addresses already asked
    room: int  # new addresses it may still ask (MAX_SERVER_ADDRESSES_PER_ZONE)
    target: Name  # the walked name
    qtype: RdataType
    child: Name | None  # the zone's child on the walk, if already known


@dataclass
class SideResult:
    """What a side lane found: addresses per NS name, and the new addresses' replies."""

    addresses: dict[str, list[Name]] = field(default_factory=dict)
    unresolved: list[Name] = field(default_factory=list)
    replies: dict[str, list[tuple[Ask, Reply]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


async def run_errand(finder: AddressFinder, lane: Lane, errand: Errand) -> SideResult:
    """Do *errand* on *lane*; limits end it early with a problem line, never raise."""
    result = SideResult()
    try:
        found = await finder.find_many(lane, errand.names, result.problems)
        for name in errand.names:
            if not found[name]:
                result.unresolved.append(name)
            for address in found[name]:
                result.addresses.setdefault(address, []).append(name)
        fresh = [a for a in result.addresses if a not in errand.known][: errand.room]
        asks = [Ask(a, errand.zone, t) for a in fresh for t in errand.types]
        asks += [Ask(a, errand.target, errand.qtype) for a in fresh]
        if errand.child is not None:
            asks += [Ask(a, errand.child, RdataType.DS) for a in fresh]
        replies = await finder.session.ask_all(lane, asks)
        for ask, reply in zip(asks, replies, strict=True):
            result.replies.setdefault(ask.server, []).append((ask, reply))
    except WalkStop as stop:
        result.problems.append(str(stop))
    return result
