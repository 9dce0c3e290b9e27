"""Open a zone file and stream its records: the one input interface of verify.

:func:`open_zone` checks what can be told from the start of the input (missing,
empty, binary, not UTF-8) and settles the origin; :func:`fast_records` streams the
records with the fast reader (``reader.py``), :func:`reference_records` with
dnspython's zone parser, the reference the fast reader is tested against (both yield
the same :class:`~reader.Record` tuples, so every check runs on either).  Standard
input is copied to a temporary file first: a zone whose records are not grouped by
owner is read twice (``verify.py``).  Every way the input can be unusable becomes
one :class:`ZoneLoadError` whose message is one line.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import dns.exception
import dns.name
import dns.rdataclass
import dns.zone

from dnssec_doctor.zonefile.reader import Record, ZoneSyntaxError, read_records
from dnssec_doctor.zonefile.wire import canonical

#: How much of the input is looked at for binary data and the origin.
HEAD_BYTES = 1 << 20


class ZoneLoadError(Exception):
    """The input is not a usable zone file; the message is one line that says why."""


@dataclass(frozen=True)
class ZoneSource:
    """An input ready to be read: ``path`` is a file (a copy of stdin), ``name`` how
    messages call it."""

    path: str
    name: str
    origin: dns.name.Name

    @property
    def origin_wire(self) -> bytes:
        return canonical(self.origin)


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


def _parse_origin(origin: str) -> dns.name.Name:
    try:
        return dns.name.from_text(origin)
    except (dns.exception.DNSException, ValueError, UnicodeError) as error:
        raise ZoneLoadError(f"--origin is not a valid domain name: {origin!r}") from error


def _head_text(head: bytes, name: str, complete: bool) -> str:
    if not head.strip() and complete:
        raise ZoneLoadError(f"{name}: empty file, not a zone")
    if b"\0" in head:
        raise ZoneLoadError(f"{name}: binary data, not a zone file in presentation format")
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as error:
        if not complete and error.start > len(head) - 4:
            return head[: error.start].decode("utf-8")  # a character cut by the head's end
        raise ZoneLoadError(
            f"{name}: not text (byte {error.start} is not UTF-8), not a zone file"
        ) from error


def _spool_text(stream: IO[bytes], out: IO[bytes]) -> None:
    """Copy stdin to *out*, stopping at the first NUL: presentation format has none (it
    writes \\000), and `verify - < /dev/zero` must end, not fill the disk."""
    while block := stream.read(1 << 20):
        if b"\0" in block:
            raise ZoneLoadError("<stdin>: binary data, not a zone file in presentation format")
        out.write(block)


def _refuse_special(source: str) -> None:
    """A FIFO would block the open and a device never end: only regular files are read."""
    try:
        mode = os.stat(source).st_mode
    except OSError:
        return  # the open below says why, in its words
    if stat.S_ISDIR(mode):
        raise ZoneLoadError(f"{source} is a directory, not a zone file")
    if not stat.S_ISREG(mode):
        raise ZoneLoadError(f"{source}: not a regular file (use - for a pipe)")


@contextmanager
def open_zone(source: str, origin: str | None = None) -> Iterator[ZoneSource]:
    """The zone at ``source`` (a path, or ``-`` for stdin) with its origin settled:
    ``origin`` if given, else the one the file states."""
    given = _parse_origin(origin) if origin else None
    copy: str | None = None
    try:
        if source == "-":
            with tempfile.NamedTemporaryFile(prefix="dnssec-doctor-", delete=False) as out:
                copy = out.name
                _spool_text(sys.stdin.buffer, out)
            path, name = copy, "<stdin>"
        else:
            path, name = source, source
            _refuse_special(source)
        try:
            with open(path, "rb") as handle:
                head = handle.read(HEAD_BYTES)
                complete = not handle.read(1)
        except FileNotFoundError as error:
            raise ZoneLoadError(f"no such zone file: {source}") from error
        except IsADirectoryError as error:
            raise ZoneLoadError(f"{source} is a directory, not a zone file") from error
        except OSError as error:
            raise ZoneLoadError(f"cannot read {source}: {error.strerror}") from error
        text = _head_text(head, name, complete)
        settled = given or guess_origin(text)
        if settled is None:
            raise ZoneLoadError(f"{name}: cannot tell the zone's origin; give --origin")
        yield ZoneSource(path, name, settled)
    finally:
        if copy is not None:
            os.unlink(copy)


def fast_records(source: ZoneSource) -> Iterator[Record]:
    """The records of ``source`` in file order, by the fast reader."""
    try:
        with open(source.path, encoding="utf-8") as stream:
            yield from read_records(stream, source.origin.to_text(), name=source.name)
    except ZoneSyntaxError as error:
        raise ZoneLoadError(f"syntax error at {error}") from error
    except OSError as error:
        raise ZoneLoadError(f"cannot read {source.name}: {error.strerror}") from error


def reference_records(source: ZoneSource) -> Iterator[Record]:
    """The records of ``source`` as dnspython's zone parser reads them (node by node,
    duplicates merged): the reference for :func:`fast_records`."""
    try:
        with open(source.path, encoding="utf-8") as stream:
            zone = dns.zone.from_file(
                stream,
                origin=source.origin,
                relativize=False,
                check_origin=False,
                filename=source.name,
            )
    except dns.exception.SyntaxError as error:
        # dnspython's messages are "file:line: what"; the line is where the reader
        # noticed the problem (often the line after the faulty record).
        raise ZoneLoadError(f"syntax error at {error}") from error
    except (dns.exception.DNSException, ValueError, UnicodeError) as error:
        why = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ZoneLoadError(f"{source.name}: not a usable zone file: {why}") from error
    for owner, node in zone.nodes.items():
        wire = canonical(owner)
        for rdataset in node.rdatasets:
            if rdataset.rdclass != dns.rdataclass.IN:
                continue
            for rd in rdataset:
                yield Record(wire, rdataset.ttl, int(rdataset.rdtype), rd.to_digestable(), 0)


__all__ = [
    "HEAD_BYTES",
    "ZoneLoadError",
    "ZoneSource",
    "fast_records",
    "guess_origin",
    "open_zone",
    "reference_records",
]
