"""`dnssec-doctor lab up/list/down` and `demo`, end to end with the built-in server."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import pytest

from dnssec_doctor.lab.real.process import Started, is_running, start_time
from dnssec_doctor.lab.runner import BUILTIN_STATE
from dnssec_doctor.lab.scenarios import SCENARIOS
from dnssec_doctor.model.causes import Cause
from helpers import TOP
from helpers.cli_helpers import invoke
from helpers.ports import free_port


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
    docs = (TOP / "docs" / "lab.md").read_text()
    for scenario in SCENARIOS:
        assert f"`{scenario.id}`" in docs
    for cause in Cause:
        assert f"`{cause.value}`" in docs


def test_docs_list_every_finding_code() -> None:
    from dnssec_doctor.model.findings import REGISTRY

    docs = (TOP / "docs" / "findings.md").read_text()
    for code in REGISTRY:
        assert f"`{code}`" in docs


# -- a state file is believed only when it is ours, and names only our processes ----------


@pytest.fixture
def bystander() -> Iterator[subprocess.Popen[bytes]]:
    """A live process that `lab down` must never signal (it is not the lab's)."""
    proc = subprocess.Popen(["sleep", "60"])
    yield proc
    proc.kill()
    proc.wait()


def _forge(lab_dir: Path, proc: subprocess.Popen[bytes], command: list[str] | None) -> None:
    forged = {
        "name": "builtin", "kind": "builtin", "pid": proc.pid,
        "start_time": start_time(proc.pid), "config": str(lab_dir / "lab.json"),
        "log": str(lab_dir / "log"), "port": 5300,
    }  # fmt: skip
    if command is not None:
        forged["command"] = command
    (lab_dir / BUILTIN_STATE).write_text(json.dumps(forged))


@pytest.mark.parametrize(
    "command",
    [None, [sys.executable, "-m", "dnssec_doctor.lab.server", "--dir", "x"]],
    ids=["old-state-without-command", "lab-server-command"],
)
def test_down_never_signals_a_process_that_is_not_the_labs(
    lab_dir: Path, bystander: subprocess.Popen[bytes], command: list[str] | None
) -> None:
    # the PID and start time match a live process; its program and command line do not
    _forge(lab_dir, bystander, command)
    down = invoke(["lab", "down", "--dir", str(lab_dir)])
    assert down.exit_code == 0, down.output
    assert f"pid {bystander.pid} not running" in down.output
    time.sleep(0.2)
    assert bystander.poll() is None  # still running: not signalled


def test_down_refuses_a_state_file_others_may_write(
    lab_dir: Path, bystander: subprocess.Popen[bytes]
) -> None:
    _forge(lab_dir, bystander, [shutil.which("sleep") or "sleep", "60"])
    (lab_dir / BUILTIN_STATE).chmod(0o666)
    down = invoke(["lab", "down", "--dir", str(lab_dir)])
    assert down.exit_code == 3
    assert "not trusted" in down.output and "writable by others" in down.output
    assert len(down.output.strip().splitlines()) == 1 and "Traceback" not in down.output
    assert bystander.poll() is None
    (lab_dir / BUILTIN_STATE).chmod(0o644)  # let the fixture's `lab down` read it


def test_up_refuses_a_directory_others_may_write(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    up = invoke(["lab", "up", "--dir", str(shared), "--port", str(free_port())])
    assert up.exit_code == 3
    assert "refusing the lab directory" in up.output and "writable by others" in up.output
    assert not (shared / BUILTIN_STATE).exists()


def test_down_after_the_server_died_says_so(lab_dir: Path) -> None:
    up = invoke(["lab", "up", "--dir", str(lab_dir), "--port", str(free_port())])
    assert up.exit_code == 0, up.output
    state = json.loads((lab_dir / BUILTIN_STATE).read_text())
    os.kill(state["pid"], signal.SIGKILL)
    deadline = time.monotonic() + 5
    while start_time(state["pid"]) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    down = invoke(["lab", "down", "--dir", str(lab_dir)])
    assert down.exit_code == 0
    assert f"pid {state['pid']} not running" in down.output


def test_default_lab_dir_is_per_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from dnssec_doctor.cli.common import default_lab_dir

    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert default_lab_dir() == tmp_path / f"dnssec-doctor-lab-{os.geteuid()}"
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    assert default_lab_dir() == tmp_path / "run" / "dnssec-doctor-lab"
