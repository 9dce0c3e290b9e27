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
import os
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.rdata import Rdata

from dnssec_doctor.model.checks import admit, run_checks
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.zone_report import DsInfo, VerifyReport, VerifyStats
from dnssec_doctor.zonefile import checks as zone_checks
from dnssec_doctor.zonefile import cutscan, parallel
from dnssec_doctor.zonefile.chain_nsec import ChainPart, chain_closes, check_nsec_chain, range_chain
from dnssec_doctor.zonefile.chain_nsec3 import Nsec3Record, nsec3_records
from dnssec_doctor.zonefile.context import ZoneContext
from dnssec_doctor.zonefile.expiry import summarize
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
from dnssec_doctor.zonefile.signatures import check_node, code_of, zone_algorithms
from dnssec_doctor.zonefile.structure import Role, ZoneShape
from dnssec_doctor.zonefile.wire import (
    canonical,
    rrset_from_wire,
)
from dnssec_doctor.zonefile.workers import Context, SignatureJudge, Tally, WorkItem, judge_items

#: Findings of one code kept in a report; the rest are counted in one more finding.
MAX_FINDINGS_PER_CODE = 100


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


def _rrset(owner: dns.name.Name, rdtype: int, data: RRsetData | None) -> dns.rrset.RRset | None:
    return None if data is None else rrset_from_wire(owner, rdtype, data.ttl, data.rdatas)


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


@dataclass
class _Read:
    """What reading the zone gathered, however it was read."""

    shape: ZoneShape
    apex: _Apex
    found: list[Finding]
    tally: Tally
    signed: int
    signed_zone: bool
    reading: str = "stream"
    nsec3: list[Nsec3Record] | None = None  # nsec3_records(shape), when already made
    nsec: list[Finding] | None = None  # the NSEC chain's findings, when already made


@dataclass(frozen=True)
class _Job:
    """The zone being verified and how: what every reading step needs."""

    origin: dns.name.Name
    name: str  # how messages call the source
    at: int
    warn_days: float
    jobs: int
    disabled: tuple[str, ...] = ()  # verify's checks or sets left out (zonefile/checks.py)

    @property
    def origin_wire(self) -> bytes:
        return canonical(self.origin)

    @property
    def z(self) -> str:
        return self.origin.to_text()


@dataclass
class _Start:
    apex: _Apex
    context: Context | None  # None: the zone is not signed (zone.signed says so)
    algorithms: frozenset[int]


def _start(first: Node | None, job: _Job) -> _Start:
    """Check the apex node; the signature context its DNSKEYs make."""
    z, origin_wire = job.z, job.origin_wire
    if first is None or first.owner != origin_wire:
        raise _no_soa(job.name, z)
    apex = _apex(first, job.name, z)
    if apex.dnskeys is None or not apex.dnskeys.rdatas:
        return _Start(apex, None, frozenset())
    algorithms = zone_algorithms(apex.dnskeys.rdatas)
    horizon = job.at + int(job.warn_days * _DAY)
    keys = tuple(apex.dnskeys.rdatas)
    context = Context(origin_wire, apex.dnskeys.ttl, keys, job.at, horizon)
    return _Start(apex, context, algorithms)


def _read_stream(
    nodes: Iterator[Node],
    job: _Job,
    streaming: bool,
    known: cutscan.KnownCuts | None = None,
) -> _Read:
    """Read node by node in this process; the signatures go to the workers.  With
    ``known`` cuts, glue may come before its delegation (dnssec-signzone's order)."""
    z = job.z
    first = next(nodes, None)
    if streaming and first is not None:
        if first.owner != job.origin_wire:
            raise Unordered(first.owner)  # the apex is needed first: read it sorted
        if not _apex_complete(first):
            raise Unordered(first.owner)  # the apex's records may come later (AXFR allows it)
    start = _start(first, job)
    assert first is not None
    shape = ZoneShape(job.origin_wire, *known) if known else ZoneShape(job.origin_wire)
    found: list[Finding] = []
    judge = SignatureJudge(start.context, job.jobs) if start.context is not None else None
    signed = 0
    try:
        work: list[WorkItem] = []
        for node in _chain(first, nodes):
            placed = shape.classify(node)
            if placed.role is Role.OUTSIDE:
                continue
            signed += len(placed.signed)
            if judge is not None:
                found += check_node(z, node, placed, start.algorithms, work)
                for item in work:
                    judge.add(item)
                work.clear()
        shape.confirm()
        tally = judge.finish() if judge is not None else Tally()
    finally:
        if judge is not None:
            judge.close()
    reading = "stream" if streaming else "sorted"
    return _Read(shape, start.apex, found, tally, signed, judge is not None, reading)


def _known_cuts(path: str, start: int, job: _Job) -> cutscan.KnownCuts | None:
    """The file's cuts and DNAMEs after byte ``start`` by a byte search (``cutscan``),
    as wire names; None when text is not enough to name them."""
    owners = cutscan.scan(path, start, cutscan.origin_text(job.z))
    return owners.as_wire() if owners is not None else None


def _apex_complete(node: Node) -> bool:
    """Does the apex node hold its SOA and NS (records a transfer or a file may
    also give later, which only the sorted read can gather)?"""
    return node.get(_SOA) is not None and node.get(_NS) is not None


def _read_known_cuts(
    path: str | None, records: Callable[[], Iterable[Record]], job: _Job
) -> _Read | None:
    """The one-stream read again, the cuts known in advance: for zones whose glue
    comes before its delegation.  None when that cannot be done or does not hold."""
    known = _known_cuts(path, 0, job) if path is not None else None
    if known is None or not (known[0] or known[1]):
        return None
    try:
        return _read_stream(stream_nodes(records()), job, True, known)
    except Unordered:
        return None


@dataclass(frozen=True)
class _Head:
    """The apex, read in this process, and where the ranges after it begin."""

    first: Node
    start: _Start
    body: int  # byte offset of the first line after the apex
    default_ttl: int | None


#: Ranges read again at most (or one in REREAD_SHARE of those in so far, if more)
#: when their names turn out to be below a cut of another range; past that (glue all
#: over the file, far from its delegation: dnssec-signzone's order, which shows in the
#: first few ranges) the ranges are read again, all of them, with the file's cuts
#: found first (``cutscan``).
REREAD_RANGES = 4
REREAD_SHARE = 10


def _read_parallel(path: str, job: _Job) -> _Read:
    """Read the apex here and the rest in byte ranges in the workers; raises
    NotParallel when the one-stream read must be used.

    Each range first knows only its own cuts and DNAMEs, so nothing searches the
    file first; the few ranges with names below a cut of another range are read
    again, knowing every range's cuts.  When there are more of those, or the file
    has too few new children of the apex to cut at, the file's cuts are found by a
    byte search (``cutscan``) and the ranges are read knowing them all."""
    z, origin_wire = job.z, job.origin_wire
    records, body, default_ttl = parallel.header(path, z, origin_wire)
    (first,) = stream_nodes(records)
    if not _apex_complete(first):
        raise parallel.NotParallel("the apex's records are not all at the start")
    head = _Head(first, _start(first, job), body, default_ttl)
    spans = parallel.range_spans(path, body, z, job.jobs, None)
    if spans is not None:
        try:
            return _read_ranges(path, job, head, spans, (frozenset(), frozenset()))
        except parallel.CrossRange:
            pass  # again, below, with the file's cuts known in advance
    cut_owners = cutscan.scan(path, body, cutscan.origin_text(z))
    known = cut_owners.as_wire() if cut_owners is not None else None
    if cut_owners is None or known is None:
        raise parallel.NotParallel("zone cuts that text does not name")
    if spans is not None and not (known[0] or known[1]):
        raise parallel.NotParallel("the cuts across ranges are ones the byte search misses")
    spans = parallel.range_spans(path, body, z, job.jobs, cut_owners)
    assert spans is not None  # with the owners given, there always are
    return _read_ranges(path, job, head, spans, known)


@dataclass
class _Part:
    """What a range gave that is merged in file order, after all ranges are in."""

    findings: list[Finding]
    tally: Tally
    signed: int
    nsec3: list[Nsec3Record]
    nsec_findings: list[Finding]  # with Task.nsec_chain: the range's part of the chain
    nsec_chain: ChainPart | None


def _part(part: parallel.ChunkResult) -> _Part:
    return _Part(
        part.findings, part.tally, part.signed, part.nsec3, part.nsec_findings, part.nsec_chain
    )


@dataclass
class _Merge:
    """The ranges' results as they come.  A range whose names all sit below the
    apex's children or its own cuts is placed as one stream would: its shape is
    merged at once.  One with other ancestors (a cut of a range not yet seen may be
    above them) is held until every range is in, and read again if one is."""

    shape: ZoneShape  # knows only the cuts known to every range
    parts: list[_Part] = field(default_factory=list)
    held: dict[int, parallel.ChunkResult] = field(default_factory=dict)
    again: set[int] = field(default_factory=set)  # held ranges to read again
    owners: set[bytes] = field(default_factory=set)
    cuts: set[bytes] = field(default_factory=set)  # every range's cuts so far
    dnames: set[bytes] = field(default_factory=set)  # and DNAMEs

    def add(self, part: parallel.ChunkResult) -> None:
        if not self.owners.isdisjoint(part.owners):
            raise parallel.NotParallel("an owner in two ranges")
        self.owners.update(part.owners)
        index, own = len(self.parts), part.shape.cuts | part.shape.dnames
        self.again.update(i for i, held in self.held.items() if held.open_above & own)
        if part.open_above & self.cuts or part.open_above & self.dnames:
            self.again.add(index)
        self.cuts |= part.shape.cuts
        self.dnames |= part.shape.dnames
        if part.open_above:
            self.held[index] = part
        else:
            try:
                self.shape.merge(part.shape)
            except Unordered as error:
                raise parallel.CrossRange("a zone cut and names below it apart") from error
        self.parts.append(_part(part))
        if len(self.again) > max(REREAD_RANGES, len(self.parts) // REREAD_SHARE):
            raise parallel.CrossRange("names below cuts of other ranges, in many ranges")

    def every_cut(self, known: cutscan.KnownCuts) -> cutscan.KnownCuts:
        """``known`` and every range's own cuts and DNAMEs so far: all of the file's,
        as the reader found them, once every range is in."""
        return frozenset(known[0] | self.cuts), frozenset(known[1] | self.dnames)

    def replace(self, index: int, part: parallel.ChunkResult) -> None:
        """The range ``index`` read again."""
        self.held[index] = part
        self.parts[index] = _part(part)

    def finish(self) -> None:
        """Merge the held ranges' shapes (file order does not matter to a shape)."""
        for index in sorted(self.held):
            try:
                self.shape.merge(self.held.pop(index).shape)
            except Unordered as error:
                raise parallel.NotParallel("a zone cut and names below it apart") from error


def _read_ranges(
    path: str, job: _Job, head: _Head, spans: list[tuple[int, int]], known: cutscan.KnownCuts
) -> _Read:
    """The apex and the ranges ``spans`` (read by the workers, who place names below
    ``known`` wherever they are), merged in file order.  Raises CrossRange when too
    many ranges have names below a cut of another range that ``known`` lacks."""
    z, origin_wire, first, start = job.z, job.origin_wire, head.first, head.start
    # only what is known to every range counts as known here: a range's own cuts
    # are not, so the merge sees a cut in one range above a name in another
    shape = ZoneShape(origin_wire, *known)
    found: list[Finding] = []
    tally = Tally()
    placed = shape.classify(first)
    signed = len(placed.signed)
    if start.context is not None:
        work: list[WorkItem] = []
        found += check_node(z, first, placed, start.algorithms, work)
        tally.merge(judge_items(start.context, work))
    nsec3 = nsec3_records(shape)  # the apex's; then each range's, in file order
    # an NSEC chain (the apex has its NSEC): each range checks its names' NSEC
    chain = _NsecChain(shape) if start.context is not None and origin_wire in shape.nsec else None
    with_chain = chain is not None
    merge = _Merge(shape, owners={origin_wire})
    args = (z, origin_wire, head.default_ttl, start.context, start.algorithms, job.jobs)
    for part in parallel.read_ranges(path, spans, *args, known, nsec_chain=with_chain):
        merge.add(part)
    if merge.again:
        everything = merge.every_cut(known)
        again = sorted(merge.again)
        parts = list(
            parallel.read_ranges(
                path, [spans[i] for i in again], *args, everything, nsec_chain=with_chain
            )
        )
        for index, part in zip(again, parts, strict=True):
            merge.replace(index, part)
        shape.known_cuts, shape.known_dnames = everything
    merge.finish()
    for piece in merge.parts:
        found += piece.findings
        tally.merge(piece.tally)
        signed += piece.signed
        nsec3 += piece.nsec3
        if chain is not None:
            chain.add(piece)
    try:
        shape.confirm()
    except Unordered as error:
        raise parallel.NotParallel("a zone cut the byte search found is not one") from error
    signed_zone = start.context is not None
    read = _Read(shape, start.apex, found, tally, signed, signed_zone, "parallel", nsec3)
    if chain is not None:
        read.nsec = chain.findings
        if not chain_closes(chain.parts):
            merge.owners.clear()  # every name: the second read holds them all again
            # every cut the first read found is known to every range the second time
            read.nsec = _nsec_exactly(path, job, head, spans, merge.every_cut(known))
    return read


class _NsecChain:
    """The NSEC chain as the byte-range read checks it: what each name's NSEC says
    on its own (from the apex, here, and each range's worker) and each range's part
    of the chain, for :func:`chain_nsec.chain_closes`."""

    findings: list[Finding]
    parts: list[ChainPart]

    def __init__(self, apex: ZoneShape) -> None:
        """Start with the apex (``apex``: the shape of it alone)."""
        found, part = range_chain(apex)
        self.findings, self.parts = found, [part]

    def add(self, part: _Part) -> None:
        if part.nsec_chain is None:
            raise parallel.NotParallel("a range without its NSEC chain part")
        self.findings += part.nsec_findings
        self.parts.append(part.nsec_chain)


def _nsec_exactly(
    path: str, job: _Job, head: _Head, spans: list[tuple[int, int]], known: cutscan.KnownCuts
) -> list[Finding]:
    """The NSEC chain is not the canonical order: read the ranges ``spans`` again,
    keeping every name's types and NSEC this time (no signature is judged again;
    ``known``: every cut and DNAME of the file), for the sorted check that names each
    broken link as the one-stream read does."""
    shape = ZoneShape(job.origin_wire, *known)
    shape.classify(head.first)
    args = (job.z, job.origin_wire, head.default_ttl, None, frozenset[int](), job.jobs)
    try:
        for part in parallel.read_ranges(path, spans, *args, known):
            shape.merge(part.shape)
    except Unordered as error:
        raise parallel.NotParallel("the second read does not place names as the first") from error
    return check_nsec_chain(shape)


def _report(
    read: _Read, job: _Job, ds: Sequence[Rdata], extra: Sequence[Finding], began: float
) -> VerifyReport:
    """verify's registered checks (zonefile/checks.py) over what was read, and the
    capped, ordered findings: the read's own (``zone.coverage``) and theirs."""
    origin, at, warn_days, z = job.origin, job.at, job.warn_days, job.z
    shape, apex, tally = read.shape, read.apex, read.tally
    context = ZoneContext(
        origin=origin,
        shape=shape,
        signed_zone=read.signed_zone,
        dnskeys=_rrset(origin, _DNSKEY, apex.dnskeys),
        dnskey_sigs=_rrset(origin, RRSIG, apex.dnskey_sigs),
        nsec3param=apex.nsec3param,
        tally=tally,
        expiry=summarize(tally, warn_days),
        at=at,
        ds=ds,
        ds_findings=extra,
        nsec3=read.nsec3,
        nsec=read.nsec,
    )
    chosen = zone_checks.registered(job.disabled)
    found = admit(zone_checks.COVERAGE, read.found) if zone_checks.COVERAGE in chosen else []
    found += run_checks(context, job.disabled, "verify")
    # the order does not depend on the file's: severity, code, then the message
    found.sort(key=lambda f: (-int(f.severity), f.code, f.message, f.records))
    reported = {code for check in chosen for code in check.codes}
    unlisted: Counter[str] = Counter()
    for kind, total in tally.counts.items():
        code = code_of(kind)
        if code is not None and code in reported:
            unlisted[code] += total - tally.kept[kind]
    kept, suppressed = _cap(found, unlisted)
    stats = VerifyStats(
        names=shape.names,
        rrsets_signed=read.signed,
        records=shape.records,
        signatures=tally.signatures,
        denial=context.denial,
        jobs=job.jobs,
        seconds=round(time.monotonic() - began, 3),
        reading=read.reading,
    )
    keys = context.key_check.keys if context.key_check is not None else ()
    expiry = context.expiry
    return VerifyReport(z, job.name, at, warn_days, tuple(kept), keys, expiry, stats, suppressed)


def _parallel_worth_it(path: str) -> bool:
    try:
        return os.path.getsize(path) >= parallel.MIN_PARALLEL_BYTES
    except OSError:
        return False


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
    path: str | None = None,
    *,
    known: cutscan.KnownCuts | None = None,
    disabled: Collection[str] = (),
) -> VerifyReport:
    """Run every check on the zone ``records()`` yields, as of POSIX time ``at``;
    ``extra`` findings (about the DS source) join the report.  ``known``: the zone's
    cuts and DNAMEs when the source already knows them (a transfer).  ``disabled``:
    verify's checks or sets to leave out (their findings are not reported).

    ``records`` is called again (and the zone held in memory) only when its records
    are not grouped by owner or a cut follows names below it.  ``path``: the records
    are those of this zone file, which may then be read in byte ranges by the
    worker processes (``parallel.py``)."""
    began = time.monotonic()
    job = _Job(origin, name, at, warn_days, jobs, tuple(disabled))
    with _no_cycle_collection():
        read: _Read | None = None
        if path is not None and jobs > 1 and _parallel_worth_it(path):
            try:
                read = _read_parallel(path, job)
            except parallel.NotParallel:
                read = None  # the one-stream read below decides, with exact errors
        if read is None:
            try:
                read = _read_stream(stream_nodes(records()), job, True, known)
            except Unordered:
                read = _read_known_cuts(path, records, job) if known is None else None
        if read is None:
            read = _read_stream(sorted_nodes(records(), job.origin_wire), job, False)
        report = _report(read, job, ds, extra, began)
    return dataclasses.replace(report, ds=ds_info) if ds_info is not None else report


__all__ = ["MAX_FINDINGS_PER_CODE", "DsInfo", "VerifyReport", "VerifyStats", "verify_records"]
