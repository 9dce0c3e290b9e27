"""verify --axfr and --ds-from-parent against the built-in lab (real named:
real/test_verify_real.py).

A zone transfer must give the same report as the zone file it came from; the DS the
parent publishes is checked against the zone file's keys as --ds would be; a refused,
cut-off or unanswered transfer is bad input (one line, exit 3).
"""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dns.message
import dns.query
import pytest

from helpers.check_fixtures import TIMEOUT, BuiltinLab
from helpers.ports import free_port
from helpers.verify_cli import (
    cli,
    comparable_json,
    report_json,
    scenario_record,
    server_of,
    zone_file,
)


def _network(lab: BuiltinLab) -> list[str]:
    return [
        "--trust-anchor", str(lab.directory / "root.key"),
        "--root-hints", str(lab.directory / "root.hints"),
        "--port", str(lab.port), "--timeout", str(TIMEOUT),
    ]  # fmt: skip


@pytest.mark.parametrize("scenario", ["healthy-ecdsap256", "healthy-rsasha256", "rrsig-expired"])
def test_axfr_gives_the_report_of_the_zone_file(builtin_lab: BuiltinLab, scenario: str) -> None:
    record = scenario_record(builtin_lab.manifest, scenario)
    server = server_of(builtin_lab.manifest, record.zone)
    at = ["--at", builtin_lab.manifest.now, "--jobs", "1", "--json"]
    transferred = cli("verify", record.zone, "--axfr", server, "--port", str(builtin_lab.port), *at)
    from_file = cli("verify", str(zone_file(builtin_lab.manifest, record.zone)), *at)
    assert transferred.returncode == from_file.returncode == (2 if "expired" in scenario else 0)
    got, want = report_json(transferred), report_json(from_file)
    assert "AXFR" in str(got["source"])
    assert comparable_json(got) == comparable_json(want)
    if "expired" in scenario:
        assert "RRSIG_EXPIRED" in {f["code"] for f in got["findings"]}


def test_axfr_refused_for_a_zone_not_served_there(builtin_lab: BuiltinLab) -> None:
    server = server_of(builtin_lab.manifest, "test.")
    done = cli("verify", "not-served.example.", "--axfr", server, "--port", str(builtin_lab.port))
    assert done.returncode == 3 and done.stdout == ""
    assert "REFUSED" in done.stderr and len(done.stderr.strip().splitlines()) == 1


@contextmanager
def _one_transfer(
    answer: Callable[[dns.message.Message], list[bytes]],
) -> Iterator[tuple[str, int]]:
    """A TCP server for one AXFR: it reads the query and sends each message *answer*
    makes of it (the two-octet length before each), then closes."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            length = int.from_bytes(conn.recv(2), "big")
            for data in answer(dns.message.from_wire(conn.recv(length))):
                conn.sendall(len(data).to_bytes(2, "big") + data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield "127.0.0.1", listener.getsockname()[1]
    listener.close()
    thread.join(timeout=5)


@pytest.fixture
def cut_off_server(builtin_lab: BuiltinLab) -> Iterator[tuple[str, int]]:
    """A TCP server that answers an AXFR with the lab's first message only, then closes."""
    record = scenario_record(builtin_lab.manifest, "healthy-ecdsap256")
    server = server_of(builtin_lab.manifest, record.zone)
    first = next(iter(dns.query.xfr(server, record.zone, port=builtin_lab.port)))
    first.answer = first.answer[:-1] if len(first.answer) > 1 else first.answer

    def answer(query: dns.message.Message) -> list[bytes]:
        first.id = query.id
        return [first.to_wire()]

    with _one_transfer(answer) as where:
        yield where


def test_truncated_transfer_is_bad_input(
    builtin_lab: BuiltinLab, cut_off_server: tuple[str, int]
) -> None:
    address, port = cut_off_server
    zone = scenario_record(builtin_lab.manifest, "healthy-ecdsap256").zone
    done = cli("verify", zone, "--axfr", address, "--port", str(port), "--timeout", "2")
    assert done.returncode == 3 and done.stdout == ""
    assert "cut off" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_no_server_and_not_an_address() -> None:
    done = cli("verify", "x.test.", "--axfr", "127.0.0.1", "--port", str(free_port()))
    assert done.returncode == 3 and "refused" in done.stderr
    done = cli("verify", "x.test.", "--axfr", "ns1.x.test")
    assert done.returncode == 3 and "IP address" in done.stderr


@pytest.mark.parametrize(
    ("scenario", "exit_code", "codes", "authenticated"),
    [
        ("healthy-ecdsap256", 0, {"DS_MATCHES"}, True),
        ("ds-digest-mismatch", 2, {"DS_DIGEST_MISMATCH", "DNSKEY_NOT_SIGNED_BY_DS_KEY"}, True),
        ("ds-stale-rekey", 2, {"DNSKEY_NOT_SIGNED_BY_DS_KEY"}, True),
        ("insecure-delegation", 2, {"NO_DS", "ZONE_UNSIGNED"}, True),  # an unsigned zone file
        ("under-broken-tld", 1, {"PARENT_DS_UNAUTHENTICATED"}, False),
    ],
)
def test_ds_from_parent(
    builtin_lab: BuiltinLab,
    scenario: str,
    exit_code: int,
    codes: set[str],
    authenticated: bool,
) -> None:
    record = scenario_record(builtin_lab.manifest, scenario)
    path = zone_file(builtin_lab.manifest, record.zone)
    done = cli(
        "verify", str(path), "--ds-from-parent", *_network(builtin_lab),
        "--at", builtin_lab.manifest.now, "--json", "--jobs", "1",
    )  # fmt: skip
    data = report_json(done)
    assert done.returncode == exit_code, done.stdout
    found = {f["code"] for f in data["findings"]}
    assert codes <= found
    ds = data["ds"]
    assert isinstance(ds, dict) and ds["source"] == "parent"
    assert ds["authenticated"] is authenticated
    if record.correct_ds and scenario.startswith("ds-"):
        # the parent's DS is the wrong one: it is not what the lab says is correct
        assert not set(ds["records"]) & {" ".join(c.split()[-4:]) for c in record.correct_ds}


def test_ds_and_ds_from_parent_together(builtin_lab: BuiltinLab, tmp_path: Path) -> None:
    record = scenario_record(builtin_lab.manifest, "healthy-ecdsap256")
    ds = tmp_path / "ds"
    ds.write_text(f"{record.zone} 300 IN DS 1 13 2 {'00' * 32}\n")
    done = cli(
        "verify", str(zone_file(builtin_lab.manifest, record.zone)),
        "--ds", str(ds), "--ds-from-parent", *_network(builtin_lab),
    )  # fmt: skip
    assert done.returncode == 3 and "not both" in done.stderr


def _one_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 3 and done.stdout == "", (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0]


@pytest.fixture
def garbage_server() -> Iterator[tuple[str, int]]:
    """A TCP server that answers an AXFR query with a length prefix and noise."""
    with _one_transfer(lambda query: [bytes(range(256)) * 2]) as where:
        yield where


def test_hostile_transfer_is_bad_input(garbage_server: tuple[str, int]) -> None:
    address, port = garbage_server
    done = cli("verify", "x.test.", "--axfr", address, "--port", str(port), "--timeout", "2")
    _one_line(done, "AXFR of x.test.")


def test_ds_from_parent_bad_input(builtin_lab: BuiltinLab, tmp_path: Path) -> None:
    """A malformed trust anchor, and parents that never answer (nothing listens on the
    port): one line, exit 3."""
    record = scenario_record(builtin_lab.manifest, "healthy-ecdsap256")
    path = str(zone_file(builtin_lab.manifest, record.zone))
    anchor = tmp_path / "anchor"
    anchor.write_text(". 300 IN DS not a ds record\n")
    done = cli(
        "verify", path, "--ds-from-parent", "--trust-anchor", str(anchor),
        "--root-hints", str(builtin_lab.directory / "root.hints"),
        "--port", str(builtin_lab.port), "--timeout", str(TIMEOUT),
    )  # fmt: skip
    _one_line(done, "--ds-from-parent")
    done = cli(
        "verify", path, "--ds-from-parent",
        "--trust-anchor", str(builtin_lab.directory / "root.key"),
        "--root-hints", str(builtin_lab.directory / "root.hints"),
        "--port", str(free_port()), "--timeout", "0.1",
    )  # fmt: skip
    _one_line(done, "--ds-from-parent", record.zone)


@pytest.fixture
def glue_first_server(builtin_lab: BuiltinLab) -> Iterator[tuple[str, int]]:
    """A TCP server that transfers the lab's test. zone with every glue name sent
    before the delegations (as a server may send names in its database's order)."""
    server = server_of(builtin_lab.manifest, "test.")
    messages = list(dns.query.xfr(server, "test.", port=builtin_lab.port, relativize=False))
    rrsets = [rrset for message in messages for rrset in message.answer]
    opening, body, closing = rrsets[0], rrsets[1:-1], rrsets[-1]
    apex = dns.name.from_text("test.")
    cuts = {r.name for r in body if r.rdtype == dns.rdatatype.NS and r.name != apex}
    below = [any(r.name.is_subdomain(c) and r.name != c for c in cuts) for r in body]
    assert any(below), "the lab's test. zone has no glue"
    at_apex = [r for r in body if r.name == apex]  # servers send the apex first
    ordered = [opening, *at_apex, *(r for r, b in zip(body, below, strict=True) if b)]
    ordered += [
        *(r for r, b in zip(body, below, strict=True) if not b and r.name != apex),
        closing,
    ]

    def answer(query: dns.message.Message) -> list[bytes]:
        replies = []
        for at in range(0, len(ordered), 20):
            reply = dns.message.make_response(query)
            reply.answer = ordered[at : at + 20]
            replies.append(reply.to_wire())
        return replies

    with _one_transfer(answer) as where:
        yield where


def test_a_transfer_with_glue_first_is_read_as_it_comes(
    builtin_lab: BuiltinLab, glue_first_server: tuple[str, int]
) -> None:
    """The transfer notes the cuts as they arrive, so glue sent before its delegation
    is placed right in one stream (not held and sorted): the zone file's report."""
    address, port = glue_first_server
    at = ["--at", builtin_lab.manifest.now, "--jobs", "1", "--json"]
    transferred = cli("verify", "test.", "--axfr", address, "--port", str(port), *at)
    from_file = cli("verify", str(zone_file(builtin_lab.manifest, "test.")), *at)
    assert transferred.returncode == from_file.returncode, transferred.stderr
    got = report_json(transferred)
    assert got["stats"]["reading"] == "stream"
    assert comparable_json(got) == comparable_json(report_json(from_file))
