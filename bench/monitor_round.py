"""Benchmark a run over many names on the built-in lab: one monitor round, and a
multi-name check with and without the shared root/TLD answers (collect/shared.py).

    .venv/bin/python bench/monitor_round.py [--per-zone 10] [--jobs 8]

The lab has some 35 zones under test.; there is no 10,000-zone lab, so the run checks
``--per-zone`` names in each of the lab's test. zones (``n0.ZONE``, ... : NXDOMAIN
answers, each a full walk from the root, proofs and all) plus each zone's scenario name.
Each mode runs in a child process of its own, so its peak RSS is its own. Printed: names
per second, queries per name as recorded in the evidence and as really sent, the share
of the root's and the TLD's questions, peak RSS, and the ratios shared/unshared.

"Unshared" is ``SharedWalks(depth=-1)``: nothing is shared but the per-server limit,
which is what every name checked on its own gets. Short runs only: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def child(mode: str, lab_dir: Path, port: int, per_zone: int, jobs: int) -> dict[str, Any]:
    from dnssec_doctor.lab.manifest import LabManifest
    from dnssec_doctor.model.scan import Target
    from dnssec_doctor.services.check import CheckOptions
    from dnssec_doctor.services.scan import SharedWalks, check_many

    manifest = LabManifest.load(lab_dir)
    zones = sorted({s.zone for s in manifest.scenarios if s.zone.endswith(".test.")})
    targets = [Target(s.qname, s.qtype) for s in manifest.scenarios if s.zone in zones]
    targets += [Target(f"n{i}.{zone}") for zone in zones for i in range(per_zone)]
    options = CheckOptions(
        name=".",
        trust_anchor_file=lab_dir / "root.key",
        root_hints_file=lab_dir / "root.hints",
        port=port,
        timeout=0.5,
    )
    roots = {a for _, a in manifest.root_hints}
    if mode == "monitor":
        return monitor_round(lab_dir, port, zones, jobs)
    shared = SharedWalks() if mode == "shared" else SharedWalks(depth=-1)
    cpu0, began = time.process_time(), time.monotonic()
    outcomes = check_many(targets, options, jobs=jobs, shared=shared)
    wall, cpu = time.monotonic() - began, time.process_time() - cpu0
    recorded = sum(o.report.queries for o in outcomes if o.report is not None)
    sent = sum(shared.asked.values())
    return {
        "mode": mode,
        "names": len(targets),
        "zones": len(zones),
        "failed": sum(1 for o in outcomes if o.report is None),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "names_per_s": round(len(targets) / wall, 1),
        "cpu_ms_per_name": round(cpu / len(targets) * 1000, 1),
        "recorded_per_name": round(recorded / len(targets), 1),
        "sent_per_name": round(sent / len(targets), 1),
        "sent_to_root": sum(n for s, n in shared.asked.items() if s in roots),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def monitor_round(lab_dir: Path, port: int, zones: list[str], jobs: int) -> dict[str, Any]:
    from dnssec_doctor.monitor.config import load
    from dnssec_doctor.monitor.engine import Monitor
    from dnssec_doctor.monitor.store import Store

    work = Path(tempfile.mkdtemp(prefix="ddbench-monitor-"))
    config_path = work / "monitor.toml"
    config_path.write_text(
        f'trust_anchor = "{lab_dir / "root.key"}"\nroot_hints = "{lab_dir / "root.hints"}"\n'
        f'port = {port}\ntimeout = 0.5\nstore = "sqlite:///{work}/monitor.db"\n'
        f"[defaults]\nconcurrency = {jobs}\n" + "".join(f'[[zones]]\nname = "{z}"\n' for z in zones)
    )
    monitor = Monitor(load(config_path), Store.open(f"sqlite:///{work}/monitor.db"))
    rounds = []
    for _ in range(2):
        cpu0, began = time.process_time(), time.monotonic()
        monitor.round()
        wall, cpu = time.monotonic() - began, time.process_time() - cpu0
        shared = monitor.shared
        assert shared is not None
        rounds.append(
            {
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
                "zones_per_s": round(len(zones) / wall, 1),
                "sent_per_zone": round(sum(shared.asked.values()) / len(zones), 1),
                "store_bytes": sum(f.stat().st_size for f in work.glob("monitor.db*")),
            }
        )
    return {
        "mode": "monitor",
        "zones": len(zones),
        "rounds": rounds,
        "store_growth_per_round_bytes": rounds[1]["store_bytes"] - rounds[0]["store_bytes"],
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-zone", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "LAB", "PORT"))
    args = parser.parse_args()
    if args.child:
        mode, lab, port = args.child
        print(json.dumps(child(mode, Path(lab), int(port), args.per_zone, args.jobs)))
        return
    sys.path.insert(0, str(REPO / "tests"))
    from dnssec_doctor.lab.build import build_lab
    from dnssec_doctor.lab.server import BackgroundLabServer
    from helpers.ports import free_port

    lab_dir = Path(tempfile.mkdtemp(prefix="ddbench-lab-"))
    manifest = build_lab(lab_dir)
    port = free_port()
    results: dict[str, dict[str, Any]] = {}
    with BackgroundLabServer.for_manifest(manifest, port):
        for mode in ("unshared", "shared", "monitor"):
            out = subprocess.run(
                [sys.executable, __file__, "--per-zone", str(args.per_zone), "--jobs",
                 str(args.jobs), "--child", mode, str(lab_dir), str(port)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            results[mode] = json.loads(out.stdout.splitlines()[-1])
            print(json.dumps(results[mode]))
    plain, shared = results["unshared"], results["shared"]
    print(
        f"shared/unshared: wall {shared['wall_s'] / plain['wall_s']:.2f}, "
        f"cpu {shared['cpu_s'] / plain['cpu_s']:.2f}, "
        f"queries sent per name {shared['sent_per_name'] / plain['sent_per_name']:.2f} "
        f"({plain['sent_per_name']} -> {shared['sent_per_name']}), "
        f"sent to the root {plain['sent_to_root']} -> {shared['sent_to_root']}, "
        f"peak RSS {plain['peak_rss_mib']} -> {shared['peak_rss_mib']} MiB"
    )


if __name__ == "__main__":
    main()
