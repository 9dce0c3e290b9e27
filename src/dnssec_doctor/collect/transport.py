"""Asking one server one question: the Transport protocol and its network implementation.

:class:`NetworkTransport` sends over UDP first and retries over TCP when the answer is
truncated, with its own asyncio sockets: it never reads /etc/resolv.conf and never sends
anywhere but the address it is given.  Network trouble never raises; it becomes the
``error`` word of the recorded :class:`~dnssec_doctor.model.evidence.Exchange`:

- ``timeout``: no answer within the timeout, after the retries;
- ``unreachable``: ICMP port/host unreachable, connection refused or reset, no route;
- ``malformed``: bytes arrived that are not a response to the query (garbage, wrong id
  or question); the bytes are kept in ``response``;
- ``blocked``: the address is not one this transport may send to (nothing was sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, Protocol

import dns.message
import dns.name
import dns.rdatatype

from dnssec_doctor import defaults
from dnssec_doctor.collect.wire import ParseCache, flag_words, judge, make_query, truncated
from dnssec_doctor.model.collection import Reply
from dnssec_doctor.model.evidence import Exchange

if TYPE_CHECKING:
    from dnssec_doctor.collect.shared import ServerLimiter

#: Seconds to wait for one answer (per attempt).
DEFAULT_TIMEOUT = defaults.QUERY_TIMEOUT

#: Queries in flight to one address: a zone's batch asks each address up to seven
#: questions (DNSKEY, SOA, NS, CDS, CDNSKEY, the name, a child's DS) and a silent server
#: should cost one timeout, not two; still few enough not to look like a flood.
PER_SERVER_LIMIT = 8

#: Queries in flight in total.
GLOBAL_LIMIT = 64

_BROADCAST = ipaddress.IPv4Address("255.255.255.255")


class Transport(Protocol):
    """Asks *server* (an IP address) one question; never raises for network trouble."""

    async def ask(
        self,
        server: str,
        qname: dns.name.Name,
        qtype: dns.rdatatype.RdataType,
        *,
        recursion: bool = False,
        cd: bool = False,
    ) -> Reply: ...


def sendable(address: str) -> bool:
    """The default address policy: unicast IP addresses only (never multicast, broadcast,
    the unspecified address or a name that would need a lookup)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not (ip.is_multicast or ip.is_unspecified or ip == _BROADCAST)


#: IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64, RFC 6052 and
#: RFC 8215): a gateway would forward a query for 64:ff9b::7f00:1 to 127.0.0.1's network.
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def public_only(address: str) -> bool:
    """The address policy of a public checker (``serve`` without ``--allow-private``):
    unicast addresses routed on the Internet only. Private, loopback, link-local,
    shared (100.64/10), documentation and reserved addresses are refused, and so is an
    IPv6 address that embeds one (IPv4-mapped, 6to4, NAT64): a hostile delegation must
    not make the checker probe its own network."""
    if not sendable(address):
        return False
    ip = ipaddress.ip_address(address)
    inner: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        inner += [v4 for v4 in (ip.ipv4_mapped, ip.sixtofour) if v4 is not None]
        if any(ip in net for net in _NAT64):
            inner.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.teredo is not None:
            inner.extend(ip.teredo)
    return all(one.is_global for one in inner)


def refusal_reason(address: str) -> str:
    """Why :func:`public_only` refuses *address*, in a word or two (for messages)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "not an IP address"
    for word, test in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
    ):
        if test:
            return word
    return "private" if ip.is_private or not ip.is_global else "embeds a private address"


def loopback_only(address: str) -> bool:
    """An address policy for tests and labs: 127.0.0.0/8 and ::1 only."""
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class _Outcome(NamedTuple):
    transport: str
    response: bytes | None
    message: dns.message.Message | None
    error: str | None
    rtt_ms: float | None


class _FirstDatagram(asyncio.DatagramProtocol):
    """Hands the first datagram (or the first socket error) of a connected socket to a future."""

    def __init__(self, result: asyncio.Future[bytes]) -> None:
        self._result = result

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        if not self._result.done():
            self._result.set_result(data)

    def error_received(self, exc: Exception) -> None:
        # On a connected socket this is ICMP port/host unreachable for our query.
        if not self._result.done():
            self._result.set_exception(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._result.done():
            self._result.set_exception(exc or ConnectionError("socket closed"))


class NetworkTransport:
    """Real queries over UDP, with TCP when the UDP answer is truncated.

    *allow* decides which addresses may be sent to (default: :func:`sendable`); a query
    to any other address is recorded with the error ``blocked`` and never sent.
    *resolver_port*, when given, is the port of recursive queries (the compared
    resolver, ``--resolver ADDR:PORT``); every other query goes to *port*.
    *limiter*, when given, replaces the per-server limit with one shared by every check
    of a run (:class:`~dnssec_doctor.collect.shared.ServerLimiter`).
    """

    def __init__(
        self,
        port: int = 53,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 1,
        *,
        per_server: int = PER_SERVER_LIMIT,
        total: int = GLOBAL_LIMIT,
        allow: Callable[[str], bool] = sendable,
        resolver_port: int | None = None,
        limiter: ServerLimiter | None = None,
    ) -> None:
        self.port = port
        self.resolver_port = resolver_port
        self.timeout = timeout
        self.retries = retries
        self.per_server = per_server
        self.total = total
        self.allow = allow
        self.limiter = limiter  # shared by a run's checks: per_server then is its limit
        self._loop: asyncio.AbstractEventLoop | None = None
        self._global = asyncio.Semaphore(total)
        self._servers: dict[str, asyncio.Semaphore] = {}
        self._parsed = ParseCache()

    async def ask(
        self,
        server: str,
        qname: dns.name.Name,
        qtype: dns.rdatatype.RdataType,
        *,
        recursion: bool = False,
        cd: bool = False,
    ) -> Reply:
        query = make_query(qname, qtype, recursion=recursion, cd=cd)
        port = self.resolver_port if recursion and self.resolver_port else self.port
        if self.allow(server):
            async with self._limits(server):
                outcome = await self._exchange(server, port, query)
        else:
            outcome = _Outcome("udp", None, None, "blocked", None)
        exchange = Exchange(
            server=server,
            qname=qname.to_text(),
            qtype=dns.rdatatype.to_text(qtype),
            port=port,
            transport=outcome.transport,
            flags=flag_words(recursion=recursion, cd=cd),
            rtt_ms=outcome.rtt_ms,
            response=outcome.response,
            error=outcome.error,
        )
        return Reply(server, exchange, outcome.message)

    def _limits(self, server: str) -> contextlib.AbstractAsyncContextManager[None]:
        if self.limiter is not None:
            return self.limiter.slot(server)
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # semaphores belong to one event loop; one check each
            self._loop = loop
            self._global = asyncio.Semaphore(self.total)
            self._servers = {}
            self._parsed = ParseCache()
        per_server = self._servers.setdefault(server, asyncio.Semaphore(self.per_server))
        return _Both(per_server, self._global)  # wait for the server before taking a slot

    async def _exchange(self, server: str, port: int, query: dns.message.Message) -> _Outcome:
        wire = query.to_wire()
        outcome = await self._udp(server, port, query, wire)
        for _ in range(self.retries):
            if outcome.error != "timeout":
                break
            outcome = await self._udp(server, port, query, wire)
        if outcome.message is not None and truncated(outcome.message):
            return await self._tcp(server, port, query, wire)  # keep the TCP answer, whatever it is
        return outcome

    async def _udp(
        self, server: str, port: int, query: dns.message.Message, wire: bytes
    ) -> _Outcome:
        loop = asyncio.get_running_loop()
        result: asyncio.Future[bytes] = loop.create_future()
        try:
            sock, _ = await loop.create_datagram_endpoint(
                lambda: _FirstDatagram(result), remote_addr=(server, port)
            )
        except OSError:
            return _Outcome("udp", None, None, "unreachable", None)
        start = time.monotonic()
        try:
            sock.sendto(wire)
            async with asyncio.timeout(self.timeout):
                data = await result
        except TimeoutError:
            return _Outcome("udp", None, None, "timeout", None)
        except OSError:
            return _Outcome("udp", None, None, "unreachable", None)
        finally:
            sock.close()
        return _judged("udp", query, data, start, self._parsed)

    async def _tcp(
        self, server: str, port: int, query: dns.message.Message, wire: bytes
    ) -> _Outcome:
        start = time.monotonic()
        writer: asyncio.StreamWriter | None = None
        received = b""
        try:
            async with asyncio.timeout(self.timeout):
                reader, writer = await asyncio.open_connection(server, port)
                # RFC 1035 4.2.2: a two-octet length before each message
                writer.write(len(wire).to_bytes(2, "big") + wire)
                await writer.drain()
                prefix = await reader.readexactly(2)
                received = prefix
                data = await reader.readexactly(int.from_bytes(prefix, "big"))
        except TimeoutError:
            return _Outcome("tcp", None, None, "timeout", None)
        except asyncio.IncompleteReadError as exc:
            partial = received[2:] + exc.partial if received else exc.partial
            if not received and not partial:
                return _Outcome("tcp", None, None, "unreachable", None)  # closed, said nothing
            return _Outcome("tcp", partial or None, None, "malformed", None)
        except OSError:
            return _Outcome("tcp", None, None, "unreachable", None)
        finally:
            if writer is not None:
                writer.close()
        return _judged("tcp", query, data, start, self._parsed)


def _judged(
    transport: str, query: dns.message.Message, data: bytes, start: float, cache: ParseCache
) -> _Outcome:
    rtt = round((time.monotonic() - start) * 1000, 3)
    message, error = judge(query, data, cache)
    return _Outcome(transport, data, message, error, rtt)


class _Both:
    """Holds two semaphores together, taken in order and released in reverse."""

    def __init__(self, first: asyncio.Semaphore, second: asyncio.Semaphore) -> None:
        self._first = first
        self._second = second

    async def __aenter__(self) -> None:
        await self._first.acquire()
        try:
            await self._second.acquire()
        except BaseException:
            self._first.release()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._second.release()
        self._first.release()
