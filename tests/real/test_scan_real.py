"""Every lab scenario in one run sharing the root's and TLDs' answers, against the real
servers (named, NSD, Knot): each name's cause is the one it has alone, its evidence
replays alone to the same report, and a Nagios line comes out of the same engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dnssec_doctor.lab.real import RealLab
from dnssec_doctor.model.evidence import save
from dnssec_doctor.model.scan import Target
from dnssec_doctor.render import check_json
from dnssec_doctor.services.check import CheckOptions, check_evidence
from dnssec_doctor.services.scan import SharedWalks, check_many
from helpers.cli_helpers import invoke

pytestmark = pytest.mark.real


def test_one_shared_run_over_every_scenario(real_lab: RealLab, tmp_path: Path) -> None:
    lab = real_lab.manifest
    directory = Path(lab.directory)
    base = CheckOptions(
        name=".",
        trust_anchor_file=directory / "root.key",
        root_hints_file=directory / "root.hints",
        timeout=0.5,
    )  # judged now, as test_check_real does: bind-policy zones are signed by named at the
    # real clock, after the lab's `now` (their inception would be in the build's future)
    shared = SharedWalks(per_server=4)
    outcomes = check_many(
        [Target(s.qname, s.qtype) for s in lab.scenarios], base, jobs=8, shared=shared
    )
    assert shared.reused > 0 and shared.derived > 0
    assert max(shared.limiter.peak.values()) <= 4
    for record, outcome in zip(lab.scenarios, outcomes, strict=True):
        assert outcome.report is not None, outcome.error
        assert outcome.report.diagnosis.cause.value == record.cause, record.id
        path = tmp_path / f"{record.id}.json"
        save(outcome.report.collection.evidence, path)
        options = base._replace(name=record.qname, qtype=record.qtype)
        again, live = (
            check_json.to_dict(check_evidence(path, options)),
            check_json.to_dict(outcome.report),
        )
        for report in (again, live):
            report.pop("stats")
        assert again == live, record.id


def test_nagios_against_the_real_servers(real_lab: RealLab) -> None:
    lab = real_lab.manifest
    directory = Path(lab.directory)
    names = [lab.scenario(s).qname for s in ("healthy-ed25519", "ds-digest-mismatch")]
    result = invoke(
        ["check", *names, "--trust-anchor", str(directory / "root.key"),
         "--root-hints", str(directory / "root.hints"), "--timeout", "0.5", "--nagios"]
    )  # fmt: skip
    assert result.exit_code == 2
    first = result.stdout.splitlines()[0]
    assert re.match(r"^DNSSEC CRITICAL - 2 names: 1 CRITICAL, 1 OK; .*DS_DIGEST_MISMATCH", first)
