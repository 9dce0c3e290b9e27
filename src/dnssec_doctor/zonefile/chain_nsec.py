"""The NSEC chain: one NSEC per authoritative name and cut, in canonical order, closed.

RFC 4035 2.3: every authoritative owner name and every delegation point has an NSEC
whose Next Domain Name is the next such name in canonical order (RFC 4034 6.1), the
last pointing back to the apex (RFC 4034 4.1.1); its bitmap lists exactly the types
present there, RRSIG and NSEC included, glue excluded (RFC 4034 4.1.2, RFC 4035 2.3).

Everything but "next is the canonical successor" concerns one name alone, so the
byte-range read (``parallel.py``) checks it in the workers (:func:`range_chain`).
The successors need no sort either when the chain is right: if every name has one
NSEC, the nexts are exactly the names, once each (a permutation), and exactly one
step does not go up in canonical order, ending at the apex, then the chain is the
canonical order (a permutation with one descent is a single cycle, and from the
apex, the smallest name, it only goes up).  Each range sends what the parent needs
to decide that (:class:`ChainPart`: the nexts that leave the range, the names no
next of the range reaches, its descents); :func:`chain_closes` decides it.  When it
fails, the exact, sorted :func:`check_nsec_chain` names the broken links.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import dns.rdata
import dns.rdataclass
import dns.rdatatype

from dnssec_doctor.model import findings as F
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.zonefile.structure import ZoneShape
from dnssec_doctor.zonefile.wire import (
    Nsec,
    bitmap_types,
    canonical_key,
    parse_nsec,
    to_text,
    type_text,
)

_RRSIG, _NSEC = 46, 47
# expected bitmaps by (types present, signed): a zone has a handful
_Bitmaps = dict[tuple[frozenset[int], bool], frozenset[int]]


def _types(types: frozenset[int]) -> str:
    return " ".join(sorted(type_text(t) for t in types)) or "(none)"


def expected_bitmap(shape: ZoneShape, name: bytes) -> frozenset[int]:
    present = set(shape.types[name]) | {_NSEC}
    if name in shape.signed_names:
        present.add(_RRSIG)
    return frozenset(present)


def _expected(shape: ZoneShape, name: bytes, memo: _Bitmaps) -> frozenset[int]:
    """:func:`expected_bitmap`, made once per distinct type set (the sets are shared
    objects, so the key is cheap to hash)."""
    key = (shape.types[name], name in shape.signed_names)
    found = memo.get(key)
    if found is None:
        found = memo[key] = expected_bitmap(shape, name)
    return found


def _nsec_text(rdata: bytes) -> str:
    rd = dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.NSEC, rdata, 0, len(rdata))
    return rd.to_text()


def _strays(shape: ZoneShape, z: str) -> list[Finding]:
    """NSEC records at names that are not authoritative (glue, occluded)."""
    out: list[Finding] = []
    for owner in shape.nsec:
        if owner not in shape.types:
            stray = to_text(owner)
            out.append(
                Finding.of(
                    F.NSEC_CHAIN_BROKEN, z, records=(f"{stray} NSEC",), variant="stray", name=stray
                )
            )
    return out


def _bitmap_finding(
    z: str, text: str, line: str, have: frozenset[int], expect: frozenset[int]
) -> Finding:
    extra, lack = have - expect, expect - have
    parts = []
    if lack:
        parts.append(f"lacks {_types(frozenset(lack))}")
    if extra:
        parts.append(f"lists absent {_types(frozenset(extra))}")
    return Finding.of(
        F.NSEC_BITMAP_MISMATCH, z, records=(line,), name=text, difference=" and ".join(parts)
    )


@dataclass
class _Own:
    """What one name's NSEC says on its own: findings, and the record the chain
    goes on with (None: missing or malformed)."""

    findings: list[Finding]
    nsec: Nsec | None = None
    rdata: bytes = b""


def _own(shape: ZoneShape, name: bytes, z: str, memo: _Bitmaps) -> _Own:
    """Missing, several, malformed NSEC at ``name``, or a bitmap that is not the
    types present: all of it needs only this name."""
    rdatas = shape.nsec.get(name)
    if not rdatas:
        text = to_text(name)
        return _Own([Finding.of(F.NSEC_MISSING, z, records=(text,), name=text)])
    out: list[Finding] = []
    if len(rdatas) > 1:
        out.append(
            Finding.of(
                F.NSEC_CHAIN_BROKEN, z, variant="repeated", name=to_text(name), count=len(rdatas)
            )
        )
    rdata = min(rdatas)  # canonical order: the one dnspython's RRset lists first
    try:
        nsec = parse_nsec(rdata)
    except (ValueError, IndexError):
        out.append(Finding.of(F.NSEC_CHAIN_BROKEN, z, variant="malformed", name=to_text(name)))
        return _Own(out)
    expect = _expected(shape, name, memo)
    if nsec.types != expect:
        text = to_text(name)
        line = f"{text} NSEC {_nsec_text(rdata)}"
        out.append(_bitmap_finding(z, text, line, nsec.types, expect))
    return _Own(out, nsec, rdata)


def _next_finding(
    z: str, name: bytes, rdata: bytes, got: bytes, want: bytes, origin: bytes
) -> Finding:
    text = to_text(name)
    why = "the chain is not closed at the apex" if want == origin else "skips or misorders"
    return Finding.of(
        F.NSEC_CHAIN_BROKEN,
        z,
        records=(f"{text} NSEC {_nsec_text(rdata)}",),
        variant="next",
        name=text,
        got=to_text(got),
        want=to_text(want),
        why=why,
    )


def check_nsec_chain(shape: ZoneShape) -> list[Finding]:
    """Every finding about the NSEC chain of ``shape`` (all of the zone's names)."""
    origin = shape.origin
    z = to_text(origin)
    out = _strays(shape, z)
    memo: _Bitmaps = {}
    names = sorted(shape.types, key=canonical_key)
    for i, name in enumerate(names):
        own = _own(shape, name, z, memo)
        out += own.findings
        want = names[i + 1] if i + 1 < len(names) else origin
        if own.nsec is not None and own.nsec.next != want:
            out.append(_next_finding(z, name, own.rdata, own.nsec.next, want, origin))
    return out


@dataclass
class ChainPart:
    """What the parent needs of one range's NSEC records to tell whether the whole
    chain is the canonical order (:func:`chain_closes`): in a zone written in about
    canonical order, a few names, not every name and its NSEC.

    ``leaving``: the nexts that are not names of the range; ``reached_from_outside``:
    names of the range no next of the range points to (in a right chain the two
    are the same names once all ranges are in); ``descents``: how many nexts do not
    come after their name in canonical order (one in a whole zone, at the last
    name).  Names without a well-formed NSEC have no next."""

    leaving: list[bytes] = field(default_factory=list)
    reached_from_outside: list[bytes] = field(default_factory=list)
    descents: int = 0


def _precedes(a: bytes, b: bytes) -> bool:
    """Does ``a`` come before ``b`` in canonical order?  Siblings (most steps of a
    chain) by their first labels, without building the keys."""
    if a[1 + a[0] :] == b[1 + b[0] :]:
        return a[1 : 1 + a[0]] < b[1 : 1 + b[0]]
    return canonical_key(a) < canonical_key(b)


def range_chain(shape: ZoneShape) -> tuple[list[Finding], ChainPart]:
    """The NSEC findings that need only the names of ``shape`` (one range of the
    zone, or the apex alone), and its part of the chain.  A stray NSEC, or a name
    whose NSEC is missing, repeated, malformed or has the wrong bitmap, is the same
    finding :func:`check_nsec_chain` makes."""
    z = to_text(shape.origin)
    out = _strays(shape, z)
    memo: _Bitmaps = {}
    plain: dict[tuple[frozenset[int], bool, bytes], bool] = {}
    names = shape.types
    part = ChainPart()
    nexts: list[bytes] = []
    for name in names:
        nxt = _plain_next(shape, name, memo, plain)
        if nxt is None:  # anything else: exactly as check_nsec_chain sees it
            own = _own(shape, name, z, memo)
            out += own.findings
            if own.nsec is None:
                continue
            nxt = own.nsec.next
        nexts.append(nxt)
        if not _precedes(name, nxt):
            part.descents += 1
    _link(part, names.keys(), nexts)
    return out, part


def _plain_next(
    shape: ZoneShape,
    name: bytes,
    memo: _Bitmaps,
    plain: dict[tuple[frozenset[int], bool, bytes], bool],
) -> bytes | None:
    """The next name of the NSEC at ``name`` when that NSEC is the usual one: the
    only one there, its next a child of the apex, its bitmap the expected one (so
    :func:`_own` has nothing to say).  None for anything else.  This is most names
    of a zone, and skips parsing each record (``plain``: whether a bitmap, as bytes,
    is right for a type set, made once per distinct pair)."""
    rdatas = shape.nsec.get(name)
    if rdatas is None or len(rdatas) != 1:
        return None
    rdata, origin = rdatas[0], shape.origin
    first = rdata[0] if rdata else 0
    end = 1 + first + len(origin)
    if not 0 < first < 64 or rdata[1 + first : end].lower() != origin:
        return None  # empty, the root, a bad label, deeper or elsewhere: _own decides
    key = (shape.types[name], name in shape.signed_names, rdata[end:])
    right = plain.get(key)
    if right is None:
        try:
            right = bitmap_types(key[2]) == _expected(shape, name, memo)
        except ValueError:
            right = False
        plain[key] = right
    return rdata[:end].lower() if right else None


def _link(part: ChainPart, names: Collection[bytes], nexts: list[bytes]) -> None:
    """Split the range's nexts into those that stay and those that leave; the names
    no staying next reaches must be reached from other ranges.  ``names``: the
    range's (a dict's keys: membership is a lookup)."""
    reached = {n for n in nexts if n in names}
    part.leaving = [n for n in nexts if n not in names]
    part.reached_from_outside = [n for n in names if n not in reached]


def chain_closes(parts: Iterable[ChainPart]) -> bool:
    """Is every NSEC's next the canonical successor of its name, the last the apex?

    True exactly when the nexts that leave their range are the names no next of
    theirs reaches, and exactly one next does not go up.  The nexts are then
    every name once (a permutation): a range has at most as many nexts as names
    (a name without a well-formed NSEC has none) and reaches at most as many of
    its names as it has staying nexts, so it has at most as many leaving nexts as
    unreached names; as sets the two are the same, so no name lacks its next, no
    next is repeated.  And with one descent the permutation is one cycle that,
    from the name after the descent, only goes up through every name: that name
    is the smallest, the apex, and the cycle is the canonical order.  ``parts``:
    one per range and one for the apex (ranges hold disjoint names)."""
    leaving: list[bytes] = []
    unreached: set[bytes] = set()
    descents = 0
    for part in parts:
        leaving += part.leaving
        unreached.update(part.reached_from_outside)
        descents += part.descents
    return descents == 1 and unreached == set(leaving)


__all__ = ["ChainPart", "chain_closes", "check_nsec_chain", "expected_bitmap", "range_chain"]
