"""The check registry: declarations are checked, the analysis runs it, a check or a set
can be left out, and every registered check is documented (docs/checks.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dnssec_doctor import checks
from dnssec_doctor.checks.registry import REGISTRY, SETS, CheckError, register, selected
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.findings import Finding
from helpers import GOLDEN
from helpers.cli_helpers import invoke
from helpers.golden_helpers import check_args, moment

DOCS = Path(__file__).parents[2] / "docs" / "checks.md"
SRC = Path(__file__).parents[2] / "src" / "dnssec_doctor"


def _golden_check(scenario: str, *extra: str) -> tuple[int, list[str]]:
    evidence = GOLDEN / "evidence" / f"{scenario}.json"
    query = json.loads(evidence.read_text())["query"]
    result = invoke([*check_args(evidence, query["name"], query["type"], moment()), *extra])
    return result.exit_code, [f["code"] for f in json.loads(result.stdout)["findings"]]


def test_the_network_checks_are_registered() -> None:
    assert checks.__all__  # importing the package registers them
    assert {c.set for c in REGISTRY.values()} <= set(SETS)
    assert {"chain.links", "servers.reachable", "signatures.expiry", "resolver.compare"} <= set(
        REGISTRY
    )


def test_a_duplicate_an_unknown_set_or_an_unregistered_code_is_refused() -> None:
    def noop(context: object) -> list[Finding]:
        return []

    with pytest.raises(CheckError, match="twice"):
        register("chain.links", set="chain", codes=(F.NO_DS,), rfc="-", summary="-")(noop)
    with pytest.raises(CheckError, match="unknown set"):
        register("x.y", set="nowhere", codes=(F.NO_DS,), rfc="-", summary="-")(noop)
    with pytest.raises(CheckError, match="unregistered"):
        register("x.z", set="chain", codes=("NOT_A_CODE",), rfc="-", summary="-")(noop)
    assert "x.y" not in REGISTRY and "x.z" not in REGISTRY


def test_a_check_that_emits_an_undeclared_code_is_stopped() -> None:
    from dnssec_doctor.checks.registry import run_checks

    def liar(context: object) -> list[Finding]:
        return [Finding(F.NO_DS, ".", "not mine")]

    register("walk.liar", set="walk", codes=(F.WALK_PROBLEM,), rfc="-", summary="-")(liar)
    try:
        with pytest.raises(CheckError, match=r"walk\.liar emitted NO_DS"):
            run_checks(object(), disabled=[c for c in REGISTRY if c != "walk.liar"])
    finally:
        del REGISTRY["walk.liar"]


def test_unknown_names_to_leave_out_are_refused() -> None:
    with pytest.raises(CheckError, match="no such check or set: nope"):
        selected(["nope"])
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
    assert result.stderr.count("\n") == 1 and "no such check or set: x" in result.stderr


def test_the_checks_command_lists_the_registry() -> None:
    listed = json.loads(invoke(["checks", "--json"]).stdout)
    assert [c["id"] for c in listed["checks"]] == [c.id for c in selected()]
    assert set(listed["sets"]) == set(SETS)
    assert "chain.links" in invoke(["checks"]).stdout


def test_every_check_has_its_doc_line() -> None:
    documented = set(re.findall(r"^\| `([a-z]+\.[a-z_]+)` \|", DOCS.read_text(), re.M))
    assert documented == set(REGISTRY)


#: Registered and documented, emitted by nothing yet (docs/findings.md says so): a parent
#: answer with no DS and no valid denial is reported as NSEC(3)_PROOF_BROKEN today; CDS
#: checks come with the DS/CDS work (issue 14).
RESERVED = {F.DS_NOT_PROVEN_ABSENT, F.CDS_POINTS_AT_UNDELEGATED_KEY}


def test_every_finding_code_is_claimed_by_a_check_or_by_verify() -> None:
    """A code nobody can emit is dead; one emitted outside the registry is unregistered
    (verify's checks join the registry next: until then they are named here by source)."""
    claimed = {code for c in REGISTRY.values() for code in c.codes}
    verify_source = " ".join(p.read_text() for p in (SRC / "zonefile").glob("*.py"))
    verify_source += (SRC / "services" / "parent_ds.py").read_text()
    verify_codes = set(re.findall(r"\bF\.([A-Z0-9_]+)\b", verify_source))
    assert set(F.REGISTRY) - RESERVED == claimed | (verify_codes & set(F.REGISTRY))
    assert not RESERVED & claimed, "a reserved code is emitted now: take it off the list"
