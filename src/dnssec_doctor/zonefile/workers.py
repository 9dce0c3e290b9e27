"""Judge RRSIGs in worker processes: wire-format work items in, plain results out.

A work item is one RRset and its RRSIGs in wire format (cheap to pickle, no dnspython
objects); each worker rebuilds them and calls :func:`validate.rrsig.judge_rrsig`, so
the judgment is the same as ``check``'s.  ``jobs == 1`` (or little work) runs in the
calling process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import cast

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.RRSIG import RRSIG

from dnssec_doctor.validate.rrsig import judge_rrsig

#: RRsets per chunk sent to a worker: big enough to amortise pickling.
CHUNK_RRSETS = 400


@dataclass(frozen=True)
class WorkItem:
    """One RRset and the RRSIGs over it, in wire format."""

    owner: bytes
    rdtype: int
    ttl: int
    rdatas: tuple[bytes, ...]
    rrsig_ttl: int
    rrsigs: tuple[bytes, ...]


@dataclass(frozen=True)
class SigResult:
    """The verdict on one RRSIG, as plain data."""

    owner: str
    rdtype: int
    index: int
    status: str
    detail: str
    algorithm: int
    key_tag: int
    inception: int
    expiration: int
    warnings: tuple[str, ...]
    rrsig_text: str


@dataclass(frozen=True)
class Context:
    """What every worker needs besides the items: the keys, the zone, the time."""

    origin: bytes
    dnskey_ttl: int
    dnskeys: tuple[bytes, ...]
    at: int


def item_for(rrset: dns.rrset.RRset, rrsigs: dns.rrset.RRset | None) -> WorkItem:
    sigs = tuple(rd.to_wire() for rd in rrsigs) if rrsigs is not None else ()
    return WorkItem(
        owner=rrset.name.to_wire() or b"",
        rdtype=int(rrset.rdtype),
        ttl=rrset.ttl,
        rdatas=tuple(rd.to_wire() for rd in rrset),
        rrsig_ttl=rrsigs.ttl if rrsigs is not None else 0,
        rrsigs=sigs,
    )


def _name(wire: bytes) -> dns.name.Name:
    return dns.name.from_wire(wire, 0)[0]


def _rrset(name: dns.name.Name, rdtype: int, ttl: int, rdatas: Sequence[bytes]) -> dns.rrset.RRset:
    rrset = dns.rrset.RRset(name, dns.rdataclass.IN, dns.rdatatype.RdataType.make(rdtype))
    for wire in rdatas:
        rrset.add(dns.rdata.from_wire(dns.rdataclass.IN, rrset.rdtype, wire, 0, len(wire)), ttl)
    return rrset


def judge_items(context: Context, items: Sequence[WorkItem]) -> list[SigResult]:
    origin = _name(context.origin)
    keys = _rrset(origin, dns.rdatatype.DNSKEY, context.dnskey_ttl, context.dnskeys)
    out: list[SigResult] = []
    for item in items:
        owner = _name(item.owner)
        rrset = _rrset(owner, item.rdtype, item.ttl, item.rdatas)
        for index, wire in enumerate(item.rrsigs):
            sig = cast(
                RRSIG,
                dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.RRSIG, wire, 0, len(wire)),
            )
            j = judge_rrsig(rrset, sig, keys, context.at, zone=origin, rrsig_ttl=item.rrsig_ttl)
            out.append(
                SigResult(
                    owner=owner.to_text(),
                    rdtype=item.rdtype,
                    index=index,
                    status=j.status.value,
                    detail=j.detail,
                    algorithm=j.algorithm,
                    key_tag=j.key_tag,
                    inception=j.inception,
                    expiration=j.expiration,
                    warnings=tuple(sorted(w.value for w in j.warnings)),
                    rrsig_text=f"{owner} {item.rrsig_ttl} IN RRSIG {sig.to_text()}",
                )
            )
    return out


def _chunks(items: Sequence[WorkItem], size: int) -> Iterator[Sequence[WorkItem]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def default_jobs() -> int:
    return os.cpu_count() or 1


def judge_all(context: Context, items: Sequence[WorkItem], jobs: int) -> list[SigResult]:
    """Judge every RRSIG of ``items``; over ``jobs`` processes when there is enough work."""
    if jobs <= 1 or len(items) <= CHUNK_RRSETS:
        return judge_items(context, items)
    size = max(50, min(CHUNK_RRSETS, len(items) // (jobs * 4) or 1))
    results: list[SigResult] = []
    chunks = list(_chunks(items, size))
    try:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for part in pool.map(judge_items, [context] * len(chunks), chunks):
                results.extend(part)
    except (OSError, BrokenProcessPool):  # no processes here (sandbox, limits): do it in-process
        return judge_items(context, items)
    return results


__all__ = [
    "Context",
    "SigResult",
    "WorkItem",
    "default_jobs",
    "item_for",
    "judge_all",
    "judge_items",
]
