"""Nagios/Icinga plugin output (`check --nagios`, `scan --nagios`).

Per the Monitoring Plugins development guidelines: one status line
``DNSSEC <STATE> - <text> | <perfdata>``, then, for several names, one line per name
(the plugin's long output); the exit code is the state (0 OK, 1 WARNING, 2 CRITICAL,
3 UNKNOWN).  Perfdata items are ``'label'=value[UOM];warn;crit`` with ``U`` for a
value that could not be determined.

The state is the check's own exit code made worse by the expiry thresholds: the
earliest signature expiration anywhere on the chain within ``crit_days`` is CRITICAL,
within ``warn_days`` WARNING.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from dnssec_doctor.exitcodes import ExitCode, worst
from dnssec_doctor.model.report import Report
from dnssec_doctor.model.scan import Outcome

PREFIX = "DNSSEC"


class Thresholds(NamedTuple):
    warn_days: float
    crit_days: float


def days_to_expiry(report: Report) -> float | None:
    """Days from the check's moment to the earliest signature expiration on the chain."""
    expirations = report.analysis.earliest_expiration.values()
    if not expirations:
        return None
    return (min(expirations) - report.analysis.at) / 86400


def state(outcome: Outcome, thresholds: Thresholds) -> ExitCode:
    if outcome.report is None:
        return ExitCode.UNKNOWN
    code = outcome.report.exit_code
    days = days_to_expiry(outcome.report)
    if days is not None and days <= thresholds.crit_days:
        return worst([code, ExitCode.CRITICAL])
    if days is not None and days <= thresholds.warn_days:
        return worst([code, ExitCode.WARNING])
    return code


def _summary(outcome: Outcome, thresholds: Thresholds) -> str:
    target = f"{outcome.target.name} {outcome.target.qtype}"
    report = outcome.report
    if report is None:
        return f"{target}: {_plain(outcome.error or 'not checked')}"
    days = days_to_expiry(report)
    cause = report.diagnosis.cause.value
    if cause == "OK" and days is not None and days <= thresholds.warn_days:
        return f"{target}: signatures expire in {days:.1f} days"
    if cause == "OK":
        left = f", signatures valid for {days:.1f} more days" if days is not None else ""
        return f"{target}: {report.analysis.verdict.value}{left}"
    return f"{target}: {cause} {_plain(report.diagnosis.headline)}"


def _plain(text: str) -> str:
    """One line without the perfdata separator (a ``|`` would cut the text there)."""
    return " ".join(text.replace("|", "/").split())


def _perfdata(outcome: Outcome, thresholds: Thresholds, label: str = "") -> list[str]:
    warn, crit = f"{thresholds.warn_days:g}", f"{thresholds.crit_days:g}"
    report = outcome.report
    days = days_to_expiry(report) if report is not None else None
    value = f"{days:.2f}" if days is not None else "U"
    items = [f"{_label(label, 'days_to_expiry')}={value};{warn};{crit}"]
    if report is not None:
        items.append(f"{_label(label, 'time')}={report.seconds:.3f}s")
        items.append(f"{_label(label, 'queries')}={report.queries}")
    return items


def _label(prefix: str, name: str) -> str:
    if not prefix:
        return name
    return "'" + f"{prefix} {name}".replace("'", "").replace("=", "") + "'"


def render(outcomes: Sequence[Outcome], thresholds: Thresholds) -> tuple[str, ExitCode]:
    """The plugin output and its exit code."""
    states = [state(o, thresholds) for o in outcomes]
    overall = worst(states)
    if len(outcomes) == 1:
        head = _summary(outcomes[0], thresholds)
        perf = _perfdata(outcomes[0], thresholds)
        return f"{PREFIX} {overall.name} - {head} | {' '.join(perf)}\n", overall
    counts = {code: states.count(code) for code in ExitCode}
    tally = ", ".join(f"{counts[c]} {c.name}" for c in _WORST_FIRST if counts[c])
    head = f"{len(outcomes)} names: {tally}"
    worst_one = next((o for o, s in zip(outcomes, states, strict=True) if s == overall), None)
    if worst_one is not None and overall != ExitCode.OK:
        head += f"; {_summary(worst_one, thresholds)}"
    perf = [
        item
        for o in outcomes
        for item in _perfdata(o, thresholds, f"{o.target.name} {o.target.qtype}")[:1]
    ]
    lines = [f"{s.name} {_summary(o, thresholds)}" for o, s in zip(outcomes, states, strict=True)]
    text = f"{PREFIX} {overall.name} - {head} | {' '.join(perf)}\n" + "\n".join(lines) + "\n"
    return text, overall


_WORST_FIRST = (ExitCode.CRITICAL, ExitCode.UNKNOWN, ExitCode.WARNING, ExitCode.OK)
