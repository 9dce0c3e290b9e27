"""analyze(): a Collection, a point in time and trust anchors in; statuses and findings out.

Pure: no network, no clock (``at`` is always given).
"""

from __future__ import annotations

from collections.abc import Collection as Collection_

import dns.flags
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from dnssec_doctor import checks, defaults
from dnssec_doctor.analyze.answers import judge_answer
from dnssec_doctor.analyze.copies import attach_copies
from dnssec_doctor.analyze.zones import Anchors, judge_chain
from dnssec_doctor.checks.context import ChainContext
from dnssec_doctor.checks.expiry import signature_expiry
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.analysis import (
    Analysis,
    AnswerResult,
    Status,
    ZoneResult,
    worst,
)
from dnssec_doctor.model.collection import Collection, NameAnswer
from dnssec_doctor.validate.limits import MAX_VERIFICATIONS_PER_QUERY, VerificationBudget
from dnssec_doctor.validate.records import parse_records

T = dns.rdatatype.RdataType
DAY = 86400


def anchors_from_lines(lines: list[str] | tuple[str, ...]) -> Anchors:
    """Trust anchors from presentation-format DS/DNSKEY lines (the Evidence's form)."""
    ds: dict[dns.name.Name, dns.rrset.RRset] = {}
    dnskey: dict[dns.name.Name, dns.rrset.RRset] = {}
    for rrset in parse_records("\n".join(lines)):
        target = ds if rrset.rdtype == T.DS else dnskey if rrset.rdtype == T.DNSKEY else None
        if target is None:
            continue
        if rrset.name in target:
            target[rrset.name].union_update(rrset)
        else:
            target[rrset.name] = rrset
    return Anchors(ds=ds, dnskey=dnskey)


def analyze(
    collection: Collection,
    at: int,
    warn_days: float = defaults.WARN_DAYS,
    disabled: Collection_[str] = (),
) -> Analysis:
    """The chain judged, then every registered check run over it (checks/; *disabled*:
    check ids or sets to leave out)."""
    anchors = anchors_from_lines(collection.evidence.trust_anchors)
    budget = VerificationBudget(MAX_VERIFICATIONS_PER_QUERY * 8)  # the whole check, not one RRset
    zones = judge_chain(collection, anchors, at, budget)
    answers = [judge_answer(a, zones.get(a.zone), at, budget) for a in collection.answers]
    apex = _apex_soa(collection, zones, at, budget)
    attach_copies(collection, zones, answers, apex, at)
    statuses = [a.status for a in answers]
    verdict = worst(statuses) if statuses else Status.INDETERMINATE
    if verdict is Status.SECURE and collection.limits_hit:
        verdict = Status.INDETERMINATE  # servers or zones left unseen could hold a failure
    warn_seconds = int(warn_days * DAY)
    expiry = signature_expiry(zones, answers + apex, warn_seconds)  # once: report and check
    context = ChainContext(collection, zones, answers, apex, at, warn_seconds, verdict, expiry)
    found = checks.run_chain_checks(context, disabled)
    found = list(dict.fromkeys(found))  # the apex SOA may repeat what the answer showed
    names = {zone: _names_at(collection, zone) for zone in {f.zone for f in found if f.servers}}
    found = [f.with_names(names[f.zone]) if f.servers else f for f in found]
    found.sort(key=lambda f: (-f.severity, f.zone.count("."), f.code))
    return Analysis(
        at=at,
        warn_seconds=warn_seconds,
        zones=zones,
        answers=answers,
        apex=apex,
        findings=found,
        verdict=verdict,
        break_at=_break_at(collection, zones, answers),
        earliest_expiration=expiry.earliest,
    )


def _names_at(collection: Collection, zone: str) -> dict[str, list[str]]:
    """Address -> NS host names (issue 12 class 11): the finding's zone's own servers
    first, then its parent's (DS findings name the parent's servers), then any zone's."""
    names: dict[str, list[str]] = {}
    cuts = list(collection.zones.values())
    own = collection.zones.get(dns.name.from_text(zone))
    if own is not None:
        parent = collection.zones.get(own.parent) if own.parent is not None else None
        cuts = [own, *([parent] if parent is not None else []), *cuts]
    for cut in cuts:
        for address, hosts in cut.addresses.items():
            if address not in names and hosts:
                names[address] = [h.to_text() for h in hosts]
    return names


def _apex_soa(
    collection: Collection,
    zones: dict[dns.name.Name, ZoneResult],
    at: int,
    budget: VerificationBudget,
) -> list[AnswerResult]:
    """The SOA of each zone that holds a queried name: checked whatever the query type."""
    holding = dict.fromkeys(a.zone for a in collection.answers)
    out = []
    for zone in holding:
        cut = collection.zones.get(zone)
        if cut is not None and cut.soa:
            apex = NameAnswer(zone, T.SOA, zone, dict(cut.soa))
            out.append(judge_answer(apex, zones.get(zone), at, budget))
    return out


def _break_at(
    collection: Collection, zones: dict[dns.name.Name, ZoneResult], answers: list[AnswerResult]
) -> dns.name.Name | None:
    """The zone whose own link is broken: the first bogus one from the top, or, when the
    answer is secure, the first zone where some server serves data that fails."""
    for answer in answers:
        if answer.status not in (Status.BOGUS, Status.INDETERMINATE):
            continue
        for cut in collection.chain_to(answer.zone):
            result = zones[cut.name]
            if result.status in (Status.BOGUS, Status.INDETERMINATE) and not result.inherited:
                return cut.name
        return answer.zone
    for answer in answers:
        for cut in collection.chain_to(answer.zone):
            if F.SERVER_BOGUS in zones[cut.name].codes:
                return cut.name
        if F.SERVER_BOGUS in answer.codes:
            return answer.zone
    return None
