"""The lab's built-in authoritative server: a built lab's zone files, served on loopback.

Every address of the lab manifest gets a UDP and a TCP socket on one port; each address
answers from its own zone files (a stale secondary serves its stale copy), and a silent
address binds its sockets but never answers, like a dead or firewalled nameserver. The
answers themselves come from :mod:`dnssec_doctor.lab.responder`.

Run it as ``python -m dnssec_doctor.lab.server --dir LABDIR --port N``; it serves until
SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import functools
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import cast

import dns.exception
import dns.name
import dns.zone

from dnssec_doctor.lab.manifest import LabManifest
from dnssec_doctor.lab.responder import Responder, Transport, WireReply
from dnssec_doctor.lab.zoneindex import ZoneIndex

# Named explicitly: run as ``python -m`` this module is ``__main__``.
log = logging.getLogger("dnssec_doctor.lab.server")

TCP_IDLE_TIMEOUT = 10.0  # seconds a TCP client may stay quiet between queries (RFC 7766 6.2.3)
SILENT_HOLD_TIMEOUT = 30.0  # seconds a silent address keeps a TCP connection it never answers
MAX_TCP_CONNECTIONS = 64  # open TCP connections per address; more are closed at once
_STOP_TIMEOUT = 10.0  # seconds to wait for the background thread to finish


class LabServerError(Exception):
    """The lab server cannot start; the message is one line, fit for a CLI."""


class BindError(LabServerError):
    """A socket of the lab cannot be bound."""

    def __init__(self, address: str, port: int, reason: str) -> None:
        super().__init__(f"cannot listen on {address} port {port}: {reason}")
        self.address = address
        self.port = port


class PortInUseError(BindError):
    """Something else already listens on this address and port."""

    def __init__(self, address: str, port: int) -> None:
        super().__init__(address, port, "address and port already in use")


class ZoneLoadError(LabServerError):
    """A zone file of the lab cannot be read."""

    def __init__(self, path: Path, origin: str, reason: str) -> None:
        super().__init__(f"cannot load zone {origin} from {path}: {reason}")
        self.path = path
        self.origin = origin


@dataclass(frozen=True)
class Endpoint:
    """One address of the lab and what answers there; None is a silent address."""

    address: str
    responder: Responder | None


def load_endpoints(manifest: LabManifest) -> list[Endpoint]:
    """The manifest's addresses with their responders; each zone file is loaded once."""
    indexes: dict[tuple[str, str], ZoneIndex] = {}
    endpoints: list[Endpoint] = []
    for server in manifest.servers:
        zones: dict[dns.name.Name | str, ZoneIndex] = {}
        for served in server.zones:
            key = (served.file, served.origin)
            if key not in indexes:
                indexes[key] = ZoneIndex(_load_zone(manifest.path(served.file), served.origin))
            zones[served.origin] = indexes[key]
        responder = None if server.silent else Responder(zones)
        endpoints.append(Endpoint(server.address, responder))
    return endpoints


def _load_zone(path: Path, origin: str) -> dns.zone.Zone:
    try:
        return dns.zone.from_file(str(path), origin=origin, relativize=False, check_origin=True)
    except (OSError, dns.exception.DNSException) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ZoneLoadError(path, origin, reason) from error


class _UdpProtocol(asyncio.DatagramProtocol):
    """Answers each datagram at once: answering is quick and needs no other I/O."""

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        responder = self._endpoint.responder
        if responder is None or self._transport is None:
            return  # silent: read and drop
        reply = responder.answer_wire(data, Transport.UDP)
        _log_problem(reply, self._endpoint.address, addr, Transport.UDP)
        if reply.wire is not None:
            self._transport.sendto(reply.wire, addr)

    def error_received(self, exc: Exception) -> None:
        log.debug("%s udp: %s", self._endpoint.address, exc)


def _log_problem(
    reply: WireReply, address: str, peer: tuple[str | int, ...] | None, transport: Transport
) -> None:
    if reply.problem is not None:
        client = f"{peer[0]}#{peer[1]}" if peer and len(peer) >= 2 else "?"
        log.debug("bad packet to %s %s from %s: %s", address, transport, client, reply.problem)


class LabDnsServer:
    """UDP and TCP sockets on one port for every endpoint; start, then close."""

    def __init__(
        self,
        endpoints: Sequence[Endpoint],
        port: int,
        *,
        tcp_idle_timeout: float = TCP_IDLE_TIMEOUT,
        silent_hold_timeout: float = SILENT_HOLD_TIMEOUT,
        max_tcp_connections: int = MAX_TCP_CONNECTIONS,
    ) -> None:
        self.endpoints = list(endpoints)
        self.port = port
        self.tcp_idle_timeout = tcp_idle_timeout
        self.silent_hold_timeout = silent_hold_timeout
        self.max_tcp_connections = max_tcp_connections
        self._udp: list[asyncio.DatagramTransport] = []
        self._tcp: list[asyncio.Server] = []
        self._connections: set[asyncio.Task[None]] = set()
        self._open_per_address: dict[str, int] = {}

    @classmethod
    def from_manifest(cls, manifest: LabManifest, port: int) -> LabDnsServer:
        """Loads every zone file of the lab (may raise ZoneLoadError)."""
        return cls(load_endpoints(manifest), port)

    async def start(self) -> None:
        """Bind every socket; on any failure close those already bound and raise BindError."""
        try:
            for endpoint in self.endpoints:
                await self._bind(endpoint)
        except BaseException:
            await self.close()
            raise
        log.info("serving %d addresses on port %d", len(self.endpoints), self.port)

    async def close(self) -> None:
        """Close every socket and drop open TCP connections."""
        for transport in self._udp:
            transport.close()
        for server in self._tcp:
            server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        for server in self._tcp:
            await server.wait_closed()
        self._udp.clear()
        self._tcp.clear()

    async def __aenter__(self) -> LabDnsServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _bind(self, endpoint: Endpoint) -> None:
        loop = asyncio.get_running_loop()
        address = endpoint.address
        try:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _UdpProtocol(endpoint), local_addr=(address, self.port)
            )
            self._udp.append(transport)
            on_connect = functools.partial(self._on_tcp_connection, endpoint)
            server = await asyncio.start_server(on_connect, host=address, port=self.port)
            self._tcp.append(server)
        except OSError as error:
            raise _bind_error(address, self.port, error) from error

    async def _on_tcp_connection(
        self, endpoint: Endpoint, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        address = endpoint.address
        open_now = self._open_per_address.get(address, 0)
        if task is None or open_now >= self.max_tcp_connections:
            writer.close()  # over the limit: refuse by closing, as a busy server would
            return
        self._connections.add(task)
        self._open_per_address[address] = open_now + 1
        try:
            if endpoint.responder is None:
                await self._hold(reader)
            else:
                await self._serve_tcp(endpoint, endpoint.responder, reader, writer)
        except (OSError, EOFError, TimeoutError):
            pass  # the client left, timed out or reset: nothing to report
        except asyncio.CancelledError:
            # Only close() cancels these; ending normally keeps Python 3.11's stream
            # callback from logging the cancellation as an unhandled error.
            pass
        finally:
            self._connections.discard(task)
            self._open_per_address[address] -= 1
            writer.close()

    async def _serve_tcp(
        self,
        endpoint: Endpoint,
        responder: Responder,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        """Queries in, answers out, in order, until the client closes or idles too long."""
        peer = writer.get_extra_info("peername")
        while True:
            wire = await self._read_message(reader)
            if wire is None:
                return
            transfer = responder.transfer_wire(wire)
            if transfer is not None:
                for message in transfer:
                    writer.write(len(message).to_bytes(2, "big") + message)
                await writer.drain()
                continue
            reply = responder.answer_wire(wire, Transport.TCP)
            _log_problem(reply, endpoint.address, peer, Transport.TCP)
            if reply.wire is None:
                return  # not a query: the stream cannot be trusted any more
            # RFC 1035 4.2.2: each message is prefixed with its length in two octets.
            writer.write(len(reply.wire).to_bytes(2, "big") + reply.wire)
            await writer.drain()

    async def _read_message(self, reader: asyncio.StreamReader) -> bytes | None:
        try:
            async with asyncio.timeout(self.tcp_idle_timeout):
                prefix = await reader.readexactly(2)
                return await reader.readexactly(int.from_bytes(prefix, "big"))
        except asyncio.IncompleteReadError:
            return None  # closed between or inside messages

    async def _hold(self, reader: asyncio.StreamReader) -> None:
        """A silent address: read and drop until the client gives up, or the hold ends."""
        async with asyncio.timeout(self.silent_hold_timeout):
            while await reader.read(4096):
                pass


def _bind_error(address: str, port: int, error: OSError) -> BindError:
    if error.errno == errno.EADDRINUSE:
        return PortInUseError(address, port)
    reason = error.strerror or str(error)
    if error.errno == errno.EACCES:
        reason += " (ports below 1024 need root or CAP_NET_BIND_SERVICE)"
    return BindError(address, port, reason)


async def serve_lab(manifest: LabManifest, port: int, ready: asyncio.Event | None = None) -> None:
    """Serve *manifest* on *port* until cancelled; *ready* is set once every socket is bound."""
    async with LabDnsServer.from_manifest(manifest, port):
        if ready is not None:
            ready.set()
        await asyncio.Event().wait()  # only cancellation ends this


class BackgroundLabServer:
    """A lab server on its own event loop in a daemon thread, for tests and tools.

    ``start()`` returns once every socket is bound, or raises what binding raised.
    """

    def __init__(self, server: LabDnsServer) -> None:
        self.server = server
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None

    @classmethod
    def for_manifest(cls, manifest: LabManifest, port: int) -> BackgroundLabServer:
        return cls(LabDnsServer.from_manifest(manifest, port))

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("already started")
        self._thread = threading.Thread(target=self._run, name="lab-dns-server", daemon=True)
        self._thread.start()
        self._started.wait()
        if self._error is not None:
            self._thread.join()
            raise self._error

    def stop(self) -> None:
        if self._thread is None:
            return
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already finished
                self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(_STOP_TIMEOUT)
        self._thread = None

    def __enter__(self) -> BackgroundLabServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            await self.server.start()
        except BaseException as error:  # handed to the thread that called start()
            self._error = error
            self._started.set()
            return
        self._started.set()
        try:
            await self._stop.wait()
        finally:
            await self.server.close()


# -- command line --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Serve a built lab until SIGTERM or SIGINT; 0 on a clean stop, 1 when it cannot start."""
    args = _parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    if args.verbose:
        log.setLevel(logging.DEBUG)  # ours only: asyncio's debug lines are noise here
    try:
        manifest = LabManifest.load(args.dir)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"error: cannot read the lab manifest in {args.dir}: {error}", file=sys.stderr)
        return 1
    try:
        server = LabDnsServer.from_manifest(manifest, args.port)
        asyncio.run(_serve_until_signalled(server, args.ready_file))
    except LabServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m dnssec_doctor.lab.server",
        description="Serve a built dnssec-doctor lab on its loopback addresses.",
    )
    parser.add_argument("--dir", type=Path, required=True, help="the lab directory (lab.json)")
    parser.add_argument("--port", type=int, default=53, help="port for every address (53)")
    parser.add_argument(
        "--ready-file",
        type=Path,
        help="write the server's PID here once every socket is bound",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every bad packet")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(f"port out of range: {args.port}")
    return args


async def _serve_until_signalled(server: LabDnsServer, ready_file: Path | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        if ready_file is not None:
            _write_atomically(ready_file, f"{os.getpid()}\n")
        await stop.wait()
        log.info("stopping")


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text)
    partial.replace(path)


if __name__ == "__main__":
    sys.exit(main())
