"""Judge RRSIGs in worker processes: wire-format work items in, plain results out.

A work item is one RRset and its RRSIGs in wire format (cheap to pickle, no dnspython
objects).  Each RRSIG first goes through :func:`fast_facts` (or the C judge), which
finds the facts of the rule (:class:`validate.rrsig.RrsigFact`) from the wire bytes,
the signature by :mod:`validate.fastsig`; no failed fact is VALID, and every other one
is rebuilt with dnspython and
judged by :func:`validate.rrsig.judge_rrsig`, so the judgment is the same as
``check``'s (tests/scenarios/test_verify_fastsig.py compares the two).  ``jobs == 1``
(or little work) runs in the calling process.
"""

from __future__ import annotations

import os
import struct
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from types import ModuleType
from typing import NamedTuple, cast

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.RRSIG import RRSIG
from dns.rdtypes.dnskeybase import Flag

from dnssec_doctor.validate import algorithms, fastsig, limits
from dnssec_doctor.validate.rrsig import RrsigFact, RrsigStatus, RrsigWarning, judge_rrsig
from dnssec_doctor.validate.timeutil import serial_time
from dnssec_doctor.zonefile import reader
from dnssec_doctor.zonefile.wire import rrset_from_wire

#: RRsets per chunk sent to a worker: big enough to amortise pickling.
CHUNK_RRSETS = 400
#: Chunks queued per worker: enough to keep it busy, few enough to bound memory.
QUEUED_PER_JOB = 3
#: Problem results kept per status in a tally; the rest are only counted.
KEEP_PER_STATUS = 100
#: Status under which results with a TTL-beyond-expiration warning are kept.
TTL_WARNING = RrsigWarning.TTL_BEYOND_EXPIRATION.value
DAY = 86400


class WorkItem(NamedTuple):
    """One RRset and the RRSIGs over it, in wire format (a tuple: a million of them are
    made and pickled to the workers)."""

    owner: bytes
    rdtype: int
    ttl: int
    rdatas: tuple[bytes, ...]  # canonical form (RFC 4034 6.2), as signed
    rrsig_ttl: int
    rrsigs: tuple[bytes, ...]


@dataclass(frozen=True)
class SigResult:
    """The verdict on one RRSIG, as plain data."""

    owner: str
    rdtype: int
    index: int
    status: str
    detail: str
    algorithm: int
    key_tag: int
    inception: int
    expiration: int
    warnings: tuple[str, ...]
    text: str  # the RRSIG in presentation format; "" means: made from the next two
    rrsig_ttl: int = 0
    rrsig_wire: bytes = b""

    @property
    def rrsig_text(self) -> str:
        """The RRSIG RR in presentation format (built on demand: few are ever shown)."""
        if self.text or not self.rrsig_wire:
            return self.text
        wire = self.rrsig_wire
        sig = dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.RRSIG, wire, 0, len(wire))
        return f"{self.owner} {self.rrsig_ttl} IN RRSIG {sig.to_text()}"


@dataclass(frozen=True)
class Context:
    """What every worker needs besides the items: the keys, the zone, the time, and
    the end of the warning period (signatures expiring by then are counted)."""

    origin: bytes
    dnskey_ttl: int
    dnskeys: tuple[bytes, ...]
    at: int
    horizon: int


def _name(wire: bytes) -> dns.name.Name:
    return dns.name.from_wire(wire, 0)[0]


_RRSIG_FIXED = struct.Struct("!HBBIIIH")  # type, algorithm, labels, TTL, times, key tag
_SignedData = Callable[
    [bytes, bytes, int, Sequence[bytes], bytes, int],
    tuple[int, int, int, int, int, bytes, bytes] | None,
]
_DNSKEY, _DS = 48, 43
_DEPRECATED = (algorithms.SigningAdvice.MUST_NOT, algorithms.SigningAdvice.NOT_RECOMMENDED)


@dataclass(frozen=True)
class FastKeys:
    """What the fast path needs of the DNSKEY RRset, computed once per batch: for each
    (algorithm, key tag) that names exactly one zone key, not revoked, of an algorithm
    that is validated and that :mod:`fastsig` verifies, that key's verify function."""

    origin: bytes  # canonical wire
    verifiers: dict[tuple[int, int], fastsig.Verifier]
    key_count: int
    deprecated: frozenset[int]  # algorithms of verifiers not to be used for signing


def fast_keys(origin: bytes, keys: dns.rrset.RRset) -> FastKeys:
    found: dict[tuple[int, int], list[DNSKEY]] = {}
    for key in keys:
        if isinstance(key, DNSKEY) and key.protocol == 3 and key.flags & Flag.ZONE:
            found.setdefault((int(key.algorithm), key.key_id()), []).append(key)
    verifiers: dict[tuple[int, int], fastsig.Verifier] = {}
    for (alg, tag), candidates in found.items():
        if len(candidates) != 1 or candidates[0].flags & Flag.REVOKE:
            continue  # a tag collision or a revoked key: judge_rrsig decides
        if not algorithms.is_validated_algorithm(alg) or alg not in fastsig.ALGORITHMS:
            continue
        check = fastsig.verifier(candidates[0].to_digestable())
        if check is not None:
            verifiers[(alg, tag)] = check
    deprecated = frozenset(
        alg for alg, _ in verifiers if algorithms.signing_advice(alg) in _DEPRECATED
    )
    return FastKeys(origin.lower(), verifiers, len(keys), deprecated)


_Valid = tuple[int, int, int, int, tuple[str, ...]]
# validate.rrsig.RrsigFact bits, as ints (the hot loop skips the enum's lookups)
_TYPE, _LABELS, _RECORDS = int(RrsigFact.TYPE), int(RrsigFact.LABELS), int(RrsigFact.RECORDS)
_NEVER_VALID, _SIGNATURE = int(RrsigFact.NEVER_VALID), int(RrsigFact.SIGNATURE)
_UNDECIDED = int(RrsigFact.UNDECIDED)


def fast_facts(
    context: Context,
    keys: FastKeys,
    item: WorkItem,
    labels: int,
    wire: bytes,
    signed: _SignedData | None = None,
) -> _Valid | int:
    """The facts of :func:`judge_rrsig`'s rule (:class:`RrsigFact`), from wire data.

    ``item.owner`` is canonical and inside the zone (the scanner only queues those);
    ``labels`` is its label count, ``*`` not counted (RFC 4034 3.1.3).  The checks run
    in the rule's order and stop at the first failed fact, returned as its bit, or at
    the first this path cannot tell (``UNDECIDED``: a key not usable here, a time
    outside the validity period before the signature is known, ...).  No failed fact
    is VALID: (algorithm, key tag, inception, expiration, warnings), the signature
    checked by :mod:`fastsig`.  Every RRSIG not VALID is judged again by
    ``judge_rrsig`` (for its wording); ``rrsig_verdict`` of the facts agrees with it
    where it decides (tests/test_rrsig_one_rule.py).  ``signed``: the C extension's
    ``signed_data``, which reads the fields and builds the signed data as below.
    """
    origin = keys.origin
    signature = data = b""
    if signed is not None:
        parts = signed(wire, item.owner, item.rdtype, item.rdatas, origin, labels)
        if parts is None:
            return _UNDECIDED
        alg, tag, original_ttl, exp_field, inc_field, signature, data = parts
    else:
        if len(wire) < 19:
            return _UNDECIDED
        covered, alg, nlabels, original_ttl, exp_field, inc_field, tag = _RRSIG_FIXED.unpack_from(
            wire
        )
        if covered != item.rdtype:
            return _TYPE
        if nlabels != labels:  # fewer: a wildcard expansion, or a wildcard owner's error
            return _LABELS if nlabels > labels else _UNDECIDED
        # the signer is the zone: the name at offset 18 is exactly the origin (it ends there)
        if not wire.startswith(origin, 18):
            return _UNDECIDED
    rdtype = item.rdtype
    if rdtype == _DNSKEY and item.owner != origin:
        return _UNDECIDED
    if rdtype == _DS and item.owner == origin:  # the parent signs DS
        return _UNDECIDED
    check = keys.verifiers.get((alg, tag))
    if check is None:  # no key, revoked, a tag collision, does not load, ...
        return _UNDECIDED
    if (
        len(item.rdatas) > limits.MAX_RECORDS_PER_RRSET
        or keys.key_count > limits.MAX_RECORDS_PER_RRSET
    ):
        return _RECORDS
    now = context.at
    inception, expiration = serial_time(inc_field, now), serial_time(exp_field, now)
    if expiration < inception or exp_field < inc_field:
        return _NEVER_VALID
    if not inception <= now <= expiration:
        return _UNDECIDED  # the signature comes first in the rule: not checked here
    if signed is None:
        start = 18 + len(origin)
        data = wire[:start] + fastsig.rrset_data(item.owner, rdtype, wire[4:8], item.rdatas)
        signature = wire[start:]
    try:
        if not check(signature, data):
            return _SIGNATURE
    except (ValueError, TypeError):
        return _UNDECIDED
    ttl = item.ttl
    if (
        ttl <= original_ttl
        and item.rrsig_ttl <= original_ttl
        and now + ttl <= expiration
        and alg not in keys.deprecated
    ):
        return alg, tag, inception, expiration, ()  # the usual case: no warning
    warnings: list[str] = []
    if ttl > original_ttl:
        warnings.append(RrsigWarning.ORIGINAL_TTL_MISMATCH.value)
    if item.rrsig_ttl > original_ttl:
        warnings.append(RrsigWarning.RRSIG_TTL_EXCEEDS_ORIGINAL.value)
    if now + min(ttl, original_ttl) > expiration:
        warnings.append(RrsigWarning.TTL_BEYOND_EXPIRATION.value)
    if alg in keys.deprecated:
        warnings.append(RrsigWarning.ALGORITHM_DEPRECATED.value)
    return alg, tag, inception, expiration, tuple(sorted(warnings))


def _fast(
    context: Context,
    keys: FastKeys,
    item: WorkItem,
    labels: int,
    wire: bytes,
    signed: _SignedData | None = None,
) -> _Valid | None:
    """:func:`fast_facts` when VALID, else ``None``."""
    fast = fast_facts(context, keys, item, labels, wire, signed)
    return None if isinstance(fast, int) else fast


def _kinds(result: SigResult) -> list[str]:
    """What is wrong with a result: its status unless VALID, and a TTL warning."""
    kinds = [] if result.status == RrsigStatus.VALID.value else [result.status]
    if TTL_WARNING in result.warnings:
        kinds.append(TTL_WARNING)
    return kinds


@dataclass(slots=True)
class Tally:
    """What judging a batch of RRSIGs found, small whatever the batch's size: every
    signature is counted into the expiry figures, and only the ones that are not
    simply valid are kept (at most :data:`KEEP_PER_STATUS` of each kind; ``counts``
    has every one)."""

    signatures: int = 0
    problems: list[SigResult] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    kept: Counter[str] = field(default_factory=Counter)
    days: Counter[int] = field(default_factory=Counter)  # expirations per UTC day number
    soon: int = 0
    earliest: SigResult | None = None
    latest: int | None = None

    def _keep(self, result: SigResult, kinds: list[str]) -> None:
        if any(self.kept[k] < KEEP_PER_STATUS for k in kinds):
            self.problems.append(result)
            for k in kinds:
                self.kept[k] += 1

    def count(self, result: SigResult, at: int, horizon: int) -> None:
        self.signatures += 1
        expiration = result.expiration
        self.days[expiration // DAY] += 1
        if at <= expiration <= horizon:
            self.soon += 1
        if self.earliest is None or expiration < self.earliest.expiration:
            self.earliest = result
        if self.latest is None or expiration > self.latest:
            self.latest = expiration
        kinds = _kinds(result)
        if kinds:
            self.counts.update(kinds)
            self._keep(result, kinds)

    def count_plain(self, expiration: int, at: int, horizon: int) -> None:
        """A valid signature without warnings that does not expire first."""
        self.signatures += 1
        self.days[expiration // DAY] += 1
        if at <= expiration <= horizon:
            self.soon += 1
        if self.latest is None or expiration > self.latest:
            self.latest = expiration

    def merge(self, other: Tally) -> None:
        self.signatures += other.signatures
        self.counts.update(other.counts)
        for result in other.problems:
            self._keep(result, _kinds(result))
        self.days.update(other.days)
        self.soon += other.soon
        if other.earliest is not None and (
            self.earliest is None or other.earliest.expiration < self.earliest.expiration
        ):
            self.earliest = other.earliest
        if other.latest is not None and (self.latest is None or other.latest > self.latest):
            self.latest = other.latest


@lru_cache(maxsize=8)
def _zone_keys(context: Context) -> tuple[dns.name.Name, dns.rrset.RRset, FastKeys]:
    """The zone's name, DNSKEY RRset and fast-path keys, made once per process and
    context, not once per batch (a 1M-name zone has ~8,000 batches); only read."""
    origin = _name(context.origin)
    keys = rrset_from_wire(origin, dns.rdatatype.DNSKEY, context.dnskey_ttl, context.dnskeys)
    return origin, keys, fast_keys(context.origin, keys)


class _Batch:
    """One call of :func:`judge_items`: the keys, and how a result is made from the
    fast path's verdict or by the reference path."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.origin, self.keys, self.fast_keys = _zone_keys(context)
        self._rrset: tuple[WorkItem, dns.rrset.RRset] | None = None

    def valid(self, item: WorkItem, index: int, fast: _Valid) -> SigResult:
        alg, tag, inception, expiration, warnings = fast
        return SigResult(
            owner=_name(item.owner).to_text(),
            rdtype=item.rdtype,
            index=index,
            status=RrsigStatus.VALID.value,
            detail="",
            algorithm=alg,
            key_tag=tag,
            inception=inception,
            expiration=expiration,
            warnings=warnings,
            text="",
            rrsig_ttl=item.rrsig_ttl,
            rrsig_wire=item.rrsigs[index],
        )

    def reference(self, item: WorkItem, index: int) -> SigResult:
        """The verdict of :func:`judge_rrsig`, for what the fast path declined."""
        wire = item.rrsigs[index]
        owner_text = _name(item.owner).to_text()
        sig = cast(
            RRSIG, dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.RRSIG, wire, 0, len(wire))
        )
        if self._rrset is None or self._rrset[0] is not item:  # RRSIGs of one RRset share it
            rrset = rrset_from_wire(_name(item.owner), item.rdtype, item.ttl, item.rdatas)
            self._rrset = (item, rrset)
        context = self.context
        j = judge_rrsig(
            self._rrset[1],
            sig,
            self.keys,
            context.at,
            zone=self.origin,
            rrsig_ttl=item.rrsig_ttl,
        )
        return SigResult(
            owner=owner_text,
            rdtype=item.rdtype,
            index=index,
            status=j.status.value,
            detail=j.detail,
            algorithm=j.algorithm,
            key_tag=j.key_tag,
            inception=j.inception,
            expiration=j.expiration,
            warnings=tuple(sorted(w.value for w in j.warnings)),
            text=f"{owner_text} {item.rrsig_ttl} IN RRSIG {sig.to_text()}",
        )


# the C judge's warning bits (``_czone_judge.c``, WARN_*)
_WARNING_BITS = (
    (1, RrsigWarning.ORIGINAL_TTL_MISMATCH.value),
    (2, RrsigWarning.RRSIG_TTL_EXCEEDS_ORIGINAL.value),
    (4, RrsigWarning.TTL_BEYOND_EXPIRATION.value),
    (8, RrsigWarning.ALGORITHM_DEPRECATED.value),
)


def _warnings(flags: int) -> tuple[str, ...]:
    return tuple(sorted(text for bit, text in _WARNING_BITS if flags & bit))


def judge_items(context: Context, items: Sequence[WorkItem]) -> Tally:
    """Judge every RRSIG of ``items``; the result is a :class:`Tally`."""
    czone = reader._CZONE  # the C extension, when built
    if czone is not None and abs(context.at) < _C_TIMES and abs(context.horizon) < _C_TIMES:
        return _judge_c(czone, _Batch(context), list(items))
    return _judge_python(_Batch(context), items)


#: Times the C judge takes (64-bit); --at beyond them is judged by Python's integers.
_C_TIMES = 1 << 60


def _judge_c(czone: ModuleType, batch: _Batch, items: list[WorkItem]) -> Tally:
    """The C fast path: every VALID signature without warnings is only counted there;
    the rest come back in order and are made into results here."""
    context, keys = batch.context, batch.fast_keys
    c_keys = [
        (alg, tag, check, alg in keys.deprecated) for (alg, tag), check in keys.verifiers.items()
    ]
    others, plain, days, soon, latest = czone.judge(
        items,
        keys.origin,
        context.at,
        context.horizon,
        c_keys,
        keys.key_count > limits.MAX_RECORDS_PER_RRSET,
        limits.MAX_RECORDS_PER_RRSET,
    )
    tally = Tally()
    tally.signatures += plain
    tally.days.update(days)
    tally.soon += soon
    tally.latest = latest
    for index, sig, fast in others:
        item = items[index]
        if isinstance(fast, int):  # the C judge's facts (RrsigFact): not VALID
            result = batch.reference(item, sig)
        else:
            alg, tag, inception, expiration, flags = fast
            result = batch.valid(item, sig, (alg, tag, inception, expiration, _warnings(flags)))
        tally.count(result, context.at, context.horizon)
    return tally


def _judge_python(batch: _Batch, items: Sequence[WorkItem]) -> Tally:
    """The same without the C judge: :func:`_fast`, or the reference path."""
    context, prepared = batch.context, batch.fast_keys
    czone = reader._CZONE
    signed = czone.signed_data if czone is not None else None
    tally = Tally()
    for item in items:
        count, wild = fastsig.label_count(item.owner)
        labels = count - wild
        for index, wire in enumerate(item.rrsigs):
            try:
                fast = fast_facts(context, prepared, item, labels, wire, signed)
            except (ValueError, IndexError, struct.error):
                fast = _UNDECIDED
            if isinstance(fast, int):  # a failed or undecided fact: judge_rrsig words it
                result = batch.reference(item, index)
            else:
                earliest = tally.earliest
                if not fast[4] and earliest is not None and fast[3] >= earliest.expiration:
                    tally.count_plain(fast[3], context.at, context.horizon)
                    continue
                result = batch.valid(item, index, fast)
            tally.count(result, context.at, context.horizon)
    return tally


def default_jobs() -> int:
    return os.cpu_count() or 1


class SignatureJudge:
    """Judges RRSIGs as work arrives: in this process until there is more than one
    chunk of work, then over ``jobs`` processes with a bounded queue (so a streamed
    zone is never held whole in queued work)."""

    def __init__(self, context: Context, jobs: int) -> None:
        self.context = context
        self.jobs = jobs
        self.tally = Tally()
        self.pending: list[WorkItem] = []
        self.pool: ProcessPoolExecutor | None = None
        self.futures: deque[Future[Tally]] = deque()
        self.in_process = jobs <= 1

    def add(self, item: WorkItem) -> None:
        self.pending.append(item)
        if len(self.pending) >= CHUNK_RRSETS:
            self._send(self.pending)
            self.pending = []

    def _send(self, chunk: list[WorkItem]) -> None:
        if not self.in_process and self.pool is None:
            try:
                self.pool = ProcessPoolExecutor(max_workers=self.jobs)
            except OSError:  # no processes here (sandbox, limits): do it in-process
                self.in_process = True
        if self.in_process or self.pool is None:
            self.tally.merge(judge_items(self.context, chunk))
            return
        while len(self.futures) >= self.jobs * QUEUED_PER_JOB:
            self._collect(self.futures.popleft())
        try:
            self.futures.append(self.pool.submit(judge_items, self.context, chunk))
        except (RuntimeError, BrokenProcessPool):
            self.tally.merge(judge_items(self.context, chunk))

    def _collect(self, future: Future[Tally]) -> None:
        try:
            self.tally.merge(future.result())
        except (OSError, BrokenProcessPool) as error:
            raise SignatureWorkerError(f"a signature worker died: {error}") from error

    def finish(self) -> Tally:
        if self.pending:
            if self.pool is None:
                self.in_process = True  # one chunk or less: not worth a process
            self._send(self.pending)
            self.pending = []
        while self.futures:
            self._collect(self.futures.popleft())
        self.close()
        return self.tally

    def close(self) -> None:
        if self.pool is not None:
            for future in self.futures:
                future.cancel()
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        self.futures.clear()


class SignatureWorkerError(Exception):
    """A worker process died (killed, out of memory): the run cannot be trusted."""


__all__ = [
    "Context",
    "SigResult",
    "SignatureJudge",
    "SignatureWorkerError",
    "Tally",
    "WorkItem",
    "default_jobs",
    "judge_items",
]
