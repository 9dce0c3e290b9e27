"""The compared validating resolver (--resolver): SERVFAIL with and without +cd."""

from __future__ import annotations

import dns.flags
import dns.rcode

from dnssec_doctor.checks.context import ChainContext
from dnssec_doctor.checks.registry import register
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.analysis import Status
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
            Finding(
                F.RESOLVER_UNREACHABLE,
                ".",
                f"the resolver {view.address} did not answer ({view.plain.exchange.error})",
                where,
            )
        ]
    found = []
    plain_failed = plain.rcode() == dns.rcode.SERVFAIL
    cd_failed = cd is None or cd.rcode() == dns.rcode.SERVFAIL
    name = collection.evidence.query.name
    if plain_failed and not cd_failed:
        found.append(
            Finding(
                F.DNSSEC_IS_THE_CAUSE,
                ".",
                f"{view.address} answers SERVFAIL for {name}, "
                "but with checking disabled (+cd) it answers: DNSSEC validation fails",
                where,
            )
        )
    elif plain_failed:
        found.append(
            Finding(
                F.RESOLVER_SERVFAIL_EVEN_WITH_CD,
                ".",
                f"{view.address} answers SERVFAIL for {name} with and without +cd",
                where,
            )
        )
    resolver_status = (
        Status.BOGUS
        if plain_failed
        else (Status.SECURE if plain.flags & dns.flags.AD else Status.INSECURE)
    )
    if verdict in (Status.SECURE, Status.INSECURE, Status.BOGUS) and resolver_status is not verdict:
        found.append(
            Finding(
                F.RESOLVER_DISAGREES,
                ".",
                f"{view.address} says {resolver_status.value}, "
                f"the authoritative servers say {verdict.value}",
                where,
            )
        )
    return found
