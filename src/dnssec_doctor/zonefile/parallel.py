"""Read and verify a zone file in parallel: byte ranges of the file, one per task.

Reading the file is the one part of a streamed verify that runs in a single process;
with cheap signatures (RSA) it is the bottleneck.  Here the apex is read first (its
DNSKEYs are what every signature is judged against), the rest of the file is cut at
line starts that begin a record with an explicit owner, and each worker reads its
range, places its nodes, checks them and judges their signatures, returning a small
summary (:class:`ChunkResult`) that the caller merges in file order.

This is only tried where it cannot change the result: a regular file with no
directives after the apex, each range starting and ending between records.  Anything
else — a range that does not parse on its own, an owner or a zone cut seen in two
ranges, a name placed in one range below a cut from another — raises
:class:`NotParallel`, and the caller reads the file in one stream as before (which
also reports errors with their exact line numbers).

Each range places its names knowing its own zone cuts and DNAMEs (the range is read
whole before any name is placed), so glue that comes before its delegation in the
same range is placed right without any search of the file.  A name below a cut of
another range is caught when the results are merged (``verify._Merge``): that range
is read again knowing every range's cuts, or, when there are many such ranges
(:class:`CrossRange`), every cut is found first (``cutscan``) and all ranges are read
again.
"""

from __future__ import annotations

import io
import itertools
import os
import re
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import dns.name
import dns.ttl

from dnssec_doctor.model.findings import Finding
from dnssec_doctor.zonefile import cutscan
from dnssec_doctor.zonefile.chain_nsec import ChainPart, range_chain
from dnssec_doctor.zonefile.chain_nsec3 import Nsec3Record, nsec3_records
from dnssec_doctor.zonefile.nodes import Node, Unordered, stream_nodes
from dnssec_doctor.zonefile.reader import (
    MAX_LOGICAL_LINE,
    Record,
    TextSource,
    ZoneSyntaxError,
    read_records,
)
from dnssec_doctor.zonefile.signatures import check_node
from dnssec_doctor.zonefile.structure import Role, ZoneShape
from dnssec_doctor.zonefile.wire import is_subdomain
from dnssec_doctor.zonefile.workers import CHUNK_RRSETS, Context, Tally, WorkItem, judge_items

#: Files smaller than this are read in one stream (starting workers costs more).
MIN_PARALLEL_BYTES = 8 << 20
#: Ranges per worker at least: more than one, so a slow range does not hold the
#: others up.
RANGES_PER_JOB = 4
#: Bytes per range at most: a worker holds its range's text while it reads it, and
#: its nodes, all of them, before it places the first (4 MiB of RSASHA256 zone: a
#: worker's peak 29 MiB above its start, where 8 MiB of text read node by node, as
#: before, took 45 MiB).
MAX_RANGE_BYTES = 4 << 20
#: Ranges handed out ahead per worker: results are merged in file order, and only
#: this many wait (memory stays flat whatever the file's size).
AHEAD_PER_JOB = 2
#: How far past a tentative cut a record start is looked for.
_WINDOW = 1 << 16
# a line that starts a record with an explicit owner (not blank, comment, directive,
# parenthesis or continuation)
_RECORD_START = re.compile(rb"\n(?=[^ \t;$()\r\n])")
_OWNER = re.compile(rb"[^ \t\r\n;()]+")
_DIRECTIVE = re.compile(r"^\$(\S+)\s*(\S*)", re.MULTILINE)
# the RRset keys (nodes.RRsetKey) of the types that cut the zone or occlude below them
_NS_KEY, _DNAME_KEY = (2, 0), (39, 0)


class NotParallel(Exception):
    """Parallel reading cannot be shown to give the one-stream result here."""


class CrossRange(NotParallel):
    """A name in one range is below a zone cut or DNAME in another, which the ranges
    did not know: read again with the file's cuts known in advance."""


@dataclass
class ChunkResult:
    """What one range held: its placed names, findings, judged signatures."""

    shape: ZoneShape
    findings: list[Finding] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    signed: int = 0
    owners: list[bytes] = field(default_factory=list)
    # ancestors of its names that a cut of another range would place anew
    open_above: set[bytes] = field(default_factory=set)
    nsec3: list[Nsec3Record] = field(default_factory=list)  # the range's NSEC3 chain part
    failure: str = ""
    # Task.nsec_chain: the range's own NSEC findings and chain part (``shape`` then
    # holds no per-name types, NSEC or signed names)
    nsec_findings: list[Finding] = field(default_factory=list)
    nsec_chain: ChainPart | None = None


@dataclass(frozen=True)
class Task:
    path: str
    start: int
    end: int
    origin: str  # presentation form, for the reader
    origin_wire: bytes
    default_ttl: int | None
    context: Context | None  # None: the zone is not signed
    algorithms: frozenset[int]
    # the zone has an NSEC chain (the apex has an NSEC): check each name's NSEC
    # here and send back the chain part instead of the names
    nsec_chain: bool = False


def header(path: str, origin: str, origin_wire: bytes) -> tuple[list[Record], int, int | None]:
    """The apex's records, the byte offset where the next owner's first line starts,
    and the $TTL in force there.  NotParallel when the file does not start with the
    apex, or its header has directives that would change how later lines read."""
    apex: list[Record] = []
    line = 0
    try:
        for record in read_records(path, origin):
            if record.owner != origin_wire:
                line = record.line
                break
            apex.append(record)
    except (ZoneSyntaxError, ValueError, OSError) as error:
        raise NotParallel(f"header: {error}") from error
    if not apex or not line:
        raise NotParallel("the file does not start with the apex, or holds only it")
    with open(path, "rb") as handle:
        offset, seen = 0, 0
        while seen < line - 1:
            block = handle.read(1 << 16)
            if not block:
                raise NotParallel("line beyond the end")
            at = -1
            while seen < line - 1:
                at = block.find(b"\n", at + 1)
                if at < 0:
                    break
                seen += 1
            if seen == line - 1:
                offset += at + 1
                break
            offset += len(block)
        handle.seek(0)
        head = handle.read(offset)
    if b"\r" in head:
        raise NotParallel("carriage returns in the header")
    default_ttl: int | None = None
    for word, value in _DIRECTIVE.findall(head.decode("utf-8", "replace")):
        directive = word.upper()
        if directive == "TTL":
            try:
                default_ttl = dns.ttl.from_text(value)
            except dns.ttl.BadTTL as error:
                raise NotParallel("bad $TTL") from error
        elif directive != "ORIGIN" or value.lower().rstrip(".") != origin.lower().rstrip("."):
            raise NotParallel(f"${word} in the header")
    return apex, offset, default_ttl


def _cuts(
    path: str,
    start: int,
    size: int,
    count: int,
    origin: bytes,
    owners: cutscan.CutOwners | None,
) -> list[int] | None:
    """Up to ``count - 1`` offsets between ``start`` and ``size`` where a range may
    start (files with the owner on every line keep an owner's records together).

    New children of the apex first; where they are too few (every name below one or
    two labels), deeper owners that are not below a delegation (``owners``), or None
    without ``owners``: the caller finds them (``cutscan``) and asks again."""
    tentatives = [start + (size - start) * k // count for k in range(1, count)]
    out, missed = _cuts_near(path, tentatives, start, size, origin, None)
    if missed:
        if owners is None:
            return None
        out, _ = _cuts_near(path, tentatives, start, size, origin, set(owners.all))
    return out


# the zone's cuts and DNAMEs (wire) known before reading, set in each worker process
# by the pool: none on the first try (each range finds its own), every one the byte
# search found when that was needed (``cutscan``)
_KNOWN: cutscan.KnownCuts = (frozenset(), frozenset())


def _know(cuts: frozenset[bytes], dnames: frozenset[bytes]) -> None:
    global _KNOWN
    _KNOWN = (cuts, dnames)


def _cuts_near(
    path: str,
    tentatives: list[int],
    start: int,
    size: int,
    origin: bytes,
    delegations: set[bytes] | None,
) -> tuple[list[int], int]:
    """The cuts found near each tentative offset, and how many whole windows had none."""
    out: list[int] = []
    missed = 0
    with open(path, "rb") as handle:
        for tentative in tentatives:
            if out and tentative <= out[-1]:
                continue
            handle.seek(tentative - 1)
            window = handle.read(_WINDOW)
            at = _owner_change(window, origin, delegations)
            if at is None:
                # a window the file's end cuts short only makes the last range longer
                missed += len(window) == _WINDOW
                continue
            at += tentative - 1
            if start < at < size and (not out or at > out[-1]):
                out.append(at)
    return out, missed


def _owner_change(window: bytes, origin: bytes, delegations: set[bytes] | None) -> int | None:
    """Offset in ``window`` of a record line where a range may start (``origin``:
    lower-case text with the final dot).

    Best, a line whose owner is a new child of the apex: no zone cut can be above it,
    so no delegation is parted from its glue.  Given the zone's ``delegations`` (NS
    and DNAME owners but the apex), also a new owner that is neither below the owner
    before it (whose subtree is then complete) nor below a delegation.  Whatever this
    misses (an owner it cannot read) is caught after reading: a name placed below a
    cut of another range sends the file to the one-stream read."""
    previous: bytes | None = None
    deeper: int | None = None
    for found in _RECORD_START.finditer(window):
        line = found.start() + 1
        end = window.find(b"\n", line)
        if end < 0:
            break  # the last line may be cut short by the window
        token = _OWNER.match(window, line, end)
        owner = token.group(0).lower() if token else b""
        name = cutscan.absolute(owner, origin)
        if name is not None and previous is not None and name != previous:
            if _apex_child(owner, origin):
                return line
            if (
                deeper is None
                and delegations is not None
                and name != origin
                and not _below(name, previous)
                and not _under(name, origin, delegations)
            ):
                deeper = line
        previous = name  # None: an owner we cannot place, so no range starts right after it
    return deeper


def _below(name: bytes, ancestor: bytes) -> bool:
    """Is ``name`` strictly below ``ancestor`` (both absolute, lower case)?"""
    return name != ancestor and (ancestor == b"." or name.endswith(b"." + ancestor))


def _under(name: bytes, origin: bytes, delegations: set[bytes]) -> bool:
    """Is an ancestor of ``name`` (below the apex) one of ``delegations``?"""
    at = name.find(b".")
    while at >= 0:
        parent = name[at + 1 :]
        if parent == origin or not parent:
            return False
        if parent in delegations:
            return True
        at = name.find(b".", at + 1)
    return False


def _apex_child(owner: bytes, origin: bytes) -> bool:
    if b"\\" in owner or owner in (b"", b"@"):
        return False
    if owner.endswith(b"."):
        label, _, rest = owner.partition(b".")
        return bool(label) and rest == origin
    return b"." not in owner  # relative to the zone's own $ORIGIN (the header's)


def read_range(task: Task) -> ChunkResult:
    """Read, place, check and judge one byte range (in a worker process)."""
    result = ChunkResult(ZoneShape(task.origin_wire))
    try:
        nodes = _range_nodes(task)
        own = _own_cuts(nodes, task.origin_wire)
        # the range's own cuts and DNAMEs are known before any name is placed, so its
        # glue may come before its delegation; a cut of another range above a name
        # of this one is for the caller's merge to find (it knows only _KNOWN)
        result.shape = ZoneShape(task.origin_wire, *_with_own(own))
        _read_nodes(task, nodes, result)
        _confirm_own(result.shape, own)
        result.open_above = result.shape.open_ancestors()
        result.nsec3 = nsec3_records(result.shape)  # parsed here, not after all ranges
        if task.nsec_chain:
            result.nsec_findings, result.nsec_chain = range_chain(result.shape)
            result.shape.drop_names()  # what only the chain checks read
        # the parsed records stand for the RDATA, which is not sent back: only the
        # owners are still looked at (is there an NSEC3 chain at all)
        sent: list[bytes] = []  # one shared empty list: pickled once
        result.shape.nsec3 = {owner: sent for owner in result.shape.nsec3}
    except (
        NotParallel,
        ZoneSyntaxError,
        Unordered,
        UnicodeDecodeError,
        ValueError,
        OSError,
    ) as error:
        result.failure = f"{type(error).__name__}: {error}"
    return result


def _range_nodes(task: Task) -> list[Node]:
    """Every node of the range, held: its cuts must be known before it is placed.
    A range is at most MAX_RANGE_BYTES of text, so this stays small."""
    with open(task.path, "rb") as handle:
        handle.seek(task.start)
        data = _read_lines(handle, task.end - task.start)
    if _has_directive(data):
        raise NotParallel("a directive inside the zone")
    text = data.decode("utf-8")
    records = read_records(TextSource(text), task.origin, task.default_ttl, name=task.path)
    nodes = list(stream_nodes(records))
    if any(node.owner == task.origin_wire for node in nodes):
        raise NotParallel("the apex again")
    return nodes


#: Bytes read at a time by :func:`_read_lines`.
_PIECE = 1 << 20


def _read_lines(handle: io.BufferedReader, size: int) -> bytearray:
    """``size`` bytes from ``handle``; NotParallel as soon as a line runs longer than
    the reader allows (``reader.MAX_LOGICAL_LINE``; bytes here, at least as many as
    its characters), so a range holding one huge line is never read whole: the
    one-stream read refuses that line with its number."""
    data = bytearray(size)
    at = 0
    line = 0  # where the line being read starts
    with memoryview(data) as view:
        while at < size:
            got = handle.readinto(view[at : min(size, at + _PIECE)])
            if not got:
                break  # the file is shorter now
            end = at + got
            first = data.find(b"\n", at, end)
            if first >= 0:  # the lines after it are shorter than a piece
                if first - line > MAX_LOGICAL_LINE:
                    raise NotParallel("a line longer than the reader allows")
                line = data.rfind(b"\n", at, end) + 1
            at = end
            if at - line > MAX_LOGICAL_LINE:
                raise NotParallel("a line longer than the reader allows")
    del data[at:]
    return data


def _has_directive(data: bytes | bytearray) -> bool:
    """Does a line of ``data`` start with "$"?  A search for "$" alone runs at memory
    speed ("\\n$" at a fifth of it: 4% of a worker's time)."""
    at = data.find(b"$")
    while at >= 0:
        if at == 0 or data[at - 1] == 0x0A:
            return True
        at = data.find(b"$", at + 1)
    return False


def _own_cuts(nodes: list[Node], origin: bytes) -> cutscan.KnownCuts:
    """The owners below the apex, among ``nodes``, with NS (cuts) and with DNAME."""
    inside = [node for node in nodes if node.owner != origin and is_subdomain(node.owner, origin)]
    return (
        frozenset(node.owner for node in inside if _NS_KEY in node.rrsets),
        frozenset(node.owner for node in inside if _DNAME_KEY in node.rrsets),
    )


def _with_own(own: cutscan.KnownCuts) -> cutscan.KnownCuts:
    """_KNOWN and the range's own cuts and DNAMEs; _KNOWN itself when it holds them
    (it may hold every cut of a big zone: not copied for each range)."""
    return (
        _KNOWN[0] if own[0] <= _KNOWN[0] else _KNOWN[0] | own[0],
        _KNOWN[1] if own[1] <= _KNOWN[1] else _KNOWN[1] | own[1],
    )


def _confirm_own(shape: ZoneShape, own: cutscan.KnownCuts) -> None:
    """Each NS or DNAME owner of the range was placed as a cut or DNAME; one below
    another cut (a cut below a cut) is left to the one-stream read, as before."""
    cuts, dnames = own
    if not (cuts <= shape.cuts and dnames <= shape.dnames):
        raise Unordered(min((cuts - shape.cuts) | (dnames - shape.dnames)))


def _read_nodes(task: Task, nodes: list[Node], result: ChunkResult) -> None:
    """Place, check and judge the range's nodes into ``result``."""
    zone = task.origin if task.origin.endswith(".") else task.origin + "."
    work: list[WorkItem] = []
    for node in nodes:
        result.owners.append(node.owner)
        placed = result.shape.classify(node)
        if placed.role is Role.OUTSIDE:
            continue
        result.signed += len(placed.signed)
        if task.context is not None:
            result.findings += check_node(zone, node, placed, task.algorithms, work)
            if len(work) >= CHUNK_RRSETS:
                result.tally.merge(judge_items(task.context, work))
                work = []
    if work and task.context is not None:
        result.tally.merge(judge_items(task.context, work))


def range_spans(
    path: str, body_start: int, origin: str, jobs: int, owners: cutscan.CutOwners | None
) -> list[tuple[int, int]] | None:
    """The ranges after the apex, (start, end) in file order, from ``body_start`` to
    the file's end; None when new children of the apex are too few to cut at and the
    file's cuts and DNAMEs (``owners``) are not given."""
    size = os.path.getsize(path)
    count = max(jobs * RANGES_PER_JOB, -(-(size - body_start) // MAX_RANGE_BYTES))
    cuts = _cuts(path, body_start, size, count, cutscan.origin_text(origin), owners)
    if cuts is None:
        return None
    return [(a, b) for a, b in itertools.pairwise([body_start, *cuts, size]) if b > a]


def read_ranges(
    path: str,
    spans: list[tuple[int, int]],
    origin: str,
    origin_wire: bytes,
    default_ttl: int | None,
    context: Context | None,
    algorithms: frozenset[int],
    jobs: int,
    known: cutscan.KnownCuts = (frozenset(), frozenset()),
    *,
    nsec_chain: bool = False,
) -> Iterator[ChunkResult]:
    """The results of the ranges ``spans`` (start, end), in their order.  ``known``:
    cuts and DNAMEs (wire) every worker places names below, wherever they are in the
    file; each range also knows its own.  ``nsec_chain``: as :attr:`Task.nsec_chain`."""
    tasks = [
        Task(path, a, b, origin, origin_wire, default_ttl, context, algorithms, nsec_chain)
        for a, b in spans
    ]
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_know, initargs=known) as pool:
            ahead: deque[Future[ChunkResult]] = deque()
            try:
                for task in tasks:
                    if len(ahead) >= jobs * AHEAD_PER_JOB:
                        yield _done(ahead.popleft())
                    ahead.append(pool.submit(read_range, task))
                while ahead:
                    yield _done(ahead.popleft())
            finally:
                # given up early (NotParallel here or in the caller): do not wait for
                # ranges no one will look at
                for future in ahead:
                    future.cancel()
    except (OSError, BrokenProcessPool) as error:
        raise NotParallel(f"workers: {error}") from error


def _done(future: Future[ChunkResult]) -> ChunkResult:
    result = future.result()
    if result.failure:
        raise NotParallel(result.failure)
    return result


__all__ = [
    "MIN_PARALLEL_BYTES",
    "ChunkResult",
    "CrossRange",
    "NotParallel",
    "Task",
    "header",
    "range_spans",
    "read_range",
    "read_ranges",
]
