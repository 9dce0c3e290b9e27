"""Verify a signed zone completely: every check family, one report.

:func:`verify_zone` is pure apart from the worker processes it may start: the time is
a parameter, the zone is already loaded (``load``), the DS records are given.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import dns.rdatatype
from dns.rdata import Rdata

from dnssec_doctor import findings as F
from dnssec_doctor.exitcodes import ExitCode
from dnssec_doctor.findings import Finding, Severity
from dnssec_doctor.zonefile.chain_nsec import check_nsec_chain
from dnssec_doctor.zonefile.chain_nsec3 import check_nsec3_chain
from dnssec_doctor.zonefile.expiry import Expiry, expiry_findings, summarize
from dnssec_doctor.zonefile.keys import KeyInfo, check_keys
from dnssec_doctor.zonefile.load import ZoneData
from dnssec_doctor.zonefile.signatures import check_signatures
from dnssec_doctor.zonefile.structure import ZoneShape, type_text, zone_shape
from dnssec_doctor.zonefile.workers import SigResult

#: Findings of one code kept in a report; the rest are counted in one more finding.
MAX_FINDINGS_PER_CODE = 100


@dataclass(frozen=True)
class VerifyStats:
    names: int
    rrsets_signed: int
    records: int
    signatures: int
    denial: str
    jobs: int
    seconds: float


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


def _cap(found: Sequence[Finding]) -> tuple[list[Finding], dict[str, int]]:
    kept: list[Finding] = []
    seen: Counter[str] = Counter()
    for f in found:
        seen[f.code] += 1
        if seen[f.code] <= MAX_FINDINGS_PER_CODE:
            kept.append(f)
    suppressed = {
        c: n - MAX_FINDINGS_PER_CODE for c, n in seen.items() if n > MAX_FINDINGS_PER_CODE
    }
    return kept, suppressed


def _occluded(z: str, shape: ZoneShape) -> list[Finding]:
    if not shape.occluded:
        return []
    sample = tuple(f"{n} {type_text(t)}" for n, t in shape.occluded[:10])
    return [
        Finding(
            F.OCCLUDED_DATA,
            z,
            f"{len(shape.occluded)} RRset(s) below a zone cut are occluded (not verified)",
            records=sample,
        )
    ]


def _denial(zone: ZoneData, shape: ZoneShape) -> tuple[str, list[Finding]]:
    z = zone.origin.to_text()
    has_nsec = any((dns.rdatatype.NSEC, 0) in zone.nodes[n] for n in shape.types)
    has_nsec3 = bool(shape.nsec3_owners) or zone.get(zone.origin, dns.rdatatype.NSEC3PARAM)
    if has_nsec and has_nsec3:
        return "NSEC+NSEC3", [
            Finding(F.ZONE_NO_DENIAL_CHAIN, z, "the zone has both NSEC and NSEC3 records"),
            *check_nsec_chain(zone, shape),
        ]
    if has_nsec:
        return "NSEC", check_nsec_chain(zone, shape)
    if has_nsec3:
        return "NSEC3", check_nsec3_chain(zone, shape)
    return "none", [Finding(F.ZONE_NO_DENIAL_CHAIN, z, "the zone has no NSEC or NSEC3 chain")]


def verify_zone(
    zone: ZoneData, at: int, warn_days: float, ds: Sequence[Rdata] = (), jobs: int = 1
) -> VerifyReport:
    """Run every check on ``zone`` as of POSIX time ``at``."""
    began = time.monotonic()
    z = zone.origin.to_text()
    shape = zone_shape(zone)
    dnskeys = zone.get(zone.origin, dns.rdatatype.DNSKEY)
    found: list[Finding] = _occluded(z, shape)
    keys: tuple[KeyInfo, ...] = ()
    results: tuple[SigResult, ...] = ()
    denial = "none"
    if dnskeys is None or len(dnskeys) == 0:
        found.append(Finding(F.ZONE_UNSIGNED, z, f"no DNSKEY RRset at {z}: the zone is not signed"))
    else:
        sigs = zone.get(zone.origin, dns.rdatatype.RRSIG, dns.rdatatype.DNSKEY)
        key_check = check_keys(zone.origin, dnskeys, sigs, at, ds)
        keys = key_check.keys
        signature_check = check_signatures(zone, shape, dnskeys, at, jobs)
        results = signature_check.results
        denial, denial_findings = _denial(zone, shape)
        found += [*key_check.findings, *signature_check.findings, *denial_findings]
    expiry = summarize(results, at, warn_days)
    found += expiry_findings(z, expiry)
    found.sort(key=lambda f: (-int(f.severity), f.code))
    kept, suppressed = _cap(found)
    stats = VerifyStats(
        names=len(zone.nodes),
        rrsets_signed=len(shape.signed),
        records=zone.record_count,
        signatures=len(results),
        denial=denial,
        jobs=jobs,
        seconds=round(time.monotonic() - began, 3),
    )
    return VerifyReport(z, zone.source, at, warn_days, tuple(kept), keys, expiry, stats, suppressed)


__all__ = ["MAX_FINDINGS_PER_CODE", "VerifyReport", "VerifyStats", "verify_zone"]
