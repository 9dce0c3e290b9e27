"""One verify, end to end: options in, VerifyReport out (the CLI only parses and renders)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dns.name
import dns.rdatatype
from dns.rdata import Rdata

from dnssec_doctor.check import CheckError, parse_at
from dnssec_doctor.validate.records import RecordParseError, parse_records
from dnssec_doctor.zonefile.load import (
    ZoneLoadError,
    fast_records,
    open_zone,
    reference_records,
)
from dnssec_doctor.zonefile.verify import VerifyReport, verify_records
from dnssec_doctor.zonefile.workers import SignatureWorkerError, default_jobs

DEFAULT_WARN_DAYS = 7.0


class VerifyError(Exception):
    """Bad input: the message is one line that says what to fix."""


@dataclass(frozen=True)
class VerifyOptions:
    source: str  # a path, or "-" for stdin
    origin: str | None = None
    at: str | None = None
    warn_days: float = DEFAULT_WARN_DAYS
    ds_file: Path | None = None
    jobs: int | None = None  # None: every core


def load_ds(path: Path, origin: dns.name.Name) -> list[Rdata]:
    """DS records from a zone-file-format file (e.g. dnssec-signzone's dsset-)."""
    try:
        text = path.read_text()
    except OSError as error:
        raise VerifyError(f"cannot read --ds {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise VerifyError(f"--ds {path}: not a text file") from error
    try:
        rrsets = parse_records(text)
    except RecordParseError as error:
        raise VerifyError(f"--ds {path}: {error}") from error
    ds = [r for r in rrsets if r.rdtype == dns.rdatatype.DS]
    if not ds:
        raise VerifyError(f"--ds {path}: no DS records")
    wrong = sorted({r.name.to_text() for r in ds if r.name != origin})
    if wrong:
        raise VerifyError(f"--ds {path}: DS owner {', '.join(wrong)} is not {origin}")
    return [rd for r in ds for rd in r]


def verify_file(
    source: str,
    at: int,
    warn_days: float = DEFAULT_WARN_DAYS,
    ds: Sequence[Rdata] = (),
    jobs: int = 1,
    origin: str | None = None,
    reference: bool = False,
) -> VerifyReport:
    """Verify the zone file ``source`` as of POSIX time ``at``; ``reference`` reads it
    with dnspython's parser instead of the fast reader (the tests compare the two).
    Raises :class:`ZoneLoadError` for input that is not a usable zone."""
    read = reference_records if reference else fast_records
    with open_zone(source, origin) as zone:
        return verify_records(lambda: read(zone), zone.origin, zone.name, at, warn_days, ds, jobs)


def run_verify(options: VerifyOptions) -> VerifyReport:
    try:
        at = parse_at(options.at, datetime.now(UTC))
    except CheckError as error:
        raise VerifyError(str(error)) from error
    jobs = options.jobs or default_jobs()
    try:
        with open_zone(options.source, options.origin) as source:
            ds = load_ds(options.ds_file, source.origin) if options.ds_file else []
            return verify_records(
                lambda: fast_records(source),
                source.origin,
                source.name,
                int(at.timestamp()),
                options.warn_days,
                ds,
                jobs,
            )
    except (ZoneLoadError, SignatureWorkerError) as error:
        raise VerifyError(str(error)) from error


__all__ = [
    "DEFAULT_WARN_DAYS",
    "VerifyError",
    "VerifyOptions",
    "load_ds",
    "run_verify",
    "verify_file",
]
