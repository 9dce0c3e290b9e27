"""Collecting: run the walk for one name and return the Collection with its Evidence.

:func:`collect` walks live over a transport; :func:`collect_from_evidence` walks again
over recorded Evidence (no network) and rebuilds the same Collection; :func:`collect_sync`
is the blocking form for the command line.  None of them raises for anything a server
does: limits and dead ends become lines of ``Collection.problems``.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable, Coroutine, Iterable, Sequence
from datetime import UTC, datetime

import dns.name
import dns.rdatatype

from dnssec_doctor.collect.anchors import DEFAULT_ROOT_HINTS, DEFAULT_TRUST_ANCHORS
from dnssec_doctor.collect.descent import Walk
from dnssec_doctor.collect.limits import DEFAULT_LIMITS, WalkLimits, limit_hit
from dnssec_doctor.collect.replay import ReplayTransport
from dnssec_doctor.collect.session import Session, WalkStop
from dnssec_doctor.collect.transport import NetworkTransport, Transport, refusal_reason
from dnssec_doctor.model.collection import Collection, ZoneCut
from dnssec_doctor.model.evidence import (
    MAX_RECORDS_PER_MESSAGE,
    Evidence,
    Query,
    RootHint,
    Stub,
)
from dnssec_doctor.validate.records import RecordParseError, parse_records

Name = dns.name.Name
RdataType = dns.rdatatype.RdataType


async def collect(
    qname: Name | str,
    qtype: RdataType | str = RdataType.A,
    *,
    root_hints: Sequence[RootHint],
    trust_anchors: Sequence[str],
    transport: Transport,
    at: datetime,
    resolver: str | None = None,
    stubs: Sequence[Stub] = (),
    limits: WalkLimits = DEFAULT_LIMITS,
    timed: bool = True,
) -> Collection:
    """Walk from the trust anchor's zone to *qname* and return what every server said.

    *trust_anchors* are DS or DNSKEY lines (presentation format); the walk starts at the
    shallowest anchor zone above *qname* when a stub gives its servers, else at the root
    with *root_hints*.  *resolver*, when given, is asked too (RD+DO, with and without
    CD).  *timed* applies ``limits.time_budget`` (replays run untimed).
    Raises ValueError only for a trust anchor line that does not parse.
    """
    name = qname if isinstance(qname, Name) else dns.name.from_text(qname)
    rdtype = RdataType.make(qtype)
    stub_servers = {
        dns.name.from_text(s.zone): [normalize_address(a) for a in s.addresses] for s in stubs
    }
    start = start_zone(name, trust_anchors, root_hints, stub_servers)
    session = Session(transport, limits, timed=timed)
    walk = Walk(
        name,
        rdtype,
        session,
        start,
        stub_servers,
        normalize_address(resolver) if resolver else None,
    )
    budget = limits.time_budget + limits.time_budget_grace if timed else None
    try:
        async with asyncio.timeout(budget):
            try:
                await walk.run()
            except WalkStop as stop:
                walk.problem(str(stop))
                await walk.join_resolver()
    except TimeoutError:
        walk.problem(
            limit_hit(
                "TIME_BUDGET", limits.time_budget, "used up: queries in flight were abandoned"
            )
        )
    finally:
        await walk.abandon()
    if session.oversized:
        walk.problem(
            limit_hit(
                "MAX_RECORDS_PER_MESSAGE",
                MAX_RECORDS_PER_MESSAGE,
                f"reached: {session.oversized} response(s) with more records were not read"
                " (malformed)",
            )
        )
    refused = sorted({ex.server for ex in walk.exchanges() if ex.error == "blocked"})
    if refused:
        more = f" and {len(refused) - 5} more" if len(refused) > 5 else ""
        shown = ", ".join(f"{a} ({refusal_reason(a)})" for a in refused[:5]) + more
        walk.problem(f"not asked, the address policy refuses them: {shown}")
    evidence = Evidence(
        at=at,
        query=Query(name.to_text(), dns.rdatatype.to_text(rdtype)),
        trust_anchors=tuple(trust_anchors),
        root_hints=tuple(root_hints),
        stubs=tuple(stubs),
        exchanges=tuple(walk.exchanges()),
    )
    return Collection(
        evidence=evidence,
        zones=walk.zones,
        answers=walk.answers,
        resolver=walk.resolver_view,
        problems=walk.problems,
        rounds=walk.rounds,
    )


async def collect_from_evidence(
    evidence: Evidence, *, limits: WalkLimits = DEFAULT_LIMITS
) -> Collection:
    """The same walk over recorded evidence: no network, the recorded answers.

    The resolver is the server of the first exchange sent with RD (the evidence format
    has no field for it).
    """
    resolver = next((ex.server for ex in evidence.exchanges if "RD" in ex.flags), None)
    return await collect(
        evidence.query.qname,
        evidence.query.rdtype,
        root_hints=evidence.root_hints,
        trust_anchors=evidence.trust_anchors,
        transport=ReplayTransport(evidence),
        at=evidence.at,
        resolver=resolver,
        stubs=evidence.stubs,
        limits=limits,
        timed=False,
    )


def collect_sync(
    qname: Name | str,
    qtype: RdataType | str = RdataType.A,
    *,
    root_hints: Sequence[RootHint] = DEFAULT_ROOT_HINTS,
    trust_anchors: Sequence[str] = DEFAULT_TRUST_ANCHORS,
    transport: Transport | None = None,
    at: datetime | None = None,
    resolver: str | None = None,
    stubs: Sequence[Stub] = (),
    limits: WalkLimits = DEFAULT_LIMITS,
    meanwhile: Sequence[Callable[[], object]] = (),
) -> Collection:
    """:func:`collect` for callers without an event loop (the command line).

    Defaults: the IANA root hints and trust anchors, a :class:`NetworkTransport` on
    port 53, and now as the time of collection.  *meanwhile*: steps of other work run
    one per turn of the event loop while the walk waits for answers (all of them run,
    whether the walk ends first or not).
    """
    walk = collect(
        qname,
        qtype,
        root_hints=root_hints,
        trust_anchors=trust_anchors,
        transport=transport or NetworkTransport(),
        at=at or datetime.now(UTC).replace(microsecond=0),
        resolver=resolver,
        stubs=stubs,
        limits=limits,
    )
    return asyncio.run(_alongside(walk, meanwhile))


async def _alongside(
    walk: Coroutine[None, None, Collection], steps: Sequence[Callable[[], object]]
) -> Collection:
    async def fill() -> None:
        for step in steps:
            await asyncio.sleep(0)  # the walk first: its queries go out before any step
            step()

    filling = asyncio.create_task(fill())
    try:
        return await walk
    finally:
        await filling


def start_zone(
    qname: Name,
    trust_anchors: Iterable[str],
    root_hints: Iterable[RootHint],
    stubs: dict[Name, list[str]],
) -> ZoneCut:
    """Where the walk starts: the shallowest anchor zone above *qname* if a stub gives its
    servers, else the root (from its stub, or the root hints)."""
    above = [z for z in anchor_zones(trust_anchors) if qname.is_subdomain(z)]
    zone = min(above, key=len, default=dns.name.root)
    if zone not in stubs:
        zone = dns.name.root  # no servers given for the anchor's zone: walk down to it
    cut = ZoneCut(zone, None)
    if zone in stubs:
        for address in stubs[zone]:
            cut.addresses.setdefault(address, [])
        return cut
    for hint in root_hints:
        name = dns.name.from_text(hint.name)
        names = cut.addresses.setdefault(normalize_address(hint.address), [])
        if name not in names:
            names.append(name)
    return cut


def anchor_zones(trust_anchors: Iterable[str]) -> list[Name]:
    """The owner names of trust anchor lines; ValueError for a line that does not parse."""
    zones: list[Name] = []
    for line in trust_anchors:
        try:
            rrsets = parse_records(line)
        except RecordParseError as exc:
            raise ValueError(f"trust anchor {line!r}: {exc}") from exc
        zones.extend(r.name for r in rrsets if r.name not in zones)
    return zones


def normalize_address(address: str) -> str:
    """One spelling per address (``2001:DB8::1`` and ``2001:db8:0::1`` are one server)."""
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return address.strip()
