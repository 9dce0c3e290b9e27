"""validate.nsec: RFC 4035 Appendix B proofs, and one test per failure code."""

from __future__ import annotations

import dns.rdatatype
import dns.rrset

from dnssec_doctor.validate import nsec
from dnssec_doctor.validate.denial import DenialCode, DenialKind
from dnssec_doctor.validate.records import parse_records
from helpers.validate_support import n, vector

F = "rfc4035-appendix-b.zone"
A, MX, AAAA, DS = dns.rdatatype.A, dns.rdatatype.MX, dns.rdatatype.AAAA, dns.rdatatype.DS

# --------------------------------------------------------------------------- RFC 4035 B


def test_b2_name_error() -> None:
    r = nsec.prove_nxdomain(n("ml.example."), vector(F, "B.2"))
    assert r.code is DenialCode.PROVEN and r.secure and r.kind is DenialKind.NXDOMAIN
    assert r.closest_encloser == n("example.")
    assert set(r.used) == {n("b.example."), n("example.")}


def test_b2_without_the_wildcard_proof() -> None:
    only_b = [x for x in vector(F, "B.2") if x.name == n("b.example.")]
    r = nsec.prove_nxdomain(n("ml.example."), only_b)
    assert r.code is DenialCode.WILDCARD_NOT_DENIED and r.bogus


def test_b2_without_the_name_proof() -> None:
    only_apex = [x for x in vector(F, "B.2") if x.name == n("example.")]
    r = nsec.prove_nxdomain(n("ml.example."), only_apex)
    assert r.code is DenialCode.NO_COVERING_NSEC


def test_b3_no_data() -> None:
    r = nsec.prove_nodata(n("ns1.example."), MX, vector(F, "B.3"))
    assert r.code is DenialCode.PROVEN and r.used == (n("ns1.example."),)
    assert nsec.prove_nodata(n("ns1.example."), A, vector(F, "B.3")).code is (
        DenialCode.BITMAP_HAS_TYPE
    )


def test_b5_unsigned_delegation() -> None:
    r = nsec.prove_no_ds(n("b.example."), vector(F, "B.5"))
    assert r.code is DenialCode.PROVEN and r.kind is DenialKind.NO_DS


def test_b6_wildcard_answer() -> None:
    r = nsec.prove_wildcard_answer(n("a.z.w.example."), n("*.w.example."), vector(F, "B.6"))
    assert r.code is DenialCode.PROVEN and r.closest_encloser == n("w.example.")
    # The same NSEC does not prove a closer wildcard (*.z.w.example) was right:
    bad = nsec.prove_wildcard_answer(n("a.x.w.example."), n("*.w.example."), vector(F, "B.6"))
    assert bad.code is DenialCode.NO_COVERING_NSEC


def test_b7_wildcard_no_data() -> None:
    r = nsec.prove_nodata(n("a.z.w.example."), AAAA, vector(F, "B.7"))
    assert r.code is DenialCode.PROVEN and r.closest_encloser == n("w.example.")
    assert "wildcard" in r.detail
    # MX exists at the wildcard:
    assert nsec.prove_nodata(n("a.z.w.example."), MX, vector(F, "B.7")).code is (
        DenialCode.BITMAP_HAS_TYPE
    )
    # Without the wildcard NSEC the proof is incomplete:
    partial = [x for x in vector(F, "B.7") if x.name != n("*.w.example.")]
    assert nsec.prove_nodata(n("a.z.w.example."), AAAA, partial).code is (
        DenialCode.NO_MATCHING_NSEC
    )


def test_b8_child_side_ds_nodata() -> None:
    # The example zone answers for its own DS: the NSEC has SOA, so it comes from the
    # child's apex.  A validator asking the parent must not accept it (as Unbound).
    r = nsec.prove_nodata(n("example."), DS, vector(F, "B.8"))
    assert r.code is DenialCode.DELEGATION_HAS_SOA
    assert nsec.prove_no_ds(n("example."), vector(F, "B.8")).code is DenialCode.DELEGATION_HAS_SOA
    # The same NSEC is a fine NODATA proof for another type at the apex.
    assert nsec.prove_nodata(n("example."), A, vector(F, "B.8")).code is DenialCode.PROVEN


# --------------------------------------------------------------------------- own cases

ZONE = """
example. NSEC a.example. NS SOA RRSIG NSEC DNSKEY
a.example. NSEC b.c.example. A RRSIG NSEC
b.c.example. NSEC d.example. TXT RRSIG NSEC
d.example. NSEC *.e.example. NS RRSIG NSEC
*.e.example. NSEC f.example. A CNAME RRSIG NSEC
f.example. NSEC example. NS DS RRSIG NSEC
"""


def _zone() -> list[dns.rrset.RRset]:
    return parse_records(ZONE)


def test_name_exists() -> None:
    assert nsec.prove_nxdomain(n("a.example."), _zone()).code is DenialCode.NAME_EXISTS


def test_wildcard_exists() -> None:
    r = nsec.prove_nxdomain(n("x.e.example."), _zone())
    assert r.code is DenialCode.WILDCARD_EXISTS


def test_empty_non_terminal_nodata() -> None:
    r = nsec.prove_nodata(n("c.example."), A, _zone())
    assert r.code is DenialCode.PROVEN and r.detail == "empty non-terminal"


def test_last_nsec_wraps_to_apex() -> None:
    rec = nsec.nsec_records(_zone())[-1]
    assert rec.covers(n("g.example.")) and rec.covers(n("zzz.example."))
    assert not rec.covers(n("example.")) and not rec.covers(n("other."))


def test_bitmap_has_cname() -> None:
    r = nsec.prove_nodata(n("*.e.example."), AAAA, _zone())
    assert r.code is DenialCode.BITMAP_HAS_CNAME


def test_ancestor_delegation_cannot_deny_below() -> None:
    # d.example is a delegation: its NSEC covers x.d.example in canonical order but
    # cannot prove anything below the cut (RFC 6840 4.1).
    r = nsec.prove_nxdomain(n("x.d.example."), _zone())
    assert r.code is DenialCode.ANCESTOR_DELEGATION
    # NODATA for a non-DS type at the cut itself is a referral, not NODATA.
    assert nsec.prove_nodata(n("d.example."), A, _zone()).code is DenialCode.ANCESTOR_DELEGATION
    assert nsec.prove_nodata(n("d.example."), DS, _zone()).code is DenialCode.PROVEN


def test_no_ds_failures() -> None:
    zone = _zone()
    assert nsec.prove_no_ds(n("d.example."), zone).code is DenialCode.PROVEN
    assert nsec.prove_no_ds(n("f.example."), zone).code is DenialCode.DELEGATION_HAS_DS
    assert nsec.prove_no_ds(n("a.example."), zone).code is DenialCode.DELEGATION_NS_MISSING
    assert nsec.prove_no_ds(n("zz.example."), zone).code is DenialCode.NO_MATCHING_NSEC


def test_no_records() -> None:
    assert nsec.prove_nxdomain(n("x.example."), []).code is DenialCode.NO_RECORDS
    assert nsec.prove_nodata(n("x.example."), A, []).code is DenialCode.NO_RECORDS


def test_canonical_order_is_case_insensitive() -> None:
    r = nsec.prove_nodata(n("A.EXAMPLE."), MX, _zone())
    assert r.code is DenialCode.PROVEN
