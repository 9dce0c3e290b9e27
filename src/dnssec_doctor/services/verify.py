"""One verify, end to end: options in, VerifyReport out (the CLI only parses and renders)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import dns.name
import dns.rdatatype
from dns.rdata import Rdata

from dnssec_doctor import defaults
from dnssec_doctor.inputfile import MAX_TEXT_FILE, read_small
from dnssec_doctor.model.checks import CheckError as RegistryError
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.zone_report import DsInfo, VerifyReport
from dnssec_doctor.services.check import CheckError, CheckOptions, parse_at
from dnssec_doctor.validate.records import RecordParseError, parse_records
from dnssec_doctor.zonefile import checks as zone_checks
from dnssec_doctor.zonefile.axfr import spooled_records, transfer
from dnssec_doctor.zonefile.cutscan import KnownCuts
from dnssec_doctor.zonefile.load import (
    ZoneLoadError,
    fast_records,
    open_zone,
    reference_records,
)
from dnssec_doctor.zonefile.reader import Record
from dnssec_doctor.zonefile.verify import verify_records
from dnssec_doctor.zonefile.workers import SignatureWorkerError, default_jobs

DEFAULT_WARN_DAYS = defaults.WARN_DAYS
DEFAULT_TIMEOUT = defaults.VERIFY_TIMEOUT


class VerifyError(Exception):
    """Bad input: the message is one line that says what to fix."""


@dataclass(frozen=True)
class VerifyOptions:
    source: str  # a path, "-" for stdin, or with axfr the zone's name
    origin: str | None = None
    at: str | None = None
    warn_days: float = DEFAULT_WARN_DAYS
    ds_file: Path | None = None
    jobs: int | None = None  # None: every core
    axfr: str | None = None  # transfer the zone from this server address
    ds_from_parent: bool = False
    # how the network is reached (--axfr, --ds-from-parent), as `check` does
    port: int = 53
    timeout: float = DEFAULT_TIMEOUT
    trust_anchor_file: Path | None = None
    root_hints_file: Path | None = None
    disabled: tuple[str, ...] = ()  # verify's checks or sets left out (zonefile/checks.py)


def load_ds(path: Path, origin: dns.name.Name) -> list[Rdata]:
    """DS records from a zone-file-format file (e.g. dnssec-signzone's dsset-)."""
    try:
        text = read_small(path, MAX_TEXT_FILE).decode()
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
        path = None if reference else zone.path  # byte ranges are read by the fast reader
        return verify_records(
            lambda: read(zone), zone.origin, zone.name, at, warn_days, ds, jobs, path=path
        )


def _ds(
    options: VerifyOptions, origin: dns.name.Name
) -> tuple[list[Rdata], list[Finding], DsInfo | None]:
    if options.ds_file is not None and options.ds_from_parent:
        raise VerifyError("give --ds FILE or --ds-from-parent, not both")
    if options.ds_file is not None:
        ds = load_ds(options.ds_file, origin)
        info = DsInfo("file", str(options.ds_file), tuple(d.to_text() for d in ds))
        return ds, [], info
    if not options.ds_from_parent:
        return [], [], None
    # the walk pulls in check's collector and analysis: only when asked for
    from dnssec_doctor.services.parent_ds import ParentDsError, fetch_parent_ds

    walk = CheckOptions(
        name=origin.to_text(),
        trust_anchor_file=options.trust_anchor_file,
        root_hints_file=options.root_hints_file,
        port=options.port,
        timeout=options.timeout,
    )
    try:
        fetched = fetch_parent_ds(origin, walk)
    except ParentDsError as error:
        raise VerifyError(str(error)) from error
    where = f"{fetched.parent} ({', '.join(fetched.servers)})"
    records = tuple(d.to_text() for d in fetched.ds)
    info = DsInfo("parent", where, records, fetched.authenticated)
    return list(fetched.ds), list(fetched.findings), info


class ZoneInput(NamedTuple):
    records: Callable[[], Iterator[Record]]  # callable again for a second pass
    origin: dns.name.Name
    name: str  # how messages call the source
    path: str | None  # the zone file when there is one (read in byte ranges)
    known: KnownCuts | None = None  # cuts and DNAMEs known before reading (a transfer)


@contextmanager
def _zone_input(options: VerifyOptions) -> Iterator[ZoneInput]:
    """The zone file (or stdin), or a zone transfer spooled to disk."""
    if options.axfr is not None:
        zone = options.origin or options.source
        with transfer(options.axfr, zone, options.port, options.timeout) as got:
            known = (got.cuts, got.dnames)
            yield ZoneInput(lambda: spooled_records(got), got.origin, got.name, None, known)
        return
    with open_zone(options.source, options.origin) as source:
        yield ZoneInput(lambda: fast_records(source), source.origin, source.name, source.path)


def known_checks(disabled: tuple[str, ...]) -> None:
    """A --disable that names none of verify's checks or sets is bad input: say so
    before the zone is read."""
    try:
        zone_checks.registered(disabled)
    except RegistryError as error:
        raise VerifyError(f"--disable: {error} (see: dnssec-doctor checks)") from error


def run_verify(options: VerifyOptions) -> VerifyReport:
    try:
        at = int(parse_at(options.at, datetime.now(UTC)).timestamp())
    except CheckError as error:
        raise VerifyError(str(error)) from error
    known_checks(options.disabled)
    jobs = options.jobs or default_jobs()
    try:
        with _zone_input(options) as zone:
            ds, extra, info = _ds(options, zone.origin)
            return verify_records(
                zone.records,
                zone.origin,
                zone.name,
                at,
                options.warn_days,
                ds,
                jobs,
                extra,
                info,
                zone.path,
                known=zone.known,
                disabled=options.disabled,
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
