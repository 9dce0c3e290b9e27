"""Trust anchors and root hints: reading the files, and the built-in IANA defaults.

A trust anchor file holds DS and/or DNSKEY records in zone-file format, as Unbound's
``trust-anchor-file`` takes them: ``;`` comments, records split over lines with
parentheses, ``$ORIGIN`` and ``$TTL``, owner names left out to repeat the previous one.
A root hints file is ``named.root``: the root's NS records and their A/AAAA records.
A broken file raises :class:`AnchorFileError`, one line naming the file and the line.

The defaults are data only: the IANA root KSKs (KSK-2017 and KSK-2024) and the 13 root
servers' addresses.  Nothing here sends a query.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.ttl
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.NS import NS
from dns.rdtypes.IN.A import A
from dns.rdtypes.IN.AAAA import AAAA

from dnssec_doctor.inputfile import MAX_TEXT_FILE, read_small
from dnssec_doctor.model.evidence import RootHint

RdataType = dns.rdatatype.RdataType

#: The IANA root zone trust anchors (https://data.iana.org/root-anchors/root-anchors.xml).
DEFAULT_TRUST_ANCHORS: tuple[str, ...] = (
    ". 172800 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
    ". 172800 IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
)

_ROOT_SERVERS = (
    ("a", "198.41.0.4", "2001:503:ba3e::2:30"),
    ("b", "170.247.170.2", "2801:1b8:10::b"),
    ("c", "192.33.4.12", "2001:500:2::c"),
    ("d", "199.7.91.13", "2001:500:2d::d"),
    ("e", "192.203.230.10", "2001:500:a8::e"),
    ("f", "192.5.5.241", "2001:500:2f::f"),
    ("g", "192.112.36.4", "2001:500:12::d0d"),
    ("h", "198.97.190.53", "2001:500:1::53"),
    ("i", "192.36.148.17", "2001:7fe::53"),
    ("j", "192.58.128.30", "2001:503:c27::2:30"),
    ("k", "193.0.14.129", "2001:7fd::1"),
    ("l", "199.7.83.42", "2001:500:9f::42"),
    ("m", "202.12.27.33", "2001:dc3::35"),
)

#: The IANA root hints (named.root): each root server's IPv4 and IPv6 address.
DEFAULT_ROOT_HINTS: tuple[RootHint, ...] = tuple(
    RootHint(f"{letter}.root-servers.net.", address)
    for letter, v4, v6 in _ROOT_SERVERS
    for address in (v4, v6)
)

_DEFAULT_TTL = 3600
_DNSKEY_ZONE_FLAG = 0x0100  # RFC 4034 2.1.1: only zone keys sign zones


class AnchorFileError(ValueError):
    """A trust anchor or root hints file cannot be used; the message is one line."""

    def __init__(self, source: str, line: int | None, why: str) -> None:
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {why}")
        self.source = source
        self.line = line


class Record(NamedTuple):
    """One record of a zone-file text, with the line it starts on."""

    line: int
    owner: dns.name.Name
    ttl: int
    rdata: dns.rdata.Rdata

    def to_text(self) -> str:
        rdtype = dns.rdatatype.to_text(self.rdata.rdtype)
        return f"{self.owner.to_text()} {self.ttl} IN {rdtype} {self.rdata.to_text()}"


# -- trust anchors -------------------------------------------------------------------------


def parse_trust_anchors(text: str, source: str = "<trust anchors>") -> list[str]:
    """The DS and DNSKEY records of *text* as presentation lines (the Evidence's form)."""
    lines: list[str] = []
    for record in read_records(text, source):
        rdata = record.rdata
        if isinstance(rdata, DNSKEY) and not rdata.flags & _DNSKEY_ZONE_FLAG:
            raise AnchorFileError(source, record.line, "DNSKEY without the Zone Key flag")
        if rdata.rdtype not in (RdataType.DS, RdataType.DNSKEY):
            kind = dns.rdatatype.to_text(rdata.rdtype)
            raise AnchorFileError(
                source, record.line, f"{kind} is not a trust anchor (DS or DNSKEY)"
            )
        lines.append(record.to_text())
    if not lines:
        raise AnchorFileError(source, None, "no DS or DNSKEY record")
    return lines


def load_trust_anchors(path: str | Path) -> list[str]:
    return parse_trust_anchors(_read(path), str(path))


# -- root hints ----------------------------------------------------------------------------


def parse_root_hints(text: str, source: str = "<root hints>") -> list[RootHint]:
    """The root servers of a named.root-style *text*, in the order of its NS records."""
    servers: list[tuple[int, dns.name.Name]] = []
    addresses: dict[dns.name.Name, list[str]] = {}
    for record in read_records(text, source):
        rdata = record.rdata
        if isinstance(rdata, NS):
            if record.owner != dns.name.root:
                raise AnchorFileError(source, record.line, f"NS for {record.owner}, not the root")
            if rdata.target not in [n for _, n in servers]:
                servers.append((record.line, rdata.target))
        elif isinstance(rdata, A | AAAA):
            addresses.setdefault(record.owner, []).append(rdata.address)
        else:
            kind = dns.rdatatype.to_text(rdata.rdtype)
            raise AnchorFileError(source, record.line, f"{kind} has no place in root hints")
    if not servers:
        raise AnchorFileError(source, None, "no NS record for the root")
    hints: list[RootHint] = []
    for line, name in servers:
        if name not in addresses:
            raise AnchorFileError(source, line, f"no A or AAAA record for {name}")
        hints.extend(RootHint(name.to_text(), address) for address in addresses[name])
    return hints


def load_root_hints(path: str | Path) -> list[RootHint]:
    return parse_root_hints(_read(path), str(path))


def _read(path: str | Path) -> str:
    try:
        return read_small(path, MAX_TEXT_FILE).decode("utf-8")
    except OSError as exc:
        raise AnchorFileError(str(path), None, f"cannot read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise AnchorFileError(str(path), None, "not UTF-8 text") from exc


# -- zone-file reading ---------------------------------------------------------------------


def read_records(text: str, source: str) -> Iterator[Record]:
    """The records of zone-file *text*; AnchorFileError names the line of a bad one."""
    origin = dns.name.root
    default_ttl = _DEFAULT_TTL
    owner: dns.name.Name | None = None
    for line, entry, indented in _entries(text, source):
        tokens = entry.split()
        if not tokens:  # "( )": parentheses around nothing hold no record
            continue
        try:
            if tokens[0].startswith("$"):
                origin, default_ttl = _directive(tokens, origin, default_ttl)
                continue
            if not indented:
                owner = dns.name.from_text(tokens[0], origin)
                tokens = tokens[1:]
            if owner is None:
                raise ValueError("no owner name")
            ttl, rdclass, tokens = _ttl_and_class(tokens, default_ttl)
            if rdclass != dns.rdataclass.IN:
                raise ValueError(f"class {dns.rdataclass.to_text(rdclass)}, not IN")
            if not tokens:
                raise ValueError("no record type")
            rdtype = dns.rdatatype.from_text(tokens[0])
            rdata = dns.rdata.from_text(
                rdclass, rdtype, " ".join(tokens[1:]), origin=origin, relativize=False
            )
        except (ValueError, dns.exception.DNSException) as exc:
            raise AnchorFileError(source, line, _why(exc)) from exc
        yield Record(line, owner, ttl, rdata)


def _directive(tokens: list[str], origin: dns.name.Name, ttl: int) -> tuple[dns.name.Name, int]:
    keyword = tokens[0].upper()
    if keyword == "$ORIGIN" and len(tokens) == 2:
        return dns.name.from_text(tokens[1], origin), ttl
    if keyword == "$TTL" and len(tokens) == 2:
        return origin, dns.ttl.from_text(tokens[1])
    raise ValueError(f"unsupported directive {tokens[0]}")


def _ttl_and_class(tokens: list[str], ttl: int) -> tuple[int, dns.rdataclass.RdataClass, list[str]]:
    """The optional TTL and class before the type, in either order (RFC 1035 5.1)."""
    rdclass = dns.rdataclass.IN
    for _ in range(2):
        if tokens and tokens[0][:1].isdigit():
            ttl = dns.ttl.from_text(tokens[0])
            tokens = tokens[1:]
        elif tokens and _is_class(tokens[0]):
            rdclass = dns.rdataclass.from_text(tokens[0])
            tokens = tokens[1:]
    return ttl, rdclass, tokens


def _is_class(token: str) -> bool:
    upper = token.upper()
    return upper in ("IN", "CH", "CS", "HS", "NONE", "ANY") or upper.startswith("CLASS")


def _entries(text: str, source: str) -> Iterator[tuple[int, str, bool]]:
    """(first line number, entry text, starts indented) with comments removed and
    parenthesised continuations joined."""
    pending = ""
    start = 0
    indented = False
    depth = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = _strip_comment(raw)
        if not pending:
            if not line.strip():
                continue
            start, indented = number, raw[:1] in (" ", "\t")
        depth += line.count("(") - line.count(")")
        if depth < 0:
            raise AnchorFileError(source, number, "')' without '('")
        pending = f"{pending} {line}"
        if depth == 0:
            yield start, pending.replace("(", " ").replace(")", " ").strip(), indented
            pending = ""
    if pending:
        raise AnchorFileError(source, start, "'(' never closed")


def _strip_comment(line: str) -> str:
    quoted = False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            return line[:i]
    return line


def _why(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text
