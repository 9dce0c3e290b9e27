"""The resident engine against DNSViz, the same names in one process each: every lab
scenario name checked by one `dnssec-doctor scan` (one process, the run's shared
root/TLD answers, --jobs 8) and by one `dnsviz probe` of all the names (its default, one thread: with -t 8 its process pool dropped names and once hung) followed by
one `dnsviz grok`, on plain loopback and with a delay added per packet.

Run as root from the repository::

    .venv/bin/python bench/resident_vs_dnsviz.py [--dnsviz-venv /work/tmp/dnsviz-venv]
        [--conditions loopback delay] [--delay-ms 20]

Confinement is bench/check_vs_dnsviz.py's, reused from it: a network namespace of our
own with only ``lo`` (no route anywhere else, deleted at the end), the lab's built-in
server on port 53 at the lab's addresses inside it, DNSViz given the lab's root hints
(its share directory) and the lab's root key (``grok -t``), and its connectivity test
pointed at the lab (bench/dnsviz_probe.py, which refuses to run without lab hints).
The DNSViz environment is a venv of its own (``--dnsviz-venv``; it is never a project
dependency): ``python3 -m venv DIR && DIR/bin/pip install dnsviz==0.11.2
dnspython cryptography`` (grok needs no pygraphviz).
Printed: wall and CPU per name for each tool, the verdicts compared, and the ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import check_vs_dnsviz as base  # noqa: E402  (the namespace, the lab, the confinement)
import dnsviz_status  # noqa: E402


def outer(args: argparse.Namespace) -> int:
    if os.geteuid() != 0:
        print("resident_vs_dnsviz: needs root (network namespace, port 53)")
        return 2
    python = args.dnsviz_venv / "bin" / "python"
    probe = [str(python), "-c", "import dnsviz.commands.probe, dnsviz.commands.grok"]
    if subprocess.run(probe, capture_output=True, check=False).returncode != 0:
        print(f"resident_vs_dnsviz: no DNSViz in {args.dnsviz_venv} (see --help)")
        return 2
    namespace = f"ddresident-{os.getpid()}"
    base.run(["ip", "netns", "add", namespace])
    try:
        base.run(["ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up"])
        command = ["ip", "netns", "exec", namespace, sys.executable, __file__, *sys.argv[1:],
                   "--inside", namespace]  # fmt: skip
        return subprocess.run(command, check=False).returncode
    finally:
        base._empty_namespace(namespace)
        base.run(["ip", "netns", "del", namespace], check=False)


def inner(args: argparse.Namespace) -> int:
    here = base.run(["ip", "netns", "identify", str(os.getpid())], check=False).stdout.strip()
    if here != args.inside:  # never serve port 53 on the host's loopback
        print(f"--inside {args.inside}: this process is not in that namespace")
        return 2
    base.DNSVIZ_VENV = args.dnsviz_venv  # Tools reads it: DNSViz from its own venv
    processes = base.Processes()
    workdir = Path(tempfile.mkdtemp(prefix="ddresident-"))
    try:
        manifest = base.build(workdir)
        ready, server_log = workdir / "server.ready", workdir / "server.log"
        server = processes.start(
            "lab server",
            [sys.executable, "-m", "dnssec_doctor.lab.server", "--dir", manifest.directory,
             "--port", "53", "--ready-file", ready],
            server_log,
        )  # fmt: skip
        base._wait_for("the lab server", ready.exists, server, server_log)
        print(f"lab server on port 53 in {args.inside}: {base.verify_lab(manifest)}")
        tools = base.Tools(workdir, manifest, "", "qtype")
        scenarios = list(manifest.scenarios)
        names = workdir / "names.txt"
        names.write_text("".join(f"{s.qname} {s.qtype}\n" for s in scenarios))
        ours(tools, names)  # warm-up: page cache, .pyc files
        results: dict[str, Any] = {}
        for condition_name in args.conditions:
            condition = base.Condition(condition_name, condition_name)
            delay: contextlib.AbstractContextManager[None] = (
                base.added_delay(args.delay_ms, processes, workdir, condition)
                if condition_name == "delay"
                else contextlib.nullcontext()
            )
            with delay:
                mine = ours(tools, names)
                theirs = dnsviz(tools, scenarios, workdir, condition_name)
            results[condition_name] = report(condition_name, args, scenarios, mine, theirs)
        print(json.dumps(results, indent=1))
        return 0
    finally:
        processes.stop_all()


def ours(tools: Any, names: Path) -> dict[str, Any]:
    lab = tools.lab
    command = [tools.doctor, "scan", "-f", names, "--json", "--trust-anchor",
               lab / "root.key", "--root-hints", lab / "root.hints", "--jobs", "8"]  # fmt: skip
    timed = base.timed_run(command)
    doc = json.loads(timed.stdout)
    verdicts = {(r["name"], r["type"]): (r["check"] or {}).get("verdict") for r in doc["results"]}
    return {"wall": timed.wall, "cpu": timed.cpu, "verdicts": verdicts}


def dnsviz(tools: Any, scenarios: list[Any], workdir: Path, label: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "DNSVIZ_SHARE_PATH": str(tools.share),
        "DDBENCH_A_ROOT_IPV4": tools.manifest.root_hints[0][1],
        "DDBENCH_A_ROOT_IPV6": "::1",
    }
    probe_out, grok_out = workdir / f"{label}.probe.json", workdir / f"{label}.grok.json"
    types = ",".join(sorted({s.qtype for s in scenarios}))
    probe = [tools.dnsviz_python, BENCH / "dnsviz_probe.py", "-A", "-a", ".", "-4",
             "-R", types, "-o", probe_out, *[s.qname for s in scenarios]]  # fmt: skip
    probed = base.timed_run(probe, env=env)
    if probed.returncode != 0 or not probe_out.exists():
        raise SystemExit(f"dnsviz probe failed: {probed.stderr.strip()[-300:]}")
    probed_names = set(json.loads(probe_out.read_text()))
    missing = [s.qname for s in scenarios if s.qname not in probed_names]
    if missing:
        print(f"dnsviz probe left out {len(missing)} name(s): {', '.join(missing)}")
        print("  its stderr ends: " + " / ".join(probed.stderr.strip().splitlines()[-3:]))
    grok = [tools.dnsviz, "grok", "-P", "-t", tools.trusted_keys, "-r", probe_out, "-o", grok_out]
    grokked = base.timed_run(grok, env=env)
    verdicts: dict[tuple[str, str], str | None] = {}
    assessed, tool = grokked, "grok"
    if grokked.returncode == 0 and grok_out.exists() and grok_out.stat().st_size:
        doc = json.loads(grok_out.read_text())
        for s in scenarios:
            verdicts[(s.qname, s.qtype)] = dnsviz_status.verdict(
                dnsviz_status.from_grok(doc, s.qname, s.qtype)
            )
    else:  # grok 0.11.2 fails on an unsigned zone below a signed one (KeyError): print
        printed = base.timed_run(
            [tools.dnsviz, "print", "-P", "-t", tools.trusted_keys, "-r", probe_out], env=env
        )
        assessed, tool = printed, "print (grok failed)"
        for s in scenarios:
            verdicts[(s.qname, s.qtype)] = dnsviz_status.verdict(
                dnsviz_status.from_print(printed.stdout, s.qname, s.qtype)
            )
    return {
        "wall": probed.wall + assessed.wall,
        "cpu": probed.cpu + assessed.cpu,
        "probe_wall": probed.wall,
        "assess_wall": assessed.wall,
        "assess_tool": tool,
        "probe_missing": missing,
        "verdicts": verdicts,
    }


def report(
    label: str, args: argparse.Namespace, scenarios: list[Any], mine: dict[str, Any],
    theirs: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    n = len(scenarios)
    agree = sum(
        1 for s in scenarios
        if mine["verdicts"].get((s.qname, s.qtype)) == theirs["verdicts"].get((s.qname, s.qtype))
    )  # fmt: skip
    expected = sum(
        1 for s in scenarios if mine["verdicts"].get((s.qname, s.qtype)) == s.outcome.value
    )
    line = (
        f"{label}{f' +{args.delay_ms:g} ms per packet' if label == 'delay' else ''}: {n} names; "
        f"dnssec-doctor scan {mine['wall']:.2f} s wall ({mine['wall'] / n * 1000:.0f} ms/name), "
        f"{mine['cpu']:.2f} s CPU; DNSViz probe + {theirs['assess_tool']} {theirs['wall']:.2f} s wall "
        f"({theirs['wall'] / n * 1000:.0f} ms/name), {theirs['cpu']:.2f} s CPU; "
        f"DNSViz/ours: wall {theirs['wall'] / mine['wall']:.1f}x, "
        f"CPU {theirs['cpu'] / max(mine['cpu'], 1e-9):.1f}x; verdicts: ours as declared "
        f"{expected}/{n}, DNSViz agrees with ours {agree}/{n}"
    )
    print(line, flush=True)
    return {
        "names": n,
        "ours": {k: v for k, v in mine.items() if k != "verdicts"},
        "dnsviz": {k: v for k, v in theirs.items() if k != "verdicts"},
        "ours_as_declared": expected,
        "dnsviz_agrees": agree,
        "disagreements": [
            f"{s.id}: ours {mine['verdicts'].get((s.qname, s.qtype))}, DNSViz "
            f"{theirs['verdicts'].get((s.qname, s.qtype))}"
            for s in scenarios
            if mine["verdicts"].get((s.qname, s.qtype))
            != theirs["verdicts"].get((s.qname, s.qtype))
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dnsviz-venv", type=Path, default=Path("/work/tmp/dnsviz-venv"))
    parser.add_argument(
        "--conditions", nargs="+", choices=["loopback", "delay"], default=["loopback", "delay"]
    )
    parser.add_argument("--delay-ms", type=float, default=20.0)
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.dnsviz_venv = args.dnsviz_venv.resolve()
    signal.signal(signal.SIGTERM, base._interrupt)
    return inner(args) if args.inside else outer(args)


if __name__ == "__main__":
    sys.exit(main())
