"""The links of the chain: what failed validation where (the chain's judgment is made
in analyze/zones.py and analyze/answers.py; this check reports it)."""

from __future__ import annotations

from collections import defaultdict

from dnssec_doctor.checks.context import ChainContext, rrset_lines
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.analysis import ServerView, Status
from dnssec_doctor.model.checks import CheckError, register
from dnssec_doctor.model.findings import Finding, FindingCode, Message


@register(
    "chain.links",
    set="chain",
    codes=(
        F.DS_MATCHES,
        F.NO_DS,
        F.DS_ALL_UNSUPPORTED,
        F.NO_SERVER_ANSWERED,
        F.SERVER_BOGUS,
        F.TRUST_ANCHOR_MISMATCH,
        F.DS_DIGEST_MISMATCH,
        F.DS_NO_KEY_WITH_TAG,
        F.DS_ALGORITHM_MISMATCH,
        F.DS_FOR_UNSIGNED_ZONE,
        F.NO_DNSKEY,
        F.DNSKEY_MISSING,
        F.DNSKEY_NOT_SIGNED_BY_DS_KEY,
        F.RRSIG_MISSING,
        F.RRSIG_EXPIRED,
        F.RRSIG_NOT_YET_VALID,
        F.RRSIG_BAD_SIGNATURE,
        F.RRSIG_NO_MATCHING_KEY,
        F.RRSIG_INVALID_FIELDS,
        F.RRSIG_UNSUPPORTED_ALGORITHM,
        F.VALIDATION_LIMIT,
        F.NSEC_PROOF_BROKEN,
        F.NSEC3_PROOF_BROKEN,
    ),
    rfc="RFC 4035 5",
    summary="every link that fails validation, at the servers that fail it; zones whose "
    "servers split into valid and failing ones",
)
def link_findings(context: ChainContext) -> list[Finding]:
    zones, answers = context.zones, context.all_answers
    found: list[Finding] = []
    split: dict[str, list[dict[str, ServerView]]] = defaultdict(list)  # zone -> views that split
    for result in zones.values():
        zone = result.zone.to_text()
        if result.inherited:
            continue
        records = tuple(rrset_lines(result.ds)) if result.ds is not None else ()
        for views in (result.parent_servers, result.servers):
            for (code, _), (servers, message) in _grouped(views, {Status.BOGUS}).items():
                found.append(_link(code, zone, message, tuple(sorted(servers)), records))
        for code in result.codes:
            if code in (F.DS_MATCHES, F.NO_DS, F.DS_ALL_UNSUPPORTED, F.NO_SERVER_ANSWERED):
                found.append(_link(code, zone, result.message, (), records))
        if F.SERVER_BOGUS in result.codes:
            split[zone].append(result.servers)
    for answer in answers:
        zone = answer.zone.to_text()
        for (code, _), (servers, message) in _grouped(answer.servers, {Status.BOGUS}).items():
            records = tuple(line for r in answer.rrsets for line in rrset_lines(r))
            found.append(_link(code, zone, message, tuple(sorted(servers)), records))
        if F.SERVER_BOGUS in answer.codes:
            split[zone].append(answer.servers)
        if F.NO_SERVER_ANSWERED in answer.codes:
            found.append(_link(F.NO_SERVER_ANSWERED, zone, answer.message, (), ()))
    found += [_bogus_servers(zone, tables) for zone, tables in split.items()]
    return found


def _link(
    code: FindingCode,
    zone: str,
    message: Message | None,
    servers: tuple[str, ...],
    records: tuple[str, ...],
) -> Finding:
    """A failing (or deciding) link, in the words of its judgment: the message the
    analysis made where it judged the link (analyze/), with its template's parameters.
    A view with several codes (the DS ones) made it with the first: they share it."""
    if message is None:
        raise CheckError(f"chain.links: {code} at {zone} comes without its message")
    made = Finding.of(
        code, zone, servers=servers, records=records, variant=message.variant, **message.params
    )
    if made.message != message.text:
        raise CheckError(f"chain.links: {code} and {message.code} do not share their template")
    return made


def _grouped(
    views: dict[str, ServerView], wanted: set[Status]
) -> dict[tuple[FindingCode, str], tuple[list[str], Message | None]]:
    """(code, reason) -> its servers and the first one's message, for the views of the
    wanted statuses."""
    groups: dict[tuple[FindingCode, str], tuple[list[str], Message | None]] = {}
    for server, view in views.items():
        if view.status in wanted:
            for code in view.codes:
                groups.setdefault((code, view.reason), ([], view.message))[0].append(server)
    return groups


def _bogus_servers(zone: str, tables: list[dict[str, ServerView]]) -> Finding:
    """One finding per zone whose servers split into valid and failing ones."""
    bad = sorted({s for views in tables for s, v in views.items() if v.status is Status.BOGUS})
    good = sorted({s for views in tables for s, v in views.items() if v.status is Status.SECURE})
    good = [s for s in good if s not in bad]
    first = next(v.reason for views in tables for s, v in views.items() if s == bad[0])
    failing = sum(1 for views in tables if any(v.status is Status.BOGUS for v in views.values()))
    return Finding.of(
        F.SERVER_BOGUS,
        zone,
        servers=tuple(bad),
        bad=", ".join(bad),
        failing=failing,
        first=first,
        good=", ".join(good) or "no other server",
    )
