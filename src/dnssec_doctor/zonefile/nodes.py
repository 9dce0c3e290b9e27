"""Records grouped into nodes (one owner name) and RRsets, as a zone holds them.

Grouping follows dnspython's zone semantics so both readers give the same zone:
duplicate records are one record, an RRset's TTL is the lowest of its records'
(``Rdataset.update_ttl``), RRSIGs are grouped by the type they cover.

:func:`stream_nodes` yields a node as soon as the next owner starts, so a zone whose
records are grouped by owner (every signer's output) is never held whole; an owner
that comes back later raises :class:`Unordered`, and the caller starts again with
:func:`sorted_nodes`, which holds the zone and yields it in canonical order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from dnssec_doctor.zonefile.reader import Record
from dnssec_doctor.zonefile.wire import canonical_key

RRSIG = 46
RRsetKey = tuple[int, int]  # (type, covered type for RRSIG else 0)


class Unordered(Exception):
    """The records of one owner are not together: the zone must be held to be read."""


@dataclass(slots=True)
class RRsetData:
    """One RRset: its TTL (the lowest seen) and RDATA in canonical wire form."""

    ttl: int
    rdatas: list[bytes]


@dataclass(slots=True)
class Node:
    owner: bytes  # canonical wire
    rrsets: dict[RRsetKey, RRsetData] = field(default_factory=dict)
    record_count: int = 0  # distinct records in rrsets (counted as they are added)

    def add(self, record: Record) -> None:
        # this runs for every record of the zone: the covered type inline
        rdtype, rdata = record.rdtype, record.rdata
        key = (
            (rdtype, (rdata[0] << 8 | rdata[1]) if len(rdata) >= 2 else 0)
            if rdtype == RRSIG
            else (rdtype, 0)
        )
        rrset = self.rrsets.get(key)
        if rrset is None:
            self.rrsets[key] = RRsetData(record.ttl, [rdata])
            self.record_count += 1
            return
        if record.ttl < rrset.ttl:
            rrset.ttl = record.ttl
        if rdata not in rrset.rdatas:
            rrset.rdatas.append(rdata)
            self.record_count += 1

    def get(self, rdtype: int, covers: int = 0) -> RRsetData | None:
        return self.rrsets.get((rdtype, covers))


def stream_nodes(records: Iterable[Record]) -> Iterator[Node]:
    """Nodes in file order, each as soon as it is complete; raises :class:`Unordered`
    when an owner's records are not contiguous."""
    seen: set[bytes] = set()
    node: Node | None = None
    owner = b""
    rrsets: dict[RRsetKey, RRsetData] = {}
    # Node.add inlined: this loop runs for every record of the zone
    for record_owner, ttl, rdtype, rdata, _line in records:
        if node is None or record_owner != owner:
            if node is not None:
                yield node
            if record_owner in seen:
                raise Unordered(record_owner)
            seen.add(record_owner)
            node = Node(record_owner)
            owner, rrsets = record_owner, node.rrsets
        key = (
            (rdtype, (rdata[0] << 8 | rdata[1]) if len(rdata) >= 2 else 0)
            if rdtype == RRSIG
            else (rdtype, 0)
        )
        rrset = rrsets.get(key)
        if rrset is None:
            rrsets[key] = RRsetData(ttl, [rdata])
            node.record_count += 1
            continue
        if ttl < rrset.ttl:
            rrset.ttl = ttl
        if rdata not in rrset.rdatas:
            rrset.rdatas.append(rdata)
            node.record_count += 1
    if node is not None:
        yield node


def sorted_nodes(records: Iterable[Record], origin: bytes) -> Iterator[Node]:
    """Every node, held in memory, yielded in canonical order with the origin first."""
    nodes: dict[bytes, Node] = {}
    for record in records:
        node = nodes.get(record.owner)
        if node is None:
            node = nodes[record.owner] = Node(record.owner)
        node.add(record)
    apex = nodes.pop(origin, None)
    if apex is not None:
        yield apex
    for owner in sorted(nodes, key=canonical_key):
        yield nodes.pop(owner)


__all__ = ["Node", "RRsetData", "RRsetKey", "Unordered", "sorted_nodes", "stream_nodes"]
