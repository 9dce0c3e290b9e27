"""The compared validating resolver (--resolver): SERVFAIL with and without +cd."""

from __future__ import annotations

import dns.flags
import dns.rcode

from dnssec_doctor.checks.context import ChainContext
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.analysis import Status
from dnssec_doctor.model.checks import register
from dnssec_doctor.model.findings import Finding


@register(
    "resolver.compare",
    set="resolver",
    codes=(
        F.RESOLVER_UNREACHABLE,
        F.DNSSEC_IS_THE_CAUSE,
        F.RESOLVER_SERVFAIL_EVEN_WITH_CD,
        F.RESOLVER_DISAGREES,
    ),
    rfc="RFC 4035 3.2.2",
    summary="is DNSSEC the cause: the resolver with and without checking disabled, and "
    "its verdict against the one reached at the authoritative servers",
)
def resolver_findings(context: ChainContext) -> list[Finding]:
    collection, verdict = context.collection, context.verdict
    view = collection.resolver
    if view is None:
        return []
    plain, cd = view.plain.message, view.checking_disabled.message
    where = (view.address,)
    if plain is None:
        return [
            Finding.of(
                F.RESOLVER_UNREACHABLE,
                ".",
                servers=where,
                resolver=view.address,
                error=view.plain.exchange.error,
            )
        ]
    found = []
    plain_failed = plain.rcode() == dns.rcode.SERVFAIL
    cd_failed = cd is None or cd.rcode() == dns.rcode.SERVFAIL
    name = collection.evidence.query.name
    if plain_failed and not cd_failed:
        found.append(
            Finding.of(F.DNSSEC_IS_THE_CAUSE, ".", servers=where, resolver=view.address, name=name)
        )
    elif plain_failed:
        found.append(
            Finding.of(
                F.RESOLVER_SERVFAIL_EVEN_WITH_CD,
                ".",
                servers=where,
                resolver=view.address,
                name=name,
            )
        )
    resolver_status = (
        Status.BOGUS
        if plain_failed
        else (Status.SECURE if plain.flags & dns.flags.AD else Status.INSECURE)
    )
    if verdict in (Status.SECURE, Status.INSECURE, Status.BOGUS) and resolver_status is not verdict:
        found.append(
            Finding.of(
                F.RESOLVER_DISAGREES,
                ".",
                servers=where,
                resolver=view.address,
                resolver_status=resolver_status.value,
                verdict=verdict.value,
            )
        )
    return found
