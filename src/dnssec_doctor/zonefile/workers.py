"""Judge RRSIGs in worker processes: wire-format work items in, plain results out.

A work item is one RRset and its RRSIGs in wire format (cheap to pickle, no dnspython
objects).  Each RRSIG first goes through :func:`_fast`, which recognises a VALID
signature from the wire bytes (the checks of :func:`validate.rrsig.judge_rrsig`, the
signature by :mod:`validate.fastsig`); every other one is rebuilt with dnspython and
judged by :func:`validate.rrsig.judge_rrsig`, so the judgment is the same as
``check``'s (tests/test_verify_fastsig.py compares the two).  ``jobs == 1`` (or
little work) runs in the calling process.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import cast

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.RRSIG import RRSIG
from dns.rdtypes.dnskeybase import Flag

from dnssec_doctor.validate import algorithms, fastsig, limits
from dnssec_doctor.validate.rrsig import RrsigStatus, RrsigWarning, judge_rrsig
from dnssec_doctor.validate.timeutil import serial_time

#: RRsets per chunk sent to a worker: big enough to amortise pickling.
CHUNK_RRSETS = 400


@dataclass(frozen=True)
class WorkItem:
    """One RRset and the RRSIGs over it, in wire format."""

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
    """What every worker needs besides the items: the keys, the zone, the time."""

    origin: bytes
    dnskey_ttl: int
    dnskeys: tuple[bytes, ...]
    at: int


def item_for(rrset: dns.rrset.RRset, rrsigs: dns.rrset.RRset | None) -> WorkItem:
    sigs = tuple(rd.to_wire() for rd in rrsigs) if rrsigs is not None else ()
    return WorkItem(
        owner=rrset.name.to_wire() or b"",
        rdtype=int(rrset.rdtype),
        ttl=rrset.ttl,
        rdatas=tuple(rd.to_digestable() for rd in rrset),
        rrsig_ttl=rrsigs.ttl if rrsigs is not None else 0,
        rrsigs=sigs,
    )


def _name(wire: bytes) -> dns.name.Name:
    return dns.name.from_wire(wire, 0)[0]


def _rrset(name: dns.name.Name, rdtype: int, ttl: int, rdatas: Sequence[bytes]) -> dns.rrset.RRset:
    rrset = dns.rrset.RRset(name, dns.rdataclass.IN, dns.rdatatype.RdataType.make(rdtype))
    for wire in rdatas:
        rrset.add(dns.rdata.from_wire(dns.rdataclass.IN, rrset.rdtype, wire, 0, len(wire)), ttl)
    return rrset


_RRSIG_FIXED = struct.Struct("!HBBIIIH")  # type, algorithm, labels, TTL, times, key tag
_DEPRECATED = (algorithms.SigningAdvice.MUST_NOT, algorithms.SigningAdvice.NOT_RECOMMENDED)


def _zone_keys(origin: dns.name.Name, keys: dns.rrset.RRset) -> dict[tuple[int, int], list[bytes]]:
    """Zone keys (protocol 3, Zone Key flag) by (algorithm, key tag), as RDATA wire."""
    out: dict[tuple[int, int], list[bytes]] = {}
    for key in keys:
        if isinstance(key, DNSKEY) and key.protocol == 3 and key.flags & Flag.ZONE:
            out.setdefault((int(key.algorithm), key.key_id()), []).append(key.to_digestable())
    return out


def _fast(
    context: Context,
    zone_keys: dict[tuple[int, int], list[bytes]],
    key_count: int,
    item: WorkItem,
    wire: bytes,
) -> tuple[int, int, int, int, tuple[str, ...]] | None:
    """The common case of :func:`judge_rrsig`, from wire data: an RRSIG that is VALID.

    Returns (algorithm, key tag, inception, expiration, warnings) when every check
    :func:`judge_rrsig` makes passes, with the signature checked by
    :func:`fastsig.verify`; ``None`` for anything else (then ``judge_rrsig`` decides,
    so every other verdict and its wording stays the reference one).
    """
    if len(wire) < 19:
        return None
    covered, alg, nlabels, original_ttl, exp_field, inc_field, tag = _RRSIG_FIXED.unpack_from(wire)
    if covered != item.rdtype:
        return None
    owner = item.owner.lower()
    count, wild = fastsig.label_count(owner)
    if nlabels != count - wild:  # a wildcard owner's "*" is not counted (RFC 4034 3.1.3)
        return None
    signer = wire[18 : fastsig.name_end(wire, 18)].lower()
    if signer != context.origin.lower() or not _is_subdomain(owner, signer):
        return None
    if item.rdtype == dns.rdatatype.DNSKEY and signer != owner:
        return None
    if item.rdtype == dns.rdatatype.DS and signer == owner:  # the parent signs DS
        return None
    if not algorithms.is_validated_algorithm(alg) or alg not in fastsig.ALGORITHMS:
        return None
    if len(item.rdatas) > limits.MAX_RECORDS_PER_RRSET or key_count > limits.MAX_RECORDS_PER_RRSET:
        return None
    candidates = zone_keys.get((alg, tag), [])
    if len(candidates) != 1:
        return None
    (key,) = candidates
    if int.from_bytes(key[:2], "big") & Flag.REVOKE or fastsig.verifier(key) is None:
        return None
    now = context.at
    inception, expiration = serial_time(inc_field, now), serial_time(exp_field, now)
    if expiration < inception or exp_field < inc_field or not inception <= now <= expiration:
        return None
    if fastsig.verify(wire, item.owner, item.rdtype, item.rdatas, key) is not True:
        return None
    warnings: set[str] = set()
    if item.ttl > original_ttl:
        warnings.add(RrsigWarning.ORIGINAL_TTL_MISMATCH.value)
    if item.rrsig_ttl > original_ttl:
        warnings.add(RrsigWarning.RRSIG_TTL_EXCEEDS_ORIGINAL.value)
    if now + min(item.ttl, original_ttl) > expiration:
        warnings.add(RrsigWarning.TTL_BEYOND_EXPIRATION.value)
    if algorithms.signing_advice(alg) in _DEPRECATED:
        warnings.add(RrsigWarning.ALGORITHM_DEPRECATED.value)
    return alg, tag, inception, expiration, tuple(sorted(warnings))


def _is_subdomain(owner: bytes, signer: bytes) -> bool:
    at = 0
    while True:
        if owner[at:] == signer:
            return True
        if not owner[at]:
            return False
        at += 1 + owner[at]


def judge_items(context: Context, items: Sequence[WorkItem]) -> list[SigResult]:
    origin = _name(context.origin)
    keys = _rrset(origin, dns.rdatatype.DNSKEY, context.dnskey_ttl, context.dnskeys)
    zone_keys = _zone_keys(origin, keys)
    out: list[SigResult] = []
    for item in items:
        owner = _name(item.owner)
        owner_text = owner.to_text()
        rrset: dns.rrset.RRset | None = None
        for index, wire in enumerate(item.rrsigs):
            try:
                fast = _fast(context, zone_keys, len(keys), item, wire)
            except (ValueError, IndexError):
                fast = None
            if fast is not None:
                alg, tag, inception, expiration, warnings = fast
                out.append(
                    SigResult(
                        owner=owner_text,
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
                        rrsig_wire=wire,
                    )
                )
                continue
            sig = cast(
                RRSIG,
                dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.RRSIG, wire, 0, len(wire)),
            )
            if rrset is None:
                rrset = _rrset(owner, item.rdtype, item.ttl, item.rdatas)
            j = judge_rrsig(rrset, sig, keys, context.at, zone=origin, rrsig_ttl=item.rrsig_ttl)
            out.append(
                SigResult(
                    owner=owner.to_text(),
                    rdtype=item.rdtype,
                    index=index,
                    status=j.status.value,
                    detail=j.detail,
                    algorithm=j.algorithm,
                    key_tag=j.key_tag,
                    inception=j.inception,
                    expiration=j.expiration,
                    warnings=tuple(sorted(w.value for w in j.warnings)),
                    text=f"{owner} {item.rrsig_ttl} IN RRSIG {sig.to_text()}",
                )
            )
    return out


def _chunks(items: Sequence[WorkItem], size: int) -> Iterator[Sequence[WorkItem]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def default_jobs() -> int:
    return os.cpu_count() or 1


def judge_all(context: Context, items: Sequence[WorkItem], jobs: int) -> list[SigResult]:
    """Judge every RRSIG of ``items``; over ``jobs`` processes when there is enough work."""
    if jobs <= 1 or len(items) <= CHUNK_RRSETS:
        return judge_items(context, items)
    size = max(50, min(CHUNK_RRSETS, len(items) // (jobs * 4) or 1))
    results: list[SigResult] = []
    chunks = list(_chunks(items, size))
    try:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for part in pool.map(judge_items, [context] * len(chunks), chunks):
                results.extend(part)
    except (OSError, BrokenProcessPool):  # no processes here (sandbox, limits): do it in-process
        return judge_items(context, items)
    return results


__all__ = [
    "Context",
    "SigResult",
    "WorkItem",
    "default_jobs",
    "item_for",
    "judge_all",
    "judge_items",
]
