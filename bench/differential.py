#!/usr/bin/env python3
"""Differential run: `check` against the reference validators over every lab scenario.

For every scenario of the lab (the lab's own and those signed by real signers), served by
the real servers (named, NSD, Knot), the script asks Unbound (with and without CD) and
delv for the scenario's name and type, runs `check` with the same root hints and trust
anchor, and prints one line per scenario and the agreement figures: our verdict against
Unbound's and against delv's, our cause against the scenario's declared cause.
``--rounds N`` builds the lab N times (new keys and signatures from every signer each
round) and runs every scenario again, so a long run of 1,000 checks and more is
``--rounds 20``. Needs root (port 53, addresses on lo); only 127.53.0.0/16 is used.

    .venv/bin/python bench/differential.py [--rounds N] [--scenario ID ...] [--json-out F]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from dnssec_doctor.lab.build import build_lab
from dnssec_doctor.lab.manifest import UNBOUND_ADDRESS, LabManifest, ScenarioRecord
from dnssec_doctor.lab.real import start_real_lab
from dnssec_doctor.lab.real.errors import RealLabError
from dnssec_doctor.lab.real.verdicts import ask_unbound, run_delv
from dnssec_doctor.services.check import CheckOptions, run_check

CHECK_TIMEOUT = 0.5  # seconds per query, as the real-lab tests use


@dataclass(frozen=True)
class Row:
    """One scenario in one round: what was declared, what each party concluded."""

    round: int
    scenario: str
    signer: str
    query: str
    declared: str  # outcome
    declared_cause: str
    ours: str  # our verdict
    cause: str  # our cause
    unbound: str  # Unbound's verdict (AD bit, SERVFAIL)
    unbound_cd: str  # Unbound's answer with CD: rcode (does the name resolve at all?)
    delv: str
    seconds: float  # our check's wall time

    @property
    def agrees_unbound(self) -> bool:
        return self.ours == self.unbound

    @property
    def agrees_delv(self) -> bool:
        return self.ours == self.delv

    @property
    def agrees_cause(self) -> bool:
        return self.cause == self.declared_cause


@dataclass(frozen=True)
class Figures:
    checks: int
    verdict_unbound: int
    verdict_delv: int
    cause_declared: int

    def lines(self) -> list[str]:
        def share(count: int) -> str:
            return f"{count}/{self.checks} ({100 * count / max(self.checks, 1):.1f} %)"

        return [
            f"checks:                          {self.checks}",
            f"verdict agrees with Unbound:     {share(self.verdict_unbound)}",
            f"verdict agrees with delv:        {share(self.verdict_delv)}",
            f"cause is the declared cause:     {share(self.cause_declared)}",
        ]


def check_row(manifest: LabManifest, record: ScenarioRecord, round_no: int = 1) -> Row:
    """Ask the referees and run `check` for one scenario of a running real lab."""
    directory = Path(manifest.directory)
    options = CheckOptions(
        name=record.qname,
        qtype=record.qtype,
        trust_anchor_file=directory / "root.key",
        root_hints_file=directory / "root.hints",
        resolver=UNBOUND_ADDRESS,
        timeout=CHECK_TIMEOUT,
    )
    began = time.monotonic()
    report = run_check(options)
    seconds = time.monotonic() - began
    unbound = ask_unbound(manifest, record.qname, record.qtype)
    unbound_cd = ask_unbound(manifest, record.qname, record.qtype, cd=True)
    delv = run_delv(manifest, record.qname, record.qtype)
    return Row(
        round=round_no,
        scenario=record.id,
        signer=record.signer,
        query=f"{record.qname} {record.qtype}",
        declared=record.outcome.value,
        declared_cause=record.cause,
        ours=report.analysis.verdict.value,
        cause=report.diagnosis.cause.value,
        unbound=unbound.outcome.value,
        unbound_cd=unbound_cd.summary.split()[0],
        delv=delv.outcome.value,
        seconds=seconds,
    )


def run_round(
    manifest: LabManifest,
    only: Sequence[str] = (),
    round_no: int = 1,
    progress: Callable[[Row], None] | None = None,
) -> list[Row]:
    """Every scenario (or those in *only*) of a running real lab, once."""
    rows = []
    for record in manifest.scenarios:
        if only and record.id not in only:
            continue
        row = check_row(manifest, record, round_no)
        rows.append(row)
        if progress is not None:
            progress(row)
    return rows


def figures(rows: Sequence[Row]) -> Figures:
    return Figures(
        checks=len(rows),
        verdict_unbound=sum(r.agrees_unbound for r in rows),
        verdict_delv=sum(r.agrees_delv for r in rows),
        cause_declared=sum(r.agrees_cause for r in rows),
    )


HEADER = (
    f"{'rnd':>3} {'scenario':<34} {'signer':<6} {'ours':<8} {'unbound':<8} {'cd':<9} "
    f"{'delv':<8} {'cause':<26} {'s':>5}"
)


def line(row: Row) -> str:
    marks = "" if row.agrees_unbound and row.agrees_delv else "  VERDICT DIFFERS"
    if not row.agrees_cause:
        marks += f"  CAUSE (declared {row.declared_cause})"
    return (
        f"{row.round:>3} {row.scenario:<34} {row.signer:<6} {row.ours:<8} {row.unbound:<8} "
        f"{row.unbound_cd:<9} {row.delv:<8} {row.cause:<26} {row.seconds:5.2f}{marks}"
    )


def one_round(round_no: int, only: Sequence[str], workdir: Path) -> list[Row]:
    """Build a new lab (new keys), serve it with the real servers, run every scenario."""
    manifest = build_lab(workdir / f"round-{round_no}")
    with start_real_lab(manifest):
        return run_round(manifest, only, round_no, progress=lambda r: print(line(r), flush=True))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1, help="labs to build and run (1)")
    parser.add_argument("--scenario", action="append", default=[], help="only this one")
    parser.add_argument("--json-out", type=Path, help="every row and the figures as JSON")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    rows: list[Row] = []
    began = time.monotonic()
    print(HEADER)
    try:
        with tempfile.TemporaryDirectory(prefix="dnssec-doctor-differential-") as tmp:
            for round_no in range(1, args.rounds + 1):
                rows += one_round(round_no, args.scenario, Path(tmp))
    except RealLabError as error:
        print(f"differential: {error}", file=sys.stderr)
        return 3
    result = figures(rows)
    print(f"\n{args.rounds} round(s) in {time.monotonic() - began:.0f} s")
    print("\n".join(result.lines()))
    by_signer: dict[str, list[Row]] = {}
    for row in rows:
        by_signer.setdefault(row.signer, []).append(row)
    for signer, own in sorted(by_signer.items()):
        f = figures(own)
        print(f"  {signer:<5} {f.checks:>4} checks: verdicts {f.verdict_unbound}/{f.verdict_delv} "
              f"(Unbound/delv), causes {f.cause_declared}")  # fmt: skip
    if args.json_out:
        payload = {"rows": [asdict(r) for r in rows], "figures": asdict(result)}
        args.json_out.write_text(json.dumps(payload, indent=2) + "\n")
    disagreements = len(rows) - min(result.verdict_unbound, result.verdict_delv)
    return 0 if disagreements == 0 and result.cause_declared == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
