"""A fast reader for signed zone files in presentation format (RFC 1035 section 5).

dnspython's zone parser builds a Python object per token, name and rdata; on a
1.4M-line signed zone that alone takes longer than BIND's whole dnssec-verify run.
This reader streams `Record`s in canonical wire form (RFC 4034 section 6.2) and
parses the types that make up the bulk of a signed zone itself. It follows
dnspython's reading rules (TTL defaults, class/TTL order, tokenizing) so that the
two agree record for record; dnspython stays the reference:

* every type without a hand-written parser goes to `dns.rdata.from_text`;
* a hand-written parser that meets anything unusual (escapes, quoted strings
  where none belong, mnemonics, out-of-range values, odd encodings) does not
  judge it: it raises, and the record is re-parsed by dnspython, which either
  accepts it or names the error. So the fast path can only be fast, never
  differently strict.

Known, deliberate differences from `dns.zone.from_file` (see the tests):

* records whose owner is outside the origin are yielded, not silently dropped;
* absolute owners need no origin (dnspython raises UnknownOrigin before the
  first $ORIGIN even for them; signers write no $ORIGIN);
* `$INCLUDE` paths are relative to the including file (as in BIND), not to the
  working directory, and nesting is limited to `MAX_INCLUDE_DEPTH`;
* `$GENERATE` and `$UNICODE` are rejected (signers never write them);
* a backslash-newline, or a bare CR, inside a quoted string ends the line and
  is an error (dnspython keeps them in the string);
* an error in RDATA is reported at the record's first line (dnspython: the line
  its tokenizer has reached, often the record's last);
* records are yielded one by one in file order, never merged into RRsets, so
  duplicates and per-record TTLs survive.
"""

from __future__ import annotations

import binascii
import datetime
import os
import re
import socket
import stat
import struct
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import NamedTuple, Protocol, TypeVar

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.tokenizer
import dns.ttl

from dnssec_doctor.excerpt import bounded_excerpt

__all__ = [
    "MAX_INCLUDE_DEPTH",
    "MAX_LOGICAL_LINE",
    "MAX_NAME_TEXT",
    "MAX_RDATA",
    "MAX_STRING",
    "Record",
    "TextSource",
    "ZoneSyntaxError",
    "c_reader_enabled",
    "read_records",
]

MAX_INCLUDE_DEPTH = 16
#: RFC 1035 3.2.1: RDLENGTH is a 16-bit count of octets.
MAX_RDATA = 0xFFFF
#: RFC 1035 3.3: a <character-string> is a length octet and at most 255 octets.
MAX_STRING = 255
#: The characters of one record's text at most: its lines (those a parenthesis joins
#: included), comments included, line ends not.  The largest RDATA (65,535 octets)
#: written as \DDD escapes is 262,140 characters; a line beyond this is refused as
#: soon as it is read, so memory stays bounded whatever the input (docs/limits.md).
#: ``_czone.h`` has the same number (tests/unit/test_zonefile_limits.py).
MAX_LOGICAL_LINE = 1 << 20
#: A name token longer than this cannot fit in 255 octets (RFC 1035 2.3.4): a wire
#: octet is at most 4 characters of text (\DDD).  Such a token is refused before it is
#: parsed (dnspython would build it label by label first).
MAX_NAME_TEXT = 4 * 255
#: Likewise a string token longer than this cannot be a <character-string>.
_MAX_STRING_TEXT = 4 * MAX_STRING
#: Characters read from a stream at a time (at most MAX_LOGICAL_LINE: see _blocks).
_BLOCK = 1 << 20


class TextStream(Protocol):
    """What the reader needs of a stream: blocks of text (an open text file,
    io.StringIO, :class:`TextSource`)."""

    def read(self, size: int = -1, /) -> str: ...


class Record(NamedTuple):
    """One resource record. A NamedTuple, not a dataclass: creating one per record
    of a million-record zone is measurably cheaper."""

    owner: bytes  # canonical (lower-case) uncompressed absolute wire form
    ttl: int
    rdtype: int
    rdata: bytes  # canonical RDATA wire form (RFC 4034 section 6.2)
    line: int  # 1-based line where the record starts


def _load_czone() -> ModuleType | None:
    """The optional C extension (``_czone.c``), configured with dnspython's type and
    class words; None when it is not built or DNSSEC_DOCTOR_PURE_PYTHON is set."""
    if os.environ.get("DNSSEC_DOCTOR_PURE_PYTHON"):
        return None
    try:
        from dnssec_doctor.zonefile import _czone
    except ImportError:
        return None
    types = []
    for word, value in dns.rdatatype.RdataType.__members__.items():
        # only words dnspython itself reads as that type; anything else C defers
        try:
            if int(dns.rdatatype.from_text(word)) == int(value) and value:
                types.append((word, int(value)))
        except Exception:
            continue
    classes = [w for w in dns.rdataclass.RdataClass.__members__ if w != "IN"]
    _czone.configure(Record, types, classes)
    return _czone


class ZoneSyntaxError(ValueError):
    """A zone file that cannot be read; str() is one line, FILE:LINE: message."""

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path = path
        self.line = line
        # Every quote of the input is bounded; this bounds what is left (dnspython's own).
        self.message = bounded_excerpt(" ".join(message.split()), 400) or "syntax error"
        super().__init__(f"{bounded_excerpt(path)}:{line}: {self.message}")


class _Fallback(Exception):
    """The fast path declines; dnspython decides."""


class _Refused(Exception):
    """The record breaks a limit that no reading could meet (a name over 255 octets,
    a string over 255): refused at once, without dnspython's slower reading."""


#: The C reader, when built: it reads the plain records and hands every other
#: one (errors included) back to the Python code below, record by record.
_CZONE = _load_czone()


def c_reader_enabled() -> bool:
    """Whether the C extension reads the plain records (``stats`` and the tests)."""
    return _CZONE is not None


# A line that is ASCII without quotes and backslashes can be split with
# str.split(), unless it holds a character str.split() takes for whitespace and
# dnspython does not (_SPLIT_SPACE, looked for per 1 MiB block; in such a block
# each line is checked against _NOT_PLAIN). Other lines take the slow path.
_NOT_PLAIN = re.compile(r'[^\t\n\x20-\x7e]|["\\]')
_SPLIT_SPACE = "\x0b\x0c\x1c\x1d\x1e\x1f"
_HEX_COLON = re.compile(r"[0-9A-Fa-f:]+")
_B32HEX = re.compile(r"[0-9A-Va-v]+")
_IN = dns.rdataclass.IN
_SOA = int(dns.rdatatype.SOA)
_MAX_NAME_CACHE = 200_000
_DS_DIGEST_LENGTH = {1: 20, 2: 32, 3: 32, 4: 48}


def _uint(text: str, limit: int) -> int:
    # ASCII digits only: str.isdigit() also accepts other scripts' digits.
    if not (text.isascii() and text.isdigit()):
        raise _Fallback
    value = int(text)
    if value > limit:
        raise _Fallback
    return value


#: Entries per memo below: a zone repeats a few TTLs, types, times and bitmaps; a
#: hostile one cannot make the memos grow without bound.
_MEMO_SIZE = 10_000
_V = TypeVar("_V")
_Scan = Callable[
    [list[str], int, int, bytes | None, bytes | None, int, bool, int, bool, bool],
    tuple[Sequence[tuple[bytes, int, int, bytes, int]], int, int, bytes | None, int, bool],
]


def _remember(memo: dict[str, _V], key: str, value: _V) -> _V:
    if len(memo) < _MEMO_SIZE:
        memo[key] = value
    return value


_TTL_CACHE: dict[str, int | None] = {}


def _ttl(text: str) -> int | None:
    """dns.ttl.from_text, memoized; None where it raises BadTTL."""
    if text in _TTL_CACHE:
        return _TTL_CACHE[text]
    try:
        value: int | None = dns.ttl.from_text(text)
    except dns.ttl.BadTTL:
        value = None
    return _remember(_TTL_CACHE, text, value)


_TYPE_CACHE: dict[str, int | None] = {}


def _rdtype(text: str) -> int | None:
    if text in _TYPE_CACHE:
        return _TYPE_CACHE[text]
    try:
        value: int | None = int(dns.rdatatype.from_text(text))
    except Exception:
        value = None
    return _remember(_TYPE_CACHE, text, value)


_CLASS_CACHE: dict[str, int | None] = {}


def _rdclass(text: str) -> int | None:
    """The class a token names, or None when it is not a class (as dnspython)."""
    if text in _CLASS_CACHE:
        return _CLASS_CACHE[text]
    try:
        value: int | None = int(dns.rdataclass.from_text(text))
    except dns.exception.SyntaxError:
        raise
    except Exception:
        value = None
    return _remember(_CLASS_CACHE, text, value)


_SIGTIME_CACHE: dict[str, int] = {}


def _sigtime(text: str) -> int:
    """RRSIG time as dnspython's sigtime_to_posixtime, memoized: a signer uses few."""
    if text in _SIGTIME_CACHE:
        return _SIGTIME_CACHE[text]
    if not (text.isascii() and text.isdigit()):
        raise _Fallback
    if len(text) <= 10:
        value = int(text)
    elif len(text) == 14:
        value = int(
            datetime.datetime(
                int(text[0:4]),
                int(text[4:6]),
                int(text[6:8]),
                int(text[8:10]),
                int(text[10:12]),
                int(text[12:14]),
                tzinfo=datetime.UTC,
            ).timestamp()
        )
    else:
        raise _Fallback
    if value > 0xFFFFFFFF:
        raise _Fallback
    return _remember(_SIGTIME_CACHE, text, value)


_BITMAP_CACHE: dict[str, bytes] = {}


def _bitmap(tokens: list[str]) -> bytes:
    """NSEC/NSEC3 type bitmap (RFC 4034 section 4.1.2), memoized on its text:
    a zone has few distinct type sets."""
    key = " ".join(tokens)
    if key in _BITMAP_CACHE:
        return _BITMAP_CACHE[key]
    types = set()
    for token in tokens:
        value = _rdtype(token)
        if not value:  # unknown, or type 0 (dnspython rejects it)
            raise _Fallback
        types.add(value)
    windows: dict[int, bytearray] = {}
    for value in sorted(types):
        octets = windows.setdefault(value >> 8, bytearray())
        offset = (value & 0xFF) >> 3
        if len(octets) <= offset:
            octets.extend(bytes(offset + 1 - len(octets)))
        octets[offset] |= 0x80 >> (value & 7)
    return _remember(
        _BITMAP_CACHE, key, b"".join(bytes((w, len(o))) + o for w, o in windows.items())
    )


def _relative_wire(text: str) -> bytes:
    """Wire form of an ASCII name without escapes, without the trailing root."""
    out = bytearray()
    for label in text.encode("ascii").split(b"."):
        n = len(label)
        if n == 0 or n > 63:
            raise _Fallback
        out.append(n)
        out += label
    return bytes(out)


class _Reader:
    def __init__(self, default_ttl: int | None) -> None:
        self.origin_name: dns.name.Name | None = None
        self.origin: bytes | None = None  # case preserved: relative NSEC next names use it
        self.last_owner: bytes | None = None
        self.last_ttl = 0
        self.last_ttl_known = False
        self.default_ttl = default_ttl or 0
        self.default_ttl_known = default_ttl is not None
        self.default_ttl_from_soa = False
        self.names: dict[str, bytes] = {}  # lower-cased names for the current origin
        self.path = "<input>"
        self.raw: list[str] = []  # the lines of the last record tokenized slowly
        self.dirty = False  # the current block has characters str.split() treats as space
        self.lineno = 0
        self.record_line = 0
        self.depth = 0

    # --- names -------------------------------------------------------------

    def set_origin(self, origin: dns.name.Name | None) -> None:
        self.origin_name = origin
        self.origin = None if origin is None else origin.to_wire() or b""
        self.names = {}

    def name(self, text: str) -> bytes:
        """Absolute wire form of a name token, case preserved, as dns.name.from_text."""
        if len(text) > MAX_NAME_TEXT:
            raise _Refused(f"name longer than 255 octets: {bounded_excerpt(text)!r}")
        if text.isascii() and "\\" not in text:
            if text == "@":
                if self.origin is None:
                    raise _Fallback
                return self.origin
            if text == ".":
                return b"\x00"
            if text.endswith("."):
                wire = _relative_wire(text[:-1]) + b"\x00"
            elif self.origin is None:
                raise _Fallback
            else:
                wire = _relative_wire(text) + self.origin
            if len(wire) > 255:
                raise _Fallback
            return wire
        # escapes or non-ASCII (IDNA): dnspython's rules, exactly
        parsed = dns.name.from_text(text, self.origin_name)
        if not parsed.is_absolute():
            raise _Fallback
        return parsed.to_wire() or b""  # typed Optional; None only when given a file

    def lname(self, text: str) -> bytes:
        """Canonical (lower-case) wire form, memoized: owners and signers repeat."""
        try:
            return self.names[text]
        except KeyError:
            pass
        wire = self.name(text).lower()  # length octets are < 64, never letters
        if len(self.names) >= _MAX_NAME_CACHE:
            self.names.clear()
        self.names[text] = wire
        return wire

    # --- rdata -------------------------------------------------------------

    def rdata_fast(self, rdtype: int, t: list[str]) -> bytes:
        """Canonical RDATA for the bulk types of a signed zone; raises on anything
        this parser does not vouch for, and the caller asks dnspython instead."""
        if rdtype == 46:  # RRSIG
            covered = _TYPE_CACHE.get(t[0]) or _rdtype(t[0])
            # the signature, key and digest must have a token (dnspython's
            # concatenate_remaining_identifiers)
            if covered is None or len(t) < 9:
                raise _Fallback
            a, b, c, d = t[1], t[2], t[3], t[6]
            # ASCII is known here; struct.pack enforces each field's range
            if not (a.isdigit() and b.isdigit() and c.isdigit() and d.isdigit()):
                raise _Fallback
            header = struct.pack(
                "!HBBIIIH",
                covered,
                int(a),
                int(b),
                int(c),
                _SIGTIME_CACHE.get(t[4]) or _sigtime(t[4]),
                _SIGTIME_CACHE.get(t[5]) or _sigtime(t[5]),
                int(d),
            )
            sig = binascii.a2b_base64("".join(t[8:]).encode(), strict_mode=True)
            return header + (self.names.get(t[7]) or self.lname(t[7])) + sig
        if rdtype == 50:  # NSEC3
            if len(t) < 5:
                raise _Fallback
            nxt = t[4]
            if len(nxt) % 8 or not _B32HEX.fullmatch(nxt):
                raise _Fallback  # padding and canonical-bits rules: dnspython's
            hashed = int(nxt, 32).to_bytes(len(nxt) * 5 // 8, "big")
            salt = b"" if t[3] == "-" else binascii.unhexlify(t[3].encode())
            if len(salt) > 255 or len(hashed) > 255:
                raise _Fallback
            return (
                struct.pack(
                    "!BBHB", _uint(t[0], 255), _uint(t[1], 255), _uint(t[2], 0xFFFF), len(salt)
                )
                + salt
                + bytes((len(hashed),))
                + hashed
                + _bitmap(t[5:])
            )
        if rdtype == 1:  # A
            if len(t) != 1:
                raise _Fallback
            return socket.inet_pton(socket.AF_INET, t[0])  # as strict as dnspython
        if rdtype == 47:  # NSEC: next name is not lower-cased (RFC 6840 section 5.1)
            if not t:
                raise _Fallback
            return self.name(t[0]) + _bitmap(t[1:])
        if rdtype == 48 or rdtype == 60:  # DNSKEY, CDNSKEY
            if len(t) < 4:
                raise _Fallback
            a, b, c = t[0], t[1], t[2]
            if not (a.isdigit() and b.isdigit() and c.isdigit()):
                raise _Fallback
            return struct.pack("!HBB", int(a), int(b), int(c)) + binascii.a2b_base64(
                "".join(t[3:]).encode(), strict_mode=True
            )
        if rdtype == 43 or rdtype == 59:  # DS, CDS
            if len(t) < 4:
                raise _Fallback
            digest_type = _uint(t[2], 255)
            digest = binascii.unhexlify("".join(t[3:]).encode())
            if _DS_DIGEST_LENGTH.get(digest_type, len(digest)) != len(digest) or not digest_type:
                raise _Fallback
            return struct.pack("!HBB", _uint(t[0], 0xFFFF), _uint(t[1], 255), digest_type) + digest
        if rdtype in (2, 5, 12, 39):  # NS, CNAME, PTR, DNAME
            if len(t) != 1:
                raise _Fallback
            return self.lname(t[0])
        if rdtype == 28:  # AAAA
            if len(t) != 1:
                raise _Fallback
            if _HEX_COLON.fullmatch(t[0]) is None:
                raise _Fallback  # embedded IPv4 and the like: dnspython's rules
            return socket.inet_pton(socket.AF_INET6, t[0])
        if rdtype == 15:  # MX
            if len(t) != 2:
                raise _Fallback
            return struct.pack("!H", _uint(t[0], 0xFFFF)) + self.lname(t[1])
        if rdtype == 6:  # SOA
            if len(t) != 7:
                raise _Fallback
            times = [_ttl(x) for x in t[3:]]
            if None in times:
                raise _Fallback
            return (
                self.lname(t[0])
                + self.lname(t[1])
                + struct.pack("!IIIII", _uint(t[2], 0xFFFFFFFF), *times)
            )
        if rdtype == 16 or rdtype == 99:  # TXT, SPF
            if not t:
                raise _Fallback
            out = bytearray()
            for string in t:
                data = string.encode()
                if len(data) > MAX_STRING:  # ASCII without escapes: dnspython's error
                    raise _Refused("string too long")
                out.append(len(data))
                out += data
            return bytes(out)
        if rdtype == 51:  # NSEC3PARAM
            if len(t) != 4:
                raise _Fallback
            salt = b"" if t[3] == "-" else binascii.unhexlify(t[3].encode())
            if len(salt) > 255:
                raise _Fallback
            return (
                struct.pack(
                    "!BBHB", _uint(t[0], 255), _uint(t[1], 255), _uint(t[2], 0xFFFF), len(salt)
                )
                + salt
            )
        raise _Fallback

    def rdata_dnspython(self, rdtype: int, tokens: list[str], skip: int | None) -> bytes:
        """RDATA as dnspython reads it. Without quotes, re-joined tokens split the
        same way; with quotes, adjacency matters (SVCB's key="value"), so the
        record's raw text is tokenized again and its first *skip* tokens dropped."""
        try:
            if skip is None:
                tok = dns.tokenizer.Tokenizer(" ".join(tokens))
            else:
                tok = dns.tokenizer.Tokenizer("".join(x.rstrip("\n") + "\n" for x in self.raw))
                for _ in range(skip):
                    tok.get()
            rd = dns.rdata.from_text(
                _IN, dns.rdatatype.RdataType.make(rdtype), tok, self.origin_name, relativize=False
            )
            return rd.to_digestable(self.origin_name)
        except Exception as exc:  # dnspython reports rdata errors as many types
            raise ZoneSyntaxError(self.path, self.record_line, _message(exc)) from None

    # --- records -----------------------------------------------------------

    def implicit_ttl(self) -> int | None:
        # dnspython's rule (rfc2308_ttl): $TTL wins; a default derived from the SOA
        # MINIMUM loses to the last explicit TTL (RFC 2308 section 4).
        if self.last_ttl_known and (not self.default_ttl_known or self.default_ttl_from_soa):
            return self.last_ttl
        if self.default_ttl_known:
            return self.default_ttl
        return None

    def record(
        self, tokens: list[str], quoted: list[bool] | None, leading: bool, line: int
    ) -> Record:
        try:
            if leading:
                owner = self.last_owner
                if owner is None:
                    raise self.error(line, "unknown origin")
                i = 0
            else:
                if self.origin is None and not tokens[0].endswith("."):
                    raise self.error(line, "unknown origin")
                try:
                    owner = self.lname(tokens[0])
                except (_Fallback, _Refused):
                    raise self.error(
                        line, f"bad owner name {bounded_excerpt(tokens[0])!r}"
                    ) from None
                except Exception as exc:  # dnspython's name errors (IDNA among them)
                    raise self.error(line, _message(exc)) from None
                self.last_owner = owner
                i = 1
            word = tokens[i]
            # the caches inline: this runs for every record
            ttl = _TTL_CACHE[word] if word in _TTL_CACHE else _ttl(word)
            if ttl is not None:
                self.last_ttl = ttl
                self.last_ttl_known = True
                i += 1
                word = tokens[i]
            try:
                rdclass = _CLASS_CACHE[word] if word in _CLASS_CACHE else _rdclass(word)
            except dns.exception.SyntaxError as exc:
                raise self.error(line, _message(exc)) from None
            if rdclass is not None:
                if rdclass != _IN:
                    raise self.error(line, "RR class is not zone's class")
                i += 1
            if ttl is None:
                ttl = _ttl(tokens[i])
                if ttl is not None:
                    self.last_ttl = ttl
                    self.last_ttl_known = True
                    i += 1
                else:
                    ttl = self.implicit_ttl()
            rdtype = _TYPE_CACHE.get(tokens[i]) or _rdtype(tokens[i])
            if rdtype is None:
                raise self.error(line, f"unknown rdatatype '{bounded_excerpt(tokens[i])}'")
            i += 1
        except IndexError:
            raise self.error(line, "unexpected end of input") from None
        if quoted is not None and any(quoted[:i]):
            # dnspython wants identifiers up to the type; only rdata may be quoted
            raise self.error(line, "expecting an identifier")
        rdtokens = tokens[i:]
        self.record_line = line  # RDATA errors name the record's first line
        skip = None if quoted is None else i
        try:
            if quoted is None or (
                (rdtype == 16 or rdtype == 99 or not any(quoted[i:]))
                and all(s.isascii() and "\\" not in s for s in rdtokens)
            ):
                if rdtokens and rdtokens[0] == "\\#":
                    rdata = self.rdata_dnspython(rdtype, rdtokens, skip)
                else:
                    try:
                        rdata = self.rdata_fast(rdtype, rdtokens)
                    except (_Fallback, ValueError, TypeError, IndexError, OSError, struct.error):
                        rdata = self.rdata_dnspython(rdtype, rdtokens, skip)
                    except dns.exception.DNSException:  # e.g. a bad address
                        rdata = self.rdata_dnspython(rdtype, rdtokens, skip)
            else:
                if (rdtype == 16 or rdtype == 99) and any(
                    len(s) > _MAX_STRING_TEXT for s in rdtokens
                ):
                    raise _Refused("string too long")  # before dnspython reads them all
                rdata = self.rdata_dnspython(rdtype, rdtokens, skip)
        except _Refused as exc:
            raise self.error(line, str(exc)) from None
        if rdtype == _SOA and not self.default_ttl_known:
            # before $TTL (RFC 2308), the SOA MINIMUM was the zone's default TTL
            self.default_ttl = struct.unpack("!I", rdata[-4:])[0]
            self.default_ttl_known = True
            self.default_ttl_from_soa = True
            if ttl is None:
                ttl = self.implicit_ttl()
        if ttl is None:
            raise self.error(line, "Missing default TTL value")
        if len(rdata) > MAX_RDATA:  # RDLENGTH is 16 bits: no server could send it
            raise self.error(line, f"RDATA of {len(rdata)} octets, more than {MAX_RDATA}")
        return Record(owner, ttl, rdtype, rdata, line)

    def error(self, line: int, message: str) -> ZoneSyntaxError:
        return ZoneSyntaxError(self.path, line, message)

    def too_long(self, line: int, text: str) -> ZoneSyntaxError:
        """The error for a record whose text (starting with *text*) is longer than
        MAX_LOGICAL_LINE characters."""
        return self.error(
            line,
            f"record text longer than {MAX_LOGICAL_LINE} characters "
            f"(MAX_LOGICAL_LINE), starting {text[:40]!r}",
        )

    # --- files -------------------------------------------------------------

    def read(self, stream: TextStream, path: str) -> Iterator[Record]:
        if _CZONE is not None:
            yield from self.read_c(stream, path, _CZONE.scan)
            return
        saved = self.path, self.lineno, self.dirty
        self.path = path
        self.lineno = 0
        lines = _lines(stream, self)
        record = self.record
        try:
            for line in lines:
                self.lineno += 1
                start = self.lineno
                tokens, quoted = self.tokens(line, lines, start)
                if not tokens:
                    continue
                leading = line[0] == " " or line[0] == "\t"
                if tokens[0].startswith("$") and not leading and (quoted is None or not quoted[0]):
                    yield from self.directive(tokens, quoted, start, path)
                    continue
                yield record(tokens, quoted, leading, start)
        except UnicodeDecodeError:
            raise self.error(self.lineno + 1, "not UTF-8 text") from None
        self.path, self.lineno, self.dirty = saved

    def read_c(self, stream: TextStream, path: str, scan: _Scan) -> Iterator[Record]:
        """read() with the C extension: it reads runs of plain records from the
        current block of lines; each record it declines is read here, as read()
        would, and the C reader goes on after it."""
        saved = self.path, self.lineno, self.dirty
        self.path = path
        self.lineno = 0
        lines = _Lines(stream, self)
        try:
            while True:
                block = lines.block
                if lines.pos >= len(block):
                    if not lines.refill():
                        break
                    continue
                records, lines.pos, self.lineno, self.last_owner, self.last_ttl, known = scan(
                    block,
                    lines.pos,
                    self.lineno,
                    self.origin,
                    self.last_owner,
                    self.last_ttl,
                    self.last_ttl_known,
                    self.default_ttl,
                    self.default_ttl_known,
                    self.default_ttl_from_soa,
                )
                self.last_ttl_known = known
                if records:
                    yield from records  # type: ignore[misc]  # they are Records
                if lines.pos >= len(block):
                    continue
                line = next(lines)
                self.lineno += 1
                start = self.lineno
                tokens, quoted = self.tokens(line, lines, start)
                if not tokens:
                    continue
                leading = line[0] == " " or line[0] == "\t"
                if tokens[0].startswith("$") and not leading and (quoted is None or not quoted[0]):
                    yield from self.directive(tokens, quoted, start, path)
                    continue
                yield self.record(tokens, quoted, leading, start)
        except UnicodeDecodeError:
            raise self.error(self.lineno + 1, "not UTF-8 text") from None
        self.path, self.lineno, self.dirty = saved

    def tokens(
        self, line: str, lines: Iterator[str], start: int
    ) -> tuple[list[str], list[bool] | None]:
        """The tokens of the record starting with *line*: split directly when the line
        is plain, else by :meth:`slow`."""
        if self.plain(line):
            semi = line.find(";")
            text = line if semi < 0 else line[:semi]
            if "(" in text or ")" in text:
                return self.plain_parens(text, line, lines, start)
            return text.split(), None
        return self.slow([line], lines, start)

    def plain(self, line: str) -> bool:
        """ASCII without quotes or escapes, and no whitespace that str.split() and
        dnspython tell apart: str.split() reads it as dnspython would."""
        return (
            line.isascii()
            and '"' not in line
            and "\\" not in line
            and (not self.dirty or _NOT_PLAIN.search(line) is None)
        )

    def plain_parens(
        self, text: str, first: str, lines: Iterator[str], start: int
    ) -> tuple[list[str], list[bool] | None]:
        """Tokens of a plain record that spans lines in parentheses, as signers
        write SOA, RRSIG and DNSKEY records: lines are collected, then split once."""
        depth = self.parens(text, 0)
        parts = [text]
        raw = [first]
        size = len(first)
        while depth:
            try:
                line = next(lines)
            except StopIteration:
                raise self.error(start, "unbalanced parentheses") from None
            self.lineno += 1
            raw.append(line)
            size += len(line)
            if size > MAX_LOGICAL_LINE:
                raise self.too_long(start, first)
            if not self.plain(line):
                # quotes or escapes inside: tokenize the whole record again slowly
                return self.slow(raw, lines, start)
            if ";" not in line and ")" not in line and "(" not in line:
                parts.append(line)  # the common continuation: base64 or fields only
                continue
            semi = line.find(";")
            text = line if semi < 0 else line[:semi]
            parts.append(text)
            if "(" in text or ")" in text:
                depth = self.parens(text, depth)
        return " ".join(parts).replace("(", " ").replace(")", " ").split(), None

    def parens(self, text: str, depth: int) -> int:
        """The parenthesis depth after *text*; an unmatched ')' is an error."""
        if ")" not in text:
            return depth + text.count("(")
        if "(" not in text:
            depth -= text.count(")")
        else:
            for c in text:
                if c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                    if depth < 0:
                        break
        if depth < 0:
            raise self.error(self.lineno, "unbalanced parentheses")
        return depth

    def slow(
        self, pending: list[str], lines: Iterator[str], start: int
    ) -> tuple[list[str], list[bool]]:
        """dnspython's tokenizer rules, character by character, for records with
        quotes, escapes or unusual characters. *pending* holds the record's lines
        already read (their count is in self.lineno); more come from *lines*."""
        tokens: list[str] = []
        quoted: list[bool] = []
        depth = 0
        token: list[str] = []
        have = False
        cur = start
        line = pending[0]
        taken = 1
        self.raw = raw = [line]
        size = len(line)
        if line.endswith("\n"):
            line = line[:-1]
        i = 0
        n = len(line)
        while True:
            if i >= n:  # end of line
                if have:
                    tokens.append("".join(token))
                    quoted.append(False)
                    token, have = [], False
                if depth == 0:
                    return tokens, quoted
                if taken < len(pending):
                    line = pending[taken]
                    taken += 1
                else:
                    try:
                        line = next(lines)
                    except StopIteration:
                        raise self.error(start, "unbalanced parentheses") from None
                    self.lineno += 1
                cur += 1
                raw.append(line)
                size += len(line)
                if size > MAX_LOGICAL_LINE:
                    raise self.too_long(start, pending[0])
                if line.endswith("\n"):
                    line = line[:-1]
                i, n = 0, len(line)
                continue
            c = line[i]
            i += 1
            if c in ' \t;()"':
                if have:
                    tokens.append("".join(token))
                    quoted.append(False)
                    token, have = [], False
                if c == ";":
                    i = n
                elif c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                    if depth < 0:
                        raise self.error(cur, "unbalanced parentheses")
                elif c == '"':
                    # the closing quote: the first one no backslash escapes (found
                    # by str.find: a string may be long)
                    j = i
                    while True:
                        q = line.find('"', j)
                        b = line.find("\\", j, n if q < 0 else q)
                        if b < 0:
                            if q < 0:
                                raise self.error(cur, "newline in quoted string")
                            j = q
                            break
                        if b + 1 >= n:
                            raise self.error(cur, "newline in quoted string")
                        j = b + 2
                    tokens.append(line[i:j])
                    quoted.append(True)
                    i = j + 1
            elif c == "\\":
                if i >= n:
                    raise self.error(cur, "unexpected end of input")
                token.append(line[i - 1 : i + 1])
                have = True
                i += 1
            else:
                token.append(c)
                have = True

    def directive(
        self, tokens: list[str], quoted: list[bool] | None, line: int, path: str
    ) -> Iterator[Record]:
        word = tokens[0].upper()
        if word == "$TTL":
            if len(tokens) != 2 or (quoted is not None and quoted[1]):
                raise self.error(line, "bad $TTL")
            ttl = _ttl(tokens[1])
            if ttl is None:
                raise self.error(line, f"bad TTL {bounded_excerpt(tokens[1])!r}")
            self.default_ttl = ttl
            self.default_ttl_known = True
            self.default_ttl_from_soa = False
        elif word == "$ORIGIN":
            if len(tokens) != 2 or (quoted is not None and quoted[1]):
                raise self.error(line, "bad $ORIGIN")
            origin = self.parse_name(tokens[1], line)
            if not origin.is_absolute():
                raise self.error(line, "unknown origin")
            self.set_origin(origin)
        elif word == "$INCLUDE":
            if len(tokens) not in (2, 3) or (quoted is not None and any(quoted[2:])):
                raise self.error(line, "bad $INCLUDE")
            if self.depth >= MAX_INCLUDE_DEPTH:
                raise self.error(line, f"$INCLUDE nested deeper than {MAX_INCLUDE_DEPTH}")
            new_origin = self.parse_name(tokens[2], line) if len(tokens) == 3 else self.origin_name
            target = os.path.join(os.path.dirname(path), tokens[1])
            saved = (
                self.origin_name,
                self.last_owner,
                self.last_ttl,
                self.last_ttl_known,
                self.default_ttl,
                self.default_ttl_known,
                self.default_ttl_from_soa,
            )
            self.set_origin(new_origin)
            self.depth += 1
            try:
                if not stat.S_ISREG(os.stat(target).st_mode):
                    raise self.error(line, f"$INCLUDE {tokens[1]}: not a regular file")
                with open(target, encoding="utf-8") as f:
                    yield from self.read(f, target)
            except OSError as exc:
                raise self.error(line, f"$INCLUDE {tokens[1]}: {exc.strerror}") from None
            self.depth -= 1
            self.set_origin(saved[0])
            (
                _,
                self.last_owner,
                self.last_ttl,
                self.last_ttl_known,
                self.default_ttl,
                self.default_ttl_known,
                self.default_ttl_from_soa,
            ) = saved
        else:
            raise self.error(line, f"unsupported zone file directive '{bounded_excerpt(word)}'")

    def parse_name(self, text: str, line: int) -> dns.name.Name:
        try:
            return dns.name.from_text(text, self.origin_name)
        except Exception as exc:
            raise self.error(line, _message(exc)) from None


def _message(exc: BaseException) -> str:
    text = str(exc)
    return text if text else type(exc).__name__


class TextSource:
    """An in-memory text read as a stream, for :func:`read_records`.  io.StringIO
    would do, but it keeps its text as 4-octet characters and builds every block it
    returns back from them: ~8% of the reading time of a byte range."""

    def __init__(self, text: str, name: str = "<input>") -> None:
        self.text = text
        self.name = name
        self.pos = 0

    def read(self, size: int = -1) -> str:
        start = self.pos
        end = len(self.text) if size < 0 else min(len(self.text), start + size)
        self.pos = end
        return self.text[start:end]


def read_records(
    source: str | Path | TextStream,
    origin: str | None = None,
    default_ttl: int | None = None,
    name: str | None = None,
) -> Iterator[Record]:
    """Stream the records of a zone file in file order.

    *source* is a path or an open text stream; *origin* the initial origin (for
    relative names before any $ORIGIN); *default_ttl* the TTL for records that
    state none, until a $TTL; *name* how messages name a stream (default: its
    ``name`` attribute). Raises ZoneSyntaxError on the first error.
    """
    reader = _Reader(default_ttl)
    if origin is not None:
        try:
            reader.set_origin(dns.name.from_text(origin))
            reader.last_owner = reader.name("@").lower()  # an owner-less first record's
        except Exception as exc:
            raise ValueError(f"bad origin {bounded_excerpt(origin)!r}: {_message(exc)}") from None
    if isinstance(source, str | Path):
        path = os.fspath(source)
        try:
            with open(path, encoding="utf-8") as f:
                yield from reader.read(f, path)
        except OSError as exc:
            raise ZoneSyntaxError(path, 0, exc.strerror or str(exc)) from None
    else:
        yield from reader.read(source, name or str(getattr(source, "name", "<input>")))


def _lines(stream: TextStream, reader: _Reader) -> Iterator[str]:
    """The lines of a stream, without newlines (see _blocks)."""
    for block in _blocks(stream, reader):
        yield from block


class _Lines:
    """The lines of a stream as an iterator that also shows the current block and
    the position in it (the C reader works on the block)."""

    def __init__(self, stream: TextStream, reader: _Reader) -> None:
        self.blocks = _blocks(stream, reader)
        self.block: list[str] = []
        self.pos = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        while self.pos >= len(self.block):
            self.block = next(self.blocks)  # StopIteration ends the lines
            self.pos = 0
        line = self.block[self.pos]
        self.pos += 1
        return line

    def refill(self) -> bool:
        """The next block; False at the end of the stream."""
        for block in self.blocks:
            self.block, self.pos = block, 0
            return True
        return False


def _blocks(stream: TextStream, reader: _Reader) -> Iterator[list[str]]:
    """The lines of a stream, without newlines, read in large blocks (faster than
    line iteration) and yielded a block at a time. A CR or CRLF ends a line, as in
    dnspython's tokenizer (which keeps a CR inside a quoted string; we end the line
    there: a documented difference). Files we open ourselves get this from
    universal newlines. A line longer than MAX_LOGICAL_LINE is refused as soon as
    that much of it is read."""
    rest = ""
    while True:
        block = stream.read(_BLOCK)
        if not block:
            break
        if block.endswith("\r"):
            block += stream.read(1)
        if "\r" in block:
            block = block.replace("\r\n", "\n").replace("\r", "\n")
        block = rest + block
        # str.split() also splits on these; dnspython does not: such blocks get
        # the exact per-line check
        # six substring scans are ~10x faster than one character-class regex search
        reader.dirty = any(c in block for c in _SPLIT_SPACE)
        lines = block.split("\n")
        rest = lines.pop()
        # only the first line holds more than one read's characters (_BLOCK)
        # (every line of the blocks before was taken: lines[0] is the reader's next)
        if lines and len(lines[0]) > MAX_LOGICAL_LINE:
            raise reader.too_long(reader.lineno + 1, lines[0])
        if len(rest) > MAX_LOGICAL_LINE:
            raise reader.too_long(reader.lineno + 1 + len(lines), rest)
        yield lines
    if rest:
        yield [rest]
