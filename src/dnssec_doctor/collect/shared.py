"""What the checks of one run share: the answers about the zones above, and server limits.

A monitor round or a multi-name check walks many names under the same few zones; each
walk alone would ask every root and TLD server the same DNSKEY, SOA, NS and DS
questions again.  :class:`SharedWalks` is made once per run (never longer: the next
monitor round must see what changed) and hands each check a :class:`SharingTransport`:

- a question to an authoritative server about a name at most ``depth`` labels deep
  (the root and the TLDs, by default) is sent once per run and its reply (the same
  :class:`~dnssec_doctor.model.evidence.Exchange`, bytes and all) is handed to every
  walk that asks it again, within the reply's TTL; a question already in flight is
  waited for, not sent twice.  Each walk still records the exchange in its own
  evidence, so one name's evidence replays without any other's.
- a server's referral to a zone at most ``depth`` labels deep (the root's referral to
  a TLD) is the same for every name below that zone: the parent's data for the cut
  (its NS RRset, glue, DS or the proof of no DS) decides it, never the name asked.
  The next name below the zone gets that referral with its own question, without
  asking; the exchange says so (``derived_from``: the name and type actually asked,
  docs/evidence.md).  The one assumption: a server that refers a name to a TLD serves
  no zone below that TLD (true of root servers; a server that did would answer such a
  name from that zone instead).
- a :class:`ServerLimiter` keeps at most ``per_server`` queries in flight to any one
  server address across all the run's checks (threads, event loops) together.

Checks run in threads, each with its own event loop, so both parts are thread-safe and
hand results between loops with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from concurrent.futures import Future
from dataclasses import dataclass, field

import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from dnssec_doctor.collect.referral import Kind, classify
from dnssec_doctor.collect.transport import PER_SERVER_LIMIT, Transport
from dnssec_doctor.model.collection import Reply

#: Names up to this many labels below the root are "the zones above": the root and TLDs.
SHARED_DEPTH = 1

#: How long a reply with no TTL to go by (an error, a timeout, an empty message) is
#: reused: a silent server costs one timeout per run, not one per name.
ERROR_REUSE = 30.0

_Key = tuple[int, str, dns.name.Name, int, bool]


class ServerLimiter:
    """At most *per_server* queries in flight to one address, over every thread."""

    def __init__(self, per_server: int = PER_SERVER_LIMIT) -> None:
        if per_server < 1:
            raise ValueError("per_server must be at least 1")
        self.per_server = per_server
        self.peak: dict[str, int] = {}  # the most in flight seen per address
        self._lock = threading.Lock()
        self._busy: dict[str, int] = {}
        self._waiting: dict[str, deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]]] = {}

    @contextlib.asynccontextmanager
    async def slot(self, server: str) -> AsyncIterator[None]:
        await self._acquire(server)
        try:
            yield
        finally:
            self._release(server)

    async def _acquire(self, server: str) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            busy = self._busy.get(server, 0)
            if busy < self.per_server:
                self._busy[server] = busy + 1
                self.peak[server] = max(self.peak.get(server, 0), busy + 1)
                return
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiting.setdefault(server, deque()).append((loop, waiter))
        try:
            await waiter
        except asyncio.CancelledError:
            with self._lock:
                queue = self._waiting.get(server, deque())
                if (loop, waiter) in queue:
                    queue.remove((loop, waiter))
                    raise
            self._release(server)  # the slot was handed over as we were cancelled
            raise

    def _release(self, server: str) -> None:
        with self._lock:
            queue = self._waiting.get(server)
            if queue:  # hand the slot on: the count in flight stays the same
                loop, waiter = queue.popleft()
                loop.call_soon_threadsafe(_wake, waiter)
                return
            self._busy[server] -= 1


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


@dataclass
class _Entry:
    future: Future[Reply | None]
    expires: float = float("inf")  # monotonic; set when the reply is in


@dataclass
class SharedWalks:
    """One run's shared answers and server limits (make a new one for each run)."""

    depth: int = SHARED_DEPTH
    per_server: int = PER_SERVER_LIMIT
    sent: int = 0  # shareable questions sent to a server
    reused: int = 0  # shareable questions answered from another walk's exchange
    derived: int = 0  # names answered with a referral another name got
    asked: dict[str, int] = field(default_factory=dict)  # questions sent, per server address
    limiter: ServerLimiter = field(init=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _answers: dict[_Key, _Entry] = field(init=False, default_factory=dict)
    _referrals: dict[tuple[int, str, dns.name.Name], tuple[Reply, float]] = field(
        init=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self.limiter = ServerLimiter(self.per_server)

    def transport(self, inner: Transport, port: int) -> SharingTransport:
        """*inner* (sending to *port*) with this run's shared answers in front of it."""
        return SharingTransport(inner, self, port)

    def shareable(self, qname: dns.name.Name, recursion: bool) -> bool:
        return not recursion and len(qname) - 1 <= self.depth

    async def ask(
        self, inner: Transport, port: int, server: str, qname: dns.name.Name,
        qtype: dns.rdatatype.RdataType, cd: bool,
    ) -> Reply:  # fmt: skip
        key: _Key = (port, server, qname.canonicalize(), int(qtype), cd)
        while True:
            with self._lock:
                entry = self._answers.get(key)
                if entry is not None and entry.expires < time.monotonic():
                    entry = None  # past its TTL: ask again
                owner = entry is None
                if entry is None:
                    entry = self._answers[key] = _Entry(Future())
                    self.sent += 1
            if owner:
                return await self._fetch(inner, key, entry, server, qname, qtype, cd)
            reply = await _result(entry.future)
            if reply is not None:
                with self._lock:
                    self.reused += 1
                return reply
            # the walk that was asking gave up (its own budget): ask for ourselves

    async def _fetch(
        self, inner: Transport, key: _Key, entry: _Entry, server: str,
        qname: dns.name.Name, qtype: dns.rdatatype.RdataType, cd: bool,
    ) -> Reply:  # fmt: skip
        self.count(server)
        try:
            reply = await inner.ask(server, qname, qtype, cd=cd)
        except BaseException:
            with self._lock:
                if self._answers.get(key) is entry:
                    del self._answers[key]
            entry.future.set_result(None)  # the waiters ask for themselves
            raise
        entry.expires = time.monotonic() + _reuse_for(reply.message)
        entry.future.set_result(reply)
        return reply

    def count(self, server: str) -> None:
        with self._lock:
            self.asked[server] = self.asked.get(server, 0) + 1

    def referral(
        self, port: int, server: str, qname: dns.name.Name, qtype: dns.rdatatype.RdataType
    ) -> Reply | None:
        """The referral *server* gave for another name under the same shallow zone, with
        *qname*'s question; None when there is none (or it is past its TTL)."""
        now = time.monotonic()
        for depth in range(min(self.depth, len(qname) - 2), 0, -1):
            cut = qname.split(depth + 1)[1]
            with self._lock:
                found = self._referrals.get((port, server, cut))
            if found is not None and found[1] >= now:
                with self._lock:
                    self.derived += 1
                return _asked_as(found[0], qname, qtype)
        return None

    def note(self, port: int, server: str, qname: dns.name.Name, reply: Reply) -> None:
        """Keep *reply* if it is a proper referral to a zone at most ``depth`` deep."""
        if reply.message is None or reply.exchange.derived_from is not None:
            return
        for rrset in reply.message.authority:
            child = rrset.name
            if rrset.rdtype != dns.rdatatype.NS or not 0 < len(child) - 1 <= self.depth:
                continue
            verdict = classify(reply, child.parent(), qname)
            if verdict.kind == Kind.REFERRAL and verdict.child == child and not verdict.implicit:
                expires = time.monotonic() + _reuse_for(reply.message)
                with self._lock:
                    self._referrals.setdefault((port, server, child), (reply, expires))
                return


def _asked_as(reply: Reply, qname: dns.name.Name, qtype: dns.rdatatype.RdataType) -> Reply:
    """*reply* as the answer to *qname* *qtype*: the same message, its question replaced."""
    assert reply.message is not None and reply.exchange.response is not None
    message = dns.message.from_wire(reply.exchange.response)
    message.question = [dns.rrset.RRset(qname, dns.rdataclass.IN, qtype)]
    wire = message.to_wire()
    original = reply.exchange
    exchange = original._replace(
        qname=qname.to_text(),
        qtype=dns.rdatatype.to_text(qtype),
        response=wire,
        derived_from=f"{original.qname} {original.qtype}",
    )
    return Reply(reply.server, exchange, dns.message.from_wire(wire))


async def _result(future: Future[Reply | None]) -> Reply | None:
    """Wait in this loop for a future another thread's loop completes (never cancelling
    it: other walks wait for it too)."""
    loop = asyncio.get_running_loop()
    mine: asyncio.Future[Reply | None] = loop.create_future()

    def done(source: Future[Reply | None]) -> None:
        loop.call_soon_threadsafe(_settle, mine, source.result())

    future.add_done_callback(done)
    return await mine


def _settle(mine: asyncio.Future[Reply | None], reply: Reply | None) -> None:
    if not mine.done():
        mine.set_result(reply)


def _reuse_for(message: dns.message.Message | None) -> float:
    """Seconds a reply stays fresh: its smallest TTL (ERROR_REUSE without one)."""
    if message is None:
        return ERROR_REUSE
    ttls = [r.ttl for section in (message.answer, message.authority) for r in section]
    return float(min(ttls)) if ttls else ERROR_REUSE


class SharingTransport:
    """A :class:`~dnssec_doctor.collect.transport.Transport` that takes shareable
    questions to its run's :class:`SharedWalks` and sends the rest itself."""

    def __init__(self, inner: Transport, shared: SharedWalks, port: int) -> None:
        self.inner = inner
        self.shared = shared
        self.port = port

    async def ask(
        self,
        server: str,
        qname: dns.name.Name,
        qtype: dns.rdatatype.RdataType,
        *,
        recursion: bool = False,
        cd: bool = False,
    ) -> Reply:
        if self.shared.shareable(qname, recursion):
            return await self.shared.ask(self.inner, self.port, server, qname, qtype, cd)
        derived = None if recursion or cd else self.shared.referral(self.port, server, qname, qtype)
        if derived is not None:
            return derived
        self.shared.count(server)
        reply = await self.inner.ask(server, qname, qtype, recursion=recursion, cd=cd)
        if recursion or cd:
            return reply
        self.shared.note(self.port, server, qname, reply)
        return reply
