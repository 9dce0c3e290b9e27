"""Verify a signed zone completely: every check family, one report.

:func:`verify_records` takes a way to read the zone's records and reads them once,
node by node: each node is placed (``structure``), its coverage and TTL rules checked
(``signatures``) and its RRsets queued for the signature workers, while only what the
denial chains need is kept.  A zone whose records are not grouped by owner, or whose
cuts come after names below them, is read a second time and held, in canonical order.
Apart from the worker processes it may start it is pure: the time is a parameter, the
DS records are given.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.rdata import Rdata

from dnssec_doctor import findings as F
from dnssec_doctor.exitcodes import ExitCode
from dnssec_doctor.findings import Finding, Severity
from dnssec_doctor.zonefile.chain_nsec import check_nsec_chain
from dnssec_doctor.zonefile.chain_nsec3 import check_nsec3_chain
from dnssec_doctor.zonefile.expiry import Expiry, expiry_findings, summarize
from dnssec_doctor.zonefile.keys import KeyInfo, check_keys
from dnssec_doctor.zonefile.load import ZoneLoadError
from dnssec_doctor.zonefile.nodes import (
    RRSIG,
    Node,
    RRsetData,
    Unordered,
    sorted_nodes,
    stream_nodes,
)
from dnssec_doctor.zonefile.reader import Record
from dnssec_doctor.zonefile.signatures import check_node, code_of, result_findings, zone_algorithms
from dnssec_doctor.zonefile.structure import OCCLUDED_SAMPLE, Role, ZoneShape
from dnssec_doctor.zonefile.wire import canonical_key, to_text, type_text
from dnssec_doctor.zonefile.workers import Context, SignatureJudge, Tally, WorkItem

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


def _cap(found: Sequence[Finding], unlisted: Counter[str]) -> tuple[list[Finding], dict[str, int]]:
    """At most :data:`MAX_FINDINGS_PER_CODE` findings of a code; ``unlisted`` counts
    findings that were never made (signature problems beyond what a tally keeps)."""
    kept: list[Finding] = []
    seen: Counter[str] = Counter()
    for f in found:
        seen[f.code] += 1
        if seen[f.code] <= MAX_FINDINGS_PER_CODE:
            kept.append(f)
    seen.update(unlisted)
    suppressed = {
        c: n - MAX_FINDINGS_PER_CODE for c, n in seen.items() if n > MAX_FINDINGS_PER_CODE
    }
    return kept, suppressed


_SOA, _NS, _DNSKEY, _NSEC, _NSEC3PARAM = 6, 2, 48, 47, 51
_DAY = 86400


def _occluded(z: str, shape: ZoneShape) -> list[Finding]:
    if not shape.occluded_count:
        return []
    first = sorted(shape.occluded_sample, key=lambda nt: (canonical_key(nt[0]), nt[1]))
    sample = tuple(f"{to_text(n)} {type_text(t)}" for n, t in first[:OCCLUDED_SAMPLE])
    return [
        Finding(
            F.OCCLUDED_DATA,
            z,
            f"{shape.occluded_count} RRset(s) below a zone cut are occluded (not verified)",
            records=sample,
        )
    ]


def _denial(shape: ZoneShape, nsec3param: list[bytes]) -> tuple[str, list[Finding]]:
    z = to_text(shape.origin)
    has_nsec = any(n in shape.types for n in shape.nsec)
    has_nsec3 = bool(shape.nsec3) or bool(nsec3param)
    if has_nsec and has_nsec3:
        return "NSEC+NSEC3", [
            Finding(F.ZONE_NO_DENIAL_CHAIN, z, "the zone has both NSEC and NSEC3 records"),
            *check_nsec_chain(shape),
        ]
    if has_nsec:
        return "NSEC", check_nsec_chain(shape)
    if has_nsec3:
        return "NSEC3", check_nsec3_chain(shape, nsec3param)
    return "none", [Finding(F.ZONE_NO_DENIAL_CHAIN, z, "the zone has no NSEC or NSEC3 chain")]


def _rrset(owner: dns.name.Name, rdtype: int, data: RRsetData | None) -> dns.rrset.RRset | None:
    if data is None:
        return None
    rrset = dns.rrset.RRset(owner, dns.rdataclass.IN, dns.rdatatype.RdataType.make(rdtype))
    for wire in data.rdatas:
        rdata = dns.rdata.from_wire(dns.rdataclass.IN, rrset.rdtype, wire, 0, len(wire))
        rrset.add(rdata, data.ttl)
    return rrset


@dataclass
class _Apex:
    """What the rest of the zone is judged against, from the apex node."""

    dnskeys: RRsetData | None
    dnskey_sigs: RRsetData | None
    nsec3param: list[bytes]


def _no_soa(name: str, origin: str) -> ZoneLoadError:
    return ZoneLoadError(
        f"{name}: no SOA record at the origin {origin} (wrong --origin, or not a zone)"
    )


def _apex(node: Node, name: str, origin: str) -> _Apex:
    if node.get(_SOA) is None:
        raise _no_soa(name, origin)
    if node.get(_NS) is None:
        raise ZoneLoadError(f"{name}: no NS RRset at the origin {origin}")
    param = node.get(_NSEC3PARAM)
    return _Apex(node.get(_DNSKEY), node.get(RRSIG, _DNSKEY), list(param.rdatas) if param else [])


def _walk(
    nodes: Iterator[Node],
    origin: dns.name.Name,
    name: str,
    at: int,
    warn_days: float,
    ds: Sequence[Rdata],
    jobs: int,
    streaming: bool,
    extra: Sequence[Finding],
) -> VerifyReport:
    began = time.monotonic()
    origin_wire = (origin.to_wire() or b"").lower()
    z = origin.to_text()
    shape = ZoneShape(origin_wire)
    first = next(nodes, None)
    if first is None or first.owner != origin_wire:
        if streaming and first is not None:
            raise Unordered(first.owner)  # the apex is needed first: read it sorted
        raise _no_soa(name, z)
    apex = _apex(first, name, z)
    found: list[Finding] = []
    judge: SignatureJudge | None = None
    algorithms: frozenset[int] = frozenset()
    if apex.dnskeys is None or not apex.dnskeys.rdatas:
        found.append(Finding(F.ZONE_UNSIGNED, z, f"no DNSKEY RRset at {z}: the zone is not signed"))
    else:
        algorithms = zone_algorithms(apex.dnskeys.rdatas)
        horizon = at + int(warn_days * _DAY)
        context = Context(origin_wire, apex.dnskeys.ttl, tuple(apex.dnskeys.rdatas), at, horizon)
        judge = SignatureJudge(context, jobs)
    signed = 0
    try:
        work: list[WorkItem] = []
        for node in _chain(first, nodes):
            placed = shape.classify(node)
            if placed.role is Role.OUTSIDE:
                continue
            signed += len(placed.signed)
            if judge is not None:
                found += check_node(z, node, placed, algorithms, work)
                for item in work:
                    judge.add(item)
                work.clear()
        tally = judge.finish() if judge is not None else Tally()
    finally:
        if judge is not None:
            judge.close()
    keys: tuple[KeyInfo, ...] = ()
    denial = "none"
    if judge is not None:
        key_check = check_keys(
            origin,
            _rrset(origin, _DNSKEY, apex.dnskeys),  # type: ignore[arg-type]
            _rrset(origin, RRSIG, apex.dnskey_sigs),
            at,
            ds,
        )
        keys = key_check.keys
        denial, denial_findings = _denial(shape, apex.nsec3param)
        found += [*key_check.findings, *result_findings(z, tally.problems), *denial_findings]
    found = _occluded(z, shape) + list(extra) + found
    expiry = summarize(tally, warn_days)
    found += expiry_findings(z, expiry)
    # the order does not depend on the file's: severity, code, then the message
    found.sort(key=lambda f: (-int(f.severity), f.code, f.message, f.records))
    unlisted: Counter[str] = Counter()
    for kind, total in tally.counts.items():
        code = code_of(kind)
        if code is not None:
            unlisted[code] += total - tally.kept[kind]
    kept, suppressed = _cap(found, unlisted)
    stats = VerifyStats(
        names=shape.names,
        rrsets_signed=signed,
        records=shape.records,
        signatures=tally.signatures,
        denial=denial,
        jobs=jobs,
        seconds=round(time.monotonic() - began, 3),
    )
    return VerifyReport(z, name, at, warn_days, tuple(kept), keys, expiry, stats, suppressed)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The walk makes millions of short-lived objects that hold no reference cycles
    (bytes, tuples, small lists and dicts: reference counting frees them), while the
    names kept for the chains grow into big long-lived dicts that every full
    collection would scan again: the cycle collector only costs time here."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _chain(first: Node, rest: Iterator[Node]) -> Iterator[Node]:
    yield first
    yield from rest


def verify_records(
    records: Callable[[], Iterable[Record]],
    origin: dns.name.Name,
    name: str,
    at: int,
    warn_days: float,
    ds: Sequence[Rdata] = (),
    jobs: int = 1,
    extra: Sequence[Finding] = (),
    ds_info: DsInfo | None = None,
) -> VerifyReport:
    """Run every check on the zone ``records()`` yields, as of POSIX time ``at``;
    ``extra`` findings (about the DS source) join the report.

    ``records`` is called again (and the zone held in memory) only when its records
    are not grouped by owner or a cut follows names below it."""
    with _no_cycle_collection():
        try:
            nodes = stream_nodes(records())
            report = _walk(nodes, origin, name, at, warn_days, ds, jobs, True, extra)
        except Unordered:
            origin_wire = (origin.to_wire() or b"").lower()
            nodes = sorted_nodes(records(), origin_wire)
            report = _walk(nodes, origin, name, at, warn_days, ds, jobs, False, extra)
    return dataclasses.replace(report, ds=ds_info) if ds_info is not None else report


__all__ = ["MAX_FINDINGS_PER_CODE", "DsInfo", "VerifyReport", "VerifyStats", "verify_records"]
