"""validate.rrsig: RFC example signatures, and one test per verdict and warning."""

from __future__ import annotations

from datetime import UTC, datetime

import dns.name
import dns.rdatatype
import dns.rrset
import pytest
from dns.dnssectypes import Algorithm
from dns.rdtypes.ANY.RRSIG import RRSIG

from dnssec_doctor.validate.records import rrsigs_for
from dnssec_doctor.validate.rrsig import (
    RrsetSecurity,
    RrsigStatus,
    RrsigWarning,
    is_expired,
    judge_rrsig,
    rrset_status,
)
from helpers.validate_support import Signer, edited, n, rr, rrset, sigs, ts, vector

RFC4035_AT = ts("20040501120000")
RFC5155_AT = ts("20100101000000")

# --------------------------------------------------------------------------- RFC vectors

RFC4035_SECTIONS = ["soa", "B.1", "B.2", "B.3", "B.4", "B.5", "B.6", "B.7", "B.8"]


@pytest.mark.parametrize("section", RFC4035_SECTIONS)
def test_rfc4035_appendix_b_signatures_are_valid(section: str) -> None:
    keys = rr(vector("rfc4035-appendix-b.zone", "keys"), "example.", "DNSKEY")
    rrsets = vector("rfc4035-appendix-b.zone", section)
    checked = 0
    for r in rrsets:
        if r.rdtype == dns.rdatatype.RRSIG or not rrsigs_for(rrsets, r):
            continue  # glue and delegation NS are unsigned (RFC 4035 2.2)
        status = rrset_status(r, rrsigs_for(rrsets, r), keys, RFC4035_AT, zone=n("example."))
        assert status.security is RrsetSecurity.SECURE, (r.name, status.judgments)
        (j,) = status.judgments
        assert j.key is not None and j.key.key_id() == 38519
        assert j.seconds_left == ts("20040509183619") - RFC4035_AT
        checked += 1
    assert checked


RFC5155_SECTIONS = ["soa", "B.1", "B.2 ", "B.2.1", "B.3", "B.4", "B.5", "B.6", "extra"]


@pytest.mark.parametrize("section", RFC5155_SECTIONS)
def test_rfc5155_appendix_signatures_are_valid(section: str) -> None:
    keys = rr(vector("rfc5155-appendix.zone", "keys"), "example.", "DNSKEY")
    assert sorted(k.key_id() for k in keys) == [12708, 40430]
    rrsets = vector("rfc5155-appendix.zone", section)
    for r in rrsets:
        if r.rdtype == dns.rdatatype.RRSIG or not rrsigs_for(rrsets, r):
            continue
        status = rrset_status(r, rrsigs_for(rrsets, r), keys, RFC5155_AT)
        assert status.secure, (r.name, status.judgments)


@pytest.mark.parametrize(
    ("filename", "section", "at", "tag", "algorithm"),
    [
        ("rfc5702.zone", "6.1", ts("20100101000000"), 9033, 8),
        ("rfc5702.zone", "6.2", ts("20100101000000"), 3740, 10),
        ("rfc6605.zone", "6.1", ts("20100820000000"), 55648, 13),
        ("rfc6605.zone", "6.2", ts("20100820000000"), 10771, 14),
        ("rfc8080.zone", "6.1 ED25519 example 1", 1439000000, 3613, 15),
        ("rfc8080.zone", "6.1 ED25519 example 2", 1439000000, 35217, 15),
    ],
)
def test_algorithm_vectors(filename: str, section: str, at: int, tag: int, algorithm: int) -> None:
    rrsets = vector(filename, section)
    keys = next(r for r in rrsets if r.rdtype == dns.rdatatype.DNSKEY)
    data = next(r for r in rrsets if r.rdtype in (dns.rdatatype.A, dns.rdatatype.MX))
    (sig,) = rrsigs_for(rrsets, data)
    j = judge_rrsig(data, sig, keys, at)
    assert j.status is RrsigStatus.VALID
    assert (j.key_tag, j.algorithm) == (tag, algorithm)
    # Before the inception and after the expiration of the same signature:
    assert judge_rrsig(data, sig, keys, j.inception - 1).status is RrsigStatus.NOT_YET_VALID
    assert judge_rrsig(data, sig, keys, j.expiration + 1).status is RrsigStatus.EXPIRED


def test_time_as_datetime_and_boundaries() -> None:
    rrsets = vector("rfc4035-appendix-b.zone", "keys", "B.1")
    keys = rr(rrsets, "example.", "DNSKEY")
    mx = rr(rrsets, "x.w.example.", "MX")
    (sig,) = sigs(rrsets, "x.w.example.", "MX")
    when = datetime(2004, 5, 1, 12, tzinfo=UTC)
    assert judge_rrsig(mx, sig, keys, when).valid
    # RFC 4035 5.3.1: inception <= now <= expiration, both ends inclusive.
    assert judge_rrsig(mx, sig, keys, ts("20040409183619")).valid
    assert judge_rrsig(mx, sig, keys, ts("20040509183619")).valid
    late = judge_rrsig(mx, sig, keys, ts("20040509183620"))
    assert late.status is RrsigStatus.EXPIRED and late.signature_ok is True
    assert late.seconds_left == -1


def test_rfc4035_wildcard_expansion_is_noted() -> None:
    rrsets = vector("rfc4035-appendix-b.zone", "keys", "B.6")
    keys = rr(rrsets, "example.", "DNSKEY")
    mx = rr(rrsets, "a.z.w.example.", "MX")
    (sig,) = sigs(rrsets, "a.z.w.example.", "MX")
    j = judge_rrsig(mx, sig, keys, RFC4035_AT)
    assert j.valid
    assert j.wildcard == n("*.w.example.")
    assert RrsigWarning.WILDCARD_EXPANSION in j.warnings


def test_rsasha1_is_valid_but_deprecated() -> None:
    rrsets = vector("rfc4035-appendix-b.zone", "keys", "B.1")
    j = judge_rrsig(
        rr(rrsets, "xx.example.", "A"),
        sigs(rrsets, "xx.example.", "A")[0],
        rr(rrsets, "example.", "DNSKEY"),
        RFC4035_AT,
    )
    assert j.valid and RrsigWarning.ALGORITHM_DEPRECATED in j.warnings


# --------------------------------------------------------------------------- own data

T0 = ts("20260101000000")
T1 = ts("20260201000000")
NOW = ts("20260115000000")


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer.make("example.com.", Algorithm.ECDSAP256SHA256)


def _a(name: str = "www.example.com.", ttl: int = 300) -> dns.rrset.RRset:
    return rrset(f"{name} {ttl} IN A 192.0.2.1")


def test_valid_and_expiry_margin(signer: Signer) -> None:
    data = _a()
    j = judge_rrsig(data, signer.sign(data, T0, T1), signer.dnskey_rrset, NOW)
    assert j.status is RrsigStatus.VALID and j.signature_ok and j.time_ok
    assert j.seconds_left == T1 - NOW
    assert j.key == signer.dnskey
    assert not j.warnings


def test_type_mismatch(signer: Signer) -> None:
    data = _a()
    sig = signer.sign(data, T0, T1)
    other = rrset("www.example.com. 300 IN AAAA 2001:db8::1")
    assert judge_rrsig(other, sig, signer.dnskey_rrset, NOW).status is RrsigStatus.TYPE_MISMATCH


def test_bad_labels(signer: Signer) -> None:
    data = _a()
    sig = edited(signer.sign(data, T0, T1), labels=4)
    assert judge_rrsig(data, sig, signer.dnskey_rrset, NOW).status is RrsigStatus.BAD_LABELS
    wild = _a("*.example.com.")
    wsig = edited(signer.sign(wild, T0, T1), labels=1)
    assert judge_rrsig(wild, wsig, signer.dnskey_rrset, NOW).status is RrsigStatus.BAD_LABELS


def test_wildcard_expansion_of_own_data(signer: Signer) -> None:
    source = _a("*.example.com.")
    sig = signer.sign(source, T0, T1)
    expanded = _a("a.b.example.com.")
    j = judge_rrsig(expanded, sig, signer.dnskey_rrset, NOW)
    assert j.valid and j.wildcard == n("*.example.com.")


def test_wrong_signer(signer: Signer) -> None:
    data = _a("www.example.org.")
    sig = signer.sign(data, T0, T1)  # signer example.com. is no ancestor
    assert judge_rrsig(data, sig, signer.dnskey_rrset, NOW).status is RrsigStatus.WRONG_SIGNER
    data = _a()
    sig = signer.sign(data, T0, T1)
    j = judge_rrsig(data, sig, signer.dnskey_rrset, NOW, zone=n("www.example.com."))
    assert j.status is RrsigStatus.WRONG_SIGNER
    ds = rrset("example.com. 300 IN DS 1 13 2 " + "00" * 32)
    j = judge_rrsig(ds, signer.sign(ds, T0, T1), signer.dnskey_rrset, NOW)
    assert j.status is RrsigStatus.WRONG_SIGNER  # DS signed by the child


def test_unsupported_algorithm(signer: Signer) -> None:
    data = _a()
    for alg in (1, 3, 6, 12, 200):
        sig = edited(signer.sign(data, T0, T1), algorithm=alg)
        j = judge_rrsig(data, sig, signer.dnskey_rrset, NOW)
        assert j.status is RrsigStatus.UNSUPPORTED_ALGORITHM, alg


def test_no_matching_key(signer: Signer) -> None:
    data = _a()
    sig = signer.sign(data, T0, T1)
    other = Signer.make("example.com.", Algorithm.ECDSAP256SHA256, index=1)
    assert judge_rrsig(data, sig, other.dnskey_rrset, NOW).status is RrsigStatus.NO_MATCHING_KEY
    assert judge_rrsig(data, sig, None, NOW).status is RrsigStatus.NO_MATCHING_KEY
    foreign = Signer.make("example.net.", Algorithm.ECDSAP256SHA256)
    j = judge_rrsig(data, sig, foreign.dnskey_rrset, NOW)
    assert j.status is RrsigStatus.NO_MATCHING_KEY
    # A key without the Zone Key flag (RFC 4034 2.1.1) is no candidate:
    no_zone = dns.rrset.from_rdata(signer.zone, 3600, edited(signer.dnskey, flags=1))
    nz_sig = edited(sig, key_tag=no_zone[0].key_id())
    assert judge_rrsig(data, nz_sig, no_zone, NOW).status is RrsigStatus.NO_MATCHING_KEY


def test_revoked_key() -> None:
    revoked = Signer.make("example.com.", Algorithm.ED25519, flags=257 | 0x80)
    data = _a()
    j = judge_rrsig(data, revoked.sign(data, T0, T1), revoked.dnskey_rrset, NOW)
    assert j.status is RrsigStatus.REVOKED_KEY
    # A revoked key may still sign the DNSKEY RRset (RFC 5011 2.1) but gives no trust.
    keys = revoked.dnskey_rrset
    jk = judge_rrsig(keys, revoked.sign(keys, T0, T1), keys, NOW)
    assert jk.valid and RrsigWarning.SIGNED_BY_REVOKED_KEY in jk.warnings
    st = rrset_status(keys, [revoked.sign(keys, T0, T1)], keys, NOW)
    assert st.security is RrsetSecurity.BOGUS


def test_invalid_key(signer: Signer) -> None:
    data = _a()
    sig = signer.sign(data, T0, T1)
    broken = edited(signer.dnskey, key=b"\x01\x02")
    keys = dns.rrset.from_rdata(signer.zone, 3600, broken)
    j = judge_rrsig(data, edited(sig, key_tag=broken.key_id()), keys, NOW)
    assert j.status is RrsigStatus.INVALID_KEY


def test_bad_signature(signer: Signer) -> None:
    data = _a()
    sig = signer.sign(data, T0, T1)
    forged = edited(sig, signature=bytes(64))
    j = judge_rrsig(data, forged, signer.dnskey_rrset, NOW)
    assert j.status is RrsigStatus.BAD_SIGNATURE and j.signature_ok is False
    changed = rrset("www.example.com. 300 IN A 192.0.2.2")
    assert judge_rrsig(changed, sig, signer.dnskey_rrset, NOW).status is RrsigStatus.BAD_SIGNATURE


def test_bad_signature_wins_over_expired(signer: Signer) -> None:
    data = _a()
    forged = edited(signer.sign(data, T0, T1), signature=bytes(64))
    j = judge_rrsig(data, forged, signer.dnskey_rrset, T1 + 10)
    assert j.status is RrsigStatus.BAD_SIGNATURE and not j.time_ok


def test_not_yet_valid_and_expired(signer: Signer) -> None:
    data = _a()
    sig = signer.sign(data, T0, T1)
    early = judge_rrsig(data, sig, signer.dnskey_rrset, T0 - 3600)
    assert early.status is RrsigStatus.NOT_YET_VALID and early.signature_ok
    late = judge_rrsig(data, sig, signer.dnskey_rrset, T1 + 3600)
    assert late.status is RrsigStatus.EXPIRED and late.seconds_left == -3600


def test_is_expired_reads_the_field_as_serial_time(signer: Signer) -> None:
    """The rule diagnose uses for "the zone's data expired too" is judge_rrsig's: after
    2106 a small expiration field means a time ahead, not 1970 (RFC 4034 3.1.5)."""
    sig = signer.sign(_a(), T0, T1)
    assert not is_expired(sig, T1) and is_expired(sig, T1 + 1)
    after_2106 = (1 << 32) + 1000
    wrapped = edited(sig, expiration=after_2106 + 3600 - (1 << 32))
    assert not is_expired(wrapped, after_2106)
    assert is_expired(wrapped, after_2106 + 3601)


def test_expiration_before_inception(signer: Signer) -> None:
    data = _a()
    sig = signer.sign(data, T1, T0)
    assert judge_rrsig(data, sig, signer.dnskey_rrset, NOW).status is RrsigStatus.EXPIRED


def test_serial_number_time_after_2106(signer: Signer) -> None:
    # RFC 4034 3.1.5: the 32-bit fields wrap; a signature made in 2107 is judged
    # correctly in 2107.
    base = (1 << 32) + 1000
    data = _a()
    sig = edited(signer.sign(data, 0, 0), inception=(base - 100) % (1 << 32))
    sig = edited(sig, expiration=(base + 100) % (1 << 32))
    j = judge_rrsig(data, sig, signer.dnskey_rrset, base)
    assert j.inception == base - 100 and j.expiration == base + 100 and j.time_ok


def test_ttl_warnings(signer: Signer) -> None:
    data = _a(ttl=300)
    sig = signer.sign(data, T0, T1)  # original TTL 300
    bigger = _a(ttl=86400)
    j = judge_rrsig(bigger, sig, signer.dnskey_rrset, NOW, rrsig_ttl=86400)
    assert j.valid  # validators cap the TTL (RFC 4035 5.3.3) rather than fail
    assert RrsigWarning.ORIGINAL_TTL_MISMATCH in j.warnings
    assert RrsigWarning.RRSIG_TTL_EXCEEDS_ORIGINAL in j.warnings
    near_end = judge_rrsig(data, sig, signer.dnskey_rrset, T1 - 10)
    assert RrsigWarning.TTL_BEYOND_EXPIRATION in near_end.warnings


# --------------------------------------------------------------------------- rrset_status


def test_rrset_status_lists_every_verdict_and_uses_trusted_keys(signer: Signer) -> None:
    data = _a()
    other = Signer.make("example.com.", Algorithm.ED25519, index=3)
    keys = dns.rrset.from_rdata(signer.zone, 3600, signer.dnskey, other.dnskey)
    good = signer.sign(data, T0, T1)
    expired = other.sign(data, T0 - 100000, T0 - 1)
    st = rrset_status(data, [expired, good], keys, NOW)
    assert st.security is RrsetSecurity.SECURE
    assert [j.status for j in st.judgments] == [RrsigStatus.EXPIRED, RrsigStatus.VALID]
    assert st.trusted_keys_used == (signer.dnskey,)
    # Only the other key is trusted: nothing valid with it.
    st2 = rrset_status(data, [expired, good], keys, NOW, trusted=[other.dnskey])
    assert st2.security is RrsetSecurity.BOGUS


def test_rrset_status_unsigned_and_unsupported(signer: Signer) -> None:
    data = _a()
    assert rrset_status(data, None, signer.dnskey_rrset, NOW).security is RrsetSecurity.UNSIGNED
    gost = edited(signer.sign(data, T0, T1), algorithm=12)
    st = rrset_status(data, [gost], signer.dnskey_rrset, NOW)
    assert st.security is RrsetSecurity.UNSUPPORTED


def test_rrset_status_accepts_an_rrsig_rrset(signer: Signer) -> None:
    data = _a()
    sig = signer.sign(data, T0, T1)
    sig_rrset = dns.rrset.from_rdata(data.name, 600, sig)
    st = rrset_status(data, sig_rrset, signer.dnskey_rrset, NOW)
    assert st.secure
    assert RrsigWarning.RRSIG_TTL_EXCEEDS_ORIGINAL in st.judgments[0].warnings


def test_dnskey_rrset_self_signature(signer: Signer) -> None:
    keys = signer.dnskey_rrset
    sig: RRSIG = signer.sign(keys, T0, T1)
    assert judge_rrsig(keys, sig, keys, NOW).valid
    wrong = Signer.make("com.", Algorithm.ECDSAP256SHA256)
    child_keys = dns.rrset.from_rdata(dns.name.from_text("example.com."), 3600, wrong.dnskey)
    parent_sig = wrong.sign(child_keys, T0, T1)
    j = judge_rrsig(child_keys, parent_sig, wrong.dnskey_rrset, NOW)
    assert j.status is RrsigStatus.WRONG_SIGNER
