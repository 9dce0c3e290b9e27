"""Signature lifetimes: the earliest expiration per signer, what expires within the
warning period, RRsets whose TTL outlives their signatures (RFC 6781 4.4.2); windows too
short for their TTL, inceptions too recent for lagging clocks (issue 12 class 5)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import dns.name

from dnssec_doctor.checks.context import DAY, ChainContext, SignatureExpiry, T
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.analysis import AnswerResult, ZoneResult
from dnssec_doctor.model.checks import register
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.validate import validity
from dnssec_doctor.validate.rrsig import RrsigJudgment, RrsigWarning


@register(
    "signatures.expiry",
    set="signatures",
    codes=(F.RRSIG_EXPIRING_SOON, F.TTL_BEYOND_EXPIRATION),
    rfc="RFC 6781 4.4.2",
    summary="signatures that expire within --warn-days; RRsets whose TTL outlives them",
)
def expiry_findings(context: ChainContext) -> list[Finding]:
    return context.expiry.findings  # signature_expiry, made once (analyze/core.py)


def all_judgments(
    zones: dict[dns.name.Name, ZoneResult], answers: list[AnswerResult]
) -> list[tuple[str, str, RrsigJudgment]]:
    out: list[tuple[str, str, RrsigJudgment]] = []
    for result in zones.values():
        for views in (result.servers, result.parent_servers):
            for server, view in views.items():
                out += [(result.zone.to_text(), server, j) for j in view.judgments]
    for answer in answers:
        for server, view in answer.servers.items():
            out += [(answer.zone.to_text(), server, j) for j in view.judgments]
    return out


def signature_expiry(
    zones: dict[dns.name.Name, ZoneResult], answers: list[AnswerResult], warn_seconds: int
) -> SignatureExpiry:
    """The earliest expiration per signer of the valid signatures of *zones* and
    *answers*; what expires within *warn_seconds*; RRsets whose TTL outlives them."""
    earliest: dict[dns.name.Name, int] = {}
    soon: dict[str, list[tuple[str, RrsigJudgment]]] = defaultdict(list)
    ttl: dict[str, list[RrsigJudgment]] = defaultdict(list)
    for _zone, server, judgment in all_judgments(zones, answers):
        if not judgment.valid:
            continue
        signer = judgment.signer
        earliest[signer] = min(earliest.get(signer, judgment.expiration), judgment.expiration)
        if judgment.seconds_left < warn_seconds:
            soon[signer.to_text()].append((server, judgment))
        if RrsigWarning.TTL_BEYOND_EXPIRATION in judgment.warnings:
            ttl[signer.to_text()].append(judgment)
    found = []
    for zone, items in soon.items():
        first = min(items, key=lambda item: item[1].expiration)[1]
        covered = sorted({f"{j.owner} {T(j.type_covered).name}" for _, j in items})
        when = _when(first.expiration)
        found.append(
            Finding.of(
                F.RRSIG_EXPIRING_SOON,
                zone,
                servers=tuple(sorted({s for s, _ in items})),
                records=tuple(covered),
                variant="chain",
                days=first.seconds_left / DAY,
                first=f"{first.owner} {T(first.type_covered).name}",
                when=when,
                count=len(covered),
            )
        )
    for zone, judgments in ttl.items():
        rrsets = sorted({_rrset(j) for j in judgments})
        first = max(judgments, key=lambda j: validity.ttl_of(j) - j.seconds_left)
        found.append(
            Finding.of(
                F.TTL_BEYOND_EXPIRATION,
                zone,
                records=tuple(rrsets),
                variant="chain",
                count=len(rrsets),
                first=_rrset(first),
                ttl=validity.ttl_of(first),
                left=first.seconds_left,
                when=_when(first.expiration),
            )
        )
    return SignatureExpiry(earliest, found)


@register(
    "signatures.validity",
    set="signatures",
    codes=(F.RRSIG_VALIDITY_TOO_SHORT, F.RRSIG_INCEPTION_TOO_RECENT),
    rfc="RFC 6781 4.4.2, RFC 4035 5.3.1",
    summary="signature windows too short for their TTL; inceptions too recent for the "
    "clocks of validators that lag",
)
def validity_findings(context: ChainContext) -> list[Finding]:
    short: dict[str, list[RrsigJudgment]] = defaultdict(list)
    recent: dict[str, list[RrsigJudgment]] = defaultdict(list)
    for _zone, _server, judgment in all_judgments(context.zones, context.all_answers):
        if validity.window_too_short(judgment):
            short[judgment.signer.to_text()].append(judgment)
        if validity.inception_too_recent(judgment):
            recent[judgment.signer.to_text()].append(judgment)
    found = []
    for zone, judgments in short.items():
        first = min(judgments, key=lambda j: validity.window(j) / max(validity.ttl_of(j), 1))
        rrsets = sorted({_rrset(j) for j in judgments})
        found.append(
            Finding.of(
                F.RRSIG_VALIDITY_TOO_SHORT,
                zone,
                records=tuple(rrsets),
                count=len(rrsets),
                window=validity.window(first),
                first=_rrset(first),
                ttl=validity.ttl_of(first),
                factor=validity.MIN_WINDOW_PER_TTL,
            )
        )
    for zone, judgments in recent.items():
        first = max(judgments, key=lambda j: j.inception)
        rrsets = sorted({_rrset(j) for j in judgments})
        found.append(
            Finding.of(
                F.RRSIG_INCEPTION_TOO_RECENT,
                zone,
                records=tuple(rrsets),
                count=len(rrsets),
                age=validity.inception_age(first),
                first=_rrset(first),
                when=_when(first.inception),
            )
        )
    return found


def _rrset(judgment: RrsigJudgment) -> str:
    return f"{judgment.owner} {T(judgment.type_covered).name}"


def _when(posix: int) -> str:
    return datetime.fromtimestamp(posix, UTC).strftime("%Y-%m-%d %H:%M UTC")
