"""The real-server lab: named, NSD and Knot serve a built lab; Unbound and delv judge it.

Tests marked `real` need root and the Debian packages (bind9, bind9-dnsutils, nsd, knot,
unbound, iproute2); the others check configs and parsing and run anywhere.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest

from dnssec_doctor.lab.manifest import (
    RECURSOR_ADDRESS,
    UNBOUND_ADDRESS,
    LabManifest,
    LabServer,
    Outcome,
    ServedZone,
)
from dnssec_doctor.lab.real import (
    RealLab,
    RealLabError,
    RealLabState,
    ask_unbound,
    parse_delv,
    plan,
    run_delv,
    start_real_lab,
    stop_real_lab,
)
from dnssec_doctor.lab.real.addresses import present_on_lo, remove_from_lo
from dnssec_doctor.lab.real.grouping import group_servers
from dnssec_doctor.lab.real.named import bogus_for_recursor
from dnssec_doctor.lab.real.process import is_running, start_time
from dnssec_doctor.lab.scenarios import SCENARIOS
from helpers.real_fixtures import REAL_PROGRAMS, require_real_lab, small_copy

VERSION_PREFIX = {"named": "9.", "nsd": "NSD ", "knot": "Knot DNS "}


def _ask(address: str, qname: str, qtype: str, rdclass: str = "IN", tcp: bool = False,
         timeout: float = 2.0) -> dns.message.Message:  # fmt: skip
    query = dns.message.make_query(qname, qtype, rdclass, want_dnssec=True)
    query.flags &= ~dns.flags.RD
    if tcp:
        return dns.query.tcp(query, address, timeout=timeout)
    return dns.query.udp(query, address, timeout=timeout)


# --- the servers ------------------------------------------------------------------------


@pytest.mark.real
def test_every_address_serves_its_zones_from_its_software(real_lab: RealLab) -> None:
    """SOA with AA for every zone at every address, the RRSIG(SOA) of the very file the
    manifest names (a stale copy stays stale, nothing re-signed), from the right program."""
    manifest = real_lab.manifest
    for server in (s for s in manifest.servers if not s.silent):
        # over TCP: named's built-in _bind view rate-limits CHAOS answers over UDP
        version = _ask(server.address, "version.bind", "TXT", "CH", tcp=True)
        text = b"".join(version.answer[0][0].strings).decode()
        assert text.startswith(VERSION_PREFIX[server.software]), (server.address, text)
        for served in server.zones:
            response = _ask(server.address, served.origin, "SOA")
            assert response.rcode() == dns.rcode.NOERROR, (server.address, served.origin)
            assert response.flags & dns.flags.AA
            origin = dns.name.from_text(served.origin)
            signatures = response.find_rrset(
                response.answer, origin, dns.rdataclass.IN, dns.rdatatype.RRSIG,
                dns.rdatatype.SOA, create=True,
            )  # fmt: skip
            zone = dns.zone.from_file(str(manifest.path(served.file)), origin, relativize=False)
            in_file = zone.get_rdataset(origin, dns.rdatatype.RRSIG, dns.rdatatype.SOA)
            assert set(signatures) == set(in_file or []), (server.address, served.file)


@pytest.mark.real
def test_views_keep_addresses_apart(real_lab: RealLab) -> None:
    """named serves one zone per view: a named address refuses another address's zone."""
    named_servers = [s for s in real_lab.manifest.servers if s.software == "named"]
    first, other = (
        named_servers[0],
        next(s for s in named_servers if s.zones[0].origin != named_servers[0].zones[0].origin),
    )
    response = _ask(first.address, other.zones[0].origin, "SOA")
    assert response.rcode() == dns.rcode.REFUSED or not response.flags & dns.flags.AA


@pytest.mark.real
def test_silent_addresses_time_out(real_lab: RealLab) -> None:
    silent = [s for s in real_lab.manifest.servers if s.silent]
    assert silent, "the lab has a silent nameserver scenario"
    for server in silent:
        for tcp in (False, True):
            with pytest.raises(dns.exception.Timeout):
                _ask(server.address, server.zones[0].origin, "SOA", tcp=tcp, timeout=0.5)


@pytest.mark.real
def test_resolvers_answer(real_lab: RealLab) -> None:
    for address in (UNBOUND_ADDRESS, RECURSOR_ADDRESS):
        response = _ask(address, "version.bind", "TXT", "CH", tcp=True)
        assert response.rcode() == dns.rcode.NOERROR


@pytest.mark.real
def test_startup_takes_seconds(real_lab: RealLab) -> None:
    assert real_lab.startup_seconds < 10, real_lab.ready_after
    assert {"named-auth", "unbound", "named-recursor"} <= set(real_lab.ready_after)


# --- conformance: the reference validators agree with each scenario ----------------------


@pytest.mark.real
@pytest.mark.parametrize("scenario_id", [s.id for s in SCENARIOS])
def test_conformance(real_lab: RealLab, scenario_id: str) -> None:
    scenario = real_lab.manifest.scenario(scenario_id)
    unbound = ask_unbound(real_lab.manifest, scenario.qname, scenario.qtype)
    delv = run_delv(real_lab.manifest, scenario.qname, scenario.qtype)
    expected = scenario.outcome
    got = {"unbound": (unbound.outcome, unbound.summary), "delv": (delv.outcome, delv.summary)}
    if unbound.outcome != expected or delv.outcome != expected:
        trace = run_delv(real_lab.manifest, scenario.qname, scenario.qtype, trace=True)
        pytest.fail(
            f"{scenario_id}: expected {expected}, got {got}\n--- unbound\n{unbound.raw}\n"
            f"--- delv +vtrace\n{trace.raw}"
        )


# --- starting and stopping ----------------------------------------------------------------


def _descendants(pids: set[int]) -> set[int]:
    """Live processes whose parent chain reaches one of *pids* (NSD forks its servers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = set(pids)
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.fixture
def own_net() -> Iterator[str]:
    """A /24 of the lab net that no lab uses, cleaned up whatever the test does."""
    net = "127.53.254."
    yield net
    remove_from_lo([a for a in present_on_lo() if a.startswith(net)])


@pytest.mark.real
def test_stop_removes_exactly_what_it_added(
    real_lab: RealLab, tmp_path: Path, own_net: str
) -> None:
    manifest = small_copy(real_lab.manifest, tmp_path, own_net)
    preexisting = f"{own_net}1"  # someone else's alias: must survive `lab down`
    subprocess.run(["ip", "addr", "add", f"{preexisting}/32", "dev", "lo"], check=True)
    before = present_on_lo()
    lab = start_real_lab(manifest, resolvers=False)
    state = RealLabState.load(tmp_path)
    assert state is not None
    assert sorted(state.added_addresses) == sorted(
        s.address for s in manifest.servers if s.address != preexisting
    )
    assert {d.kind for d in state.daemons} == {"named", "nsd", "knot", "sink"}
    assert all(is_running(d) for d in state.daemons)  # recognised as ours by program too
    pids = {d.pid for d in state.daemons}
    children = _descendants(pids)
    # `lab down` is another process: it knows the lab only from the state file
    code = (
        "from pathlib import Path; from dnssec_doctor.lab.real import stop_real_lab; "
        f"stop_real_lab(Path({str(tmp_path)!r}))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    for proc in lab.procs.values():
        proc.wait(timeout=5)  # reap: they are our children
    assert present_on_lo() == before
    assert not any(is_running(d) for d in state.daemons)
    assert not [pid for pid in children if start_time(pid) is not None]
    assert RealLabState.load(tmp_path) is None
    assert stop_real_lab(tmp_path) is False  # nothing left to stop


@pytest.mark.real
def test_second_start_of_a_running_lab_is_refused(real_lab: RealLab) -> None:
    with pytest.raises(RealLabError, match="already running"):
        start_real_lab(real_lab.manifest)


@pytest.mark.real
def test_busy_port_names_address_and_holder(
    real_lab: RealLab, tmp_path: Path, own_net: str
) -> None:
    manifest = small_copy(real_lab.manifest, tmp_path, own_net)
    address = manifest.servers[1].address
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as blocker:
        blocker.bind((address, 53))
        with pytest.raises(RealLabError) as caught:
            start_real_lab(manifest, resolvers=False)
    message = str(caught.value)
    assert f"{address}:53 (udp) is already in use (held by " in message
    assert f"pid {os.getpid()})" in message
    assert "\n" not in message
    assert not [a for a in present_on_lo() if a.startswith(own_net)]
    assert RealLabState.load(tmp_path) is None


@pytest.mark.real
def test_a_lab_copy_on_the_same_addresses_finds_them_busy(
    real_lab: RealLab, tmp_path: Path
) -> None:
    from dataclasses import replace

    copy = replace(real_lab.manifest, directory=str(tmp_path))
    with pytest.raises(RealLabError, match=r"127\.53\.\d+\.\d+:53 \(udp\) is already in use"):
        start_real_lab(copy)


@pytest.mark.real
def test_a_server_that_fails_shows_its_log(real_lab: RealLab, tmp_path: Path, own_net: str) -> None:
    manifest = small_copy(real_lab.manifest, tmp_path, own_net)
    broken = next(s for s in manifest.servers if s.software == "nsd")
    manifest.path(broken.zones[0].file).write_text("this is not a zone file\n")
    with pytest.raises(RealLabError) as caught:
        start_real_lab(manifest, resolvers=False, timeout=3)
    message = str(caught.value)
    assert broken.address in message and "nsd.conf" in message and "log" in message
    assert not [a for a in present_on_lo() if a.startswith(own_net)]


# --- errors that need neither root nor servers --------------------------------------------


def _server(address: str, software: str, origin: str, file: str, silent: bool = False) -> LabServer:
    return LabServer(address, [], software, silent, [ServedZone(origin, file)])


def _tiny_manifest(directory: Path) -> LabManifest:
    return LabManifest(
        now="2026-01-01T00:00:00+00:00",
        directory=str(directory),
        root_hints=[("a.root-servers.test.", "127.53.0.1")],
        trust_anchor_ds=[". 3600 IN DS 1 8 2 " + "00" * 32],
        trust_anchor_dnskey=[],
        servers=[
            _server("127.53.0.1", "named", ".", "root.zone"),
            _server("127.53.0.11", "nsd", "test.", "test.zone"),
            _server("127.53.0.12", "knot", "test.", "test.zone"),
            _server("127.53.1.1", "knot", "a.test.", "a.zone"),
            _server("127.53.1.2", "knot", "a.test.", "a2.zone"),
            _server("127.53.1.3", "nsd", "a.test.", "a.zone", silent=True),
            _server("127.53.2.1", "knot", "b.test.", "b.zone"),
        ],
        scenarios=[],
        zones={".": "root.zone", "test.": "test.zone", "a.test.": "a.zone", "b.test.": "b.zone"},
    )


def test_missing_binary_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    present = {p: os.path.realpath(w) for p in REAL_PROGRAMS if (w := _which(p))}
    monkeypatch.setenv("PATH", str(bin_dir))
    no_ip = r"^`ip` not found on PATH: .*apt-get install iproute2`$"
    with pytest.raises(RealLabError, match=no_ip):
        start_real_lab(_tiny_manifest(tmp_path))
    if not {"ip", "named", "knotd", "unbound"} <= set(present):
        pytest.skip("simulating a missing nsd needs the other programs")
    for program, path in present.items():
        if program != "nsd":
            (bin_dir / program).symlink_to(path)
    with pytest.raises(RealLabError, match=r"^`nsd` not found on PATH: .*apt-get install nsd`$"):
        start_real_lab(_tiny_manifest(tmp_path))


def test_not_root_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if any(_which(p) is None for p in ("ip", "named", "nsd", "knotd", "unbound")):
        pytest.skip("the programs are checked before root")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(RealLabError, match="needs root"):
        start_real_lab(_tiny_manifest(tmp_path))


def test_resolvers_need_port_53(tmp_path: Path) -> None:
    with pytest.raises(RealLabError, match="port 53"):
        start_real_lab(_tiny_manifest(tmp_path), port=5353)


def _which(program: str) -> str | None:
    import shutil

    return shutil.which(program)


# --- configs and parsing ------------------------------------------------------------------


def test_plan_one_named_views_and_split_nsd_knot(tmp_path: Path) -> None:
    manifest = _tiny_manifest(tmp_path)
    specs = {s.name: s for s in plan(manifest, 53)}
    assert set(specs) == {"named-auth", "nsd-1", "knot-1", "knot-2", "knot-3", "sink", "unbound",
                          "named-recursor"}  # fmt: skip
    named = specs["named-auth"].config_text
    assert 'view "127.53.0.1"' in named and "match-destinations { 127.53.0.1; };" in named
    assert "dnssec-policy none;" in named and "recursion no;" in named
    # two copies of a.test. (a.zone, a2.zone) cannot share one Knot, nor test. and a.test.;
    # unrelated zones can
    assert specs["knot-1"].addresses == ["127.53.0.12"]
    assert specs["knot-2"].addresses == ["127.53.1.1", "127.53.2.1"]
    assert specs["knot-3"].addresses == ["127.53.1.2"]
    assert specs["sink"].addresses == ["127.53.1.3"]
    recursor = specs["named-recursor"].config_text
    assert "server 127.53.1.2 { bogus yes; };" in recursor  # stale copy
    assert "server 127.53.1.3 { bogus yes; };" in recursor  # silent
    assert 'local-zone: "test." nodefault' in specs["unbound"].config_text


def test_grouping_rules() -> None:
    def server(address: str, *zones: tuple[str, str]) -> LabServer:
        return LabServer(address, [], "nsd", zones=[ServedZone(o, f) for o, f in zones])

    a = server("127.53.1.1", ("a.test.", "a"))
    b = server("127.53.2.1", ("b.test.", "b"))
    a_stale = server("127.53.1.2", ("a.test.", "a-stale"))
    parent = server("127.53.0.1", ("test.", "t"))
    both = server("127.53.0.2", ("test.", "t"), ("a.test.", "a"))
    assert group_servers([a, b]) == [[a, b]]
    assert group_servers([a, a_stale]) == [[a], [a_stale]]
    assert group_servers([parent, a]) == [[parent], [a]]
    assert group_servers([both, parent]) == [[both], [parent]]
    assert group_servers([both, both]) == [[both, both]]


def test_bogus_for_recursor(tmp_path: Path) -> None:
    assert bogus_for_recursor(_tiny_manifest(tmp_path)) == ["127.53.1.2", "127.53.1.3"]


DELV_SECURE = """; fully validated
www.a.test.		3600	IN	A	192.0.2.1
"""
DELV_NXDOMAIN = """;; resolution failed: ncache nxdomain
; negative response, fully validated
; x.a.test. 282 IN \\-ANY ;-$NXDOMAIN
"""
DELV_INSECURE_NODATA = """;; resolution failed: ncache nxrrset
; negative response, unsigned answer
"""
DELV_CNAME_INTO_BOGUS = """;; no valid RRSIG resolving 'b.test/DNSKEY/IN': 127.53.255.2#53
;; resolution failed: broken trust chain
; fully validated
www.a.test. 3597 IN CNAME www.b.test.
"""


@pytest.mark.parametrize(
    ("output", "outcome"),
    [
        (DELV_SECURE, Outcome.SECURE),
        (DELV_NXDOMAIN, Outcome.SECURE),
        (DELV_INSECURE_NODATA, Outcome.INSECURE),
        ("; unsigned answer\nwww.a.test. 1 IN A 192.0.2.1\n", Outcome.INSECURE),
        (DELV_CNAME_INTO_BOGUS, Outcome.BOGUS),
        (";; resolution failed: SERVFAIL\n", Outcome.BOGUS),
    ],
)
def test_parse_delv(output: str, outcome: Outcome) -> None:
    assert parse_delv(output).outcome == outcome


def test_parse_delv_without_verdict() -> None:
    with pytest.raises(RealLabError, match="no verdict"):
        parse_delv(";; connection timed out\n")


def test_require_real_lab_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the real-server lab"):
        require_real_lab()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        require_real_lab()
