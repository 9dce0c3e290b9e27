"""Benchmark `dnssec-doctor check` against DNSViz (`dnsviz probe` + `dnsviz grok`) on every
lab scenario, against the same servers, on plain loopback and with added delay.

Run as root from the repository (see bench/README.md)::

    .venv/bin/python bench/check_vs_dnsviz.py

Everything is served and queried inside a network namespace of our own
(``ddbench-<pid>``, only ``lo``, deleted at the end): the lab's built-in server on port 53
at every lab address, a packet capture on ``lo`` that counts what each tool really sent,
and, for the delay condition, ``tc netem`` on ``lo`` (or, on kernels without sch_netem,
an NFQUEUE delayer that holds each packet the same time: bench/nfqueue_delay.py).

The script runs twice: the outer process (in the host's namespace) installs what is
missing, creates and deletes the namespace; it re-runs itself with ``--inside`` in the
namespace, where the lab is built, served and measured.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, TextIO, TypeVar

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DNSVIZ_VENV = BENCH / ".venv-dnsviz"
DNSVIZ_REQUIREMENTS = BENCH / "requirements-dnsviz.txt"
# Debian packages: ip and tc, the capture, ping for the RTT, iptables for the NFQUEUE delay
SYSTEM_PACKAGES = ("iproute2", "tcpdump", "iputils-ping", "iptables")
DNSVIZ_SYSTEM_PACKAGES = ("graphviz", "libgraphviz-dev")  # pygraphviz builds against these
NFQUEUE_NUMBER = 53
GAP = 0.15  # seconds between two tool runs: every packet of one run is captured before the next
TOOL_TIMEOUT = 300.0  # seconds one tool may take on one name before it is stopped
TARGETS = {"loopback": 3.0, "delay": 10.0}  # the issue's targets: times faster than DNSViz
_PROBLEM_ENV = "DDBENCH_DNSVIZ_PROBLEM"


class BenchError(Exception):
    """The benchmark cannot go on; the message says why."""


def log(message: str) -> None:
    print(message, flush=True)


def run(
    command: Sequence[str | Path], check: bool = True, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, check=False, **kwargs
    )
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise BenchError(f"`{' '.join(map(str, command))}` failed: {' / '.join(detail)}")
    return result


# ---------------------------------------------------------------- outer: setup, namespace


def _dpkg_installed(package: str) -> bool:
    result = run(["dpkg-query", "-W", "-f=${db:Status-Status}", package], check=False)
    return result.returncode == 0 and result.stdout.strip() == "installed"


def ensure_system_packages(packages: Sequence[str]) -> None:
    missing = [p for p in packages if not _dpkg_installed(p)]
    if not missing:
        return
    log(f"installing Debian packages: {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)


def ensure_dnsviz() -> str | None:
    """Create bench/.venv-dnsviz with DNSViz when needed; None when it works, else why not."""
    python = DNSVIZ_VENV / "bin" / "python"
    check: list[str | Path] = [
        python,
        "-c",
        "import dnsviz.commands.probe, dnsviz.commands.grok, pygraphviz",
    ]
    try:
        if python.exists() and run(check, check=False).returncode == 0:
            return None
        ensure_system_packages(DNSVIZ_SYSTEM_PACKAGES)
        log(f"creating {DNSVIZ_VENV.relative_to(REPO)} from {DNSVIZ_REQUIREMENTS.name}")
        if not python.exists():
            base = getattr(sys, "_base_executable", sys.executable)
            run([base, "-m", "venv", DNSVIZ_VENV])
        run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"])
        run([python, "-m", "pip", "install", "-q", "-r", DNSVIZ_REQUIREMENTS])
        run(check)
    except (BenchError, OSError) as error:
        return str(error)
    return None


def outer(args: argparse.Namespace) -> int:
    if os.geteuid() != 0:
        log("check_vs_dnsviz: needs root (network namespace, port 53, packet capture)")
        return 2
    try:
        ensure_system_packages(SYSTEM_PACKAGES)
    except BenchError as error:
        log(f"check_vs_dnsviz: {error}")
        return 2
    compile_ours()
    problem = "skipped (--skip-dnsviz)" if args.skip_dnsviz else ensure_dnsviz()
    if problem:
        log(f"DNSViz will not run: {problem}")
    namespace = f"ddbench-{os.getpid()}"
    signal.signal(signal.SIGTERM, _interrupt)
    created = False
    inner_process: subprocess.Popen[bytes] | None = None
    try:
        run(["ip", "netns", "add", namespace])
        created = True
        run(["ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up"])
        command = [
            "ip",
            "netns",
            "exec",
            namespace,
            sys.executable,
            str(Path(__file__).resolve()),
            *sys.argv[1:],
            "--inside",
            namespace,
        ]
        env = {**os.environ, _PROBLEM_ENV: problem or ""}
        inner_process = subprocess.Popen(command, env=env)
        return inner_process.wait()
    except KeyboardInterrupt:
        log("interrupted: cleaning up")
        _quiet_signals()
        if inner_process is not None:
            _end_inner(inner_process)
        return 130
    except BenchError as error:
        log(f"check_vs_dnsviz: {error}")
        return 2
    finally:
        if created:
            _empty_namespace(namespace)
            run(["ip", "netns", "del", namespace], check=False)


def compile_ours() -> None:
    """Byte-compile our package, as an installed tool is (pip compiles what it installs,
    DNSViz's venv included; an editable install of ours does not, and with
    PYTHONDONTWRITEBYTECODE set every check would recompile it from source, ~50 ms)."""
    run([sys.executable, "-m", "compileall", "-q", str(REPO / "src")])


def _quiet_signals() -> None:
    """Cleaning up must not be cut short by a second Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _end_inner(process: subprocess.Popen[bytes]) -> None:
    """A Ctrl-C reached the inner run too (same process group) and it cleans up; a
    SIGTERM sent to this process alone is passed on."""
    for stop_signal in (None, signal.SIGINT, signal.SIGKILL):
        if stop_signal is not None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(stop_signal)
        try:
            process.wait(timeout=3 if stop_signal is None else 30)
            return
        except subprocess.TimeoutExpired:
            continue


def _empty_namespace(namespace: str) -> None:
    """Stop whatever still runs in our namespace (only what this benchmark started can be
    there), by PID, before deleting it."""
    pids = run(["ip", "netns", "pids", namespace], check=False).stdout.split()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid), sig)
        deadline = time.monotonic() + 5
        while pids and time.monotonic() < deadline:
            time.sleep(0.1)
            pids = run(["ip", "netns", "pids", namespace], check=False).stdout.split()
        if not pids:
            return


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


# ---------------------------------------------------------------- inner: results


@dataclass
class OurRun:
    wall: float
    cpu: float
    exit_code: int
    verdict: str = "?"
    cause: str = "?"
    warn: bool = False
    queries_self: int | None = None  # stats.queries
    rounds: int | None = None  # stats.rounds
    walk: float | None = None  # stats.seconds: the check inside the process
    queries: int | None = None  # from the packet capture
    tcp: int = 0
    error: str = ""


@dataclass
class DnsvizRun:
    wall: float  # probe + the assessment that gave the status
    cpu: float
    probe: float
    assess: float = 0.0
    assess_tool: str = "-"  # grok | print
    status: str = "?"
    verdict: str = "?"
    queries_json: int | None = None  # attempts recorded in the probe output
    queries: int | None = None  # from the packet capture
    tcp: int = 0
    error: str = ""
    note: str = ""


@dataclass
class Row:
    scenario: str
    qname: str
    qtype: str
    expected: str
    ours: OurRun
    dnsviz: DnsvizRun | None = None
    # with --repeat: every run's wall time; the run reported is the median one
    ours_walls: list[float] = field(default_factory=list)
    dnsviz_walls: list[float] = field(default_factory=list)


R = TypeVar("R", OurRun, DnsvizRun)


def median_run(runs: Sequence[R]) -> tuple[R, int]:
    """The run with the median wall time (the lower middle one of an even count) and
    its index: one whole run, so its time, queries and verdict belong together."""
    order = sorted(range(len(runs)), key=lambda i: runs[i].wall)
    chosen = order[(len(order) - 1) // 2]
    return runs[chosen], chosen


@dataclass
class Condition:
    name: str  # loopback | delay
    label: str
    delay_method: str = ""
    ping_rtt_ms: float | None = None
    dns_rtt_ms: float | None = None
    rows: list[Row] = field(default_factory=list)


# ---------------------------------------------------------------- inner: processes


class Processes:
    """Everything the inner run starts, stopped by PID in reverse order at the end."""

    def __init__(self) -> None:
        self.started: list[tuple[str, subprocess.Popen[bytes], signal.Signals]] = []

    def start(
        self,
        name: str,
        command: Sequence[str | Path],
        log_file: Path,
        stop_signal: signal.Signals = signal.SIGTERM,
        env: dict[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        with log_file.open("wb") as out:
            process = subprocess.Popen(
                [str(c) for c in command], stdout=out, stderr=subprocess.STDOUT, env=env
            )
        self.started.append((name, process, stop_signal))
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        for entry in list(self.started):
            if entry[1] is process:
                self.started.remove(entry)
                _stop(entry[1], entry[2])

    def stop_all(self) -> None:
        while self.started:
            _, process, stop_signal = self.started.pop()
            _stop(process, stop_signal)


def _stop(process: subprocess.Popen[bytes], stop_signal: signal.Signals) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(stop_signal)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_for(
    what: str, ready: Callable[[], bool], process: subprocess.Popen[bytes], log_file: Path
) -> None:
    deadline = time.monotonic() + 30
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log_file.read_text(errors="replace").strip().splitlines()[-5:]
            raise BenchError(f"{what} did not start: {' / '.join(tail) or 'no output'}")
        time.sleep(0.05)


# ---------------------------------------------------------------- inner: the lab


def build(workdir: Path) -> Any:
    from dnssec_doctor.lab.build import build_lab

    return build_lab(workdir / "lab")


def verify_lab(manifest: Any) -> str:
    """Ask every lab address for its zone's SOA (silent ones must stay silent)."""
    import dns.exception
    import dns.message
    import dns.query
    import dns.rcode

    answered, silent, problems = 0, 0, []
    for server in manifest.servers:
        origin = server.zones[0].origin
        query = dns.message.make_query(origin, "SOA")
        try:
            reply = dns.query.udp(query, server.address, timeout=0.5 if server.silent else 2)
        except dns.exception.Timeout:
            if server.silent:
                silent += 1
            else:
                problems.append(f"{server.address} ({origin}) does not answer")
            continue
        if server.silent:
            problems.append(f"{server.address} should be silent but answered")
        elif reply.rcode() != 0 or not reply.answer:
            problems.append(f"{server.address} ({origin}): {dns.rcode.to_text(reply.rcode())}")
        else:
            answered += 1
    if problems:
        raise BenchError("lab check failed: " + "; ".join(problems[:5]))
    return f"{answered} addresses answer their zone's SOA, {silent} silent as designed"


def dns_rtt_ms(address: str, samples: int = 15) -> float:
    import dns.message
    import dns.query

    times = []
    for _ in range(samples):
        query = dns.message.make_query(".", "SOA")
        began = time.perf_counter()
        dns.query.udp(query, address, timeout=5)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def ping_rtt_ms(address: str) -> float | None:
    result = run(["ping", "-n", "-q", "-c", "10", "-i", "0.05", address], check=False)
    found = re.search(r"= [\d.]+/([\d.]+)/", result.stdout)
    return float(found.group(1)) if found else None


# ---------------------------------------------------------------- inner: delay


@contextlib.contextmanager
def added_delay(
    delay_ms: float, processes: Processes, workdir: Path, condition: Condition
) -> Iterator[None]:
    """tc netem on lo when the kernel has it, else the NFQUEUE delayer: every packet
    held *delay_ms* once (a query and its answer each cross lo once)."""
    netem = run(
        ["tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", f"{delay_ms:g}ms"],
        check=False,
    )
    if netem.returncode == 0:
        condition.delay_method = f"tc netem delay {delay_ms:g}ms on lo"
        try:
            yield
        finally:
            run(["tc", "qdisc", "del", "dev", "lo", "root"], check=False)
        return
    why = netem.stderr.strip().splitlines()[-1] if netem.stderr.strip() else "failed"
    ready = workdir / "delay.ready"
    log_file = workdir / "delay.log"
    delayer = processes.start(
        "nfqueue delayer",
        [
            sys.executable,
            BENCH / "nfqueue_delay.py",
            "--queue",
            str(NFQUEUE_NUMBER),
            "--delay-ms",
            f"{delay_ms:g}",
            "--ready-file",
            ready,
        ],
        log_file,
    )
    _wait_for("the NFQUEUE delayer", ready.exists, delayer, log_file)
    rule = ["OUTPUT", "-o", "lo", "-j", "NFQUEUE", "--queue-num", str(NFQUEUE_NUMBER)]
    run(["iptables", "-A", *rule])
    condition.delay_method = (
        f"`tc qdisc add dev lo root netem` failed ({why}): every packet on lo held "
        f"{delay_ms:g} ms by bench/nfqueue_delay.py (iptables OUTPUT -o lo -j NFQUEUE)"
    )
    try:
        yield
    finally:
        run(["iptables", "-D", *rule], check=False)
        processes.stop(delayer)


# ---------------------------------------------------------------- inner: the two tools


class Tools:
    def __init__(self, workdir: Path, manifest: Any, dnsviz_problem: str, types: str) -> None:
        self.workdir = workdir
        self.manifest = manifest
        self.dnsviz_problem = dnsviz_problem
        self.types = types
        self.doctor = Path(sys.executable).parent / "dnssec-doctor"
        if not self.doctor.exists():
            found = shutil.which("dnssec-doctor")
            if found is None:
                raise BenchError("dnssec-doctor not found beside this Python or on PATH")
            self.doctor = Path(found)
        self.lab = Path(manifest.directory)
        self.dnsviz_python = DNSVIZ_VENV / "bin" / "python"
        self.dnsviz = DNSVIZ_VENV / "bin" / "dnsviz"
        self.trusted_keys = workdir / "trusted-keys.txt"
        self.share = workdir / "dnsviz-share"
        if not dnsviz_problem:
            self._dnsviz_share()

    def _dnsviz_share(self) -> None:
        """DNSViz's share directory (its own files), with the lab's hints and root key."""
        shipped = DNSVIZ_VENV / "share" / "dnsviz"
        if shipped.is_dir():
            shutil.copytree(shipped, self.share)
        (self.share / "hints").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.lab / "root.hints", self.share / "hints" / "named.root")
        keys = "\n".join(self.manifest.trust_anchor_dnskey) + "\n"
        self.trusted_keys.write_text(keys)
        (self.share / "trusted-keys").mkdir(exist_ok=True)
        (self.share / "trusted-keys" / "root.txt").write_text(keys)

    def ours(self, qname: str, qtype: str) -> OurRun:
        command: list[str | Path] = [self.doctor, "check", qname, qtype]
        command += ["--trust-anchor", self.lab / "root.key"]
        command += ["--root-hints", self.lab / "root.hints", "--json"]
        timed = timed_run(command)
        out = OurRun(wall=timed.wall, cpu=timed.cpu, exit_code=timed.returncode)
        try:
            report = json.loads(timed.stdout)
        except ValueError:
            out.error = timed.error or (timed.stderr.strip().splitlines() or ["no JSON"])[-1]
            return out
        stats = report.get("stats", {})
        out.verdict = str(report.get("verdict"))
        out.cause = str((report.get("cause") or {}).get("code"))
        out.warn = report.get("exit_code") == 1
        out.queries_self = stats.get("queries")
        out.rounds = stats.get("rounds")
        out.walk = stats.get("seconds")
        return out

    def dnsviz_run(self, qname: str, qtype: str, stem: str) -> DnsvizRun:
        import dnsviz_status

        probe_out = self.workdir / f"{stem}.probe.json"
        env = {
            **os.environ,
            "DNSVIZ_SHARE_PATH": str(self.share),
            "DDBENCH_A_ROOT_IPV4": self.manifest.root_hints[0][1],
            "DDBENCH_A_ROOT_IPV6": "::1",
        }
        types = ["-R", qtype] if self.types == "qtype" else []
        probe: list[str | Path] = [self.dnsviz_python, BENCH / "dnsviz_probe.py"]
        probe += ["-A", "-a", ".", "-4", *types, "-o", probe_out, qname]
        probed = timed_run(probe, env=env)
        out = DnsvizRun(wall=probed.wall, cpu=probed.cpu, probe=probed.wall)
        if probed.returncode != 0 or not probe_out.exists():
            tail = probed.error or (probed.stderr.strip().splitlines() or ["no output"])[-1]
            out.error = f"probe: {tail}"
            return out
        out.queries_json = _dnsviz_attempts(probe_out)
        assess: list[str | Path] = ["-P", "-t", self.trusted_keys, "-r", probe_out]
        grok_out = self.workdir / f"{stem}.grok.json"
        grok = timed_run([self.dnsviz, "grok", *assess, "-o", grok_out], env=env)
        if grok.returncode == 0 and grok_out.exists() and grok_out.stat().st_size:
            out.status = dnsviz_status.from_grok(json.loads(grok_out.read_text()), qname, qtype)
            out.assess_tool = "grok"
            assessed = grok
        else:
            failure = grok.error or (grok.stderr.strip().splitlines() or ["no output"])[-1]
            printed = timed_run([self.dnsviz, "print", *assess], env=env)
            out.status = dnsviz_status.from_print(printed.stdout, qname, qtype)
            out.assess_tool = "print"
            out.note = (
                f"grok failed after {grok.wall:.2f}s ({failure[:80]}); status from dnsviz print"
            )
            assessed = printed
        out.verdict = dnsviz_status.verdict(out.status)
        out.assess = assessed.wall
        out.wall += assessed.wall
        out.cpu += assessed.cpu
        return out


@dataclass
class Timed:
    returncode: int
    stdout: str
    stderr: str
    wall: float  # seconds, from start to the end of the process
    cpu: float  # user + system seconds of the process and the children it waited for
    error: str = ""


def timed_run(command: Sequence[str | Path], env: dict[str, str] | None = None) -> Timed:
    """Run one tool: its wall time, and its CPU time from the children's rusage (the
    tools run one at a time; the server, tcpdump and the delayer are reaped only at the
    end, so they never count)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    error = ""
    try:
        result = subprocess.run(
            [str(c) for c in command],
            capture_output=True,
            text=True,
            env=env,
            timeout=TOOL_TIMEOUT,
            check=False,
        )
        returncode, stdout, stderr = result.returncode, result.stdout, result.stderr
    except subprocess.TimeoutExpired as expired:
        returncode, stdout, stderr = -1, "", str(expired.stderr or "")
        error = f"timed out after {TOOL_TIMEOUT:g}s"
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(returncode, stdout, stderr, wall, cpu, error)


def _dnsviz_attempts(probe_json: Path) -> int:
    """Queries DNSViz recorded: per query, server and client, the answered (or failed)
    attempt plus each earlier attempt in its `history` (retries, EDNS fallbacks). The
    resolver DNSViz uses to find the servers is not recorded there."""
    total = 0
    for name, entry in json.loads(probe_json.read_text()).items():
        if name.startswith("_meta") or not isinstance(entry, dict):
            continue
        for query in entry.get("queries", []):
            for clients in query.get("responses", {}).values():
                for response in clients.values():
                    total += 1 + len(response.get("history", []))
    return total


# ---------------------------------------------------------------- inner: the run


def inner(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(BENCH))
    import pcapcount

    signal.signal(signal.SIGTERM, _interrupt)
    processes = Processes()
    workdir = Path(tempfile.mkdtemp(prefix="ddbench-"))
    dnsviz_problem = os.environ.get(_PROBLEM_ENV, "")
    try:
        here = run(["ip", "netns", "identify", str(os.getpid())], check=False).stdout.strip()
        if here != args.inside:  # never serve port 53 on the host's loopback
            raise BenchError(f"--inside {args.inside}: this process is not in that namespace")
        log(f"network namespace {args.inside}; work directory {workdir}")
        loads = os.getloadavg()
        began = time.monotonic()
        manifest = build(workdir)
        scenarios = [s for s in manifest.scenarios if not args.scenario or s.id in args.scenario]
        if not scenarios:
            raise BenchError(f"no scenario matches {args.scenario}")
        log(f"lab built in {time.monotonic() - began:.1f}s: {len(manifest.servers)} addresses")
        ready = workdir / "server.ready"
        server_log = workdir / "server.log"
        server = processes.start(
            "lab server",
            [
                sys.executable,
                "-m",
                "dnssec_doctor.lab.server",
                "--dir",
                manifest.directory,
                "--port",
                "53",
                "--ready-file",
                ready,
            ],
            server_log,
        )
        _wait_for("the lab server", ready.exists, server, server_log)
        log(f"lab server (pid {server.pid}) on port 53: {verify_lab(manifest)}")
        pcap = workdir / "capture.pcap"
        capture_log = workdir / "tcpdump.log"
        tcpdump = processes.start(
            "tcpdump",
            [
                "tcpdump",
                "-i",
                "lo",
                "-n",
                "-U",
                "--immediate-mode",
                "-s",
                "0",
                "-B",
                "32768",
                "-w",
                pcap,
                "port 53",
            ],
            capture_log,
            stop_signal=signal.SIGINT,
        )
        _wait_for(
            "tcpdump", lambda: "listening on" in capture_log.read_text(), tcpdump, capture_log
        )
        tools = Tools(workdir, manifest, dnsviz_problem, args.dnsviz_types)
        windows: list[pcapcount.Window] = []

        def window(label: str, start: float) -> None:
            time.sleep(GAP)
            windows.append(pcapcount.Window(label, start, time.time()))

        start = time.time()  # untimed warm-up: page cache, .pyc files
        tools.ours(scenarios[0].qname, scenarios[0].qtype)
        if not dnsviz_problem:
            tools.dnsviz_run(scenarios[0].qname, scenarios[0].qtype, "warmup")
        window("warmup", start)

        conditions = []
        chosen: dict[tuple[str, str, str], int] = {}  # which repeat each row reports
        for name in args.conditions:
            label = "loopback" if name == "loopback" else f"+{args.delay_ms:g} ms per packet"
            condition = Condition(name, label)
            conditions.append(condition)
            delay: contextlib.AbstractContextManager[None] = (
                added_delay(args.delay_ms, processes, workdir, condition)
                if name == "delay"
                else contextlib.nullcontext()
            )
            with delay:
                start = time.time()
                condition.ping_rtt_ms = ping_rtt_ms(manifest.root_hints[0][1])
                condition.dns_rtt_ms = dns_rtt_ms(manifest.root_hints[0][1])
                window(f"{name}/rtt", start)
                log(
                    f"== {condition.label}: RTT ping {_ms(condition.ping_rtt_ms)}, "
                    f"DNS query {_ms(condition.dns_rtt_ms)} (median)"
                    + (f"; {condition.delay_method}" if condition.delay_method else "")
                )
                for index, scenario in enumerate(scenarios, start=1):
                    ours_runs: list[OurRun] = []
                    viz_runs: list[DnsvizRun] = []
                    for repeat in range(args.repeat):  # the tools alternate
                        start = time.time()
                        ours_runs.append(tools.ours(scenario.qname, scenario.qtype))
                        window(f"{name}/{scenario.id}/ours/{repeat}", start)
                        if not dnsviz_problem:
                            start = time.time()
                            stem = f"{name}-{scenario.id}-{repeat}"
                            viz_runs.append(tools.dnsviz_run(scenario.qname, scenario.qtype, stem))
                            window(f"{name}/{scenario.id}/dnsviz/{repeat}", start)
                    ours, ours_index = median_run(ours_runs)
                    row = Row(
                        scenario.id,
                        scenario.qname,
                        scenario.qtype,
                        str(scenario.outcome) + (" (warn)" if scenario.warn else ""),
                        ours,
                        ours_walls=[r.wall for r in ours_runs],
                    )
                    chosen[(name, scenario.id, "ours")] = ours_index
                    if viz_runs:
                        row.dnsviz, viz_index = median_run(viz_runs)
                        row.dnsviz_walls = [r.wall for r in viz_runs]
                        chosen[(name, scenario.id, "dnsviz")] = viz_index
                    condition.rows.append(row)
                    log(_progress(index, len(scenarios), row))
        start = time.time()
        drain_capture(pcap, tcpdump)
        window("end-marker", start)
        processes.stop(tcpdump)
        capture_note = _capture_stats(capture_log.read_text(errors="replace"))
        by_label = {w.label: w for w in windows}
        outside = pcapcount.count(list(pcapcount.read_packets(pcap)), windows)
        lab_addresses = set(manifest.addresses())
        measured = [w for w in windows if w.label != "end-marker"]
        destinations = {d for w in measured for d in w.destinations} | {p.dst for p in outside}
        strays = sorted(destinations - lab_addresses)
        for condition in conditions:
            for row in condition.rows:
                key = f"{condition.name}/{row.scenario}"
                ours_window = by_label[
                    f"{key}/ours/{chosen[(condition.name, row.scenario, 'ours')]}"
                ]
                row.ours.queries, row.ours.tcp = ours_window.queries, ours_window.tcp_queries
                if row.dnsviz is not None:
                    repeat = chosen[(condition.name, row.scenario, "dnsviz")]
                    viz = by_label[f"{key}/dnsviz/{repeat}"]
                    row.dnsviz.queries, row.dnsviz.tcp = viz.queries, viz.tcp_queries
        report(conditions, args, dnsviz_problem, capture_note, outside, strays, loads)
        if args.json_out:
            args.json_out.write_text(
                json.dumps([asdict(c) for c in conditions], indent=2, default=str) + "\n"
            )
            log(f"results written to {args.json_out}")
        return 0
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except BenchError as error:
        log(f"check_vs_dnsviz: {error}")
        return 2
    finally:
        _quiet_signals()
        processes.stop_all()
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def drain_capture(pcap: Path, tcpdump: subprocess.Popen[bytes]) -> None:
    """Wait until tcpdump has written out everything sent so far: a marker datagram sent
    now (to 127.0.0.1 port 53, where nothing listens) shows up in the file. tcpdump drops
    what it has not read yet when it is stopped."""
    import pcapcount

    marker = f"ddbench-end-{os.getpid()}-{time.time()}".encode()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(marker, ("127.0.0.1", 53))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and tcpdump.poll() is None:
        if any(p.payload == marker for p in pcapcount.read_packets(pcap)):
            return
        time.sleep(0.2)
    raise BenchError("the packet capture did not catch up: the query counts would be short")


def _capture_stats(text: str) -> str:
    numbers = dict(
        (what, int(n))
        for n, what in re.findall(r"(\d+) packets? (captured|received by filter|dropped)", text)
    )
    return (
        f"{numbers.get('captured', '?')} packets captured, "
        f"{numbers.get('dropped', '?')} dropped by the kernel"
    )


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} ms"


def _progress(index: int, total: int, row: Row) -> str:
    verdict = row.ours.error or row.ours.verdict + (" (warn)" if row.ours.warn else "")
    text = f"  [{index:>2}/{total}] {row.scenario:<26} ours {row.ours.wall:6.2f}s {verdict:<15}"
    if row.dnsviz is not None:
        status = row.dnsviz.error or row.dnsviz.status
        text += f" | DNSViz {row.dnsviz.wall:6.2f}s {status}"
    return text


# ---------------------------------------------------------------- report


def _x(numerator: float | None, denominator: float | None) -> str:
    if not numerator or not denominator:
        return "-"
    return f"{numerator / denominator:.1f}x"


def _n(value: float | None, width: int, digits: int = 2) -> str:
    if value is None:
        return "-".rjust(width)
    return f"{value:{width}.{digits}f}" if isinstance(value, float) else f"{value:>{width}}"


def _compared(rows: Sequence[Row]) -> list[tuple[Row, DnsvizRun]]:
    return [(r, r.dnsviz) for r in rows if r.dnsviz is not None and not r.dnsviz.error]


_HEAD1 = (
    f"{'':<26} {'':<14}| {'dnssec-doctor check':<33}| {'DNSViz probe + grok':<32}"
    f"| {'DNSViz/ours':<12}| verdicts"
)
_HEAD2 = (
    f"{'scenario':<26} {'expected':<14}| {'wall':>5} {'cpu':>5} {'walk':>5} {'q':>4} "
    f"{'self':>4} {'rnd':>3} | {'wall':>6} {'cpu':>5} {'probe':>5} {'q':>4} {'json':>4} "
    f"| {'time':>5} {'q':>5} | {'ours':<15} {'DNSViz':<9}"
)


def _line(
    label: str,
    expected: str,
    ours: tuple[float, float, float | None, int | None, int | None, int | None],
    dnsviz: tuple[float, float, float, int | None, int | None] | None,
    verdicts: str,
) -> str:
    wall, cpu, walk, queries, own, rounds = ours
    text = (
        f"{label:<26} {expected:<14}| {wall:5.2f} {cpu:5.2f} {_n(walk, 5)} "
        f"{_n(queries, 4)} {_n(own, 4)} {_n(rounds, 3)} | "
    )
    if dnsviz is None:
        return (
            text + f"{'-':>6} {'-':>5} {'-':>5} {'-':>4} {'-':>4} | {'-':>5} {'-':>5} | {verdicts}"
        )
    v_wall, v_cpu, probe, v_queries, v_json = dnsviz
    return text + (
        f"{v_wall:6.2f} {v_cpu:5.2f} {probe:5.2f} {_n(v_queries, 4)} {_n(v_json, 4)} | "
        f"{_x(v_wall, wall):>5} {_x(v_queries, queries):>5} | {verdicts}"
    )


def report(
    conditions: Sequence[Condition],
    args: argparse.Namespace,
    dnsviz_problem: str,
    capture_note: str,
    outside: Sequence[Any],
    strays: Sequence[str],
    loads: tuple[float, float, float],
    out: TextIO = sys.stdout,
) -> None:
    def say(text: str = "") -> None:
        print(text, file=out)

    say()
    for condition in conditions:
        say(
            f"=== {condition.label}: RTT to 127.53.0.1: ping {_ms(condition.ping_rtt_ms)} "
            f"(mean of 10), DNS query {_ms(condition.dns_rtt_ms)} (median of 15)"
        )
        if condition.delay_method:
            say(f"    delay: {condition.delay_method}")
        say(_HEAD1)
        say(_HEAD2)
        say("-" * len(_HEAD2))
        for row in condition.rows:
            o, v = row.ours, row.dnsviz
            ours_verdict = "ERROR" if o.error else o.verdict + (" (warn)" if o.warn else "")
            verdicts = f"{ours_verdict:<15} "
            figures = None
            if v is not None:
                verdicts += "ERROR" if v.error else f"{v.status:<9}"
                verdicts += " " + ("=" if v.verdict == o.verdict else "≠")
                verdicts += " *" if v.assess_tool == "print" else ""
                figures = (v.wall, v.cpu, v.probe, v.queries, v.queries_json)
            ours = (o.wall, o.cpu, o.walk, o.queries, o.queries_self, o.rounds)
            say(_line(row.scenario, row.expected, ours, figures, verdicts))
        _totals(condition, say)
        say()
    if any(v.assess_tool == "print" for c in conditions for _, v in _compared(c.rows)):
        say(
            "* `dnsviz grok` failed (KeyError in 0.11.2 on an unsigned zone below a signed "
            "parent): the status is read from `dnsviz print`, whose time is counted instead."
        )
    _summary(conditions, say)
    say()
    say(
        "wall: the whole process, start-up included (DNSViz: probe + grok); cpu: user+system "
        "seconds; walk: stats.seconds (the check inside the process); q: queries counted in "
        "the packet capture (UDP datagrams + DNS messages in TCP streams to port 53); self: "
        "stats.queries; json: attempts recorded in DNSViz's probe output; rnd: stats.rounds; "
        "DNSViz/ours: ratios (time: how many times faster we are)"
    )
    say(
        f"capture: {capture_note}; {len(outside)} port-53 packets outside the tool runs' "
        f"windows; destinations outside the lab: {', '.join(strays) if strays else 'none'}"
    )
    say(f"DNSViz: {'not run: ' + dnsviz_problem if dnsviz_problem else _dnsviz_mode(args)}")
    if args.repeat > 1:
        say(
            f"each tool ran {args.repeat} times per name and condition, alternating; every "
            "figure of a row is that tool's run with the median wall time"
        )
    now = os.getloadavg()
    say(f"load average (1 min) at start {loads[0]:.2f}, at the end {now[0]:.2f} (2 cores, shared)")


def _dnsviz_mode(args: argparse.Namespace) -> str:
    types = "-R <the scenario's type>" if args.dnsviz_types == "qtype" else "its default types"
    return f"dnsviz probe -A -a . -4 {types} (lab hints), dnsviz grok -P -t <lab root DNSKEY>"


def _totals(condition: Condition, say: Callable[[str], None]) -> None:
    rows = condition.rows
    rounds = [r.ours.rounds for r in rows if r.ours.rounds is not None]
    ours = (
        sum(r.ours.wall for r in rows),
        sum(r.ours.cpu for r in rows),
        sum(r.ours.walk or 0.0 for r in rows),
        sum(r.ours.queries or 0 for r in rows),
        sum(r.ours.queries_self or 0 for r in rows),
        sum(rounds),
    )
    compared = _compared(rows)
    figures = None
    if compared:
        figures = (
            sum(v.wall for _, v in compared),
            sum(v.cpu for _, v in compared),
            sum(v.probe for _, v in compared),
            sum(v.queries or 0 for _, v in compared),
            sum(v.queries_json or 0 for _, v in compared),
        )
    say("-" * len(_HEAD2))
    say(_line(f"TOTAL ({len(rows)} names)", "", ours, figures, ""))
    declared = sum(1 for r in rows if r.expected.split()[0] == r.ours.verdict)
    tcp = sum(r.ours.tcp for r in rows)
    say(
        f"  ours: verdict as the lab declares it on {declared}/{len(rows)} names; "
        f"{min(rounds, default=0)}-{max(rounds, default=0)} rounds per name; "
        f"{tcp} of the queries over TCP"
    )
    if not compared:
        return
    speedups = sorted(v.wall / r.ours.wall for r, v in compared)
    target = TARGETS[condition.name]
    met = sum(1 for s in speedups if s >= target)
    say(
        f"  DNSViz wall / ours per name: median {statistics.median(speedups):.2f}x, "
        f"min {speedups[0]:.2f}x, max {speedups[-1]:.2f}x; the target ({target:g}x) is met "
        f"on {met}/{len(speedups)} names"
    )
    agree = [r.scenario for r, v in compared if v.verdict == r.ours.verdict]
    differ = [
        f"{r.scenario} ({r.ours.verdict}/{v.status})"
        for r, v in compared
        if r.scenario not in agree
    ]
    declared_viz = sum(1 for r, v in compared if r.expected.split()[0] == v.verdict)
    say(
        f"  verdicts: ours = DNSViz on {len(agree)}/{len(compared)} names"
        + (f" (differ: {', '.join(differ)})" if differ else "")
        + f"; DNSViz as the lab declares on {declared_viz}/{len(compared)}; "
        f"DNSViz sent {sum(v.tcp for _, v in compared)} queries over TCP"
    )


def _summary(conditions: Sequence[Condition], say: Callable[[str], None]) -> None:
    say("=== summary (DNSViz/ours: how many times faster, how many times fewer queries)")
    header = (
        f"{'condition':<20} {'RTT ping':>9} {'RTT DNS':>9} | {'ours s':>7} {'DNSViz s':>8} "
        f"{'total':>6} {'median':>6} {'min':>6} {'target':>6} {'met':>6} | {'ours q':>6} "
        f"{'DNSViz q':>8} {'q':>5} | {'total w/o silent-ns':>19}"
    )
    say(header)
    say("-" * len(header))
    for condition in conditions:
        compared = _compared(condition.rows)
        line = (
            f"{condition.label:<20} {_ms(condition.ping_rtt_ms):>9} "
            f"{_ms(condition.dns_rtt_ms):>9} | "
        )
        if not compared:
            ours_wall = sum(r.ours.wall for r in condition.rows)
            say(line + f"{ours_wall:7.2f} (no DNSViz figures)")
            continue
        ours_wall = sum(r.ours.wall for r, _ in compared)
        viz_wall = sum(v.wall for _, v in compared)
        speedups = sorted(v.wall / r.ours.wall for r, v in compared)
        target = TARGETS[condition.name]
        met = sum(1 for s in speedups if s >= target)
        ours_q = sum(r.ours.queries or 0 for r, _ in compared)
        viz_q = sum(v.queries or 0 for _, v in compared)
        rest = [(r, v) for r, v in compared if r.scenario != "silent-nameserver"]
        rest_x = _x(sum(v.wall for _, v in rest), sum(r.ours.wall for r, _ in rest))
        say(
            line + f"{ours_wall:7.2f} {viz_wall:8.2f} {_x(viz_wall, ours_wall):>6} "
            f"{statistics.median(speedups):5.2f}x {speedups[0]:5.2f}x {target:5g}x "
            f"{f'{met}/{len(speedups)}':>6} | {ours_q:>6} {viz_q:>8} {_x(viz_q, ours_q):>5} | "
            f"{rest_x:>19}"
        )


# ---------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--conditions", nargs="+", choices=["loopback", "delay"], default=["loopback", "delay"]
    )
    parser.add_argument("--delay-ms", type=float, default=20.0, help="per packet (20)")
    parser.add_argument("--scenario", action="append", help="only this scenario (repeatable)")
    parser.add_argument(
        "--dnsviz-types",
        choices=["qtype", "default"],
        default="qtype",
        help="DNSViz asks the scenario's type (-R TYPE, default) or its own default types",
    )
    parser.add_argument("--skip-dnsviz", action="store_true", help="our figures only")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="runs of each tool per name and condition, alternating; the median run is "
        "reported (1)",
    )
    parser.add_argument("--json-out", type=Path, help="write every figure as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--inside", metavar="NAMESPACE", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.json_out is not None:
        args.json_out = args.json_out.resolve()
    return inner(args) if args.inside else outer(args)


if __name__ == "__main__":
    sys.exit(main())
