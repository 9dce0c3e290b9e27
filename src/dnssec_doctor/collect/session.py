"""One check's queries: sent in batches, never twice, within the budgets, in a fixed order.

The walk asks in *batches* (everything that does not depend on an answer goes out
together) along *lanes*.  A lane is one thread of the walk: the main descent, or a side
errand such as finding a nameserver's address, which runs alongside it.  Each lane keeps
its exchanges in the order it sent them and counts its sequential round trips; a lane
forked from another starts at the other's count and hands its own back when joined, so
the count at the end is the walk's critical path.  The Evidence lists the exchanges lane
by lane, depth first, in fork order: the same order every time the same answers come
back, so a replay rebuilds an equal Collection however the live answers raced.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import dns.name
import dns.rdatatype

from dnssec_doctor.collect.limits import WalkLimits, limit_hit
from dnssec_doctor.collect.transport import Transport
from dnssec_doctor.model.collection import Reply
from dnssec_doctor.model.evidence import MAX_RECORDS_PER_MESSAGE, Exchange, record_count


class WalkStop(Exception):
    """The walk (or one lane of it) cannot go on; the message is the problem line."""


class Ask(NamedTuple):
    """One question for one server."""

    server: str
    qname: dns.name.Name
    qtype: dns.rdatatype.RdataType
    recursion: bool = False
    cd: bool = False

    @property
    def key(self) -> tuple[str, dns.name.Name, int, bool, bool]:
        return (self.server, self.qname.canonicalize(), int(self.qtype), self.recursion, self.cd)


class _Slot:
    """Where a sent query's exchange goes once it is back."""

    __slots__ = ("exchange",)

    def __init__(self) -> None:
        self.exchange: Exchange | None = None


class Lane:
    """One thread of the walk: its exchanges in order, and its count of round trips."""

    def __init__(self, rounds: int = 0) -> None:
        self.rounds = rounds
        self._entries: list[_Slot | Lane] = []

    def fork(self) -> Lane:
        """A lane that runs alongside this one; its exchanges are listed here, now."""
        child = Lane(self.rounds)
        self._entries.append(child)
        return child

    def join(self, child: Lane) -> None:
        """This lane waited for *child*: it is at least as many round trips in."""
        self.rounds = max(self.rounds, child.rounds)

    def _add(self, slot: _Slot) -> None:
        self._entries.append(slot)

    def exchanges(self) -> Iterator[Exchange]:
        """Exchanges that came back, depth first; queries still in flight are left out."""
        for entry in self._entries:
            if isinstance(entry, Lane):
                yield from entry.exchanges()
            elif entry.exchange is not None:
                yield entry.exchange


class Session:
    """Sends a check's queries through a transport: each distinct question once, within
    the query, time and CPU budgets (the last two only when *timed*: a replay is not)."""

    def __init__(self, transport: Transport, limits: WalkLimits, *, timed: bool = True) -> None:
        self.transport = transport
        self.limits = limits
        self.sent = 0
        self.lookups = 0  # glueless nameserver lookups started (MAX_NS_LOOKUPS)
        self.oversized = 0  # responses not read: over MAX_RECORDS_PER_MESSAGE
        self._timed = timed
        self._deadline = asyncio.get_running_loop().time() + limits.time_budget
        self._cpu_start = time.thread_time()
        self._asked: dict[tuple[str, dns.name.Name, int, bool, bool], asyncio.Task[Reply]] = {}

    async def ask_all(self, lane: Lane, asks: Sequence[Ask]) -> list[Reply]:
        """Ask all at once and wait for every reply; one round trip for *lane*.

        Raises :class:`WalkStop` (sending nothing) when the batch would go over a budget.
        """
        fresh = list({a.key: a for a in asks if a.key not in self._asked}.values())
        self._check_budgets(len(fresh))
        for ask in fresh:
            slot = _Slot()
            lane._add(slot)  # reserved now, in batch order, whenever the answer comes
            self._asked[ask.key] = asyncio.create_task(self._send(ask, slot))
        self.sent += len(fresh)
        if not asks:
            return []
        lane.rounds += 1
        # shield: one lane giving up must not cancel a query another lane shares
        return list(await asyncio.gather(*(asyncio.shield(self._asked[a.key]) for a in asks)))

    async def ask(self, lane: Lane, ask: Ask) -> Reply:
        return (await self.ask_all(lane, [ask]))[0]

    def start_lookup(self) -> bool:
        """Count one nameserver lookup; ``False`` (nothing counted) past MAX_NS_LOOKUPS."""
        if self.lookups >= self.limits.max_ns_lookups:
            return False
        self.lookups += 1
        return True

    @property
    def cpu_spent(self) -> float:
        """CPU seconds of the walk's thread since the session began."""
        return time.thread_time() - self._cpu_start

    def _check_budgets(self, count: int) -> None:
        if count and self.sent + count > self.limits.max_queries:
            raise WalkStop(
                limit_hit(
                    "MAX_QUERIES",
                    self.limits.max_queries,
                    f"reached after {self.sent} queries: the walk stops here",
                )
            )
        if count and self._timed and asyncio.get_running_loop().time() > self._deadline:
            raise WalkStop(
                limit_hit(
                    "TIME_BUDGET",
                    self.limits.time_budget,
                    "used up: the walk stops here",
                )
            )
        if count and self._timed and self.cpu_spent > self.limits.cpu_budget:
            raise WalkStop(
                limit_hit(
                    "CPU_BUDGET",
                    self.limits.cpu_budget,
                    f"used up after {self.sent} queries: the walk stops here",
                )
            )

    async def _send(self, ask: Ask, slot: _Slot) -> Reply:
        reply = await self.transport.ask(
            ask.server, ask.qname, ask.qtype, recursion=ask.recursion, cd=ask.cd
        )
        slot.exchange = reply.exchange
        response = reply.exchange.response
        if reply.message is None and response and record_count(response) > MAX_RECORDS_PER_MESSAGE:
            self.oversized += 1
        return reply

    async def close(self) -> None:
        """Abandon queries still in flight."""
        pending = [task for task in self._asked.values() if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
