"""Queries as the collector sends them, and the judgement of what comes back.

Pure functions, shared by the network and replay transports: building the query
(EDNS0, DO set, RD and CD only when asked for) and deciding whether bytes that arrived
are a response to it.  Whatever the bytes are, judging them never raises.
"""

from __future__ import annotations

import dns.flags
import dns.message
import dns.name
import dns.rdatatype

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


def judge(query: dns.message.Message, wire: bytes) -> tuple[dns.message.Message | None, str | None]:
    """``(message, None)`` when *wire* is a response to *query*, else ``(None, "malformed")``.

    A response must parse, be marked QR, carry the query's id and opcode and repeat
    its question (servers may drop the question in FORMERR/SERVFAIL/NOTIMP/REFUSED).
    """
    try:
        message = decode_message(wire)
    except ResponseDecodeError:
        return None, MALFORMED
    try:
        matches = query.is_response(message)
    except Exception:  # hostile sections can upset the comparison; that is a mismatch
        matches = False
    return (message, None) if matches else (None, MALFORMED)


def truncated(message: dns.message.Message) -> bool:
    return bool(message.flags & dns.flags.TC)
