"""Starting, recognising and stopping the lab's daemons.

Daemons run in the foreground as children in their own session (so a terminal's Ctrl-C
does not reach them), with stdout and stderr appended to their log.  A PID alone could be
reused after the daemon dies, so a daemon is known by its PID *and* its start time
(/proc/PID/stat field 22), and by the program it runs (/proc/PID/exe) and, for our own
Python daemons, its command line: `lab down` stops exactly the processes the lab started,
and a forged state file cannot make it signal anything else.  State files are believed
only when they and their directory belong to us and nobody else may write them.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import stat
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from dnssec_doctor.lab.real.errors import RealLabError, find_binary

STOP_GRACE_SECONDS = 5.0
LOG_TAIL_LINES = 5
# what servers write when something is wrong (named, NSD, Knot, Unbound, Python)
_ERROR_WORDS = re.compile(
    r"\b(errors?|fail\w*|fatal|not loaded|denied|cannot|could not|unable|traceback)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DaemonSpec:
    """One daemon to run: its program, arguments, config file and what it listens on."""

    name: str  # unique in the lab, e.g. "named-auth", "nsd-1"
    kind: str  # named | nsd | knot | unbound | recursor | sink
    program: str  # looked up on PATH
    args: list[str]
    config: Path
    config_text: str
    log: Path
    workdir: Path
    addresses: list[str]  # where it listens
    # (address, zone origin) pairs to ask SOA before the daemon counts as ready
    zones: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Started:
    """A daemon the lab started, as recorded in the state file."""

    name: str
    kind: str
    pid: int
    start_time: int  # clock ticks since boot, /proc/PID/stat field 22
    config: str
    log: str
    # what was executed, [program, *args]; empty in state files of older versions, whose
    # processes are then not recognised as ours
    command: tuple[str, ...] = ()


def spawn(spec: DaemonSpec) -> tuple[Started, subprocess.Popen[bytes]]:
    program = find_binary(spec.program)
    spec.workdir.mkdir(parents=True, exist_ok=True)
    with open(spec.log, "ab") as log:
        proc = subprocess.Popen(
            [program, *spec.args],
            cwd=spec.workdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    started = Started(
        name=spec.name,
        kind=spec.kind,
        pid=proc.pid,
        start_time=start_time(proc.pid) or 0,
        config=str(spec.config),
        log=str(spec.log),
        command=(program, *spec.args),
    )
    return started, proc


def start_time(pid: int) -> int | None:
    """The process's start time, or None when there is no such (live) process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses: split after the last ')'
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":  # a zombie has exited; only its parent's wait() is missing
        return None
    return int(fields[19])


#: Kinds whose command line is ours to know: third-party daemons may rewrite theirs
#: (process titles), so for them the executable alone is compared.
_OWN_COMMAND_LINE = frozenset({"builtin", "sink"})


def is_running(started: Started) -> bool:
    """The process recorded in *started* is alive and is the one we started."""
    if not started.command or start_time(started.pid) != started.start_time:
        return False
    try:
        exe = os.path.realpath(f"/proc/{started.pid}/exe", strict=True)
        cmdline = Path(f"/proc/{started.pid}/cmdline").read_bytes()
    except OSError:  # gone, or not ours to inspect
        return False
    if exe != os.path.realpath(started.command[0]):
        return False
    if started.kind in _OWN_COMMAND_LINE:
        return cmdline.split(b"\0")[:-1] == [os.fsencode(a) for a in started.command]
    return True


def distrust(*paths: Path) -> str | None:
    """Why the existing *paths* (a state file and its directory, or a lab directory) must
    not be believed, or None if they may: each must be ours and writable by nobody else,
    so that a forged state in a shared directory cannot make `lab down` signal another
    user's process."""
    me = os.geteuid()
    for item in paths:
        info = item.lstat()
        if stat.S_ISLNK(info.st_mode):
            return f"{item} is a symbolic link"
        if info.st_uid != me:
            return f"{item} belongs to uid {info.st_uid}, not to us ({me})"
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return f"{item} is writable by others (mode {stat.S_IMODE(info.st_mode):o})"
    return None


def stop(started: list[Started], procs: dict[int, subprocess.Popen[bytes]] | None = None) -> None:
    """SIGTERM each daemon that is still the one we started, then SIGKILL what lingers."""
    procs = procs or {}
    alive = [s for s in started if is_running(s)]
    for s in alive:
        _signal(s.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    while alive and time.monotonic() < deadline:
        for s in alive:
            if s.pid in procs:
                procs[s.pid].poll()  # reap our own children so they do not linger as zombies
        alive = [s for s in alive if is_running(s)]
        if alive:
            time.sleep(0.05)
    for s in alive:
        _signal(s.pid, signal.SIGKILL)
    for s in started:
        if s.pid in procs:
            try:
                procs[s.pid].wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired as exc:
                raise RealLabError(f"{s.name} (pid {s.pid}) did not stop") from exc


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def log_tail(path: Path | str, lines: int = LOG_TAIL_LINES) -> str:
    """The log's last error lines (else its last lines), joined for a one-line message."""
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return "(no log)"
    all_lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in all_lines if _ERROR_WORDS.search(line)]
    tail = (errors or all_lines)[-lines:]
    return " | ".join(tail) if tail else "(empty log)"


def failed_to_start(started: Started, why: str) -> RealLabError:
    return RealLabError(
        f"{started.name} {why} (config {started.config}, log {started.log}): "
        f"{log_tail(started.log)}"
    )
