"""validate.nsec3: RFC 5155 Appendix A hashes, Appendix B proofs, failure codes."""

from __future__ import annotations

import dns.dnssec
import dns.rdatatype
import dns.rrset
import pytest

from dnssec_doctor.validate import limits, nsec3
from dnssec_doctor.validate.denial import DenialCode, DenialKind
from dnssec_doctor.validate.nsec3hash import b32, nsec3_hash
from dnssec_doctor.validate.records import parse_records
from helpers.validate_support import VECTORS, n, vector

F = "rfc5155-appendix.zone"
A, MX, AAAA, DS = dns.rdatatype.A, dns.rdatatype.MX, dns.rdatatype.AAAA, dns.rdatatype.DS


def _hash_vectors() -> list[tuple[str, str]]:
    lines = (VECTORS / "rfc5155-hashes.txt").read_text().splitlines()
    rows = [line.split() for line in lines if line and not line.startswith("#")]
    return [(name, expected) for name, expected in rows]


@pytest.mark.parametrize(("name", "expected"), _hash_vectors())
def test_rfc5155_appendix_a_hashes(name: str, expected: str) -> None:
    ours = b32(nsec3_hash(n(name).to_digestable(), bytes.fromhex("aabbccdd"), 12))
    assert ours.lower() == expected
    assert dns.dnssec.nsec3_hash(name, "aabbccdd", 12, 1).lower() == expected  # the reference


def test_every_appendix_record_owner_is_a_hash_of_the_zone() -> None:
    recs, unknown = nsec3.nsec3_records(vector(F, "B.1", "B.2 ", "B.2.1", "B.4", "B.5", "extra"))
    assert not unknown and recs
    for r in recs:
        assert (
            r.zone == n("example.") and r.iterations == 12 and r.salt == bytes.fromhex("aabbccdd")
        )
        assert r.opt_out  # the whole example chain has the opt-out flag


def test_b1_name_error() -> None:
    r = nsec3.prove_nxdomain(n("a.c.x.w.example."), vector(F, "B.1"))
    assert r.code is DenialCode.PROVEN and r.kind is DenialKind.NXDOMAIN
    assert r.closest_encloser == n("x.w.example.")
    assert set(r.used) == {
        n("b4um86eghhds6nea196smvmlo4ors995.example."),  # matches x.w.example
        n("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example."),  # covers c.x.w.example
        n("35mthgpgcu1qg68fab165klnsnk3dpvl.example."),  # covers *.x.w.example
    }
    assert r.opt_out  # the covering record has opt-out: an unsigned cut could hide


def test_no_closest_encloser() -> None:
    only_cover = [x for x in vector(F, "B.1") if x.name.labels[0].decode().startswith("35mt")]
    r = nsec3.prove_nxdomain(n("a.c.x.w.example."), only_cover)
    assert r.code is DenialCode.NO_CLOSEST_ENCLOSER


@pytest.mark.parametrize(
    ("drop", "code"),
    [
        # Without the x.w.example match the closest provable encloser is the apex,
        # and nothing covers the next closer name w.example.
        ("b4um86eghhds6nea196smvmlo4ors995", DenialCode.NO_COVERING_NSEC3),
        ("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", DenialCode.NO_COVERING_NSEC3),
        ("35mthgpgcu1qg68fab165klnsnk3dpvl", DenialCode.WILDCARD_NOT_DENIED),
    ],
)
def test_b1_each_record_is_needed(drop: str, code: DenialCode) -> None:
    rrsets = [x for x in vector(F, "B.1") if x.name.labels[0].decode() != drop]
    r = nsec3.prove_nxdomain(n("a.c.x.w.example."), rrsets)
    assert r.code is code, r


def test_b2_no_data() -> None:
    r = nsec3.prove_nodata(n("ns1.example."), MX, vector(F, "B.2 "))
    assert r.code is DenialCode.PROVEN and r.closest_encloser == n("ns1.example.")
    assert nsec3.prove_nodata(n("ns1.example."), A, vector(F, "B.2 ")).code is (
        DenialCode.BITMAP_HAS_TYPE
    )


def test_b21_empty_non_terminal() -> None:
    r = nsec3.prove_nodata(n("y.w.example."), A, vector(F, "B.2.1"))
    assert r.code is DenialCode.PROVEN


def test_b3_opt_out_referral() -> None:
    r = nsec3.prove_no_ds(n("c.example."), vector(F, "B.3"))
    assert r.code is DenialCode.OPT_OUT and r.insecure and r.closest_encloser == n("example.")
    # The same proof answers a DS query for the unsigned child (RFC 5155 8.6).
    assert nsec3.prove_nodata(n("c.example."), DS, vector(F, "B.3")).code is DenialCode.OPT_OUT


def test_b4_wildcard_expansion() -> None:
    r = nsec3.prove_wildcard_answer(n("a.z.w.example."), n("*.w.example."), vector(F, "B.4"))
    assert r.code is DenialCode.PROVEN
    assert r.used == (n("q04jkcevqvmu85r014c7dkba38o0ji5r.example."),)


def test_b5_wildcard_no_data() -> None:
    r = nsec3.prove_nodata(n("a.z.w.example."), AAAA, vector(F, "B.5"))
    assert r.code is DenialCode.PROVEN and r.closest_encloser == n("w.example.")
    assert nsec3.prove_nodata(n("a.z.w.example."), MX, vector(F, "B.5")).code is (
        DenialCode.BITMAP_HAS_TYPE
    )


def test_b6_child_side_ds_nodata() -> None:
    r = nsec3.prove_nodata(n("example."), DS, vector(F, "B.6"))
    assert r.code is DenialCode.DELEGATION_HAS_SOA


def test_in_zone_ds_nodata() -> None:
    assert nsec3.prove_nodata(n("ai.example."), DS, vector(F, "extra")).code is DenialCode.PROVEN


def test_name_exists_and_wildcard_exists() -> None:
    assert nsec3.prove_nxdomain(n("ns1.example."), vector(F, "B.2 ")).code is (
        DenialCode.NAME_EXISTS
    )
    # *.w.example exists (r53b... in B.5): an NXDOMAIN below w.example is a lie.
    r = nsec3.prove_nxdomain(n("a.z.w.example."), vector(F, "B.5"))
    assert r.code is DenialCode.WILDCARD_EXISTS


def _chain(iterations: int, flags: int = 0, algorithm: int = 1) -> list[dns.rrset.RRset]:
    salt = "aabbccdd"
    h = {
        name: dns.dnssec.nsec3_hash(name, salt, iterations, 1).lower()
        for name in ("example.", "a.example.", "d.example.")
    }
    ordered = sorted(h.items(), key=lambda kv: kv[1])
    types = {
        "example.": "NS SOA RRSIG DNSKEY NSEC3PARAM",
        "a.example.": "A RRSIG",
        "d.example.": "NS",
    }
    text = ""
    for i, (name, hashed) in enumerate(ordered):
        nxt = ordered[(i + 1) % len(ordered)][1]
        text += (
            f"{hashed}.example. 3600 IN NSEC3 {algorithm} {flags} {iterations} {salt} "
            f"{nxt} {types[name]}\n"
        )
    return parse_records(text)


def test_iterations_limit_makes_proof_insecure() -> None:
    ok = nsec3.prove_nodata(n("a.example."), MX, _chain(limits.MAX_NSEC3_ITERATIONS))
    assert ok.code is DenialCode.PROVEN
    high = nsec3.prove_nodata(n("a.example."), MX, _chain(limits.MAX_NSEC3_ITERATIONS + 1))
    assert high.code is DenialCode.NSEC3_ITERATIONS_TOO_HIGH and high.insecure
    assert nsec3.iterations_warning(_chain(limits.NSEC3_ITERATIONS_STRICT_LIMIT + 1)) == 51
    assert nsec3.iterations_warning(_chain(0)) is None


def test_unknown_hash_algorithm_is_insecure() -> None:
    r = nsec3.prove_nxdomain(n("x.example."), _chain(0, algorithm=2))
    assert r.code is DenialCode.UNSUPPORTED_HASH and r.insecure


def test_unknown_flags_are_ignored() -> None:
    r = nsec3.prove_nodata(n("a.example."), MX, _chain(0, flags=2))
    assert r.code is DenialCode.NO_RECORDS


def test_no_ds_requires_opt_out_or_a_match() -> None:
    chain = _chain(0)
    assert nsec3.prove_no_ds(n("d.example."), chain).code is DenialCode.PROVEN
    assert nsec3.prove_no_ds(n("zz.example."), chain).code is DenialCode.NOT_OPT_OUT
    assert nsec3.prove_no_ds(n("a.example."), chain).code is DenialCode.DELEGATION_NS_MISSING
    assert nsec3.prove_no_ds(n("example."), chain).code is DenialCode.DELEGATION_HAS_SOA


def test_closest_encloser_at_a_delegation_is_refused() -> None:
    r = nsec3.prove_nxdomain(n("x.d.example."), _chain(0))
    assert r.code is DenialCode.ANCESTOR_DELEGATION


def test_garbage_owner_labels_are_ignored() -> None:
    bad = parse_records(
        "not-base32!.example. 3600 IN NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A\n"
        "zzzz.example. 3600 IN NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A\n"
    )
    recs, _ = nsec3.nsec3_records(bad)
    assert recs == []


def test_single_record_chain_covers_everything_else() -> None:
    h = dns.dnssec.nsec3_hash("example.", None, 0, 1).lower()
    chain = parse_records(f"{h}.example. 3600 IN NSEC3 1 0 0 - {h} NS SOA RRSIG NSEC3PARAM")
    assert nsec3.prove_nxdomain(n("a.example."), chain).code is DenialCode.PROVEN
