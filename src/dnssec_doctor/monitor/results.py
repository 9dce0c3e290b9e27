"""A zone's result in one round, and the events the monitor derives from results."""

from __future__ import annotations

from typing import Any, NamedTuple

from dnssec_doctor.exitcodes import worst
from dnssec_doctor.monitor.observe import Observation

#: worst first: what `monitor once` exits with and what a zone's state is named
STATE_NAMES = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}


def worse(a: int, b: int) -> int:
    """The worse of two exit codes: CRITICAL beats UNKNOWN beats WARNING beats OK (the
    one ranking, exitcodes.worst)."""
    return int(worst([a, b]))


class ZoneResult(NamedTuple):
    zone: str
    checked_at: float  # POSIX seconds
    trigger: str  # interval | change | once
    code: int  # 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN: the zone's state
    verdict: str  # secure, insecure, bogus, indeterminate (the worst check's)
    cause: str  # the cause code of the worst check (OK when nothing is wrong)
    headline: str
    reasons: tuple[str, ...]  # one line each: why the state is what it is
    findings: tuple[dict[str, Any], ...]  # warnings and worse, as check --json has them
    steps: tuple[dict[str, Any], ...]  # the fix: {"title": ..., "lines": [...]}
    observation: Observation
    duration: float
    evidence: tuple[tuple[str, bytes], ...] = ()  # (target, zlib JSON evidence) when not OK

    @property
    def state(self) -> str:
        return STATE_NAMES[self.code]


class Event(NamedTuple):
    zone: str
    at: float
    kind: str  # state | verdict | dnskey | ds | cds | cdnskey | signing_key | serial | ...
    summary: str  # one line
    detail: dict[str, Any]
