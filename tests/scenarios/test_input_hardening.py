"""Unbounded or blocking reads, and errors that echo their input (issue 17): each case
runs the real CLI in a subprocess with a timeout, so a hang fails rather than blocks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from dnssec_doctor.excerpt import bounded_excerpt
from helpers import ZONEFILES

ZONE = ZONEFILES / "absolute.zone"


def run(args: list[str], stdin: int | IO[bytes] = subprocess.DEVNULL) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "dnssec_doctor", *args],
        stdin=stdin,
        capture_output=True,
        timeout=20,
        check=False,
    )
    err = done.stderr.decode(errors="replace")
    assert done.returncode == 3, err[:2000]
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.endswith("\n")
    assert len(err) < 1000
    return err


@pytest.fixture
def fifo(tmp_path: Path) -> str:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return str(path)


@pytest.mark.parametrize("option", ["--trust-anchor", "--root-hints", "--evidence"])
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_check_refuses_a_device(option: str, device: str) -> None:
    assert "not a regular file" in run(["check", "example.com", option, device])


@pytest.mark.parametrize("option", ["--trust-anchor", "--root-hints", "--evidence"])
def test_check_refuses_a_fifo(option: str, fifo: str) -> None:
    assert "not a regular file" in run(["check", "example.com", option, fifo])


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_verify_ds_refuses_a_non_regular_file(target: str, fifo: str) -> None:
    path = fifo if target == "fifo" else target
    assert "not a regular file" in run(["verify", str(ZONE), "--ds", path])


def test_verify_refuses_a_fifo_zone(fifo: str) -> None:
    assert "not a regular file" in run(["verify", fifo])


def test_verify_stdin_binary_is_refused_promptly() -> None:
    with open("/dev/zero", "rb") as zero:
        assert "binary data" in run(["verify", "-"], stdin=zero)


def test_include_of_a_device_is_refused(tmp_path: Path) -> None:
    zone = tmp_path / "inc.zone"
    zone.write_text("$ORIGIN example.\n$INCLUDE /dev/zero\n")
    assert "not a regular file" in run(["verify", str(zone)])


def test_too_large_trust_anchor(tmp_path: Path) -> None:
    big = tmp_path / "big.anchor"
    big.write_bytes(b";" * (2 << 20))
    assert "larger than" in run(["check", "example.com", "--trust-anchor", str(big)])


def test_fifty_megabyte_owner_name_gives_a_short_line(tmp_path: Path) -> None:
    zone = tmp_path / "big.zone"
    zone.write_text("$ORIGIN example.\n" + "a" * 50_000_000 + " 300 IN A 192.0.2.1\n")
    assert "record text longer than" in run(["verify", str(zone)])  # refused at 2 MiB


def test_long_string_in_evidence_gives_a_short_line(tmp_path: Path) -> None:
    evidence = tmp_path / "e.json"
    evidence.write_text(json.dumps({"format": "x" * 20_000_000}))
    run(["check", "example.com", "--evidence", str(evidence)])


def test_long_name_on_the_command_line() -> None:
    run(["check", "a" * 100_000 + ".com"])


def test_bounded_excerpt() -> None:
    assert bounded_excerpt("abc") == "abc"
    shown = bounded_excerpt("x" * 1000, 10)
    assert shown.startswith("x" * 10 + "...") and len(shown) < 40


def test_nul_in_a_path_is_one_line_error() -> None:
    from dnssec_doctor.collect.anchors import AnchorFileError, load_root_hints
    from dnssec_doctor.inputfile import read_small

    with pytest.raises(OSError, match="NUL"):
        read_small("a\0b", 10)
    with pytest.raises(AnchorFileError) as caught:
        load_root_hints("a\0b")
    assert "\n" not in str(caught.value)
