"""Small helpers to read and group resource records, shared by the validate/ modules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import cast

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.RRSIG import RRSIG
from dns.rdtypes.dnskeybase import DNSKEYBase


class RecordParseError(ValueError):
    """Presentation-format records could not be parsed (one-line message)."""


def _strip_comment(line: str) -> str:
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            return line[:i]
    return line


def _logical_lines(text: str) -> list[str]:
    """Lines with comments removed and parenthesised continuations joined."""
    out: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = _strip_comment(raw)
        pending = f"{pending} {line}" if pending else line
        if pending.count("(") > pending.count(")"):
            continue
        if pending.strip():
            out.append(pending.replace("(", " ").replace(")", " ").strip())
        pending = ""
    if pending.strip():
        raise RecordParseError("unbalanced parentheses")
    return out


def parse_records(text: str, default_ttl: int = 3600) -> list[dns.rrset.RRset]:
    """Parse master-file lines (absolute owner names; TTL and class optional) into RRsets.

    Records of the same owner, class, type (and covered type for RRSIG) are grouped
    in order of appearance; RRSIGs form their own RRsets, as in a DNS message.
    Raises :class:`RecordParseError` (one line) on any syntax error.
    """
    groups: dict[tuple[dns.name.Name, int, int, int], dns.rrset.RRset] = {}
    for lineno, line in enumerate(_logical_lines(text), 1):
        tokens = line.split()
        try:
            name = dns.name.from_text(tokens[0])
            i, ttl, rdclass = 1, default_ttl, dns.rdataclass.IN
            for _ in range(2):
                if i < len(tokens) and tokens[i].isdigit():
                    ttl, i = int(tokens[i]), i + 1
                elif i < len(tokens) and tokens[i].upper() in ("IN", "CH", "HS"):
                    rdclass, i = dns.rdataclass.from_text(tokens[i]), i + 1
            rdtype = dns.rdatatype.from_text(tokens[i])
            rdata = dns.rdata.from_text(
                rdclass, rdtype, " ".join(tokens[i + 1 :]), origin=dns.name.root, relativize=False
            )
        except Exception as exc:  # dnspython raises many types for bad text
            why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise RecordParseError(f"record {lineno}: {why}") from exc
        key = (name, int(rdclass), int(rdtype), int(rdata.covers()))
        if key not in groups:
            groups[key] = dns.rrset.RRset(name, rdclass, rdtype, rdata.covers())
        groups[key].add(rdata, ttl)
    return list(groups.values())


def find_rrset(
    rrsets: Iterable[dns.rrset.RRset],
    name: dns.name.Name | str,
    rdtype: int | str,
    covers: int | str = dns.rdatatype.NONE,
) -> dns.rrset.RRset | None:
    """The RRset with this owner/type (and covered type for RRSIG), if any."""
    if isinstance(name, str):
        name = dns.name.from_text(name)
    t = dns.rdatatype.RdataType.make(rdtype)
    c = dns.rdatatype.RdataType.make(covers)
    for rrset in rrsets:
        if rrset.name == name and rrset.rdtype == t and rrset.covers == c:
            return rrset
    return None


def rrsigs_for(rrsets: Iterable[dns.rrset.RRset], rrset: dns.rrset.RRset) -> list[RRSIG]:
    """The RRSIG rdatas in ``rrsets`` that sit at ``rrset``'s owner and cover its type."""
    found: list[RRSIG] = []
    for r in rrsets:
        if r.rdtype == dns.rdatatype.RRSIG and r.name == rrset.name:
            found.extend(cast(RRSIG, rd) for rd in r if rd.type_covered == rrset.rdtype)
    return found


def data_rrsets(rrsets: Sequence[dns.rrset.RRset]) -> list[dns.rrset.RRset]:
    """The RRsets that are not RRSIGs."""
    return [r for r in rrsets if r.rdtype != dns.rdatatype.RRSIG]


def labels(name: dns.name.Name) -> int:
    """The RRSIG label count of ``name``: labels without the root and a leading ``*``
    (RFC 4034 3.1.3)."""
    n = len(name) - 1 if name.is_absolute() else len(name)
    if name.is_wild():
        n -= 1
    return n


def key_tag(key: DNSKEYBase) -> int:
    """The key tag of a DNSKEY (RFC 4034 Appendix B), as ``key.key_id()``.

    dnspython sums the RDATA in a Python loop (~40 us for a 3072-bit RSA key), and a
    validator matches every RRSIG against every key of the set: 32 keys, 8 RRSIGs an
    RRset, 32 servers cost 1.6 s in key tags alone.  The sum is done here by C slices,
    once per distinct key."""
    if key.algorithm == 1:  # RSAMD5: the tag is not a checksum (Appendix B.1)
        return key.key_id()
    return _tag(key.flags, key.protocol, int(key.algorithm), key.key)


@lru_cache(maxsize=4096)
def _tag(flags: int, protocol: int, algorithm: int, public: bytes) -> int:
    rdata = flags.to_bytes(2, "big") + bytes([protocol, algorithm]) + public
    total = (sum(rdata[0::2]) << 8) + sum(rdata[1::2])
    total += (total >> 16) & 0xFFFF
    return total & 0xFFFF


__all__ = [
    "RecordParseError",
    "data_rrsets",
    "find_rrset",
    "key_tag",
    "labels",
    "parse_records",
    "rrsigs_for",
]
