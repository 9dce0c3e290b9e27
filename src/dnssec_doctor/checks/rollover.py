"""Rollovers in progress (issue 12 class 1): a step taken too early that validation has
not (yet) failed on is a warning. The stages themselves are recognised once, in
analyze/rollover.py; a premature step that made the answer bogus is the diagnosis's
cause instead (the chain's findings already say what fails)."""

from __future__ import annotations

from dnssec_doctor.checks.context import ChainContext
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.analysis import Status
from dnssec_doctor.model.checks import register
from dnssec_doctor.model.findings import Finding


@register(
    "keys.rollover",
    set="keys",
    codes=(F.ROLLOVER_STEP_TOO_EARLY,),
    rfc="RFC 6781 4.1, RFC 7583 3, RFC 6840 5.11",
    summary="rollover steps taken before the step they depend on (validation holds so far)",
)
def rollover_findings(context: ChainContext) -> list[Finding]:
    if context.verdict is Status.BOGUS:
        return []
    found = []
    for rollover in context.rollovers:
        if rollover.legitimate or rollover.step_too_early is None:
            continue
        found.append(
            Finding.of(
                F.ROLLOVER_STEP_TOO_EARLY,
                rollover.zone,
                servers=rollover.servers,
                records=rollover.rrsets,
                kind=rollover.kind.value.upper(),
                zone=rollover.zone,
                step=rollover.step_too_early,
                summary=rollover.summary,
            )
        )
    return found
