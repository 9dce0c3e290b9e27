"""The DS set and the keys of every secure zone (issue 12, class 3): DS records left over
beside the one that works, SHA-1-only DS sets (RFC 8624 3.3), DS and DNSKEY records of
deprecated algorithms (RFC 8624 3.1). The zone stays secure: these are warnings."""

from __future__ import annotations

from dns.rdtypes.ANY.DNSKEY import DNSKEY

from dnssec_doctor.checks.context import ChainContext, rrset_lines
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.analysis import Status, ZoneResult
from dnssec_doctor.model.checks import register
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.validate import algorithms
from dnssec_doctor.validate.ds import DsStatus

#: DS verdicts of a DS that matches no DNSKEY of the zone
_UNMATCHED = (DsStatus.NO_KEY_WITH_TAG, DsStatus.DIGEST_MISMATCH, DsStatus.ALGORITHM_MISMATCH)
_DEPRECATED = (algorithms.SigningAdvice.MUST_NOT, algorithms.SigningAdvice.NOT_RECOMMENDED)
SHA1 = 1


def _delegated_secure(context: ChainContext) -> list[ZoneResult]:
    """The secure zones with their own DS link (not the anchor's zone, not inherited)."""
    return [
        r
        for r in context.zones.values()
        if r.status is Status.SECURE and not r.inherited and not r.anchored and r.ds is not None
    ]


@register(
    "keys.ds",
    set="keys",
    codes=(F.DS_LEFTOVER, F.DS_SHA1_ONLY),
    rfc="RFC 4035 5.2, RFC 8624 3.3",
    summary="beside the DS that works, DS records that match no key; DS sets only of SHA-1",
)
def ds_findings(context: ChainContext) -> list[Finding]:
    found: list[Finding] = []
    for result in _delegated_secure(context):
        zone = result.zone.to_text()
        matched = [j for j in result.ds_judgments if j.status is DsStatus.MATCH]
        if not matched:
            continue
        working = ", ".join(sorted({str(j.ds.key_tag) for j in matched}))
        for judgment in result.ds_judgments:
            if judgment.status not in _UNMATCHED:
                continue
            ds = judgment.ds
            found.append(
                Finding.of(
                    F.DS_LEFTOVER,
                    zone,
                    records=(f"{zone} IN DS {ds.to_text()}",),
                    key_tag=ds.key_tag,
                    algorithm=algorithms.algorithm_name(ds.algorithm),
                    digest=algorithms.digest_name(ds.digest_type),
                    zone=zone,
                    detail=judgment.detail,
                    working=working,
                )
            )
        usable = [
            j.ds for j in result.ds_judgments if algorithms.is_validated_algorithm(j.ds.algorithm)
        ]
        if usable and all(ds.digest_type == SHA1 for ds in usable):
            found.append(
                Finding.of(
                    F.DS_SHA1_ONLY,
                    zone,
                    records=tuple(rrset_lines(result.ds)),
                    zone=zone,
                    tags=", ".join(str(ds.key_tag) for ds in usable),
                )
            )
    return found


@register(
    "keys.algorithms",
    set="keys",
    codes=(F.DS_ALGORITHM_DEPRECATED, F.DNSKEY_ALGORITHM_DEPRECATED),
    rfc="RFC 8624 3.1, RFC 9904",
    summary="DS and DNSKEY records of algorithms that must not or should not sign any more",
)
def algorithm_findings(context: ChainContext) -> list[Finding]:
    found: list[Finding] = []
    for result in _delegated_secure(context):
        zone = result.zone.to_text()
        for judgment in result.ds_judgments:
            ds = judgment.ds
            advice = algorithms.signing_advice(ds.algorithm)
            if advice in _DEPRECATED:
                found.append(
                    Finding.of(
                        F.DS_ALGORITHM_DEPRECATED,
                        zone,
                        records=(f"{zone} IN DS {ds.to_text()}",),
                        key_tag=ds.key_tag,
                        zone=zone,
                        algorithm=algorithms.algorithm_name(ds.algorithm),
                        advice=advice.value.upper(),
                    )
                )
        for key in result.dnskey or []:
            if not isinstance(key, DNSKEY):
                continue
            advice = algorithms.signing_advice(key.algorithm)
            if advice in _DEPRECATED:
                label = f"{key.key_id()}/{algorithms.algorithm_name(key.algorithm)}"
                found.append(
                    Finding.of(
                        F.DNSKEY_ALGORITHM_DEPRECATED, zone, key=label, advice=advice.value.upper()
                    )
                )
    return found
