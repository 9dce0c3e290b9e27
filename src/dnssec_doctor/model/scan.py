"""Many checks in one run (`check A B ...`, `scan`): each name and what became of it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from dnssec_doctor.exitcodes import ExitCode, worst
from dnssec_doctor.model.report import Report


class Target(NamedTuple):
    """A name to check, its type, and where it was read (``line``: None on the command
    line)."""

    name: str
    qtype: str = "A"
    line: int | None = None


class Outcome(NamedTuple):
    """A target's report, or the one line saying why it could not be checked."""

    target: Target
    report: Report | None = None
    error: str | None = None

    @property
    def exit_code(self) -> ExitCode:
        return self.report.exit_code if self.report is not None else ExitCode.UNKNOWN


def worst_of(outcomes: Iterable[Outcome]) -> ExitCode:
    """The run's exit code: CRITICAL beats UNKNOWN beats WARNING beats OK."""
    return worst(o.exit_code for o in outcomes)
