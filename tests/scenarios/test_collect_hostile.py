"""Hostile and broken servers, written by hand: the walk ends with problems, never raises or hangs.

Each limit of :mod:`dnssec_doctor.collect.limits` is hit here, with its default value
except the query and time budgets (a test cannot wait for 2000 queries or a minute), and
each leaves one line in ``Collection.problems`` that names it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from dnssec_doctor.collect import Collection, WalkLimits, collect_from_evidence
from dnssec_doctor.collect import limits as L
from dnssec_doctor.model.evidence import MAX_RECORDS_PER_MESSAGE, RootHint
from helpers.collect_fixtures import question, response, rrset, run_walk

Name = dns.name.Name
N = dns.name.from_text
RdataType = dns.rdatatype.RdataType
ROOT = "127.77.1.1"
APEX_TYPES = (
    RdataType.DNSKEY, RdataType.SOA, RdataType.NS, RdataType.DS, RdataType.CDS, RdataType.CDNSKEY
)  # fmt: skip


def walk(addresses: list[str], handler: Callable[[str, str, bytes], bytes | None], qname: str,
         qtype: str = "A", **kwargs: Any) -> Collection:  # fmt: skip
    async def bounded() -> Collection:
        async with asyncio.timeout(30):  # a hang fails the test instead of blocking it
            found, _ = await run_walk(addresses, handler, qname, qtype, **kwargs)
            return found

    return asyncio.run(bounded())


def nodata(query: dns.message.Message, zone: Name) -> bytes:
    soa = rrset(zone, "SOA", "ns.invalid. h.invalid. 1 2 3 4 5")
    return response(query, authority=[soa]).to_wire()


def referral(
    query: dns.message.Message, child: Name, glue: list[tuple[str, str]]
) -> dns.message.Message:
    ns = dns.rrset.from_text_list(child, 300, "IN", "NS", [n for n, _ in glue])
    extra = [rrset(n, "A", a) for n, a in glue if a]
    return response(query, aa=False, authority=[ns], additional=extra)


def one_problem(found: Collection, needle: str) -> str:
    lines = [p for p in found.problems if needle in p]
    assert len(lines) == 1, found.problems
    assert "\n" not in lines[0]
    return lines[0]


def replays(found: Collection) -> None:
    assert asyncio.run(collect_from_evidence(found.evidence)) == found


# -- garbage -------------------------------------------------------------------------------


def test_garbage_from_every_server() -> None:
    found = walk([ROOT], lambda a, t, w: b"\x13\x37" * 30, "www.example.")
    assert found.answers == [] and list(found.zones) == [dns.name.root]
    line = one_problem(found, "the walk stops there")
    assert "malformed" in line
    assert all(ex.error == "malformed" and ex.response for ex in found.evidence.exchanges)
    replays(found)


def test_wrong_query_ids() -> None:
    def wrong_id(address: str, transport: str, wire: bytes) -> bytes:
        query, name, _ = question(wire)
        message = response(query, answer=[rrset(name, "A", "192.0.2.1")])
        message.id ^= 0x5555
        return message.to_wire()

    found = walk([ROOT], wrong_id, "www.example.")
    assert "malformed" in one_problem(found, "the walk stops there")


def test_always_truncated_with_garbage_over_tcp() -> None:
    def handler(address: str, transport: str, wire: bytes) -> bytes:
        if transport == "tcp":
            return b"\x00" * 7
        query, _, _ = question(wire)
        message = response(query)
        message.flags |= dns.flags.TC
        return message.to_wire()

    found = walk([ROOT], handler, "www.example.")
    assert all(ex.transport == "tcp" for ex in found.evidence.exchanges)
    assert "malformed" in one_problem(found, "the walk stops there")


def test_no_server_answers() -> None:
    start = time.monotonic()
    found = walk(
        [ROOT, "127.77.1.2"], lambda a, t, w: None, "www.example.", hints=[ROOT, "127.77.1.2"]
    )
    assert time.monotonic() - start < 2.0  # one round of timeouts and retries
    line = one_problem(found, "the walk stops there")
    assert line.startswith(".: no usable answer") and "2 server address(es) (timeout)" in line
    replays(found)


# -- loops ---------------------------------------------------------------------------------


def test_an_upward_referral_is_a_loop() -> None:
    com = "127.77.1.2"

    def handler(address: str, transport: str, wire: bytes) -> bytes:
        query, _, qtype = question(wire)
        if qtype in APEX_TYPES:
            return nodata(query, N("com.") if address == com else dns.name.root)
        if address == ROOT:
            return referral(query, N("com."), [("ns.com.", com)]).to_wire()
        return referral(query, dns.name.root, [("a.root.", ROOT)]).to_wire()  # back to the top

    found = walk([ROOT, com], handler, "www.example.com.")
    assert [z.to_text() for z in found.zones] == [".", "com."]
    line = one_problem(found, "referral loop")
    assert "not below com." in line
    replays(found)


def test_a_sideways_referral_is_a_loop() -> None:
    def handler(address: str, transport: str, wire: bytes) -> bytes:
        query, _, qtype = question(wire)
        if qtype in APEX_TYPES:
            return nodata(query, dns.name.root)
        return referral(query, N("elsewhere."), [("ns.elsewhere.", ROOT)]).to_wire()

    found = walk([ROOT], handler, "www.example.")
    assert "referred to elsewhere." in one_problem(found, "referral loop")


def test_a_cname_loop() -> None:
    def handler(address: str, transport: str, wire: bytes) -> bytes:
        query, name, qtype = question(wire)
        if qtype in APEX_TYPES:
            return nodata(query, dns.name.root)
        other = "b.loop." if name == N("a.loop.") else "a.loop."
        return response(query, answer=[rrset(name, "CNAME", other)]).to_wire()

    found = walk([ROOT], handler, "a.loop.")
    assert [a.qname.to_text() for a in found.answers] == ["a.loop.", "b.loop."]
    assert "b.loop. leads back to a.loop." in one_problem(found, "CNAME loop")
    replays(found)


def test_a_dname_is_followed() -> None:
    def handler(address: str, transport: str, wire: bytes) -> bytes:
        query, name, qtype = question(wire)
        if qtype in APEX_TYPES:
            return nodata(query, dns.name.root)
        if name == N("www.old."):
            return response(query, answer=[rrset("old.", "DNAME", "new.")]).to_wire()
        return response(query, answer=[rrset(name, "A", "192.0.2.7")]).to_wire()

    found = walk([ROOT], handler, "www.old.")
    assert [a.qname.to_text() for a in found.answers] == ["www.old.", "www.new."]
    assert found.problems == []


# -- the named limits ----------------------------------------------------------------------


def test_max_cname_chain() -> None:
    def handler(address: str, transport: str, wire: bytes) -> bytes:
        query, name, qtype = question(wire)
        if qtype in APEX_TYPES:
            return nodata(query, dns.name.root)
        step = int(name.labels[0][1:])
        return response(query, answer=[rrset(name, "CNAME", f"c{step + 1}.chain.")]).to_wire()

    found = walk([ROOT], handler, "c0.chain.")
    assert len(found.answers) == L.MAX_CNAME_CHAIN + 1  # the name and 8 targets
    line = one_problem(found, "MAX_CNAME_CHAIN")
    assert f"reached at c{L.MAX_CNAME_CHAIN}.chain." in line
    replays(found)


def _flat(levels: list[list[str]]) -> list[str]:
    return [address for level in levels for address in level]


def _deep_name(labels: int) -> str:
    return ".".join(f"l{i}" for i in range(labels, 0, -1)) + "."


def endless(levels: list[list[str]]) -> Callable[[str, str, bytes], bytes]:
    """The servers of level k refer the name to its ancestor one label below level k, served
    by the servers of level k+1: a chain of cuts as deep as the name (and the levels)."""
    level_of = {address: k for k, addresses in enumerate(levels) for address in addresses}
    rendered: dict[tuple[int, Name, int], bytes] = {}  # once per level and question: fast

    def handler(address: str, transport: str, wire: bytes) -> bytes:
        query, name, qtype = question(wire)
        level = level_of[address]
        key = (level, name, qtype)
        if key not in rendered:
            if qtype in APEX_TYPES:
                rendered[key] = nodata(query, name)
            else:
                child = name.split(level + 2)[1]
                glue = [(f"ns{i}.{child}", a) for i, a in enumerate(levels[level + 1])]
                rendered[key] = referral(query, child, glue).to_wire()
        return wire[:2] + rendered[key][2:]

    return handler


def test_max_referral_depth() -> None:
    levels = [[f"127.77.20.{k + 1}"] for k in range(L.MAX_REFERRAL_DEPTH + 8)]
    found = walk(_flat(levels), endless(levels), _deep_name(L.MAX_REFERRAL_DEPTH + 6))
    assert len(found.zones) == L.MAX_REFERRAL_DEPTH + 1  # the root and 32 cuts below it
    line = one_problem(found, "MAX_REFERRAL_DEPTH")
    assert "is not followed" in line and found.answers == []
    replays(found)


def big(
    build: Callable[[dns.message.Message], dns.message.Message],
) -> Callable[[str, str, bytes], bytes]:
    """Answer questions under the root's apex with NODATA, others with *build*'s (large)
    message: whole over TCP, TC over UDP.  Rendered once per question, as a real server
    would have it at hand; only the id changes."""
    rendered: dict[tuple[Name, int, str], bytes] = {}

    def handler(address: str, transport: str, wire: bytes) -> bytes:
        query, name, qtype = question(wire)
        if qtype in APEX_TYPES:
            return nodata(query, dns.name.root)
        key = (name, qtype, transport)
        if key not in rendered:
            message = build(query)
            if transport == "udp":
                message = response(query, aa=False)
                message.flags |= dns.flags.TC
            rendered[key] = message.to_wire(max_size=65535)
        return wire[:2] + rendered[key][2:]

    return handler


def test_max_server_addresses_per_zone_with_a_hundred_and_twenty_glued_names() -> None:
    many = [(f"n{i}.big.", f"127.77.10.{1 + i}") for i in range(120)]  # 240 records
    handler = big(lambda query: referral(query, N("big."), many))
    found = walk([ROOT], handler, "www.big.", timeout=1.0)
    cut = found.zones[N("big.")]
    assert len(cut.addresses) == L.MAX_SERVER_ADDRESSES_PER_ZONE
    assert len(cut.ns_at_parent) == 120 and cut.unresolved == []
    line = one_problem(found, "MAX_SERVER_ADDRESSES_PER_ZONE")
    assert line.startswith("limit MAX_SERVER_ADDRESSES_PER_ZONE (32) reached at big.: 88 more")
    assert "(unreachable)" in one_problem(found, "the walk stops there")  # nothing listens there
    asked = {ex.server for ex in found.evidence.exchanges}
    assert len(asked) == L.MAX_SERVER_ADDRESSES_PER_ZONE + 1  # and the root
    replays(found)


def test_an_answer_of_250_records_is_read() -> None:
    addresses = [f"10.0.{i // 250}.{1 + i % 250}" for i in range(250)]

    def build(query: dns.message.Message) -> dns.message.Message:
        return response(query, answer=[rrset(query.question[0].name, "A", *addresses)])

    found = walk([ROOT], big(build), "www.many.", timeout=1.0)
    (reply,) = found.answers[0].replies.values()
    assert reply.exchange.transport == "tcp" and reply.message is not None
    assert len(reply.message.answer[0]) == 250
    assert found.problems == []


def test_max_records_per_message() -> None:
    # 3,000 records in one answer: not parsed at all (the header says how many), live
    # and in the replay alike
    addresses = [f"10.{i // 250}.{i % 250}.1" for i in range(3000)]

    def build(query: dns.message.Message) -> dns.message.Message:
        return response(query, answer=[rrset(query.question[0].name, "A", *addresses)])

    found = walk([ROOT], big(build), "www.many.", timeout=1.0)
    assert found.answers == []
    line = one_problem(found, "MAX_RECORDS_PER_MESSAGE")
    assert line == (
        f"limit MAX_RECORDS_PER_MESSAGE ({MAX_RECORDS_PER_MESSAGE}) reached: 1 response(s)"
        " with more records were not read (malformed)"
    )
    assert "(malformed)" in one_problem(found, "the walk stops there")
    replays(found)


def test_a_52_kb_referral_of_2000_glueless_names_is_not_read() -> None:
    # issue 17: parsing it cost ~0.25 s, and it came back for every lookup of a name
    inside = [(f"ns{i}.big.", "") for i in range(2000)]

    def build(query: dns.message.Message) -> dns.message.Message:
        return referral(query, N("big."), inside)

    began = time.process_time()
    found = walk([ROOT], big(build), "www.big.", timeout=1.0)
    assert time.process_time() - began < 1.5  # the server renders it once; we never parse it
    assert list(found.zones) == [dns.name.root]
    one_problem(found, "MAX_RECORDS_PER_MESSAGE")
    replays(found)


def test_max_ns_names_per_zone() -> None:
    glueless = [(f"ns{i}.nowhere.", "") for i in range(200)]

    def build(query: dns.message.Message) -> dns.message.Message:
        if query.question[0].name.is_subdomain(N("big.")):
            return referral(query, N("big."), glueless)
        return response(query, rcode=dns.rcode.NXDOMAIN)

    found = walk([ROOT], big(build), "www.big.", timeout=1.0)
    cut = found.zones[N("big.")]
    assert len(cut.unresolved) == 200 and cut.addresses == {}
    line = one_problem(found, "MAX_NS_NAMES_PER_ZONE")
    assert "184 more nameserver names not looked up" in line
    looked_up = {ex.qname for ex in found.evidence.exchanges if ex.qname.endswith("nowhere.")}
    assert len(looked_up) == L.MAX_NS_NAMES_PER_ZONE
    line = one_problem(found, "no address for any of its nameservers")
    assert "nowhere. and 197 more); the walk stops there" in line
    replays(found)


def test_many_glueless_names_inside_their_own_zone_cost_no_lookups() -> None:
    # every name needs the zone's own servers, so none can be found from above; looking
    # them up (and their lookups' lookups) once cost N^depth
    inside = [(f"ns{i}.big.", "") for i in range(250)]

    def build(query: dns.message.Message) -> dns.message.Message:
        if query.question[0].name.is_subdomain(N("big.")):
            return referral(query, N("big."), inside)
        return response(query, rcode=dns.rcode.NXDOMAIN)

    found = walk([ROOT], big(build), "www.big.", timeout=1.0)
    assert len(found.zones[N("big.")].unresolved) == 250
    assert not any(ex.qname.startswith("ns") for ex in found.evidence.exchanges)
    one_problem(found, "no address for any of its nameservers")
    replays(found)


def test_glueless_zones_that_need_each_other_end_after_one_round() -> None:
    # big. is served by names in other., other. by names in big.: no address exists.
    def handler(address: str, transport: str, wire: bytes) -> bytes:
        query, name, qtype = question(wire)
        if qtype in APEX_TYPES:
            return nodata(query, dns.name.root)
        top = name.split(2)[1]
        across = "other." if top == N("big.") else "big."
        return referral(query, top, [(f"ns{i}.{across}", "") for i in range(16)]).to_wire()

    found = walk([ROOT], handler, "www.big.", timeout=1.0)
    looked_up = [ex for ex in found.evidence.exchanges if ex.qname.startswith("ns")]
    # each of big.'s names asked once (A and AAAA); other.'s names are inside big.'s
    # lookup and need big.: never asked
    assert len(looked_up) == 2 * L.MAX_NS_NAMES_PER_ZONE
    assert all(ex.qname.endswith("other.") for ex in looked_up)
    one_problem(found, "no address for any of its nameservers")
    replays(found)


def test_max_ns_resolution_depth() -> None:
    def handler(address: str, transport: str, wire: bytes) -> bytes:
        # zK. is served by ns.z(K+1). and nothing has glue: each lookup needs the next one
        query, name, qtype = question(wire)
        if qtype in APEX_TYPES:
            return nodata(query, dns.name.root)
        top = name.split(2)[1]
        level = int(top.labels[0][1:])
        return referral(query, top, [(f"ns.z{level + 1}.", "")]).to_wire()

    found = walk([ROOT], handler, "www.z0.")
    line = one_problem(found, "MAX_NS_RESOLUTION_DEPTH")
    assert "reached looking up ns.z5." in line  # ns.z2, ns.z3, ns.z4: three nested
    assert found.zones[N("z0.")].unresolved == [N("ns.z1.")]
    one_problem(found, "no address for any of its nameservers")
    replays(found)


def test_circular_glueless_delegations_end() -> None:
    def handler(address: str, transport: str, wire: bytes) -> bytes:
        query, name, qtype = question(wire)
        if qtype in APEX_TYPES:
            return nodata(query, dns.name.root)
        top = name.split(2)[1]
        other = "ns.b." if top == N("a.") else "ns.a."
        return referral(query, top, [(other, "")]).to_wire()

    found = walk([ROOT], handler, "www.a.")
    assert found.zones[N("a.")].unresolved == [N("ns.b.")]
    assert [p for p in found.problems if "limit" in p] == []
    one_problem(found, "no address for any of its nameservers")


def test_max_queries() -> None:
    # 32 servers per zone: 128 queries for the root, 224 for each zone below (6 questions
    # and the DS); the default (2000) would take 9 zones and seconds, 500 shows it in two
    levels = [[f"127.77.{100 + k}.{i}" for i in range(1, 33)] for k in range(6)]
    found = walk(_flat(levels), endless(levels), _deep_name(5), hints=levels[0], timeout=1.0,
                 tcp=False, limits=WalkLimits(max_queries=500))  # fmt: skip
    line = one_problem(found, "MAX_QUERIES")
    assert line == "limit MAX_QUERIES (500) reached after 352 queries: the walk stops here"
    assert len(found.evidence.exchanges) == 352 and len(found.zones) == 3
    assert found.answers == []


def test_time_budget() -> None:
    # each zone has a server that answers and one that never does: 0.4 s per zone
    levels = [[f"127.77.3.{2 * k + 1}", f"127.77.3.{2 * k + 2}"] for k in range(21)]
    silent = {good_silent[1] for good_silent in levels}
    inner = endless(levels)

    def handler(address: str, transport: str, wire: bytes) -> bytes | None:
        return None if address in silent else inner(address, transport, wire)

    start = time.monotonic()
    found = walk(_flat(levels), handler, _deep_name(20), hints=levels[0],
                 limits=WalkLimits(time_budget=1.0), timeout=0.2)  # fmt: skip
    elapsed = time.monotonic() - start
    line = one_problem(found, "TIME_BUDGET")
    assert line == "limit TIME_BUDGET (1 s) used up: the walk stops here"
    assert elapsed < 1.0 + 2 * 0.4 + 0.5  # at most one round of timeouts past the budget
    assert 2 <= len(found.zones) < 10


def test_time_budget_grace_abandons_queries_in_flight() -> None:
    start = time.monotonic()
    found = walk([ROOT], lambda a, t, w: None, "www.example.", timeout=5.0,
                 limits=WalkLimits(time_budget=0.2, time_budget_grace=0.2))  # fmt: skip
    assert time.monotonic() - start < 1.0
    line = one_problem(found, "TIME_BUDGET")
    assert line == "limit TIME_BUDGET (0.2 s) used up: queries in flight were abandoned"
    assert found.evidence.exchanges == ()


# -- servers that do not help --------------------------------------------------------------


def test_lame_servers_are_recorded_and_not_followed() -> None:
    lame = {"127.77.4.2": "refused", "127.77.4.3": "servfail", "127.77.4.4": "not authoritative"}
    good, unbound = "127.77.4.5", "127.77.4.6"

    def handler(address: str, transport: str, wire: bytes) -> bytes:
        query, name, qtype = question(wire)
        if address == ROOT:
            if qtype in APEX_TYPES:
                return nodata(query, dns.name.root)
            servers = [*lame, good, unbound]
            return referral(
                query, N("lame."), [(f"ns{i}.lame.", a) for i, a in enumerate(servers)]
            ).to_wire()
        kind = lame.get(address)
        if kind == "refused":
            return response(query, aa=False, rcode=dns.rcode.REFUSED).to_wire()
        if kind == "servfail":
            return response(query, aa=False, rcode=dns.rcode.SERVFAIL).to_wire()
        if qtype in APEX_TYPES:
            return nodata(query, N("lame."))
        return response(query, aa=kind is None, answer=[rrset(name, "A", "192.0.2.5")]).to_wire()

    found = walk([ROOT, *lame, good], handler, "www.lame.", hints=[ROOT])
    replies = found.answers[0].replies
    assert set(replies) == {*lame, good, unbound}
    assert replies[unbound].error == "unreachable"
    assert found.problems == []
    replays(found)

    def all_lame(address: str, transport: str, wire: bytes) -> bytes | None:
        return None if address == good else handler(address, transport, wire)

    found = walk([ROOT, *lame, good], all_lame, "www.lame.", hints=[ROOT])
    line = one_problem(found, "the walk stops there")
    assert line.startswith("lame.: no usable answer for www.lame. A from its 5 server address(es)")
    for reason in ("REFUSED", "SERVFAIL", "not authoritative", "timeout", "unreachable"):
        assert reason in line


def test_the_resolver_is_asked_with_and_without_cd() -> None:
    resolver = "127.77.5.9"

    def handler(address: str, transport: str, wire: bytes) -> bytes:
        query, name, qtype = question(wire)
        if address == resolver:
            if query.flags & dns.flags.CD:
                return response(query, aa=False, answer=[rrset(name, "A", "192.0.2.1")]).to_wire()
            return response(query, aa=False, rcode=dns.rcode.SERVFAIL).to_wire()
        if qtype in APEX_TYPES:
            return nodata(query, dns.name.root)
        return response(query, answer=[rrset(name, "A", "192.0.2.1")]).to_wire()

    found = walk([ROOT, resolver], handler, "www.example.", resolver=resolver)
    view = found.resolver
    assert view is not None and view.address == resolver
    assert view.plain.message is not None and view.plain.message.rcode() == dns.rcode.SERVFAIL
    assert view.checking_disabled.message is not None and view.checking_disabled.message.answer
    assert view.plain.exchange.flags == ("RD", "DO")
    assert view.checking_disabled.exchange.flags == ("RD", "DO", "CD")
    assert [ex.server for ex in found.evidence.exchanges[:2]] == [resolver, resolver]
    replays(found)


def test_default_root_hints_are_never_contacted_in_tests() -> None:
    from dnssec_doctor.collect import (
        DEFAULT_ROOT_HINTS,
        DEFAULT_TRUST_ANCHORS,
        NetworkTransport,
        collect,
        loopback_only,
    )

    async def go() -> Collection:
        return await collect(
            "www.example.", "A", root_hints=DEFAULT_ROOT_HINTS, trust_anchors=DEFAULT_TRUST_ANCHORS,
            transport=NetworkTransport(allow=loopback_only), at=_now(),
        )  # fmt: skip

    found = asyncio.run(go())
    assert {ex.error for ex in found.evidence.exchanges} == {"blocked"}
    assert len(found.zones[dns.name.root].addresses) == 26
    one_problem(found, "the walk stops there")


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 1, 1, tzinfo=UTC)


__all__ = ["RootHint"]


# -- cost: fan-out, CPU, slow and lying servers (issue 17 class 5) --------------------------


def fresh_referrals(count: int) -> Callable[[str, str, bytes], bytes]:
    """Every name's top label gets a referral of *count* glueless names, each in a zone of
    its own, whose lookup gets another such referral: NXNSAttack's fan-out."""
    rendered: dict[tuple[Name, int, str], bytes] = {}

    def handler(address: str, transport: str, wire: bytes) -> bytes:
        query, name, qtype = question(wire)
        if qtype in APEX_TYPES or len(name) < 2:
            return nodata(query, dns.name.root)
        key = (name, qtype, transport)
        if key not in rendered:
            top = name.split(2)[1]
            if transport == "udp":
                message = response(query, aa=False)
                message.flags |= dns.flags.TC
            else:
                label = top.labels[0].decode()
                names = [(f"ns{i}.{label}x{i}.", "") for i in range(count)]
                message = referral(query, top, names)
            rendered[key] = message.to_wire(max_size=65535)
        return wire[:2] + rendered[key][2:]

    return handler


def test_max_ns_lookups() -> None:
    began = time.process_time()
    found = walk([ROOT], fresh_referrals(20), "www.big.", timeout=1.0)
    line = one_problem(found, "MAX_NS_LOOKUPS")
    assert (
        line == "limit MAX_NS_LOOKUPS (32) reached: further nameserver addresses are not looked up"
    )
    looked_up = {ex.qname for ex in found.evidence.exchanges if ex.qname.startswith("ns")}
    assert len(looked_up) == L.MAX_NS_LOOKUPS
    assert found.zones[N("big.")].addresses == {}
    assert time.process_time() - began < 2.0


def test_cpu_budget() -> None:
    # 250 names a referral (under MAX_RECORDS_PER_MESSAGE), each one parsed: CPU adds up
    found = walk([ROOT], fresh_referrals(250), "www.big.", timeout=1.0,
                 limits=WalkLimits(cpu_budget=0.3))  # fmt: skip
    line = one_problem(found, "CPU_BUDGET")
    assert line.startswith("limit CPU_BUDGET (0.3 s) used up after ")
    assert line.endswith("queries: the walk stops here")
    assert "MAX_NS_LOOKUPS" not in " ".join(found.problems)  # the budget stopped it first


def test_the_cpu_budget_does_not_apply_to_a_replay() -> None:
    found = walk([ROOT], fresh_referrals(20), "www.big.", timeout=1.0)
    again = asyncio.run(collect_from_evidence(found.evidence, limits=WalkLimits(cpu_budget=0.0)))
    assert not any("CPU_BUDGET" in p for p in again.problems)


def test_a_120_label_chain_of_slow_answers_ends_at_the_time_budget() -> None:
    # issue 17: answers 1.9 s late (timeout 2 s) down 120 labels ran 62 s; scaled by 10
    levels = [[f"127.77.30.{k + 1}"] for k in range(121)]
    name = ".".join(["a"] * 120) + "."
    start = time.monotonic()
    found = walk(_flat(levels), endless(levels), name, hints=levels[0], timeout=0.2, delay=0.19,
                 limits=WalkLimits(time_budget=0.8, time_budget_grace=0.3))  # fmt: skip
    elapsed = time.monotonic() - start
    assert "TIME_BUDGET" in " ".join(found.problems)
    assert elapsed < 0.8 + 0.3 + 0.5
    assert 2 <= len(found.zones) <= 8 and found.answers == []


def test_a_120_label_chain_of_quick_answers_ends_at_max_referral_depth() -> None:
    levels = [[f"127.77.31.{k + 1}"] for k in range(121)]
    found = walk(_flat(levels), endless(levels), ".".join(["a"] * 120) + ".", hints=levels[0])
    one_problem(found, "MAX_REFERRAL_DEPTH")
    assert len(found.zones) == L.MAX_REFERRAL_DEPTH + 1


async def _lying_tcp(address: str, port: int, send: Callable[[bytes], list[bytes | float]]) -> Any:
    """A TCP server whose every reply is *send*(query): bytes to write, floats to sleep."""

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            size = int.from_bytes(await reader.readexactly(2), "big")
            query = await reader.readexactly(size)
            for step in send(query):
                if isinstance(step, float):
                    await asyncio.sleep(step)
                else:
                    writer.write(step)
                    await writer.drain()
            await asyncio.sleep(5)  # keep the connection open: the client must give up
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(client, address, port)


def _tcp_walk(send: Callable[[bytes], list[bytes | float]]) -> tuple[Collection, float]:
    """A walk whose root answers TC over UDP and *send* over TCP."""
    from helpers.collect_fixtures import transport
    from helpers.ports import free_port

    def udp(address: str, transport_: str, wire: bytes) -> bytes:
        query, _, _ = question(wire)
        message = response(query)
        message.flags |= dns.flags.TC
        return message.to_wire()

    async def go() -> Collection:
        from dnssec_doctor.collect import collect
        from helpers.collect_fixtures import ScriptedServer

        port = free_port([ROOT])
        async with ScriptedServer([ROOT], port, udp, tcp=False):
            server = await _lying_tcp(ROOT, port, send)
            try:
                async with asyncio.timeout(30):
                    return await collect(
                        "www.example.", "A", root_hints=[RootHint("h.", ROOT)], trust_anchors=[],
                        transport=transport(port, 0.3), at=_now(),
                    )  # fmt: skip
            finally:
                server.close()

    start = time.monotonic()
    found = asyncio.run(go())
    return found, time.monotonic() - start


def _answer(query: bytes) -> bytes:
    message = dns.message.from_wire(query)
    return response(message, answer=[rrset(message.question[0].name, "A", "192.0.2.1")]).to_wire()


def test_tcp_length_longer_than_what_is_sent() -> None:
    found, elapsed = _tcp_walk(lambda q: [(65535).to_bytes(2, "big") + _answer(q)])
    assert {ex.error for ex in found.evidence.exchanges} == {"timeout"}
    assert elapsed < 2.0  # one timeout per question, asked at once
    one_problem(found, "the walk stops there")


def test_tcp_length_shorter_than_the_message() -> None:
    found, _ = _tcp_walk(lambda q: [(20).to_bytes(2, "big") + _answer(q)])
    assert {ex.error for ex in found.evidence.exchanges} == {"malformed"}
    assert "malformed" in one_problem(found, "the walk stops there")


def test_tcp_length_zero() -> None:
    found, _ = _tcp_walk(lambda q: [b"\x00\x00" + _answer(q)])
    assert {ex.error for ex in found.evidence.exchanges} == {"malformed"}


def test_tcp_answer_dripped_a_byte_at_a_time() -> None:
    def drip(query: bytes) -> list[bytes | float]:
        wire = _answer(query)
        framed = len(wire).to_bytes(2, "big") + wire
        return [step for byte in framed for step in (bytes([byte]), 0.05)]

    found, elapsed = _tcp_walk(drip)
    assert {ex.error for ex in found.evidence.exchanges} == {"timeout"}  # the whole read is timed
    assert elapsed < 2.0
