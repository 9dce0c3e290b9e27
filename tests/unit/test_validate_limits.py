"""validate.limits: one test per named limit, each where it is enforced."""

from __future__ import annotations

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from dns.dnssectypes import Algorithm
from dns.rdtypes.ANY.DNSKEY import DNSKEY

from dnssec_doctor.validate import ds, limits, nsec, nsec3
from dnssec_doctor.validate.denial import DenialCode
from dnssec_doctor.validate.limits import VerificationBudget
from dnssec_doctor.validate.records import parse_records
from dnssec_doctor.validate.rrsig import (
    RrsetSecurity,
    RrsigStatus,
    judge_rrsig,
    rrset_status,
)
from helpers.validate_support import Signer, edited, n, rrset

T0, T1, NOW = 1767225600, 1769904000, 1768435200


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer.make("example.com.", Algorithm.ED25519, index=11)


def colliding_keys(real: DNSKEY, count: int) -> list[DNSKEY]:
    """``count`` DNSKEYs with the key tag of ``real`` (bytes swapped within the even
    positions keep the RFC 4034 Appendix B checksum); the first is ``real``."""
    out = [real]
    key = bytearray(real.key)
    i = 0
    while len(out) < count:
        a, b = (2 * i) % len(key), (2 * i + 2) % len(key)
        i += 1
        if key[a] == key[b]:
            continue
        key[a], key[b] = key[b], key[a]
        candidate = edited(real, key=bytes(key))
        if candidate not in out:
            out.append(candidate)
    assert {k.key_id() for k in out} == {real.key_id()}
    return out


def _a() -> dns.rrset.RRset:
    return rrset("www.example.com. 300 IN A 192.0.2.1")


def test_max_records_per_rrset(signer: Signer) -> None:
    big = dns.rrset.RRset(n("www.example.com."), dns.rdataclass.IN, dns.rdatatype.A)
    for i in range(limits.MAX_RECORDS_PER_RRSET + 1):
        big.add(
            dns.rdata.from_text(
                dns.rdataclass.IN, dns.rdatatype.A, f"10.{i // 65536}.{i // 256 % 256}.{i % 256}"
            ),
            300,
        )
    sig = signer.sign(big, T0, T1)
    j = judge_rrsig(big, sig, signer.dnskey_rrset, NOW)
    assert j.status is RrsigStatus.LIMIT_EXCEEDED


def test_max_keys_per_tag(signer: Signer) -> None:
    data = _a()
    sig = signer.sign(data, T0, T1)
    # Put the real key last so every colliding decoy is tried first.
    ok = colliding_keys(signer.dnskey, limits.MAX_KEYS_PER_TAG)[::-1]
    keys = dns.rrset.from_rdata_list(signer.zone, 3600, ok)
    assert judge_rrsig(data, sig, keys, NOW).valid
    too_many = colliding_keys(signer.dnskey, limits.MAX_KEYS_PER_TAG + 1)
    keys = dns.rrset.from_rdata_list(signer.zone, 3600, too_many)
    assert judge_rrsig(data, sig, keys, NOW).status is RrsigStatus.LIMIT_EXCEEDED
    # The same cap applies to DS matching.
    the_ds = ds.ds_for_publication(signer.zone, signer.dnskey).ds
    assert ds.match_ds(the_ds, signer.zone, too_many).status is ds.DsStatus.LIMIT_EXCEEDED
    assert ds.match_ds(the_ds, signer.zone, ok).status is ds.DsStatus.MATCH


def test_max_rrsigs_per_rrset(signer: Signer) -> None:
    data = _a()
    forged = [
        edited(signer.sign(data, T0, T1), signature=bytes([i]) * 64)
        for i in range(limits.MAX_RRSIGS_PER_RRSET + 3)
    ]
    st = rrset_status(data, forged, signer.dnskey_rrset, NOW)
    assert len(st.judgments) == limits.MAX_RRSIGS_PER_RRSET and st.skipped == 3
    assert st.security is RrsetSecurity.LIMIT_EXCEEDED


def test_max_verifications_per_rrset(signer: Signer) -> None:
    # KeyTrap shape: every RRSIG has MAX_KEYS_PER_TAG colliding candidates, none valid.
    data = _a()
    keys = dns.rrset.from_rdata_list(
        signer.zone, 3600, colliding_keys(signer.dnskey, limits.MAX_KEYS_PER_TAG)
    )
    forged = [
        edited(signer.sign(data, T0, T1), signature=bytes([i]) * 64)
        for i in range(limits.MAX_RRSIGS_PER_RRSET)
    ]
    budget = VerificationBudget()
    st = rrset_status(data, forged, keys, NOW, budget=budget)
    assert budget.spent == limits.MAX_VERIFICATIONS_PER_RRSET
    statuses = [j.status for j in st.judgments]
    per_sig = limits.MAX_KEYS_PER_TAG
    bad = limits.MAX_VERIFICATIONS_PER_RRSET // per_sig
    assert statuses[:bad] == [RrsigStatus.BAD_SIGNATURE] * bad
    assert set(statuses[bad:]) == {RrsigStatus.LIMIT_EXCEEDED}
    assert st.security is RrsetSecurity.LIMIT_EXCEEDED


def test_max_verifications_per_query(signer: Signer) -> None:
    assert VerificationBudget().remaining == limits.MAX_VERIFICATIONS_PER_QUERY
    data = _a()
    sig = signer.sign(data, T0, T1)
    budget = VerificationBudget(remaining=1)
    assert judge_rrsig(data, sig, signer.dnskey_rrset, NOW, budget=budget).valid
    assert budget.exhausted and budget.spent == 1
    j = judge_rrsig(data, sig, signer.dnskey_rrset, NOW, budget=budget)
    assert j.status is RrsigStatus.LIMIT_EXCEEDED
    st = rrset_status(data, [sig], signer.dnskey_rrset, NOW, budget=budget)
    assert st.security is RrsetSecurity.LIMIT_EXCEEDED


def test_max_ds_per_rrset(signer: Signer) -> None:
    good = ds.ds_for_publication(signer.zone, signer.dnskey).ds
    many = [edited(good, key_tag=i) for i in range(limits.MAX_DS_PER_RRSET + 4)] + [good]
    result = ds.match_ds_set(many, signer.zone, [signer.dnskey])
    assert len(result.judgments) == limits.MAX_DS_PER_RRSET and result.skipped == 5
    assert result.status is ds.DsSetStatus.NO_MATCH  # the good one was never looked at


def test_max_nsec3_iterations() -> None:
    h = dns.dnssec.nsec3_hash("example.", "aa", limits.MAX_NSEC3_ITERATIONS + 1, 1).lower()
    chain = parse_records(
        f"{h}.example. 3600 IN NSEC3 1 0 {limits.MAX_NSEC3_ITERATIONS + 1} aa {h} NS SOA"
    )
    r = nsec3.prove_nxdomain(n("a.example."), chain)
    assert r.code is DenialCode.NSEC3_ITERATIONS_TOO_HIGH and r.insecure


def test_max_denial_records() -> None:
    names = [f"n{i:03d}.example." for i in range(limits.MAX_DENIAL_RECORDS + 1)]
    text = "".join(
        f"{a} 3600 IN NSEC {b} A\n" for a, b in zip(names, [*names[1:], "example."], strict=True)
    )
    r = nsec.prove_nxdomain(n("zzz.example."), parse_records(text))
    assert r.code is DenialCode.LIMIT_EXCEEDED
    h = [dns.dnssec.nsec3_hash(x, None, 0, 1).lower() for x in names]
    text3 = "".join(f"{x}.example. 3600 IN NSEC3 1 0 0 - {x} A\n" for x in h)
    r3 = nsec3.prove_nxdomain(n("zzz.example."), parse_records(text3))
    assert r3.code is DenialCode.LIMIT_EXCEEDED


def test_max_nsec3_hashes_per_proof() -> None:
    h = dns.dnssec.nsec3_hash("example.", None, 0, 1).lower()
    chain = parse_records(f"{h}.example. 3600 IN NSEC3 1 0 0 - {h} NS SOA")
    deep = dns.name.from_text(
        ".".join(["a"] * (limits.MAX_NSEC3_HASHES_PER_PROOF + 5)), n("example.")
    )
    r = nsec3.prove_nxdomain(deep, chain)
    assert r.code is DenialCode.LIMIT_EXCEEDED
    shallow = dns.name.from_text("a.a.a", n("example."))
    assert nsec3.prove_nxdomain(shallow, chain).code is DenialCode.PROVEN


def test_limits_are_positive_integers() -> None:
    for name in limits.__all__:
        value = getattr(limits, name)
        if name.isupper():
            assert isinstance(value, int) and value > 0, name
    assert limits.NSEC3_ITERATIONS_STRICT_LIMIT < limits.MAX_NSEC3_ITERATIONS


def test_max_records_per_rrset_applies_to_the_dnskey_rrset(signer: Signer) -> None:
    data = _a()
    sig = signer.sign(data, T0, T1)
    keys = [signer.dnskey] + [
        edited(signer.dnskey, key=i.to_bytes(4, "big") * 8)
        for i in range(limits.MAX_RECORDS_PER_RRSET)
    ]
    rrset_ = dns.rrset.from_rdata_list(signer.zone, 3600, keys)
    assert judge_rrsig(data, sig, rrset_, NOW).status is RrsigStatus.LIMIT_EXCEEDED


def _big_exponent_signer() -> Signer:
    """An RSASHA256 key pair whose public exponent is as long as its 2048-bit modulus
    (a real key: d is small, e = d^-1): valid signatures, ~80x the verification cost."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from dns.dnssecalgs import get_algorithm_cls

    numbers = rsa.generate_private_key(65537, 2048).private_numbers()
    p, q = numbers.p, numbers.q
    phi = (p - 1) * (q - 1)
    d = (1 << 160) + 1
    while True:
        try:
            e = pow(d, -1, phi)
            break
        except ValueError:
            d += 2
    private_numbers = rsa.RSAPrivateNumbers(
        p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p), rsa.RSAPublicNumbers(e, p * q)
    )
    key = private_numbers.private_key(unsafe_skip_rsa_key_validation=True)
    assert key.public_key().public_numbers().e.bit_length() > limits.MAX_RSA_EXPONENT_BITS
    cls = get_algorithm_cls(Algorithm.RSASHA256)
    private = cls(key)
    dnskey = dns.dnssec.make_dnskey(private.public_key(), Algorithm.RSASHA256, 257)
    return Signer(n("example.com."), private, dnskey)


def test_max_rsa_exponent_bits(monkeypatch: pytest.MonkeyPatch) -> None:
    from dnssec_doctor.validate import fastsig

    big = _big_exponent_signer()
    sig = big.sign(_a(), T0, T1)
    fastsig.verifier.cache_clear()
    refused = judge_rrsig(_a(), sig, big.dnskey_rrset, NOW)
    assert refused.status is RrsigStatus.INVALID_KEY
    # The same signature verifies once the limit is lifted: it is the limit that refused.
    monkeypatch.setattr(limits, "MAX_RSA_EXPONENT_BITS", 4096)
    fastsig.verifier.cache_clear()
    try:
        assert judge_rrsig(_a(), sig, big.dnskey_rrset, NOW).status is RrsigStatus.VALID
    finally:
        fastsig.verifier.cache_clear()


def test_max_rsa_modulus_bits() -> None:
    from dnssec_doctor.validate import fastsig

    def rsa_key(modulus_bits: int) -> bytes:
        modulus = (1 << (modulus_bits - 1)) | 1
        return bytes([1, 1, 3, 8, 1, 3]) + modulus.to_bytes(modulus_bits // 8, "big")

    assert fastsig.verifier(rsa_key(limits.MAX_RSA_MODULUS_BITS)) is not None
    assert fastsig.verifier(rsa_key(limits.MAX_RSA_MODULUS_BITS + 8)) is None


def test_key_tag_is_dnspythons_and_cheap() -> None:
    # validate.records.key_tag: the RFC 4034 Appendix B sum without dnspython's Python
    # loop (KeyTrap-style sets of big RSA keys spent 1.6 s in key tags alone)
    import random
    import time

    from dnssec_doctor.validate.records import key_tag

    rng = random.Random(4034)
    keys = [
        DNSKEY(dns.rdataclass.IN, dns.rdatatype.DNSKEY, rng.choice([256, 257, 385]), 3,
               rng.choice([1, 8, 13, 15]), rng.randbytes(rng.randint(1, 520)))
        for _ in range(500)
    ]  # fmt: skip
    assert [key_tag(k) for k in keys] == [k.key_id() for k in keys]
    big = DNSKEY(dns.rdataclass.IN, dns.rdatatype.DNSKEY, 257, 3, 8, rng.randbytes(771))
    began = time.process_time()
    for _ in range(10_000):
        key_tag(big)
    assert time.process_time() - began < 0.5
