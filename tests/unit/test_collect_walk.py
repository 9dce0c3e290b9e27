"""The walk over small custom trees served by the lab's responder: nameservers without glue,
nameservers only the child lists, a server serving parent and child, stubs, disagreeing
and lame servers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import dns.name
import dns.rcode
import dns.rdatatype
import pytest

from dnssec_doctor.collect import Collection, collect_from_evidence
from dnssec_doctor.model.evidence import Stub
from helpers.collect_fixtures import ZoneServer, zone

N = dns.name.from_text
SOA = "@ 300 IN SOA ns hostmaster 1 3600 900 86400 300\n"

ROOT = "127.78.0.1"
NET = "127.78.0.2"
ORG = "127.78.0.3"
PROVIDER = "127.78.0.4"
EXT = "127.78.0.5"  # ns-ext.provider.net.: an example.org. server the referral gives no glue for
DNS2 = "127.78.0.6"  # dns2.provider.net.: an example.org. server only example.org. lists
GLUED = "127.78.0.7"  # ns1.example.org.
ORG2 = "127.78.0.8"  # ns-org.provider.net.: an org. server the root gives no glue for


def _tree() -> dict[str, list[dns.zone.Zone]]:
    root = zone(".", SOA + f"""
@ NS a.root.hint.
a.root.hint. A {ROOT}
net. NS ns.net.
ns.net. A {NET}
org. NS ns.org.
org. NS ns-org.provider.net.
ns.org. A {ORG}
""")  # fmt: skip
    net = zone("net.", SOA + f"""
@ NS ns
ns A {NET}
provider NS ns1.provider
ns1.provider A {PROVIDER}
""")  # fmt: skip
    org = zone("org.", SOA + f"""
@ NS ns
@ NS ns-org.provider.net.
ns A {ORG}
example NS ns1.example
example NS ns-ext.provider.net.
ns1.example A {GLUED}
""")  # fmt: skip
    example = zone("example.org.", SOA + f"""
@ NS ns1
@ NS ns-ext.provider.net.
@ NS dns2.provider.net.
ns1 A {GLUED}
www A 192.0.2.80
alias CNAME www.provider.net.
""")  # fmt: skip
    provider = zone("provider.net.", SOA + f"""
@ NS ns1
ns1 A {PROVIDER}
ns-ext A {EXT}
ns-org A {ORG2}
dns2 A {DNS2}
www A 192.0.2.81
""")  # fmt: skip
    return {
        ROOT: [root],
        NET: [net],
        ORG: [org],
        ORG2: [org],
        PROVIDER: [provider],
        EXT: [example],
        DNS2: [example],
        GLUED: [example],
    }


@pytest.fixture(scope="module")
def tree() -> Iterator[ZoneServer]:
    with ZoneServer(_tree()) as server:
        yield server


def _replays(found: Collection) -> None:
    assert asyncio.run(collect_from_evidence(found.evidence)) == found


def test_glueless_and_child_only_nameservers_are_found_and_asked(tree: ZoneServer) -> None:
    found = tree.collect("www.example.org.", hints=[ROOT])
    assert [z.to_text() for z in found.zones] == [".", "org.", "example.org."]
    cut = found.zones[N("example.org.")]
    assert cut.addresses == {
        GLUED: [N("ns1.example.org.")],
        EXT: [N("ns-ext.provider.net.")],
        DNS2: [N("dns2.provider.net.")],
    }
    assert set(cut.dnskey) == set(cut.soa) == set(cut.ns) == {GLUED, EXT, DNS2}
    assert set(found.answers[0].replies) == {GLUED, EXT, DNS2}
    assert set(cut.ds) == set(cut.referral) == {ORG, ORG2} and cut.unresolved == []
    assert sorted(n.to_text() for n in cut.ns_at_parent) == [
        "ns-ext.provider.net.",
        "ns1.example.org.",
    ]
    assert len(cut.ns_at_child) == 3
    # the lookups went through net. and provider.net. and are in the evidence
    asked = {(ex.server, ex.qname, ex.qtype) for ex in found.evidence.exchanges}
    assert (NET, "ns-ext.provider.net.", "A") in asked
    assert (PROVIDER, "dns2.provider.net.", "AAAA") in asked
    org = found.zones[N("org.")]
    assert org.addresses == {ORG: [N("ns.org.")], ORG2: [N("ns-org.provider.net.")]}
    assert set(org.ds) == {ROOT} and set(org.dnskey) == {ORG, ORG2}
    assert found.problems == []
    print(f"glueless + child-only: {found.rounds} rounds, {len(found.evidence.exchanges)} queries")
    assert found.rounds <= 8  # 3 zones; 3 + 1 per lookup, in parallel; a last batch for DS
    _replays(found)


def test_a_cname_walk_reuses_the_known_zones(tree: ZoneServer) -> None:
    found = tree.collect("alias.example.org.", hints=[ROOT])
    assert [a.qname.to_text() for a in found.answers] == ["alias.example.org.", "www.provider.net."]
    assert [z.to_text() for z in found.zones] == [
        ".",
        "org.",
        "example.org.",
        "net.",
        "provider.net.",
    ]
    root_asks = [ex for ex in found.evidence.exchanges if ex.server == ROOT]
    assert sum(ex.qname == "www.provider.net." for ex in root_asks) == 1  # root asked once
    assert sum(ex.qtype == "DNSKEY" for ex in root_asks) == 1  # the root's questions once
    _replays(found)


def test_a_stub_gives_the_zone_its_servers(tree: ZoneServer) -> None:
    found = tree.collect("www.example.org.", hints=[ROOT], stubs=[Stub("example.org.", (EXT,))])
    cut = found.zones[N("example.org.")]
    assert list(cut.addresses) == [EXT]
    assert set(cut.dnskey) == {EXT} and set(found.answers[0].replies) == {EXT}
    assert found.evidence.stubs == (Stub("example.org.", (EXT,)),)
    _replays(found)


def test_a_stub_for_the_anchor_zone_is_where_the_walk_starts(tree: ZoneServer) -> None:
    anchor = "example.org. 3600 IN DS 1 13 2 " + "00" * 32
    found = tree.collect(
        "www.example.org.",
        hints=[ROOT],
        stubs=[Stub("example.org.", (GLUED,))],
        trust_anchors=[anchor],
    )
    assert list(found.zones) == [N("example.org.")]
    cut = found.zones[N("example.org.")]
    assert cut.parent is None and cut.addresses == {GLUED: []}  # a stub's servers only
    assert found.rounds == 1
    _replays(found)


# -- one server for a parent and its child ----------------------------------------------

SHARED = "127.78.1.2"
ROOT2 = "127.78.1.1"


@pytest.fixture(scope="module")
def shared() -> Iterator[ZoneServer]:
    root = zone(".", SOA + f"@ NS a.root.hint.\na.root.hint. A {ROOT2}\nshared. NS ns.shared.\n"
                f"ns.shared. A {SHARED}\n")  # fmt: skip
    parent = zone("shared.", SOA + f"@ NS ns\nns A {SHARED}\nchild NS ns.child\n"
                  f"ns.child A {SHARED}\n")  # fmt: skip
    child = zone("child.shared.", SOA + f"@ NS ns\nns A {SHARED}\nwww A 192.0.2.1\n")
    with ZoneServer({ROOT2: [root], SHARED: [parent, child]}) as server:
        yield server


def test_a_cut_hidden_behind_one_server_is_found(shared: ZoneServer) -> None:
    found = shared.collect("nope.child.shared.", hints=[ROOT2])
    assert [z.to_text() for z in found.zones] == [".", "shared.", "child.shared."]
    cut = found.zones[N("child.shared.")]
    assert cut.ns_at_parent == []  # not from a referral
    assert cut.addresses == {SHARED: [N("ns.child.shared.")]}
    assert set(cut.ds) == {SHARED} and set(cut.dnskey) == {SHARED}
    assert found.answers[0].zone == N("child.shared.")
    _replays(found)


# -- disagreeing and lame servers -------------------------------------------------------

ROOT3 = "127.78.2.1"
MAJ = ["127.78.2.2", "127.78.2.3", "127.78.2.4"]
SUB = "127.78.2.5"
REFUSING, UNBOUND = "127.78.2.6", "127.78.2.7"


@pytest.fixture(scope="module")
def split() -> Iterator[ZoneServer]:
    ns = "".join(f"maj. NS ns{i}.maj.\nns{i}.maj. A {a}\n" for i, a in enumerate(MAJ))
    ns += f"lame. NS ns1.lame.\nns1.lame. A {REFUSING}\nlame. NS ns2.lame.\nns2.lame. A {UNBOUND}\n"
    ns += f"lame. NS ns3.lame.\nns3.lame. A {SUB}\n"
    root = zone(".", SOA + f"@ NS a.root.hint.\na.root.hint. A {ROOT3}\n" + ns)
    apex = "".join(f"@ NS ns{i}\nns{i} A {a}\n" for i, a in enumerate(MAJ))
    delegating = zone("maj.", SOA + apex + f"sub NS ns.sub\nns.sub A {SUB}\n")
    flat = zone("maj.", SOA + apex + "www.sub A 192.0.2.9\n")  # an old copy, before the cut
    sub = zone("sub.maj.", SOA + f"@ NS ns\nns A {SUB}\nwww A 192.0.2.10\n")
    lame = zone("lame.", SOA + f"@ NS ns3\nns3 A {SUB}\nwww A 192.0.2.11\n")
    served = {ROOT3: [root], MAJ[0]: [delegating], MAJ[1]: [delegating], MAJ[2]: [flat]}
    served |= {SUB: [sub, lame], REFUSING: []}
    with ZoneServer(served) as server:
        yield server


def test_disagreeing_servers_follow_the_majority(split: ZoneServer) -> None:
    found = split.collect("www.sub.maj.", hints=[ROOT3])
    assert [z.to_text() for z in found.zones] == [".", "maj.", "sub.maj."]
    (line,) = found.problems
    assert line.startswith("maj.: www.sub.maj. A: servers disagree")
    assert "following the majority" in line and MAJ[2] in line
    assert set(found.zones[N("sub.maj.")].referral) == set(MAJ)  # the dissenter's reply kept
    _replays(found)


def test_lame_servers_are_recorded_and_the_walk_goes_on(split: ZoneServer) -> None:
    found = split.collect("www.lame.", hints=[ROOT3])
    replies = found.answers[0].replies
    answered = replies[SUB].message
    assert answered is not None and answered.answer
    refused = replies[REFUSING].message
    assert refused is not None and refused.rcode() == dns.rcode.REFUSED
    assert found.problems == []
    _replays(found)
