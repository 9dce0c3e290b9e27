"""The walk itself: zone by zone from the start zone down to the name, then along its aliases.

For each zone of the chain, all its server addresses are asked at once for the zone's
DNSKEY, SOA and NS (and CDS and CDNSKEY, the zone's signals to its parent) and for the
name itself (DO set, RD clear); the parent's servers are asked for the zone's DS in the
same batch.  The replies about the name decide where to go (see
:mod:`dnssec_doctor.collect.referral`): a referral to a zone below is the next cut; an
authoritative answer, NODATA or NXDOMAIN means the zone holds the name.  A CNAME or
DNAME in that answer is followed by a new descent from the deepest zone already known.

Nameservers without glue, and nameservers the zone lists that its parent does not, are
looked up on side lanes while the descent goes on (:mod:`dnssec_doctor.collect.sides`).
They are merged only at fixed points, before following an alias and at the end, where
one last batch asks the late servers what they missed; so the result does not depend on
which answer came back first, and a replay rebuilds it exactly.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import dns.name
import dns.rdatatype

from dnssec_doctor.collect.limits import WalkLimits, limit_hit
from dnssec_doctor.collect.referral import (
    Decision,
    Kind,
    alias_target,
    classify,
    decide,
    ns_names,
)
from dnssec_doctor.collect.resolve import AddressFinder
from dnssec_doctor.collect.session import Ask, Lane, Session, WalkStop
from dnssec_doctor.collect.sides import Errand, SideResult, run_errand, zone_types
from dnssec_doctor.model.collection import NameAnswer, Reply, ResolverView, ZoneCut
from dnssec_doctor.model.evidence import Exchange

Name = dns.name.Name
RdataType = dns.rdatatype.RdataType

#: A batch: each question with where its reply goes.
Plan = list[tuple[Ask, Callable[[Reply], object]]]


@dataclass
class _Side:
    errand: Errand
    lane: Lane
    task: asyncio.Task[SideResult]


def _keep(table: dict[str, Reply], server: str) -> Callable[[Reply], object]:
    """Store a reply under *server* in *table*, unless one is there already."""
    return functools.partial(table.setdefault, server)


class Walk:
    """One check's walk: its state and the steps that advance it.

    *start* is the first zone with its server addresses; *stubs* the zones whose
    servers are given.  :meth:`run` fills :attr:`zones`, :attr:`answers`,
    :attr:`problems` and :attr:`resolver_view`; limits end it early, never an exception
    (the caller turns a :class:`~dnssec_doctor.collect.session.WalkStop` into a problem).
    """

    def __init__(
        self,
        qname: Name,
        qtype: RdataType,
        session: Session,
        start: ZoneCut,
        stubs: dict[Name, list[str]],
        resolver: str | None,
    ) -> None:
        self.qname = qname
        self.qtype = qtype
        self.session = session
        self.limits: WalkLimits = session.limits
        self.stubs = stubs
        self.resolver = resolver
        self.main = Lane()
        self.zones: dict[Name, ZoneCut] = {start.name: start}
        self.answers: list[NameAnswer] = []
        self.problems: list[str] = []
        self.resolver_view: ResolverView | None = None
        self._resolver: tuple[Lane, asyncio.Task[list[Reply]]] | None = None
        self._sides: list[_Side] = []
        self._sinks: dict[tuple[Name, Name], dict[str, Reply]] = {}  # (zone, name) -> replies
        self._walked: set[Name] = set()
        self._capped: set[Name] = set()
        self._cap(start)

    async def run(self) -> None:
        self._ask_resolver()
        start = next(iter(self.zones.values()))
        if not start.addresses:
            self.problem(f"{start.name}: no server address to start from (no hints or stub)")
        else:
            await self._follow(start)
        await self._join_sides()
        await self._fill_in()
        await self.join_resolver()

    def problem(self, line: str) -> None:
        if line not in self.problems:
            self.problems.append(line)

    @property
    def rounds(self) -> int:
        return self.main.rounds

    def exchanges(self) -> list[Exchange]:
        """Every exchange that came back, in the order the lanes sent them."""
        return list(self.main.exchanges())

    # -- descending ----------------------------------------------------------------------

    async def _follow(self, start: ZoneCut) -> None:
        """Descend to the name, then along its CNAME/DNAME chain."""
        target, zone, walked = self.qname, start, False
        seen = {self.qname}
        for hop in range(self.limits.max_cname_chain + 1):
            found = await self._descend(target, zone, walked)
            if found is None or self.qtype in (RdataType.CNAME, RdataType.ANY):
                return
            holder, decision = found
            reply = self._sinks[(holder.name, target)][decision.agreeing[0]]
            alias = alias_target(reply.message, target)
            if alias is None:
                return
            if alias in seen:
                self.problem(f"CNAME loop: {target} leads back to {alias}; not followed")
                return
            if hop == self.limits.max_cname_chain:
                self.problem(
                    limit_hit(
                        "MAX_CNAME_CHAIN",
                        self.limits.max_cname_chain,
                        f"reached at {target}: its target {alias} is not followed",
                    )
                )
                return
            seen.add(alias)
            await self._join_sides()  # the zones a new descent starts from must be complete
            target, zone, walked = alias, self._deepest_known(alias), True

    def _deepest_known(self, name: Name) -> ZoneCut:
        above = [c for c in self.zones.values() if name.is_subdomain(c.name) and c.addresses]
        return max(above, key=lambda c: len(c.name), default=next(iter(self.zones.values())))

    async def _descend(
        self, target: Name, zone: ZoneCut, walked: bool
    ) -> tuple[ZoneCut, Decision] | None:
        """Walk from *zone* to the zone that holds *target*; None when the walk stops."""
        cuts = 0
        while True:
            decision = await self._step(zone, target, walked)
            if decision.kind == Kind.ANSWER:
                sink = self._sinks[(zone.name, target)]
                self.answers.append(NameAnswer(target, self.qtype, zone.name, sink))
                return zone, decision
            if decision.kind is None or decision.child is None:
                self._dead_end(zone, target, decision)
                return None
            if decision.child in self.zones:  # cannot happen (cuts only go down); a guard
                self.problem(
                    f"{zone.name}: referral loop: {target} is referred to {decision.child},"
                    " which was already visited; the walk stops there"
                )
                return None
            if cuts == self.limits.max_referral_depth:
                self.problem(
                    limit_hit(
                        "MAX_REFERRAL_DEPTH",
                        self.limits.max_referral_depth,
                        f"reached at {zone.name}: the referral to {decision.child} is not followed",
                    )
                )
                return None
            cuts += 1
            child = await self._enter(decision.child, zone, decision, target)
            if child is None:
                return None
            zone, walked = child, False

    def _dead_end(self, zone: ZoneCut, target: Name, decision: Decision) -> None:
        if decision.bad is not None:
            self.problem(
                f"{zone.name}: referral loop: {target} is referred to {decision.bad.child},"
                f" which is not below {zone.name}; the walk stops there"
            )
            return
        sink = self._sinks[(zone.name, target)]
        why = sorted({classify(r, zone.name, target).reason for r in sink.values()})
        self.problem(
            f"{zone.name}: no usable answer for {target} {self.qtype.name} from its"
            f" {len(sink)} server address(es) ({', '.join(why)}); the walk stops there"
        )

    async def _step(self, zone: ZoneCut, target: Name, walked: bool) -> Decision:
        """One batch at *zone*: its own questions and its DS (first visit), and the name."""
        sink = self._sinks.setdefault((zone.name, target), {})
        plan: Plan = []
        if not walked:
            self._walked.add(zone.name)
            plan += [
                (Ask(a, zone.name, RdataType.DS), _keep(zone.ds, a))
                for a in self._parent_servers(zone)
            ]
            plan += [
                (Ask(a, zone.name, t), _keep(_table(zone, t), a))
                for a in zone.addresses
                for t in zone_types(zone.parent is not None)
            ]
        plan += [(Ask(a, target, self.qtype), _keep(sink, a)) for a in zone.addresses]
        await self._run(self.main, plan)
        if not walked:
            zone.ns_at_child = _union(ns_names(r.message, zone.name) for r in zone.ns.values())
        decision = self._decide(zone, target)
        if decision.kind is None and any(s.errand.zone == zone.name for s in self._sides):
            await self._join_sides(zone.name)  # the late servers may be all that answer
            decision = self._decide(zone, target)
        if decision.dissent:
            self.problem(f"{zone.name}: {target} {self.qtype.name}: {decision.dissent}")
        if not walked and zone.name not in self.stubs:
            listed = set(zone.ns_at_parent) | {n for ns in zone.addresses.values() for n in ns}
            unlisted = [n for n in zone.ns_at_child if n not in listed]
            child = decision.child if decision.kind == Kind.REFERRAL else None
            if unlisted:
                self._spawn(zone, self._bounded(zone, unlisted), target, child)
        return decision

    def _decide(self, zone: ZoneCut, target: Name) -> Decision:
        sink = self._sinks[(zone.name, target)]
        return decide([(a, classify(r, zone.name, target)) for a, r in sink.items()])

    def _parent_servers(self, zone: ZoneCut) -> list[str]:
        parent = self.zones.get(zone.parent) if zone.parent is not None else None
        return list(parent.addresses) if parent is not None else []

    async def _run(self, lane: Lane, plan: Plan) -> None:
        replies = await self.session.ask_all(lane, [ask for ask, _ in plan])
        for (_, store), reply in zip(plan, replies, strict=True):
            store(reply)

    async def _enter(
        self, name: Name, parent: ZoneCut, decision: Decision, target: Name
    ) -> ZoneCut | None:
        """The next cut below *parent*, with the addresses to ask there."""
        cut = ZoneCut(name, parent.name, ns_at_parent=list(decision.ns))
        cut.referral = self._sinks[(parent.name, target)]
        self.zones[name] = cut
        if name in self.stubs:
            for address in self.stubs[name]:
                cut.addresses.setdefault(address, [])
            self._cap(cut)
            return cut
        served: dict[str, dict[Name, None]] = {a: {} for a in decision.implicit}
        for ns, address in decision.glue:  # the implicit ones: parent servers serving the child
            served.setdefault(address, {})[ns] = None
        cut.addresses = {address: list(names) for address, names in served.items()}
        self._cap(cut)
        glued = {ns for ns, _ in decision.glue}
        glueless = self._bounded(cut, [n for n in decision.ns if n not in glued])
        if glueless and cut.addresses:
            self._spawn(cut, glueless, target, None)
        elif glueless:
            notes: list[str] = []
            finder = AddressFinder(self.session, self.limits, self._known())
            found = await finder.find_many(self.main, glueless, notes, resolving=(name,))
            for note in notes:
                self.problem(note)
            for ns in glueless:
                for address in found[ns]:
                    _add_name(cut, address, ns)
                if not found[ns] and ns not in cut.unresolved:
                    cut.unresolved.append(ns)
            self._cap(cut)
        if cut.addresses:
            return cut
        plan: Plan = [(Ask(a, name, RdataType.DS), _keep(cut.ds, a)) for a in parent.addresses]
        await self._run(self.main, plan)
        listed = _some(cut.ns_at_parent) or "none listed"
        self.problem(
            f"{name}: no address for any of its nameservers ({listed}); the walk stops there"
        )
        return None

    def _bounded(self, cut: ZoneCut, names: list[Name]) -> list[Name]:
        """At most MAX_NS_NAMES_PER_ZONE names to look up; the rest stay unresolved."""
        limit = self.limits.max_ns_names_per_zone
        if len(names) > limit:
            self.problem(
                limit_hit(
                    "MAX_NS_NAMES_PER_ZONE",
                    limit,
                    f"reached at {cut.name}: {len(names) - limit} more nameserver names"
                    " not looked up",
                )
            )
            cut.unresolved = list(dict.fromkeys([*cut.unresolved, *names[limit:]]))
        return names[:limit]

    def _cap(self, cut: ZoneCut) -> None:
        """At most MAX_SERVER_ADDRESSES_PER_ZONE addresses: the first ones are kept."""
        cap = self.limits.max_server_addresses_per_zone
        extra = list(cut.addresses)[cap:]
        for address in extra:
            del cut.addresses[address]
        if extra:
            self._capped_note(cut, f"{len(extra)} more addresses not asked")

    def _capped_note(self, cut: ZoneCut, what: str) -> None:
        if cut.name not in self._capped:
            self._capped.add(cut.name)
            self.problem(
                limit_hit(
                    "MAX_SERVER_ADDRESSES_PER_ZONE",
                    self.limits.max_server_addresses_per_zone,
                    f"reached at {cut.name}: {what}",
                )
            )

    def _known(self) -> dict[Name, list[str]]:
        """Zones with servers to start a lookup from: the stubs and the walk's zones."""
        known = {zone: list(addresses) for zone, addresses in self.stubs.items()}
        known.update({z: list(c.addresses) for z, c in self.zones.items() if c.addresses})
        return known

    # -- side lanes ----------------------------------------------------------------------

    def _spawn(self, zone: ZoneCut, names: list[Name], target: Name, child: Name | None) -> None:
        """Look *names* up alongside the walk; their addresses get *zone*'s questions."""
        unresolved = set(zone.unresolved)
        names = [n for n in names if n not in unresolved]
        if not names:
            return
        room = max(0, self.limits.max_server_addresses_per_zone - len(zone.addresses))
        errand = Errand(
            zone=zone.name,
            types=zone_types(zone.parent is not None),
            names=tuple(names),
            known=frozenset(zone.addresses),
            room=room,
            target=target,
            qtype=self.qtype,
            child=child,
        )
        lane = self.main.fork()
        finder = AddressFinder(self.session, self.limits, self._known())
        task = asyncio.create_task(run_errand(finder, lane, errand))
        self._sides.append(_Side(errand, lane, task))

    async def _join_sides(self, zone: Name | None = None) -> None:
        """Wait for the side lanes (of one zone, or all) and merge them in spawn order."""
        for side in [s for s in self._sides if zone is None or s.errand.zone == zone]:
            result = await side.task
            self._sides.remove(side)
            self.main.join(side.lane)
            self._merge(side.errand, result)

    def _merge(self, errand: Errand, result: SideResult) -> None:
        cut = self.zones[errand.zone]
        for problem in result.problems:
            self.problem(problem)
        for name in result.unresolved:
            if name not in cut.unresolved:
                cut.unresolved.append(name)
        sink = self._sinks.setdefault((errand.zone, errand.target), {})
        child = self.zones.get(errand.child) if errand.child is not None else None
        for address, names in result.addresses.items():
            full = len(cut.addresses) >= self.limits.max_server_addresses_per_zone
            if address not in cut.addresses and full:
                self._capped_note(cut, "more addresses not asked")
                continue
            for name in names:
                _add_name(cut, address, name)
            for ask, reply in result.replies.get(address, []):
                if ask.qname == errand.target and ask.qtype == errand.qtype:
                    sink.setdefault(address, reply)
                if ask.qname == errand.zone and ask.qtype in errand.types:
                    _table(cut, ask.qtype).setdefault(address, reply)
                if child is not None and ask.qname == child.name and ask.qtype == RdataType.DS:
                    child.ds.setdefault(address, reply)

    async def _fill_in(self) -> None:
        """One last batch: what the servers that joined late were not asked yet."""
        plan: Plan = []
        for cut in self.zones.values():
            if cut.name in self._walked:
                plan += [
                    (Ask(a, cut.name, t), _keep(_table(cut, t), a))
                    for a in cut.addresses
                    for t in zone_types(cut.parent is not None)
                    if a not in _table(cut, t)
                ]
            if cut.parent is not None:
                plan += [
                    (Ask(a, cut.name, RdataType.DS), _keep(cut.ds, a))
                    for a in self._parent_servers(cut)
                    if a not in cut.ds
                ]
        for (zone, target), sink in self._sinks.items():
            plan += [
                (Ask(a, target, self.qtype), _keep(sink, a))
                for a in self.zones[zone].addresses
                if a not in sink
            ]
        if plan:
            await self._run(self.main, plan)

    # -- the resolver --------------------------------------------------------------------

    def _ask_resolver(self) -> None:
        """The resolver's view, asked on its own lane from the start."""
        if self.resolver is None:
            return
        asks = [
            Ask(self.resolver, self.qname, self.qtype, recursion=True),
            Ask(self.resolver, self.qname, self.qtype, recursion=True, cd=True),
        ]
        lane = self.main.fork()
        self._resolver = (lane, asyncio.create_task(self.session.ask_all(lane, asks)))

    async def join_resolver(self) -> None:
        """Wait for the resolver's two replies (once; a stopped walk still gets them)."""
        if self._resolver is None or self.resolver is None or self.resolver_view is not None:
            return
        lane, task = self._resolver
        try:
            plain, checking_disabled = await task
        except WalkStop as stop:
            self.problem(str(stop))
            return
        finally:
            self.main.join(lane)
        self.resolver_view = ResolverView(self.resolver, plain, checking_disabled)

    async def abandon(self) -> None:
        """Stop the side lanes and the queries still in flight (after a stop)."""
        tasks: list[asyncio.Task[SideResult] | asyncio.Task[list[Reply]]] = [
            s.task for s in self._sides
        ]
        if self._resolver is not None:
            tasks.append(self._resolver[1])
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.session.close()


def _table(cut: ZoneCut, qtype: int) -> dict[str, Reply]:
    """The ZoneCut field holding the zone's answers to one of its questions (zone_types)."""
    tables = {
        RdataType.DNSKEY: cut.dnskey,
        RdataType.SOA: cut.soa,
        RdataType.NS: cut.ns,
        RdataType.CDS: cut.cds,
        RdataType.CDNSKEY: cut.cdnskey,
    }
    return tables[RdataType(qtype)]


def _add_name(cut: ZoneCut, address: str, name: Name) -> None:
    names = cut.addresses.setdefault(address, [])
    if name not in names:
        names.append(name)


def _some(names: Sequence[Name], shown: int = 3) -> str:
    """A few names for a one-line message: ``a., b., c. and 997 more``."""
    text = ", ".join(str(n) for n in names[:shown])
    return f"{text} and {len(names) - shown} more" if len(names) > shown else text


def _union(groups: Iterable[Sequence[Name]]) -> list[Name]:
    out: dict[Name, None] = {}
    for group in groups:
        out.update(dict.fromkeys(group))
    return list(out)
