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
        F.RESOLVER_EDE,
        F.RESOLVER_EDE_DISAGREES,
    ),
    rfc="RFC 4035 3.2.2, RFC 8914 4",
    summary="is DNSSEC the cause: the resolver with and without checking disabled, its "
    "verdict against the one reached at the authoritative servers, and its Extended DNS "
    "Errors against the failures found there",
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
    found += ede_findings(context)
    return found


# RFC 8914 4: the DNSSEC-relevant INFO-CODEs, what each means, and the codes of ours (link
# and answer judgments) that are that failure.  5 (Indeterminate) and 6 (Bogus) name no
# particular failure: the verdict comparison above (RESOLVER_DISAGREES) covers them.
_DS_OR_KEY = (
    F.DNSKEY_MISSING,
    F.DS_NO_KEY_WITH_TAG,
    F.DS_DIGEST_MISMATCH,
    F.DS_ALGORITHM_MISMATCH,
    F.NO_DNSKEY,
    F.DS_FOR_UNSIGNED_ZONE,
    F.DNSKEY_NOT_SIGNED_BY_DS_KEY,
    F.TRUST_ANCHOR_MISMATCH,
    F.RRSIG_NO_MATCHING_KEY,  # Unbound: the key of the data's RRSIG is not published
)
EDE_MEANINGS: dict[int, tuple[str, tuple[F.FindingCode, ...]]] = {
    1: ("only DNSKEY algorithms it does not implement", (F.DS_ALL_UNSUPPORTED, F.DS_UNSUPPORTED,
        F.RRSIG_UNSUPPORTED_ALGORITHM)),
    2: ("only DS digest types it does not implement", (F.DS_ALL_UNSUPPORTED, F.DS_UNSUPPORTED)),
    7: ("expired signatures", (F.RRSIG_EXPIRED,)),
    8: ("signatures not yet valid", (F.RRSIG_NOT_YET_VALID,)),
    9: ("no DNSKEY that the DS (or the trust anchor) names", _DS_OR_KEY),
    10: ("signatures missing", (F.RRSIG_MISSING, F.DS_FOR_UNSIGNED_ZONE, F.NO_DNSKEY,
         F.RRSIG_NO_MATCHING_KEY, F.DNSKEY_NOT_SIGNED_BY_DS_KEY)),
    11: ("a key without the Zone Key flag", _DS_OR_KEY),
    12: ("a missing or broken denial of existence",
         (F.NSEC_PROOF_BROKEN, F.NSEC3_PROOF_BROKEN, F.DS_NOT_PROVEN_ABSENT)),
    27: ("NSEC3 iterations above its limit", (F.NSEC3_ITERATIONS, F.VALIDATION_LIMIT,
         F.NSEC3_PROOF_BROKEN, F.NSEC3_ITERATIONS_TOO_HIGH)),
}  # fmt: skip


def _our_codes(context: ChainContext) -> set[F.FindingCode]:
    """The failure codes of every link and answer judgment (what the cause is made from)."""
    codes: set[F.FindingCode] = set()
    for result in context.zones.values():
        codes.update(result.codes)
    for answer in (*context.answers, *context.apex):
        codes.update(answer.codes)
    return codes


def ede_findings(context: ChainContext) -> list[Finding]:
    """Each EDE of the resolver's plain answer (INFO), and, for a DNSSEC INFO-CODE that
    names a failure, a disagreement when no judgment of ours found that failure."""
    view = context.collection.resolver
    if view is None:
        return []
    where = (view.address,)
    ours = _our_codes(context)
    found = []
    for error in view.extended_errors:
        extra = f": {error.text}" if error.text else ""
        found.append(
            Finding.of(
                F.RESOLVER_EDE,
                ".",
                servers=where,
                resolver=view.address,
                info_code=error.info_code,
                label=error.label,
                extra=extra,
            )
        )
        meaning = EDE_MEANINGS.get(error.info_code)
        if meaning is None or ours & set(meaning[1]):
            continue
        failures = sorted(c for c in ours if c in _FAILURES)
        found.append(
            Finding.of(
                F.RESOLVER_EDE_DISAGREES,
                ".",
                servers=where,
                resolver=view.address,
                info_code=error.info_code,
                label=error.label,
                meaning=meaning[0],
                found=", ".join(failures)
                if failures
                else f"no such failure (the verdict is {context.verdict.value})",
            )
        )
    return found


#: The codes that name a failure (what a disagreement lists as ours).
_FAILURES = frozenset(code for _, codes in EDE_MEANINGS.values() for code in codes) | {
    F.RRSIG_BAD_SIGNATURE,
    F.RRSIG_INVALID_FIELDS,
}
