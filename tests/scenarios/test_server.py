"""The lab server over real sockets on 127.53.250.x: UDP, TCP, silence, errors, the CLI entry."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.zone
import pytest

from dnssec_doctor.lab.manifest import LabManifest, LabServer, ServedZone
from dnssec_doctor.lab.server import (
    BackgroundLabServer,
    BindError,
    Endpoint,
    LabDnsServer,
    PortInUseError,
    ZoneLoadError,
    load_endpoints,
    serve_lab,
)
from helpers.lab_test_zones import BIG_TXT_COUNT, OPTOUT, PARENT, SECURE, LabTree, build_tree
from helpers.ports import bindable, free_port

MAIN = "127.53.250.1"  # test. with both children: DS from the parent side
CHILD = "127.53.250.2"  # secure.test. alone
SILENT = "127.53.250.3"  # binds, never answers
ADDRESSES = [MAIN, CHILD, SILENT]
TIMEOUT = 2.0
SHORT = 0.3  # for answers that must not come

RdataType = dns.rdatatype.RdataType


def write_lab(directory: Path, tree: LabTree) -> LabManifest:
    files = {}
    for signed in (tree.parent, tree.secure, tree.optout):
        name = f"{signed.origin.to_text(omit_final_dot=True)}.zone"
        signed.zone.to_file(str(directory / name), relativize=False)
        files[signed.origin.to_text()] = name

    def served(*origins: str) -> list[ServedZone]:
        return [ServedZone(origin, files[origin]) for origin in origins]

    everything = served(PARENT.to_text(), SECURE.to_text(), OPTOUT.to_text())
    manifest = LabManifest(
        now="2026-01-01T00:00:00+00:00",
        directory=str(directory),
        root_hints=[],
        trust_anchor_ds=[],
        trust_anchor_dnskey=[],
        servers=[
            LabServer(MAIN, ["ns1.test."], "named", zones=everything),
            LabServer(CHILD, ["ns1.secure.test."], "nsd", zones=served(SECURE.to_text())),
            LabServer(SILENT, ["ns.insecure.test."], "knot", silent=True, zones=everything),
        ],
        scenarios=[],
        zones=files,
    )
    manifest.write()
    return LabManifest.load(directory)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> LabManifest:
    return write_lab(tmp_path_factory.mktemp("lab"), build_tree())


@pytest.fixture(scope="module")
def port(manifest: LabManifest) -> Iterator[int]:
    chosen = free_port(ADDRESSES)
    with BackgroundLabServer.for_manifest(manifest, chosen):
        yield chosen


def query(qname: str, qtype: RdataType | str, payload: int | None = None) -> dns.message.Message:
    return dns.message.make_query(qname, qtype, want_dnssec=True, payload=payload)


def udp(address: str, port: int, message: dns.message.Message) -> dns.message.Message:
    return dns.query.udp(message, address, port=port, timeout=TIMEOUT)


def tcp(address: str, port: int, message: dns.message.Message) -> dns.message.Message:
    return dns.query.tcp(message, address, port=port, timeout=TIMEOUT)


def udp_raw(address: str, port: int, wire: bytes, timeout: float = TIMEOUT) -> bytes | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(wire, (address, port))
        try:
            return sock.recv(65535)
        except TimeoutError:
            return None


# -- answers over UDP and TCP ----------------------------------------------------------------


def test_udp_answer(port: int) -> None:
    response = udp(MAIN, port, query("www.test.", "A"))
    assert response.rcode() == dns.rcode.NOERROR and response.flags & dns.flags.AA
    assert [r.rdtype for r in response.answer] == [RdataType.A, RdataType.RRSIG]


def test_each_address_answers_from_its_own_zones(port: int) -> None:
    parent_side = udp(MAIN, port, query("secure.test.", "DS"))
    assert [r.rdtype for r in parent_side.answer] == [RdataType.DS, RdataType.RRSIG]
    child_side = udp(CHILD, port, query("secure.test.", "DS"))
    assert child_side.answer == [] and child_side.flags & dns.flags.AA
    assert child_side.authority[0].rdtype == RdataType.SOA
    assert udp(CHILD, port, query("www.test.", "A")).rcode() == dns.rcode.REFUSED


def test_truncated_over_udp_then_whole_over_tcp(port: int) -> None:
    small = udp(MAIN, port, query("big.test.", "TXT", payload=512))
    assert small.flags & dns.flags.TC and small.answer == []
    whole = tcp(MAIN, port, query("big.test.", "TXT"))
    assert not whole.flags & dns.flags.TC
    assert len(whole.answer[0]) == BIG_TXT_COUNT


def test_several_queries_on_one_tcp_connection(port: int) -> None:
    questions = [query(name, "A") for name in ("www.test.", "nope.test.", "www.secure.test.")]
    with socket.create_connection((MAIN, port), timeout=TIMEOUT) as sock:
        for message in questions:  # pipelined: all sent before any answer is read
            dns.query.send_tcp(sock, message)
        answers = [dns.query.receive_tcp(sock, time.time() + TIMEOUT)[0] for _ in questions]
    for message, answer in zip(questions, answers, strict=True):
        assert message.is_response(answer)
    assert [a.rcode() for a in answers] == [dns.rcode.NOERROR, dns.rcode.NXDOMAIN, 0]


def test_async_query(port: int) -> None:
    async def ask() -> dns.message.Message:
        return await dns.asyncquery.udp(query("test.", "SOA"), MAIN, port=port, timeout=TIMEOUT)

    assert asyncio.run(ask()).answer[0].rdtype == RdataType.SOA


# -- bad packets -----------------------------------------------------------------------------

# A readable header (ID 0xabcd, one question) followed by a question that is cut short.
GARBAGE = b"\xab\xcd\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xff\xff"


def test_garbage_with_a_header_gets_formerr_and_a_debug_line(
    port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="dnssec_doctor.lab.server")
    wire = udp_raw(MAIN, port, GARBAGE)
    assert wire is not None
    response = dns.message.from_wire(wire)
    assert response.id == 0xABCD and response.rcode() == dns.rcode.FORMERR
    lines = [r for r in caplog.records if "bad packet" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.DEBUG
    assert not any(r.exc_info for r in caplog.records)


def test_noise_is_dropped_and_the_server_keeps_serving(port: int) -> None:
    assert udp_raw(MAIN, port, b"\x01\x02\x03", timeout=SHORT) is None
    assert udp(MAIN, port, query("www.test.", "A")).answer


def test_tcp_garbage_gets_formerr(port: int) -> None:
    with socket.create_connection((MAIN, port), timeout=TIMEOUT) as sock:
        sock.sendall(len(GARBAGE).to_bytes(2, "big") + GARBAGE)
        response, _ = dns.query.receive_tcp(sock, time.time() + TIMEOUT)
    assert response.rcode() == dns.rcode.FORMERR


# -- silence ---------------------------------------------------------------------------------


def test_silent_address_never_answers_udp(port: int) -> None:
    with pytest.raises(dns.exception.Timeout):
        dns.query.udp(query("www.test.", "A"), SILENT, port=port, timeout=SHORT)


def test_silent_address_accepts_tcp_and_never_answers(port: int) -> None:
    with pytest.raises(dns.exception.Timeout):
        dns.query.tcp(query("www.test.", "A"), SILENT, port=port, timeout=SHORT)


# -- limits ----------------------------------------------------------------------------------


def _responder_endpoints(manifest: LabManifest) -> list[Endpoint]:
    return [e for e in load_endpoints(manifest) if e.address == MAIN]


def test_idle_tcp_connections_are_closed(manifest: LabManifest) -> None:
    chosen = free_port([MAIN])
    server = LabDnsServer(_responder_endpoints(manifest), chosen, tcp_idle_timeout=0.2)
    with BackgroundLabServer(server), socket.create_connection((MAIN, chosen)) as sock:
        sock.settimeout(TIMEOUT)
        assert sock.recv(1) == b""  # closed by the server, not by our timeout


def test_tcp_connections_beyond_the_limit_are_closed(manifest: LabManifest) -> None:
    chosen = free_port([MAIN])
    server = LabDnsServer(_responder_endpoints(manifest), chosen, max_tcp_connections=1)
    with BackgroundLabServer(server), socket.create_connection((MAIN, chosen)) as first:
        dns.query.send_tcp(first, query("www.test.", "A"))
        assert dns.query.receive_tcp(first, time.time() + TIMEOUT)[0].answer
        with socket.create_connection((MAIN, chosen)) as second:
            second.settimeout(TIMEOUT)
            assert second.recv(1) == b""
        dns.query.send_tcp(first, query("www.test.", "A"))  # the first one still works
        assert dns.query.receive_tcp(first, time.time() + TIMEOUT)[0].answer


# -- starting and stopping -------------------------------------------------------------------


def test_busy_port_raises_port_in_use(manifest: LabManifest, port: int) -> None:
    second = BackgroundLabServer.for_manifest(manifest, port)
    with pytest.raises(PortInUseError) as caught:
        second.start()
    assert (caught.value.address, caught.value.port) == (MAIN, port)
    assert "already in use" in str(caught.value) and "\n" not in str(caught.value)
    assert udp(MAIN, port, query("www.test.", "A")).answer  # the first server is unharmed


def test_a_failed_start_releases_the_sockets_it_bound(manifest: LabManifest) -> None:
    chosen = free_port(ADDRESSES)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind((SILENT, chosen))  # the last address is taken
        with pytest.raises(PortInUseError):
            BackgroundLabServer.for_manifest(manifest, chosen).start()
    assert bindable(MAIN, chosen) and bindable(CHILD, chosen)


def test_unassignable_address_raises_bind_error(manifest: LabManifest) -> None:
    server = LabDnsServer([Endpoint("192.0.2.1", None)], free_port([MAIN]))
    with pytest.raises(BindError, match=r"192\.0\.2\.1"):
        BackgroundLabServer(server).start()


def test_each_zone_file_is_loaded_once(
    manifest: LabManifest, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded: list[str] = []
    original = dns.zone.from_file

    def counting(path: str, *args: Any, **kwargs: Any) -> dns.zone.Zone:
        loaded.append(path)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(dns.zone, "from_file", counting)
    load_endpoints(manifest)
    assert len(loaded) == len(set(loaded)) == 3


def test_a_missing_zone_file_is_a_zone_load_error(manifest: LabManifest, tmp_path: Path) -> None:
    broken = LabManifest(
        **{**manifest.__dict__, "directory": str(tmp_path)}  # no zone files there
    )
    with pytest.raises(ZoneLoadError, match="cannot load zone"):
        load_endpoints(broken)


def test_serve_lab_sets_ready_and_stops_when_cancelled(manifest: LabManifest) -> None:
    chosen = free_port(ADDRESSES)

    async def scenario() -> dns.message.Message:
        ready = asyncio.Event()
        task = asyncio.create_task(serve_lab(manifest, chosen, ready))
        await asyncio.wait_for(ready.wait(), TIMEOUT)
        try:
            return await dns.asyncquery.tcp(
                query("www.test.", "A"), MAIN, port=chosen, timeout=TIMEOUT
            )
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    assert asyncio.run(scenario()).answer
    assert all(bindable(address, chosen) for address in ADDRESSES)


# -- python -m dnssec_doctor.lab.server ------------------------------------------------------


def _spawn(directory: str, port: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dnssec_doctor.lab.server",
            "--dir",
            directory,
            "--port",
            str(port),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "server not ready"
        time.sleep(0.05)


def test_module_entry_serves_until_sigterm(manifest: LabManifest, tmp_path: Path) -> None:
    chosen = free_port(ADDRESSES)
    ready = tmp_path / "ready"
    process = _spawn(manifest.directory, chosen, "--ready-file", str(ready))
    try:
        _wait_for(ready, process)
        assert ready.read_text().strip() == str(process.pid)
        assert udp(MAIN, chosen, query("www.test.", "A")).answer
    finally:
        process.send_signal(signal.SIGTERM)  # only the process this test started
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "Traceback" not in stderr


def test_module_entry_stops_on_sigint(manifest: LabManifest, tmp_path: Path) -> None:
    chosen = free_port(ADDRESSES)
    ready = tmp_path / "ready"
    process = _spawn(manifest.directory, chosen, "--ready-file", str(ready))
    try:
        _wait_for(ready, process)
    finally:
        os.kill(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0 and "Traceback" not in stderr


def test_module_entry_reports_a_busy_port_in_one_line(manifest: LabManifest, port: int) -> None:
    process = _spawn(manifest.directory, port)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 1
    assert stderr.strip().count("\n") == 0 and "already in use" in stderr


def test_module_entry_reports_a_missing_lab(tmp_path: Path) -> None:
    process = _spawn(str(tmp_path), free_port([MAIN]))
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 1 and stderr.startswith("error: cannot read the lab manifest")
