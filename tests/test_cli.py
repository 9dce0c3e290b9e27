"""The command line itself: usage errors are bad input (one line, exit 3), values that
look like options are values, and a check loads only what a check needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from check_fixtures import BuiltinLab
from cli_helpers import invoke


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["check"], ("required", "NAME", "dnssec-doctor check --help")),
        (["check", "www.test", "--bogus"], ("unrecognized arguments: --bogus",)),
        (["check", "www.test", "--port", "0"], ("--port", "out of range")),
        (["check", "www.test", "--port", "x"], ("--port", "not a number")),
        (["check", "www.test", "--timeout", "0"], ("--timeout", "at least 0.05")),
        (["check", "www.test", "--warn-days", "-1"], ("--warn-days", "at least 0")),
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
        "from dnssec_doctor.cli import main\n"
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
