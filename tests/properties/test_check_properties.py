"""Mutated evidence never crashes the analysis: every byte of every answer may be hostile."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from dnssec_doctor.analyze.core import analyze
from dnssec_doctor.collect.walk import collect_from_evidence
from dnssec_doctor.diagnose import diagnose
from dnssec_doctor.model.evidence import Evidence
from dnssec_doctor.model.report import Report
from dnssec_doctor.render import check_json, check_text
from dnssec_doctor.services.check import probe
from helpers.check_fixtures import BuiltinLab

SCENARIOS = ("healthy-nxdomain-nsec3", "ds-digest-mismatch", "cname-into-bogus", "stale-secondary")


@pytest.fixture(scope="module")
def evidences(builtin_lab: BuiltinLab) -> list[Evidence]:
    out = []
    for scenario_id in SCENARIOS:
        record = builtin_lab.manifest.scenario(scenario_id)
        out.append(probe(builtin_lab.options(record)).evidence)
    return out


def _mutate(evidence: Evidence, data: st.DataObject) -> Evidence:
    exchanges = list(evidence.exchanges)
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(exchanges) - 1))
        wire = exchanges[index].response
        if not wire:
            continue
        position = data.draw(st.integers(0, len(wire) - 1))
        byte = data.draw(st.integers(0, 255))
        cut = data.draw(st.sampled_from([None, position]))
        mutated = wire[:position] + bytes([byte]) + wire[position + 1 :]
        exchanges[index] = exchanges[index]._replace(response=mutated[:cut] if cut else mutated)
    return evidence._replace(exchanges=tuple(exchanges))


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_answers_never_crash_the_check(
    evidences: list[Evidence], data: st.DataObject
) -> None:
    evidence = _mutate(data.draw(st.sampled_from(evidences)), data)
    collection = asyncio.run(collect_from_evidence(evidence))
    at = int(datetime.now(UTC).timestamp())
    analysis = analyze(collection, at)
    report = Report(collection, analysis, diagnose(analysis, collection), 0.0)
    check_json.to_dict(report)
    check_text.render(report, Console(file=io.StringIO(), width=120), verbose=True)
