"""The versioned JSON form of a check report (schema ``dnssec-doctor/check/1``).

A public interface, documented in docs/json.md: fields are added, never renamed or
removed without a new schema version.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import dns.flags
import dns.rcode
import dns.rdatatype
import dns.rrset

from dnssec_doctor.model.analysis import AnswerResult, ServerView, ZoneResult
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.report import Report
from dnssec_doctor.model.rollover import Rollover

SCHEMA = "dnssec-doctor/check/1"


def _iso(posix: int) -> str:
    return datetime.fromtimestamp(posix, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _lines(rrset: dns.rrset.RRset | None) -> list[str]:
    if rrset is None:
        return []
    kind = dns.rdatatype.to_text(rrset.rdtype)
    return [f"{rrset.name} {rrset.ttl} IN {kind} {rd.to_text()}" for rd in rrset]


def _servers(views: dict[str, ServerView]) -> list[dict[str, Any]]:
    return [
        {"address": s, "status": v.status.value, "reason": v.reason, "codes": list(v.codes)}
        for s, v in sorted(views.items())
    ]


def _zone(result: ZoneResult) -> dict[str, Any]:
    return {
        "zone": result.zone.to_text(),
        "parent": result.parent.to_text() if result.parent is not None else None,
        "status": result.status.value,
        "reason": result.reason,
        "anchored": result.anchored,
        "inherited": result.inherited,
        "ds": _lines(result.ds),
        "ds_matches": [
            {"ds": j.ds.to_text(), "status": j.status.value, "detail": j.detail}
            for j in result.ds_judgments
        ],
        "dnskey": _lines(result.dnskey),
        "servers": _servers(result.servers),
        "parent_servers": _servers(result.parent_servers),
    }


def _answer(a: AnswerResult) -> dict[str, Any]:
    return {
        "qname": a.qname.to_text(),
        "qtype": dns.rdatatype.to_text(a.qtype),
        "zone": a.zone.to_text(),
        "status": a.status.value,
        "kind": a.kind,
        "reason": a.reason,
        "records": [line for r in a.rrsets for line in _lines(r)],
        "servers": _servers(a.servers),
    }


def _finding(finding: Finding) -> dict[str, Any]:
    """A finding as everywhere (Finding.as_dict), plus check's ``server_names`` after
    ``servers`` (issue 12 class 11; docs/json.md)."""
    out: dict[str, Any] = {}
    for key, value in finding.as_dict().items():
        out[key] = value
        if key == "servers":
            out["server_names"] = finding.names_dict()
    return out


def _rollover(rollover: Rollover) -> dict[str, Any]:
    """A rollover in progress (issue 12 class 1; docs/json.md)."""
    return {
        "zone": rollover.zone,
        "kind": rollover.kind.value,
        "method": rollover.method,
        "stage": rollover.stage.value,
        "legitimate": rollover.legitimate,
        "summary": rollover.summary,
        "next_step": rollover.next_step,
        "not_before": _iso(rollover.not_before) if rollover.not_before is not None else None,
        "old_keys": list(rollover.old_keys),
        "new_keys": list(rollover.new_keys),
        "step_too_early": rollover.step_too_early,
        "rrsets": list(rollover.rrsets),
        "servers": list(rollover.servers),
    }


def to_dict(report: Report) -> dict[str, Any]:
    analysis, diagnosis, collection = report.analysis, report.diagnosis, report.collection
    resolver = None
    if collection.resolver is not None:
        view = collection.resolver
        plain, cd = view.plain.message, view.checking_disabled.message
        resolver = {
            "address": view.address,
            "rcode": dns.rcode.to_text(plain.rcode()) if plain is not None else None,
            "ad": bool(plain.flags & dns.flags.AD) if plain is not None else None,
            "rcode_cd": dns.rcode.to_text(cd.rcode()) if cd is not None else None,
            "error": view.plain.exchange.error,
            "extended_errors": [
                {"info_code": e.info_code, "label": e.label, "text": e.text}
                for e in view.extended_errors
            ],
        }
    return {
        "schema": SCHEMA,
        "query": {"name": collection.evidence.query.name, "type": collection.evidence.query.type},
        "at": _iso(analysis.at),
        "verdict": analysis.verdict.value,
        "exit_code": int(report.exit_code),
        "break_at": analysis.break_at.to_text() if analysis.break_at is not None else None,
        "cause": {
            "code": diagnosis.cause.value,
            "zone": diagnosis.zone,
            "headline": diagnosis.headline,
            "underlying": diagnosis.underlying.value if diagnosis.underlying else None,
            "steps": [{"title": s.title, "lines": list(s.lines)} for s in diagnosis.steps],
            "ds_to_publish": [
                {
                    "key_tag": d.key_tag,
                    "algorithm": d.algorithm,
                    "digest_type": d.digest_type,
                    "digest": d.digest,
                    "record": d.presentation,
                }
                for d in diagnosis.ds_to_publish
            ],
            "also": [c.value for c in diagnosis.also],
        },
        "resolver": resolver,
        "chain": [_zone(r) for r in analysis.zones.values()],
        "answers": [_answer(a) for a in analysis.answers],
        "apex_soa": [_answer(a) for a in analysis.apex],
        "findings": [_finding(f) for f in analysis.findings],
        "rollovers": [_rollover(r) for r in analysis.rollovers],
        "earliest_expiration": {
            z.to_text(): _iso(t) for z, t in analysis.earliest_expiration.items()
        },
        "stats": {
            "seconds": round(report.seconds, 3),
            "queries": report.queries,
            "servers": report.servers,
            "rounds": getattr(collection, "rounds", None),
        },
        "problems": list(collection.problems),
    }


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2) + "\n"
