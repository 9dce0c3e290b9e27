"""The lab responder answers like a minimal-responses authoritative server, broken zones as is."""

from __future__ import annotations

import base64
import functools

import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.update
import dns.zone
import pytest
from dns.rdtypes.ANY.NSEC import NSEC
from dns.rdtypes.ANY.NSEC3 import NSEC3
from dns.rdtypes.ANY.RRSIG import RRSIG
from hypothesis import given, settings
from hypothesis import strategies as st

from dnssec_doctor.lab.responder import (
    EDNS_PAYLOAD,
    Responder,
    Transport,
)
from helpers.lab_test_zones import (
    BIG_TXT_COUNT,
    ITERATIONS,
    OPTOUT,
    PARENT,
    SALT,
    SECURE,
    VALID_AT,
    LabTree,
    build_tree,
)

Name = dns.name.Name
RdataType = dns.rdatatype.RdataType
A, AAAA, NS, DS = RdataType.A, RdataType.AAAA, RdataType.NS, RdataType.DS
SOA, TXT = RdataType.SOA, RdataType.TXT
CNAME, NSEC_T, NSEC3_T, RRSIG_T = RdataType.CNAME, RdataType.NSEC, RdataType.NSEC3, RdataType.RRSIG
DNSSEC_TYPES = {RRSIG_T, NSEC_T, NSEC3_T}


@functools.cache
def tree() -> LabTree:
    return build_tree()


@functools.cache
def everything() -> Responder:
    t = tree()
    return Responder({PARENT: t.parent.zone, SECURE: t.secure.zone, OPTOUT: t.optout.zone})


def only(zone: dns.zone.Zone) -> Responder:
    assert zone.origin is not None
    return Responder({zone.origin: zone})


def copy_zone(zone: dns.zone.Zone) -> dns.zone.Zone:
    """An independent copy to break."""
    return dns.zone.from_text(zone.to_text(relativize=False), origin=zone.origin, relativize=False)


def n(text: str) -> Name:
    return dns.name.from_text(text)


def ask(
    responder: Responder,
    qname: str,
    qtype: RdataType | str,
    *,
    do: bool = True,
    edns: bool = True,
    payload: int = 1232,
    transport: Transport = Transport.UDP,
) -> dns.message.Message:
    """The query goes through the wire path, as the server sends it."""
    query = dns.message.make_query(
        qname, qtype, use_edns=0 if edns else False, want_dnssec=do, payload=payload
    )
    reply = responder.answer_wire(query.to_wire(), transport)
    assert reply.wire is not None
    assert reply.problem is None
    response = dns.message.from_wire(reply.wire)
    assert query.is_response(response)
    return response


def find(
    section: list[dns.rrset.RRset], name: str, rdtype: RdataType, covers: RdataType = RdataType.NONE
) -> dns.rrset.RRset | None:
    for rrset in section:
        if rrset.name == n(name) and rrset.rdtype == rdtype and rrset.covers == covers:
            return rrset
    return None


def get(
    section: list[dns.rrset.RRset], name: str, rdtype: RdataType, covers: RdataType = RdataType.NONE
) -> dns.rrset.RRset:
    found = find(section, name, rdtype, covers)
    assert found is not None, f"no {name} {rdtype!r} in {[str(r) for r in section]}"
    return found


def types_in(section: list[dns.rrset.RRset]) -> list[tuple[Name, RdataType]]:
    return [(r.name, r.rdtype) for r in section]


def all_rrsets(response: dns.message.Message) -> list[dns.rrset.RRset]:
    return [*response.answer, *response.authority, *response.additional]


def aa(response: dns.message.Message) -> bool:
    return bool(response.flags & dns.flags.AA)


def assert_signed_and_valid(response: dns.message.Message, section: list[dns.rrset.RRset]) -> None:
    """Every non-RRSIG RRset in *section* has RRSIGs that verify with the zone's keys."""
    keys = tree().keys()
    for rrset in section:
        if rrset.rdtype == RRSIG_T:
            continue
        rrsig = get(section, rrset.name.to_text(), RRSIG_T, rrset.rdtype)
        dns.dnssec.validate(rrset, rrsig, keys, now=VALID_AT)


def assert_no_dnssec(response: dns.message.Message) -> None:
    assert not [r for r in all_rrsets(response) if r.rdtype in DNSSEC_TYPES]


# -- denial proof checks, independent of the responder's own choice ---------------------------


def nsec_covers(rrset: dns.rrset.RRset, name: Name) -> bool:
    rdata = rrset[0]
    assert isinstance(rdata, NSEC)
    owner, nxt = rrset.name, rdata.next
    if owner < nxt:
        return bool(owner < name < nxt)
    return bool(name > owner or name < nxt)  # the last NSEC wraps to the apex


def nsec_types(rrset: dns.rrset.RRset) -> set[RdataType]:
    rdata = rrset[0]
    assert isinstance(rdata, NSEC | NSEC3)
    return {t for window, bitmap in rdata.windows for t in _types(window, bitmap)}


def _types(window: int, bitmap: bytes) -> list[RdataType]:
    return [
        RdataType.make(window * 256 + octet * 8 + bit)
        for octet, byte in enumerate(bitmap)
        for bit in range(8)
        if byte & (0x80 >> bit)
    ]


def h(name: Name | str) -> str:
    return dns.dnssec.nsec3_hash(name, SALT, ITERATIONS, 1)


def nsec3(rrset: dns.rrset.RRset) -> NSEC3:
    rdata = rrset[0]
    assert isinstance(rdata, NSEC3)
    return rdata


def nsec3_matches(rrset: dns.rrset.RRset, name: Name | str) -> bool:
    return rrset.name.labels[0].decode().upper() == h(name)


def nsec3_covers(rrset: dns.rrset.RRset, name: Name | str) -> bool:
    owner = rrset.name.labels[0].decode().upper()
    nxt = base64.b32hexencode(nsec3(rrset).next).decode()
    target = h(name)
    if owner < nxt:
        return owner < target < nxt
    return target > owner or target < nxt


def denial(response: dns.message.Message, rdtype: RdataType) -> list[dns.rrset.RRset]:
    return [r for r in response.authority if r.rdtype == rdtype]


# -- positive answers ------------------------------------------------------------------------


def test_positive_answer_with_do_has_valid_signatures() -> None:
    response = ask(everything(), "www.test.", A)
    assert response.rcode() == dns.rcode.NOERROR
    assert aa(response)
    assert types_in(response.answer) == [(n("www.test."), A), (n("www.test."), RRSIG_T)]
    assert response.authority == [] and response.additional == []
    assert_signed_and_valid(response, response.answer)
    assert response.edns == 0 and response.ednsflags & dns.flags.DO
    assert response.payload == EDNS_PAYLOAD
    assert get(response.answer, "www.test.", A).ttl == 3600


def test_positive_answer_without_do_has_no_signatures() -> None:
    response = ask(everything(), "www.test.", A, do=False)
    assert types_in(response.answer) == [(n("www.test."), A)]
    assert response.edns == 0 and not response.ednsflags & dns.flags.DO


def test_without_edns_there_is_no_opt() -> None:
    response = ask(everything(), "www.test.", A, do=False, edns=False)
    assert response.edns == -1
    assert types_in(response.answer) == [(n("www.test."), A)]


def test_names_match_case_insensitively_and_the_question_keeps_its_case() -> None:
    response = ask(everything(), "WwW.TeSt.", AAAA)
    assert response.question[0].name.to_text() == "WwW.TeSt."
    assert get(response.answer, "www.test.", AAAA)


def test_child_zone_served_at_the_same_address_answers_authoritatively() -> None:
    response = ask(everything(), "www.secure.test.", A)
    assert aa(response)
    assert_signed_and_valid(response, response.answer)


def test_any_returns_every_rrset_and_denial_records_only_with_do() -> None:
    with_do = ask(everything(), "www.test.", "ANY")
    assert {A, AAAA, NSEC_T} <= {r.rdtype for r in with_do.answer}
    assert_signed_and_valid(with_do, with_do.answer)
    without = ask(everything(), "www.test.", "ANY", do=False)
    assert {r.rdtype for r in without.answer} == {A, AAAA}


def test_rrsig_asked_for_by_name_is_served_without_do() -> None:
    response = ask(everything(), "www.test.", RRSIG_T, do=False)
    assert {r.covers for r in response.answer} == {A, AAAA, NSEC_T}


def test_cd_and_rd_are_copied() -> None:
    query = dns.message.make_query("www.test.", A, want_dnssec=True)
    query.flags |= dns.flags.CD
    response = everything().respond(query)
    assert response.flags & dns.flags.CD and response.flags & dns.flags.RD
    assert not response.flags & dns.flags.RA


def test_ns_answer_carries_the_addresses_of_in_zone_servers() -> None:
    response = ask(everything(), "test.", NS)
    assert aa(response)
    assert types_in(response.additional) == [(n("ns1.test."), A), (n("ns1.test."), RRSIG_T)]
    assert_signed_and_valid(response, response.additional)
    without = ask(everything(), "test.", NS, do=False)
    assert types_in(without.additional) == [(n("ns1.test."), A)]


def test_any_adds_no_additional_records() -> None:
    assert ask(everything(), "test.", "ANY").additional == []


# -- CNAME -----------------------------------------------------------------------------------


def test_cname_chain_is_followed_inside_the_zone_with_signatures() -> None:
    response = ask(everything(), "chain.test.", A)
    assert [(r.name.to_text(), r.rdtype) for r in response.answer if r.rdtype != RRSIG_T] == [
        ("chain.test.", CNAME),
        ("alias.test.", CNAME),
        ("www.test.", A),
    ]
    assert aa(response)
    assert_signed_and_valid(response, response.answer)


def test_cname_loop_ends() -> None:
    response = ask(everything(), "loop1.test.", A, do=False)
    assert response.rcode() == dns.rcode.NOERROR
    assert [r.name.to_text() for r in response.answer] == ["loop1.test.", "loop2.test."]


def test_cname_out_of_zone_is_not_followed() -> None:
    response = ask(everything(), "away.test.", A, do=False)
    assert types_in(response.answer) == [(n("away.test."), CNAME)]


def test_cname_to_a_missing_name_gives_nxdomain_with_the_cname() -> None:
    response = ask(everything(), "dangling.test.", A)
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert get(response.answer, "dangling.test.", CNAME)
    proof = denial(response, NSEC_T)
    assert any(nsec_covers(r, n("missing.test.")) for r in proof)


def test_cname_query_gets_the_cname_only() -> None:
    response = ask(everything(), "alias.test.", CNAME, do=False)
    assert types_in(response.answer) == [(n("alias.test."), CNAME)]


# -- referrals -------------------------------------------------------------------------------


def test_referral_to_a_secure_child_carries_signed_ds_and_glue() -> None:
    response = ask(only(tree().parent.zone), "www.secure.test.", A)
    assert response.rcode() == dns.rcode.NOERROR
    assert not aa(response)
    assert response.answer == []
    assert types_in(response.authority) == [
        (n("secure.test."), NS),
        (n("secure.test."), DS),
        (n("secure.test."), RRSIG_T),
    ]
    assert_signed_and_valid(response, [r for r in response.authority if r.rdtype != NS])
    assert types_in(response.additional) == [(n("ns1.secure.test."), A)]


def test_referral_without_do_has_no_ds() -> None:
    response = ask(only(tree().parent.zone), "www.secure.test.", A, do=False)
    assert types_in(response.authority) == [(n("secure.test."), NS)]
    assert types_in(response.additional) == [(n("ns1.secure.test."), A)]


def test_referral_at_the_cut_itself() -> None:
    response = ask(only(tree().parent.zone), "secure.test.", "DNSKEY")
    assert not aa(response)
    assert get(response.authority, "secure.test.", NS)


def test_insecure_referral_proves_no_ds_with_nsec_and_glues_in_bailiwick_only() -> None:
    response = ask(only(tree().parent.zone), "host.insecure.test.", A)
    assert not aa(response)
    nsec = get(response.authority, "insecure.test.", NSEC_T)
    assert DS not in nsec_types(nsec) and NS in nsec_types(nsec)
    assert_signed_and_valid(response, [r for r in response.authority if r.rdtype != NS])
    ns = get(response.authority, "insecure.test.", NS)
    assert len(ns) == 2  # ns.elsewhere.example. is named but gets no glue
    assert types_in(response.additional) == [
        (n("ns.insecure.test."), A),
        (n("ns.insecure.test."), AAAA),
    ]


def test_insecure_referral_proves_no_ds_with_the_matching_nsec3() -> None:
    response = ask(only(tree().secure.zone), "host.unsigned.secure.test.", A)
    assert not aa(response)
    assert get(response.authority, "unsigned.secure.test.", NS)
    proof = denial(response, NSEC3_T)
    assert len(proof) == 1
    assert nsec3_matches(proof[0], "unsigned.secure.test.")
    assert DS not in nsec_types(proof[0])
    assert_signed_and_valid(response, [r for r in response.authority if r.rdtype != NS])
    assert types_in(response.additional) == [(n("ns.unsigned.secure.test."), A)]


def test_opt_out_referral_gives_the_closest_encloser_proof() -> None:
    response = ask(only(tree().optout.zone), "host.deleg.optout.test.", A)
    assert not aa(response)
    proof = denial(response, NSEC3_T)
    assert len(proof) == 2
    matching, covering = proof
    assert nsec3_matches(matching, OPTOUT)
    assert nsec3_covers(covering, "deleg.optout.test.")
    assert nsec3(covering).flags & 1  # opt-out
    assert_signed_and_valid(response, [r for r in response.authority if r.rdtype != NS])


def test_nsec_at_a_cut_is_the_parents_own_in_an_nsec_zone() -> None:
    response = ask(only(tree().parent.zone), "insecure.test.", NSEC_T)
    assert aa(response)
    assert types_in(response.answer) == [
        (n("insecure.test."), NSEC_T),
        (n("insecure.test."), RRSIG_T),
    ]


def test_nsec_at_a_cut_is_referred_in_an_nsec3_zone() -> None:
    response = ask(only(tree().secure.zone), "unsigned.secure.test.", NSEC_T)
    assert not aa(response)
    assert get(response.authority, "unsigned.secure.test.", NS)


# -- DS --------------------------------------------------------------------------------------


def test_ds_is_answered_from_the_parent_when_both_sides_are_served() -> None:
    response = ask(everything(), "secure.test.", DS)
    assert aa(response)
    get(response.answer, "secure.test.", DS)
    rrsig = get(response.answer, "secure.test.", RRSIG_T, DS)[0]
    assert isinstance(rrsig, RRSIG) and rrsig.signer == PARENT
    assert_signed_and_valid(response, response.answer)


def test_ds_at_a_child_apex_without_the_parent_is_child_nodata() -> None:
    response = ask(only(tree().secure.zone), "secure.test.", DS)
    assert aa(response)
    assert response.rcode() == dns.rcode.NOERROR and response.answer == []
    get(response.authority, "secure.test.", SOA)
    proof = denial(response, NSEC3_T)
    assert len(proof) == 1 and nsec3_matches(proof[0], SECURE)
    assert DS not in nsec_types(proof[0])


def test_ds_at_an_insecure_delegation_is_nodata_with_nsec() -> None:
    response = ask(only(tree().parent.zone), "insecure.test.", DS)
    assert aa(response) and response.answer == []
    nsec = get(response.authority, "insecure.test.", NSEC_T)
    assert DS not in nsec_types(nsec)
    assert_signed_and_valid(response, response.authority)


def test_ds_at_an_opt_out_delegation_is_the_closest_encloser_proof() -> None:
    response = ask(only(tree().optout.zone), "deleg.optout.test.", DS)
    assert aa(response) and response.answer == []
    matching, covering = denial(response, NSEC3_T)
    assert nsec3_matches(matching, OPTOUT)
    assert nsec3_covers(covering, "deleg.optout.test.") and nsec3(covering).flags & 1


def test_ds_for_the_root_of_the_served_tree_is_nodata() -> None:
    response = ask(only(tree().parent.zone), "test.", DS)
    assert aa(response) and response.answer == []
    get(response.authority, "test.", NSEC_T)


# -- NODATA ----------------------------------------------------------------------------------


def test_nodata_with_nsec() -> None:
    response = ask(everything(), "www.test.", TXT)
    assert aa(response) and response.rcode() == dns.rcode.NOERROR and response.answer == []
    get(response.authority, "test.", SOA)
    nsec = get(response.authority, "www.test.", NSEC_T)
    assert TXT not in nsec_types(nsec) and A in nsec_types(nsec)
    assert_signed_and_valid(response, response.authority)
    assert get(response.authority, "www.test.", NSEC_T).ttl == 300


def test_negative_answers_carry_the_soa_with_the_negative_caching_ttl() -> None:
    # The zone's SOA has TTL 3600 and MINIMUM 300: min() of the two (RFC 2308 3).
    assert get(ask(everything(), "test.", SOA).answer, "test.", SOA).ttl == 3600
    for qname in ("www.test.", "nope.test."):
        response = ask(everything(), qname, TXT)
        assert get(response.authority, "test.", SOA).ttl == 300
        assert get(response.authority, "test.", RRSIG_T, SOA).ttl == 300


def test_nodata_without_do_is_the_soa_alone() -> None:
    response = ask(everything(), "www.test.", TXT, do=False)
    assert types_in(response.authority) == [(n("test."), SOA)]


def test_nodata_at_an_empty_non_terminal_with_nsec() -> None:
    response = ask(everything(), "b.c.test.", A)
    assert response.rcode() == dns.rcode.NOERROR and response.answer == []
    (nsec,) = denial(response, NSEC_T)
    assert nsec_covers(nsec, n("b.c.test."))
    assert_signed_and_valid(response, response.authority)


def test_nodata_with_nsec3() -> None:
    response = ask(everything(), "www.secure.test.", TXT)
    (proof,) = denial(response, NSEC3_T)
    assert nsec3_matches(proof, "www.secure.test.")
    assert TXT not in nsec_types(proof)
    assert_signed_and_valid(response, response.authority)


def test_nodata_at_an_empty_non_terminal_with_nsec3() -> None:
    response = ask(everything(), "y.secure.test.", A)
    assert response.rcode() == dns.rcode.NOERROR
    (proof,) = denial(response, NSEC3_T)
    assert nsec3_matches(proof, "y.secure.test.") and nsec_types(proof) == set()


# -- NXDOMAIN --------------------------------------------------------------------------------


def test_nxdomain_with_nsec_proves_the_name_and_the_wildcard() -> None:
    response = ask(everything(), "nope.test.", A)
    assert response.rcode() == dns.rcode.NXDOMAIN and aa(response)
    get(response.authority, "test.", SOA)
    proof = denial(response, NSEC_T)
    assert len(proof) == 2
    assert any(nsec_covers(r, n("nope.test.")) for r in proof)
    assert any(nsec_covers(r, n("*.test.")) for r in proof)
    assert_signed_and_valid(response, response.authority)


def test_nxdomain_with_nsec_deduplicates_one_record_proving_both() -> None:
    response = ask(everything(), "x.www.test.", A)
    assert response.rcode() == dns.rcode.NXDOMAIN
    (nsec,) = denial(response, NSEC_T)
    assert nsec_covers(nsec, n("x.www.test.")) and nsec_covers(nsec, n("*.www.test."))
    assert len(response.authority) == 4  # SOA, its RRSIG, the NSEC, its RRSIG


def test_nxdomain_without_do_is_the_soa_alone() -> None:
    response = ask(everything(), "nope.test.", A, do=False)
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert types_in(response.authority) == [(n("test."), SOA)]
    assert_no_dnssec(response)


@pytest.mark.parametrize(
    ("qname", "encloser"),
    [
        ("nope.secure.test.", "secure.test."),
        ("a.b.x.y.secure.test.", "x.y.secure.test."),
        ("q.y.secure.test.", "y.secure.test."),
    ],
)
def test_nxdomain_with_nsec3_is_the_closest_encloser_proof(qname: str, encloser: str) -> None:
    response = ask(everything(), qname, A)
    assert response.rcode() == dns.rcode.NXDOMAIN and aa(response)
    proof = denial(response, NSEC3_T)
    next_closer = n(qname).split(len(n(encloser).labels) + 1)[1]
    wildcard = n("*." + encloser)
    assert any(nsec3_matches(r, encloser) for r in proof)
    assert any(nsec3_covers(r, next_closer) for r in proof)
    assert any(nsec3_covers(r, wildcard) for r in proof)
    assert len({r.name for r in proof}) == len(proof) <= 3
    assert_signed_and_valid(response, response.authority)


def test_wildcard_owner_is_served_literally_and_not_synthesised() -> None:
    literal = ask(everything(), "*.wild.test.", TXT)
    assert get(literal.answer, "*.wild.test.", TXT)
    missing = ask(everything(), "foo.wild.test.", TXT)
    assert missing.rcode() == dns.rcode.NXDOMAIN
    assert missing.answer == []


# -- broken zones are served as they are -----------------------------------------------------


def test_broken_nsec_chain_is_served_as_is() -> None:
    zone = copy_zone(tree().parent.zone)
    # The NSEC that covers lz.test. in the sound chain now claims to end before it.
    rdataset = zone.get_rdataset("loop2.test.", "NSEC")
    assert rdataset is not None
    (good,) = list(rdataset)
    assert isinstance(good, NSEC) and good.next == n("medium.test.")
    good_rrset = dns.rrset.from_rdata("loop2.test.", 300, good)
    rdataset.clear()
    rdataset.add(good.replace(next=n("loop3.test.")))
    response = ask(only(zone), "lz.test.", A)
    nsec = get(response.authority, "loop2.test.", NSEC_T)
    assert nsec_covers(good_rrset, n("lz.test.")) and not nsec_covers(nsec, n("lz.test."))
    with pytest.raises(dns.exception.ValidationFailure):  # the old signature, served as well
        rrsig = get(response.authority, "loop2.test.", RRSIG_T, NSEC_T)
        dns.dnssec.validate(nsec, rrsig, tree().keys(), now=VALID_AT)


def test_missing_rrsig_is_not_invented() -> None:
    zone = copy_zone(tree().parent.zone)
    zone.delete_rdataset("www.test.", RRSIG_T, A)
    response = ask(only(zone), "www.test.", A)
    assert types_in(response.answer) == [(n("www.test."), A)]
    assert find(ask(only(zone), "www.test.", AAAA).answer, "www.test.", RRSIG_T, AAAA)


def test_corrupted_signature_is_served() -> None:
    zone = copy_zone(tree().parent.zone)
    rdataset = zone.get_rdataset("www.test.", RRSIG_T, A)
    assert rdataset is not None
    (rrsig,) = list(rdataset)
    assert isinstance(rrsig, RRSIG)
    broken = rrsig.replace(signature=bytes(b ^ 0xFF for b in rrsig.signature))
    rdataset.clear()
    rdataset.add(broken)
    response = ask(only(zone), "www.test.", A)
    served = get(response.answer, "www.test.", RRSIG_T, A)
    assert served[0] == broken


def test_missing_nsec3_serves_the_preceding_record_that_does_not_cover() -> None:
    zone = copy_zone(tree().secure.zone)
    response = ask(only(zone), "nope.secure.test.", A)
    (cover,) = [r for r in denial(response, NSEC3_T) if nsec3_covers(r, "nope.secure.test.")]
    zone.delete_node(cover.name)
    broken = ask(only(zone), "nope.secure.test.", A)
    proof = denial(broken, NSEC3_T)
    assert cover.name not in {r.name for r in proof}
    assert not any(nsec3_covers(r, "nope.secure.test.") for r in proof)
    assert any(nsec3_matches(r, SECURE) for r in proof)


# -- sizes and truncation --------------------------------------------------------------------


def test_udp_answer_beyond_the_payload_is_truncated_and_tcp_is_whole() -> None:
    small = ask(everything(), "big.test.", TXT, payload=512)
    assert small.flags & dns.flags.TC
    assert small.question[0].name == n("big.test.")
    assert small.answer == small.authority == small.additional == []
    assert small.edns == 0
    whole = ask(everything(), "big.test.", TXT, transport=Transport.TCP)
    assert not whole.flags & dns.flags.TC
    assert len(get(whole.answer, "big.test.", TXT)) == BIG_TXT_COUNT


def test_udp_is_capped_at_our_payload_even_when_the_client_offers_more() -> None:
    response = ask(everything(), "big.test.", TXT, payload=4096)
    assert response.flags & dns.flags.TC


def test_without_edns_the_udp_limit_is_512() -> None:
    plain = ask(everything(), "medium.test.", TXT, do=False, edns=False)
    assert plain.flags & dns.flags.TC and plain.answer == []
    with_edns = ask(everything(), "medium.test.", TXT, do=False)
    assert not with_edns.flags & dns.flags.TC and with_edns.answer


def test_payloads_below_512_count_as_512() -> None:
    response = ask(everything(), "www.test.", A, payload=100)
    assert not response.flags & dns.flags.TC and response.answer


# -- errors ----------------------------------------------------------------------------------


def test_names_outside_the_served_zones_are_refused() -> None:
    response = ask(everything(), "www.example.", A)
    assert response.rcode() == dns.rcode.REFUSED
    assert not aa(response)
    assert response.question[0].name == n("www.example.")
    assert response.answer == response.authority == []


def test_chaos_class_is_refused() -> None:
    query = dns.message.make_query("version.bind.", TXT, rdclass=dns.rdataclass.CH)
    assert everything().respond(query).rcode() == dns.rcode.REFUSED


def test_zone_transfer_is_refused() -> None:
    response = ask(everything(), "test.", "AXFR", transport=Transport.TCP)
    assert response.rcode() == dns.rcode.REFUSED


@pytest.mark.parametrize("opcode", [dns.opcode.NOTIFY, dns.opcode.STATUS, dns.opcode.IQUERY])
def test_other_opcodes_are_not_implemented(opcode: dns.opcode.Opcode) -> None:
    query = dns.message.make_query("test.", SOA)
    query.set_opcode(opcode)
    reply = everything().answer_wire(query.to_wire(), Transport.UDP)
    assert reply.wire is not None
    response = dns.message.from_wire(reply.wire)
    assert response.rcode() == dns.rcode.NOTIMP and response.opcode() == opcode


def test_update_is_not_implemented() -> None:
    update = dns.update.UpdateMessage("test.")
    update.add("new.test.", 300, "A", "192.0.2.99")
    reply = everything().answer_wire(update.to_wire(), Transport.UDP)
    assert reply.wire is not None
    assert dns.message.from_wire(reply.wire).rcode() == dns.rcode.NOTIMP


def test_two_questions_are_a_format_error() -> None:
    query = dns.message.make_query("www.test.", A)
    query.question.append(dns.message.make_query("test.", SOA).question[0])
    response = everything().respond(query)
    assert response.rcode() == dns.rcode.FORMERR


def test_unparseable_query_with_a_header_gets_formerr() -> None:
    wire = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04www"  # question cut short
    reply = everything().answer_wire(wire, Transport.UDP)
    assert reply.wire is not None and reply.problem is not None
    response = dns.message.from_wire(reply.wire)
    assert response.id == 0x1234 and response.rcode() == dns.rcode.FORMERR
    assert response.flags & dns.flags.QR and response.flags & dns.flags.RD


def test_trailing_junk_gets_formerr() -> None:
    wire = dns.message.make_query("www.test.", A).to_wire() + b"junk"
    reply = everything().answer_wire(wire, Transport.UDP)
    assert reply.wire is not None
    assert dns.message.from_wire(reply.wire).rcode() == dns.rcode.FORMERR


@pytest.mark.parametrize("wire", [b"", b"\x00", b"\x12\x34\x01\x00\x00\x01"])
def test_packets_shorter_than_a_header_are_dropped(wire: bytes) -> None:
    reply = everything().answer_wire(wire, Transport.UDP)
    assert reply.wire is None and reply.problem


def test_responses_are_never_answered() -> None:
    response = ask(everything(), "www.test.", A)
    assert everything().answer_wire(response.to_wire(), Transport.UDP).wire is None
    garbled = bytearray(response.to_wire())
    garbled[12:] = b"\xff" * (len(garbled) - 12)
    assert everything().answer_wire(bytes(garbled), Transport.UDP).wire is None


def test_unknown_edns_version_gets_badvers() -> None:
    query = dns.message.make_query("www.test.", A, use_edns=1)
    response = everything().respond(query)
    assert response.rcode() == dns.rcode.BADVERS
    assert response.edns == 0 and response.answer == []


def test_zone_given_under_another_origin_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"secure\.test"):
        Responder({"elsewhere.": tree().secure.zone})


# -- robustness ------------------------------------------------------------------------------


def _seed_queries() -> list[bytes]:
    queries = []
    for qname, qtype in [
        ("www.test.", "A"),
        ("nope.secure.test.", "A"),
        ("secure.test.", "DS"),
        ("host.deleg.optout.test.", "A"),
        ("big.test.", "TXT"),
    ]:
        for do in (False, True):
            queries.append(dns.message.make_query(qname, qtype, want_dnssec=do).to_wire())
    return queries


SEED_QUERIES = _seed_queries()


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=600))
def test_random_bytes_never_raise(data: bytes) -> None:
    for transport in Transport:
        reply = everything().answer_wire(data, transport)
        if reply.wire is not None:
            assert dns.message.from_wire(reply.wire).flags & dns.flags.QR


@settings(max_examples=400, deadline=None)
@given(
    seed=st.sampled_from(SEED_QUERIES),
    edits=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), max_size=6),
    cut=st.integers(0, 200),
    tail=st.binary(max_size=8),
)
def test_mutated_queries_never_raise(
    seed: bytes, edits: list[tuple[int, int]], cut: int, tail: bytes
) -> None:
    wire = bytearray(seed)
    for position, value in edits:
        if position < len(wire):
            wire[position] = value
    mutated = bytes(wire[: max(cut, 12)]) + tail
    for transport in Transport:
        reply = everything().answer_wire(mutated, transport)
        if reply.wire is not None:
            response = dns.message.from_wire(reply.wire)
            assert response.flags & dns.flags.QR
            assert transport == Transport.TCP or len(reply.wire) <= EDNS_PAYLOAD
