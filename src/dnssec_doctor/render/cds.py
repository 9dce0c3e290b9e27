"""``cds parent``'s output: the DS set in zone-file form, the verdict line, the JSON
(docs/cds.md; a public interface)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import dns.name
from dns.rdtypes.ANY.DS import DS

from dnssec_doctor.validate.cds import CdsDecision, ds_text
from dnssec_doctor.validate.timeutil import iso

JSON_VERSION = 1


def ds_lines(zone: dns.name.Name, records: Sequence[DS], ttl: int | None) -> list[str]:
    """The DS set in zone-file form, one record a line, the digest in upper case as
    dnssec-dsfromkey writes it; without a TTL when *ttl* is None (as the dsset had it)."""
    owner = f"{zone.to_text()} {ttl} IN DS" if ttl is not None else f"{zone.to_text()} IN DS"
    return [f"{owner} {ds_text(d)}" for d in records]


def verdict_line(zone: dns.name.Name, decision: CdsDecision) -> str:
    """One line: the action and why."""
    return f"{zone}: {decision.action.value}: {decision.reason}"


def render_json(
    zone: dns.name.Name,
    decision: CdsDecision,
    current: Sequence[DS],
    ttl: int | None,
    *,
    not_before: int | None,
    servers: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> str:
    report = {
        "version": JSON_VERSION,
        "zone": zone.to_text(),
        "action": decision.action.value,
        "reason": decision.reason,
        "source": decision.source.value,
        "ds": ds_lines(zone, decision.ds, ttl),
        "current": ds_lines(zone, current, ttl),
        "notes": [*notes, *decision.notes],
        "not_before": iso(not_before) if not_before is not None else None,
        "inception": iso(decision.inception) if decision.inception is not None else None,
        "servers": list(servers),
    }
    return json.dumps(report, indent=2) + "\n"


__all__ = ["JSON_VERSION", "ds_lines", "render_json", "verdict_line"]
