"""`check` against the real servers (named, NSD, Knot): our verdict is Unbound's and delv's,
and comparing with Unbound says whether DNSSEC is the cause."""

from __future__ import annotations

from pathlib import Path

import dns.name
import pytest

from dnssec_doctor.lab.keys import generate_key
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


def test_an_old_trust_anchor_is_the_operators_own(real_lab: RealLab, tmp_path: Path) -> None:
    """Issue 12, class 6: an anchor that matches no key of the root. delv is given the same
    wrong anchor (Unbound's is in its configuration, fixed for the lab: not compared)."""
    lab = real_lab.manifest
    record = lab.scenario("healthy-ecdsap256")
    key = generate_key(8, ksk=True)
    ds = key.ds(dns.name.root)
    (tmp_path / "old-root.key").write_text(f". 3600 IN DS {ds.to_text()}\n")
    digest = bytes(ds.digest).hex().upper()
    clause = f'. static-ds {ds.key_tag} {ds.algorithm} {ds.digest_type} "{digest}";'
    (tmp_path / "old-anchors.conf").write_text(f"trust-anchors {{\n  {clause}\n}};\n")
    options = CheckOptions(
        name=record.qname,
        qtype=record.qtype,
        trust_anchor_file=tmp_path / "old-root.key",
        root_hints_file=Path(lab.directory) / "root.hints",
        timeout=0.5,
    )
    report = run_check(options)
    delv = run_delv(lab, record.qname, record.qtype, anchors=tmp_path / "old-anchors.conf")
    assert report.analysis.verdict.value == delv.outcome.value == "bogus", delv.raw
    assert report.diagnosis.cause.value == "TRUST_ANCHOR_MISMATCH"
    assert all("registrar" not in step.title for step in report.diagnosis.steps)
