#!/usr/bin/env python3
"""What `check --graph` adds to `check`: the graph's build, DOT, SVG and PNG times on the
lab's biggest scenario, against the check alone.

The built-in lab is built in a temporary directory and served on a free loopback port
(no root, no network beyond 127.0.0.0/8). Every scenario is checked once; the one whose
graph has the most nodes and edges is the "biggest". Then, N times each: the check (walk
and analysis, in process), the graph model, the DOT text, `dot -Tsvg` and `dot -Tpng`;
the medians are printed with their ratio to the check.

    .venv/bin/python bench/graph_render.py [--repeat N] [--scenario ID]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from dnssec_doctor.lab.build import build_lab
from dnssec_doctor.lab.manifest import ScenarioRecord
from dnssec_doctor.lab.server import BackgroundLabServer
from dnssec_doctor.render import graph
from dnssec_doctor.render.graph_model import build_graph
from dnssec_doctor.services.check import CheckOptions, run_check

TOP = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TOP / "tests"))
from helpers.ports import free_port  # noqa: E402 - the tests' free-port finder


def options(directory: Path, port: int, record: ScenarioRecord) -> CheckOptions:
    return CheckOptions(
        name=record.qname, qtype=record.qtype, trust_anchor_file=directory / "root.key",
        root_hints_file=directory / "root.hints", port=port, timeout=0.3,
    )  # fmt: skip


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each step (5)")
    parser.add_argument("--scenario", help="this scenario instead of the biggest")
    args = parser.parse_args()
    if graph.dot_program() is None:
        print("graph_render: Graphviz's dot is not installed (apt-get install graphviz)")
        return 3
    with tempfile.TemporaryDirectory() as work:
        manifest = build_lab(Path(work) / "lab")
        directory = Path(manifest.directory)
        port = free_port()
        with BackgroundLabServer.for_manifest(manifest, port):
            records = [manifest.scenario(args.scenario)] if args.scenario else manifest.scenarios
            sizes = {}
            for record in records:
                drawn = build_graph(run_check(options(directory, port, record)))
                sizes[record.id] = (len(drawn.nodes) + len(drawn.edges), record)
            size, biggest = max(sizes.values(), key=lambda s: s[0])
            report = run_check(options(directory, port, biggest))
            check = median_seconds(
                lambda: run_check(options(directory, port, biggest)), args.repeat
            )
            steps = {
                "graph model": lambda: build_graph(report),
                "DOT text": lambda: graph.chain_dot(report),
                "SVG (dot -Tsvg)": lambda: graph.chain_svg(report),
                "PNG (dot -Tpng)": lambda: graph.render_graph(report, Path(work) / "g.png"),
            }
            print(f"scenario {biggest.id}: {size} nodes + edges, {report.queries} queries")
            print(f"{'step':<18} {'median ms':>10} {'x check':>8}   ({args.repeat} runs each)")
            print(f"{'check alone':<18} {check * 1000:>10.1f} {1.0:>8.2f}")
            for name, step in steps.items():
                seconds = median_seconds(step, args.repeat)
                print(f"{name:<18} {seconds * 1000:>10.1f} {seconds / check:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
