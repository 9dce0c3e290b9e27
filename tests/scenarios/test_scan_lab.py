"""`check` with several names, `scan -f FILE` and `--nagios`, against the built-in lab:
the combined report in text and JSON, the exit code, names files with comments and bad
lines, Nagios status lines and perfdata per the plugin guidelines, and bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dnssec_doctor.services.scan import read_names
from helpers.check_fixtures import BuiltinLab
from helpers.cli_helpers import CliResult, invoke

SCENARIOS = ("healthy-ed25519", "ds-digest-mismatch", "rrsig-expiring-soon", "healthy-nodata-nsec3")
#: Nagios perfdata: 'label'=value[UOM];[warn];[crit];[min];[max] (U: undetermined)
PERFDATA = re.compile(r"^('[^'=]+'|[^'= ]+)=(-?[0-9.]+|U)(s|%|B|c)?(;[0-9.]*){0,4}$")


def lab_args(lab: BuiltinLab) -> list[str]:
    return [
        "--trust-anchor", str(lab.directory / "root.key"),
        "--root-hints", str(lab.directory / "root.hints"),
        "--port", str(lab.port), "--timeout", "0.3",
    ]  # fmt: skip


def words(lab: BuiltinLab, *scenarios: str) -> list[str]:
    out: list[str] = []
    for scenario in scenarios:
        record = lab.manifest.scenario(scenario)
        out += [record.qname, record.qtype]
    return out


def unordered(value: object) -> object:
    """*value* with every list of strings sorted (records within an RRset have no order)."""
    if isinstance(value, dict):
        return {k: unordered(v) for k, v in value.items()}
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return sorted(str(v) for v in value)
        return [unordered(v) for v in value]
    return value


def one_line_exit_3(result: CliResult, *expected: str) -> str:
    assert result.exit_code == 3, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    for word in expected:
        assert word in lines[0], lines[0]
    return lines[0]


def test_several_names_give_one_block_each_and_the_worst_exit_code(
    builtin_lab: BuiltinLab,
) -> None:
    result = invoke(["check", *words(builtin_lab, *SCENARIOS), *lab_args(builtin_lab)])
    assert result.exit_code == 2, result.output  # ds-digest-mismatch is bogus: CRITICAL
    positions = [
        result.stdout.index(f"{builtin_lab.manifest.scenario(s).qname} ") for s in SCENARIOS
    ]
    assert positions == sorted(positions)  # the blocks come in the order given
    assert result.stdout.count("Chain of trust") == len(SCENARIOS)
    summary = result.stdout.splitlines()[-(len(SCENARIOS) + 2) :]
    assert summary[0].split() == ["name", "type", "state", "verdict", "cause"]
    states = {line.split()[0]: line.split()[2] for line in summary[1:-1]}
    assert states == {
        "www.healthy-ed25519.test.": "OK",
        "www.ds-digest-mismatch.test.": "CRITICAL",
        "www.rrsig-expiring-soon.test.": "WARNING",
        "www.healthy-nodata-nsec3.test.": "OK",
    }
    assert summary[-1] == "4 names; exit code 2 (CRITICAL)"


def test_several_names_json_wraps_each_names_check_json(builtin_lab: BuiltinLab) -> None:
    result = invoke(
        ["check", *words(builtin_lab, *SCENARIOS), *lab_args(builtin_lab), "--json", "--at",
         builtin_lab.manifest.now]
    )  # fmt: skip
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["schema"] == "dnssec-doctor/scan/1"
    assert report["exit_code"] == 2
    assert report["counts"] == {"names": 4, "OK": 2, "WARNING": 1, "CRITICAL": 1, "UNKNOWN": 0}
    assert [(r["name"], r["type"]) for r in report["results"]] == [
        (builtin_lab.manifest.scenario(s).qname, builtin_lab.manifest.scenario(s).qtype)
        for s in SCENARIOS
    ]
    assert report["shared"]["reused"] > 0 and "derived" in report["shared"]  # shared
    for scenario, entry in zip(SCENARIOS, report["results"], strict=True):
        record = builtin_lab.manifest.scenario(scenario)
        alone = invoke(
            ["check", record.qname, record.qtype, *lab_args(builtin_lab), "--json", "--at",
             builtin_lab.manifest.now]
        )  # fmt: skip
        single = json.loads(alone.stdout)
        assert single["schema"] == "dnssec-doctor/check/1"  # one name: unchanged
        assert entry["error"] is None and entry["line"] is None
        assert entry["exit_code"] == single["exit_code"] == alone.exit_code
        for report_of_one in (single, entry["check"]):
            report_of_one.pop("stats")
        # the same check alone or in a run (the lab's server varies the order of RRs)
        assert unordered(entry["check"]) == unordered(single)


def test_scan_reads_a_names_file_and_reports_a_bad_line_with_its_number(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    names = tmp_path / "names.txt"
    names.write_text(
        "# the lab's zones\n"
        "\n"
        "www.healthy-ed25519.test\n"
        "www.healthy-nodata-nsec3.test TXT   # with a type\n"
        "bad..name\n"
        "www.rrsig-expiring-soon.test A\n"
        "www.x.test A extra\n"
    )
    result = invoke(["scan", "-f", str(names), *lab_args(builtin_lab), "--json"])
    assert result.exit_code == 3  # bad lines count as UNKNOWN; nothing here is CRITICAL
    report = json.loads(result.stdout)
    rows = [(r["line"], r["name"], r["type"], r["exit_code"]) for r in report["results"]]
    assert rows == [
        (3, "www.healthy-ed25519.test", "A", 0),
        (4, "www.healthy-nodata-nsec3.test", "TXT", 0),
        (5, "bad..name", "A", 3),
        (6, "www.rrsig-expiring-soon.test", "A", 1),
        (7, "www.x.test", "A", 3),
    ]
    errors = [r["error"] for r in report["results"] if r["error"]]
    assert errors[0].startswith(f"{names}:5: not a valid domain name")
    assert errors[1] == f"{names}:7: expected NAME [TYPE], found 3 words"
    assert result.stderr.splitlines() == errors  # each bad line also on stderr, once


def test_scan_reads_standard_input_and_writes_json_lines(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    out = tmp_path / "scan.jsonl"
    text = "www.healthy-ed25519.test\nwww.ds-digest-mismatch.test\n"
    result = invoke(["scan", "-f", "-", *lab_args(builtin_lab), "--jsonl", str(out)], text)
    assert result.exit_code == 2
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted((e["line"], e["check"]["cause"]["code"]) for e in lines) == [
        (1, "OK"),
        (2, "DS_DIGEST_MISMATCH"),
    ]
    assert "2 names; exit code 2 (CRITICAL)" in result.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such names file"),
        (b"# nothing but comments\n\n", "no names to check"),
        (b"www.a.test\n\xff\xfe\n", "not UTF-8 text"),
        (b"www.a.test\x00\n", "not a text file"),
    ],
)
def test_a_names_file_that_cannot_be_read_is_one_line_and_exit_3(
    tmp_path: Path, content: bytes | None, expected: str
) -> None:
    path = tmp_path / "names.txt"
    if content is not None:
        path.write_bytes(content)
    one_line_exit_3(invoke(["scan", "-f", str(path), "--port", "1"]), expected)


def test_a_directory_as_names_file_is_one_line_and_exit_3(tmp_path: Path) -> None:
    one_line_exit_3(invoke(["scan", "-f", str(tmp_path)]), "not a regular file")


def test_names_on_the_command_line_take_types_after_them() -> None:
    from dnssec_doctor.services.scan import targets_from_words

    got = targets_from_words(["a.test", "mx", "b.test", "c.test", "TXT", "com."])
    assert [(t.name, t.qtype) for t in got] == [
        ("a.test", "MX"),
        ("b.test", "A"),
        ("c.test", "TXT"),
        ("com.", "A"),
    ]
    one_line_exit_3(invoke(["check", "a.test", "A", "AAAA"]), "already has a type")
    one_line_exit_3(invoke(["check", "a.test", "b..test"]), "not a valid domain name")


def test_read_names_keeps_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "names"
    path.write_text("\n# c\nx.test NS\n  y.test  \n")
    names = read_names(str(path))
    assert [(t.name, t.qtype, t.line) for t in names.targets] == [
        ("x.test", "NS", 3),
        ("y.test", "A", 4),
    ]
    assert names.bad == []


# -- Nagios ------------------------------------------------------------------------------


def nagios(result: CliResult) -> tuple[str, str, list[str]]:
    """The state word, the text and the perfdata items of the status line."""
    first = result.stdout.splitlines()[0]
    match = re.match(r"^DNSSEC (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]+) \| (.+)$", first)
    assert match, first
    items = re.findall(r"'[^']*'=\S+|\S+", match.group(3))
    for item in items:
        assert PERFDATA.match(item), item
    return match.group(1), match.group(2), items


@pytest.mark.parametrize(
    ("scenario", "state", "code"),
    [
        ("healthy-ed25519", "OK", 0),
        ("rrsig-expiring-soon", "WARNING", 1),
        ("ds-digest-mismatch", "CRITICAL", 2),
    ],
)
def test_nagios_status_line_and_exit_code(
    builtin_lab: BuiltinLab, scenario: str, state: str, code: int
) -> None:
    record = builtin_lab.manifest.scenario(scenario)
    result = invoke(["check", record.qname, record.qtype, *lab_args(builtin_lab), "--nagios"])
    assert result.exit_code == code
    assert len(result.stdout.splitlines()) == 1
    word, text, perf = nagios(result)
    assert word == state and text.startswith(f"{record.qname} {record.qtype}: ")
    if code == 2:
        assert "DS_DIGEST_MISMATCH" in text
    days = float(perf[0].split("=")[1].split(";")[0])
    assert perf[0].endswith(";7;2") and perf[0].startswith("days_to_expiry=")
    expected_days = 3 if scenario == "rrsig-expiring-soon" else 30  # the lab's signer
    assert abs(days - expected_days) < 0.5
    assert perf[1].startswith("time=") and perf[1].endswith("s")


def test_nagios_thresholds_move_the_state(builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("healthy-ed25519")  # signatures: 30 days left
    base = ["check", record.qname, *lab_args(builtin_lab), "--nagios"]
    warn = invoke([*base, "--warn-days", "40", "--crit-days", "10"])
    assert (warn.exit_code, nagios(warn)[0]) == (1, "WARNING")
    assert nagios(warn)[2][0].endswith(";40;10")
    crit = invoke([*base, "--warn-days", "40", "--crit-days", "35"])
    assert (crit.exit_code, nagios(crit)[0]) == (2, "CRITICAL")
    calm = invoke([*base, "--warn-days", "1", "--crit-days", "0"])
    assert (calm.exit_code, nagios(calm)[0]) == (0, "OK")


def test_nagios_for_several_names_and_an_unknown_one(builtin_lab: BuiltinLab) -> None:
    result = invoke(
        ["check", *words(builtin_lab, "healthy-ed25519", "rrsig-expiring-soon"),
         *lab_args(builtin_lab), "--nagios"]
    )  # fmt: skip
    assert result.exit_code == 1
    word, text, perf = nagios(result)
    assert word == "WARNING" and text.startswith("2 names: 1 WARNING, 1 OK; ")
    assert [p.split("=")[0] for p in perf] == [
        "'www.healthy-ed25519.test. A days_to_expiry'",
        "'www.rrsig-expiring-soon.test. A days_to_expiry'",
    ]
    long_output = result.stdout.splitlines()[1:]
    assert [line.split()[0] for line in long_output] == ["OK", "WARNING"]
    # every server silent (nothing listens on the lab's addresses at this port): UNKNOWN
    silent = [a if a != str(builtin_lab.port) else "9" for a in lab_args(builtin_lab)]
    unknown = invoke(["check", "www.healthy-ed25519.test", *silent, "--nagios", "--timeout",
                      "0.05"])  # fmt: skip
    assert unknown.exit_code == 3
    word, _, perf = nagios(unknown)
    assert word == "UNKNOWN" and perf[0] == "days_to_expiry=U;7;2"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--nagios", "--warn-days", "3", "--crit-days", "5"], "is more than --warn-days"),
        (["--crit-days", "1"], "use it with --nagios"),
        (["--nagios", "--crit-days", "-1"], "--crit-days"),
        (["--nagios", "--crit-days", "nan"], "not a finite number"),
        (["--nagios", "--warn-days", "9999"], "out of range"),
        (["--jobs", "0"], "out of range"),
        (["--evidence", "/nonexistent", "--nagios"], "--evidence analyses one saved check"),
    ],
)
def test_threshold_nonsense_is_one_line_and_exit_3(options: list[str], expected: str) -> None:
    one_line_exit_3(invoke(["check", "www.a.test", *options, "--port", "1"]), expected)
    if "--evidence" not in options:
        one_line_exit_3(invoke(["scan", "-f", "/nonexistent", *options]), expected)


def test_a_terminal_sees_the_progress_and_a_pipe_does_not(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    import os
    import pty
    import subprocess
    import sys

    names = tmp_path / "names.txt"
    names.write_text("www.healthy-ed25519.test\nwww.ds-digest-mismatch.test\n")
    command = [sys.executable, "-m", "dnssec_doctor", "scan", "-f", str(names),
               *lab_args(builtin_lab)]  # fmt: skip
    master, slave = pty.openpty()
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=slave, timeout=60)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    assert done.returncode == 2
    assert b"\r1/2 checked" in seen and b"\r2/2 checked" in seen and b"CRITICAL 1" in seen
    assert b"checked" not in done.stdout  # the report itself has no progress in it
    piped = subprocess.run(command, capture_output=True, timeout=60)
    assert piped.returncode == 2 and b"checked" not in piped.stderr


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (["--trust-anchor", "/nonexistent/root.key"], "cannot read"),
        (["--root-hints", "/nonexistent/root.hints"], "cannot read"),
        (["--at", "someday"], "--at wants ISO 8601"),
        (["--disable", "no.such.check"], "--disable"),
    ],
)
def test_a_bad_shared_input_is_one_line_before_any_walk(
    tmp_path: Path, option: list[str], expected: str
) -> None:
    names = tmp_path / "names.txt"
    names.write_text("www.a.test\nwww.b.test\n")
    one_line_exit_3(invoke(["check", "www.a.test", "www.b.test", *option, "--port", "1"]), expected)
    one_line_exit_3(invoke(["scan", "-f", str(names), *option, "--port", "1"]), expected)
