"""The monitor's status and history as data, in the schemas of `monitor status --json`
(``dnssec-doctor/monitor-status/1``) and `monitor history --json`
(``dnssec-doctor/monitor-history/1``): the command line and the web dashboard print the
same dictionaries (docs/monitor.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dnssec_doctor.monitor.engine import iso
from dnssec_doctor.monitor.results import Event
from dnssec_doctor.monitor.store import Status

STATUS_SCHEMA = "dnssec-doctor/monitor-status/1"
HISTORY_SCHEMA = "dnssec-doctor/monitor-history/1"


def days_left(expiration: int | None, now: float) -> float | None:
    return None if expiration is None else round((expiration - now) / 86400, 2)


def status_items(rows: Sequence[Status], now: float) -> list[dict[str, Any]]:
    return [
        {
            "zone": r.zone,
            "state": r.state,
            "verdict": r.verdict,
            "cause": r.cause,
            "headline": r.headline,
            "earliest_expiration": iso(r.earliest_expiration) if r.earliest_expiration else None,
            "earliest_expiration_server": r.earliest_expiration_server,
            "earliest_expiration_type": r.earliest_expiration_type,
            "last_safe_resign": (
                iso(r.earliest_expiration - (r.earliest_expiration_ttl or 0))
                if r.earliest_expiration
                else None
            ),
            "days_left": days_left(r.earliest_expiration, now),
            "stale_servers": r.stale_servers,
            "last_check": iso(r.last_check),
            "last_change": iso(r.last_change) if r.last_change else None,
            "reasons": r.reasons,
        }
        for r in rows
    ]


def history_dict(
    zone: str, events: Sequence[Event], trend: Sequence[tuple[float, int, int | None]]
) -> dict[str, Any]:
    return {
        "schema": HISTORY_SCHEMA,
        "zone": zone,
        "events": [
            {"at": iso(e.at), "kind": e.kind, "summary": e.summary, "detail": e.detail}
            for e in events
        ],
        "expiry_trend": [
            {"at": iso(at), "earliest_expiration": iso(exp),
             "newest_inception": iso(inc) if inc else None}
            for at, exp, inc in trend
        ],
    }  # fmt: skip
