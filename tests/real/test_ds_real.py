"""`ds show`, `ds compare`, `ds disable-plan` against the real servers (named, NSD, Knot
serving the lab on port 53), held to the lab's correct DS, to the real `dnssec-dsfromkey`
over the zone files those servers load, and to Unbound and delv validating the zone."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dns.name
import dns.zone
import pytest

from dnssec_doctor.lab.manifest import LabManifest, Outcome
from dnssec_doctor.lab.real import RealLab
from dnssec_doctor.lab.real.verdicts import ask_unbound, run_delv
from helpers.cli_helpers import invoke

pytestmark = pytest.mark.real

SCENARIOS = [
    "healthy-rsasha256", "healthy-ed25519", "ksk-rollover-done", "insecure-delegation",
    "ds-digest-mismatch", "ds-stale-rekey", "ds-algorithm-mismatch", "ds-unsigned-zone",
    "ksk-rollover-incomplete", "rrsig-expired", "ds-leftover-extra", "ds-sha1-only",
    "ds-unsupported-digest",
]  # fmt: skip


def _walk(lab: LabManifest) -> list[str]:
    directory = Path(lab.directory)
    return [
        "--trust-anchor", str(directory / "root.key"),
        "--root-hints", str(directory / "root.hints"), "--timeout", "0.5",
    ]  # fmt: skip


def _json(lab: LabManifest, *args: str) -> tuple[int, dict[str, Any]]:
    result = invoke(["ds", *args, "--json", *_walk(lab)])
    assert result.stderr == "", result.stderr
    return result.exit_code, json.loads(result.stdout)


def _rdata(line: str) -> str:
    return " ".join(line.split()[-4:]).upper()


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_compare_against_the_real_servers(real_lab: RealLab, scenario_id: str) -> None:
    lab = real_lab.manifest
    record = lab.scenario(scenario_id)
    code, report = _json(lab, "compare", record.zone)
    assert sorted(_rdata(d["record"]) for d in report["publish"]) == sorted(
        _rdata(line) for line in record.correct_ds
    )
    unbound = ask_unbound(lab, record.zone, "SOA").outcome
    delv = run_delv(lab, record.zone, "SOA").outcome
    assert unbound is delv
    if code == 2:  # the DS set breaks validation: the real validators fail
        assert unbound is Outcome.BOGUS
    if unbound is Outcome.SECURE:
        assert code in (0, 1)
    if code == 0 and record.outcome is Outcome.SECURE:
        assert all(d["state"] == "match" for d in report["ds"])


@pytest.mark.parametrize("scenario_id", ["healthy-rsasha256", "ksk-rollover-done", "ds-sha1-only"])
def test_show_is_dnssec_dsfromkey_on_the_served_zone(real_lab: RealLab, scenario_id: str) -> None:
    lab = real_lab.manifest
    zone = lab.scenario(scenario_id).zone
    code, report = _json(lab, "show", zone, "--digest", "2,4")
    assert code == 0 and report["authenticated"] is True
    path = lab.path(lab.zones[zone])
    theirs = subprocess.run(
        ["dnssec-dsfromkey", "-a", "SHA-256", "-a", "SHA-384", "-f", str(path), zone],
        capture_output=True, text=True, check=True,
    ).stdout.split("\n")[:-1]  # fmt: skip
    assert sorted(d["record"] for k in report["keys"] for d in k["ds"]) == sorted(theirs)
    assert len(report["servers"]) >= 1 and not report["servers_differ"]


def test_disable_plan_against_the_real_servers(real_lab: RealLab) -> None:
    lab = real_lab.manifest
    zone = "healthy-ed25519.test."
    code, plan = _json(lab, "disable-plan", zone, "--at", "2026-12-10T00:00:00Z")
    assert code == 0
    parent = dns.zone.from_file(str(lab.path(lab.zones["test."])), origin="test.", relativize=False)
    ds = parent.get_rdataset(dns.name.from_text(zone), "DS")
    assert ds is not None and plan["ds_ttl"] == ds.ttl
    assert sorted(_rdata(d["record"]) for d in plan["ds"]) == sorted(
        _rdata(f"x {d.to_text()}") for d in ds
    )
    insecure = datetime(2026, 12, 10, tzinfo=UTC) + timedelta(seconds=ds.ttl)
    assert plan["insecure_at"] == insecure.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [s["title"].split()[0] for s in plan["steps"]] == ["Remove", "Wait", "Keep", "Only"]
