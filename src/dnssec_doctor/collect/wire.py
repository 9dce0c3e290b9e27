"""Queries as the collector sends them, and the judgement of what comes back.

Pure functions, shared by the network and replay transports: building the query
(EDNS0, DO set, RD and CD only when asked for) and deciding whether bytes that arrived
are a response to it.  Whatever the bytes are, judging them never raises.
"""

from __future__ import annotations

import copy

import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import dns.rrset

from dnssec_doctor.model.evidence import ResponseDecodeError, decode_message

#: EDNS0 payload we advertise: the DNS flag day 2020 value, safe from fragmentation.
EDNS_PAYLOAD = 1232

#: The error word for bytes that are not a response to our query.
MALFORMED = "malformed"


def make_query(
    qname: dns.name.Name,
    qtype: dns.rdatatype.RdataType,
    *,
    recursion: bool = False,
    cd: bool = False,
) -> dns.message.QueryMessage:
    """A query with EDNS0 (payload 1232, DO set), RD only for *recursion*, CD only for *cd*."""
    query = dns.message.make_query(qname, qtype, use_edns=0, want_dnssec=True, payload=EDNS_PAYLOAD)
    query.flags &= ~dns.flags.RD  # authoritative servers are asked, not asked to recurse
    if recursion:
        query.flags |= dns.flags.RD
    if cd:
        query.flags |= dns.flags.CD
    return query


def flag_words(*, recursion: bool = False, cd: bool = False) -> tuple[str, ...]:
    """The ``flags`` of an Exchange, in the order dig prints them: RD, DO, CD."""
    words = ["RD"] if recursion else []
    words.append("DO")
    if cd:
        words.append("CD")
    return tuple(words)


#: Octets of responses a :class:`ParseCache` keeps parsed (then it keeps no more).
PARSE_CACHE_BYTES = 8 * 1024 * 1024


class ParseCache:
    """Each distinct response parsed once per check.

    The servers of a zone send the same bytes for the same question, and the answers
    to ``name A`` and ``name AAAA`` differ only in the ID and the QTYPE when they are
    the same referral: a 52 KB referral listing 2,000 NS names costs ~0.25 s to parse
    (dnspython), and was parsed again for every server and both address types of every
    lookup.  The cache keys the bytes without the ID and QTYPE and hands out a copy of
    the parsed message with this response's ID, question and bytes; the sections are
    shared, never changed by the collector or the analysis.
    """

    def __init__(self, limit: int = PARSE_CACHE_BYTES) -> None:
        self._parsed: dict[tuple[bytes, bytes], dns.message.Message | ResponseDecodeError] = {}
        self._room = limit

    def decode(self, wire: bytes) -> dns.message.Message:
        """:func:`decode_message`, once per distinct response; raises ResponseDecodeError."""
        end = _question_type_at(wire)
        if end is None:
            return decode_message(wire)
        key = (wire[2:end], wire[end + 2 :])
        found = self._parsed.get(key)
        if found is None:
            try:
                found = decode_message(wire)
            except ResponseDecodeError as error:
                found = error
            if len(wire) <= self._room:
                self._room -= len(wire)
                self._parsed[key] = found
        if isinstance(found, ResponseDecodeError):
            raise found
        if found.wire == wire:
            return found
        message = copy.copy(found)
        message.sections = list(found.sections)  # the question is this response's own
        message.id = int.from_bytes(wire[:2], "big")
        qtype = dns.rdatatype.RdataType.make(int.from_bytes(wire[end : end + 2], "big"))
        if found.question and found.question[0].rdtype != qtype:
            first = found.question[0]
            message.question = [dns.rrset.RRset(first.name, first.rdclass, qtype)]
        message.wire = wire
        return message


def _question_type_at(wire: bytes) -> int | None:
    """Where the QTYPE of the one question starts, when the question is plain (one
    question, its name without compression); None otherwise (parse it every time)."""
    if len(wire) < 12 or wire[4:6] != b"\x00\x01":
        return None
    at = 12
    while at < len(wire):
        length = wire[at]
        if length == 0:
            return at + 1 if at + 5 <= len(wire) else None
        if length & 0xC0:
            return None
        at += length + 1
    return None


def judge(
    query: dns.message.Message, wire: bytes, cache: ParseCache | None = None
) -> tuple[dns.message.Message | None, str | None]:
    """``(message, None)`` when *wire* is a response to *query*, else ``(None, "malformed")``.

    A response must parse, be marked QR, carry the query's id and opcode and repeat
    its question (servers may drop the question in FORMERR/SERVFAIL/NOTIMP/REFUSED).
    *cache*: parse each distinct response once (:class:`ParseCache`).
    """
    try:
        message = cache.decode(wire) if cache is not None else decode_message(wire)
    except ResponseDecodeError:
        return None, MALFORMED
    try:
        matches = query.is_response(message)
    except Exception:  # hostile sections can upset the comparison; that is a mismatch
        matches = False
    return (message, None) if matches else (None, MALFORMED)


def truncated(message: dns.message.Message) -> bool:
    return bool(message.flags & dns.flags.TC)
