"""The golden set: `check --json` over every lab scenario's saved evidence and `verify
--json` over the stored test zones print what they printed when the set was captured
(tests/golden/capture.py, before issue 11's reshaping). A verdict that changes here
changed on purpose, and the change is listed where it was made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import GOLDEN
from helpers.cli_helpers import invoke
from helpers.golden_helpers import check_args, comparable, moment, verify_args

#: Changed on purpose since capture, in the files themselves: issue 14 gave each
#: "Emergency: remove every DS ..." step one line, the pointer to `ds disable-plan ZONE`
#: (its title, the facts, unchanged).

#: Findings the reshaping corrected on purpose: (golden file, old code, new code).
CORRECTED: tuple[tuple[str, str, str], ...] = ()


def _expected(path: Path) -> object:
    text = path.read_text()
    for name, old, new in CORRECTED:
        if path.name == name:
            text = text.replace(f'"{old}"', f'"{new}"')
    return json.loads(text)


#: Fields added to every finding after the golden files were captured: the comparison
#: drops exactly these from a finding when its golden counterpart has no such key (and
#: compares them when it has). ``server_names`` (issue 12 class 11): the NS host names of
#: each address in ``servers``; test_server_names_are_the_ns_names checks what it holds.
ADDED_TO_FINDINGS = ("server_names",)

#: Fields added to the report itself after the golden files were captured, dropped the
#: same way when the golden report has no such key. ``rollovers`` (issue 12 class 1):
#: the rollovers in progress; test_rollovers_are_reported checks what it holds.
ADDED_TO_REPORT = ("rollovers",)


def _without_added(actual: object, expected: object) -> object:
    if not (isinstance(actual, dict) and isinstance(expected, dict)):
        return actual
    report, golden = actual.get("report"), expected.get("report")
    if not (isinstance(report, dict) and isinstance(golden, dict)):
        return actual
    report = {k: v for k, v in report.items() if k not in ADDED_TO_REPORT or k in golden}
    old = golden.get("findings") or []
    if any(key in f for f in old for key in ADDED_TO_FINDINGS):
        return {**actual, "report": report}
    findings = [
        {k: v for k, v in f.items() if k not in ADDED_TO_FINDINGS}
        for f in report.get("findings") or []
    ]
    return {**actual, "report": {**report, "findings": findings}}


def _actual(args: list[str]) -> object:
    result = invoke(args)
    return {"exit_code": result.exit_code, "report": comparable(json.loads(result.stdout))}


@pytest.mark.parametrize(
    "expected", sorted((GOLDEN / "check").glob("*.json")), ids=lambda p: p.stem
)
def test_check_is_unchanged(expected: Path) -> None:
    evidence = GOLDEN / "evidence" / expected.name
    query = json.loads(evidence.read_text())["query"]
    args = check_args(evidence, query["name"], query["type"], moment())
    want = _expected(expected)
    assert _without_added(_actual(args), want) == want


@pytest.mark.parametrize(
    "expected", sorted((GOLDEN / "verify").glob("*.json")), ids=lambda p: p.stem
)
def test_verify_is_unchanged(expected: Path) -> None:
    zone = GOLDEN / "zones" / f"{expected.stem}.zone"
    want = _expected(expected)
    assert _without_added(_actual(verify_args(zone, moment())), want) == want


def test_the_golden_set_is_whole() -> None:
    assert len(list((GOLDEN / "check").glob("*.json"))) >= 31
    assert len(list((GOLDEN / "verify").glob("*.json"))) >= 16


def test_server_names_are_the_ns_names() -> None:
    """The one field the comparison above may drop, checked here: a silent server is
    named by its NS host name as well as its address."""
    evidence = GOLDEN / "evidence" / "silent-nameserver.json"
    query = json.loads(evidence.read_text())["query"]
    result = invoke(check_args(evidence, query["name"], query["type"], moment()))
    report = json.loads(result.stdout)
    silent = next(f for f in report["findings"] if f["code"] == "SERVER_UNREACHABLE")
    assert silent["servers"] == ["127.53.29.2"]
    assert silent["server_names"] == {"127.53.29.2": ["ns2.silent-nameserver.test."]}
    assert all(set(f["server_names"]) <= set(f["servers"]) for f in report["findings"])


def test_rollovers_are_reported() -> None:
    """The report field the comparison above may drop, checked here: the saved KSK
    rollover (two KSKs signing, the DS of both) is a legitimate double-DS stage, with
    its next step and the time it is safe from (the larger of the DS and DNSKEY TTLs,
    3600 s, after the check's moment); a healthy zone has no rollover."""
    for name, expected in (("ksk-rollover-done", 1), ("healthy-ecdsap256", 0)):
        evidence = GOLDEN / "evidence" / f"{name}.json"
        query = json.loads(evidence.read_text())["query"]
        report = json.loads(
            invoke(check_args(evidence, query["name"], query["type"], moment())).stdout
        )
        assert len(report["rollovers"]) == expected, report["rollovers"]
    (rollover,) = json.loads(
        invoke(check_args(GOLDEN / "evidence" / "ksk-rollover-done.json",
                          "www.ksk-rollover-done.test.", "A", moment())).stdout
    )["rollovers"]  # fmt: skip
    assert rollover["zone"] == "ksk-rollover-done.test."
    assert (rollover["kind"], rollover["stage"], rollover["legitimate"]) == (
        "ksk",
        "double-ds",
        True,
    )
    assert rollover["not_before"] == "2026-12-03T09:34:45Z"  # moment + 3600 s
    assert rollover["step_too_early"] is None and "remove the DS" in rollover["next_step"]
