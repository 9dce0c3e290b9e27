"""A long fuzz run of the zone-file reader: C path against pure Python (issue 17).

    .venv/bin/python bench/fuzz_zonefile.py [N] [--jobs J] [--seed S]

N inputs (default 1,000,000) drawn by tests/helpers/zone_fuzz.py (the generator of
tests/properties/test_fuzz_zonefile.py), input i from ``random.Random(S + i)``, so any
input can be drawn again from its seed.  Each is read with the C extension and
without it; printed: the inputs, the tracebacks (any exception but ZoneSyntaxError)
and the disagreements (records or error messages that differ), each with its first
seeds, the slowest input, and the peak memory (largest RSS of a process).  Exit 1 if
there is a traceback or a disagreement.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from dnssec_doctor.zonefile import reader
from helpers.zone_fuzz import ORIGINS, compare, zone_text

SLICE = 20_000  # inputs per task


@dataclass
class Tally:
    inputs: int = 0
    records: int = 0
    errors: int = 0
    tracebacks: list[int] = field(default_factory=list)
    disagreements: list[int] = field(default_factory=list)
    slowest: tuple[float, int, int] = (0.0, -1, 0)  # seconds, seed, characters
    peak_kib: int = 0

    def merge(self, other: Tally) -> None:
        self.inputs += other.inputs
        self.records += other.records
        self.errors += other.errors
        self.tracebacks += other.tracebacks
        self.disagreements += other.disagreements
        self.slowest = max(self.slowest, other.slowest)
        self.peak_kib = max(self.peak_kib, other.peak_kib)


def run_slice(first: int, count: int) -> Tally:
    tally = Tally()
    for seed in range(first, first + count):
        rng = random.Random(seed)
        text = zone_text(rng)
        origin = rng.choice(ORIGINS)
        began = time.perf_counter()
        c, python = compare(text, origin)
        took = time.perf_counter() - began
        tally.inputs += 1
        tally.records += len(c[2])
        tally.errors += c[0] == "error"
        if "traceback" in (c[0], python[0]):
            tally.tracebacks.append(seed)
        elif c != python:
            tally.disagreements.append(seed)
        if took > tally.slowest[0]:
            tally.slowest = (took, seed, len(text))
    tally.peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not reader.c_reader_enabled():
        print("the C extension _czone is not built: nothing to compare", file=sys.stderr)
        return 2
    began = time.monotonic()
    total = Tally()
    starts = range(args.seed, args.seed + args.inputs, SLICE)
    counts = [min(SLICE, args.seed + args.inputs - s) for s in starts]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for done, part in enumerate(pool.map(run_slice, starts, counts), 1):
            total.merge(part)
            if done % 10 == 0:
                print(f"  {total.inputs:,} inputs, {time.monotonic() - began:.0f}s", flush=True)
    total.peak_kib = max(total.peak_kib, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    took, seed, size = total.slowest
    print(f"inputs: {total.inputs:,} in {time.monotonic() - began:.0f}s ({args.jobs} processes)")
    print(f"  read to the end: {total.inputs - total.errors - len(total.tracebacks):,}")
    print(f"  refused with a one-line error: {total.errors:,}; records compared {total.records:,}")
    print(f"tracebacks: {len(total.tracebacks)} {total.tracebacks[:10]}")
    print(f"disagreements: {len(total.disagreements)} {total.disagreements[:10]}")
    print(f"slowest input: seed {seed}, {size:,} characters, {took * 1000:.1f} ms (both reads)")
    print(f"peak memory: {total.peak_kib / 1024:.0f} MiB (largest RSS of one process)")
    return 1 if total.tracebacks or total.disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
