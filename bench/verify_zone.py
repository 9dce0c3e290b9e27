"""Time `dnssec-doctor verify` against BIND, ldns and Knot on a generated signed zone.

    .venv/bin/python bench/verify_zone.py [N ...] [--nsec]   # N names, default 10000

The zone is bench/zone_reader.py's (N names, ECDSAP256SHA256, NSEC3 with `-3 -`,
cached under /tmp/dnssec-doctor-bench/); with --nsec the same unsigned zone and keys
are signed with NSEC instead (cached under /tmp/verify-bench/).  Each verifier runs
as a child process; its wall time and peak RSS (os.wait4's rusage of that child) are
printed, and the ratio of each to `dnssec-doctor verify` with all cores.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from zone_reader import ORIGIN, make_zone


def nsec_zone(n: int) -> Path:
    nsec3 = make_zone(n)
    signed = Path(f"/tmp/verify-bench/zone-{n}-nsec.signed")
    if signed.exists():
        return signed
    signed.parent.mkdir(parents=True, exist_ok=True)
    work = nsec3.parent
    subprocess.run(
        [
            *("dnssec-signzone", "-q", "-K", str(work), "-S", "-o", ORIGIN),
            *("-f", str(signed), str(work / "zone")),
        ],
        check=True,
        capture_output=True,
        cwd=work,
    )
    return signed


def run(argv: list[str]) -> tuple[int, float, float, str]:
    """Exit code, wall seconds, peak RSS in MiB, last output line of one child."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    lines = [line for line in out.splitlines() if line.strip()]
    return os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss / 1024, (lines or [""])[0]


def bench(path: Path) -> None:
    doctor = str(Path(sys.executable).with_name("dnssec-doctor"))
    cores = os.cpu_count() or 1
    size = path.stat().st_size
    print(f"\n{path} ({size / 2**20:.1f} MiB), {cores} core(s)")
    runs: list[tuple[str, list[str]]] = [
        ("doctor --jobs 1", [doctor, "verify", "--jobs", "1", str(path)]),
        (f"doctor --jobs {cores}", [doctor, "verify", "--jobs", str(cores), str(path)]),
        ("dnssec-verify", ["dnssec-verify", "-q", "-o", ORIGIN, str(path)]),
        ("ldns-verify-zone", ["ldns-verify-zone", str(path)]),
        ("kzonecheck", ["kzonecheck", "-o", ORIGIN, "--dnssec", "on", str(path)]),
    ]
    times: dict[str, float] = {}
    for label, argv in runs:
        if shutil.which(argv[0]) is None:
            print(f"{label:>18}: not installed")
            continue
        code, wall, rss, first = run(argv)
        times[label] = wall
        print(f"{label:>18}: {wall:7.2f}s  peak RSS {rss:6.0f} MiB  exit {code}  {first[:70]}")
    ours = times.get(f"doctor --jobs {cores}")
    if ours:
        for label, wall in times.items():
            if not label.startswith("doctor"):
                print(f"doctor --jobs {cores} / {label}: {ours / wall:.1f}x")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    sizes = [int(a) for a in args] or [10_000]
    for n in sizes:
        bench(nsec_zone(n) if "--nsec" in sys.argv else make_zone(n))


if __name__ == "__main__":
    main()
