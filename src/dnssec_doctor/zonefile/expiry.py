"""When the zone's signatures run out: the earliest expiration, how many expire
within the warning period, and a histogram of expirations by UTC day
(RFC 4035 5.3.1; RFC 6781 4.4.2: re-sign well before expiry)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from dnssec_doctor import findings as F
from dnssec_doctor.findings import Finding
from dnssec_doctor.validate.timeutil import iso
from dnssec_doctor.zonefile.workers import SigResult

DAY = 86400


@dataclass(frozen=True)
class Expiry:
    """``histogram``: (UTC date, signatures expiring that day), in date order."""

    earliest: int | None
    earliest_record: str | None
    latest: int | None
    expiring_soon: int
    warn_days: float
    histogram: tuple[tuple[str, int], ...]


def _day(ts: int) -> str:
    try:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")
    except (OverflowError, OSError, ValueError):
        return str(ts // DAY)


def summarize(results: Sequence[SigResult], at: int, warn_days: float) -> Expiry:
    if not results:
        return Expiry(None, None, None, 0, warn_days, ())
    first = min(results, key=lambda r: r.expiration)
    horizon = at + warn_days * DAY
    soon = sum(1 for r in results if at <= r.expiration <= horizon)
    days = Counter(_day(r.expiration) for r in results)
    return Expiry(
        earliest=first.expiration,
        earliest_record=first.rrsig_text,
        latest=max(r.expiration for r in results),
        expiring_soon=soon,
        warn_days=warn_days,
        histogram=tuple(sorted(days.items())),
    )


def expiry_findings(zone: str, expiry: Expiry) -> list[Finding]:
    if not expiry.expiring_soon or expiry.earliest is None:
        return []
    return [
        Finding(
            F.RRSIG_EXPIRING_SOON,
            zone,
            f"{expiry.expiring_soon} signature(s) expire within {expiry.warn_days:g} days; "
            f"the first at {iso(expiry.earliest)}",
            records=(expiry.earliest_record or "",),
        )
    ]


__all__ = ["Expiry", "expiry_findings", "summarize"]
