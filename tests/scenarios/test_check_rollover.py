"""Issue 12, classes 1, 4 and 5 on the built-in lab: the stage of every rollover scenario
(legitimate stages named with their next step and its time, premature steps as faults
with the way back), TTLs against signature validity, and NSEC3 parameters in check.
The verdicts and causes of the same scenarios are held to Unbound and delv in
tests/real/test_check_real.py."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import dns.name
import dns.rdatatype
import dns.zone
import pytest

from dnssec_doctor.exitcodes import ExitCode
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.causes import Cause
from dnssec_doctor.model.report import Report
from dnssec_doctor.model.rollover import Rollover, RolloverKind, Stage
from dnssec_doctor.services.check import run_check
from helpers.check_fixtures import BuiltinLab
from helpers.cli_helpers import invoke

T = dns.rdatatype.RdataType
K, Z, C, A = RolloverKind.KSK, RolloverKind.ZSK, RolloverKind.CSK, RolloverKind.ALGORITHM

#: Each rollover scenario: the rollovers check must recognise, (kind, stage), in order.
STAGES: dict[str, list[tuple[RolloverKind, Stage]]] = {
    "zsk-rollover-prepublish": [(Z, Stage.ZSK_PUBLISHED_NOT_SIGNING)],
    "zsk-rollover-double-signature": [(Z, Stage.ZSK_DOUBLE_SIGNATURE)],
    "zsk-rollover-old-signatures-remain": [(Z, Stage.ZSK_OLD_SIGNATURES_REMAIN)],
    "ksk-rollover-double-ksk": [(K, Stage.KEY_NEW_PUBLISHED)],
    "ksk-rollover-ds-switched": [(K, Stage.KEY_DS_SWITCHED)],
    "ksk-rollover-done": [(K, Stage.KEY_DOUBLE_DS)],
    "csk-rollover-double-signature": [(C, Stage.KEY_NEW_PUBLISHED)],
    "algorithm-rollover-new-signatures": [(A, Stage.ALGORITHM_NEW_SIGNATURES)],
    "algorithm-rollover-new-keys": [(A, Stage.ALGORITHM_NEW_KEYS)],
    "algorithm-rollover-ds-switched": [(A, Stage.ALGORITHM_DS_SWITCHED)],
    "algorithm-rollover-old-keys-removed": [(A, Stage.ALGORITHM_OLD_SIGNATURES_REMAIN)],
    "algorithm-rollover-ds-too-early": [(A, Stage.PREMATURE_ALGORITHM_DS)],
    "algorithm-rollover-keys-before-signatures": [(A, Stage.PREMATURE_ALGORITHM_KEYS)],
    "ksk-rollover-ds-before-dnskey-everywhere": [(K, Stage.PREMATURE_DS_BEFORE_DNSKEY)],
    "zsk-rollover-incomplete": [(Z, Stage.PREMATURE_UNPUBLISHED_SIGNER)],
    "healthy-ecdsap256": [],
    "healthy-rsasha256": [],
    "csk-rekey-without-sep": [(C, Stage.PREMATURE_KEY_REMOVED_BEFORE_DS)],
    "ksk-rollover-incomplete": [(K, Stage.PREMATURE_KEY_REMOVED_BEFORE_DS)],
    "ksk-removed-no-successor": [],  # no CDS: no rollover, a key that vanished
    "ds-leftover-extra": [],  # a DS of no published key: hygiene, not a stage
}


def _check(lab: BuiltinLab, scenario_id: str, at: str | None = None) -> Report:
    record = lab.manifest.scenario(scenario_id)
    return run_check(lab.options(record, at=at or lab.manifest.now))


def _own(report: Report, scenario_id: str) -> list[Rollover]:
    zone = next(r.zone for r in report.analysis.rollovers) if report.analysis.rollovers else ""
    assert all(r.zone == zone for r in report.analysis.rollovers)
    assert not zone or zone.startswith(scenario_id + ".")
    return report.analysis.rollovers


def _zone(lab: BuiltinLab, scenario_id: str) -> dns.zone.Zone:
    record = lab.manifest.scenario(scenario_id)
    path = Path(lab.manifest.directory) / lab.manifest.zones[record.zone]
    return dns.zone.from_file(str(path), origin=record.zone, relativize=False)


def _tags(zone: dns.zone.Zone, rdtype: T) -> set[str]:
    """``tag/ALGORITHM`` of the zone file's DNSKEY (or CDS) records at the apex."""
    assert zone.origin is not None
    rdataset = zone.get_rdataset(zone.origin, rdtype)
    out = set()
    for rd in rdataset or []:
        tag = rd.key_id() if rdtype == T.DNSKEY else rd.key_tag
        out.add(f"{tag}/{dns.dnssec.algorithm_to_text(rd.algorithm)}")
    return out


@pytest.mark.parametrize("scenario_id", sorted(STAGES))
def test_the_stage_of_each_rollover(builtin_lab: BuiltinLab, scenario_id: str) -> None:
    report = _check(builtin_lab, scenario_id)
    got = [(r.kind, r.stage) for r in _own(report, scenario_id)]
    assert got == STAGES[scenario_id]
    for rollover in report.analysis.rollovers:
        assert rollover.legitimate is (rollover.stage.value[:10] != "premature-")
        assert (rollover.step_too_early is None) is rollover.legitimate
        if rollover.legitimate:
            assert report.diagnosis.cause is Cause.OK or scenario_id == "zsk-rollover-incomplete"
            assert report.analysis.verdict.value == "secure"


def test_a_new_ksk_named_by_its_cds_is_the_one_to_submit(builtin_lab: BuiltinLab) -> None:
    """Double-KSK before the DS swap: the new key is the one the zone's CDS names; the
    next step is its DS, safe one DNSKEY TTL (3600 s) after the check's moment."""
    scenario = "ksk-rollover-double-ksk"
    (rollover,) = _check(builtin_lab, scenario).analysis.rollovers
    zone = _zone(builtin_lab, scenario)
    cds = _tags(zone, T.CDS)
    assert set(rollover.new_keys) == cds
    assert set(rollover.old_keys) | cds <= _tags(zone, T.DNSKEY)
    assert (
        "submit the DS of KSK" in rollover.next_step and rollover.new_keys[0] in rollover.next_step
    )
    now = int(builtin_lab.manifest.now_datetime.timestamp())
    assert rollover.not_before == now + 3600
    after = _check(builtin_lab, "ksk-rollover-ds-switched").analysis.rollovers[0]
    assert "remove KSK" in after.next_step and after.not_before == now + 3600  # the DS TTL


def test_algorithm_rollovers_name_old_and_new_by_algorithm(builtin_lab: BuiltinLab) -> None:
    for scenario, old, new in (
        ("algorithm-rollover-new-keys", "RSASHA256", "ECDSAP256SHA256"),
        ("algorithm-rollover-ds-switched", "ECDSAP256SHA256", "ED25519"),
    ):
        (rollover,) = _check(builtin_lab, scenario).analysis.rollovers
        assert {k.split("/")[1] for k in rollover.old_keys} == {old}
        assert {k.split("/")[1] for k in rollover.new_keys} == {new}
        assert set(rollover.old_keys) | set(rollover.new_keys) == _tags(
            _zone(builtin_lab, scenario), T.DNSKEY
        )
    first = _check(builtin_lab, "algorithm-rollover-new-signatures").analysis.rollovers[0]
    assert "publish the ED25519 DNSKEYs" in first.next_step
    last = _check(builtin_lab, "algorithm-rollover-old-keys-removed").analysis.rollovers[0]
    assert "stop signing with ECDSAP256SHA256" in last.next_step


def test_the_text_report_names_the_stage_and_the_next_step(builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("ksk-rollover-double-ksk")
    result = invoke(["check", *builtin_lab.cli_args(record)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "KSK rollover in progress at ksk-rollover-double-ksk.test. (double-KSK, stage" in text
    assert "next step: submit the DS of KSK" in text and "not before 20" in text
    assert "Cause: OK" in text


def test_the_json_lists_the_rollovers(builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("algorithm-rollover-ds-too-early")
    result = invoke(["check", *builtin_lab.cli_args(record), "--json"])
    assert result.exit_code == 2
    (rollover,) = json.loads(result.output)["rollovers"]
    assert rollover["zone"] == record.zone and rollover["kind"] == "algorithm"
    assert rollover["stage"] == "premature-ds-before-signatures"
    assert rollover["legitimate"] is False and rollover["not_before"] is None
    assert "before the zone was signed with ED25519" in rollover["step_too_early"]
    assert set(rollover) == {
        "zone", "kind", "method", "stage", "legitimate", "summary", "next_step",
        "not_before", "old_keys", "new_keys", "step_too_early", "rrsets", "servers",
    }  # fmt: skip
    healthy = builtin_lab.manifest.scenario("healthy-ecdsap256")
    quiet = json.loads(invoke(["check", *builtin_lab.cli_args(healthy), "--json"]).output)
    assert quiet["rollovers"] == []


def test_a_new_algorithms_ds_too_early_puts_the_old_ds_back(builtin_lab: BuiltinLab) -> None:
    """The fix is the DS of the key that signs now (the old algorithm's KSK), not a
    search for private keys (issue 12 class 1)."""
    record = builtin_lab.manifest.scenario("algorithm-rollover-ds-too-early")
    report = _check(builtin_lab, record.id)
    assert report.diagnosis.cause is Cause.ALGORITHM_ROLLOVER_DS_TOO_EARLY
    published = [d.presentation.lower() for d in report.diagnosis.ds_to_publish]
    assert published == [line.lower() for line in record.correct_ds]
    assert all(" 13 2 " in line for line in published)  # ECDSAP256SHA256: the old one
    steps = [s.title for s in report.diagnosis.steps]
    assert steps[0].startswith("Algorithm rollover step taken too early")
    assert "no private key to look for" in steps[0] and "replace the DS" in steps[1]
    assert steps[-1].startswith("Emergency")
    assert report.exit_code is ExitCode.CRITICAL


def test_premature_steps_validation_survives_are_warnings(builtin_lab: BuiltinLab) -> None:
    keys = _check(builtin_lab, "algorithm-rollover-keys-before-signatures")
    assert keys.analysis.verdict.value == "secure" and keys.exit_code is ExitCode.WARNING
    (early,) = [f for f in keys.analysis.findings if f.code == F.ROLLOVER_STEP_TOO_EARLY]
    assert "publishing the ED25519 DNSKEYs before" in early.message and "has no ED25519" in (
        early.message
    )
    assert keys.diagnosis.steps[1].title.startswith("The way back: sign every RRset")
    zone = builtin_lab.manifest.scenario("algorithm-rollover-keys-before-signatures").zone
    assert f"www.{zone} A: no ED25519" in early.records  # each RRset, each algorithm it lacks
    assert f"{zone} SOA: no ED25519" in early.records
    assert not any(r.startswith(f"{zone} DNSKEY") for r in early.records)  # signed by both
    split = _check(builtin_lab, "ksk-rollover-ds-before-dnskey-everywhere")
    ns2 = builtin_lab.manifest.servers_of(
        builtin_lab.manifest.scenario("ksk-rollover-ds-before-dnskey-everywhere").zone
    )[1].address
    assert split.diagnosis.cause is Cause.ROLLOVER_STEP_TOO_EARLY
    assert ns2 in split.diagnosis.steps[0].title
    assert Cause.NAMESERVER_STALE_COPY in split.diagnosis.also
    assert {F.ROLLOVER_STEP_TOO_EARLY, F.SERVER_BOGUS} <= {f.code for f in split.analysis.findings}
    (named,) = [f for f in split.analysis.findings if f.code == F.ROLLOVER_STEP_TOO_EARLY]
    assert named.servers == (ns2,) and named.server_names[0][0].startswith("ns2.")


def test_a_csk_without_sep_is_a_rollover_not_a_vanished_ksk(builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("csk-rekey-without-sep")
    report = _check(builtin_lab, record.id)
    assert report.diagnosis.cause is Cause.KSK_ROLLOVER_INCOMPLETE
    published = [d.presentation.lower() for d in report.diagnosis.ds_to_publish]
    assert published == [line.lower() for line in record.correct_ds] and len(published) == 1
    assert any("without the SEP flag (flags 256)" in s.title for s in report.diagnosis.steps)
    removed = _check(builtin_lab, "ksk-removed-no-successor")  # no CDS: the KSK vanished
    assert removed.diagnosis.cause is Cause.KSK_REMOVED_NO_SUCCESSOR


# --- class 5: TTLs against signature validity ---------------------------------------------


def test_ttls_beyond_validity_name_the_numbers_and_the_fix(builtin_lab: BuiltinLab) -> None:
    report = _check(builtin_lab, "ttl-beyond-validity")
    assert report.diagnosis.cause is Cause.TTL_BEYOND_VALIDITY
    (ttl,) = [f for f in report.analysis.findings if f.code == F.TTL_BEYOND_EXPIRATION]
    zone = builtin_lab.manifest.scenario("ttl-beyond-validity").zone
    assert set(ttl.records) == {f"www.{zone} A", f"{zone} DNSKEY"}
    assert "TTL 1036800 s" in ttl.message  # 12 days, against 10 days of validity
    assert "Re-sign" in report.diagnosis.steps[0].title
    assert "lower the TTL" in report.diagnosis.steps[1].title
    assert F.RRSIG_VALIDITY_TOO_SHORT not in {f.code for f in report.analysis.findings}


def test_a_healthy_zone_in_its_last_hour_expires_before_its_ttl(builtin_lab: BuiltinLab) -> None:
    """30 days of validity, TTL 3600: in the last hour caches outlive the signatures; the
    cause is the expiry, the more urgent of the two."""
    base = builtin_lab.manifest.now_datetime + timedelta(days=30, minutes=-30)
    report = _check(builtin_lab, "healthy-ecdsap256", at=base.isoformat())
    codes = {f.code for f in report.analysis.findings}
    assert {F.TTL_BEYOND_EXPIRATION, F.RRSIG_EXPIRING_SOON} <= codes
    assert report.diagnosis.cause is Cause.RRSIG_EXPIRING_SOON
    assert Cause.TTL_BEYOND_VALIDITY in report.diagnosis.also
    zone = builtin_lab.manifest.scenario("healthy-ecdsap256").zone
    by_signer = {f.zone: f for f in report.analysis.findings if f.code == F.TTL_BEYOND_EXPIRATION}
    assert f"{zone} DS" in by_signer["test."].records  # the DS TTL at the parent, too
    assert f"{zone} DNSKEY" in by_signer[zone].records


def test_a_window_too_short_for_its_ttl(builtin_lab: BuiltinLab) -> None:
    report = _check(builtin_lab, "rrsig-validity-too-short")
    assert report.diagnosis.cause is Cause.RRSIG_VALIDITY_TOO_SHORT
    (short,) = [f for f in report.analysis.findings if f.code == F.RRSIG_VALIDITY_TOO_SHORT]
    assert "signed for only 9000 s" in short.message and "TTL 3600 s" in short.message
    assert Cause.RRSIG_EXPIRING_SOON in report.diagnosis.also
    assert "Lengthen the validity" in report.diagnosis.steps[0].title


def test_an_inception_not_backdated(builtin_lab: BuiltinLab) -> None:
    report = _check(builtin_lab, "rrsig-inception-not-backdated")
    assert report.diagnosis.cause is Cause.RRSIG_INCEPTION_TOO_RECENT
    (recent,) = [f for f in report.analysis.findings if f.code == F.RRSIG_INCEPTION_TOO_RECENT]
    assert "start only 60 s before now" in recent.message
    assert "Back-date" in report.diagnosis.steps[0].title
    later = _check(builtin_lab, "rrsig-inception-not-backdated", at="+2h")  # an hour on: fine
    assert later.diagnosis.cause is Cause.OK and later.exit_code is ExitCode.OK


# --- class 4: NSEC3 parameters in check ----------------------------------------------------


def test_nsec3_extra_iterations_and_salt_are_reported(builtin_lab: BuiltinLab) -> None:
    report = _check(builtin_lab, "nsec3-iterations-extra")
    assert report.analysis.verdict.value == "secure"
    assert report.diagnosis.cause is Cause.NSEC3_EXTRA_ITERATIONS
    found = {f.code: f.message for f in report.analysis.findings}
    assert found[F.NSEC3_ITERATIONS] == "NSEC3 uses 10 extra iterations (RFC 9276: 0)"
    assert "ABCD" in found[F.NSEC3_SALT]
    fix = report.diagnosis.steps[0]
    assert "dnssec-signzone -3 - -H 0" in fix.title and fix.lines == ("nsec3param 1 0 0 -",)
    assert "nsec3-iterations: 0" in fix.title and "pdnsutil set-nsec3" in fix.title
    assert report.exit_code is ExitCode.WARNING


def test_nsec3_iterations_validators_refuse_is_insecure_not_unsigned(
    builtin_lab: BuiltinLab,
) -> None:
    record = builtin_lab.manifest.scenario("nsec3-iterations-too-high")
    report = _check(builtin_lab, record.id)
    assert report.analysis.verdict.value == "insecure"
    assert report.diagnosis.cause is Cause.NSEC3_ITERATIONS_TOO_HIGH
    assert "is signed and its chain of trust holds" in report.diagnosis.headline
    (high,) = [f for f in report.analysis.findings if f.code == F.NSEC3_ITERATIONS_TOO_HIGH]
    assert "200 iterations, above the 150" in high.message
    result = invoke(["check", *builtin_lab.cli_args(record)])
    first = " ".join(result.output.split())
    assert "INSECURE — the zone is signed" in first and "no chain of trust" not in first
    assert result.exit_code == 1


def test_nsec3_opt_out_is_noted(builtin_lab: BuiltinLab) -> None:
    report = _check(builtin_lab, "nsec3-opt-out-nodata")
    assert report.analysis.verdict.value == "secure" and report.diagnosis.cause is Cause.OK
    assert F.NSEC3_OPT_OUT in {f.code for f in report.analysis.findings}
    assert report.exit_code is ExitCode.OK


def test_verify_still_reads_the_iterations_from_the_zone_file(builtin_lab: BuiltinLab) -> None:
    """verify and check share the RFC 9276 rule (validate/nsec3.parameter_issues);
    verify's code for any extra iterations stays NSEC3_ITERATIONS."""
    record = builtin_lab.manifest.scenario("nsec3-iterations-too-high")
    path = Path(builtin_lab.manifest.directory) / builtin_lab.manifest.zones[record.zone]
    at = datetime.fromisoformat(builtin_lab.manifest.now).isoformat()
    result = invoke(["verify", str(path), "--at", at, "--json"])
    codes = {f["code"] for f in json.loads(result.output)["findings"]}
    assert F.NSEC3_ITERATIONS in codes and F.NSEC3_ITERATIONS_TOO_HIGH not in codes
    assert dns.name.from_text(record.zone)  # the zone file named the zone
