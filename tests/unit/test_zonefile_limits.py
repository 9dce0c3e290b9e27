"""The zone reader's size limits (issue 17, class 6): a character-string over 255 octets,
a name over 255 octets or with a label over 63, RDATA over 65,535 octets and a record
text over ``reader.MAX_LOGICAL_LINE`` characters are refused as soon as they are read,
with the C extension and without it alike, from real files.  The reads are bounded: a
stream that never ends is refused after about two blocks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dnssec_doctor.zonefile import reader
from dnssec_doctor.zonefile.reader import (
    MAX_LOGICAL_LINE,
    MAX_NAME_TEXT,
    MAX_RDATA,
    MAX_STRING,
    Record,
    ZoneSyntaxError,
    read_records,
)

HEAD = "$ORIGIN example.\n$TTL 300\n@ SOA ns hm 1 2 3 4 5\n"
ESCAPED_A, ESCAPED_C = "\\097", "\\099"  # "a" and "c" as \DDD
PATHS = ["c", "python"]


@pytest.fixture(params=PATHS)
def path_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each test runs with the C extension (where built) and with reader.py alone."""
    saved = reader._CZONE
    if request.param == "python":
        reader._CZONE = None
    elif saved is None:
        pytest.skip("the C extension _czone is not built here")
    try:
        yield request.param
    finally:
        reader._CZONE = saved


def read_file(tmp_path: Path, body: str) -> list[Record]:
    zone = tmp_path / "limits.zone"
    zone.write_text(HEAD + body)
    return list(read_records(zone))


def refused(tmp_path: Path, body: str) -> ZoneSyntaxError:
    with pytest.raises(ZoneSyntaxError) as caught:
        read_file(tmp_path, body)
    error = caught.value
    assert "\n" not in str(error) and len(str(error)) < 600, str(error)[:1000]
    return error


def test_the_c_reader_has_the_same_line_limit() -> None:
    if reader._CZONE is None:
        pytest.skip("the C extension _czone is not built here")
    assert reader._CZONE.MAX_LOGICAL_LINE == MAX_LOGICAL_LINE
    assert reader._BLOCK <= MAX_LOGICAL_LINE  # _blocks checks only a block's first line


# --- character-strings ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "b" * (MAX_STRING + 1),
        '"' + "b" * (MAX_STRING + 1) + '"',
        '"ok" "' + "b" * 100_000 + '"',
        '"' + "\\098" * (MAX_STRING + 1) + '"',  # 256 octets written as escapes
        '"' + "\\098" * 100_000 + '"',  # too long to be read at all
        '"' + "\\098" * 100 + "b" * 200 + '"',  # 300 octets in 600 characters
        '"' + "é" * 200 + '"',  # 400 octets of UTF-8
    ],
    ids=["bare", "quoted", "second", "escaped", "escaped-long", "escaped-some", "utf8"],
)
def test_a_string_over_255_octets_is_refused(tmp_path: Path, path_kind: str, text: str) -> None:
    error = refused(tmp_path, f"x TXT {text}\ny A 192.0.2.1\n")
    assert (error.line, error.message) == (4, "string too long")


def test_a_string_of_255_octets_is_read(tmp_path: Path, path_kind: str) -> None:
    records = read_file(tmp_path, f'x TXT "{"b" * 255}" {ESCAPED_C * 255}\n')
    assert records[-1].rdata == b"\xff" + b"b" * 255 + b"\xff" + b"c" * 255


# --- names ---------------------------------------------------------------------------

LONG_NAME = ".".join(["a" * 63] * 4) + "."  # 4 * 64 + 1 = 257 octets


@pytest.mark.parametrize(
    "body",
    [
        f"{LONG_NAME} A 192.0.2.1\n",
        f"{'a' * 64}.example. A 192.0.2.1\n",
        f"{'a' * 100_000} A 192.0.2.1\n",
        f"{ESCAPED_A * 100_000} A 192.0.2.1\n",
    ],
    ids=["257-octets", "label-64", "100k", "100k-escaped"],
)
def test_a_long_owner_is_refused(tmp_path: Path, path_kind: str, body: str) -> None:
    error = refused(tmp_path, body)
    assert error.line == 4
    assert "bad owner name" in error.message or "octets long" in error.message


@pytest.mark.parametrize(
    "body",
    [
        f"x NS {LONG_NAME}\n",
        f"x MX 10 {'a' * 64}.example.\n",
        f"x NS {'a' * 100_000}\n",
        f"x CNAME {ESCAPED_A * 100_000}\n",
        f"x RRSIG A 13 2 300 20261231000000 20261201000000 1 {'a' * 5000} AAAA\n",
    ],
    ids=["ns-257", "mx-label-64", "ns-100k", "cname-escaped", "rrsig-signer"],
)
def test_a_long_name_in_rdata_is_refused(tmp_path: Path, path_kind: str, body: str) -> None:
    error = refused(tmp_path, body)
    assert error.line == 4
    assert "octets" in error.message, error.message


def test_a_name_of_255_octets_is_read(tmp_path: Path, path_kind: str) -> None:
    name = ".".join(["a" * 63] * 3 + ["b" * 61]) + "."  # 3 * 64 + 62 + 1 = 255
    records = read_file(tmp_path, f"{name} NS {name}\n")
    assert len(records[-1].owner) == 255 == len(records[-1].rdata)
    assert len(name) < MAX_NAME_TEXT


# --- RDATA ---------------------------------------------------------------------------


def test_rdata_over_65535_octets_is_refused(tmp_path: Path, path_kind: str) -> None:
    strings = " ".join(['"' + "c" * 255 + '"'] * 256)  # 256 * 256 = 65,536 octets
    error = refused(tmp_path, f"x TXT {strings}\n")
    assert error.line == 4 and f"more than {MAX_RDATA}" in error.message


def test_rdata_of_65535_octets_is_read(tmp_path: Path, path_kind: str) -> None:
    strings = " ".join(['"' + "c" * 255 + '"'] * 255 + ['"' + "c" * 254 + '"'])
    assert len(read_file(tmp_path, f"x TXT {strings}\n")[-1].rdata) == MAX_RDATA


# --- the text of a record ------------------------------------------------------------


@pytest.mark.parametrize("size", [3 << 20, 50 << 20])
def test_a_long_line_is_refused(tmp_path: Path, path_kind: str, size: int) -> None:
    began = time.monotonic()
    error = refused(tmp_path, f'big TXT "{"a" * size}"\nafter A 192.0.2.2\n')
    assert error.line == 4 and "MAX_LOGICAL_LINE" in error.message
    assert "'big TXT \"aaa" in error.message
    assert time.monotonic() - began < 20  # was 25 s on a quiet machine (50 MB)


def test_a_long_owner_line_is_refused(tmp_path: Path, path_kind: str) -> None:
    error = refused(tmp_path, "ok A 192.0.2.1\n" + "a" * (3 << 20) + " A 192.0.2.2\n")
    assert error.line == 5 and "MAX_LOGICAL_LINE" in error.message


@pytest.mark.parametrize("closed", [True, False])
def test_a_long_record_in_parentheses_is_refused(
    tmp_path: Path, path_kind: str, closed: bool
) -> None:
    """Many short lines joined by a parenthesis count as one record."""
    lines = "".join(f"  AAAA{i % 10} ; a comment to make it longer\n" for i in range(40_000))
    body = "x DNSKEY 256 3 13 (\n" + lines + (" )\n" if closed else "")
    error = refused(tmp_path, body)
    assert error.line == 4 and "MAX_LOGICAL_LINE" in error.message


def test_a_long_quoted_record_in_parentheses_is_refused(tmp_path: Path, path_kind: str) -> None:
    lines = "".join(f' "{"q" * 200}"\n' for _ in range(6000))
    error = refused(tmp_path, "x TXT (\n" + lines + " )\n")
    assert error.line == 4 and "MAX_LOGICAL_LINE" in error.message


def test_a_record_of_the_maximum_length_is_read(tmp_path: Path, path_kind: str) -> None:
    line = "x A 192.0.2.1 ;"
    records = read_file(tmp_path, line + ";" * (MAX_LOGICAL_LINE - len(line)) + "\n")
    assert records[-1].rdata == bytes([192, 0, 2, 1])


class Endless:
    """A stream of one line that never ends; counts what the reader took."""

    def __init__(self, head: str, fill: str) -> None:
        self.head, self.fill, self.taken = head, fill, 0

    def read(self, size: int = -1) -> str:
        assert size > 0
        if self.head:
            out, self.head = self.head, ""
            return out
        self.taken += size
        return self.fill * size


@pytest.mark.parametrize("fill", ["a", '"', "(", " ", ";"])
def test_an_endless_line_is_refused_after_two_blocks(path_kind: str, fill: str) -> None:
    stream = Endless(HEAD + "x TXT ", fill)
    with pytest.raises(ZoneSyntaxError, match="MAX_LOGICAL_LINE"):
        list(read_records(stream))
    assert stream.taken <= MAX_LOGICAL_LINE + 2 * reader._BLOCK


def test_endless_short_lines_in_parentheses_are_refused(path_kind: str) -> None:
    stream = Endless(HEAD + "x TXT ( a\n", "b\n")
    with pytest.raises(ZoneSyntaxError, match="MAX_LOGICAL_LINE"):
        list(read_records(stream))
    assert stream.taken <= 2 * MAX_LOGICAL_LINE + 2 * reader._BLOCK


# --- the command ---------------------------------------------------------------------


@pytest.mark.parametrize("pure", [False, True], ids=["c", "python"])
def test_verify_refuses_a_50_megabyte_string_in_one_line(tmp_path: Path, pure: bool) -> None:
    zone = tmp_path / "big.zone"
    with zone.open("w") as out:
        out.write(HEAD + "@ NS ns\nns A 192.0.2.1\n" + 'big TXT "' + "a" * 50_000_000 + '"\n')
    env = dict(os.environ)
    env.pop("DNSSEC_DOCTOR_PURE_PYTHON", None)
    if pure:
        env["DNSSEC_DOCTOR_PURE_PYTHON"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "dnssec_doctor", "verify", "--jobs", "2", str(zone)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 3, done.stderr[:2000]
    assert done.stderr.count("\n") == 1 and len(done.stderr) < 400
    assert f"{zone}:6: record text longer than" in done.stderr


# --- the byte-range read (parallel.py) -----------------------------------------------


@pytest.mark.parametrize("size", [MAX_LOGICAL_LINE + 1, 3 << 20])
def test_a_range_with_a_long_line_is_not_read_whole(tmp_path: Path, size: int) -> None:
    from dnssec_doctor.zonefile import parallel

    zone = tmp_path / "range.zone"
    zone.write_bytes(b"a A 192.0.2.1\n" + b"b" * size + b"\nc A 192.0.2.1\n")
    with zone.open("rb") as handle, pytest.raises(parallel.NotParallel):
        parallel._read_lines(handle, zone.stat().st_size)


def test_a_range_of_short_lines_is_read_as_it_is(tmp_path: Path) -> None:
    from dnssec_doctor.zonefile import parallel

    data = b"".join(b"h%d A 192.0.2.1\n" % i for i in range(300_000))
    data += b"x" * MAX_LOGICAL_LINE  # the last line, at the limit, without its newline
    zone = tmp_path / "range.zone"
    zone.write_bytes(data)
    with zone.open("rb") as handle:
        assert parallel._read_lines(handle, len(data)) == data
    with zone.open("rb") as handle:  # the file shorter than the range
        assert parallel._read_lines(handle, len(data) + 100) == data
