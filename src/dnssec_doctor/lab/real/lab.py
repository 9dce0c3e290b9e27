"""Serve a built lab with real servers (named, NSD, Knot) plus Unbound and a recursive named.

`start_real_lab` starts everything and returns once every address answers; the state file
in the lab directory lets a separate process (`lab down`) stop exactly what it started.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from dnssec_doctor.lab.manifest import LabManifest
from dnssec_doctor.lab.real import knot, named, nsd, sink, unbound
from dnssec_doctor.lab.real.addresses import add_to_lo, remove_from_lo
from dnssec_doctor.lab.real.anchors import write_anchor_files
from dnssec_doctor.lab.real.errors import RealLabError, find_binary, require_root
from dnssec_doctor.lab.real.layout import state_file
from dnssec_doctor.lab.real.ports import check_free
from dnssec_doctor.lab.real.process import DaemonSpec, is_running, spawn, stop
from dnssec_doctor.lab.real.readiness import Pending, wait_ready
from dnssec_doctor.lab.real.state import RealLabState

READY_TIMEOUT = 15.0


@dataclass
class RealLab:
    """A running real-server lab."""

    manifest: LabManifest
    port: int
    state: RealLabState
    procs: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    ready_after: dict[str, float] = field(default_factory=dict)  # daemon -> s from spawn
    startup_seconds: float = 0.0

    @property
    def directory(self) -> Path:
        return Path(self.manifest.directory)

    def stop(self) -> None:
        _teardown(self.state, self.procs)

    def __enter__(self) -> RealLab:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def plan(manifest: LabManifest, port: int, resolvers: bool = True) -> list[DaemonSpec]:
    """Every daemon the lab needs, authoritative servers (and the sink) first."""
    for server in manifest.servers:
        if not server.silent and server.software not in ("named", "nsd", "knot"):
            raise RealLabError(f"{server.address}: unknown software {server.software!r}")
    live = [s for s in manifest.servers if not s.silent]
    specs: list[DaemonSpec] = []
    named_servers = [s for s in live if s.software == "named"]
    if named_servers:
        specs.append(named.auth_spec(manifest, named_servers, port))
    specs += nsd.specs(manifest, [s for s in live if s.software == "nsd"], port)
    specs += knot.specs(manifest, [s for s in live if s.software == "knot"], port)
    silent = [s.address for s in manifest.servers if s.silent]
    if silent:
        specs.append(sink.spec(manifest, silent, port))
    if resolvers:
        specs += [unbound.spec(manifest, port), named.recursor_spec(manifest, port)]
    return specs


def start_real_lab(
    manifest: LabManifest, port: int = 53, resolvers: bool = True, timeout: float = READY_TIMEOUT
) -> RealLab:
    """Start the lab's servers; return when every address answers (or raise RealLabError)."""
    began = time.monotonic()
    if resolvers and port != 53:
        # Unbound always iterates to port 53: on another port the resolvers cannot work
        raise RealLabError(
            f"the resolvers need the lab on port 53 (asked for {port}); "
            "without resolvers (authoritative servers only) any port works"
        )
    specs = plan(manifest, port, resolvers)
    for program in dict.fromkeys(["ip", *(s.program for s in specs)]):
        find_binary(program)  # before root: a missing package is the first thing to fix
    require_root()
    lab = Path(manifest.directory)
    _clear_stale_state(lab)
    check_free([a for s in specs for a in s.addresses], port)

    write_anchor_files(manifest)
    for spec in specs:
        shutil.rmtree(spec.workdir, ignore_errors=True)  # ours: logs and pids of a past run
        spec.workdir.mkdir(parents=True)
        spec.config.write_text(spec.config_text)

    state = RealLabState(directory=str(lab), port=port)
    real = RealLab(manifest=manifest, port=port, state=state)
    try:
        addresses = sorted({a for s in specs for a in s.addresses})
        state.added_addresses = add_to_lo(addresses)
        state.save()
        resolver_kinds = ("unbound", "recursor")
        for batch in (
            [s for s in specs if s.kind not in resolver_kinds],
            [s for s in specs if s.kind in resolver_kinds],  # they need the servers up
        ):
            real.ready_after.update(_start_batch(batch, real, port, timeout))
    except BaseException:
        real.stop()
        raise
    real.startup_seconds = time.monotonic() - began
    return real


def _start_batch(
    specs: list[DaemonSpec], real: RealLab, port: int, timeout: float
) -> dict[str, float]:
    pending = []
    for spec in specs:
        started, proc = spawn(spec)
        real.procs[started.pid] = proc
        real.state.daemons.append(started)
        real.state.save()  # saved before waiting: an interrupted start can still be stopped
        pending.append(Pending(spec, started, proc, spawned_at=time.monotonic()))
    return wait_ready(pending, port, timeout) if pending else {}


def stop_real_lab(directory: Path) -> bool:
    """Stop the real-server lab started from *directory*; False when none was running."""
    state = RealLabState.load(directory)
    if state is None:
        return False
    require_root()
    _teardown(state, {})
    return True


def _teardown(state: RealLabState, procs: dict[int, subprocess.Popen[bytes]]) -> None:
    stop(state.daemons, procs)  # stop first: named must not lose its addresses while running
    remove_from_lo(state.added_addresses)
    state_file(Path(state.directory)).unlink(missing_ok=True)


def _clear_stale_state(lab: Path) -> None:
    state = RealLabState.load(lab)
    if state is None:
        return
    running = [d for d in state.daemons if is_running(d)]
    if running:
        pids = ", ".join(f"{d.name} pid {d.pid}" for d in running)
        raise RealLabError(
            f"a real-server lab is already running from {lab} ({pids}): stop it first (lab down)"
        )
    _teardown(state, {})  # a crashed run: remove the addresses it left
