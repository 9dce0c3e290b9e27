"""verify's work items read from a signed zone file, and their hostile variants.

Shared by the fast-path tests (scenarios/test_verify_fastsig.py) and the one-rule test
(scenarios/test_rrsig_one_rule.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dns.rdatatype

from dnssec_doctor.zonefile.load import fast_records, open_zone
from dnssec_doctor.zonefile.nodes import RRSIG as RRSIG_TYPE
from dnssec_doctor.zonefile.nodes import RRsetData, stream_nodes
from dnssec_doctor.zonefile.workers import WorkItem


def work_items(path: Path) -> tuple[bytes, RRsetData, list[WorkItem], int]:
    """The zone's apex DNSKEY RRset, a work item per signed RRset, and a time
    inside every signature's validity period."""
    with open_zone(str(path)) as source:
        nodes = list(stream_nodes(fast_records(source)))
        origin = source.origin_wire
    apex = next(n for n in nodes if n.owner == origin)
    keys = apex.get(dns.rdatatype.DNSKEY)
    assert keys is not None
    items: list[WorkItem] = []
    for node in nodes:
        for (rdtype, covers), sigs in node.rrsets.items():
            if rdtype != RRSIG_TYPE:
                continue
            data = node.get(covers)
            assert data is not None
            items.append(
                WorkItem(
                    node.owner, covers, data.ttl, tuple(data.rdatas), sigs.ttl, tuple(sigs.rdatas)
                )
            )
    inception = max(int.from_bytes(s[12:16], "big") for i in items for s in i.rrsigs)
    return origin, keys, items, inception + 3600


def _flip(data: bytes, at: int) -> bytes:
    at %= len(data)
    return data[:at] + bytes([data[at] ^ 0x40]) + data[at + 1 :]


def hostile_items(items: list[WorkItem], origin: bytes) -> Iterator[WorkItem]:
    """Each item as it is, then with what the fast path must notice or decline (all
    well-formed RDATA, as the reader gives): a flipped signature or field, another
    signer, a shorter signature, TTLs that warn, a DNSKEY RRset away from the apex,
    DS at the apex, an oversized RRset or RDATA, duplicate records."""
    end = 18 + len(origin)
    for item in items:
        yield item
        sigs = item.rrsigs
        yield item._replace(rrsigs=tuple(_flip(s, -1) for s in sigs))  # the signature
        for at in (0, 2, 3, 8, 12, 16):  # type, algorithm, labels, times, key tag
            yield item._replace(rrsigs=tuple(_flip(s, at) for s in sigs))
        yield item._replace(rrsigs=tuple(s[:18] + b"\x03sub" + s[18:] for s in sigs))
        yield item._replace(rrsigs=tuple(s[:18] + b"\x00" + s[end:] for s in sigs))
        yield item._replace(rrsigs=tuple(s[:-3] for s in sigs))
        yield item._replace(ttl=item.ttl + 1)
        yield item._replace(rrsig_ttl=item.rrsig_ttl + 1)
        yield item._replace(ttl=10**8)
        if item.rdtype == dns.rdatatype.DNSKEY:
            yield item._replace(owner=b"\x03sub" + item.owner)
            yield item._replace(rdtype=dns.rdatatype.DS)  # DNSKEY RDATA reads as DS too
        if item.rdtype == dns.rdatatype.A:
            yield item._replace(rdatas=tuple(i.to_bytes(4, "big") for i in range(513)))
        yield item._replace(rdatas=(*item.rdatas, *item.rdatas))  # duplicates count once
