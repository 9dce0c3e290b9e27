"""NetworkTransport over real loopback sockets, and ReplayTransport over recorded exchanges."""

from __future__ import annotations

import asyncio
import time

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype

from dnssec_doctor.collect import ReplayTransport
from dnssec_doctor.collect.wire import EDNS_PAYLOAD, make_query
from dnssec_doctor.model.collection import Reply
from dnssec_doctor.model.evidence import Exchange
from helpers.collect_fixtures import Handler, ScriptedServer, question, response, rrset, transport
from helpers.ports import free_port

SERVER = "127.77.0.1"
OTHER = "127.77.0.2"
WWW = dns.name.from_text("www.example.")
A = dns.rdatatype.A


def answer_a(address: str, transport_name: str, wire: bytes) -> bytes:
    query, name, _ = question(wire)
    return response(query, answer=[rrset(name, "A", "192.0.2.1")]).to_wire()


async def ask_one(
    handler: Handler,
    *,
    recursion: bool = False,
    cd: bool = False,
    retries: int = 1,
    timeout: float = 0.25,
) -> tuple[Reply, ScriptedServer]:
    port = free_port([SERVER])
    async with ScriptedServer([SERVER], port, handler) as server:
        net = transport(port, timeout, retries=retries)
        reply = await net.ask(SERVER, WWW, A, recursion=recursion, cd=cd)
    return reply, server


def test_flags_on_the_wire() -> None:
    reply, server = asyncio.run(ask_one(answer_a))
    (query,) = server.queries()
    assert not query.flags & dns.flags.RD and not query.flags & dns.flags.CD
    assert query.edns == 0 and query.payload == EDNS_PAYLOAD and query.ednsflags & dns.flags.DO
    assert reply.exchange.flags == ("DO",) and reply.error is None
    assert reply.message is not None and reply.message.answer

    _, server = asyncio.run(ask_one(answer_a, recursion=True, cd=True))
    (query,) = server.queries()
    assert query.flags & dns.flags.RD and query.flags & dns.flags.CD


def test_the_exchange_records_what_was_sent_and_received() -> None:
    reply, _ = asyncio.run(ask_one(answer_a, recursion=True, cd=True))
    exchange = reply.exchange
    assert (exchange.server, exchange.qname, exchange.qtype) == (SERVER, "www.example.", "A")
    assert exchange.flags == ("RD", "DO", "CD") and exchange.transport == "udp"
    assert exchange.rtt_ms is not None and exchange.rtt_ms >= 0
    assert exchange.response is not None and exchange.message() == reply.message


def test_garbage_is_malformed_and_kept() -> None:
    reply, _ = asyncio.run(ask_one(lambda a, t, w: b"\x00garbage"))
    assert reply.message is None and reply.error == "malformed"
    assert reply.exchange.response == b"\x00garbage"


def test_a_wrong_id_is_malformed() -> None:
    def wrong_id(address: str, transport_name: str, wire: bytes) -> bytes:
        query, name, _ = question(wire)
        message = response(query, answer=[rrset(name, "A", "192.0.2.1")])
        message.id = (query.id + 1) % 65536
        return message.to_wire()

    reply, _ = asyncio.run(ask_one(wrong_id))
    assert reply.error == "malformed" and reply.exchange.response is not None


def test_a_wrong_question_is_malformed() -> None:
    def other_question(address: str, transport_name: str, wire: bytes) -> bytes:
        query, _, _ = question(wire)
        other = dns.message.make_query("evil.example.", "A")
        other.id = query.id
        return response(other).to_wire()

    reply, _ = asyncio.run(ask_one(other_question))
    assert reply.error == "malformed"


def test_refused_without_a_question_is_a_response() -> None:
    def refused(address: str, transport_name: str, wire: bytes) -> bytes:
        query, _, _ = question(wire)
        message = response(query, aa=False, rcode=dns.rcode.REFUSED)
        message.question = []
        return message.to_wire()

    reply, _ = asyncio.run(ask_one(refused))
    assert reply.message is not None and reply.message.rcode() == dns.rcode.REFUSED


def truncating(tcp_reply: bytes | None = None) -> Handler:
    def handler(address: str, transport_name: str, wire: bytes) -> bytes | None:
        query, _, _ = question(wire)
        if transport_name == "udp":
            message = response(query)
            message.flags |= dns.flags.TC
            return message.to_wire()
        if tcp_reply is not None:
            return tcp_reply
        return None

    return handler


def test_truncated_then_tcp_keeps_the_tcp_answer() -> None:
    reply, server = asyncio.run(ask_one(answer_a_or_tc))
    assert [t for _, t, _ in server.log] == ["udp", "tcp"]
    assert reply.exchange.transport == "tcp" and reply.error is None
    assert reply.message is not None and not reply.message.flags & dns.flags.TC
    assert reply.message.answer


def answer_a_or_tc(address: str, transport_name: str, wire: bytes) -> bytes:
    if transport_name == "tcp":
        return answer_a(address, transport_name, wire)
    query, _, _ = question(wire)
    message = response(query)
    message.flags |= dns.flags.TC
    return message.to_wire()


def test_always_truncated_with_garbage_over_tcp() -> None:
    reply, _ = asyncio.run(ask_one(truncating(b"\xff" * 40)))
    assert reply.exchange.transport == "tcp"
    assert reply.error == "malformed" and reply.exchange.response == b"\xff" * 40


def test_truncated_and_tcp_closed_without_an_answer() -> None:
    reply, _ = asyncio.run(ask_one(truncating(None)))
    assert reply.exchange.transport == "tcp" and reply.error == "unreachable"


def test_silence_times_out_after_one_retry() -> None:
    start = time.monotonic()
    reply, server = asyncio.run(ask_one(lambda a, t, w: None, timeout=0.2))
    elapsed = time.monotonic() - start
    assert reply.error == "timeout" and reply.exchange.response is None
    assert reply.exchange.rtt_ms is None
    assert len(server.log) == 2  # the query and one retry
    assert 0.35 < elapsed < 2.0


def test_nothing_listening_is_unreachable() -> None:
    port = free_port([SERVER])  # nothing bound: the kernel answers ICMP port unreachable

    async def ask() -> Reply:
        return await transport(port, 1.0).ask(SERVER, WWW, A)

    start = time.monotonic()
    reply = asyncio.run(ask())
    assert reply.error == "unreachable"
    assert time.monotonic() - start < 0.9  # not a timeout


def test_addresses_outside_the_policy_are_never_sent_to() -> None:
    async def ask(address: str) -> Reply:
        return await transport(53, 5.0).ask(address, WWW, A)

    for address in ("192.0.2.1", "2001:db8::1", "not-an-address", "224.0.0.1"):
        reply = asyncio.run(ask(address))
        assert reply.error == "blocked" and reply.exchange.response is None
        assert reply.exchange.rtt_ms is None


def test_queries_in_flight_are_limited_per_server_and_in_total() -> None:
    async def scenario() -> tuple[int, int, int]:
        port = free_port([SERVER, OTHER])
        async with ScriptedServer([SERVER, OTHER], port, lambda a, t, w: None) as server:
            net = transport(port, 0.3, retries=0, per_server=4, total=6)
            names = [dns.name.from_text(f"n{i}.example.") for i in range(10)]
            tasks = [asyncio.create_task(net.ask(SERVER, n, A)) for n in names]
            await asyncio.sleep(0.1)
            first = len(server.log)
            tasks += [asyncio.create_task(net.ask(OTHER, n, A)) for n in names]
            await asyncio.sleep(0.1)
            both = len(server.log)
            replies = await asyncio.gather(*tasks)
            assert all(r.error == "timeout" for r in replies)
            return first, both, len(server.log)

    first, both, total = asyncio.run(scenario())
    assert first == 4  # per server
    assert both == 6  # in total
    assert total == 20


def test_the_transport_survives_event_loops() -> None:
    port = free_port([SERVER])
    net = transport(port, 0.2, retries=0)

    async def twice() -> list[str | None]:
        async with ScriptedServer([SERVER], port, answer_a):
            replies = await asyncio.gather(*(net.ask(SERVER, WWW, A) for _ in range(6)))
        return [r.error for r in replies]

    assert asyncio.run(twice()) == [None] * 6
    assert asyncio.run(twice()) == [None] * 6  # semaphores are remade for the new loop


# -- replay --------------------------------------------------------------------------------


def _recorded(wire: bytes | None, error: str | None = None, cd: bool = False) -> Exchange:
    flags = ("DO", "CD") if cd else ("DO",)
    return Exchange(SERVER, "www.example.", "A", flags=flags, response=wire, error=error)


def _wire(rdata: str) -> bytes:
    query = make_query(WWW, A)
    return response(query, answer=[rrset(WWW, "A", rdata)]).to_wire()


def test_replay_answers_from_the_recorded_exchange() -> None:
    recorded = _recorded(_wire("192.0.2.1"))
    replay = ReplayTransport([recorded])
    reply = asyncio.run(replay.ask(SERVER, WWW, A))
    assert reply.exchange is recorded and reply.server == SERVER
    assert reply.message == recorded.message()


def test_replay_without_a_match_is_a_timeout() -> None:
    replay = ReplayTransport([_recorded(_wire("192.0.2.1"))])
    reply = asyncio.run(replay.ask(OTHER, WWW, A, cd=True))
    assert reply.message is None and reply.error == "timeout"
    assert reply.exchange.server == OTHER and reply.exchange.flags == ("DO", "CD")


def test_replay_keeps_cd_apart() -> None:
    plain, checked = _recorded(_wire("192.0.2.1")), _recorded(_wire("192.0.2.2"), cd=True)
    replay = ReplayTransport([plain, checked])
    assert asyncio.run(replay.ask(SERVER, WWW, A)).exchange is plain
    assert asyncio.run(replay.ask(SERVER, WWW, A, cd=True)).exchange is checked


def test_replay_gives_recorded_errors_and_undecodable_bytes_as_malformed() -> None:
    replay = ReplayTransport([_recorded(None, "unreachable")])
    assert asyncio.run(replay.ask(SERVER, WWW, A)).error == "unreachable"
    replay = ReplayTransport([_recorded(b"\x01\x02")])
    reply = asyncio.run(replay.ask(SERVER, WWW, A))
    assert reply.message is None and reply.error == "malformed"
    assert reply.exchange.response == b"\x01\x02"
