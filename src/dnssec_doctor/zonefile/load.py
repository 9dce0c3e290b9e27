"""Read a zone file into :class:`ZoneData`: the one interface the checks depend on.

Parsing is dnspython's for now (``dns.zone.from_text``); a faster reader can replace
:func:`load_zone` without touching the checks.  Every way the input can be unusable
(unreadable, empty, binary, syntax error, no SOA at the origin) becomes one
:class:`ZoneLoadError` whose message is one line.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

#: Bigger inputs are refused rather than exhausting memory (dnspython keeps it all).
MAX_ZONE_BYTES = 1 << 30

RRsetKey = tuple[int, int]  # (rdtype, covers)


class ZoneLoadError(Exception):
    """The input is not a usable zone file; the message is one line that says why."""


@dataclass(frozen=True)
class ZoneData:
    """A zone as the checks see it: the origin and, per owner name, its RRsets.

    RRSIGs are grouped by covered type (key ``(RRSIG, covered)``), as dnspython does.
    """

    origin: dns.name.Name
    nodes: dict[dns.name.Name, dict[RRsetKey, dns.rrset.RRset]]
    source: str

    def get(self, name: dns.name.Name, rdtype: int, covers: int = 0) -> dns.rrset.RRset | None:
        return self.nodes.get(name, {}).get((rdtype, covers))

    def rrsets(self) -> Iterator[dns.rrset.RRset]:
        for node in self.nodes.values():
            yield from node.values()

    @property
    def record_count(self) -> int:
        return sum(len(r) for r in self.rrsets())


_ORIGIN_LINE = re.compile(r"^\$ORIGIN\s+(\S+)", re.IGNORECASE | re.MULTILINE)
_SOA_LINE = re.compile(r"^(\S+\.)\s+(?:\S+\s+){0,2}SOA\s", re.IGNORECASE | re.MULTILINE)


def guess_origin(text: str) -> dns.name.Name | None:
    """The origin a zone file states: its first ``$ORIGIN``, else the owner of an SOA
    line written with an absolute name (as signers write their output)."""
    found = _ORIGIN_LINE.search(text) or _SOA_LINE.search(text)
    if found is None:
        return None
    try:
        return dns.name.from_text(found.group(1))
    except (dns.exception.DNSException, ValueError):
        return None


def _read(source: str) -> tuple[bytes, str]:
    if source == "-":
        return sys.stdin.buffer.read(MAX_ZONE_BYTES + 1), "<stdin>"
    path = Path(source)
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_ZONE_BYTES + 1), str(path)
    except FileNotFoundError as error:
        raise ZoneLoadError(f"no such zone file: {source}") from error
    except IsADirectoryError as error:
        raise ZoneLoadError(f"{source} is a directory, not a zone file") from error
    except OSError as error:
        raise ZoneLoadError(f"cannot read {source}: {error.strerror}") from error


def _decode(data: bytes, name: str) -> str:
    if len(data) > MAX_ZONE_BYTES:
        raise ZoneLoadError(f"{name}: larger than {MAX_ZONE_BYTES} bytes")
    if not data.strip():
        raise ZoneLoadError(f"{name}: empty file, not a zone")
    if b"\0" in data:
        raise ZoneLoadError(f"{name}: binary data, not a zone file in presentation format")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ZoneLoadError(
            f"{name}: not text (byte {error.start} is not UTF-8), not a zone file"
        ) from error


def _parse_origin(origin: str) -> dns.name.Name:
    try:
        return dns.name.from_text(origin)
    except (dns.exception.DNSException, ValueError, UnicodeError) as error:
        raise ZoneLoadError(f"--origin is not a valid domain name: {origin!r}") from error


def parse_zone(text: str, origin: dns.name.Name | None, name: str = "<zone>") -> ZoneData:
    """Parse zone-file text; ``origin`` None means the one the file states."""
    if origin is None:
        origin = guess_origin(text)
        if origin is None:
            raise ZoneLoadError(f"{name}: cannot tell the zone's origin; give --origin")
    try:
        zone = dns.zone.from_text(
            text, origin=origin, relativize=False, check_origin=True, filename=name
        )
    except dns.zone.NoSOA as error:
        raise ZoneLoadError(
            f"{name}: no SOA record at the origin {origin} (wrong --origin, or not a zone)"
        ) from error
    except dns.zone.NoNS as error:
        raise ZoneLoadError(f"{name}: no NS RRset at the origin {origin}") from error
    except dns.exception.SyntaxError as error:
        # dnspython's messages are "file:line: what"; the line is where the reader
        # noticed the problem (often the line after the faulty record).
        raise ZoneLoadError(f"syntax error near {error}") from error
    except (dns.exception.DNSException, ValueError, UnicodeError) as error:
        why = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ZoneLoadError(f"{name}: not a usable zone file: {why}") from error
    nodes: dict[dns.name.Name, dict[RRsetKey, dns.rrset.RRset]] = {}
    for owner, node in zone.nodes.items():
        if not node.rdatasets:
            continue
        entry: dict[RRsetKey, dns.rrset.RRset] = {}
        for rdataset in node.rdatasets:
            if rdataset.rdclass != dns.rdataclass.IN:
                continue
            rrset = dns.rrset.RRset(owner, rdataset.rdclass, rdataset.rdtype, rdataset.covers)
            rrset.update(rdataset)
            entry[(int(rdataset.rdtype), int(rdataset.covers))] = rrset
        if entry:
            nodes[owner] = entry
    return ZoneData(zone.origin or origin, nodes, name)


def load_zone(source: str, origin: str | None = None) -> ZoneData:
    """Read ``source`` (a path, or ``-`` for stdin) as a zone file."""
    data, name = _read(source)
    text = _decode(data, name)
    return parse_zone(text, _parse_origin(origin) if origin else None, name)


__all__ = ["MAX_ZONE_BYTES", "ZoneData", "ZoneLoadError", "guess_origin", "load_zone", "parse_zone"]
