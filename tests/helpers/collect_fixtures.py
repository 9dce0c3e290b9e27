"""Fixtures and helpers for the collector tests; every address is on 127.0.0.0/8.

- ``served_lab``: the built lab, served by the built-in server on a free high port, once
  per session (shared by every module that imports it), with each scenario collected at
  most once (``LabHandle.collection``).
- ``ScriptedServer``: a tiny asyncio UDP/TCP server whose answers a test writes by hand
  (garbage, wrong ids, endless referrals, ...), run on the test's own event loop.
- ``ZoneServer``: well-formed custom trees, served by the lab's responder in a thread.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import dns.zone
import pytest

from dnssec_doctor.collect import (
    Collection,
    NetworkTransport,
    WalkLimits,
    collect,
    loopback_only,
)
from dnssec_doctor.collect.limits import DEFAULT_LIMITS
from dnssec_doctor.lab.build import build_lab
from dnssec_doctor.lab.manifest import LabManifest
from dnssec_doctor.lab.responder import Responder
from dnssec_doctor.lab.server import BackgroundLabServer, Endpoint, LabDnsServer
from dnssec_doctor.model.evidence import RootHint, Stub
from helpers.ports import free_port

#: Per-attempt timeout in tests: loopback answers in well under a millisecond.
TIMEOUT = 0.25

_AT = datetime(2026, 1, 1, tzinfo=UTC)


def transport(port: int, timeout: float = TIMEOUT, **kwargs: Any) -> NetworkTransport:
    """A network transport that can only ever reach loopback addresses."""
    return NetworkTransport(port=port, timeout=timeout, allow=loopback_only, **kwargs)


# -- the built lab -------------------------------------------------------------------------


@dataclass
class LabHandle:
    manifest: LabManifest
    port: int
    _collected: dict[str, Collection] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def root_hints(self) -> list[RootHint]:
        return [RootHint(name, address) for name, address in self.manifest.root_hints]

    def addresses_of(self, zone: str) -> set[str]:
        return {s.address for s in self.manifest.servers_of(zone)}

    def collection(self, scenario_id: str) -> Collection:
        """The scenario's query, collected live (once per session)."""
        with self._lock:
            if scenario_id not in self._collected:
                record = self.manifest.scenario(scenario_id)
                self._collected[scenario_id] = self.collect(record.qname, record.qtype)
            return self._collected[scenario_id]

    def collect(self, qname: str, qtype: str = "A", **kwargs: Any) -> Collection:
        return asyncio.run(
            collect(
                qname,
                qtype,
                root_hints=self.root_hints,
                trust_anchors=self.manifest.trust_anchor_ds,
                transport=transport(self.port),
                at=self.manifest.now_datetime,
                **kwargs,
            )
        )


_lab: LabHandle | None = None
_lab_lock = threading.Lock()


def _start_lab(directory: Path) -> LabHandle:
    manifest = build_lab(directory)
    port = free_port(manifest.addresses())
    server = BackgroundLabServer.for_manifest(manifest, port)
    server.start()
    atexit.register(server.stop)  # one lab for the whole session, whichever module asked
    return LabHandle(manifest, port)


@pytest.fixture(scope="session")
def served_lab(tmp_path_factory: pytest.TempPathFactory) -> LabHandle:
    global _lab
    with _lab_lock:
        if _lab is None:
            _lab = _start_lab(tmp_path_factory.mktemp("collect-lab"))
        return _lab


# -- hand-written servers ------------------------------------------------------------------

#: (address the query came to, "udp" or "tcp", the query's bytes) -> bytes to send, or None
Handler = Callable[[str, str, bytes], bytes | None]


class _Udp(asyncio.DatagramProtocol):
    def __init__(
        self,
        address: str,
        handler: Handler,
        log: list[tuple[str, str, bytes]],
        delay: float = 0.0,
    ) -> None:
        self.address = address
        self.handler = handler
        self.log = log
        self.delay = delay
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.log.append((self.address, "udp", data))
        reply = self.handler(self.address, "udp", data)
        if reply is not None and self.transport is not None:
            if self.delay:
                asyncio.get_running_loop().call_later(
                    self.delay, self.transport.sendto, reply, addr
                )
            else:
                self.transport.sendto(reply, addr)


class ScriptedServer:
    """UDP and TCP on *port* at each address, answering with *handler* (on this loop);
    *delay*: seconds each UDP answer is held back (a slow drip)."""

    def __init__(
        self,
        addresses: Sequence[str],
        port: int,
        handler: Handler,
        *,
        tcp: bool = True,
        delay: float = 0.0,
    ) -> None:
        self.delay = delay
        self.addresses = list(addresses)
        self.with_tcp = tcp
        self.port = port
        self.handler = handler
        self.log: list[tuple[str, str, bytes]] = []
        self._udp: list[asyncio.DatagramTransport] = []
        self._tcp: list[asyncio.Server] = []

    async def __aenter__(self) -> ScriptedServer:
        loop = asyncio.get_running_loop()
        for address in self.addresses:
            udp, _ = await loop.create_datagram_endpoint(
                functools.partial(_Udp, address, self.handler, self.log, self.delay),
                local_addr=(address, self.port),
            )
            self._udp.append(udp)
            if not self.with_tcp:
                continue
            client = functools.partial(self._tcp_client, address)
            self._tcp.append(await asyncio.start_server(client, address, self.port))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for udp in self._udp:
            udp.close()
        for tcp in self._tcp:
            tcp.close()
            await tcp.wait_closed()

    async def _tcp_client(
        self, address: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            size = int.from_bytes(await reader.readexactly(2), "big")
            data = await reader.readexactly(size)
            self.log.append((address, "tcp", data))
            reply = self.handler(address, "tcp", data)
            if reply is not None:
                writer.write(len(reply).to_bytes(2, "big") + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def queries(self) -> list[dns.message.Message]:
        return [dns.message.from_wire(wire) for _, _, wire in self.log]


def question(wire: bytes) -> tuple[dns.message.Message, dns.name.Name, dns.rdatatype.RdataType]:
    query = dns.message.from_wire(wire)
    return query, query.question[0].name, query.question[0].rdtype


def response(
    query: dns.message.Message,
    *,
    aa: bool = True,
    rcode: dns.rcode.Rcode = dns.rcode.NOERROR,
    answer: Sequence[dns.rrset.RRset] = (),
    authority: Sequence[dns.rrset.RRset] = (),
    additional: Sequence[dns.rrset.RRset] = (),
) -> dns.message.Message:
    message = dns.message.make_response(query)
    if aa:
        message.flags |= dns.flags.AA
    message.set_rcode(rcode)
    message.answer = list(answer)
    message.authority = list(authority)
    message.additional = list(additional)
    return message


def rrset(name: str | dns.name.Name, rdtype: str, *rdatas: str, ttl: int = 300) -> dns.rrset.RRset:
    return dns.rrset.from_text(name, ttl, "IN", rdtype, *rdatas)


async def run_walk(
    addresses: Sequence[str],
    handler: Handler,
    qname: str,
    qtype: str = "A",
    *,
    hints: Sequence[str] | None = None,
    limits: WalkLimits = DEFAULT_LIMITS,
    timeout: float = TIMEOUT,
    tcp: bool = True,
    delay: float = 0.0,
    trust_anchors: Sequence[str] = (),
    **kwargs: Any,
) -> tuple[Collection, ScriptedServer]:
    """Serve *handler* on *addresses* and walk *qname* from root hints at *hints*."""
    port = free_port(addresses[:1])
    async with ScriptedServer(addresses, port, handler, tcp=tcp, delay=delay) as server:
        found = await collect(
            qname,
            qtype,
            root_hints=[RootHint(f"h{i}.hint.", a) for i, a in enumerate(hints or addresses[:1])],
            trust_anchors=trust_anchors,
            transport=transport(port, timeout),
            at=_AT,
            limits=limits,
            **kwargs,
        )
    return found, server


# -- well-formed custom trees --------------------------------------------------------------


def zone(origin: str, text: str) -> dns.zone.Zone:
    """An unsigned zone from master-file text (names relative to *origin*)."""
    return dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)


class ZoneServer:
    """Serve {address: [zones]} with the lab's responder on a free port, in a thread."""

    def __init__(self, served: Mapping[str, Sequence[dns.zone.Zone]]) -> None:
        endpoints = [
            Endpoint(address, Responder({z.origin: z for z in zones if z.origin is not None}))
            for address, zones in served.items()
        ]
        self.port = free_port(list(served))
        self._server = BackgroundLabServer(LabDnsServer(endpoints, self.port))

    def __enter__(self) -> ZoneServer:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

    def collect(
        self,
        qname: str,
        qtype: str = "A",
        *,
        hints: Sequence[str],
        stubs: Sequence[Stub] = (),
        trust_anchors: Sequence[str] = (),
        **kwargs: Any,
    ) -> Collection:
        return asyncio.run(
            collect(
                qname,
                qtype,
                root_hints=[RootHint(f"h{i}.hint.", a) for i, a in enumerate(hints)],
                trust_anchors=trust_anchors,
                transport=transport(self.port),
                at=_AT,
                stubs=stubs,
                **kwargs,
            )
        )


def all_exchanges(found: Collection) -> Iterator[tuple[str, str, str]]:
    for ex in found.evidence.exchanges:
        yield ex.server, ex.qname, ex.qtype
