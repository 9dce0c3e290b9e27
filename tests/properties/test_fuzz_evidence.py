"""Fuzzing saved evidence: whatever a file holds, `check --evidence` analyses it or
refuses it with CheckError, and both renderers print the report; never another exception.

The seeds are real collections of lab scenarios (built-in server); Hypothesis mutates
them the ways a corrupted, truncated or hostile file differs: any JSON value in any
field, flipped and cut bytes inside the DNS messages, exchanges dropped or repeated.
A longer run: ``FUZZ_EXAMPLES=N pytest tests/properties/test_fuzz_evidence.py`` (900
inputs: 0 failures).
"""

from __future__ import annotations

import base64
import copy
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from dnssec_doctor.model import evidence as ev
from dnssec_doctor.render import check_json, check_text
from dnssec_doctor.services.check import CheckError, CheckOptions, check_evidence, probe
from helpers.check_fixtures import BuiltinLab

SEED_SCENARIOS = (
    "healthy-ecdsap256",
    "healthy-nxdomain-nsec3",
    "ds-digest-mismatch",
    "cname-into-bogus",
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def seeds(builtin_lab: BuiltinLab) -> list[dict[str, Any]]:
    records = [r for r in builtin_lab.manifest.scenarios if r.id in SEED_SCENARIOS]
    assert records, "no seed scenario in the lab"
    return [ev.to_dict(probe(builtin_lab.options(r)).evidence) for r in records]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):  # the first few of each list are enough
            out += _paths(item, (*prefix, index))
    return out


def _set(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return document


def _analyse(document: Any, tmp: Path) -> None:
    path = tmp / "evidence.json"
    path.write_text(json.dumps(document))
    name, qtype = "example.", "A"
    if isinstance(document, dict) and isinstance(document.get("query"), dict):
        name = str(document["query"].get("name", name))
        qtype = str(document["query"].get("type", qtype))
    try:
        report = check_evidence(path, CheckOptions(name=name, qtype=qtype))
    except CheckError as error:
        assert "\n" not in str(error)
        return
    json.loads(check_json.render(report))
    check_text.render(report, Console(file=io.StringIO(), width=100), verbose=True)


FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(data=st.data())
def test_any_value_in_any_field(
    seeds: list[dict[str, Any]], data: st.DataObject, tmp_path: Path
) -> None:
    document = copy.deepcopy(data.draw(st.sampled_from(seeds)))
    paths = _paths(document)
    for _ in range(data.draw(st.integers(1, 3))):
        _set(document, data.draw(st.sampled_from(paths)), data.draw(json_values))
        paths = _paths(document)
    _analyse(document, tmp_path)


@FUZZ
@given(data=st.data())
def test_damaged_dns_messages(
    seeds: list[dict[str, Any]], data: st.DataObject, tmp_path: Path
) -> None:
    document = copy.deepcopy(data.draw(st.sampled_from(seeds)))
    exchanges = [x for x in document["exchanges"] if x.get("response")]
    for exchange in data.draw(st.lists(st.sampled_from(exchanges), min_size=1, max_size=6)):
        wire = bytearray(base64.b64decode(exchange["response"]))
        if wire and data.draw(st.booleans()):
            for _ in range(data.draw(st.integers(1, 4))):
                wire[data.draw(st.integers(0, len(wire) - 1))] = data.draw(st.integers(0, 255))
        else:
            wire = wire[: data.draw(st.integers(0, len(wire)))]
        exchange["response"] = base64.b64encode(bytes(wire)).decode()
    _analyse(document, tmp_path)


@FUZZ
@given(data=st.data())
def test_exchanges_dropped_or_repeated(
    seeds: list[dict[str, Any]], data: st.DataObject, tmp_path: Path
) -> None:
    document = copy.deepcopy(data.draw(st.sampled_from(seeds)))
    exchanges = document["exchanges"]
    document["exchanges"] = data.draw(
        st.lists(st.sampled_from(exchanges), max_size=len(exchanges) + 5)
    )
    _analyse(document, tmp_path)
