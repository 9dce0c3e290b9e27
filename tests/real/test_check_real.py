"""`check` against the real servers (named, NSD, Knot): our verdict is Unbound's and delv's,
and comparing with Unbound says whether DNSSEC is the cause."""

from __future__ import annotations

from pathlib import Path

import pytest

from dnssec_doctor.lab.manifest import UNBOUND_ADDRESS, Outcome
from dnssec_doctor.lab.real import RealLab
from dnssec_doctor.lab.real.verdicts import ask_unbound, run_delv
from dnssec_doctor.lab.scenarios import SCENARIOS
from dnssec_doctor.model import findings as F
from dnssec_doctor.services.check import CheckOptions, run_check

pytestmark = pytest.mark.real


@pytest.mark.parametrize("scenario_id", [s.id for s in SCENARIOS])
def test_our_verdict_is_unbounds_and_delvs(real_lab: RealLab, scenario_id: str) -> None:
    lab = real_lab.manifest
    record = lab.scenario(scenario_id)
    directory = Path(lab.directory)
    options = CheckOptions(
        name=record.qname,
        qtype=record.qtype,
        trust_anchor_file=directory / "root.key",
        root_hints_file=directory / "root.hints",
        resolver=UNBOUND_ADDRESS,
        timeout=0.5,
    )
    report = run_check(options)
    ours = report.analysis.verdict.value
    unbound = ask_unbound(lab, record.qname, record.qtype).outcome.value
    delv = run_delv(lab, record.qname, record.qtype).outcome.value
    assert (ours, ours) == (unbound, delv), f"ours {ours}, Unbound {unbound}, delv {delv}"
    assert report.diagnosis.cause.value == record.cause
    codes = {f.code for f in report.analysis.findings}
    if record.outcome is Outcome.BOGUS:
        assert F.DNSSEC_IS_THE_CAUSE in codes
    assert F.RESOLVER_DISAGREES not in codes
