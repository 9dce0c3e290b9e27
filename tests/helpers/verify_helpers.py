"""Verify a zone file with both readers and insist they agree.

The fast reader (``zonefile/reader.py``) is what ``verify`` uses, with its C
extension when built; dnspython's zone parser is the reference.  Every zone the verify
tests build goes through the reference, the fast reader with and without the C
extension, and byte ranges; the reports must be the same apart from timing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import pytest
from dns.rdata import Rdata

from dnssec_doctor import defaults
from dnssec_doctor.model.zone_report import VerifyReport
from dnssec_doctor.services.verify import verify_file
from dnssec_doctor.zonefile import parallel, reader


def comparable(report: VerifyReport) -> VerifyReport:
    """The report without what may differ between runs (time spent, how it was read)."""
    stats = dataclasses.replace(report.stats, seconds=0.0, reading="", jobs=0)
    return dataclasses.replace(report, stats=stats)


def verify_both(
    path: Path | str,
    at: int,
    warn_days: float = defaults.WARN_DAYS,
    ds: Sequence[Rdata] = (),
    jobs: int = 1,
    origin: str | None = None,
) -> VerifyReport:
    fast = verify_file(str(path), at, warn_days, ds, jobs, origin)
    reference = verify_file(str(path), at, warn_days, ds, jobs, origin, reference=True)
    assert comparable(fast) == comparable(reference)
    with pytest.MonkeyPatch.context() as patch:
        # the fast reader without its C extension (reader.py alone)
        patch.setattr(reader, "_CZONE", None)
        pure = verify_file(str(path), at, warn_days, ds, jobs, origin)
    assert comparable(pure) == comparable(reference)
    with pytest.MonkeyPatch.context() as patch:
        # byte ranges of a few hundred bytes: every boundary case a small zone has
        patch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
        patch.setattr(parallel, "RANGES_PER_JOB", 8)
        ranges = verify_file(str(path), at, warn_days, ds, 2, origin)
    assert comparable(ranges) == comparable(reference)
    return fast
