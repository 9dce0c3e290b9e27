"""The verify report for people: verdict, findings, keys, and an expiry bar chart."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dnssec_doctor.model.findings import Severity
from dnssec_doctor.model.zone_report import VerifyReport
from dnssec_doctor.validate.algorithms import algorithm_name
from dnssec_doctor.validate.timeutil import iso

_COLOUR = {Severity.CRITICAL: "red", Severity.WARNING: "yellow", Severity.INFO: "dim"}
_VERDICT = {"OK": "green", "WARNING": "yellow", "CRITICAL": "red"}
BAR_WIDTH = 40
MAX_DAYS_SHOWN = 30


def _histogram(report: VerifyReport, out: Console) -> None:
    days = report.expiry.histogram
    if not days:
        return
    shown = days[:MAX_DAYS_SHOWN]
    top = max(n for _d, n in shown)
    out.print("Signature expirations by day (UTC):")
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(justify="left")
    table.add_column(justify="left")
    table.add_column(justify="right")
    for day, n in shown:
        bar = "█" * max(1, round(n * BAR_WIDTH / top))
        table.add_row(day, f"[cyan]{bar}[/]", str(n))
    out.print(table)
    if len(days) > len(shown):
        out.print(f"  ... and {len(days) - len(shown)} later day(s)")


def render(report: VerifyReport, out: Console, *, verbose: bool = False) -> None:
    colour = _VERDICT[report.verdict]
    s = report.stats
    out.print(
        f"[bold {colour}]{report.verdict}[/] {escape(report.zone)} ({escape(report.source)}): "
        f"{s.names} names, {s.records} records, {s.signatures} signatures, {s.denial}, "
        f"as of {iso(report.at)}"
    )
    shown = [f for f in report.findings if verbose or f.severity > Severity.INFO]
    for f in shown:
        out.print(
            f"  [{_COLOUR[f.severity]}]{f.severity.label:8}[/] {f.code}: {escape(f.message)}"
            f" [dim]({f.rfc})[/]"
        )
    for code, n in report.suppressed.items():
        out.print(f"  ... and {n} more {code}")
    hidden = len(report.findings) - len(shown)
    if hidden:
        out.print(f"  [dim]{hidden} INFO finding(s); -v to show[/]")
    if report.ds is not None:
        d = report.ds
        how = {True: ", authenticated", False: ", NOT authenticated", None: ""}[d.authenticated]
        origin = "the parent " if d.source == "parent" else ""
        out.print(f"DS from {origin}{escape(d.where)}{how}: {len(d.records)} record(s)")
        for line in d.records:
            out.print(f"  DS {escape(line)}")
    for k in report.keys:
        role = "KSK" if k.sep else "ZSK"
        extra = " REVOKED" if k.revoked else ""
        bits = f", {k.bits} bits" if k.bits else ""
        signs = ", signs DNSKEY" if k.signs_dnskey else ""
        ds = ", DS matches" if k.ds_matched else ""
        out.print(f"  key {k.key_tag} {role} {algorithm_name(k.algorithm)}{bits}{signs}{ds}{extra}")
    e = report.expiry
    if e.earliest is not None:
        out.print(
            f"Earliest expiration {iso(e.earliest)}; {e.expiring_soon} signature(s) "
            f"expire within {e.warn_days:g} days."
        )
    _histogram(report, out)


__all__ = ["render"]
