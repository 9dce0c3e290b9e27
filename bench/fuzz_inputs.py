"""A long fuzz run of the inputs beside zone files (issue 17): a server's replies, trust
anchor and root hints files, the monitor's config, command lines.

    .venv/bin/python bench/fuzz_inputs.py TARGET [N] [--jobs J] [--seed S]

TARGET is one of tests/helpers/fuzz_targets.py's (messages, anchors, hints, config,
cli) or ``all``.  N inputs (default 1,000,000) per target, input i drawn from
``random.Random(S + i)``, so any input can be drawn again from its seed.  Printed per
target: the inputs and how they were taken (the outcome words), the tracebacks (any
exception: each with its first seeds and message), the slowest input, and the peak
memory (largest RSS of one process).  Exit 1 if there is a traceback.

The zone-file reader has its own run, comparing its C and Python paths:
bench/fuzz_zonefile.py.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from helpers.fuzz_targets import TARGETS

SLICE = 5_000  # inputs per task


@dataclass
class Tally:
    inputs: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    tracebacks: list[tuple[int, str]] = field(default_factory=list)
    slowest: tuple[float, int] = (0.0, -1)  # seconds, seed
    peak_kib: int = 0

    def merge(self, other: Tally) -> None:
        self.inputs += other.inputs
        self.outcomes += other.outcomes
        self.tracebacks += other.tracebacks
        self.slowest = max(self.slowest, other.slowest)
        self.peak_kib = max(self.peak_kib, other.peak_kib)


def run_slice(target: str, first: int, count: int) -> Tally:
    draw, run, _ = TARGETS[target]
    tally = Tally()
    for seed in range(first, first + count):
        item = draw(random.Random(seed))
        began = time.perf_counter()
        try:
            tally.outcomes[run(item)] += 1
        except Exception as error:  # the bug this run looks for
            tally.tracebacks.append((seed, f"{type(error).__name__}: {error}"[:300]))
        took = time.perf_counter() - began
        tally.inputs += 1
        if took > tally.slowest[0]:
            tally.slowest = (took, seed)
    tally.peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return tally


def fuzz(target: str, inputs: int, seed: int, jobs: int) -> Tally:
    began = time.monotonic()
    total = Tally()
    starts = range(seed, seed + inputs, SLICE)
    counts = [min(SLICE, seed + inputs - s) for s in starts]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        parts = pool.map(run_slice, [target] * len(counts), starts, counts)
        for done, part in enumerate(parts, 1):
            total.merge(part)
            if done % 20 == 0:
                print(
                    f"  {target}: {total.inputs:,} inputs, {time.monotonic() - began:.0f}s",
                    flush=True,
                )
    took, slowest = total.slowest
    print(
        f"{target} ({TARGETS[target].about}): {total.inputs:,} inputs in "
        f"{time.monotonic() - began:.0f}s ({jobs} processes)"
    )
    print("  taken as: " + ", ".join(f"{w} {n:,}" for w, n in total.outcomes.most_common()))
    print(f"  tracebacks: {len(total.tracebacks)}")
    for bad_seed, what in total.tracebacks[:10]:
        print(f"    seed {bad_seed}: {what}")
    print(f"  slowest input: seed {slowest}, {took * 1000:.1f} ms")
    print(f"  peak memory: {total.peak_kib / 1024:.0f} MiB (largest RSS of one process)")
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("target", choices=[*TARGETS, "all"])
    parser.add_argument("inputs", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    targets = list(TARGETS) if args.target == "all" else [args.target]
    bad = 0
    for target in targets:
        bad += len(fuzz(target, args.inputs, args.seed, args.jobs).tracebacks)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
