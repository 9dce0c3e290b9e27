"""Property tests: hostile mutations never make a judgment raise, and a mutated
signature (or signed data) is never judged VALID."""

from __future__ import annotations

from functools import cache

import dns.message
import dns.name
import dns.rdatatype
import dns.rrset
from dns.dnssectypes import Algorithm
from dns.rdtypes.ANY.RRSIG import RRSIG
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dnssec_doctor.model.evidence import ResponseDecodeError, decode_message
from dnssec_doctor.validate import ds, nsec, nsec3
from dnssec_doctor.validate.records import rrsigs_for
from dnssec_doctor.validate.rrsig import RrsigStatus, judge_rrsig, rrset_status
from helpers.validate_support import Signer, edited, rr, rrset, sigs, ts, vector

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# (data RRset, RRSIG, DNSKEY RRset, time) from the RFCs, one per algorithm family.
Case = tuple[dns.rrset.RRset, RRSIG, dns.rrset.RRset, int]


@cache
def rfc_cases() -> list[Case]:
    out: list[Case] = []
    b1 = vector("rfc4035-appendix-b.zone", "keys", "B.1")
    out.append(
        (rr(b1, "x.w.example.", "MX"), sigs(b1, "x.w.example.", "MX")[0],
         rr(b1, "example.", "DNSKEY"), ts("20040501120000"))
    )  # fmt: skip
    for filename, section, at in [
        ("rfc5702.zone", "6.1", ts("20100101000000")),
        ("rfc6605.zone", "6.1", ts("20100820000000")),
        ("rfc6605.zone", "6.2", ts("20100820000000")),
        ("rfc8080.zone", "6.1 ED25519 example 1", 1439000000),
    ]:
        rrsets = vector(filename, section)
        keys = next(r for r in rrsets if r.rdtype == dns.rdatatype.DNSKEY)
        data = next(r for r in rrsets if r.rdtype in (dns.rdatatype.A, dns.rdatatype.MX))
        out.append((data, rrsigs_for(rrsets, data)[0], keys, at))
    for data, sig, keys, at in out:
        assert judge_rrsig(data, sig, keys, at).valid
    return out


@given(case=st.integers(0, 4), data=st.data())
@SETTINGS
def test_mutated_signature_is_never_valid(case: int, data: st.DataObject) -> None:
    rrset_, sig, keys, at = rfc_cases()[case]
    raw = bytearray(sig.signature)
    i = data.draw(st.integers(0, len(raw) - 1))
    new = data.draw(st.integers(0, 255).filter(lambda b: b != raw[i]))
    raw[i] = new
    j = judge_rrsig(rrset_, edited(sig, signature=bytes(raw)), keys, at)
    assert j.status is not RrsigStatus.VALID


@given(case=st.integers(0, 4), cut=st.integers(0, 600))
@SETTINGS
def test_truncated_or_extended_signature_is_never_valid(case: int, cut: int) -> None:
    rrset_, sig, keys, at = rfc_cases()[case]
    assume(cut != len(sig.signature))
    changed = (sig.signature * 3)[:cut]
    assert judge_rrsig(rrset_, edited(sig, signature=changed), keys, at).status is not (
        RrsigStatus.VALID
    )


_FIELDS = st.sampled_from(
    ["labels", "original_ttl", "key_tag", "inception", "expiration", "algorithm", "signer",
     "type_covered"]
)  # fmt: skip


@given(case=st.integers(0, 4), field=_FIELDS, value=st.integers(0, 2**32 - 1))
@SETTINGS
def test_mutated_rrsig_field_is_never_valid(case: int, field: str, value: int) -> None:
    rrset_, sig, keys, at = rfc_cases()[case]
    if field == "signer":
        new_value: object = dns.name.from_text(f"x{value}.example.")
    elif field in ("labels", "algorithm"):
        new_value = value % 256
    elif field in ("key_tag", "type_covered"):
        new_value = value % 65536
    else:
        new_value = value
    assume(getattr(sig, field) != new_value)
    j = judge_rrsig(rrset_, edited(sig, **{field: new_value}), keys, at)
    assert j.status is not RrsigStatus.VALID


@given(case=st.integers(0, 4), index=st.integers(0, 64), byte=st.integers(0, 255))
@SETTINGS
def test_mutated_rdata_is_never_valid(case: int, index: int, byte: int) -> None:
    rrset_, sig, keys, at = rfc_cases()[case]
    rd = rrset_[0]
    wire = bytearray(rd.to_digestable())
    i = index % len(wire)
    assume(wire[i] != byte)
    wire[i] = byte
    try:
        new_rd = dns.rdata.from_wire(rd.rdclass, rd.rdtype, bytes(wire), 0, len(wire))
    except Exception:  # not a parsable rdata any more: nothing to judge
        return
    assume(new_rd.to_digestable() != rd.to_digestable())
    changed = dns.rrset.from_rdata(rrset_.name, rrset_.ttl, new_rd)
    assert judge_rrsig(changed, sig, keys, at).status is not RrsigStatus.VALID


@given(case=st.integers(0, 4), ttl=st.integers(0, 2**31 - 1))
@SETTINGS
def test_ttl_is_not_signed(case: int, ttl: int) -> None:
    # The RRset TTL is not covered (the Original TTL is): still VALID, warned if above.
    rrset_, sig, keys, at = rfc_cases()[case]
    changed = dns.rrset.from_rdata_list(rrset_.name, ttl, list(rrset_))
    j = judge_rrsig(changed, sig, keys, at)
    assert j.valid
    assert (ttl > sig.original_ttl) == ("ORIGINAL_TTL_MISMATCH" in j.warnings)


# --------------------------------------------------------------------------- whole answers


@cache
def signed_response() -> tuple[bytes, dns.rrset.RRset, frozenset[tuple[bytes, ...]]]:
    signer = Signer.make("example.com.", Algorithm.ECDSAP256SHA256, index=21)
    t0, t1 = ts("20260101000000"), ts("20260201000000")
    answer = rrset("www.example.com. 300 IN A 192.0.2.1\n")
    proof = rrset("example.com. 300 IN NSEC zzz.example.com. A NS SOA RRSIG NSEC DNSKEY")
    q = dns.message.make_query("www.example.com.", "A", want_dnssec=True)
    q.id = 7
    msg = dns.message.make_response(q)
    for section, r in ((msg.answer, answer), (msg.authority, proof)):
        section.append(r)
        section.append(dns.rrset.from_rdata(r.name, r.ttl, signer.sign(r, t0, t1)))
    genuine = frozenset({_signed_form(answer), _signed_form(proof)})
    return msg.to_wire(), signer.dnskey_rrset, genuine


def _signed_form(r: dns.rrset.RRset) -> tuple[bytes, ...]:
    return (
        r.name.canonicalize().to_wire() or b"",
        int(r.rdtype).to_bytes(2, "big"),
        *sorted(rd.to_digestable(dns.name.root) for rd in r),
    )


@given(data=st.data())
@SETTINGS
def test_mutated_signed_response_never_raises_nor_validates_changed_data(
    data: st.DataObject,
) -> None:
    wire, keys, genuine = signed_response()
    mutated = bytearray(wire)
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(12, len(mutated) - 1))
        mutated[i] = data.draw(st.integers(0, 255))
    try:
        msg = decode_message(bytes(mutated))
    except ResponseDecodeError:
        return
    at = ts("20260115000000")
    qname = dns.name.from_text("www.example.com.")
    for section in (msg.answer, msg.authority, msg.additional):
        rrsets = list(section)
        for r in rrsets:
            if r.rdtype == dns.rdatatype.RRSIG:
                continue
            st_ = rrset_status(r, rrsigs_for(rrsets, r), keys, at)
            for j in st_.judgments:
                if j.valid:
                    # Only the genuine signed data can be VALID (TTL and case may vary).
                    assert _signed_form(r) in genuine, r
        # Denial proofs and DS matching on whatever came out must not raise either.
        nsec.prove_nxdomain(qname, rrsets)
        nsec.prove_nodata(qname, dns.rdatatype.A, rrsets)
        nsec3.prove_nxdomain(qname, rrsets)
        ds.match_ds_set([], qname, [k for k in keys])
