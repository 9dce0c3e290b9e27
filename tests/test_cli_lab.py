"""`dnssec-doctor lab up/list/down` and `demo`, end to end with the built-in server."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import pytest

from cli_helpers import invoke
from dnssec_doctor.causes import Cause
from dnssec_doctor.lab.real.process import Started, is_running
from dnssec_doctor.lab.runner import BUILTIN_STATE
from dnssec_doctor.lab.scenarios import SCENARIOS
from ports import free_port


@pytest.fixture
def lab_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    invoke(["lab", "down", "--dir", str(tmp_path)])  # never leave a server behind


def test_list_shows_every_scenario() -> None:
    result = invoke(["lab", "list"])
    assert result.exit_code == 0
    for scenario in SCENARIOS:
        assert scenario.id in result.output


def test_list_json_is_machine_readable() -> None:
    result = invoke(["lab", "list", "--json"])
    entries = json.loads(result.output)
    assert [e["id"] for e in entries] == [s.id for s in SCENARIOS]
    assert {e["outcome"] for e in entries} == {"secure", "insecure", "bogus"}
    ds = next(e for e in entries if e["id"] == "ds-digest-mismatch")
    assert ds["qname"] == "www.ds-digest-mismatch.test." and ds["cause"] == "DS_DIGEST_MISMATCH"


def test_up_serves_and_down_stops_exactly_what_it_started(lab_dir: Path) -> None:
    port = free_port()
    up = invoke(["lab", "up", "--dir", str(lab_dir), "--port", str(port)])
    assert up.exit_code == 0, up.output
    assert f"port {port}" in up.output and str(lab_dir / "root.key") in up.output
    state = json.loads((lab_dir / BUILTIN_STATE).read_text())
    state.pop("port")
    server = Started(**state)
    assert is_running(server)

    reply = dns.query.udp(dns.message.make_query(".", "SOA"), "127.53.0.1", timeout=2, port=port)
    assert reply.rcode() == dns.rcode.NOERROR and reply.answer

    again = invoke(["lab", "up", "--dir", str(lab_dir), "--port", str(port)])
    assert again.exit_code == 3
    assert "already running" in again.output and "Traceback" not in again.output

    down = invoke(["lab", "down", "--dir", str(lab_dir)])
    assert down.exit_code == 0 and f"pid {server.pid}" in down.output
    assert not is_running(server)
    assert "No lab is running" in invoke(["lab", "down", "--dir", str(lab_dir)]).output


def test_busy_port_is_one_clear_line(lab_dir: Path) -> None:
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind(("127.53.0.1", port))
        result = invoke(["lab", "up", "--dir", str(lab_dir), "--port", str(port)])
    assert result.exit_code == 3
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "127.53.0.1" in lines[0] and str(port) in lines[0]
    assert not (lab_dir / BUILTIN_STATE).exists()


def test_unwritable_directory_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = invoke(["lab", "up", "--dir", str(blocker / "lab")])
    assert result.exit_code == 3
    assert result.output.startswith("dnssec-doctor: ") and "Traceback" not in result.output


def test_demo_checks_every_scenario_as_declared_and_stops_the_lab() -> None:
    result = invoke(["demo", "--port", str(free_port())])
    assert result.exit_code == 0, result.output
    assert "Lab up" in result.output and "Stopped the lab" in result.output
    total = len(SCENARIOS)
    assert f"{total}/{total} scenarios diagnosed as declared" in result.output
    assert "DS_DIGEST_MISMATCH" in result.output


def test_docs_list_every_scenario_and_cause() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "lab.md").read_text()
    for scenario in SCENARIOS:
        assert f"`{scenario.id}`" in docs
    for cause in Cause:
        assert f"`{cause.value}`" in docs


def test_docs_list_every_finding_code() -> None:
    from dnssec_doctor.findings import REGISTRY

    docs = (Path(__file__).parent.parent / "docs" / "findings.md").read_text()
    for code in REGISTRY:
        assert f"`{code}`" in docs
