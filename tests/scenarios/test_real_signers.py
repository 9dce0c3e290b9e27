"""The lab's zones signed by real signers (BIND dnssec-signzone, ldns-signzone, Knot
kzonesign): `verify` reads each signer's own output and finds exactly the fault the
signer was made to produce; without the signer programs the lab is the lab's own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dns.name
import pytest

from dnssec_doctor.lab.manifest import LabManifest, ScenarioRecord
from dnssec_doctor.lab.realsign.recipe import Signer, SignerFault
from dnssec_doctor.lab.realsign.tools import PACKAGES, SignerError, available, run
from dnssec_doctor.lab.scenarios import LAB_SCENARIOS, REAL_SIGNER_SCENARIOS, SCENARIOS
from helpers import TOP
from helpers.check_fixtures import BuiltinLab
from helpers.cli_helpers import invoke
from helpers.ports import free_port
from helpers.verify_cli import cli, report_json

REAL = [s for s in SCENARIOS if s.signer is not Signer.LAB]

#: What `verify` must find in each state (codes at WARNING or worse; with the parent's
#: DS given as --ds for the states the DS is part of).
ALONE: dict[SignerFault, set[str]] = {
    SignerFault.NONE: set(),
    # an expired signature is no valid one: no SEP key signs DNSKEY validly either
    SignerFault.EXPIRED: {"RRSIG_EXPIRED", "DNSKEY_NO_SEP_SIGNER"},
    SignerFault.NOT_YET_VALID: {"RRSIG_NOT_YET_VALID", "DNSKEY_NO_SEP_SIGNER"},
    SignerFault.EXPIRING_SOON: {"RRSIG_EXPIRING_SOON"},
    SignerFault.ZSK_PREPUBLISHED: set(),  # a legitimate rollover stage
    SignerFault.KSK_UNPUBLISHED: {"RRSIG_NO_MATCHING_KEY", "DNSKEY_NO_SEP_SIGNER"},
    SignerFault.ZSK_HALF_DONE: {"RRSIG_NO_MATCHING_KEY"},  # the old ZSK's signatures
    SignerFault.KSK_REMOVED: {"DNSKEY_NO_SEP_SIGNER"},  # only the ZSK signs DNSKEY
    SignerFault.REKEYED: set(),  # a healthy zone on its own: only the DS is wrong
}
WITH_DS: dict[SignerFault, set[str]] = {
    SignerFault.NONE: set(),
    SignerFault.EXPIRED: {"RRSIG_EXPIRED"},
    SignerFault.NOT_YET_VALID: {"RRSIG_NOT_YET_VALID"},
    SignerFault.EXPIRING_SOON: {"RRSIG_EXPIRING_SOON"},
    SignerFault.ZSK_PREPUBLISHED: set(),
    SignerFault.KSK_UNPUBLISHED: {"DS_NO_KEY_WITH_TAG", "DNSKEY_NOT_SIGNED_BY_DS_KEY"},
    SignerFault.ZSK_HALF_DONE: {"RRSIG_NO_MATCHING_KEY"},
    SignerFault.KSK_REMOVED: {"DS_NO_KEY_WITH_TAG", "DNSKEY_NOT_SIGNED_BY_DS_KEY"},
    SignerFault.REKEYED: {"DS_NO_KEY_WITH_TAG", "DNSKEY_NOT_SIGNED_BY_DS_KEY"},
}
SERIOUS = ("WARNING", "CRITICAL")


def _require_signers() -> None:
    missing = [PACKAGES[s] for s in Signer if s is not Signer.LAB and not available(s)]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must build the real-signer scenarios: apt-get install {missing}")
        pytest.skip(f"missing {', '.join(missing)}")


def _parent_ds(manifest: LabManifest, record: ScenarioRecord, out: Path) -> Path:
    """The DS RRset the parent zone file publishes for the scenario's zone."""
    zone = dns.name.from_text(record.zone)
    parent = zone.parent().to_text()
    lines = [
        line
        for line in manifest.path(manifest.zones[parent]).read_text().splitlines()
        if line.split()[:1] == [record.zone] and line.split()[3:4] == ["DS"]
    ]
    assert lines, f"no DS for {record.zone} in {parent}"
    out.write_text("\n".join(lines) + "\n")
    return out


def _codes(*args: str) -> tuple[str, set[str]]:
    report = report_json(cli("verify", *args, "--json", "--jobs", "1"))
    serious = {f["code"] for f in report["findings"] if f["severity"] in SERIOUS}
    return str(report["verdict"]), serious


@pytest.mark.parametrize("scenario_id", [s.id for s in REAL])
def test_verify_finds_the_state_the_signer_made(
    builtin_lab: BuiltinLab, scenario_id: str, tmp_path: Path
) -> None:
    _require_signers()
    manifest = builtin_lab.manifest
    record = manifest.scenario(scenario_id)
    scenario = next(s for s in REAL if s.id == scenario_id)
    assert scenario.signed_by is not None and record.signer == scenario.signer.value
    zone_file = str(manifest.path(manifest.zones[record.zone]))
    at = ("--at", manifest.now)
    verdict, alone = _codes(zone_file, *at)
    assert alone == ALONE[scenario.signed_by.fault], (verdict, alone)
    assert (verdict == "OK") is (not alone)
    ds = _parent_ds(manifest, record, tmp_path / "ds.txt")
    _, with_ds = _codes(zone_file, "--ds", str(ds), *at)
    assert WITH_DS[scenario.signed_by.fault] <= with_ds, with_ds
    if scenario.signed_by.fault in (SignerFault.NONE, SignerFault.ZSK_PREPUBLISHED):
        assert not with_ds


def test_zone_files_are_the_signers_own_output(builtin_lab: BuiltinLab) -> None:
    """Served as written: dnssec-signzone's, ldns's and Knot's own marks are in the files
    (named's, transferred, carries its private signing-state records), and each zone's
    directory keeps the commands that made it."""
    _require_signers()
    manifest = builtin_lab.manifest
    marks = {
        "bind": "; dnssec_signzone version",
        "ldns": ";{id = ",
        "knot": ";; Zone dump (Knot DNS",
        "bind-policy": " TYPE65534 ",
    }
    programs = {
        "bind": "dnssec-signzone",
        "ldns": "ldns-signzone",
        "knot": "kzonesign",
        "bind-policy": "named -g",
    }
    for record in (manifest.scenario(s.id) for s in REAL):
        text = manifest.path(manifest.zones[record.zone]).read_text()
        assert marks[record.signer] in text, record.id
        commands = manifest.path(f"signers/{record.zone.rstrip('.')}/commands.sh").read_text()
        assert programs[record.signer] in commands, record.id


def test_every_signer_and_fault_is_covered() -> None:
    """Each real signer has a clean baseline; the five breaking classes are all there."""
    signers = {s.signer for s in REAL_SIGNER_SCENARIOS}
    assert signers == set(Signer) - {Signer.LAB}
    for signer in signers:
        own = [s for s in REAL_SIGNER_SCENARIOS if s.signer is signer]
        assert any(s.signed_by and s.signed_by.fault is SignerFault.NONE for s in own)
        assert any(s.denial == "nsec3" for s in own), signer
        assert any(s.signed_by and s.signed_by.csk for s in own), signer
    faults = {s.signed_by.fault for s in REAL_SIGNER_SCENARIOS if s.signed_by}
    assert faults == set(SignerFault)
    # appended: the lab's own scenarios keep their index, hence their addresses
    assert SCENARIOS[: len(LAB_SCENARIOS)] == LAB_SCENARIOS


def test_without_the_signers_the_lab_is_its_own(tmp_path: Path) -> None:
    """On a machine without bind9-utils, ldnsutils and knot-dnssecutils (an empty PATH
    here) the lab lists only its own scenarios and builds them without a signer."""
    code = (
        "import json, sys; from pathlib import Path\n"
        "from dnssec_doctor.lab.build import build_lab\n"
        "m = build_lab(Path(sys.argv[1]))\n"
        "print(json.dumps([r.signer for r in m.scenarios]))\n"
    )
    env = {**os.environ, "PATH": str(tmp_path / "empty")}
    built = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "lab")],
        env=env, capture_output=True, text=True, check=True, cwd=TOP,
    )  # fmt: skip
    assert json.loads(built.stdout) == ["lab"] * len(LAB_SCENARIOS)
    assert not (tmp_path / "lab" / "signers").exists()
    listed = subprocess.run(
        [sys.executable, "-m", "dnssec_doctor", "lab", "list", "--json"],
        env=env, capture_output=True, text=True, check=True, cwd=TOP,
    )  # fmt: skip
    assert [e["id"] for e in json.loads(listed.stdout)] == [s.id for s in LAB_SCENARIOS]


def test_a_failing_signer_is_one_line(tmp_path: Path) -> None:
    _require_signers()
    (tmp_path / "broken.zone").write_text("this is not a zone\n")
    with pytest.raises(SignerError) as caught:
        run(["dnssec-signzone", "-o", "broken.test.", "broken.zone"], tmp_path)
    message = str(caught.value)
    assert message.startswith("dnssec-signzone failed (exit 1): ") and "\n" not in message


def test_lab_up_says_in_one_line_that_a_signer_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken signer installation (here a dnssec-keygen that refuses to work, first on
    PATH) stops `lab up` with one line naming the command and its last words, exit 3."""
    _require_signers()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dnssec-keygen"
    fake.write_text("#!/bin/sh\necho 'dnssec-keygen: fatal: out of entropy' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    result = invoke(["lab", "up", "--dir", str(tmp_path / "lab"), "--port", str(free_port())])
    assert result.exit_code == 3
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "a real signer failed" in lines[0] and "out of entropy" in lines[0]
