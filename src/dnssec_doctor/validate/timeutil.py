"""Time as a parameter: POSIX seconds or datetimes, and RRSIG serial-number times."""

from __future__ import annotations

from datetime import UTC, datetime

#: The analysis time: POSIX seconds, or an aware datetime (a naive one is taken as UTC).
At = int | float | datetime

_HALF = 1 << 31
_FULL = 1 << 32


def posix(at: At) -> int:
    """``at`` as integer POSIX seconds."""
    if isinstance(at, datetime):
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return int(at.timestamp())
    return int(at)


def serial_time(field: int, at: int) -> int:
    """The absolute time meant by a 32-bit RRSIG time field, seen from ``at``.

    RRSIG inception and expiration are serial numbers (RFC 4034 3.1.5, RFC 1982):
    the field means the time closest to ``at`` that has these low 32 bits, so
    signatures keep working after 2106.
    """
    t = (at & ~(_FULL - 1)) | (field & (_FULL - 1))
    if t - at > _HALF:
        t -= _FULL
    elif at - t > _HALF:
        t += _FULL
    return t


def iso(ts: int) -> str:
    """POSIX seconds as ``2026-11-24T10:00:00Z`` (for messages)."""
    try:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return str(ts)


__all__ = ["At", "iso", "posix", "serial_time"]
