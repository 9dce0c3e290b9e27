"""The NSEC3 chain (RFC 5155 7.1) and its parameters (RFC 5155 4, RFC 9276 3.1).

For each NSEC3PARAM at the apex, every authoritative name, cut and empty
non-terminal has an NSEC3 whose owner is the hash of the name (opt-out lets unsigned
delegations, and empty non-terminals above only those, go without: RFC 5155 6, 7.1);
the next hashes link the records in hash order and the last wraps to the first; each
bitmap lists the types at the original name (RRSIG included when signed, RFC 5155
3.2.1).  Every NSEC3 owner must be the hash of some name (else it is an orphan).

Records with flags other than 0/1 or an unknown hash algorithm, and owners that are
not a base32hex hash directly below the apex, are not part of any chain (RFC 5155
8.1, 8.2), as in ``check``'s proofs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from dnssec_doctor.model import findings as F
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.validate.nsec3 import Nsec3ParamIssue, parameter_issues
from dnssec_doctor.zonefile.structure import ZoneShape
from dnssec_doctor.zonefile.wire import (
    ancestors,
    b32,
    canonical_key,
    from_b32,
    nsec3_hash,
    nsec3_params,
    parent,
    parse_nsec3,
    to_text,
    type_text,
)

_RRSIG = 46
SHA1 = 1
OPT_OUT_FLAG = 0x01
Params = tuple[int, int, bytes]


class Nsec3Record(NamedTuple):
    owner: bytes
    hash: bytes
    next: bytes
    params: Params
    opt_out: bool
    types: frozenset[int]


def _types(types: Iterable[int]) -> str:
    return " ".join(sorted(type_text(t) for t in types)) or "(none)"


_B32HEX = re.compile(rb"[0-9A-Va-v]+")


def _hash_of(label: bytes) -> bytes | None:
    """``from_b32`` (the hash an owner label holds), faster for the usual label: whole
    groups of 8 base32hex digits (a SHA-1 hash is 32), which hold exactly their bits
    (base64.b32hexdecode is a Python loop; this was a third of the chain check)."""
    if len(label) % 8 == 0 and _B32HEX.fullmatch(label):
        return int(label, 32).to_bytes(len(label) * 5 // 8, "big")
    return from_b32(label)


def nsec3_records(shape: ZoneShape) -> list[Nsec3Record]:
    """The NSEC3 records of ``shape`` the chain is made of, in file order (the
    byte-range read has each worker make those of its range)."""
    out: list[Nsec3Record] = []
    for owner, rdatas in shape.nsec3.items():
        if parent(owner) != shape.origin:
            continue
        hashed = _hash_of(owner[1 : 1 + owner[0]])
        for rdata in rdatas:
            try:
                rec = parse_nsec3(rdata)
            except (ValueError, IndexError):
                continue
            if rec.flags not in (0, 1) or rec.algorithm != SHA1:
                continue
            if not hashed or len(hashed) != len(rec.next):
                continue
            opt_out = bool(rec.flags & OPT_OUT_FLAG)
            out.append(Nsec3Record(owner, hashed, rec.next, rec.params, opt_out, rec.types))
    return out


def _optional(shape: ZoneShape, ents: set[bytes]) -> set[bytes]:
    """Names opt-out may leave without NSEC3: insecure cuts and ENTs above only them."""
    insecure = shape.cuts - shape.secure_cuts
    keep: set[bytes] = set()
    for name in shape.types:
        if name not in insecure:
            keep.update(ancestors(name, shape.origin))
    return insecure | {e for e in ents if e not in keep}


def _expected(shape: ZoneShape, name: bytes) -> frozenset[int]:
    present = set(shape.types.get(name, frozenset()))
    if name in shape.signed_names and (name not in shape.cuts or name in shape.secure_cuts):
        present.add(_RRSIG)
    return frozenset(present)


def _params_findings(z: str, params: Params, opt_out: bool) -> list[Finding]:
    out: list[Finding] = []
    _alg, iterations, salt = params
    for issue in parameter_issues(iterations, salt, opt_out):
        if issue in (Nsec3ParamIssue.EXTRA_ITERATIONS, Nsec3ParamIssue.ITERATIONS_TOO_HIGH):
            out.append(Finding.of(F.NSEC3_ITERATIONS, z, iterations=iterations))
        elif issue is Nsec3ParamIssue.SALT:
            out.append(Finding.of(F.NSEC3_SALT, z, salt=salt.hex().upper()))
        else:
            out.append(Finding.of(F.NSEC3_OPT_OUT, z))
    return out


def _check_chain(
    shape: ZoneShape, ents: set[bytes], params: Params, recs: list[Nsec3Record]
) -> list[Finding]:
    z = to_text(shape.origin)
    _alg, iterations, salt = params
    opt_out = any(r.opt_out for r in recs)
    optional = _optional(shape, ents) if opt_out else set()
    by_hash: dict[bytes, bytes] = {}
    for name in [*shape.types, *ents]:
        by_hash[nsec3_hash(name, salt, iterations)] = name
    out = _params_findings(z, params, opt_out)
    present = {r.hash: r for r in recs}
    missing = [(h, n) for h, n in by_hash.items() if h not in present and n not in optional]
    for h, name in sorted(missing, key=lambda hn: canonical_key(hn[1])):
        text = to_text(name)
        out.append(Finding.of(F.NSEC3_MISSING, z, records=(text,), name=text, hash=b32(h)))
    order = sorted(present)
    for i, h in enumerate(order):
        rec = present[h]
        want = order[(i + 1) % len(order)]
        original = by_hash.get(h)
        expect = _expected(shape, original) if original is not None else rec.types
        if rec.next == want and original is not None and rec.types == expect:
            continue
        line = f"{to_text(rec.owner)} NSEC3 next {b32(rec.next)}"
        if rec.next != want:
            out.append(
                Finding.of(
                    F.NSEC3_CHAIN_BROKEN,
                    z,
                    records=(line,),
                    hash=b32(h),
                    got=b32(rec.next),
                    want=b32(want),
                )
            )
        if original is None:
            out.append(Finding.of(F.NSEC3_ORPHAN, z, records=(line,), owner=to_text(rec.owner)))
            continue
        if rec.types != expect:
            lack, extra = expect - rec.types, rec.types - expect
            parts = ([f"lacks {_types(lack)}"] if lack else []) + (
                [f"lists absent {_types(extra)}"] if extra else []
            )
            out.append(
                Finding.of(
                    F.NSEC3_BITMAP_MISMATCH,
                    z,
                    records=(line,),
                    name=to_text(original),
                    hash=b32(h),
                    difference=" and ".join(parts),
                )
            )
    return out


def check_nsec3_chain(
    shape: ZoneShape, nsec3param: Iterable[bytes], recs: list[Nsec3Record] | None = None
) -> list[Finding]:
    """``nsec3param``: the RDATA of the apex NSEC3PARAM RRset (may be empty); ``recs``:
    ``nsec3_records(shape)``, when already made."""
    z = to_text(shape.origin)
    if recs is None:
        recs = nsec3_records(shape)
    chains: list[Params] = []
    for rdata in nsec3param:
        try:
            algorithm, flags, iterations, salt = nsec3_params(rdata)
        except (ValueError, IndexError):
            continue
        if flags == 0:
            chains.append((algorithm, iterations, salt))
    out: list[Finding] = []
    if not chains:
        seen = sorted({r.params for r in recs})
        out.append(Finding.of(F.NSEC3_PARAM_MISMATCH, z, variant="no_param"))
        chains = seen[:1]
    stray = [r for r in recs if r.params not in chains]
    if stray:
        out.append(
            Finding.of(
                F.NSEC3_PARAM_MISMATCH,
                z,
                records=tuple(to_text(r.owner) for r in stray[:5]),
                variant="other",
                count=len(stray),
            )
        )
    ents = shape.ents
    for params in chains:
        out.extend(_check_chain(shape, ents, params, [r for r in recs if r.params == params]))
    return out


__all__ = ["Nsec3Record", "check_nsec3_chain", "nsec3_records"]
