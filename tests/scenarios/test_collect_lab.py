"""The collector against the built lab, served by the built-in server on loopback."""

from __future__ import annotations

import asyncio

import dns.flags
import dns.rcode
import dns.rdatatype
import pytest

from dnssec_doctor.collect import Collection, collect_from_evidence
from dnssec_doctor.lab.scenarios import SCENARIOS
from dnssec_doctor.model.collection import Reply
from dnssec_doctor.model.evidence import from_json, to_json
from helpers.collect_fixtures import LabHandle, served_lab

__all__ = ["served_lab"]

RdataType = dns.rdatatype.RdataType

CHAINS = {
    "healthy-ecdsap256": [".", "test.", "healthy-ecdsap256.test."],
    "ds-digest-mismatch": [".", "test.", "ds-digest-mismatch.test."],
    "stale-secondary": [".", "test.", "stale-secondary.test."],
    "silent-nameserver": [".", "test.", "silent-nameserver.test."],
    "insecure-delegation": [".", "example.", "insecure-delegation.example."],
    "under-broken-tld": [".", "broken.", "under-broken-tld.broken."],
    "cname-into-bogus": [".", "test.", "cname-into-bogus.test.", "rrsig-expired.test."],
    "nsec3-proof-broken": [".", "test.", "nsec3-proof-broken.test."],
}


def _zones(found: Collection) -> list[str]:
    return [zone.to_text() for zone in found.zones]


def _rrsigs(reply: Reply) -> set[str]:
    assert reply.message is not None
    return {
        r.to_text()
        for rrset in reply.message.answer
        if rrset.rdtype == RdataType.RRSIG
        for r in rrset
    }


@pytest.mark.parametrize("scenario", sorted(CHAINS))
def test_the_chain_has_the_expected_zones(served_lab: LabHandle, scenario: str) -> None:
    found = served_lab.collection(scenario)
    assert _zones(found) == CHAINS[scenario]
    assert found.problems == []
    assert (
        found.answers
        and found.answers[0].qname.to_text() == served_lab.manifest.scenario(scenario).qname
    )


@pytest.mark.parametrize("scenario", sorted(CHAINS))
def test_every_server_address_of_every_zone_is_asked(served_lab: LabHandle, scenario: str) -> None:
    found = served_lab.collection(scenario)
    for name, cut in found.zones.items():
        expected = served_lab.addresses_of(name.to_text())
        assert set(cut.addresses) == expected
        assert set(cut.dnskey) == set(cut.soa) == set(cut.ns) == expected
        signals = expected if cut.parent is not None else set()  # the root has no parent
        assert set(cut.cds) == set(cut.cdnskey) == signals
    for answer in found.answers:
        assert set(answer.replies) == served_lab.addresses_of(answer.zone.to_text())


@pytest.mark.parametrize("scenario", sorted(CHAINS))
def test_ds_replies_come_from_the_parent_servers(served_lab: LabHandle, scenario: str) -> None:
    found = served_lab.collection(scenario)
    for cut in found.zones.values():
        if cut.parent is None:
            assert cut.ds == {}
            continue
        assert set(cut.ds) == served_lab.addresses_of(cut.parent.to_text())
        assert set(cut.referral) == set(cut.ds)  # the parent's referral to this zone, each server
        for reply in cut.ds.values():
            assert reply.exchange.qtype == "DS" and reply.exchange.qname == cut.name.to_text()


def test_ns_names_at_both_sides_of_each_cut(served_lab: LabHandle) -> None:
    found = served_lab.collection("healthy-ecdsap256")
    cut = found.zones[dns.name.from_text("healthy-ecdsap256.test.")]
    names = sorted(n.to_text() for n in cut.ns_at_parent)
    assert names == ["ns1.healthy-ecdsap256.test.", "ns2.healthy-ecdsap256.test."]
    assert sorted(n.to_text() for n in cut.ns_at_child) == names
    assert sorted(n.to_text() for ns in cut.addresses.values() for n in ns) == names


def test_cds_and_cdnskey_are_collected(served_lab: LabHandle) -> None:
    found = served_lab.collection("ksk-rollover-incomplete")
    cut = found.zones[dns.name.from_text("ksk-rollover-incomplete.test.")]
    for table, rdtype in ((cut.cds, RdataType.CDS), (cut.cdnskey, RdataType.CDNSKEY)):
        for reply in table.values():
            assert reply.message is not None
            assert [r.rdtype for r in reply.message.answer] == [rdtype, RdataType.RRSIG]


def test_the_silent_server_times_out_and_the_walk_goes_on(served_lab: LabHandle) -> None:
    found = served_lab.collection("silent-nameserver")
    silent = {s.address for s in served_lab.manifest.servers if s.silent}
    assert len(silent) == 1
    cut = found.zones[dns.name.from_text("silent-nameserver.test.")]
    for table in (cut.dnskey, cut.soa, cut.ns, found.answers[0].replies):
        for address, reply in table.items():
            if address in silent:
                assert reply.message is None and reply.error == "timeout"
            else:
                assert reply.message is not None and reply.error is None
    assert found.answers[0].replies  # answered by the other server


def test_the_stale_secondary_differs_from_the_fresh_one(served_lab: LabHandle) -> None:
    found = served_lab.collection("stale-secondary")
    cut = found.zones[dns.name.from_text("stale-secondary.test.")]
    fresh, stale = (cut.dnskey[a] for a in sorted(cut.dnskey))
    assert _rrsigs(fresh) and _rrsigs(stale) and _rrsigs(fresh) != _rrsigs(stale)
    first, second = (found.answers[0].replies[a] for a in sorted(found.answers[0].replies))
    assert _rrsigs(first) != _rrsigs(second)


def test_the_cname_target_zone_is_walked(served_lab: LabHandle) -> None:
    found = served_lab.collection("cname-into-bogus")
    alias, target = found.answers
    assert alias.zone.to_text() == "cname-into-bogus.test."
    assert target.qname.to_text() == "www.rrsig-expired.test."
    assert target.zone.to_text() == "rrsig-expired.test."
    cut = found.zones[target.zone]
    assert cut.parent is not None and cut.parent.to_text() == "test."
    assert set(cut.ds) == served_lab.addresses_of("test.")
    for reply in target.replies.values():
        assert reply.message is not None and reply.message.answer


def test_denials_are_recorded_as_answers(served_lab: LabHandle) -> None:
    nxdomain = served_lab.collection("nsec3-proof-broken").answers[0]
    for reply in nxdomain.replies.values():
        assert reply.message is not None and reply.message.rcode() == dns.rcode.NXDOMAIN
    insecure = served_lab.collection("insecure-delegation")
    cut = insecure.zones[dns.name.from_text("insecure-delegation.example.")]
    for reply in cut.ds.values():  # no DS at the parent: NODATA, with its proof
        assert reply.message is not None and reply.message.answer == []
        assert reply.message.flags & dns.flags.AA and reply.message.authority


def test_authoritative_queries_set_do_and_clear_rd(served_lab: LabHandle) -> None:
    found = served_lab.collection("healthy-ecdsap256")
    for exchange in found.evidence.exchanges:
        assert exchange.flags == ("DO",)
        assert exchange.transport == "udp" and exchange.port == served_lab.port


@pytest.mark.parametrize("scenario", [s.id for s in SCENARIOS])
def test_replaying_the_evidence_rebuilds_the_collection(
    served_lab: LabHandle, scenario: str
) -> None:
    live = served_lab.collection(scenario)
    replayed = asyncio.run(collect_from_evidence(live.evidence))
    assert replayed == live  # zones, every reply per server, answers, problems, rounds, evidence


def test_replaying_a_saved_evidence_file(served_lab: LabHandle) -> None:
    live = served_lab.collection("silent-nameserver")
    replayed = asyncio.run(collect_from_evidence(from_json(to_json(live.evidence))))
    assert replayed == live


ROUND_LIMITS = {"cname-into-bogus": 5}  # one more descent: the target's known zone, its zone


def test_round_trips_are_few(served_lab: LabHandle) -> None:
    lines = []
    for scenario in [s.id for s in SCENARIOS]:
        found = served_lab.collection(scenario)
        lines.append(f"{scenario}: {found.rounds} rounds, {len(found.evidence.exchanges)} queries")
        assert found.rounds <= ROUND_LIMITS.get(scenario, 3), lines[-1]
    print("\n".join(lines))
