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

#: Findings the reshaping corrected on purpose: (golden file, old code, new code).
CORRECTED: tuple[tuple[str, str, str], ...] = ()


def _expected(path: Path) -> object:
    text = path.read_text()
    for name, old, new in CORRECTED:
        if path.name == name:
            text = text.replace(f'"{old}"', f'"{new}"')
    return json.loads(text)


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
    assert _actual(args) == _expected(expected)


@pytest.mark.parametrize(
    "expected", sorted((GOLDEN / "verify").glob("*.json")), ids=lambda p: p.stem
)
def test_verify_is_unchanged(expected: Path) -> None:
    zone = GOLDEN / "zones" / f"{expected.stem}.zone"
    assert _actual(verify_args(zone, moment())) == _expected(expected)


def test_the_golden_set_is_whole() -> None:
    assert len(list((GOLDEN / "check").glob("*.json"))) >= 31
    assert len(list((GOLDEN / "verify").glob("*.json"))) >= 16
