"""The command line itself: usage errors are bad input (one line, exit 3), values that
look like options are values, and a check loads only what a check needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.check_fixtures import BuiltinLab
from helpers.cli_helpers import CliResult, invoke


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["check"], ("required", "NAME", "dnssec-doctor check --help")),
        (["check", "www.test", "--bogus"], ("unrecognized arguments: --bogus",)),
        (["check", "www.test", "--port", "0"], ("--port", "out of range")),
        (["check", "www.test", "--port", "x"], ("--port", "not a number")),
        (["check", "www.test", "--timeout", "0"], ("--timeout", "out of range (0.05-60)")),
        (["check", "www.test", "--warn-days", "-1"], ("--warn-days", "out of range")),
        (["check", "www.test", "--warn-days", "nan"], ("--warn-days", "not a finite number")),
        (["check", "www.test", "--warn-days", "inf"], ("--warn-days", "not a finite number")),
        (["check", "www.test", "--warn-days", "1e309"], ("--warn-days", "not a finite number")),
        (["check", "www.test", "--warn-days", "3651"], ("--warn-days", "0-3650")),
        (["verify", "z.zone", "--warn-days", "nan"], ("--warn-days", "not a finite number")),
        (["check", "www.test", "--timeout", "nan"], ("--timeout", "not a finite number")),
        (["check", "www.test", "--timeout", "inf"], ("--timeout", "not a finite number")),
        (["check", "www.test", "--timeout", "1e9"], ("--timeout", "0.05-60")),
        (["verify", "z.zone", "--jobs", "0"], ("--jobs", "at least 1")),
        (["lab", "up", "--servers", "docker"], ("--servers", "invalid choice")),
        (["probe", "www.test"], ("required", "--output")),
        (["frobnicate"], ("invalid choice", "frobnicate")),
        (["check", "www.test", "--root"], ("unrecognized arguments: --root",)),  # no abbreviations
    ],
)
def test_a_usage_error_is_one_line_and_exit_3(args: list[str], words: tuple[str, ...]) -> None:
    # exit 2 would read as CRITICAL in monitoring: a typo in a check's arguments is UNKNOWN
    result = invoke(args)
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("dnssec-doctor: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_help_and_version_exit_0() -> None:
    assert invoke([]).exit_code == 0 and "check" in invoke([]).stdout
    helped = invoke(["check", "--help"])
    assert helped.exit_code == 0 and "--trust-anchor" in helped.stdout
    assert invoke(["lab"]).exit_code == 0 and "up" in invoke(["lab"]).stdout
    version = invoke(["--version"])
    assert version.exit_code == 0 and version.stdout.startswith("dnssec-doctor ")


def test_a_value_that_looks_like_an_option_is_taken_as_the_value(
    builtin_lab: BuiltinLab,
) -> None:
    record = builtin_lab.manifest.scenario("healthy-ecdsap256")
    earlier = invoke(["check", *builtin_lab.cli_args(record), "--at", "-3650d", "--json"])
    # ten years back every signature is not yet valid: the value reached the analysis
    assert earlier.exit_code == 2, earlier.output
    assert '"verdict": "bogus"' in earlier.stdout


def test_a_json_check_loads_no_text_renderer(builtin_lab: BuiltinLab, tmp_path: Path) -> None:
    """rich costs start-up time that a --json check (monitoring, scripts) must not pay;
    dnspython's DNSSEC module too (the cryptography is validate.fastsig's), and
    importlib.metadata, which dnspython's feature check would import (dnsfeatures)."""
    record = builtin_lab.manifest.scenario("healthy-ecdsap256")
    program = (
        "import sys\n"
        "from dnssec_doctor.cli import main, prepare_process\n"
        "prepare_process()\n"
        f"code = main({['check', *builtin_lab.cli_args(record), '--json']!r})\n"
        "heavy = {'rich', 'typer', 'click', 'dns.dnssec', 'dns.dnssecalgs', 'dns.zone',"
        " 'importlib.metadata'}\n"
        "loaded = sorted(heavy & set(sys.modules))\n"
        "print(loaded, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert '"verdict": "secure"' in done.stdout
    assert done.stderr.strip() == "[]"


# -- issue 17: bad values are one line and exit 3, never a traceback ---------------------


@pytest.fixture(scope="module")
def saved_evidence(builtin_lab: BuiltinLab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    record = next(r for r in builtin_lab.manifest.scenarios if r.id == "ds-digest-mismatch")
    path = tmp_path_factory.mktemp("evidence") / "e.json"
    done = invoke(["probe", *builtin_lab.cli_args(record), "-o", str(path)])
    assert done.exit_code == 0, done.output
    return path


def _one_line_exit_3(result: CliResult, *words: str) -> str:
    assert result.exit_code == 3, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("dnssec-doctor: "), result.stderr
    assert len(lines[0]) < 400 and "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "at",
    ["+99999999999d", "-1000000d", "+2932896d", "9999-12-31T23:59:59.999999Z", "1969-12-31T00:00Z"],
)
def test_a_time_out_of_range_is_refused(saved_evidence: Path, at: str) -> None:
    args = ["check", "www.ds-digest-mismatch.test", "--evidence", str(saved_evidence)]
    _one_line_exit_3(invoke([*args, "--at", at, "--json"]), "--at must lie within 1970-9000")


def test_verify_refuses_a_time_out_of_range(tmp_path: Path) -> None:
    zone = tmp_path / "z.zone"
    zone.write_text("@ 300 IN SOA ns h 1 2 3 4 5\n")
    result = invoke(["verify", str(zone), "--origin", "z.", "--at", "+99999999999d"])
    _one_line_exit_3(result, "--at must lie within")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("at", "9999-12-31T23:59:59-01:00", ("outside 1970-9000",)),
        ("at", "0001-01-01T00:00:00+01:00", ("outside 1970-9000",)),
        ("rtt_ms", 10**400, ("rtt_ms", "non-negative number")),
        ("rtt_ms", "1" + "0" * 400, ("rtt_ms",)),
    ],
)
def test_evidence_with_values_out_of_range_is_refused(
    saved_evidence: Path, tmp_path: Path, field: str, value: object, words: tuple[str, ...]
) -> None:
    document = json.loads(saved_evidence.read_text())
    if field == "at":
        document["at"] = value
    else:
        document["exchanges"][0]["rtt_ms"] = value
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    result = invoke(["check", "www.ds-digest-mismatch.test", "--evidence", str(bad)])
    line = _one_line_exit_3(result, *words)
    assert line.count(str(bad)) == 1  # the path once, not "F: F: ..."


def test_evidence_unreadable_says_the_path_once(tmp_path: Path) -> None:
    missing = tmp_path / "none.json"
    line = _one_line_exit_3(invoke(["check", "x.test", "--evidence", str(missing)]))
    assert line.count(str(missing)) == 1


@pytest.mark.parametrize(
    ("name", "qtype", "words"),
    [
        (
            "www.other.test",
            "A",
            ("evidence holds www.ds-digest-mismatch.test. A", "not www.other.test. A"),
        ),
        ("www.ds-digest-mismatch.test", "AAAA", ("not www.ds-digest-mismatch.test. AAAA",)),
    ],
)
def test_evidence_answers_only_its_own_question(
    saved_evidence: Path, name: str, qtype: str, words: tuple[str, ...]
) -> None:
    result = invoke(["check", name, qtype, "--evidence", str(saved_evidence)])
    _one_line_exit_3(result, *words)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("", ("empty name",)),
        ("www.\ttest", ("control characters",)),
        ("a\nb.test", ("control characters",)),
    ],
)
def test_names_that_are_not_names_are_refused(name: str, words: tuple[str, ...]) -> None:
    _one_line_exit_3(
        invoke(["check", name, "--root-hints", "/nonexistent", "--timeout", "0.1"]), *words
    )


def test_a_50_mb_name_gives_a_short_line() -> None:
    line = _one_line_exit_3(invoke(["check", "a" * 50_000_000]))
    assert "not a valid domain name" in line


@pytest.mark.parametrize(
    ("args", "target"),
    [
        (
            ["check", "x.test", "--root-hints", "/dev/null"],
            "dnssec_doctor.services.check.run_check",
        ),
        (["probe", "x.test", "-o", "/tmp/x.json"], "dnssec_doctor.services.check.probe"),
        (["verify", "z.zone"], "dnssec_doctor.services.verify.run_verify"),
        (["lab", "list"], "dnssec_doctor.lab.catalog.catalog"),
        (["lab", "down", "--dir", "/nonexistent"], "dnssec_doctor.lab.runner.down"),
    ],
)
def test_an_unexpected_exception_is_one_line_and_exit_3(
    monkeypatch: pytest.MonkeyPatch, args: list[str], target: str
) -> None:
    # a stand-in for a bug: the one place a stub is right, since no real input must crash
    def crash(*_: object, **__: object) -> None:
        raise RuntimeError("simulated bug\nsecond line")

    monkeypatch.setattr(target, crash)
    result = invoke(args, internal_error=True)
    line = _one_line_exit_3(result, "internal error: RuntimeError: simulated bug second line")
    assert line.endswith("please report")


def _fifo(tmp_path: Path) -> Path:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    return fifo


@pytest.mark.parametrize("option", ["--trust-anchor", "--root-hints", "--evidence"])
@pytest.mark.parametrize("source", ["/dev/zero", "fifo", "directory"])
def test_check_refuses_devices_fifos_and_directories(
    tmp_path: Path, option: str, source: str
) -> None:
    path = {"/dev/zero": Path("/dev/zero"), "fifo": _fifo(tmp_path), "directory": tmp_path}[source]
    # a child process with a deadline: a read that blocks or never ends fails the test
    done = subprocess.run(
        [sys.executable, "-m", "dnssec_doctor", "check", "x.test", option, str(path)],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "not a regular file" in lines[0] and str(path) in lines[0]


def test_verify_refuses_a_ds_file_that_is_a_device(tmp_path: Path) -> None:
    zone = tmp_path / "z.zone"
    zone.write_text("@ 300 IN SOA ns h 1 2 3 4 5\n")
    result = invoke(["verify", str(zone), "--origin", "z.", "--ds", "/dev/zero"])
    _one_line_exit_3(result, "--ds /dev/zero", "not a regular file")


def test_an_oversized_trust_anchor_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "root.key"
    big.write_bytes(b";" * (2 << 20))
    result = invoke(["check", "x.test", "--trust-anchor", str(big)])
    _one_line_exit_3(result, "larger than 1048576 bytes")


@pytest.mark.parametrize("source", ["stdin-zero", "fifo", "device"])
def test_verify_ends_on_endless_or_blocking_input(tmp_path: Path, source: str) -> None:
    command = [sys.executable, "-m", "dnssec_doctor", "verify", "--origin", "z."]
    zero = open("/dev/zero", "rb")  # noqa: SIM115 - closed below
    try:
        if source == "stdin-zero":
            done = subprocess.run(
                [*command, "-"], stdin=zero, capture_output=True, text=True, timeout=30
            )
            words: tuple[str, ...] = ("<stdin>: binary data",)
        else:
            path = _fifo(tmp_path) if source == "fifo" else Path("/dev/zero")
            done = subprocess.run(
                [*command, str(path)], stdin=subprocess.DEVNULL, capture_output=True,
                text=True, timeout=30,
            )  # fmt: skip
            words = (str(path), "not a regular file")
    finally:
        zero.close()
    assert done.returncode == 3, done.stderr
    (line,) = done.stderr.splitlines()
    assert all(word in line for word in words), line


# -- --resolver is parsed strictly (issue 12 class 8) -------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("127.0.0.1", ("127.0.0.1", None)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("::1", ("::1", None)),
        ("2001:DB8::1", ("2001:db8::1", None)),
        ("[::1]:5353", ("::1", 5353)),
        ("[2001:db8::53]:53", ("2001:db8::53", 53)),
        ("system", ("system", None)),
    ],
)
def test_every_resolver_form_parses(text: str, parsed: tuple[str, int | None]) -> None:
    from dnssec_doctor.services.check import parse_resolver

    assert parse_resolver(text) == parsed


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("resolver.example", "not an IP address"),
        ("example.com:53", "not an IP address"),
        ("", "not an IP address"),
        ("127.0.0.1:", "1-65535"),
        ("127.0.0.1:0", "1-65535"),
        ("127.0.0.1:65536", "1-65535"),
        ("127.0.0.1:53x", "1-65535"),
        ("127.0.0.1:-1", "1-65535"),
        ("127.0.0.1:５３", "1-65535"),  # non-ASCII digits are not a port
        ("[::1]", "[V6]:PORT"),
        ("[::1]53", "[V6]:PORT"),
        ("[::1:53", "[V6]:PORT"),
        ("[127.0.0.1]:53", "[V6]:PORT"),
        ("::1:53x", "not an IP address"),
        ("SYSTEM", "not an IP address"),
        ("127.0.0.1 ", "not an IP address"),
    ],
)
def test_a_bad_resolver_is_a_usage_error(text: str, word: str) -> None:
    # parsed before anything is asked: the lab-less check never reaches the network
    result = invoke(["check", "www.test", "--resolver", text])
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "--resolver" in lines[0] and word in lines[0], result.stderr


def test_a_resolver_port_is_asked_on_that_port_only() -> None:
    """ADDR:PORT reaches the transport: recursive queries go to the resolver's port, the
    walk's own queries to --port (nothing is sent: every address is blocked)."""
    import asyncio

    import dns.name
    import dns.rdatatype

    from dnssec_doctor.collect.transport import NetworkTransport

    transport = NetworkTransport(port=5300, resolver_port=5353, allow=lambda _: False)
    name = dns.name.from_text("www.test.")

    async def both() -> tuple[int, int]:
        walked = await transport.ask("127.0.0.1", name, dns.rdatatype.A)
        asked = await transport.ask("127.0.0.1", name, dns.rdatatype.A, recursion=True)
        return walked.exchange.port, asked.exchange.port

    assert asyncio.run(both()) == (5300, 5353)
