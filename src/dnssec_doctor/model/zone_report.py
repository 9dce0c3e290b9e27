"""A verify's result, whole: the zone's findings, keys, signature expiry and figures,
and the exit code (the worst severity). The zone-file counterpart of `report.Report`;
both are rendered by `render/` (text and JSON side by side)."""

from __future__ import annotations

from dataclasses import dataclass, field

from dnssec_doctor.exitcodes import ExitCode
from dnssec_doctor.model.findings import Finding, Severity


@dataclass(frozen=True)
class KeyInfo:
    key_tag: int
    algorithm: int
    flags: int
    sep: bool
    revoked: bool
    bits: int | None
    signs_dnskey: bool
    ds_matched: bool


@dataclass(frozen=True)
class Expiry:
    """``histogram``: (UTC date, signatures expiring that day), in date order."""

    earliest: int | None
    earliest_record: str | None
    latest: int | None
    expiring_soon: int
    warn_days: float
    histogram: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class VerifyStats:
    names: int
    rrsets_signed: int
    records: int
    signatures: int
    denial: str
    jobs: int
    seconds: float
    reading: str = "stream"  # stream | parallel | sorted (owners scattered: held in memory)


@dataclass(frozen=True)
class DsInfo:
    """Where the DS records checked against the zone came from."""

    source: str  # "file" (--ds) or "parent" (--ds-from-parent)
    where: str  # the file, or the parent zone and the servers asked
    records: tuple[str, ...]  # presentation format
    authenticated: bool | None = None  # parent only: validated from the trust anchor


@dataclass(frozen=True)
class VerifyReport:
    zone: str
    source: str
    at: int
    warn_days: float
    findings: tuple[Finding, ...]
    keys: tuple[KeyInfo, ...]
    expiry: Expiry
    stats: VerifyStats
    suppressed: dict[str, int] = field(default_factory=dict)
    ds: DsInfo | None = None

    @property
    def worst(self) -> Severity:
        return max((f.severity for f in self.findings), default=Severity.INFO)

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode(int(self.worst))

    @property
    def verdict(self) -> str:
        return {Severity.INFO: "OK", Severity.WARNING: "WARNING", Severity.CRITICAL: "CRITICAL"}[
            self.worst
        ]
