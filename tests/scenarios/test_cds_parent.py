"""`cds parent` against BIND's `dnssec-cds` on the same inputs (helpers/cds_corpus.py),
its effects (-i, -u) against dnssec-cds's, its bad input, and the live form against the
built-in lab."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import dns.name
import pytest
from dns.rdtypes.ANY.DS import DS

from dnssec_doctor.validate.cds import (
    CdsAction,
    ChildData,
    as_ds,
    child_data,
    decide_servers,
    ds_set_problem,
)  # fmt: skip
from dnssec_doctor.validate.records import parse_records
from helpers.cds_corpus import (
    CASES,
    DOCTOR,
    ZONE,
    Case,
    current_ds,
    run,
    run_bind,
    run_ours,
)  # fmt: skip
from helpers.check_fixtures import TIMEOUT, BuiltinLab
from helpers.cli_helpers import invoke

ZONE_NAME = dns.name.from_text(ZONE)


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_case_against_dnssec_cds(cds_corpus: dict[str, Case], name: str) -> None:
    case = cds_corpus[name]
    ours, bind = run_ours(case), run_bind(case)
    assert ours.action == case.expect, ours.detail
    if ours.action in ("reject", "unchanged"):
        assert ours.ds == current_ds(case)  # the DS set is kept
    if not case.differs:
        assert (ours.action, ours.ds) == (bind.action, bind.ds), (ours, bind)
    else:
        # A deliberate difference (docs/cds.md's table): it must still be there, or the
        # table is wrong.
        assert (ours.action, ours.ds) != (bind.action, bind.ds), case.differs


def test_rejection_is_one_line(cds_corpus: dict[str, Case]) -> None:
    for case in cds_corpus.values():
        done = invoke(["cds", "parent", "-f", str(case.child), "-d", str(case.dsset),
                       *case.options, ZONE])  # fmt: skip
        lines = done.stderr.splitlines()
        verdict = [line for line in lines if not line.startswith("note: ")]
        assert len(verdict) == 1 and verdict[0].startswith(f"{ZONE}: {case.expect}: "), lines
        assert done.exit_code == (1 if case.expect == "reject" else 0)


def test_digest_filter_gives_sha384_only(cds_corpus: dict[str, Case]) -> None:
    verdict = run_ours(cds_corpus["digest-filter-sha384"])
    assert {d.split()[2] for d in verdict.ds} == {"4"}
    two = run_ours(cds_corpus["digest-filter-two"])
    assert {d.split()[2] for d in two.ds} == {"2", "4"}


def test_in_place_matches_dnssec_cds(cds_corpus: dict[str, Case], tmp_path: Path) -> None:
    case = cds_corpus["ksk-rollover"]
    ours, bind = tmp_path / "ours", tmp_path / "bind"
    for copy in (ours, bind):
        shutil.copy2(case.dsset, copy)
    done = run(DOCTOR, "cds", "parent", "-i", "-f", case.child, "-d", ours, ZONE)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    theirs = run("dnssec-cds", "-i", "-f", case.child, "-d", bind, ZONE)
    assert theirs.returncode == 0, theirs.stderr
    assert ours.read_text().upper() == bind.read_text().upper()
    assert int(ours.stat().st_mtime) == int(bind.stat().st_mtime)  # the newest inception
    # The next run with the same signatures: accepted (not older), nothing to change.
    again = run(DOCTOR, "cds", "parent", "--json", "-f", case.child, "-d", ours, ZONE)
    assert json.loads(again.stdout)["action"] == "unchanged"


def test_in_place_leaves_a_rejected_dsset(cds_corpus: dict[str, Case], tmp_path: Path) -> None:
    case = cds_corpus["inconsistent"]
    copy = tmp_path / "dsset"
    shutil.copy2(case.dsset, copy)
    before = (copy.read_text(), copy.stat().st_mtime)
    done = run(DOCTOR, "cds", "parent", "-i", "-f", case.child, "-d", copy, ZONE)
    assert done.returncode == 1
    assert (copy.read_text(), copy.stat().st_mtime) == before


def test_nsupdate_script_matches_dnssec_cds(cds_corpus: dict[str, Case]) -> None:
    for name in ("ksk-rollover", "both-keys", "identical", "algorithm-rollover-last"):
        case = cds_corpus[name]
        ours = run(DOCTOR, "cds", "parent", "-u", "-T", "3600", "-f", case.child,
                   "-d", case.dsset, ZONE)  # fmt: skip
        theirs = run("dnssec-cds", "-u", "-T", "3600", "-f", case.child, "-d", case.dsset, ZONE)
        assert ours.returncode == theirs.returncode == 0, (ours.stderr, theirs.stderr)
        assert sorted(ours.stdout.upper().splitlines()) == sorted(
            theirs.stdout.upper().splitlines()
        ), name


def test_at_judges_expired_signatures_in_the_past(cds_corpus: dict[str, Case]) -> None:
    case = cds_corpus["expired"]
    assert run_ours(case).action == "reject"
    assert run_ours(case, "--at", "-2d").action == "update"


def test_directory_dsset(cds_corpus: dict[str, Case]) -> None:
    case = cds_corpus["ksk-rollover"]
    done = run(DOCTOR, "cds", "parent", "--json", "-f", case.child, "-d", case.directory, ZONE)
    assert json.loads(done.stdout)["action"] == "update"


def test_stdin_child_file(cds_corpus: dict[str, Case]) -> None:
    case = cds_corpus["ksk-rollover"]
    done = run(DOCTOR, "cds", "parent", "--json", "-f", "-", "-d", case.dsset, ZONE,
               stdin=case.child.read_text())  # fmt: skip
    assert json.loads(done.stdout)["action"] == "update", done.stderr


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("make", "words", "says"),
    [
        (lambda d: d / "bad.txt", ["-s", "now"], "-f"),
        (lambda d: d / "child.txt", ["-s", "yesterday-ish"], "-s"),
        (lambda d: d / "child.txt", ["-s", "20261399000000"], "-s"),
        (lambda d: d / "child.txt", ["-a", "MD5"], "-a"),
        (lambda d: d / "child.txt", ["-a", "SHA-1"], "SHA-1"),
        (lambda d: d / "child.txt", ["--at", "whenever"], "--at"),
    ],
)
def test_bad_input_is_one_line(
    cds_corpus: dict[str, Case], tmp_path: Path, make: object, words: list[str], says: str
) -> None:
    case = cds_corpus["ksk-rollover"]
    shutil.copy(case.child, tmp_path / "child.txt")
    (tmp_path / "bad.txt").write_text(f"{ZONE} 3600 IN DNSKEY 257 3 13 not-base64!!\n")
    child = make(tmp_path)  # type: ignore[operator]
    result = invoke(["cds", "parent", "-f", str(child), "-d", str(case.dsset), *words, ZONE])
    assert result.exit_code == 3
    assert len(result.stderr.splitlines()) == 1 and says in result.stderr, result.stderr


def test_bad_dsset_inputs(cds_corpus: dict[str, Case], tmp_path: Path) -> None:
    case = cds_corpus["ksk-rollover"]
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    garbage = tmp_path / "garbage"
    garbage.write_text("child.test. IN DS one two three\n")
    other = tmp_path / "other"
    other.write_text("other.test. IN DS 1 13 2 " + "AB" * 32 + "\n")
    for dsset, says in (
        (empty_dir, "no dsset-child.test. file"),
        (tmp_path / "missing", "no such file"),
        (garbage, "record 1"),
        (other, "not child.test."),
    ):
        result = invoke(["cds", "parent", "-f", str(case.child), "-d", str(dsset), ZONE])
        assert result.exit_code == 3, result.stderr
        assert len(result.stderr.splitlines()) == 1 and says in result.stderr, result.stderr
    result = invoke(["cds", "parent", "-f", str(case.child), ZONE])
    assert result.exit_code == 3 and "-d DSSET" in result.stderr


def test_unreadable_child_file(tmp_path: Path, cds_corpus: dict[str, Case]) -> None:
    case = cds_corpus["ksk-rollover"]
    for child, says in ((tmp_path, "not a regular file"), (tmp_path / "nope", "cannot read")):
        result = invoke(["cds", "parent", "-f", str(child), "-d", str(case.dsset), ZONE])
        assert result.exit_code == 3 and says in result.stderr, result.stderr
    foreign = tmp_path / "foreign"
    foreign.write_text("other.test. 3600 IN A 127.0.0.1\n")
    result = invoke(["cds", "parent", "-f", str(foreign), "-d", str(case.dsset), ZONE])
    assert result.exit_code == 3 and "no records at child.test." in result.stderr


# --------------------------------------------------------------------------- live


def _live(lab: BuiltinLab, zone: str, *extra: str) -> tuple[int, dict[str, object]]:
    args = [
        "cds", "parent", zone, "--json",
        "--trust-anchor", str(lab.directory / "root.key"),
        "--root-hints", str(lab.directory / "root.hints"),
        "--port", str(lab.port), "--timeout", str(TIMEOUT), *extra,
    ]  # fmt: skip
    result = invoke(args)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)


def test_live_healthy_zone_is_unchanged(builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("healthy-ecdsap256")
    code, report = _live(builtin_lab, record.zone)
    assert (code, report["action"]) == (0, "unchanged"), report
    assert report["servers"], report  # every parent-side server asked
    assert any("no replay protection" in n for n in list(report["notes"]))  # type: ignore[call-overload]
    assert report["current"] and report["ds"] == report["current"], report


def test_live_rollover_cut_short_is_rejected(builtin_lab: BuiltinLab) -> None:
    """The new KSK's CDS is published but the DS still names the removed KSK: nothing
    the parent has authenticates the CDS."""
    record = builtin_lab.manifest.scenario("ksk-rollover-incomplete")
    code, report = _live(builtin_lab, record.zone)
    assert (code, report["action"]) == (1, "reject"), report
    assert "no DNSKEY matches the current DS set" in str(report["reason"])


def test_live_stale_cds_is_rejected(builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("rekeyed-ds-not-updated-stale-cds")
    code, report = _live(builtin_lab, record.zone)
    assert (code, report["action"]) == (1, "reject"), report


def test_live_unreachable_is_one_line(builtin_lab: BuiltinLab, tmp_path: Path) -> None:
    hints = tmp_path / "hints"
    hints.write_text(". 3600 IN NS a.root.\na.root. 3600 IN A 127.0.0.254\n")
    result = invoke([
        "cds", "parent", "child.test.", "--root-hints", str(hints),
        "--trust-anchor", str(builtin_lab.directory / "root.key"),
        "--port", str(builtin_lab.port), "--timeout", "0.2",
    ])  # fmt: skip
    assert result.exit_code == 3 and len(result.stderr.splitlines()) == 1, result.stderr


# --------------------------------------------------------------------------- the rules


def _data(case: Case) -> tuple[ChildData, list[DS]]:
    child = child_data(ZONE_NAME, parse_records(case.child.read_text()))
    current = [rd for r in parse_records(case.dsset.read_text()) for rd in r]
    return child, [d for d in current if isinstance(d, DS)]


def test_every_server_must_publish_the_same_signal(cds_corpus: dict[str, Case]) -> None:
    rollover, current = _data(cds_corpus["ksk-rollover"])
    both, _ = _data(cds_corpus["both-keys"])
    now = int(time.time())
    same = decide_servers(ZONE_NAME, {"127.0.0.1": rollover, "127.0.0.2": rollover}, current,
                          at=now, not_before=None)  # fmt: skip
    assert same.action is CdsAction.UPDATE
    differ = decide_servers(ZONE_NAME, {"127.0.0.1": rollover, "127.0.0.2": both}, current,
                            at=now, not_before=None)  # fmt: skip
    assert differ.action is CdsAction.REJECT
    assert "different CDS/CDNSKEY" in differ.reason and "127.0.0.2" in differ.reason


def test_completeness_names_the_algorithm(cds_corpus: dict[str, Case]) -> None:
    """RFC 6840 5.11: a DS for RSASHA256 while no RSASHA256 key signs the DNSKEY RRset."""
    child, current = _data(cds_corpus["algorithm-rollover-early"])
    assert child.dnskey is not None and child.cds is not None
    proposed = [as_ds(r) for r in child.cds]
    now = int(time.time())
    problem = ds_set_problem(ZONE_NAME, proposed, child.dnskey, child.dnskey_sigs, now)
    assert problem is not None and "RSASHA256" in problem
    assert ds_set_problem(ZONE_NAME, current, child.dnskey, child.dnskey_sigs, now) is None
