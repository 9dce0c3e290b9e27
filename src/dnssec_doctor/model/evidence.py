"""The Evidence model and its JSON file format ``dnssec-evidence/1``.

Evidence is what was asked and what came back, byte for byte (see docs/evidence.md,
"Evidence file format").  It is immutable, can be saved and loaded, and can be
replayed: :class:`Replay` answers a query the way the recorded servers did.

Loading is strict: a file that does not follow the format raises
:class:`EvidenceError` with a one-line message naming the offending field, e.g.
``exchanges[3].response: not valid base64``.  Unknown fields are ignored so the
format can grow.  Response bytes are kept as recorded; decoding them
(:meth:`Exchange.message`) raises only :class:`ResponseDecodeError`.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype

from dnssec_doctor.excerpt import bounded_excerpt
from dnssec_doctor.inputfile import MAX_EVIDENCE_FILE, read_small
from dnssec_doctor.validate.records import RecordParseError, parse_records

FORMAT = "dnssec-evidence/1"

#: Any-server wildcard in ``Exchange.server``: the exchange answers for every server.
ANY_SERVER = "*"

#: The ``error`` values the collector writes.  Readers accept any other non-empty
#: lowercase word too (the format can grow), but these are the ones with a meaning.
KNOWN_ERRORS = frozenset({"timeout", "refused", "unreachable", "malformed", "truncated", "blocked"})

#: Transports an exchange can use.
TRANSPORTS = frozenset({"udp", "tcp"})

#: What a replayed query with no recorded exchange gives (docs/evidence.md, replaying).
NO_MATCH_ERROR = "timeout"

#: Records (answer, authority and additional together) a response may hold to be read.
#: Reading costs ~0.1 ms a record (dnspython): a 52 KB referral of 2,000 NS names took
#: 0.25 s, and a server can send one for every question (500 names: 68 queries, 4.8 s of
#: CPU with every other limit in place).  Honest responses hold a few dozen (a root
#: referral with DNSSEC: 41); BIND's resolver refuses more than 100 records of one type
#: (max-records-per-type, CVE-2024-1737).  A response over it is ``malformed``, judged by
#: its header alone, live and in a replay alike; the walk names the limit.
MAX_RECORDS_PER_MESSAGE = 256


class EvidenceError(ValueError):
    """An evidence file (or dict) does not follow ``dnssec-evidence/1``.

    The message is one line and starts with the path of the offending field.
    """


class ResponseDecodeError(EvidenceError):
    """A recorded response is not a parsable DNS message (garbage bytes)."""


# --------------------------------------------------------------------------- model


class Query(NamedTuple):
    """The question the evidence was collected for (names absolute, types as text)."""

    name: str
    type: str = "A"
    rdclass: str = "IN"

    @property
    def qname(self) -> dns.name.Name:
        return dns.name.from_text(self.name)

    @property
    def rdtype(self) -> dns.rdatatype.RdataType:
        return dns.rdatatype.from_text(self.type)

    @property
    def qclass(self) -> dns.rdataclass.RdataClass:
        return dns.rdataclass.from_text(self.rdclass)


class RootHint(NamedTuple):
    """Where iteration starts: a root server name and one of its addresses."""

    name: str
    address: str


class Stub(NamedTuple):
    """A zone whose servers are given directly, as a resolver's stub-zone would."""

    zone: str
    addresses: tuple[str, ...]


class Exchange(NamedTuple):
    """One query sent to one server and what came back.

    ``response`` is the DNS message in wire format, or ``None`` when nothing usable
    came back; ``error`` then says why (see :data:`KNOWN_ERRORS`).  A response may
    also be kept together with an error (``malformed``: the bytes that arrived).
    """

    server: str
    qname: str
    qtype: str
    qclass: str = "IN"
    port: int = 53
    transport: str = "udp"
    flags: tuple[str, ...] = ()
    rtt_ms: float | None = None
    response: bytes | None = None
    error: str | None = None
    #: "NAME TYPE" of the exchange this one was derived from without asking (a shared
    #: referral: collect/shared.py); None for a question that was sent.
    derived_from: str | None = None

    def message(self) -> dns.message.Message:
        """Decode ``response``; raises :class:`ResponseDecodeError` for anything else."""
        if self.response is None:
            raise ResponseDecodeError(f"no response recorded ({self.error or 'no error'})")
        return decode_message(self.response)


class Evidence(NamedTuple):
    """Everything one probe asked and received (``dnssec-evidence/1``)."""

    at: datetime
    query: Query
    trust_anchors: tuple[str, ...] = ()
    root_hints: tuple[RootHint, ...] = ()
    stubs: tuple[Stub, ...] = ()
    exchanges: tuple[Exchange, ...] = ()

    @property
    def at_posix(self) -> int:
        """``at`` in POSIX seconds, the form the validate/ functions take."""
        return int(self.at.timestamp())


def record_count(wire: bytes) -> int:
    """The records a message's header announces (answer + authority + additional)."""
    if len(wire) < 12:
        return 0
    return sum(int.from_bytes(wire[i : i + 2], "big") for i in (6, 8, 10))


def decode_message(wire: bytes) -> dns.message.Message:
    """Parse a DNS message, turning every failure into :class:`ResponseDecodeError`.

    dnspython raises many exception types for hostile input (FormError, ShortHeader,
    ValueError, UnicodeError, ...); callers must not have to know them.  A message
    announcing more than MAX_RECORDS_PER_MESSAGE records is not parsed at all.
    """
    count = record_count(wire)
    if count > MAX_RECORDS_PER_MESSAGE:
        raise ResponseDecodeError(
            f"response: {count} records > MAX_RECORDS_PER_MESSAGE ({MAX_RECORDS_PER_MESSAGE})"
        )
    try:
        return dns.message.from_wire(wire, ignore_trailing=False, one_rr_per_rrset=False)
    except Exception as exc:  # any failure of the parser is "malformed"
        kind = type(exc).__name__
        raise ResponseDecodeError(f"response: not a DNS message ({kind})") from exc


# --------------------------------------------------------------------------- replay


class ReplayAnswer(NamedTuple):
    """What a replayed query gets: a message, or an error word (never both).

    ``exchange`` is the recorded exchange that answered, ``None`` when none matched.
    """

    message: dns.message.Message | None
    error: str | None
    exchange: Exchange | None


def _norm_address(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address.strip().lower()


def _norm_name(name: str | dns.name.Name) -> dns.name.Name:
    if isinstance(name, dns.name.Name):
        return name.canonicalize()
    return dns.name.from_text(name).canonicalize()


class Replay:
    """Answer queries from recorded evidence (docs/evidence.md, "Replaying").

    A query for (server, qname, qtype, qclass) is answered by the *first* exchange
    with the same server address (or the server ``"*"``), the same name
    (case-insensitive), type and class.  An exchange with an error gives that error;
    a response that does not decode gives ``malformed``; no match gives ``timeout``.

    One refinement of the rule: the CD flag is part of the question, because the
    resolver is asked the same name twice, with and without CD (is DNSSEC the cause?).
    A query with CD set matches only exchanges whose ``flags`` hold ``CD``, and one
    without CD only exchanges without it.
    """

    def __init__(self, evidence: Evidence | Iterable[Exchange]) -> None:
        exchanges = evidence.exchanges if isinstance(evidence, Evidence) else tuple(evidence)
        self._index: dict[tuple[str, dns.name.Name, int, int, bool], Exchange] = {}
        for ex in exchanges:
            key = (
                _norm_address(ex.server),
                _norm_name(ex.qname),
                dns.rdatatype.from_text(ex.qtype),
                dns.rdataclass.from_text(ex.qclass),
                "CD" in ex.flags,
            )
            self._index.setdefault(key, ex)  # first exchange wins

    def find(
        self,
        server: str,
        qname: str | dns.name.Name,
        qtype: str | int,
        qclass: str | int = "IN",
        cd: bool = False,
    ) -> Exchange | None:
        """The exchange that answers this query, or ``None``."""
        name = _norm_name(qname)
        rdtype = dns.rdatatype.RdataType.make(qtype)
        rdclass = dns.rdataclass.RdataClass.make(qclass)
        for srv in (_norm_address(server), ANY_SERVER):
            ex = self._index.get((srv, name, rdtype, rdclass, cd))
            if ex is not None:
                return ex
        return None

    def lookup(
        self,
        server: str,
        qname: str | dns.name.Name,
        qtype: str | int,
        qclass: str | int = "IN",
        cd: bool = False,
    ) -> ReplayAnswer:
        """Replay one query: a decoded message or an error word."""
        ex = self.find(server, qname, qtype, qclass, cd)
        if ex is None:
            return ReplayAnswer(None, NO_MATCH_ERROR, None)
        if ex.error is not None:
            return ReplayAnswer(None, ex.error, ex)
        try:
            return ReplayAnswer(ex.message(), None, ex)
        except ResponseDecodeError:
            return ReplayAnswer(None, "malformed", ex)


# --------------------------------------------------------------------------- JSON out


def _format_time(at: datetime) -> str:
    at = at.astimezone(UTC)
    if at.microsecond:
        return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_dict(evidence: Evidence) -> dict[str, Any]:
    """The JSON object for ``evidence`` (field order as in docs/evidence.md)."""
    return {
        "format": FORMAT,
        "at": _format_time(evidence.at),
        "query": {
            "name": evidence.query.name,
            "type": evidence.query.type,
            "class": evidence.query.rdclass,
        },
        "trust_anchors": list(evidence.trust_anchors),
        "root_hints": [{"name": h.name, "address": h.address} for h in evidence.root_hints],
        "stubs": [{"zone": s.zone, "addresses": list(s.addresses)} for s in evidence.stubs],
        "exchanges": [
            {
                "server": ex.server,
                "port": ex.port,
                "transport": ex.transport,
                "qname": ex.qname,
                "qtype": ex.qtype,
                "qclass": ex.qclass,
                "flags": list(ex.flags),
                "rtt_ms": ex.rtt_ms,
                "response": (
                    None if ex.response is None else base64.b64encode(ex.response).decode()
                ),
                "error": ex.error,
                **({"derived_from": ex.derived_from} if ex.derived_from is not None else {}),
            }
            for ex in evidence.exchanges
        ],
    }


def to_json(evidence: Evidence) -> str:
    return json.dumps(to_dict(evidence), indent=2) + "\n"


def save(evidence: Evidence, path: str | Path) -> None:
    Path(path).write_text(to_json(evidence), encoding="utf-8")


# --------------------------------------------------------------------------- JSON in


def _fail(where: str, why: str) -> EvidenceError:
    # why quotes the input (a 20 MB string field gave a 20 MB line): bounded.
    return EvidenceError(f"{bounded_excerpt(where)}: {bounded_excerpt(why, 300)}")


def _obj(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, f"expected an object, got {type(value).__name__}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(where, f"expected a list, got {type(value).__name__}")
    return value


def _str(obj: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    if key not in obj:
        if default is not None:
            return default
        raise _fail(f"{where}.{key}" if where else key, "missing")
    value = obj[key]
    if not isinstance(value, str) or not value:
        raise _fail(f"{where}.{key}" if where else key, "expected a non-empty string")
    return value


def _dns_name(obj: Mapping[str, Any], key: str, where: str) -> str:
    text = _str(obj, key, where)
    try:
        name = dns.name.from_text(text)
    except Exception as exc:  # dnspython raises several types here
        raise _fail(f"{where}.{key}", f"not a domain name ({type(exc).__name__})") from exc
    return name.to_text()


def _rdtype(obj: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    text = _str(obj, key, where, default)
    try:
        return dns.rdatatype.to_text(dns.rdatatype.from_text(text))
    except Exception as exc:
        raise _fail(f"{where}.{key}", f"unknown type {text!r}") from exc


def _rdclass(obj: Mapping[str, Any], key: str, where: str) -> str:
    text = _str(obj, key, where, "IN")
    try:
        return dns.rdataclass.to_text(dns.rdataclass.from_text(text))
    except Exception as exc:
        raise _fail(f"{where}.{key}", f"unknown class {text!r}") from exc


def _address(value: Any, where: str, allow_any: bool = False) -> str:
    if not isinstance(value, str):
        raise _fail(where, "expected an IP address string")
    if allow_any and value == ANY_SERVER:
        return value
    try:
        return str(ipaddress.ip_address(value))
    except ValueError as exc:
        raise _fail(where, f"not an IP address: {value!r}") from exc


#: An answer slower than a day is not an answer: larger rtt_ms values are corrupt.
MAX_RTT_MS = 86_400_000

#: Times evidence and --at may name: POSIX time on (RRSIG times count from it, RFC 4034
#: 3.1.5) to a year that leaves room for any --warn-days and every renderer.
EARLIEST_AT = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_AT = datetime(9000, 1, 1, tzinfo=UTC)


def in_time_range(at: datetime) -> bool:
    """Whether *at* (timezone-aware) lies within EARLIEST_AT..LATEST_AT."""
    return EARLIEST_AT <= at <= LATEST_AT


def _parse_at(value: Any) -> datetime:
    if not isinstance(value, str):
        raise _fail("at", "expected an ISO 8601 time string")
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise _fail("at", f"not an ISO 8601 time: {value!r}") from exc
    if at.tzinfo is None:
        raise _fail("at", "time has no timezone (use Z for UTC)")
    try:
        at = at.astimezone(UTC)
    except OverflowError as exc:  # 9999-12-31T23:59-01:00 is past the year 9999 in UTC
        raise _fail("at", f"outside {EARLIEST_AT.year}-{LATEST_AT.year}: {value!r}") from exc
    if not in_time_range(at):
        raise _fail("at", f"outside {EARLIEST_AT.year}-{LATEST_AT.year}: {value!r}")
    return at


def _parse_trust_anchor(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, "expected a DS or DNSKEY record in presentation format")
    try:
        rrsets = parse_records(value)
    except RecordParseError as exc:
        raise _fail(where, str(exc)) from exc
    if len(rrsets) != 1 or rrsets[0].rdtype not in (dns.rdatatype.DS, dns.rdatatype.DNSKEY):
        raise _fail(where, "expected one DS or DNSKEY record")
    return value


def _parse_exchange(value: Any, where: str) -> Exchange:
    obj = _obj(value, where)
    port = obj.get("port", 53)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise _fail(f"{where}.port", "expected an integer 1-65535")
    transport = _str(obj, "transport", where, "udp")
    if transport not in TRANSPORTS:
        raise _fail(f"{where}.transport", f"expected one of {sorted(TRANSPORTS)}")
    flags = obj.get("flags", [])
    for i, flag in enumerate(_list(flags, f"{where}.flags")):
        if not isinstance(flag, str) or not flag.isalnum():
            raise _fail(f"{where}.flags[{i}]", "expected a flag word such as DO")
    rtt = obj.get("rtt_ms")
    if rtt is not None and (
        not isinstance(rtt, int | float)
        or isinstance(rtt, bool)
        or not 0 <= rtt <= MAX_RTT_MS  # also NaN; a huge int never becomes a float
    ):
        raise _fail(f"{where}.rtt_ms", "expected a non-negative number or null")
    response_text = obj.get("response")
    response: bytes | None = None
    if response_text is not None:
        if not isinstance(response_text, str):
            raise _fail(f"{where}.response", "expected base64 text or null")
        try:
            response = base64.b64decode(response_text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _fail(f"{where}.response", "not valid base64") from exc
    error = obj.get("error")
    if error is not None and (
        not isinstance(error, str)
        or not error
        or not error.replace("_", "").isalpha()
        or not error.islower()
    ):
        raise _fail(f"{where}.error", "expected a lowercase word such as timeout, or null")
    if response is None and error is None:
        raise _fail(where, "neither a response nor an error")
    derived = obj.get("derived_from")
    if derived is not None and (not isinstance(derived, str) or len(derived) > 300):
        raise _fail(f"{where}.derived_from", "expected NAME TYPE or null")
    return Exchange(
        server=_address(obj.get("server"), f"{where}.server", allow_any=True),
        port=port,
        transport=transport,
        qname=_dns_name(obj, "qname", where),
        qtype=_rdtype(obj, "qtype", where),
        qclass=_rdclass(obj, "qclass", where),
        flags=tuple(str(f).upper() for f in flags),
        rtt_ms=None if rtt is None else float(rtt),
        response=response,
        error=error,
        derived_from=derived,
    )


def from_dict(data: Any) -> Evidence:
    """Build :class:`Evidence` from a decoded JSON object, validating strictly."""
    obj = _obj(data, "evidence")
    fmt = obj.get("format")
    if fmt != FORMAT:
        raise _fail("format", f"expected {FORMAT!r}, got {fmt!r}")
    if "at" not in obj:
        raise _fail("at", "missing")
    at = _parse_at(obj["at"])
    if "query" not in obj:
        raise _fail("query", "missing")
    q = _obj(obj["query"], "query")
    query = Query(
        name=_dns_name(q, "name", "query"),
        type=_rdtype(q, "type", "query", "A"),
        rdclass=_rdclass(q, "class", "query"),
    )
    anchors = tuple(
        _parse_trust_anchor(v, f"trust_anchors[{i}]")
        for i, v in enumerate(_list(obj.get("trust_anchors", []), "trust_anchors"))
    )
    hints = []
    for i, v in enumerate(_list(obj.get("root_hints", []), "root_hints")):
        where = f"root_hints[{i}]"
        h = _obj(v, where)
        hints.append(
            RootHint(_dns_name(h, "name", where), _address(h.get("address"), f"{where}.address"))
        )
    stubs = []
    for i, v in enumerate(_list(obj.get("stubs", []), "stubs")):
        where = f"stubs[{i}]"
        s = _obj(v, where)
        addrs = _list(s.get("addresses"), f"{where}.addresses")
        if not addrs:
            raise _fail(f"{where}.addresses", "empty")
        stubs.append(
            Stub(
                _dns_name(s, "zone", where),
                tuple(_address(a, f"{where}.addresses[{j}]") for j, a in enumerate(addrs)),
            )
        )
    exchanges = tuple(
        _parse_exchange(v, f"exchanges[{i}]")
        for i, v in enumerate(_list(obj.get("exchanges", []), "exchanges"))
    )
    return Evidence(at, query, anchors, tuple(hints), tuple(stubs), exchanges)


def from_json(text: str | bytes) -> Evidence:
    """Parse ``dnssec-evidence/1`` JSON text; raises :class:`EvidenceError`."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        where = f"line {line}" if line else "file"
        raise _fail("evidence", f"not JSON ({where})") from exc
    except RecursionError as exc:
        raise _fail("evidence", "JSON nested too deeply") from exc
    return from_dict(data)


def load(path: str | Path) -> Evidence:
    """Read an evidence file; raises :class:`EvidenceError` for corrupt files."""
    try:
        raw = read_small(path, MAX_EVIDENCE_FILE)
    except OSError as exc:
        raise EvidenceError(f"cannot read ({exc.strerror})") from exc
    return from_json(raw)


__all__ = [
    "ANY_SERVER",
    "FORMAT",
    "KNOWN_ERRORS",
    "Evidence",
    "EvidenceError",
    "Exchange",
    "Query",
    "Replay",
    "ReplayAnswer",
    "ResponseDecodeError",
    "RootHint",
    "Stub",
    "decode_message",
    "from_dict",
    "from_json",
    "load",
    "save",
    "to_dict",
    "to_json",
]
