"""The walk itself: what the collector could not do (referral loops, limits, no servers)."""

from __future__ import annotations

from dnssec_doctor.checks.context import ChainContext
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.checks import register
from dnssec_doctor.model.findings import Finding


@register(
    "walk.problems",
    set="walk",
    codes=(F.WALK_PROBLEM,),
    rfc="RFC 1034 5.3.3",
    summary="what the walk could not ask or follow (loops, limits, missing addresses)",
)
def walk_findings(context: ChainContext) -> list[Finding]:
    return [Finding.of(F.WALK_PROBLEM, ".", problem=p) for p in context.collection.problems]
