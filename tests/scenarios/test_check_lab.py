"""`check` against every lab scenario on the built-in server: the verdict, the cause and
the zone cut each scenario declares, the DS to publish, and replay of saved evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dnssec_doctor.collect.anchors import load_root_hints, load_trust_anchors
from dnssec_doctor.collect.transport import NetworkTransport
from dnssec_doctor.collect.walk import collect_sync
from dnssec_doctor.exitcodes import ExitCode
from dnssec_doctor.lab.manifest import Outcome
from dnssec_doctor.lab.scenarios import SCENARIOS
from dnssec_doctor.model.causes import Cause
from dnssec_doctor.model.collection import Collection, Reply
from dnssec_doctor.model.evidence import save
from dnssec_doctor.render import check_json
from dnssec_doctor.services.check import check_evidence, probe, report_for, run_check
from helpers.check_fixtures import TIMEOUT, BuiltinLab
from helpers.cli_helpers import invoke

IDS = [s.id for s in SCENARIOS]
DS_CAUSES = {
    Cause.DS_DIGEST_MISMATCH,
    Cause.DS_STALE_AFTER_REKEY,
    Cause.DS_ALGORITHM_MISMATCH,
    Cause.KSK_ROLLOVER_INCOMPLETE,
}


@pytest.mark.parametrize("scenario_id", IDS)
def test_check_names_the_declared_verdict_cause_and_break(
    builtin_lab: BuiltinLab, scenario_id: str
) -> None:
    record = builtin_lab.manifest.scenario(scenario_id)
    report = run_check(builtin_lab.options(record))
    analysis, diagnosis = report.analysis, report.diagnosis
    assert analysis.verdict.value == record.outcome.value
    assert diagnosis.cause.value == record.cause
    break_at = analysis.break_at.to_text() if analysis.break_at else None
    assert break_at == record.break_at
    if Cause(record.cause) in DS_CAUSES or (
        record.cause == Cause.PARENT_ZONE_BROKEN and diagnosis.underlying in DS_CAUSES
    ):
        published = sorted(d.presentation.lower() for d in diagnosis.ds_to_publish)
        assert published == sorted(line.lower() for line in record.correct_ds)
    expected_exit = {
        Outcome.BOGUS: ExitCode.CRITICAL,
        Outcome.SECURE: ExitCode.WARNING if record.warn else ExitCode.OK,
    }.get(record.outcome)
    if expected_exit is not None:
        assert report.exit_code is expected_exit


@pytest.mark.parametrize("scenario_id", IDS)
def test_saved_evidence_gives_the_same_report(
    builtin_lab: BuiltinLab, scenario_id: str, tmp_path: Path
) -> None:
    record = builtin_lab.manifest.scenario(scenario_id)
    options = builtin_lab.options(record, at=builtin_lab.manifest.now)
    live = probe(options)
    path = tmp_path / "evidence.json"
    save(live.evidence, path)
    first = check_json.to_dict(report_for(live, options, 0))
    again = check_json.to_dict(check_evidence(path, options))
    for report in (first, again):
        report.pop("stats")
    assert again == first


def test_cli_check_text_names_the_link_and_prints_the_ds(builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("ds-digest-mismatch")
    result = invoke(["check", *builtin_lab.cli_args(record)])
    assert result.exit_code == 2
    assert "BOGUS" in result.output and "◀ broken link" in result.output
    assert "DS_DIGEST_MISMATCH" in result.output
    for line in record.correct_ds:
        digest = line.split()[-1]
        assert digest.upper() in result.output and "Key Tag:" in result.output


def test_cli_check_json_follows_the_schema(builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("rrsig-expired")
    result = invoke(["check", *builtin_lab.cli_args(record), "--json"])
    assert result.exit_code == 2
    report = json.loads(result.output)
    assert report["schema"] == "dnssec-doctor/check/1"
    assert report["verdict"] == "bogus" and report["exit_code"] == 2
    assert report["cause"]["code"] == "RRSIG_EXPIRED"
    assert [z["zone"] for z in report["chain"]] == [".", "test.", "rrsig-expired.test."]
    assert any(f["code"] == "RRSIG_EXPIRED" and f["rfc"] for f in report["findings"])
    assert report["stats"]["queries"] > 0 and report["stats"]["rounds"] >= 1


def test_at_in_the_future_sees_signatures_expire(builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("healthy-ecdsap256")
    assert run_check(builtin_lab.options(record)).analysis.verdict.value == "secure"
    later = run_check(builtin_lab.options(record, at="+40d"))
    assert later.analysis.verdict.value == "bogus"
    # every zone's signatures ran out; the first broken link is the root's, at the top
    assert later.analysis.break_at is not None and later.analysis.break_at.to_text() == "."
    assert later.diagnosis.cause is Cause.PARENT_ZONE_BROKEN
    assert later.diagnosis.underlying is Cause.RRSIG_EXPIRED


def test_warn_days_decides_the_warning(builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("rrsig-expiring-soon")
    assert run_check(builtin_lab.options(record, warn_days=7)).exit_code is ExitCode.WARNING
    quiet = run_check(builtin_lab.options(record, warn_days=1))
    assert quiet.exit_code is ExitCode.OK and quiet.diagnosis.cause is Cause.OK


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "bad..name"], "not a valid domain name"),
        (["check", "a" * 64 + ".test"], "not a valid domain name"),
        (["check", "www.test", "NOTATYPE"], "not a DNS record type"),
        (["check", "www.test", "--at", "yesterday-ish"], "--at wants ISO 8601"),
    ],
)
def test_bad_input_is_one_line_and_exit_3(args: list[str], message: str) -> None:
    result = invoke([*args, "--root-hints", "/nonexistent", "--port", "1"])
    assert result.exit_code == 3, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output


def test_unreadable_files_are_one_line_and_exit_3(tmp_path: Path, builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("healthy-ecdsap256")
    broken = tmp_path / "anchor.key"
    broken.write_text(". 3600 IN DS 12345 8 2 NOT-HEX\n")
    corrupt = tmp_path / "evidence.json"
    corrupt.write_text('{"format": "dnssec-evidence/1", "at": 5}')
    cases = [
        ["--trust-anchor", str(broken)],
        ["--root-hints", str(tmp_path / "missing.hints")],
        ["--evidence", str(corrupt)],
        ["--evidence", str(tmp_path / "missing.json")],
    ]
    for extra in cases:
        args = ["check", record.qname, "--port", str(builtin_lab.port), *extra]
        result = invoke(args)
        assert result.exit_code == 3, (extra, result.output)
        assert result.output.startswith("dnssec-doctor: ") and len(result.output.splitlines()) == 1


def test_unreachable_root_is_unknown_not_a_crash(tmp_path: Path) -> None:
    hints = tmp_path / "root.hints"
    hints.write_text(".  3600000 NS a.root.invalid.\na.root.invalid. 3600000 A 127.53.254.254\n")
    anchor = tmp_path / "root.key"
    anchor.write_text(
        ". 3600 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
    )
    args = ["check", "www.test", "--root-hints", str(hints), "--trust-anchor", str(anchor)]
    result = invoke([*args, "--port", "9", "--timeout", "0.2"])
    assert result.exit_code == 3, result.output
    assert "UNKNOWN" in result.output and "Traceback" not in result.output


def test_probe_writes_evidence_that_check_reads(builtin_lab: BuiltinLab, tmp_path: Path) -> None:
    record = builtin_lab.manifest.scenario("nsec3-proof-broken")
    path = tmp_path / "e.json"
    result = invoke(["probe", *builtin_lab.cli_args(record), "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(path.read_text())["format"] == "dnssec-evidence/1"
    again = invoke(["check", record.qname, record.qtype, "--evidence", str(path)])
    assert again.exit_code == 2 and "NSEC3_PROOF_BROKEN" in again.output


def test_a_root_that_answers_garbage_is_unknown_not_a_crash(tmp_path: Path) -> None:
    import socket
    import threading

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.53.253.1", 0))
    sock.settimeout(0.2)
    port = sock.getsockname()[1]
    stop = threading.Event()

    def answer_garbage() -> None:
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            sock.sendto(data[:2] + b"\x84\x00\xff\xff garbage " * 3, peer)

    thread = threading.Thread(target=answer_garbage, daemon=True)
    thread.start()
    try:
        hints = tmp_path / "root.hints"
        hints.write_text(".  3600000 NS a.root.invalid.\na.root.invalid. 3600000 A 127.53.253.1\n")
        anchor = tmp_path / "root.key"
        anchor.write_text(". 3600 IN DS 20326 8 2 " + "E0" * 32 + "\n")
        args = ["check", "www.test", "--root-hints", str(hints), "--trust-anchor", str(anchor)]
        result = invoke([*args, "--port", str(port), "--timeout", "0.2", "--json"])
    finally:
        stop.set()
        thread.join()
        sock.close()
    assert result.exit_code == 3, result.output
    report = json.loads(result.output)
    assert report["verdict"] == "indeterminate"
    assert any(
        f["code"] == "SERVER_UNREACHABLE" or f["code"] == "NO_SERVER_ANSWERED"
        for f in report["findings"]
    )


def test_system_resolver_is_the_first_nameserver_line(tmp_path: Path) -> None:
    from dnssec_doctor.services.check import CheckError, system_resolver

    conf = tmp_path / "resolv.conf"
    conf.write_text("# comment\nsearch lab\nnameserver fe80::1%eth0\nnameserver 192.0.2.1\n")
    assert system_resolver(conf) == "fe80::1"
    conf.write_text("search lab\n")
    with pytest.raises(CheckError, match="no nameserver line"):
        system_resolver(conf)
    with pytest.raises(CheckError, match="cannot read"):
        system_resolver(tmp_path / "missing")


def test_the_analysis_loads_while_the_walk_waits(builtin_lab: BuiltinLab) -> None:
    """collect_sync's *meanwhile* steps all run, after the first queries went out, and do
    not change what was collected."""
    record = builtin_lab.manifest.scenario("healthy-ecdsap256")
    asked: list[str] = []
    sent_before_step: list[int] = []

    class Counting(NetworkTransport):
        async def ask(self, server: str, *args: Any, **kwargs: Any) -> Reply:
            asked.append(server)
            return await super().ask(server, *args, **kwargs)

    def collected(steps: int) -> Collection:
        hints, anchors = builtin_lab.directory / "root.hints", builtin_lab.directory / "root.key"
        return collect_sync(
            record.qname,
            record.qtype,
            root_hints=load_root_hints(hints),
            trust_anchors=load_trust_anchors(anchors),
            transport=Counting(port=builtin_lab.port, timeout=TIMEOUT),
            at=builtin_lab.manifest.now_datetime,
            meanwhile=[lambda: sent_before_step.append(len(asked))] * steps,
        )

    with_steps = collected(5)
    assert len(sent_before_step) == 5 and sent_before_step[0] > 0
    asked.clear()
    without = collected(0)
    assert without.evidence.query == with_steps.evidence.query
    assert sorted(e.qname + e.qtype + e.server for e in without.evidence.exchanges) == sorted(
        e.qname + e.qtype + e.server for e in with_steps.evidence.exchanges
    )


def test_validation_does_not_depend_on_dnspythons_dnssec_feature(builtin_lab: BuiltinLab) -> None:
    """dnspython switches its DNSSEC module off when it finds an older cryptography
    than it wants (its validate_rrsig then raises): a check must still validate, with
    our own cryptographic step, the same verdicts."""
    import subprocess
    import sys

    healthy = builtin_lab.manifest.scenario("healthy-ecdsap256")
    broken = builtin_lab.manifest.scenario("rrsig-corrupted")
    program = (
        "import sys, dns._features\n"
        "dns._features.force('dnssec', False)\n"
        "from dnssec_doctor.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    for record, code in ((healthy, 0), (broken, 2)):
        args = ["check", *builtin_lab.cli_args(record), "--json"]
        done = subprocess.run(
            [sys.executable, "-c", program, *args], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == code, (record.id, done.stdout[-400:], done.stderr)
        assert json.loads(done.stdout)["verdict"] == record.outcome.value
