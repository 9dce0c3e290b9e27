"""analyze(): a Collection, a point in time and trust anchors in; statuses and findings out.

Pure: no network, no clock (``at`` is always given).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import dns.flags
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from dnssec_doctor import defaults
from dnssec_doctor.analyze import messages as M
from dnssec_doctor.analyze.answers import judge_answer
from dnssec_doctor.analyze.zones import Anchors, judge_chain
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.analysis import (
    Analysis,
    AnswerResult,
    ServerView,
    Status,
    ZoneResult,
    worst,
)
from dnssec_doctor.model.collection import Collection, NameAnswer, Reply
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.validate.limits import MAX_VERIFICATIONS_PER_QUERY, VerificationBudget
from dnssec_doctor.validate.records import parse_records
from dnssec_doctor.validate.rrsig import RrsigJudgment, RrsigWarning

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


def analyze(collection: Collection, at: int, warn_days: float = defaults.WARN_DAYS) -> Analysis:
    anchors = anchors_from_lines(collection.evidence.trust_anchors)
    budget = VerificationBudget(MAX_VERIFICATIONS_PER_QUERY * 8)  # the whole check, not one RRset
    zones = judge_chain(collection, anchors, at, budget)
    answers = [judge_answer(a, zones.get(a.zone), at, budget) for a in collection.answers]
    apex = _apex_soa(collection, zones, at, budget)
    statuses = [a.status for a in answers]
    verdict = worst(statuses) if statuses else Status.INDETERMINATE
    warn_seconds = int(warn_days * DAY)
    found: list[Finding] = []
    found += _link_findings(zones, answers + apex)
    found += _server_findings(collection)
    expiries, expiry_findings = _expiry_findings(zones, answers + apex, at, warn_seconds)
    found += expiry_findings
    found += [Finding(F.WALK_PROBLEM, ".", problem) for problem in collection.problems]
    found += _resolver_findings(collection, verdict)
    found = list(dict.fromkeys(found))  # the apex SOA may repeat what the answer showed
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
        earliest_expiration=expiries,
    )


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


def _grouped(views: dict[str, ServerView], wanted: set[Status]) -> dict[tuple[str, str], list[str]]:
    """(code, reason) -> servers, for the views of the wanted statuses."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for server, view in views.items():
        if view.status in wanted:
            for code in view.codes:
                groups[(code, view.reason)].append(server)
    return groups


def _link_findings(
    zones: dict[dns.name.Name, ZoneResult], answers: list[AnswerResult]
) -> list[Finding]:
    found: list[Finding] = []
    split: dict[str, list[dict[str, ServerView]]] = defaultdict(list)  # zone -> views that split
    for result in zones.values():
        zone = result.zone.to_text()
        if result.inherited:
            continue
        records = tuple(_text(result.ds)) if result.ds is not None else ()
        for views in (result.parent_servers, result.servers):
            for (code, reason), servers in _grouped(views, {Status.BOGUS}).items():
                found.append(Finding(code, zone, reason, tuple(sorted(servers)), records))
        for code in result.codes:
            if code in (F.DS_MATCHES, F.NO_DS, F.DS_ALL_UNSUPPORTED, F.NO_SERVER_ANSWERED):
                found.append(Finding(code, zone, result.reason, (), records))
        if F.SERVER_BOGUS in result.codes:
            split[zone].append(result.servers)
    for answer in answers:
        zone = answer.zone.to_text()
        for (code, reason), servers in _grouped(answer.servers, {Status.BOGUS}).items():
            records = tuple(line for r in answer.rrsets for line in _text(r))
            found.append(Finding(code, zone, reason, tuple(sorted(servers)), records))
        if F.SERVER_BOGUS in answer.codes:
            split[zone].append(answer.servers)
        if F.NO_SERVER_ANSWERED in answer.codes:
            found.append(Finding(F.NO_SERVER_ANSWERED, zone, answer.reason))
    found += [_bogus_servers(zone, tables) for zone, tables in split.items()]
    return found


def _bogus_servers(zone: str, tables: list[dict[str, ServerView]]) -> Finding:
    """One finding per zone whose servers split into valid and failing ones."""
    bad = sorted({s for views in tables for s, v in views.items() if v.status is Status.BOGUS})
    good = sorted({s for views in tables for s, v in views.items() if v.status is Status.SECURE})
    good = [s for s in good if s not in bad]
    first = next(v.reason for views in tables for s, v in views.items() if s == bad[0])
    failing = sum(1 for views in tables if any(v.status is Status.BOGUS for v in views.values()))
    message = (
        f"{', '.join(bad)} serve(s) data that fails validation ({failing} RRset(s), first: "
        f"{first}) while {', '.join(good) or 'no other server'} serve(s) valid data: "
        "resolvers that ask the former fail"
    )
    return Finding(F.SERVER_BOGUS, zone, message, tuple(bad))


def _server_findings(collection: Collection) -> list[Finding]:
    found: list[Finding] = []
    for cut in collection.zones.values():
        zone = cut.name.to_text()
        replies: dict[str, list[Reply]] = defaultdict(list)
        for table in (cut.dnskey, cut.soa, cut.ns):
            for server, reply in table.items():
                replies[server].append(reply)
        silent = sorted(s for s, rs in replies.items() if rs and all(r.message is None for r in rs))
        if silent:
            errors = sorted({r.exchange.error or "?" for s in silent for r in replies[s]})
            found.append(
                Finding(
                    F.SERVER_UNREACHABLE,
                    zone,
                    f"no answer from {', '.join(silent)} ({', '.join(errors)})",
                    tuple(silent),
                )
            )
        lame = sorted(
            s
            for s, rs in replies.items()
            if s not in silent and any(r.message is not None and not M.answered(r) for r in rs)
        )
        if lame:
            found.append(
                Finding(
                    F.SERVER_LAME,
                    zone,
                    f"{', '.join(lame)} did not answer authoritatively for {zone}",
                    tuple(lame),
                )
            )
        serials = {s: M.soa_serial(r, cut.name) for s, r in cut.soa.items() if M.answered(r)}
        distinct = {v for v in serials.values() if v is not None}
        if len(distinct) > 1:
            listing = ", ".join(f"{s}: {v}" for s, v in sorted(serials.items()))
            found.append(
                Finding(
                    F.SERVERS_DISAGREE,
                    zone,
                    f"SOA serials differ ({listing})",
                    tuple(sorted(serials)),
                )
            )
        found += dnskey_disagreement(cut.name, cut.dnskey)
    return found


def dnskey_disagreement(zone: dns.name.Name, replies: dict[str, Reply]) -> list[Finding]:
    """Servers that publish different DNSKEY sets (a key change not yet everywhere)."""
    tags: dict[str, tuple[int, ...]] = {}
    for server, reply in replies.items():
        keys = M.answer_rrset(reply, zone, T.DNSKEY)
        if keys is not None:
            tags[server] = tuple(sorted(k.key_id() for k in keys))
    if len(set(tags.values())) < 2:
        return []
    listing = "; ".join(f"{s}: {', '.join(map(str, t))}" for s, t in sorted(tags.items()))
    message = f"the servers publish different DNSKEY sets (key tags {listing})"
    return [Finding(F.SERVERS_DISAGREE, zone.to_text(), message, tuple(sorted(tags)))]


def _all_judgments(
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


def _expiry_findings(
    zones: dict[dns.name.Name, ZoneResult], answers: list[AnswerResult], at: int, warn_seconds: int
) -> tuple[dict[dns.name.Name, int], list[Finding]]:
    earliest: dict[dns.name.Name, int] = {}
    soon: dict[str, list[tuple[str, RrsigJudgment]]] = defaultdict(list)
    ttl: dict[str, set[str]] = defaultdict(set)
    for _zone, server, judgment in _all_judgments(zones, answers):
        if not judgment.valid:
            continue
        signer = judgment.signer
        earliest[signer] = min(earliest.get(signer, judgment.expiration), judgment.expiration)
        if judgment.seconds_left < warn_seconds:
            soon[signer.to_text()].append((server, judgment))
        if RrsigWarning.TTL_BEYOND_EXPIRATION in judgment.warnings:
            ttl[signer.to_text()].add(f"{judgment.owner} {T(judgment.type_covered).name}")
    found = []
    for zone, items in soon.items():
        first = min(items, key=lambda item: item[1].expiration)[1]
        covered = sorted({f"{j.owner} {T(j.type_covered).name}" for _, j in items})
        when = datetime.fromtimestamp(first.expiration, UTC).strftime("%Y-%m-%d %H:%M UTC")
        days = first.seconds_left / DAY
        message = (
            f"signatures expire in {days:.1f} days (first: {first.owner} "
            f"{T(first.type_covered).name} at {when}); {len(covered)} RRset(s) affected"
        )
        servers = tuple(sorted({s for s, _ in items}))
        found.append(Finding(F.RRSIG_EXPIRING_SOON, zone, message, servers, tuple(covered)))
    for zone, rrsets in ttl.items():
        found.append(
            Finding(
                F.TTL_BEYOND_EXPIRATION,
                zone,
                f"{len(rrsets)} RRset(s) outlive their signatures in caches (TTL > validity left)",
                (),
                tuple(sorted(rrsets)),
            )
        )
    return earliest, found


def _resolver_findings(collection: Collection, verdict: Status) -> list[Finding]:
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


def _text(rrset: dns.rrset.RRset | None) -> list[str]:
    if rrset is None:
        return []
    return [f"{rrset.name} {rrset.ttl} IN {T(rrset.rdtype).name} {rd.to_text()}" for rd in rrset]
