"""A check's result, whole: what was collected, concluded and advised, and the exit code."""

from __future__ import annotations

from typing import NamedTuple

from dnssec_doctor.exitcodes import ExitCode
from dnssec_doctor.model.analysis import Analysis, Status
from dnssec_doctor.model.collection import Collection
from dnssec_doctor.model.diagnosis import Diagnosis
from dnssec_doctor.model.findings import Severity


class Report(NamedTuple):
    collection: Collection
    analysis: Analysis
    diagnosis: Diagnosis
    seconds: float  # wall time of the whole check (collection included)

    @property
    def exit_code(self) -> ExitCode:
        return exit_code(self.analysis)

    @property
    def queries(self) -> int:
        return len(self.collection.evidence.exchanges)

    @property
    def servers(self) -> int:
        return len({e.server for e in self.collection.evidence.exchanges})


def exit_code(analysis: Analysis) -> ExitCode:
    """Nagios-style: bogus is CRITICAL, undecidable UNKNOWN, any warning WARNING."""
    if analysis.verdict is Status.BOGUS:
        return ExitCode.CRITICAL
    if analysis.verdict is Status.INDETERMINATE:
        return ExitCode.UNKNOWN
    if any(f.severity >= Severity.WARNING for f in analysis.findings):
        return ExitCode.WARNING
    return ExitCode.OK
