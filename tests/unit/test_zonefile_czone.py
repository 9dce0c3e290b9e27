"""The C extension of the zone reader (``zonefile/_czone.c``) against reader.py alone.

The C reader must give exactly the records (line numbers included) or exactly the
error that the pure-Python reader gives, on any text: it reads the plain records
itself and hands every other record back to reader.py.  Under ``CI`` the extension
must have been built (``pip install -e .`` compiles it), so CI cannot silently test
only the fallback.
"""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnssec_doctor.validate import fastsig
from dnssec_doctor.zonefile import reader
from dnssec_doctor.zonefile.reader import Record, ZoneSyntaxError, read_records

needs_c = pytest.mark.skipif(
    not reader.c_reader_enabled() and not os.environ.get("CI"),
    reason="the C extension _czone is not built (no compiler?): reader.py alone is used",
)

Outcome = tuple[str, object]


def outcome(text: str, pure: bool, origin: str | None = "example.com.") -> Outcome:
    saved = reader._CZONE
    if pure:
        reader._CZONE = None
    try:
        return "records", list(read_records(io.StringIO(text), origin))
    except ZoneSyntaxError as exc:
        return "error", str(exc)
    finally:
        reader._CZONE = saved


def assert_same(text: str, origin: str | None = "example.com.") -> Outcome:
    c = outcome(text, False, origin)
    python = outcome(text, True, origin)
    assert c == python, f"C and Python readers differ on {text!r}"
    return c


def test_extension_built_under_ci() -> None:
    if os.environ.get("CI"):
        assert reader.c_reader_enabled(), "CI: the C extension _czone did not build"
    elif not reader.c_reader_enabled():
        pytest.skip("the C extension is not built here")


@needs_c
def test_c_path_reads_the_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plain records of a signed zone come from C, not from reader.py."""
    assert reader._CZONE is not None
    scan = reader._CZONE.scan
    from_c = 0

    class Counting:
        @staticmethod
        def scan(*args: object) -> object:
            nonlocal from_c
            result = scan(*args)
            from_c += len(result[0])
            return result

    monkeypatch.setattr(reader, "_CZONE", Counting)
    records = list(read_records(io.StringIO(SIGNED), "example.com."))
    assert len(records) == 14, records
    assert from_c == len(records) - 1  # all but the SOA, which reader.py reads


SIGNED = """; dnssec-signzone's layout
example.com.\t\t300\tIN SOA\tns1.example.com. hostmaster.example.com. (
\t\t\t\t\t2 7200 3600 1209600 300 )
\t\t\t3600\tRRSIG\tSOA 13 2 3600 (
\t\t\t\t\t20261225043316 20261125043316 26356 example.com.
\t\t\t\t\tK8MnFuwc0U5RWyuWGlvj3RX/CiNOiGuFl5fP
\t\t\t\t\tzlkPRHTJvY6YxMQK5qhRxaeHzw/MrfQsFWSV
\t\t\t\t\taiU9PPOIhTS3pg== )
\t\t\t3600\tNS\tns1.example.com.
\t\t\t3600\tDNSKEY\t256 3 13 (
\t\t\t\t\tOXFcB36Cf2SS8Q/Me7VZw+wyyYrfBisRn3mH
\t\t\t\t\tl7Z/Hn27fvXYDIRZFVuhpmM6pPBwgDzkgma8
\t\t\t\t\tBdyAn5PWLkVDTw==
\t\t\t\t\t) ; ZSK; alg = ECDSAP256SHA256 ; key id = 26356
\t\t\t0\tNSEC3PARAM 1 0 0 -
992ukol4enan0do0tec8tidaf2r6oa3k.example.com. 300 IN NSEC3 1 0 0 - (
\t\t\t\t\t99I65PVGTVC5DBHD2LAEN88B2IM22MTK A RRSIG )
x.example.com.\t300\tIN NSEC\ty.Example.com. A NS RRSIG NSEC
sub.example.com.\t300\tIN DS\t12345 13 2 (
\t\t0123456789abcdef0123456789abcdef 0123456789abcdef0123456789ABCDEF )
ns1.example.com.\t3600\tIN A\t192.0.2.1
\t\t\t3600\tAAAA\t2001:db8::1
\t\t\t3600\tMX\t10 mail.example.com.
\t\t\t3600\tTXT\t"a b" c "(d;e)" ""
\t\t\t3600\tCNAME\tWWW
\t\t\t3600\tRRSIG\tTXT 13 3 3600 20261225043316 1764547200 26356 example.com. AAAAAA==
"""


def test_signed_layout_same() -> None:
    kind, _ = assert_same(SIGNED)
    assert kind == "records"


def many_blocks() -> str:
    """More than a few 1 MiB blocks: records cut by every block boundary."""
    out = ["$TTL 300\n@ SOA ns hm 1 2 3 4 5\n"]
    i = 0
    while sum(map(len, out)) < 2_600_000:
        out.append(
            f"h{i} A 10.0.{i >> 8 & 255}.{i & 255}\n"
            f"\tRRSIG A 13 3 300 (\n\t\t20261225043316 20261125043316 {i & 0xFFFF} example.com.\n"
            f"\t\tK8MnFuwc0U5RWyuWGlvj3RX/CiNOiGuFl5fP{'A' * (i % 7)}\n\t\tzlkP{'=' * (i % 3)} )\n"
            f'\tTXT "x{i}" ( y\n z )\n'
        )
        i += 1
    return "".join(out)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_block_boundaries_same(newline: str) -> None:
    text = many_blocks().replace("\n", newline)
    assert_same(text)


def test_include_and_origin_changes_same(tmp_path: Path) -> None:
    (tmp_path / "inc").write_text("a 5 A 192.0.2.1\n  NS @\n$ORIGIN deeper\nb NS c\n")
    text = (
        f"$ORIGIN Example.COM.\n$TTL 9\nx NS y\n$INCLUDE {tmp_path / 'inc'} other.\n"
        "  MX 1 z\nw NS v\n$TTL 1h\nq A 192.0.2.9\n"
    )
    kind, records = assert_same(text)
    assert kind == "records"
    assert isinstance(records, list) and len(records) == 7


# --- hostile and corrupted input -----------------------------------------------------

# characters that change how a line reads, and what base64, hex and base32 are made of
ALPHABET = ' \t\n;()"\\.@$0123456789aAzZvVwW#-=+/\r\x00\x0b\x1c\x7fé\u2003'


@st.composite
def corrupted(draw: st.DrawFn) -> str:
    text = SIGNED
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "replace", "dupline", "cut", "repeat"]))
        if op == "insert":
            text = text[:at] + draw(st.text(ALPHABET, min_size=1, max_size=4)) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 12)) :]
        elif op == "replace":
            text = text[:at] + draw(st.sampled_from(ALPHABET)) + text[at + 1 :]
        elif op == "dupline":
            lines = text.split("\n")
            lines.insert(at % len(lines), lines[draw(st.integers(0, len(lines) - 1))])
            text = "\n".join(lines)
        elif op == "repeat":  # long tokens and lines
            text = text[:at] + text[at : at + 8] * draw(st.integers(2, 200)) + text[at:]
        else:
            text = text[:at]
    return text


@needs_c
@settings(
    max_examples=int(os.environ.get("CZONE_EXAMPLES", "600")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(corrupted(), st.sampled_from(["example.com.", None, "Sub.Example.COM."]))
def test_corrupted_zones_same_result_or_error(text: str, origin: str | None) -> None:
    assert_same(text, origin)


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


@st.composite
def base64_texts(draw: st.DrawFn) -> str:
    """DNSKEY and RRSIG records whose base64 is cut into tokens anywhere (a quad may
    span lines), with padding right, misplaced or missing, and stray characters."""
    body = "".join(draw(st.lists(st.sampled_from(_B64), min_size=1, max_size=40)))
    # the last three pad a quad that is not the last one
    endings = ["", "=", "==", "===", "A=", "=A", "A==", "AA=A", "A==AAAA", "AA=AAAA", "==AA"]
    body += draw(st.sampled_from(endings))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(st.sampled_from(["=", "*", "-", "_", "é"])) + body[at:]
    cuts = sorted(draw(st.lists(st.integers(1, max(1, len(body) - 1)), max_size=5)))
    parts = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True) if b > a]
    spread = draw(st.booleans())
    joined = "\n\t\t".join(parts) if spread else " ".join(parts)
    if draw(st.booleans()):
        return f"k 300 IN DNSKEY 257 3 13 ( {joined} )\n"
    return (
        f"x 300 IN RRSIG A 13 2 300 ( 20261231000000 20261201000000 12345 example.com. {joined} )\n"
    )


@needs_c
@settings(max_examples=600, deadline=None)
@given(base64_texts())
def test_base64_split_anywhere_same(text: str) -> None:
    assert_same(text)


def hostile_lines() -> Iterator[str]:
    yield "x 1 TXT " + " ".join(["a"] * 5000)  # tokens beyond the C limit
    yield "x 1 TXT " + "b" * 300  # a string too long
    yield "x 1 TXT " + ('"' + "c" * 255 + '" ') * 300  # RDATA above 64 KiB
    yield "x 1 RRSIG A 13 2 3600 20261225043316 20261125043316 1 x " + "A" * 100_000
    yield "x 1 DNSKEY 256 3 13 " + "AAAA " * 30_000
    yield "x 1 DS 1 13 4 " + "ab" * 48
    yield "x 1 DS 1 13 9 " + "ab" * 40_000
    yield "x 1 NSEC3 1 0 0 " + "ab" * 200 + " " + "0" * 408 + " A"
    yield "x 1 NSEC3 1 0 0 " + "ab" * 255 + " " + "0" * 416
    yield "x 1 NSEC y " + " ".join(["A", "NS", "TYPE65535", "CAA"] * 200)
    yield "x" * 63 + "." + ("y" * 63 + ".") * 3 + " 1 A 192.0.2.1"  # 257 octets
    yield ("a." * 127) + " 1 A 192.0.2.1"
    yield "( " * 1000 + "x 1 A 192.0.2.1" + " )" * 1000
    yield "x 1 A 192.0.2.1 " + ")" * 3
    yield "x 4294967295 A 192.0.2.1"
    yield "x 4294967296 A 192.0.2.1"
    yield "x 99999999999999999999999 A 192.0.2.1"
    yield "x 1 RRSIG A 13 2 4294967296 1 1 1 x AAAA"
    yield "x 1 RRSIG A 13 2 1 99991231235959 00010101000000 1 x AAAA"
    yield "x 1 RRSIG A 13 2 1 21060207062815 21060207062816 1 x AAAA"  # around 2**32
    yield "x 1 RRSIG A 13 2 1 20240229000000 20230229000000 1 x AAAA"  # no 2023-02-29
    yield "x 1 AAAA " + "1:" * 40 + "1"
    yield "x 1 A " + "1" * 50


@pytest.mark.parametrize("line", list(hostile_lines()), ids=lambda line: line[:40])
def test_hostile_lines_same(line: str) -> None:
    assert_same("$TTL 300\n" + line + "\n")
    assert_same("$TTL 300\n" + line.replace(" ", "\t") + "\nz A 192.0.2.1\n")


@needs_c
def test_scan_rejects_bad_arguments() -> None:
    assert reader._CZONE is not None
    scan = reader._CZONE.scan
    state = (b"\x00", None, 0, False, 0, False, False)
    with pytest.raises(TypeError):
        scan(("x A 1.2.3.4",), 0, 0, *state)
    with pytest.raises(TypeError):
        scan([], 0, 0, "origin", None, 0, False, 0, False, False)
    with pytest.raises(ValueError):
        scan([], 0, 0, b"", None, 0, False, 0, False, False)
    with pytest.raises(TypeError):
        scan([], -1, 0, *state)
    # lines that are not str are handed back untouched, as is everything past the end
    records, pos, *_ = scan([b"x 1 A 192.0.2.1", "y 1 A 192.0.2.1"], 0, 0, *state)
    assert (list(records), pos) == ([], 0)
    records, pos, *_ = scan(["x. 1 A 192.0.2.1"], 5, 0, *state)
    assert (list(records), pos) == ([], 5)
    records, pos, lineno, owner, ttl, known = scan(
        ["x. 7 A 192.0.2.1", "", "  A 192.0.2.2"], 0, 10, *state
    )
    assert list(records) == [
        Record(b"\x01x\x00", 7, 1, bytes([192, 0, 2, 1]), 11),
        Record(b"\x01x\x00", 7, 1, bytes([192, 0, 2, 2]), 13),
    ]
    assert (pos, lineno, owner, ttl, known) == (3, 13, b"\x01x\x00", 7, True)
    assert all(type(r) is Record for r in records)


# --- signed data (workers._fast) -------------------------------------------------------


def python_signed_data(
    wire: bytes, owner: bytes, rdtype: int, rdatas: tuple[bytes, ...], origin: bytes, labels: int
) -> tuple[int, int, int, int, int, bytes, bytes] | None:
    """What workers._fast computes without the extension."""
    if len(wire) < 19:
        return None
    covered, alg, nlabels, ttl, expiration, inception, tag = struct.unpack_from("!HBBIIIH", wire)
    if covered != rdtype or nlabels != labels or not wire.startswith(origin, 18):
        return None
    start = 18 + len(origin)
    data = wire[:start] + fastsig.rrset_data(owner, rdtype, wire[4:8], rdatas)
    return alg, tag, ttl, expiration, inception, wire[start:], data


ORIGIN_WIRE = b"\x07example\x03com\x00"


@needs_c
@settings(max_examples=400, deadline=None)
@given(
    st.binary(min_size=18, max_size=18),
    st.sampled_from([ORIGIN_WIRE, b"\x00", b"\x07example\x03net\x00", b"\x07exam"]),
    st.binary(max_size=70),
    st.lists(st.binary(max_size=5), max_size=6),
    st.sampled_from([1, 28, 46, 0x1234]),
    st.integers(0, 3),
)
def test_signed_data_as_python(
    fixed: bytes,
    signer: bytes,
    signature: bytes,
    rdatas: list[bytes],
    rdtype: int,
    labels: int,
) -> None:
    assert reader._CZONE is not None
    # mostly RRSIGs that pass the checks, so the data is compared
    wire = struct.pack("!HB", rdtype, fixed[2]) + bytes([labels]) + fixed[4:] + signer + signature
    owner = b"\x01a" + ORIGIN_WIRE
    for case in (wire, wire[:19], wire[:10], fixed + signer):
        args = (case, owner, rdtype, tuple(rdatas), ORIGIN_WIRE, labels)
        assert reader._CZONE.signed_data(*args) == python_signed_data(*args)
    if signer == ORIGIN_WIRE:
        with pytest.raises(TypeError):
            reader._CZONE.signed_data(wire, owner, rdtype, ["not bytes"], ORIGIN_WIRE, labels)
