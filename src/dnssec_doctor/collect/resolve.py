"""Finding a nameserver's addresses when the referral gave no glue: a small walk of its own.

It starts at the deepest zone the check already knows above the name (the root at
worst), asks a couple of that zone's servers for A and AAAA, and follows referrals down,
resolving glueless nameservers of those zones in turn, nested at most
MAX_NS_RESOLUTION_DEPTH deep.  A referral to a zone whose nameservers are already being
looked up further out in the same lookup is a dead end, not a new lookup: whatever that
zone's other names could give, the outer lookup tries them itself; and a glueless name
inside the zone it serves is not looked up at all.  Without these rules a referral
listing N glueless names inside its own zone costs N^depth lookups (16 names: 4,096),
each answered by the whole referral again.  Only addresses are wanted here: no DNSKEY or SOA is
asked, and the zones passed on the way are not part of the Collection (their exchanges
are in the Evidence).  Failing to find an address is not an error; the caller records
the name as unresolved.  Limits that are hit add a line to *notes*.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import dns.name
import dns.rdatatype

from dnssec_doctor.collect.limits import WalkLimits, limit_hit
from dnssec_doctor.collect.referral import Kind, Verdict, addresses, classify
from dnssec_doctor.collect.session import Ask, Lane, Session
from dnssec_doctor.model.collection import Reply

Name = dns.name.Name
A = dns.rdatatype.A
AAAA = dns.rdatatype.AAAA


class _Found(NamedTuple):
    verdict: Verdict
    server: str
    a: Reply
    aaaa: Reply


class AddressFinder:
    """Resolves nameserver names to addresses over the check's session.

    *known* is a snapshot of zones and their server addresses to start from; it is
    fixed when the finder is made, so the same answers always lead to the same queries.
    """

    def __init__(
        self, session: Session, limits: WalkLimits, known: Mapping[Name, Sequence[str]]
    ) -> None:
        self.session = session
        self.limits = limits
        self.known = {zone: list(servers) for zone, servers in known.items() if servers}

    async def find_many(
        self,
        lane: Lane,
        names: Sequence[Name],
        notes: list[str],
        depth: int = 0,
        chain: tuple[Name, ...] = (),
        resolving: tuple[Name, ...] = (),
    ) -> dict[Name, list[str]]:
        """Each name's addresses, looked up side by side, one lane each."""
        lanes = [lane.fork() for _ in names]
        own_notes: list[list[str]] = [[] for _ in names]
        found = await asyncio.gather(
            *(
                self.find(sub, name, sub_notes, depth, chain, resolving)
                for sub, name, sub_notes in zip(lanes, names, own_notes, strict=True)
            )
        )
        for sub, sub_notes in zip(lanes, own_notes, strict=True):
            lane.join(sub)
            notes.extend(n for n in sub_notes if n not in notes)
        return dict(zip(names, found, strict=True))

    async def find(
        self,
        lane: Lane,
        name: Name,
        notes: list[str],
        depth: int = 0,
        chain: tuple[Name, ...] = (),
        resolving: tuple[Name, ...] = (),
    ) -> list[str]:
        """The A and AAAA addresses of *name*, or [] when they cannot be found.
        *chain* holds the names, *resolving* the zones whose servers are being looked up
        further out in this lookup."""
        if name in chain:
            return []  # needs itself to be found: circular glueless delegation
        if self._unreachable(name, resolving):
            return []  # only the servers being looked up could tell
        if depth > self.limits.max_ns_resolution_depth:
            notes.append(
                limit_hit(
                    "MAX_NS_RESOLUTION_DEPTH",
                    self.limits.max_ns_resolution_depth,
                    f"reached looking up {name}: its address is not looked up",
                )
            )
            return []
        if not self.session.start_lookup():
            notes.append(
                limit_hit(
                    "MAX_NS_LOOKUPS",
                    self.limits.max_ns_lookups,
                    "reached: further nameserver addresses are not looked up",
                )
            )
            return []
        zone, servers = self._start(name)
        for _ in range(self.limits.max_referral_depth + 1):
            found = await self._ask_zone(lane, zone, servers, name)
            if found is None:
                return []
            verdict = found.verdict
            if verdict.kind == Kind.ANSWER:
                return list(
                    dict.fromkeys(
                        addresses(found.a.message, name) + addresses(found.aaaa.message, name)
                    )
                )
            assert verdict.child is not None  # a usable verdict is an answer or a referral
            servers = await self._servers_of(
                lane, verdict, found.server, notes, depth, (*chain, name), resolving
            )
            if not servers:
                return []
            zone = verdict.child
        notes.append(
            limit_hit(
                "MAX_REFERRAL_DEPTH",
                self.limits.max_referral_depth,
                f"reached looking up {name}: its address is not looked up",
            )
        )
        return []

    def _unreachable(self, name: Name, resolving: Sequence[Name]) -> bool:
        """A glueless *name* inside a zone whose servers are being looked up, where no
        known zone at or below that one could be asked instead: only those very servers
        could tell (RFC 1034 4.2.1: such names need glue), and asking from above would
        only bring back the same referral."""
        start = self._start(name)[0]
        return any(name.is_subdomain(z) and not start.is_subdomain(z) for z in resolving)

    def _start(self, name: Name) -> tuple[Name, list[str]]:
        zone = name
        while zone not in self.known and zone != dns.name.root:
            zone = zone.parent()
        return zone, self.known.get(zone, [])

    async def _ask_zone(
        self, lane: Lane, zone: Name, servers: Sequence[str], name: Name
    ) -> _Found | None:
        """Ask a few servers at a time until one gives a usable reply."""
        fanout = max(1, self.limits.resolution_fanout)
        servers = servers[: self.limits.max_server_addresses_per_zone]
        for start in range(0, len(servers), fanout):
            chunk = servers[start : start + fanout]
            asks = [Ask(s, name, t) for s in chunk for t in (A, AAAA)]
            replies = await self.session.ask_all(lane, asks)
            for i, server in enumerate(chunk):
                a, aaaa = replies[2 * i], replies[2 * i + 1]
                verdict = classify(a, zone, name)
                if not verdict.usable:
                    verdict = classify(aaaa, zone, name)
                if verdict.usable:
                    return _Found(verdict, server, a, aaaa)
        return None

    async def _servers_of(
        self,
        lane: Lane,
        verdict: Verdict,
        server: str,
        notes: list[str],
        depth: int,
        chain: tuple[Name, ...],
        resolving: tuple[Name, ...],
    ) -> list[str]:
        """The addresses to ask in the zone *verdict* refers to."""
        cap = self.limits.max_server_addresses_per_zone
        if verdict.implicit:
            return [server]
        if verdict.glue:
            return list(dict.fromkeys(address for _, address in verdict.glue))[:cap]
        assert verdict.child is not None
        if verdict.child in resolving:
            return []  # its nameservers are being looked up further out already
        inner = (*resolving, verdict.child)
        outside = [ns for ns in verdict.ns if not self._unreachable(ns, inner)]
        for ns in outside[: self.limits.max_ns_names_per_zone]:
            found = await self.find(lane, ns, notes, depth + 1, chain, inner)
            if found:
                return found[:cap]
        return []
