"""The check registry: declarations are checked, check and verify run it, a check or a
set can be left out, and every registered check is documented (docs/checks.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from dnssec_doctor import checks
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.checks import REGISTRY, SETS, CheckError, admit, register, selected
from dnssec_doctor.model.findings import Finding, FindingCode
from dnssec_doctor.zonefile import checks as zone_checks
from helpers import GOLDEN
from helpers.cli_helpers import invoke
from helpers.golden_helpers import check_args, comparable, moment, verify_args

DOCS = Path(__file__).parents[2] / "docs" / "checks.md"
SRC = Path(__file__).parents[2] / "src" / "dnssec_doctor"


def _golden_check(scenario: str, *extra: str) -> tuple[int, list[str]]:
    evidence = GOLDEN / "evidence" / f"{scenario}.json"
    query = json.loads(evidence.read_text())["query"]
    result = invoke([*check_args(evidence, query["name"], query["type"], moment()), *extra])
    return result.exit_code, [f["code"] for f in json.loads(result.stdout)["findings"]]


def _golden_verify(zone: str, *extra: str) -> tuple[int, dict[str, Any]]:
    result = invoke([*verify_args(GOLDEN / "zones" / f"{zone}.zone", moment()), *extra])
    report: dict[str, Any] = json.loads(result.stdout)
    return result.exit_code, report


def _codes(report: dict[str, Any]) -> list[str]:
    return [f["code"] for f in report["findings"]]


_EXIT = {"INFO": 0, "WARNING": 1, "CRITICAL": 2}


def test_the_network_checks_are_registered() -> None:
    assert checks.__all__  # importing the package registers them
    assert all(c.set in SETS[c.command] for c in REGISTRY.values())
    assert {"chain.links", "servers.reachable", "signatures.expiry", "resolver.compare"} <= {
        c.id for c in checks.registered()
    }


def test_the_zone_file_checks_are_registered_for_verify() -> None:
    ids = {c.id for c in zone_checks.registered()}
    assert {"zone.coverage", "zone.signatures", "zone.keys", "zone.nsec", "zone.nsec3"} <= ids
    assert {c.command for c in zone_checks.registered()} == {"verify"}
    assert zone_checks.COVERAGE.run is None  # a stage of the read, admitted by verify
    # each code verify reports is declared by one of its checks only
    codes = [code for c in zone_checks.registered() for code in c.codes]
    assert len(codes) == len(set(codes))


def test_a_duplicate_an_unknown_set_or_an_unregistered_code_is_refused() -> None:
    def noop(context: object) -> list[Finding]:
        return []

    with pytest.raises(CheckError, match="twice"):
        register("chain.links", set="chain", codes=(F.NO_DS,), rfc="-", summary="-")(noop)
    with pytest.raises(CheckError, match="unknown set"):
        register("x.y", set="nowhere", codes=(F.NO_DS,), rfc="-", summary="-")(noop)
    with pytest.raises(CheckError, match="unknown set 'chain' of verify"):
        register("x.y", set="chain", codes=(F.NO_DS,), rfc="-", summary="-", command="verify")(noop)
    with pytest.raises(CheckError, match="unregistered"):
        register("x.z", set="chain", codes=(FindingCode("NOT_A_CODE"),), rfc="-", summary="-")(noop)
    assert "x.y" not in REGISTRY and "x.z" not in REGISTRY


def test_a_check_that_emits_an_undeclared_code_is_stopped() -> None:
    from dnssec_doctor.model.checks import run_checks

    def liar(context: object) -> list[Finding]:
        return [Finding(F.NO_DS, ".", "not mine")]

    register("walk.liar", set="walk", codes=(F.WALK_PROBLEM,), rfc="-", summary="-")(liar)
    try:
        with pytest.raises(CheckError, match=r"walk\.liar emitted NO_DS"):
            run_checks(object(), disabled=[c.id for c in selected() if c.id != "walk.liar"])
    finally:
        del REGISTRY["walk.liar"]


def test_a_stage_of_the_read_admits_only_its_codes() -> None:
    own = Finding.of(F.RRSIG_MISSING, "example.", variant="zone", rrset="a.example. A")
    other = Finding.of(F.NSEC3_OPT_OUT, "example.")
    assert admit(zone_checks.COVERAGE, [own]) == [own]
    with pytest.raises(CheckError, match=r"zone\.coverage emitted NSEC3_OPT_OUT"):
        admit(zone_checks.COVERAGE, [own, other])


def test_unknown_names_to_leave_out_are_refused() -> None:
    with pytest.raises(CheckError, match="no such check or set of check: nope"):
        selected(["nope"])
    with pytest.raises(CheckError, match="no such check or set of verify: chain"):
        selected(["chain"], "verify")  # a set of check is no set of verify
    assert [c.id for c in selected(["chain", "servers.reachable"])] == [
        c.id for c in selected() if c.set != "chain" and c.id != "servers.reachable"
    ]


def test_leaving_out_a_check_drops_its_findings_and_only_them() -> None:
    code, found = _golden_check("rrsig-expiring-soon")
    assert code == 1 and F.RRSIG_EXPIRING_SOON in found
    quiet_code, quiet = _golden_check("rrsig-expiring-soon", "--disable", "signatures.expiry")
    assert quiet_code == 0  # the warning was the expiry check's
    assert quiet == [c for c in found if c not in REGISTRY["signatures.expiry"].codes]


def test_leaving_out_a_set_keeps_the_verdict() -> None:
    """The verdict is the chain's judgment: leaving out its report changes the findings,
    not whether the name is bogus."""
    code, found = _golden_check("ds-digest-mismatch", "--disable", "chain")
    assert code == 2
    assert F.DS_DIGEST_MISMATCH not in found


def test_a_bad_disable_is_one_line_and_exit_3() -> None:
    evidence = GOLDEN / "evidence" / "healthy-ecdsap256.json"
    query = json.loads(evidence.read_text())["query"]
    args = [*check_args(evidence, query["name"], query["type"], moment()), "--disable", "x"]
    result = invoke(args)
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1
    assert "no such check or set of check: x" in result.stderr


def test_verify_leaves_out_a_check_or_a_set_and_only_its_findings() -> None:
    code, full = _golden_verify("nsec-removed")
    found = _codes(full)
    assert code == 2 and F.NSEC_MISSING in found
    nsec = REGISTRY["zone.nsec"].codes
    for name in ("zone.nsec", "denial"):
        quiet_code, quiet = _golden_verify("nsec-removed", "--disable", name)
        assert _codes(quiet) == [c for c in found if c not in nsec]
        # the exit code is the worst finding left, as ever
        assert quiet_code == max((_EXIT[f["severity"]] for f in quiet["findings"]), default=0)
        assert comparable(quiet["stats"]) == comparable(full["stats"])
        assert quiet["keys"] == full["keys"]


def test_verify_leaves_out_the_signature_checks_and_their_suppressed_counts() -> None:
    code, full = _golden_verify("signature-flipped")
    assert code == 2 and F.RRSIG_BAD_SIGNATURE in _codes(full)
    _, quiet = _golden_verify("signature-flipped", "--disable", "zone.signatures")
    signature_codes = REGISTRY["zone.signatures"].codes
    assert _codes(quiet) == [c for c in _codes(full) if c not in signature_codes]
    assert not set(quiet.get("suppressed", {})) & signature_codes
    assert quiet["expiry"] == full["expiry"]  # every signature still counted


def test_a_bad_verify_disable_is_one_line_and_exit_3() -> None:
    zone = GOLDEN / "zones" / "signed-nsec.zone"
    result = invoke([*verify_args(zone, moment()), "--disable", "chain.links"])
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1
    assert "no such check or set of verify: chain.links" in result.stderr


def test_the_checks_command_lists_the_registry_of_both_commands() -> None:
    listed = json.loads(invoke(["checks", "--json"]).stdout)
    assert [c["id"] for c in listed["checks"]] == [
        c.id for c in [*checks.registered(), *zone_checks.registered()]
    ]
    assert {c["command"] for c in listed["checks"]} == {"check", "verify"}
    assert listed["sets"] == SETS
    # the documented shape (docs/checks.md): these fields, codes sorted
    for entry in listed["checks"]:
        assert set(entry) == {"id", "command", "set", "codes", "rfc", "summary"}
        assert entry["codes"] == sorted(entry["codes"]) and entry["set"] in SETS[entry["command"]]
    text = invoke(["checks"]).stdout
    assert "chain.links" in text and "zone.coverage" in text


def test_every_check_has_its_doc_line() -> None:
    documented = set(re.findall(r"^\| `([a-z0-9]+\.[a-z0-9_]+)` \|", DOCS.read_text(), re.M))
    assert documented == set(REGISTRY)


#: Registered and documented, emitted by nothing yet (docs/findings.md says so): a parent
#: answer with no DS and no valid denial is reported as NSEC(3)_PROOF_BROKEN today; CDS
#: checks come with the DS/CDS work (issue 14).
RESERVED = {F.DS_NOT_PROVEN_ABSENT, F.CDS_POINTS_AT_UNDELEGATED_KEY}


def test_every_finding_code_is_claimed_by_a_check() -> None:
    """A code nobody can emit is dead; every other one is declared by a check of check
    or of verify (parent_ds.py's findings are verify's zone.parent_ds)."""
    claimed = {code for c in REGISTRY.values() for code in c.codes}
    assert set(F.REGISTRY) - RESERVED == claimed
    assert not RESERVED & claimed, "a reserved code is emitted now: take it off the list"


def test_the_worked_examples_are_the_code() -> None:
    """docs/checks.md's Python blocks are, verbatim, in the files the page names."""
    page = DOCS.read_text()
    blocks = re.findall(r"```python\n(.*?)```", page, re.S)
    sources = {
        "walk": (SRC / "checks" / "walk.py").read_text(),
        "findings": (SRC / "model" / "findings.py").read_text(),
        "zone": (SRC / "zonefile" / "checks.py").read_text(),
    }
    assert len(blocks) == 3
    for block, source in zip(blocks, sources.values(), strict=True):
        assert block in source, block
