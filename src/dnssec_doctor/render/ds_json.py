"""The versioned JSON forms of the ds commands (schemas ``dnssec-doctor/ds-show/1``,
``dnssec-doctor/ds-compare/1``, ``dnssec-doctor/ds-disable-plan/1``), documented in
docs/ds.md: fields are added, never renamed or removed without a new version."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from dnssec_doctor.model.ds_report import (
    CompareReport,
    DisablePlan,
    DsForm,
    KeyEntry,
    PlanStep,
    ShowReport,
)

SHOW = "dnssec-doctor/ds-show/1"
COMPARE = "dnssec-doctor/ds-compare/1"
DISABLE_PLAN = "dnssec-doctor/ds-disable-plan/1"


def _iso(posix: int | None) -> str | None:
    if posix is None:
        return None
    return datetime.fromtimestamp(posix, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ds_json(form: DsForm) -> dict[str, Any]:
    return {
        "owner": form.owner,
        "key_tag": form.key_tag,
        "algorithm": form.algorithm,
        "algorithm_name": form.algorithm_name,
        "digest_type": form.digest_type,
        "digest_name": form.digest_name,
        "digest": form.digest,
        "ttl": form.ttl,
        "record": form.zone_line(),
    }


def key_json(key: KeyEntry) -> dict[str, Any]:
    return {
        "key_tag": key.key_tag,
        "flags": key.flags,
        "protocol": key.protocol,
        "algorithm": key.algorithm,
        "algorithm_name": key.algorithm_name,
        "public_key": key.public_key,
        "sep": key.sep,
        "revoked": key.revoked,
        "signs_dnskey": key.signs_dnskey,
        "servers": list(key.servers),
        "source": key.source or None,
        "note": key.note or None,
        "ds": [ds_json(d) for d in key.ds],
    }


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def render_show(report: ShowReport) -> str:
    return _dump(
        {
            "schema": SHOW,
            "zone": report.zone,
            "source": report.source,
            "at": _iso(report.at),
            "digests": list(report.digests),
            "keys": [key_json(k) for k in report.keys],
            "others": [key_json(k) for k in report.others],
            "notes": list(report.notes),
            "servers": {a: list(tags) for a, tags in sorted(report.servers.items())},
            "server_names": {a: list(n) for a, n in sorted(report.server_names.items())},
            "servers_differ": report.servers_differ,
            "authenticated": report.authenticated,
            "authentication": report.authentication or None,
            "parent_ds": [ds_json(d) for d in report.parent_ds],
        }
    )


def render_compare(report: CompareReport, exit_code: int) -> str:
    return _dump(
        {
            "schema": COMPARE,
            "zone": report.zone,
            "parent": report.parent,
            "at": _iso(report.at),
            "outcome": report.outcome.value,
            "exit_code": exit_code,
            "summary": report.summary,
            "ds": [
                {
                    **ds_json(v.ds),
                    "state": v.state.value,
                    "reason": v.reason,
                    "matches_key": v.key_tag,
                    "servers": list(v.servers),
                }
                for v in report.verdicts
            ],
            "missing": [key_json(k) for k in report.missing],
            "publish": [ds_json(d) for d in report.publish],
            "parent_servers": {a: list(d) for a, d in sorted(report.parent_servers.items())},
            "parent_server_names": {a: list(n) for a, n in sorted(report.server_names.items())},
            "parent_servers_differ": report.parent_servers_differ,
            "ds_ttl": report.ds_ttl,
            "timing": list(report.timing),
            "notes": list(report.notes),
        }
    )


def _step(step: PlanStep) -> dict[str, Any]:
    return {"title": step.title, "at": _iso(step.at), "lines": list(step.lines)}


def render_disable_plan(plan: DisablePlan) -> str:
    return _dump(
        {
            "schema": DISABLE_PLAN,
            "zone": plan.zone,
            "parent": plan.parent,
            "at": _iso(plan.at),
            "ds": [ds_json(d) for d in plan.ds],
            "parent_servers": {a: list(d) for a, d in sorted(plan.parent_servers.items())},
            "ds_ttl": plan.ds_ttl,
            "dnskey_ttl": plan.dnskey_ttl,
            "rrsig_ttl": plan.rrsig_ttl,
            "negative_ttl": plan.negative_ttl,
            "insecure_at": _iso(plan.insecure_at),
            "unsign_at": _iso(plan.unsign_at),
            "signatures_expire": _iso(plan.signatures_expire),
            "cds_published": list(plan.cds_published),
            "steps": [_step(s) for s in plan.steps],
            "way_back": [_step(s) for s in plan.way_back],
            "notes": list(plan.notes),
        }
    )


__all__ = [
    "COMPARE",
    "DISABLE_PLAN",
    "SHOW",
    "render_compare",
    "render_disable_plan",
    "render_show",
]
