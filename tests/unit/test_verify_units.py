"""Unit tests of the verify building blocks: zone shape, node grouping, loading,
expiry, key sizes, wire helpers."""

from __future__ import annotations

import time
from pathlib import Path

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest
from dns.rdtypes.ANY.DNSKEY import DNSKEY

from dnssec_doctor.services.verify import verify_file
from dnssec_doctor.zonefile import cutscan, wire
from dnssec_doctor.zonefile.expiry import summarize
from dnssec_doctor.zonefile.keys import rsa_bits
from dnssec_doctor.zonefile.load import ZoneLoadError, fast_records, guess_origin, open_zone
from dnssec_doctor.zonefile.nodes import Unordered, sorted_nodes, stream_nodes
from dnssec_doctor.zonefile.reader import Record
from dnssec_doctor.zonefile.structure import Placement, Role, ZoneShape
from dnssec_doctor.zonefile.workers import SigResult, Tally
from helpers.verify_helpers import verify_both

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


def _w(text: str) -> bytes:
    name = dns.name.from_text(text, dns.name.from_text("example.test."))
    return (name.to_wire() or b"").lower()


def _shape(tmp_path: Path, text: str) -> tuple[ZoneShape, dict[bytes, Placement]]:
    path = tmp_path / "z.zone"
    path.write_text(text)
    with open_zone(str(path)) as source:
        shape = ZoneShape(source.origin_wire)
        placed = {n.owner: shape.classify(n) for n in stream_nodes(fast_records(source))}
    return shape, placed


def test_zone_shape_sorts_names(tmp_path: Path) -> None:
    shape, placed = _shape(tmp_path, ZONE)
    assert placed[_w("sub")].role is Role.CUT
    assert placed[_w("sub")].signed == [dns.rdatatype.DS]
    assert set(placed[_w("sub")].unsigned) == {dns.rdatatype.NS, dns.rdatatype.A}
    assert placed[_w("ns.sub")].role is Role.BELOW_CUT
    assert placed[_w("ns.sub")].unsigned == [dns.rdatatype.A]
    assert placed[_w("x.sub")].occluded == [dns.rdatatype.TXT]
    assert placed[_w("y.dn")].role is Role.BELOW_DNAME
    assert placed[_w("y.dn")].occluded == [dns.rdatatype.A]
    assert shape.occluded_count == 2
    assert {n for n, _t in shape.occluded_sample} == {_w("x.sub"), _w("y.dn")}
    assert shape.cuts == {_w("sub")} and shape.secure_cuts == {_w("sub")}
    assert shape.ents == {_w("b.c"), _w("c")}
    assert shape.types[_w("sub")] == {dns.rdatatype.NS, dns.rdatatype.DS}


def test_a_cut_after_names_below_it_is_unordered(tmp_path: Path) -> None:
    text = ZONE.replace("ns.sub A 192.0.2.2\n", "")
    with pytest.raises(Unordered):
        _shape(tmp_path, text.replace("sub NS ns.sub\n", "ns.sub A 192.0.2.2\nsub NS ns.sub\n"))


def _rec(owner: str, rdtype: int, rdata: bytes, ttl: int = 300) -> Record:
    return Record(_w(owner), ttl, rdtype, rdata, 1)


def test_nodes_merge_duplicates_keep_lowest_ttl_and_detect_scattered_owners() -> None:
    a1, a2 = b"\xc0\x00\x02\x01", b"\xc0\x00\x02\x02"
    records = [_rec("a", 1, a1, 300), _rec("a", 1, a1, 100), _rec("a", 1, a2, 200)]
    (node,) = stream_nodes(records)
    data = node.get(1)
    assert data is not None and data.ttl == 100 and data.rdatas == [a1, a2]
    scattered = [_rec("a", 1, a1), _rec("b", 1, a1), _rec("a", 1, a2)]
    with pytest.raises(Unordered):
        list(stream_nodes(scattered))
    apex = _w("@")
    ordered = [n.owner for n in sorted_nodes([*scattered, _rec("@", 1, a1)], apex)]
    assert ordered == [apex, _w("a"), _w("b")]


def test_scattered_zone_verifies_as_when_grouped(tmp_path: Path) -> None:
    """A zone whose owners are spread over the file is read again, held, and gives
    the same report as the same zone grouped."""
    grouped = tmp_path / "grouped.zone"
    grouped.write_text(ZONE)
    scattered = tmp_path / "scattered.zone"
    scattered.write_text(ZONE + "ns1 AAAA 2001:db8::1\n")
    grouped.write_text(ZONE.replace("ns1 A 192.0.2.1\n", "ns1 A 192.0.2.1\nns1 AAAA 2001:db8::1\n"))
    at = int(time.time())
    one, two = verify_file(str(grouped), at), verify_file(str(scattered), at)
    assert one.findings == two.findings
    assert one.stats.records == two.stats.records


def test_wire_helpers() -> None:
    name = _w("a.b.c")
    origin = _w("@")
    assert wire.labels(name) == [b"a", b"b", b"c", b"example", b"test"]
    assert wire.ancestors(name, origin) == [_w("b.c"), _w("c")]
    assert wire.ancestors(origin, origin) == []
    assert wire.is_subdomain(name, origin) and not wire.is_subdomain(origin, name)
    assert not wire.is_subdomain(b"\x02xa" + origin[2:], origin)
    assert wire.parent(name) == _w("b.c")
    names = [_w(t) for t in ("z", "@", "a", "*.z", "b.a", "\\001")]
    ordered = sorted(names, key=wire.canonical_key)
    want = sorted(dns.name.from_wire(n, 0)[0] for n in names)
    assert [dns.name.from_wire(n, 0)[0] for n in ordered] == want
    assert wire.bitmap_types(bytes([0, 6, 0x40, 0x01, 0, 0, 0, 0x03])) == {1, 15, 46, 47}
    with pytest.raises(ValueError):
        wire.bitmap_types(bytes([0, 40]) + bytes(40))
    h = wire.nsec3_hash(_w("@"), b"", 0)
    assert wire.from_b32(wire.b32(h).lower().encode()) == h
    assert wire.from_b32(b"not-base32") is None


def test_guess_origin() -> None:
    assert guess_origin(ZONE) == dns.name.from_text("example.test.")
    assert guess_origin("x.test. 300 IN SOA a. b. 1 2 3 4 5\n") == dns.name.from_text("x.test.")
    assert guess_origin("@ SOA a b 1 2 3 4 5\n") is None


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "z.zone"
    path.write_text(ZONE + "bad A 300.1.1.1\n")
    with pytest.raises(ZoneLoadError, match=r"syntax error at .*z\.zone:14:"):
        verify_file(str(path), 0)
    with pytest.raises(ZoneLoadError, match=r"syntax error at .*z\.zone:\d+:"):
        verify_file(str(path), 0, reference=True)


def test_rsa_bits() -> None:
    modulus = (1 << 2047) | 1
    key = bytes([3]) + (65537).to_bytes(3, "big") + modulus.to_bytes(256, "big")
    rd = dns.rdata.from_wire(
        dns.rdataclass.IN, dns.rdatatype.DNSKEY, bytes([1, 0, 3, 8]) + key, 0, 4 + len(key)
    )
    assert isinstance(rd, DNSKEY)
    assert rsa_bits(rd) == 2048


def _sig(expiration: int) -> SigResult:
    return SigResult("a.", 1, 0, "VALID", "", 13, 1, 0, expiration, (), "a. RRSIG")


def test_expiry_histogram_and_warning_window() -> None:
    day = 86400
    at = 1_800_000_000 - 1_800_000_000 % day
    tally = Tally()
    for result in [_sig(at + day // 2 + 10), _sig(at + day // 2), _sig(at + 10 * day)]:
        tally.count(result, at, at + 7 * day)
    expiry = summarize(tally, 7)
    assert expiry.earliest == at + day // 2 and expiry.expiring_soon == 2
    assert [n for _d, n in expiry.histogram] == [2, 1]
    assert expiry.histogram[0][0] == "2027-01-15"


D = b"d.example.test."


@pytest.mark.parametrize(
    ("text", "cuts", "dnames"),
    [
        (
            b"$ORIGIN example.test.\n$TTL 300\n@ SOA a b 1 2 3 4 5\nd NS x\n",
            {b"d.example.test."},
            set(),
        ),
        (
            b"@ NS a\nd.example.test. 300 IN NS x\nd.example.test. 300 IN RRSIG NS 13 3 300 (\n",
            {b"d.example.test."},
            set(),
        ),
        (b'a 300 IN NSEC b A NS SOA RRSIG\nt TXT "x NS y"\n  NS z\n', set(), set()),
        (b"w 60 CLASS1 DNAME elsewhere.", set(), {b"w.example.test."}),  # no final newline
        (b"e\\.x NS y\n", set(), set()),  # an escape: text cannot name it
        (
            b"c CNAME x\nn 60 IN NAME x\nm TXT DNS\td\tDNAME\tx\nD DNAME\tx\n",
            set(),
            {b"d.example.test."},
        ),
    ],
    ids=["relative", "absolute-and-rrsig", "not-a-type-word", "dname", "escaped", "cname"],
)
def test_cutscan_finds_ns_and_dname_owners(
    tmp_path: Path, text: bytes, cuts: set[bytes], dnames: set[bytes]
) -> None:
    zone = tmp_path / "z"
    zone.write_bytes(text)
    found = cutscan.scan(str(zone), 0, b"example.test.")
    assert found is not None and found.cuts == cuts and found.dnames == dnames


CUTSCAN_TEXT = (
    b"$TTL 300\n@ SOA a b 1 2 3 4 5\n\t300 NS ns1\nd NS x\nd RRSIG NS 13 2 300 ( 1 2 3 e. AA== )\n"
    b"ns.d A 192.0.2.1\nx.w DNAME y.\n$ORIGIN example.test.\nc CNAME d\n"
    + b'long TXT "'
    + b"NS " * 40
    + b'"\n'
    + b"".join(b"h%d NS x\n" % i for i in range(20))
    + b"last NS x"  # no final newline
)


@pytest.mark.parametrize("block", [1, 2, 3, 7, 16, 64, 1 << 20])
def test_cutscan_finds_the_same_whatever_the_block_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """Blocks that end inside a line, lines longer than a block, the last line without
    its newline: the same owners as the whole file searched at once."""
    zone = tmp_path / "z"
    zone.write_bytes(CUTSCAN_TEXT)
    monkeypatch.setattr(cutscan, "BLOCK_BYTES", block)
    found = cutscan.scan(str(zone), 0, b"example.test.")
    hosts = {b"h%d.example.test." % i for i in range(20)}
    assert found is not None
    assert found.cuts == {b"d.example.test.", b"last.example.test.", *hosts}
    assert found.dnames == {b"x.w.example.test."}
    start = CUTSCAN_TEXT.index(b"c CNAME")  # from a byte on: what comes after it only
    after = cutscan.scan(str(zone), start, b"example.test.")
    assert after is not None and after.cuts == {b"last.example.test.", *hosts}
    assert not after.dnames


@pytest.mark.parametrize(
    "text",
    [b"@ SOA a b 1 2 3 4 5\n$ORIGIN sub.example.test.\nd NS x\n", b"$INCLUDE keys\nd NS x\n"],
)
def test_cutscan_gives_up_where_directives_change_names(tmp_path: Path, text: bytes) -> None:
    zone = tmp_path / "z"
    zone.write_bytes(text)
    assert cutscan.scan(str(zone), 0, b"example.test.") is None


def test_cutscan_wire_names() -> None:
    assert cutscan.to_wire(b"a.example.") == b"\x01a\x07example\x00"
    assert cutscan.to_wire(b".") == b"\x00"
    assert cutscan.to_wire(b"a..example.") is None and cutscan.to_wire(b"x" * 64 + b".") is None
    owners = cutscan.CutOwners(frozenset({b"d.example."}), frozenset({b"w.example."}))
    assert owners.as_wire() == (
        frozenset({b"\x01d\x07example\x00"}),
        frozenset({b"\x01w\x07example\x00"}),
    )


def test_apex_records_after_other_names_are_not_missing(tmp_path: Path) -> None:
    """A transfer (or a file) may send the apex's NS after other names: the zone is
    read sorted, not refused for "no NS RRset at the origin"."""
    zone = tmp_path / "scattered.zone"
    zone.write_text(
        "example.test. 300 IN SOA ns1.example.test. h.example.test. 1 2 3 4 5\n"
        "www.example.test. 300 IN A 192.0.2.1\n"
        "example.test. 300 IN NS ns1.example.test.\n"
        "ns1.example.test. 300 IN A 192.0.2.2\n"
    )
    report = verify_both(zone, int(time.time()))
    assert report.stats.reading == "sorted"
    assert {f.code for f in report.findings} == {"ZONE_UNSIGNED"}


def test_nsec3_owner_hash_as_from_b32() -> None:
    """chain_nsec3's fast base32hex decode gives what nsec3hash.from_b32 gives."""
    import os

    from dnssec_doctor.validate.nsec3hash import b32, from_b32
    from dnssec_doctor.zonefile.chain_nsec3 import _hash_of

    for size in range(30):
        raw = os.urandom(size)
        text = b32(raw).encode()
        for label in (text, text.lower(), text + b"0", text[:-1], text.replace(b"A", b"W"), b"*"):
            assert _hash_of(label) == from_b32(label), label


def test_cutscan_gives_up_on_a_line_longer_than_the_reader_allows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its buffer is not grown without bound for one line (issue 17, class 6)."""
    zone = tmp_path / "z"
    zone.write_bytes(b"a NS x\n" + b"b" * 200 + b" NS y\nc NS z\n")
    monkeypatch.setattr(cutscan, "BLOCK_BYTES", 16)
    monkeypatch.setattr(cutscan, "MAX_LINE_BYTES", 64)
    assert cutscan.scan(str(zone), 0, b"example.test.") is None
    monkeypatch.setattr(cutscan, "MAX_LINE_BYTES", 256)
    found = cutscan.scan(str(zone), 0, b"example.test.")
    assert found is not None and len(found.cuts) == 3
