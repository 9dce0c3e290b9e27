"""Issue 12, classes 2, 3 and 6 on the built-in lab: a KSK that vanished against a re-key,
the DS set's hygiene (leftovers, SHA-1 only, deprecated algorithms), and the operator's own
trust anchor when it matches no key of the root."""

from __future__ import annotations

from pathlib import Path

import dns.name

from dnssec_doctor.exitcodes import ExitCode
from dnssec_doctor.lab.keys import generate_key
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.causes import Cause
from dnssec_doctor.services.check import run_check
from helpers.check_fixtures import BuiltinLab
from helpers.cli_helpers import invoke


def _wrong_anchor(tmp_path: Path, kind: str) -> Path:
    """An anchor file for the root holding a key the lab's root never had."""
    key = generate_key(8, ksk=True)
    line = (
        f". 3600 IN DS {key.ds(dns.name.root).to_text()}"
        if kind == "ds"
        else f". 3600 IN DNSKEY {key.dnskey.to_text()}"
    )
    path = tmp_path / f"old-root-{kind}.key"
    path.write_text(f"; an anchor from before a root KSK rollover\n{line}\n")
    return path


def test_wrong_trust_anchor_blames_the_anchor_not_the_root(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    record = builtin_lab.manifest.scenario("healthy-ecdsap256")
    for kind in ("ds", "dnskey"):
        options = builtin_lab.options(record)._replace(
            trust_anchor_file=_wrong_anchor(tmp_path, kind)
        )
        report = run_check(options)
        assert report.analysis.verdict.value == "bogus"
        assert report.diagnosis.cause is Cause.TRUST_ANCHOR_MISMATCH
        assert report.diagnosis.zone == "."
        assert report.diagnosis.ds_to_publish == []
        codes = {f.code for f in report.analysis.findings}
        assert F.TRUST_ANCHOR_MISMATCH in codes
        assert not codes & {F.DS_NO_KEY_WITH_TAG, F.DS_DIGEST_MISMATCH, F.DNSKEY_MISSING}
        steps = " ".join(s.title for s in report.diagnosis.steps)
        assert "registrar" not in steps and "Tell the operator" not in steps
        assert "trust anchor" in steps and "RFC 7958" in steps
        assert report.exit_code is ExitCode.CRITICAL


def test_wrong_trust_anchor_text_report(builtin_lab: BuiltinLab, tmp_path: Path) -> None:
    record = builtin_lab.manifest.scenario("healthy-ecdsap256")
    args = builtin_lab.cli_args(record)
    at = args.index("--trust-anchor") + 1
    args[at] = str(_wrong_anchor(tmp_path, "ds"))
    result = invoke(["check", *args])
    assert result.exit_code == 2
    assert "TRUST_ANCHOR_MISMATCH" in result.output
    assert "registrar" not in result.output


def test_ksk_removed_is_not_a_rekey(builtin_lab: BuiltinLab) -> None:
    for scenario_id in ("ksk-removed-no-successor", "ksk-removed-dnskey-unsigned"):
        report = run_check(builtin_lab.options(builtin_lab.manifest.scenario(scenario_id)))
        assert report.diagnosis.cause is Cause.KSK_REMOVED_NO_SUCCESSOR
        assert report.diagnosis.ds_to_publish == []  # no KSK to point a DS at
        steps = [s.title for s in report.diagnosis.steps]
        assert steps[0].startswith("Not a re-key") and "private key" in steps[1]
        assert steps[-1].startswith("Emergency")


def test_rekey_names_the_new_key_whatever_a_stale_cds_says(builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("rekeyed-ds-not-updated-stale-cds")
    report = run_check(builtin_lab.options(record))
    assert report.diagnosis.cause is Cause.DS_STALE_AFTER_REKEY
    published = [d.presentation.lower() for d in report.diagnosis.ds_to_publish]
    assert published == [line.lower() for line in record.correct_ds]


def test_leftover_ds_fix_names_the_tag_and_the_set_to_keep(builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("ds-leftover-extra")
    report = run_check(builtin_lab.options(record))
    assert report.analysis.verdict.value == "secure"
    assert report.diagnosis.cause is Cause.DS_LEFTOVER
    leftover = [f for f in report.analysis.findings if f.code == F.DS_LEFTOVER]
    assert len(leftover) == 1
    tag = leftover[0].records[0].split()[3]
    remove, keep = report.diagnosis.steps
    assert f"Remove DS tag {tag} at the registrar" in remove.title
    assert [line.lower() for line in keep.lines] == [line.lower() for line in record.correct_ds]
    assert report.exit_code is ExitCode.WARNING


def test_sha1_only_prints_the_sha256_ds(builtin_lab: BuiltinLab) -> None:
    record = builtin_lab.manifest.scenario("ds-sha1-only")
    report = run_check(builtin_lab.options(record))
    assert report.diagnosis.cause is Cause.DS_SHA1_ONLY
    published = [d.presentation.lower() for d in report.diagnosis.ds_to_publish]
    assert published == [line.lower() for line in record.correct_ds]
    quiet = run_check(builtin_lab.options(builtin_lab.manifest.scenario("ds-sha1-beside-sha256")))
    assert quiet.diagnosis.cause is Cause.OK and quiet.exit_code is ExitCode.OK


def test_deprecated_algorithm_warns_for_ds_and_keys(builtin_lab: BuiltinLab) -> None:
    report = run_check(
        builtin_lab.options(builtin_lab.manifest.scenario("ds-deprecated-algorithm"))
    )
    assert report.analysis.verdict.value == "secure"
    assert report.diagnosis.cause is Cause.ALGORITHM_DEPRECATED
    codes = [f.code for f in report.analysis.findings]
    assert F.DS_ALGORITHM_DEPRECATED in codes and F.DNSKEY_ALGORITHM_DEPRECATED in codes
    assert "RSASHA1" in report.diagnosis.steps[0].title
    healthy = run_check(builtin_lab.options(builtin_lab.manifest.scenario("healthy-rsasha256")))
    assert not {f.code for f in healthy.analysis.findings} & {
        F.DS_ALGORITHM_DEPRECATED,
        F.DNSKEY_ALGORITHM_DEPRECATED,
        F.DS_LEFTOVER,
        F.DS_SHA1_ONLY,
    }
