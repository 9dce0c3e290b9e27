"""The report for people: verdict first, then the chain from the anchor down with the
broken link marked, then the cause and the fix, then every finding."""

from __future__ import annotations

import dns.flags
import dns.name
import dns.rdatatype
from rich.console import Console
from rich.markup import escape

from dnssec_doctor.model.analysis import Analysis, AnswerResult, Status, ZoneResult
from dnssec_doctor.model.findings import Severity
from dnssec_doctor.model.report import Report
from dnssec_doctor.model.rollover import when
from dnssec_doctor.validate.algorithms import algorithm_name
from dnssec_doctor.validate.ds import DsStatus

_STYLE = {
    Status.SECURE: ("✓", "green"),
    Status.INSECURE: ("○", "yellow"),
    Status.BOGUS: ("✗", "bold red"),
    Status.INDETERMINATE: ("?", "magenta"),
}
#: The verdict in words, as the report's first line (the web page shows the same words).
VERDICT = {
    Status.SECURE: "SECURE — validating resolvers accept the answer",
    Status.INSECURE: "INSECURE — no chain of trust: resolvers accept the answer unvalidated",
    Status.BOGUS: "BOGUS — validating resolvers answer SERVFAIL",
    Status.INDETERMINATE: "UNKNOWN — could not decide",
}
#: The zone is signed and its chain holds; validators ignore its NSEC3 denials (class 4).
_NSEC3_INSECURE = (
    "INSECURE — the zone is signed, but validators ignore its NSEC3 denial (too many "
    "iterations): resolvers accept the answer unvalidated"
)
_SEVERITY_STYLE = {Severity.CRITICAL: "bold red", Severity.WARNING: "yellow", Severity.INFO: "dim"}


BROKEN_LINK = "broken link"
BROKEN_AT_SOME = "broken at some servers"


def link_mark(analysis: Analysis, zone: dns.name.Name, result: ZoneResult) -> str | None:
    """The mark on the zone where the chain breaks (None for every other zone)."""
    own_link = result.status is not Status.SECURE or "SERVER_BOGUS" in result.codes
    if zone != analysis.break_at or not own_link:
        return None
    return BROKEN_LINK if analysis.verdict is Status.BOGUS else BROKEN_AT_SOME


def answer_is_broken(analysis: Analysis, answer: AnswerResult) -> bool:
    """An answer is the broken link itself only when its zone's keys are trusted."""
    holder = analysis.zones.get(answer.zone)
    return answer.status is Status.BOGUS and holder is not None and holder.status is Status.SECURE


def _marker(mark: str | None) -> str:
    if mark is None:
        return ""
    style = "bold red" if mark == BROKEN_LINK else "yellow"
    return f"  [{style}]◀ {mark}[/]"


def _mark(status: Status) -> str:
    symbol, style = _STYLE[status]
    return f"[{style}]{symbol}[/]"


def servers_ok(result: ZoneResult | AnswerResult) -> str:
    views = result.servers.values()
    good = sum(1 for v in views if v.status in (Status.SECURE, Status.INSECURE))
    return f"{good}/{len(result.servers)} servers" if result.servers else ""


def link_text(result: ZoneResult) -> str:
    if result.status is Status.SECURE:
        matched = [j for j in result.ds_judgments if j.status is DsStatus.MATCH]
        if matched:
            parts = [
                f"DS {j.ds.key_tag}/{algorithm_name(j.ds.algorithm)} → DNSKEY {j.ds.key_tag}"
                for j in matched
            ]
            source = "anchor " if result.anchored else ""
            return f"{source}{', '.join(parts)} signs the DNSKEY RRset"
        return result.reason
    return result.reason


def render(report: Report, console: Console, verbose: bool = False) -> None:
    a, d, c = report.analysis, report.diagnosis, report.collection
    q = c.evidence.query
    _, style = _STYLE[a.verdict]
    verdict = _NSEC3_INSECURE if d.cause.value == "NSEC3_ITERATIONS_TOO_HIGH" else None
    verdict = verdict or VERDICT[a.verdict]
    console.print(f"[bold]{escape(q.name)} {q.type}[/]  [{style}]{verdict}[/]")
    _resolver_line(report, console)

    console.print()
    console.print("[bold]Chain of trust[/] (trust anchor → name, at every authoritative server)")
    width = max((len(z.to_text()) for z in a.zones), default=10) + 2
    for zone, result in a.zones.items():
        marker = _marker(link_mark(a, zone, result))
        text = escape(link_text(result))
        if result.inherited:
            text = f"[dim]{text}[/]"
        console.print(
            f"  {_mark(result.status)} {escape(zone.to_text()):<{width}} {text}  "
            f"[dim]{servers_ok(result)}[/]{marker}"
        )
    for answer, label in [*((x, x.kind) for x in a.answers), *((x, "apex") for x in a.apex)]:
        kind = dns.rdatatype.to_text(answer.qtype)
        marker = _marker(BROKEN_LINK if answer_is_broken(a, answer) else None)
        console.print(
            f"    {_mark(answer.status)} {escape(answer.qname.to_text())} {kind} "
            f"({label}): {escape(answer.reason)}  [dim]{servers_ok(answer)}[/]{marker}"
        )

    _rollovers(report, console)

    console.print()
    cause_style = "bold red" if a.verdict is Status.BOGUS else "bold"
    console.print(f"[{cause_style}]Cause: {d.cause.value}[/]  {escape(d.headline)}")
    if d.underlying is not None:
        console.print(f"  underlying cause: {d.underlying.value}")
    if d.steps:
        console.print("[bold]Fix:[/]")
        for number, step in enumerate(d.steps, start=1):
            console.print(f"  {number}. {escape(step.title)}")
            for line in step.lines:
                console.print(f"       [cyan]{escape(line)}[/]")
    for other in d.also:
        console.print(f"Also: {other.value}")

    shown = [f for f in a.findings if verbose or f.severity >= Severity.WARNING]
    console.print()
    counts = {s: sum(1 for f in a.findings if f.severity is s) for s in Severity}
    summary = ", ".join(f"{counts[s]} {s.label}" for s in reversed(Severity) if counts[s])
    console.print(f"[bold]Findings[/] ({summary or 'none'}){'' if verbose else '; -v shows INFO'}")
    for f in shown:
        servers = f" [dim]@ {escape(', '.join(f.labelled_servers()))}[/]" if f.servers else ""
        console.print(
            f"  [{_SEVERITY_STYLE[f.severity]}]{f.severity.label:<8}[/] {f.code}  "
            f"{escape(f.zone)}{servers}: {escape(f.message)} [dim]({f.rfc})[/]"
        )
    if verbose:
        _queries(report, console)
    console.print()
    rounds = getattr(c, "rounds", None)
    console.print(
        f"[dim]{report.queries} queries to {report.servers} server addresses"
        f"{f' in {rounds} rounds' if rounds else ''}, {report.seconds:.2f} s. "
        f"Exit {int(report.exit_code)} ({report.exit_code.name}).[/]"
    )


def _rollovers(report: Report, console: Console) -> None:
    """Each rollover in progress: a legitimate stage with its next step and when, or the
    step taken too early and the way back (issue 12 class 1)."""
    for r in report.analysis.rollovers:
        kind = r.kind.value.upper()
        if r.legitimate:
            later = f", not before {when(r.not_before)}" if r.not_before is not None else ""
            console.print(
                f"[green]{kind} rollover in progress[/] at {escape(r.zone)} ({escape(r.method)}, "
                f"stage {r.stage.value}): {escape(r.summary)}; next step: "
                f"{escape(r.next_step)}{later}."
            )
        else:
            console.print(
                f"[bold red]{kind} rollover step taken too early[/] at {escape(r.zone)}: "
                f"{escape(r.step_too_early or r.stage.value)}: {escape(r.summary)}. The way "
                f"back: {escape(r.next_step)}."
            )


def _resolver_line(report: Report, console: Console) -> None:
    view = report.collection.resolver
    if view is None:
        console.print(
            "[dim]No resolver compared (--resolver ADDR asks one with and without +cd).[/]"
        )
        return
    codes = {f.code for f in report.analysis.findings}
    if "DNSSEC_IS_THE_CAUSE" in codes:
        console.print(
            f"[bold red]DNSSEC is the cause:[/] {view.address} answers SERVFAIL, "
            "and answers normally with checking disabled (+cd)."
        )
    elif "RESOLVER_SERVFAIL_EVEN_WITH_CD" in codes:
        console.print(f"[yellow]{view.address} fails even with +cd: not (only) DNSSEC.[/]")
    elif view.plain.message is None:
        console.print(
            f"[dim]Resolver {view.address} did not answer ({view.plain.exchange.error}).[/]"
        )
    else:
        ad = "with AD (validated)" if view.plain.message.flags & dns.flags.AD else "without AD"
        console.print(f"[dim]Resolver {view.address} answers {ad}.[/]")
    if view.plain.message is None:
        return
    errors = view.extended_errors
    if not errors:
        console.print(f"[dim]Resolver {view.address} gives no Extended DNS Error (RFC 8914).[/]")
    for error in errors:
        extra = f": {escape(error.text)}" if error.text else ""
        console.print(f"Resolver says: EDE {error.info_code} ({escape(error.label)}){extra}")
    disagreeing = [f for f in report.analysis.findings if f.code == "RESOLVER_EDE_DISAGREES"]
    for finding in disagreeing:
        console.print(
            f"[yellow]  … which is not what the servers show: {escape(finding.message)}[/]"
        )


def _queries(report: Report, console: Console) -> None:
    console.print()
    console.print("[bold]Queries[/]")
    for e in report.collection.evidence.exchanges:
        outcome = e.error or "ok"
        rtt = f"{e.rtt_ms:.1f} ms" if e.rtt_ms is not None else "-"
        console.print(
            f"  [dim]{e.server}:{e.port}/{e.transport} {escape(e.qname)} {e.qtype} "
            f"{','.join(e.flags)} {rtt} {outcome}[/]"
        )
