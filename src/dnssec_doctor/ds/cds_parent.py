"""``cds parent``: act as the parent on the child's CDS/CDNSKEY, like BIND's ``dnssec-cds``.

Offline: the child's records from a file (``-f``, as ``dig +dnssec +noall +answer``
prints them), the current DS set from a ``dsset-`` file (``-d``), replay protection from
``-s`` or the dsset file's modification time. Live: the child's servers of the
parent-side NS set and the parent's DS, fetched by the check service. The decision is
``validate.cds``'s; this module reads, calls and writes.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import dns.name
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.DS import DS

from dnssec_doctor.inputfile import MAX_TEXT_FILE, read_small
from dnssec_doctor.render.cds import ds_lines
from dnssec_doctor.validate.cds import (
    CdsAction,
    CdsDecision,
    ChildData,
    bootstrap,
    child_data,
    decide,
    decide_servers,
    ds_text,
)
from dnssec_doctor.validate.records import RecordParseError, parse_records

#: -a: the names dnssec-cds takes (case-insensitive, the hyphen optional) and the numbers.
DIGEST_NAMES = {"sha1": 1, "sha256": 2, "sha384": 4, "1": 1, "2": 2, "4": 4}
_STAMP = re.compile(r"^\d{14}$")
_NOW = re.compile(r"^now([+-]\d+)?$")
_BEFORE_FILE = re.compile(r"^-\d+$")
DEFAULT_DS_TTL = 3600


class CdsInputError(Exception):
    """Bad input (a file, a time, a digest name): one line, exit 3."""


@dataclass
class CdsRequest:
    zone: dns.name.Name
    dsset: Path | None = None  # -d: a file, or a directory holding dsset-<zone>
    child_file: str | None = None  # -f: a path, or "-" for standard input
    start: str | None = None  # -s
    at: int = 0  # the time of judgement (POSIX seconds)
    digest_types: tuple[int, ...] = (2,)
    prefer_cdnskey: bool = False
    ttl: int | None = None  # -T


@dataclass
class CdsOutcome:
    """The decision and what it was made from."""

    zone: dns.name.Name
    decision: CdsDecision
    current: tuple[DS, ...]
    ttl: int
    dsset_path: Path | None = None
    explicit_ttl: bool = True  # False: the dsset file had no TTL and -T gave none
    not_before: int | None = None
    servers: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    @property
    def line_ttl(self) -> int | None:
        """The TTL the DS lines are written with (None: as the dsset file, without)."""
        return self.ttl if self.explicit_ttl else None


# --------------------------------------------------------------------------- input


def parse_digest(text: str) -> int:
    """``-a``: SHA-256, sha384, 2, ... (as dnssec-cds takes them)."""
    number = DIGEST_NAMES.get(text.lower().replace("-", ""))
    if number is None:
        raise CdsInputError(f"-a {text[:40]!r}: not a digest type (SHA-256, SHA-384, SHA-1)")
    return number


def parse_start(text: str, *, file_mtime: int | None, now: int) -> int:
    """``-s``: YYYYMMDDHHMMSS (UTC), ``-N`` (N seconds before the dsset file's
    modification time), ``now+N`` / ``now-N``, or ISO 8601."""
    text = text.strip()
    if _STAMP.match(text):
        try:
            return int(datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=UTC).timestamp())
        except ValueError as error:
            raise CdsInputError(f"-s {text!r}: not a valid YYYYMMDDHHMMSS time") from error
    if _BEFORE_FILE.match(text):
        if file_mtime is None:
            raise CdsInputError(f"-s {text}: relative to the dsset file, and there is none")
        return file_mtime + int(text)
    relative = _NOW.match(text)
    if relative:
        return now + int(relative.group(1) or 0)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CdsInputError(
            f"-s {text[:60]!r}: want YYYYMMDDHHMMSS, -N (before the dsset file's time), "
            "now+N or ISO 8601"
        ) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _read_text(path: str | Path, what: str) -> str:
    try:
        if str(path) == "-":
            return sys.stdin.read(MAX_TEXT_FILE + 1)[:MAX_TEXT_FILE]
        return read_small(path, MAX_TEXT_FILE).decode()
    except OSError as error:
        raise CdsInputError(f"cannot read {what} {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise CdsInputError(f"{what} {path}: not a text file") from error


def _records(text: str, what: str, path: str | Path) -> list[dns.rrset.RRset]:
    try:
        return parse_records(text)
    except RecordParseError as error:
        raise CdsInputError(f"{what} {path}: {error}") from error


def dsset_file(path: Path, zone: dns.name.Name) -> Path:
    """``-d``: the file itself, or ``dsset-<zone>.`` inside a directory (as dnssec-cds)."""
    if path.is_dir():
        inside = path / f"dsset-{zone.to_text()}"
        if not inside.exists():
            raise CdsInputError(f"-d {path}: the directory has no {inside.name} file")
        return inside
    if not path.exists():
        raise CdsInputError(f"-d {path}: no such file or directory")
    return path


def read_dsset(path: Path, zone: dns.name.Name) -> tuple[tuple[DS, ...], int | None]:
    """The DS records of *zone* in a dsset file, and their TTL (None: not written)."""
    text = _read_text(path, "-d")
    rrsets = _records(text, "-d", path)
    wrong = sorted({r.name.to_text() for r in rrsets if r.name != zone})
    if wrong:
        raise CdsInputError(f"-d {path}: records for {', '.join(wrong)}, not {zone}")
    others = sorted({dns.rdatatype.to_text(r.rdtype) for r in rrsets} - {"DS"})
    if others:
        raise CdsInputError(f"-d {path}: {', '.join(others)} records in a DS set")
    ds = tuple(rd for r in rrsets for rd in r if isinstance(rd, DS))
    return ds, rrsets[0].ttl if rrsets and _explicit_ttl(text) else None


def _explicit_ttl(text: str) -> bool:
    """Whether the records carry a TTL (``owner TTL IN DS ...``); dnssec-dsfromkey writes
    none, and then neither do we unless -T says."""
    for line in text.splitlines():
        tokens = line.split(";", 1)[0].split()
        if len(tokens) > 1:
            return tokens[1].isdigit()
    return False


def read_child(path: str, zone: dns.name.Name) -> ChildData:
    text = _read_text(path, "-f")
    rrsets = _records(text, "-f", path)
    if not any(r.name == zone for r in rrsets):
        raise CdsInputError(f"-f {path}: no records at {zone}")
    return child_data(zone, rrsets)


# --------------------------------------------------------------------------- the command


def decide_offline(request: CdsRequest) -> CdsOutcome:
    """``-f`` and ``-d``: read both, decide."""
    if request.dsset is None or request.child_file is None:
        raise CdsInputError("offline use needs both -f CHILD and -d DSSET")
    path = dsset_file(request.dsset, request.zone)
    current, ttl = read_dsset(path, request.zone)
    mtime = int(path.stat().st_mtime)
    not_before = (
        parse_start(request.start, file_mtime=mtime, now=request.at)
        if request.start is not None
        else mtime
    )
    data = read_child(request.child_file, request.zone)
    decision = decide(
        request.zone, data, current, at=request.at, not_before=not_before,
        digest_types=request.digest_types, prefer_cdnskey=request.prefer_cdnskey,
    )  # fmt: skip
    return CdsOutcome(
        request.zone, decision, current, request.ttl or ttl or DEFAULT_DS_TTL, path,
        explicit_ttl=request.ttl is not None or ttl is not None, not_before=not_before,
    )  # fmt: skip


def decide_live(request: CdsRequest, options: object) -> CdsOutcome:
    """Every server of the parent-side NS set, asked by the check service; the DS set is
    ``-d``'s when given (with its replay protection), else the parent servers'."""
    from dnssec_doctor.services.cds import CdsLiveError, fetch_child_signals
    from dnssec_doctor.services.check import CheckOptions

    assert isinstance(options, CheckOptions)
    try:
        signals = fetch_child_signals(request.zone, options)
    except CdsLiveError as error:
        raise CdsInputError(str(error)) from error
    notes: list[str] = []
    path: Path | None = None
    ttl: int | None = None
    if request.dsset is not None:
        path = dsset_file(request.dsset, request.zone)
        current, ttl = read_dsset(path, request.zone)
        mtime: int | None = int(path.stat().st_mtime)
    else:
        current, mtime = signals.current_ds, None
        if len(set(signals.ds_by_server.values())) > 1:
            notes.append("the parent's servers serve different DS sets: judged against their union")
        if not signals.ds_authenticated:
            notes.append(f"the parent zone {signals.parent} is not secure from the trust anchor")
    not_before = (
        parse_start(request.start, file_mtime=mtime, now=request.at)
        if request.start is not None
        else mtime
    )
    if not_before is None:
        notes.append("no -s and no -d: no replay protection (any valid signature is accepted)")
    by_server = {a: child_data(request.zone, r) for a, r in signals.child.items()}
    if not current and request.dsset is None:
        from dnssec_doctor.services.cds import fetch_bootstrap_signals

        try:
            views = fetch_bootstrap_signals(request.zone, signals.ns_names, options)
        except CdsLiveError as error:
            raise CdsInputError(str(error)) from error
        decision = bootstrap(
            request.zone, by_server, signals.ns_names, views, at=request.at,
            digest_types=request.digest_types, prefer_cdnskey=request.prefer_cdnskey,
        ) if not signals.silent else CdsDecision(
            CdsAction.REJECT, (), f"server {', '.join(signals.silent)} did not answer"
        )  # fmt: skip
    elif signals.silent:
        decision = CdsDecision(
            CdsAction.REJECT, current,
            f"server {', '.join(signals.silent)} of the parent's NS set did not answer: "
            "the signal must be the same on every server",
        )  # fmt: skip
    else:
        decision = decide_servers(
            request.zone, by_server, current, at=request.at, not_before=not_before,
            digest_types=request.digest_types, prefer_cdnskey=request.prefer_cdnskey,
        )  # fmt: skip
    return CdsOutcome(
        request.zone, decision, current, request.ttl or ttl or DEFAULT_DS_TTL, path,
        not_before=not_before, servers=tuple(sorted(by_server)) + signals.silent, notes=notes,
    )  # fmt: skip


# --------------------------------------------------------------------------- effects


def nsupdate_script(outcome: CdsOutcome) -> str:
    """``-u``: the nsupdate commands that turn the current DS set into the new one; a
    bare ``send`` when nothing changes (as dnssec-cds), nothing when rejected."""
    decision = outcome.decision
    if decision.action is CdsAction.REJECT:
        return ""
    old = {ds_text(d): d for d in outcome.current}
    new = {ds_text(d): d for d in decision.ds}
    zone = outcome.zone.to_text()
    lines = [f"update del {zone} IN DS {t}" for t in sorted(old.keys() - new.keys())]
    lines += [f"update add {zone} {outcome.ttl} IN DS {t}" for t in sorted(new.keys() - old.keys())]
    return "\n".join([*lines, "send"]) + "\n"


def rewrite_dsset(outcome: CdsOutcome) -> None:
    """``-i``: write the new DS set over the dsset file and set its modification time to
    the newest accepted inception (when later), the next run's replay protection."""
    path = outcome.dsset_path
    decision = outcome.decision
    if path is None or decision.action is CdsAction.REJECT:
        return
    text = "\n".join(ds_lines(outcome.zone, decision.ds, outcome.line_ttl))
    before = int(path.stat().st_mtime)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text + "\n" if text else "")
        os.replace(tmp, path)
        stamp = max(before, decision.inception or before)
        os.utime(path, (stamp, stamp))
    except OSError as error:
        raise CdsInputError(f"-i: cannot rewrite {path}: {error.strerror}") from error


__all__ = [
    "CdsInputError",
    "CdsOutcome",
    "CdsRequest",
    "decide_live",
    "decide_offline",
    "nsupdate_script",
    "parse_digest",
    "parse_start",
    "rewrite_dsset",
]
