"""Unit tests of the verify building blocks: zone shape, loading, expiry, key sizes."""

from __future__ import annotations

import dns.name
import dns.rdata
import dns.rdatatype
import pytest

from dnssec_doctor.zonefile.expiry import summarize
from dnssec_doctor.zonefile.keys import rsa_bits
from dnssec_doctor.zonefile.load import ZoneLoadError, guess_origin, parse_zone
from dnssec_doctor.zonefile.structure import zone_shape
from dnssec_doctor.zonefile.workers import SigResult

ZONE = """$ORIGIN example.test.
$TTL 300
@ SOA ns1 host 1 2 3 4 5
@ NS ns1
ns1 A 192.0.2.1
a.b.c TXT "x"
sub NS ns.sub
sub DS 1 13 2 0000000000000000000000000000000000000000000000000000000000000000
sub A 192.0.2.7
ns.sub A 192.0.2.2
x.sub TXT "occluded"
dn DNAME elsewhere.test.
y.dn A 192.0.2.3
"""


def _n(text: str) -> dns.name.Name:
    return dns.name.from_text(text, dns.name.from_text("example.test."))


def test_zone_shape_sorts_names() -> None:
    shape = zone_shape(parse_zone(ZONE, None))
    signed = {(n.to_text(), dns.rdatatype.to_text(t)) for n, t in shape.signed}
    assert ("sub.example.test.", "DS") in signed
    assert ("sub.example.test.", "NS") not in signed
    unsigned = {(n, dns.rdatatype.RdataType.make(t).name) for n, t in shape.unsigned}
    assert {(_n("sub"), "NS"), (_n("sub"), "A"), (_n("ns.sub"), "A")} <= unsigned
    occluded = {n for n, _t in shape.occluded}
    assert occluded == {_n("x.sub"), _n("y.dn")}
    assert shape.cuts == {_n("sub")} and shape.secure_cuts == {_n("sub")}
    assert shape.ents == {_n("b.c"), _n("c")}
    assert shape.types[_n("sub")] == {dns.rdatatype.NS, dns.rdatatype.DS}


def test_guess_origin() -> None:
    assert guess_origin(ZONE) == dns.name.from_text("example.test.")
    assert guess_origin("x.test. 300 IN SOA a. b. 1 2 3 4 5\n") == dns.name.from_text("x.test.")
    assert guess_origin("@ SOA a b 1 2 3 4 5\n") is None


def test_syntax_error_names_file_and_line() -> None:
    with pytest.raises(ZoneLoadError, match=r"syntax error near z\.zone:\d+:"):
        parse_zone(ZONE + "bad A 300.1.1.1\n", None, "z.zone")


def test_rsa_bits() -> None:
    modulus = (1 << 2047) | 1
    key = bytes([3]) + (65537).to_bytes(3, "big") + modulus.to_bytes(256, "big")
    rd = dns.rdata.from_wire(1, dns.rdatatype.DNSKEY, bytes([1, 0, 3, 8]) + key, 0, 4 + len(key))
    assert rsa_bits(rd) == 2048  # type: ignore[arg-type]


def _sig(expiration: int) -> SigResult:
    return SigResult("a.", 1, 0, "VALID", "", 13, 1, 0, expiration, (), "a. RRSIG")


def test_expiry_histogram_and_warning_window() -> None:
    day = 86400
    at = 1_800_000_000 - 1_800_000_000 % day
    results = [_sig(at + day // 2), _sig(at + day // 2 + 10), _sig(at + 10 * day)]
    expiry = summarize(results, at, 7)
    assert expiry.earliest == at + day // 2 and expiry.expiring_soon == 2
    assert [n for _d, n in expiry.histogram] == [2, 1]
    assert expiry.histogram[0][0] == "2027-01-15"
