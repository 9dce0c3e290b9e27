"""What `serve` was started with: the check's options and the server's own limits."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from dnssec_doctor.services.check import CheckOptions

DEFAULT_RATE = 20  # checks per client per minute
DEFAULT_CONCURRENT = 4  # checks at once (each may wait seconds for silent servers)


class ServeSettings(NamedTuple):
    #: the options every check starts from (a request fills in name, type and time)
    check: CheckOptions
    evidence_dir: Path
    token: str | None = None
    rate_per_minute: int = DEFAULT_RATE
    max_concurrent: int = DEFAULT_CONCURRENT
    monitor_config: Path | None = None
