"""`lab up` and `lab down`: build a lab, serve it in the background, stop it again.

Two kinds of servers serve the same zone files: the built-in asyncio server (one child
process, any port, no root) and the real servers (named, NSD, Knot, Unbound and a
recursive named; port 53, root).  Whatever is started is recorded in the lab directory
with PID and process start time, so `lab down`, run later from another process, stops
exactly what `lab up` started and nothing else.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from dnssec_doctor import defaults
from dnssec_doctor.lab.build import build_lab
from dnssec_doctor.lab.manifest import RECURSOR_ADDRESS, UNBOUND_ADDRESS, LabManifest
from dnssec_doctor.lab.real.errors import RealLabError
from dnssec_doctor.lab.real.lab import start_real_lab, stop_real_lab
from dnssec_doctor.lab.real.process import (
    Started,
    distrust,
    is_running,
    log_tail,
    start_time,
    stop,
)
from dnssec_doctor.lab.real.state import RealLabState
from dnssec_doctor.lab.realsign.tools import SignerError

BUILTIN_PORT = defaults.BUILTIN_LAB_PORT
REAL_PORT = 53
BUILTIN_STATE = "builtin-state.json"
BUILTIN_LOG = "builtin-server.log"
BUILTIN_READY = "builtin-server.ready"
READY_TIMEOUT = 15.0


class LabError(Exception):
    """A lab could not be started or stopped; the message is one line that says why."""


@dataclass(frozen=True)
class RunningLab:
    manifest: LabManifest
    kind: str  # builtin | real
    port: int
    seconds: float  # build and start-up, wall clock
    pids: list[int]


def up(directory: Path, kind: str, port: int | None = None) -> RunningLab:
    """Build a lab into *directory* and start serving it; raise LabError if anything fails."""
    began = time.monotonic()
    if directory.exists() and (why := distrust(directory)):
        raise LabError(f"refusing the lab directory: {why}")
    _refuse_if_running(directory)
    try:
        manifest = build_lab(directory)
    except OSError as error:
        raise LabError(f"cannot write the lab into {directory}: {error.strerror}") from error
    except SignerError as error:
        raise LabError(f"a real signer failed while building the lab: {error}") from error
    if kind == "builtin":
        chosen = port or BUILTIN_PORT
        started = _start_builtin(manifest, chosen)
        return RunningLab(manifest, kind, chosen, time.monotonic() - began, [started.pid])
    chosen = port or REAL_PORT
    try:
        real = start_real_lab(manifest, chosen)
    except RealLabError as error:
        raise LabError(str(error)) from error
    pids = [d.pid for d in real.state.daemons]
    return RunningLab(manifest, kind, chosen, time.monotonic() - began, pids)


def down(directory: Path) -> str:
    """Stop what `up` started from *directory*; say what was stopped."""
    stopped = []
    builtin = _load_builtin_state(directory)
    if builtin is not None:
        was_running = is_running(builtin)
        stop([builtin])
        (directory / BUILTIN_STATE).unlink(missing_ok=True)
        stopped.append(
            f"built-in server (pid {builtin.pid})"
            if was_running
            else f"built-in server (pid {builtin.pid} not running: nothing to stop)"
        )
    try:
        if stop_real_lab(directory):
            stopped.append("real servers")
    except RealLabError as error:
        raise LabError(str(error)) from error
    if not stopped:
        return f"No lab is running from {directory}."
    return f"Stopped the lab in {directory}: {', '.join(stopped)}."


def _refuse_if_running(directory: Path) -> None:
    builtin = _load_builtin_state(directory)
    if builtin is not None and is_running(builtin):
        raise LabError(
            f"a lab is already running from {directory} (built-in server pid {builtin.pid}):"
            " run `dnssec-doctor lab down` first"
        )
    try:
        real = RealLabState.load(directory)
    except RealLabError as error:
        raise LabError(str(error)) from error
    if real is not None and any(is_running(d) for d in real.daemons):
        raise LabError(
            f"a real-server lab is already running from {directory}:"
            " run `dnssec-doctor lab down` first"
        )


def _start_builtin(manifest: LabManifest, port: int) -> Started:
    directory = Path(manifest.directory)
    ready = directory / BUILTIN_READY
    ready.unlink(missing_ok=True)
    log_path = directory / BUILTIN_LOG
    command = [sys.executable, "-m", "dnssec_doctor.lab.server"]
    command += ["--dir", str(directory), "--port", str(port), "--ready-file", str(ready)]
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a terminal's Ctrl-C must not reach the lab
        )
    started = Started(
        name="builtin",
        kind="builtin",
        pid=proc.pid,
        start_time=start_time(proc.pid) or 0,
        config=str(directory / "lab.json"),
        log=str(log_path),
        command=tuple(command),
    )
    (directory / BUILTIN_STATE).write_text(json.dumps({**asdict(started), "port": port}) + "\n")
    deadline = time.monotonic() + READY_TIMEOUT
    while not ready.exists():
        if proc.poll() is not None:
            (directory / BUILTIN_STATE).unlink(missing_ok=True)
            raise LabError(f"the built-in server did not start: {log_tail(log_path, 1)}")
        if time.monotonic() > deadline:
            stop([started], {proc.pid: proc})
            (directory / BUILTIN_STATE).unlink(missing_ok=True)
            raise LabError(f"the built-in server was not ready after {READY_TIMEOUT:.0f} s")
        time.sleep(0.02)
    return started


def _load_builtin_state(directory: Path) -> Started | None:
    path = directory / BUILTIN_STATE
    try:
        text = path.read_text()
        why = distrust(path.parent, path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise LabError(f"unreadable lab state {path}: {error.strerror}") from error
    if why:
        raise LabError(f"lab state not trusted: {why}")
    try:
        raw = json.loads(text)
        raw.pop("port", None)
        raw["command"] = tuple(raw.get("command", ()))
        return Started(**raw)
    except (ValueError, TypeError, AttributeError) as error:
        raise LabError(f"unreadable lab state {path}: {error}") from error


def describe(lab: RunningLab) -> str:
    """What is running and how to point dig, delv and Unbound at it."""
    m = lab.manifest
    d = Path(m.directory)
    port = "" if lab.port == 53 else f" -p {lab.port}"
    servers = "built-in server" if lab.kind == "builtin" else "named, NSD and Knot"
    first = m.scenarios[0]
    ns1 = m.servers_of(first.zone)[0].address
    lines = [
        f"Lab up in {lab.seconds:.1f} s: {len(m.scenarios)} scenarios, {len(m.servers)} "
        f"nameserver addresses, {servers} on port {lab.port}.",
        f"  directory     {d}",
        f"  root hints    {d / 'root.hints'}",
        f"  trust anchor  {d / 'root.key'}  (DS and DNSKEY lines)",
        f"  for delv      {d / 'trust-anchors.conf'}",
        "Try:",
        f"  dig @{m.root_hints[0][1]}{port} +dnssec +norec . DNSKEY",
        f"  dig @{ns1}{port} +dnssec +norec {first.qname} {first.qtype}",
    ]
    if lab.kind == "real":
        lines += [
            f"  dig @{UNBOUND_ADDRESS} +dnssec {first.qname}     (Unbound, validating)",
            f"  delv @{RECURSOR_ADDRESS} -a {d / 'trust-anchors.conf'} +root=. {first.qname}",
        ]
    lines += ["  dnssec-doctor lab list", f"  dnssec-doctor lab down --dir {d}"]
    return "\n".join(lines)
