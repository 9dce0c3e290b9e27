"""The text of many checks: each name's report as `check` prints it, one block per
name in the order given, then a summary table (one row per name)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dnssec_doctor.model.scan import Outcome, worst_of
from dnssec_doctor.render import check_text

_STATE_STYLE = {"OK": "green", "WARNING": "yellow", "CRITICAL": "bold red", "UNKNOWN": "magenta"}


def render(outcomes: Sequence[Outcome], console: Console, verbose: bool = False) -> None:
    for index, outcome in enumerate(outcomes):
        if index:
            console.rule(style="dim")
        if outcome.report is not None:
            check_text.render(outcome.report, console, verbose=verbose)
        else:
            target = outcome.target
            console.print(f"[bold]{escape(target.name)} {target.qtype}[/]  [magenta]NOT CHECKED[/]")
            console.print(escape(outcome.error or ""))
    console.rule(style="dim")
    summary(outcomes, console)


def summary(outcomes: Sequence[Outcome], console: Console) -> None:
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("name", "type", "state", "verdict", "cause"):
        table.add_column(column)
    for outcome in outcomes:
        state = outcome.exit_code.name
        report = outcome.report
        verdict = report.analysis.verdict.value if report is not None else "-"
        cause = report.diagnosis.cause.value if report is not None else (outcome.error or "")
        table.add_row(
            escape(outcome.target.name),
            outcome.target.qtype,
            f"[{_STATE_STYLE[state]}]{state}[/]",
            verdict,
            escape(cause),
        )
    console.print(table)
    worst = worst_of(outcomes)
    console.print(f"{len(outcomes)} names; exit code {int(worst)} ({worst.name})")
