"""When the zone's signatures run out: the earliest expiration, how many expire
within the warning period, and a histogram of expirations by UTC day
(RFC 4035 5.3.1; RFC 6781 4.4.2: re-sign well before expiry)."""

from __future__ import annotations

from datetime import UTC, datetime

from dnssec_doctor.model import findings as F
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.zone_report import Expiry
from dnssec_doctor.validate.timeutil import iso
from dnssec_doctor.zonefile.workers import DAY, Tally


def _day(ts: int) -> str:
    try:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")
    except (OverflowError, OSError, ValueError):
        return str(ts // DAY)


def summarize(tally: Tally, warn_days: float) -> Expiry:
    """The expiry figures of every signature a :class:`~workers.Tally` counted."""
    if not tally.signatures or tally.earliest is None:
        return Expiry(None, None, None, 0, warn_days, ())
    return Expiry(
        earliest=tally.earliest.expiration,
        earliest_record=tally.earliest.rrsig_text,
        latest=tally.latest,
        expiring_soon=tally.soon,
        warn_days=warn_days,
        histogram=tuple((_day(day * DAY), n) for day, n in sorted(tally.days.items())),
    )


def expiry_findings(zone: str, expiry: Expiry) -> list[Finding]:
    if not expiry.expiring_soon or expiry.earliest is None:
        return []
    return [
        Finding.of(
            F.RRSIG_EXPIRING_SOON,
            zone,
            records=(expiry.earliest_record or "",),
            variant="zone",
            count=expiry.expiring_soon,
            warn_days=expiry.warn_days,
            when=iso(expiry.earliest),
        )
    ]


__all__ = ["Expiry", "expiry_findings", "summarize"]
