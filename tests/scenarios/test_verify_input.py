"""Bad input to verify: one clear line on stderr, exit 3, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ZONEFILES
from helpers.cli_helpers import invoke
from helpers.signing import ORIGIN, UNSIGNED

BAD = ZONEFILES / "bad"
ABSOLUTE = ZONEFILES / "absolute.zone"


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command in-process (fast); ``run_process`` does it as a real process."""
    result = invoke(list(args), input=stdin)
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def run_process(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "dnssec_doctor", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
    )


def _one_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 3, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("dnssec-doctor: ")
    assert "Traceback" not in done.stderr and done.stdout == ""
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((str(BAD / "empty.zone"),), ("empty",)),
        ((str(BAD / "binary.zone"),), ("binary",)),
        ((str(BAD / "syntax.zone"),), ("syntax error", "syntax.zone:")),
        ((str(BAD / "nosoa.zone"),), ("origin",)),
        ((str(BAD / "nosoa.zone"), "--origin", ORIGIN), ("no SOA",)),
        ((str(ABSOLUTE), "--origin", "example.org."), ("no SOA", "example.org.")),
        ((str(UNSIGNED), "--origin", "bad..name"), ("--origin",)),
        (("/nonexistent/zone",), ("no such zone file",)),
        ((str(BAD),), ("directory",)),
        ((str(UNSIGNED), "--origin", ORIGIN, "--at", "tomorrow"), ("--at",)),
        ((str(UNSIGNED), "--origin", ORIGIN, "--ds", str(BAD / "binary.zone")), ("--ds",)),
    ],
    ids=[
        "empty",
        "binary",
        "syntax",
        "no-origin",
        "no-soa",
        "wrong-origin",
        "bad-origin",
        "missing-file",
        "directory",
        "bad-at",
        "binary-ds",
    ],
)
def test_bad_input_exits_3_with_one_line(args: tuple[str, ...], words: tuple[str, ...]) -> None:
    _one_line(cli("verify", *args), *words)


def test_rdata_beyond_64_kib_is_a_syntax_error(tmp_path: Path) -> None:
    """RDLENGTH is 16 bits: such a record cannot be served, nor signed data built."""
    zone = tmp_path / "big.zone"
    strings = ('"' + "c" * 255 + '" ') * 300
    zone.write_text(UNSIGNED.read_text() + f"big 300 IN TXT {strings}\n")
    _one_line(cli("verify", str(zone), "--origin", ORIGIN), "big.zone:", "RDATA", "65535")


def test_ds_file_without_ds(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    ds.write_text(f"{ORIGIN} 300 IN A 192.0.2.1\n")
    _one_line(cli("verify", str(ABSOLUTE), "--ds", str(ds)), "--ds", "no DS")
    ds.write_text("other.test. 300 IN DS 1 13 2 " + "00" * 32 + "\n")
    _one_line(cli("verify", str(ABSOLUTE), "--ds", str(ds)), "--ds", "other.test.")


def test_truncated_file(tmp_path: Path) -> None:
    text = UNSIGNED.read_text()
    cut = text.index("a.b.c TXT") + len('a.b.c TXT "below')
    truncated = tmp_path / "truncated.zone"
    truncated.write_text("$ORIGIN example.test.\n" + text[:cut])
    _one_line(cli("verify", str(truncated)), "syntax error")


def test_truncated_mid_parenthesis_from_stdin() -> None:
    data = b"$ORIGIN example.test.\n@ 300 IN SOA ns1 host ( 1 2 3\n"
    _one_line(run_process("verify", "-", stdin=data), "syntax error")


def test_garbage_from_stdin() -> None:
    _one_line(run_process("verify", "-", "--origin", ORIGIN, stdin=bytes(range(256)) * 4), "binary")


def test_unsigned_zone_is_critical_not_bad_input() -> None:
    done = cli("verify", str(UNSIGNED), "--origin", ORIGIN)
    assert done.returncode == 2
    assert "ZONE_UNSIGNED" in done.stdout


@pytest.mark.parametrize("form", [[], ["--json"]], ids=["text", "json"])
def test_closed_pipe_keeps_the_verdict_exit_code(form: list[str]) -> None:
    """`verify ... | head -1`: the reader leaves; the exit code is still the verdict's
    (rich's default on a broken pipe is exit 1, which would read as WARNING)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "dnssec_doctor", "verify", str(UNSIGNED), "--origin", ORIGIN, *form],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # nobody reads the report
    assert proc.wait(timeout=60) == 2  # ZONE_UNSIGNED: CRITICAL
    assert proc.stderr.read() == b""
