"""The NSEC chain: one NSEC per authoritative name and cut, in canonical order, closed.

RFC 4035 2.3: every authoritative owner name and every delegation point has an NSEC
whose Next Domain Name is the next such name in canonical order (RFC 4034 6.1), the
last pointing back to the apex (RFC 4034 4.1.1); its bitmap lists exactly the types
present there, RRSIG and NSEC included, glue excluded (RFC 4034 4.1.2, RFC 4035 2.3).
"""

from __future__ import annotations

import dns.rdata
import dns.rdataclass
import dns.rdatatype

from dnssec_doctor import findings as F
from dnssec_doctor.findings import Finding
from dnssec_doctor.zonefile.structure import ZoneShape
from dnssec_doctor.zonefile.wire import canonical_key, parse_nsec, to_text, type_text

_RRSIG, _NSEC = 46, 47


def _types(types: frozenset[int]) -> str:
    return " ".join(sorted(type_text(t) for t in types)) or "(none)"


def expected_bitmap(shape: ZoneShape, name: bytes) -> frozenset[int]:
    present = set(shape.types[name]) | {_NSEC}
    if name in shape.signed_names:
        present.add(_RRSIG)
    return frozenset(present)


def _nsec_text(rdata: bytes) -> str:
    rd = dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.NSEC, rdata, 0, len(rdata))
    return rd.to_text()


def check_nsec_chain(shape: ZoneShape) -> list[Finding]:
    origin = shape.origin
    z = to_text(origin)
    out: list[Finding] = []
    for owner in shape.nsec:
        if owner not in shape.types:
            stray = to_text(owner)
            out.append(
                Finding(
                    F.NSEC_CHAIN_BROKEN,
                    z,
                    f"NSEC at {stray}, which is not an authoritative name of the zone",
                    records=(f"{stray} NSEC",),
                )
            )
    names = sorted(shape.types, key=canonical_key)
    for i, name in enumerate(names):
        rdatas = shape.nsec.get(name)
        if not rdatas:
            text = to_text(name)
            out.append(Finding(F.NSEC_MISSING, z, f"{text} has no NSEC", records=(text,)))
            continue
        if len(rdatas) > 1:
            out.append(
                Finding(F.NSEC_CHAIN_BROKEN, z, f"{to_text(name)} has {len(rdatas)} NSEC records")
            )
        rdata = min(rdatas)  # canonical order: the one dnspython's RRset lists first
        try:
            nsec = parse_nsec(rdata)
        except (ValueError, IndexError):
            out.append(Finding(F.NSEC_CHAIN_BROKEN, z, f"{to_text(name)}: malformed NSEC"))
            continue
        want = names[i + 1] if i + 1 < len(names) else origin
        expect = expected_bitmap(shape, name)
        if nsec.next == want and nsec.types == expect:
            continue
        text = to_text(name)
        line = f"{text} NSEC {_nsec_text(rdata)}"
        if nsec.next != want:
            why = "the chain is not closed at the apex" if want == origin else "skips or misorders"
            out.append(
                Finding(
                    F.NSEC_CHAIN_BROKEN,
                    z,
                    f"NSEC at {text} points to {to_text(nsec.next)}, the next name is "
                    f"{to_text(want)} ({why})",
                    records=(line,),
                )
            )
        if nsec.types != expect:
            extra, lack = nsec.types - expect, expect - nsec.types
            parts = []
            if lack:
                parts.append(f"lacks {_types(frozenset(lack))}")
            if extra:
                parts.append(f"lists absent {_types(frozenset(extra))}")
            out.append(
                Finding(
                    F.NSEC_BITMAP_MISMATCH,
                    z,
                    f"NSEC bitmap at {text} {' and '.join(parts)}",
                    records=(line,),
                )
            )
    return out


__all__ = ["check_nsec_chain", "expected_bitmap"]
