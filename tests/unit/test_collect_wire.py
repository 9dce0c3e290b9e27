"""The parsing path under fire: random and mutated responses never make the collector raise.

``judge`` is what NetworkTransport does with every datagram or TCP message that arrives;
``classify`` and the other readers of :mod:`dnssec_doctor.collect.referral` are what the
walk does with a message that passed.  A replay of recorded evidence with a mutated
response runs the whole walk over it.
"""

from __future__ import annotations

import asyncio

import dns.flags
import dns.message
import dns.name
import dns.rdatatype
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnssec_doctor.collect import collect_from_evidence
from dnssec_doctor.collect.referral import (
    Kind,
    addresses,
    alias_target,
    classify,
    decide,
    end_of_chain,
    ns_names,
)
from dnssec_doctor.collect.wire import judge, make_query
from dnssec_doctor.model.collection import Reply
from dnssec_doctor.model.evidence import Exchange
from helpers.collect_fixtures import LabHandle, rrset, served_lab

__all__ = ["served_lab"]

N = dns.name.from_text
QNAME = N("www.sub.example.")
ZONE = N("example.")
QUERY = make_query(QNAME, dns.rdatatype.A)


def _rich_response() -> bytes:
    """A response that exercises every reader: CNAME, DNAME, RRSIG, NS, DS, SOA, glue."""
    message = dns.message.make_response(QUERY)
    message.flags |= dns.flags.AA
    message.answer = [
        rrset("sub.example.", "DNAME", "other.example."),
        rrset(QNAME, "CNAME", "www.other.example."),
        rrset("www.other.example.", "A", "192.0.2.1", "192.0.2.2"),
        rrset("www.other.example.", "AAAA", "2001:db8::1"),
        rrset(QNAME, "RRSIG", "CNAME 13 3 300 20300101000000 20200101000000 1 example. AAAA"),
    ]
    message.authority = [
        rrset("sub.example.", "NS", "ns1.sub.example.", "ns2.elsewhere."),
        rrset("sub.example.", "DS", "1 13 2 " + "ab" * 32),
        rrset("example.", "SOA", "ns.example. h.example. 1 2 3 4 5"),
        rrset("example.", "NS", "ns.example."),
    ]
    message.additional = [rrset("ns1.sub.example.", "A", "127.0.0.9")]
    return message.to_wire()


RICH = _rich_response()


def _read_everything(wire: bytes) -> None:
    message, error = judge(QUERY, wire)
    assert (message is None) != (error is None)
    if message is None:
        assert error == "malformed"
        return
    assert message.id == QUERY.id
    exchange = Exchange("127.0.0.9", QNAME.to_text(), "A", response=wire)
    reply = Reply("127.0.0.9", exchange, message)
    for zone in (dns.name.root, ZONE, QNAME):
        verdict = classify(reply, zone, QNAME)
        assert verdict.kind in Kind
        decide([("127.0.0.9", verdict), ("127.0.0.10", verdict)])
    alias_target(message, QNAME)
    end_of_chain(message, QNAME)
    addresses(message, QNAME)
    ns_names(message, ZONE)


def test_the_rich_response_reads() -> None:
    message, error = judge(QUERY, RICH)
    assert message is not None and error is None
    reply = Reply(
        "127.0.0.9", Exchange("127.0.0.9", "www.sub.example.", "A", response=RICH), message
    )
    assert classify(reply, ZONE, QNAME).kind == Kind.ANSWER
    assert alias_target(message, QNAME) == N("www.other.example.")
    assert sorted(addresses(message, QNAME)) == ["192.0.2.1", "192.0.2.2", "2001:db8::1"]
    message.flags &= ~dns.flags.AA
    message.answer = []
    verdict = classify(Reply("127.0.0.9", reply.exchange, message), ZONE, QNAME)
    assert verdict.kind == Kind.REFERRAL and verdict.child == N("sub.example.")
    assert verdict.glue == ((N("ns1.sub.example."), "127.0.0.9"),)  # ns2.elsewhere.: not ours


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=512))
def test_random_bytes_are_malformed_never_an_exception(data: bytes) -> None:
    _read_everything(data)
    _read_everything(RICH[:2] + data)  # the right id, then anything


mutation = st.one_of(
    st.tuples(st.just("set"), st.integers(0, len(RICH) - 1), st.integers(0, 255)),
    st.tuples(st.just("cut"), st.integers(0, len(RICH) - 1), st.just(0)),
    st.tuples(st.just("insert"), st.integers(0, len(RICH)), st.integers(0, 255)),
)


def _mutate(wire: bytes, steps: list[tuple[str, int, int]]) -> bytes:
    data = bytearray(wire)
    for kind, position, value in steps:
        position = min(position, len(data))
        if kind == "set" and position < len(data):
            data[position] = value
        elif kind == "cut":
            del data[position:]
        else:
            data[position:position] = bytes([value])
    return bytes(data)


@settings(max_examples=500, deadline=None)
@given(st.lists(mutation, min_size=1, max_size=6))
def test_mutated_responses_never_raise(steps: list[tuple[str, int, int]]) -> None:
    _read_everything(_mutate(RICH, steps))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_a_walk_over_mutated_evidence_never_raises(
    served_lab: LabHandle, data: st.DataObject
) -> None:
    evidence = served_lab.collection("cname-into-bogus").evidence
    exchanges = list(evidence.exchanges)
    index = data.draw(st.integers(0, len(exchanges) - 1))
    steps = data.draw(st.lists(mutation, min_size=1, max_size=4))
    original = exchanges[index]
    assert original.response is not None
    exchanges[index] = original._replace(response=_mutate(original.response, steps))
    found = asyncio.run(collect_from_evidence(evidence._replace(exchanges=tuple(exchanges))))
    assert len(found.evidence.exchanges) <= 2 * len(evidence.exchanges)
