#!/usr/bin/env python3
"""Hostile-server cases: the wall time, CPU time and peak memory of each, one process each.

Every case of tests/scenarios/test_collect_hostile.py (hand-written hostile servers on
loopback: garbage, loops, floods of records, referral fan-out and depth, glueless names
that need each other, slow, silent and lying servers) and of
tests/scenarios/test_check_hostile.py (the lab's responder with tampered answers, checked
end to end: KeyTrap, huge RSA exponents, NSEC3 floods, huge answers) runs in a fresh
Python process, as the test runs it (its assertions included), and the script prints
per case what the process cost, against the aim of issue 17: under 2 s and 150 MB for
each.  No network beyond 127.0.0.0/8: the cases bring their own servers.

    .venv/bin/python bench/hostile.py [--case NAME ...]
"""

from __future__ import annotations

import argparse
import ast
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
SUITES = ("test_collect_hostile", "test_check_hostile")
AIM_SECONDS, AIM_MIB = 2.0, 150.0


def cases() -> list[str]:
    """The suites' test functions that take no fixture, as ``suite.test_name``."""
    found = []
    for suite in SUITES:
        tree = ast.parse((TOP / "tests" / "scenarios" / f"{suite}.py").read_text())
        found += [
            f"{suite}.{node.name}"
            for node in tree.body
            if isinstance(node, ast.FunctionDef)
            and node.name.startswith("test_")
            and not node.args.args
        ]
    return found


def run(case: str) -> tuple[float, float, float, int]:
    suite, _, name = case.rpartition(".")
    suite = suite or SUITES[0]
    code = (
        f"import sys; sys.path.insert(0, {str(TOP / 'tests')!r}); "
        f"from scenarios import {suite} as t; t.{name}()"
    )
    began = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=TOP, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr is not None:
        proc.stderr.read()
        proc.stderr.close()
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--case", action="append", help="only this case, [suite.]test_name (repeatable)"
    )
    args = parser.parse_args()
    chosen = args.case or cases()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    print(f"{'case':<80} {'wall s':>7} {'cpu s':>6} {'peak MiB':>8}  result")
    over = 0
    for case in chosen:
        wall, cpu, mib, code = run(case)
        within = wall < AIM_SECONDS and mib < AIM_MIB
        over += not within
        result = ("passed" if code == 0 else f"FAILED ({code})") + ("" if within else "  over aim")
        print(f"{case:<80} {wall:7.2f} {cpu:6.2f} {mib:8.1f}  {result}")
    print(f"{len(chosen)} cases, {over} over the aim of {AIM_SECONDS:g} s and {AIM_MIB:g} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
