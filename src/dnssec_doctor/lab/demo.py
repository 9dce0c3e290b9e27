"""The demo: check every lab scenario and hold the result against what it declares."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from dnssec_doctor.lab.runner import RunningLab
from dnssec_doctor.services.check import CheckOptions, run_check

DEMO_TIMEOUT = 0.5  # seconds per query: the lab is on loopback; a silent server costs two


def demo_run(lab: RunningLab, console: Console) -> list[bool]:
    """One line per scenario: verdict, cause, where it breaks, time; True where as declared."""
    directory = Path(lab.manifest.directory)
    results = []
    # columns as wide as their longest entry, so that long scenario ids stay in line
    wide = max((len(r.id) for r in lab.manifest.scenarios), default=25)
    cause_wide = max((len(r.cause) for r in lab.manifest.scenarios), default=26)
    where_wide = max((len(r.break_at or "-") for r in lab.manifest.scenarios), default=32)
    console.print(
        f"[bold]{'scenario':<{wide + 2}} {'verdict':<9} {'cause':<{cause_wide}} "
        f"{'breaks at':<{where_wide}} time[/]"
    )
    began = time.monotonic()
    for record in lab.manifest.scenarios:
        options = CheckOptions(
            name=record.qname,
            qtype=record.qtype,
            trust_anchor_file=directory / "root.key",
            root_hints_file=directory / "root.hints",
            port=lab.port,
            timeout=DEMO_TIMEOUT,
        )
        report = run_check(options)
        verdict = report.analysis.verdict.value
        cause = report.diagnosis.cause.value
        where = report.analysis.break_at.to_text() if report.analysis.break_at else "-"
        expected = (record.outcome.value, record.cause, record.break_at or "-")
        ok = (verdict, cause, where) == expected
        results.append(ok)
        mark = "[green]✓[/]" if ok else "[bold red]✗[/]"
        line = f"{mark} {record.id:<{wide}} {verdict:<9} {cause:<{cause_wide}} "
        line += f"{escape(where):<{where_wide}} {report.seconds:.2f} s"
        if not ok:
            line += f"  [red](declared {' / '.join(expected)})[/]"
        console.print(line)
    total = time.monotonic() - began
    console.print(
        f"{results.count(True)}/{len(results)} scenarios diagnosed as declared, "
        f"{total:.1f} s in all."
    )
    return results
