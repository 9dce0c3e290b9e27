"""Every finding code has a message template; every finding is made from one, with
exactly its parameters; docs/findings.md shows the templates as registered."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from dnssec_doctor import checks
from dnssec_doctor.analyze.zones import _DS_CODES as _ANALYSIS_DS_CODES
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.checks import REGISTRY as CHECKS
from dnssec_doctor.model.findings import REGISTRY, Finding, FindingCode, TemplateError
from dnssec_doctor.model.rrsig_findings import RRSIG_FINDING
from dnssec_doctor.zonefile import checks as zone_checks
from dnssec_doctor.zonefile.keys import _DS_CODE
from helpers import TOP
from helpers.findings_doc import PAGE, current_section, templates_section

SRC = TOP / "src" / "dnssec_doctor"
_PLACE = {"servers", "records", "variant"}  # Finding.of's own keywords, not parameters


def test_every_code_has_a_template_of_named_parameters() -> None:
    for code, info in REGISTRY.items():
        assert info.templates, code
        assert all(text for text in info.templates.values()), code
        assert info.fields.keys() == info.templates.keys()
        # a code has one template, or named variants only
        assert list(info.templates) == [None] or None not in info.templates, code


def test_a_missing_or_an_extra_parameter_is_refused_where_the_finding_is_made() -> None:
    made = Finding.of(F.DNSKEY_WEAK_KEY, "example.", key="1/RSASHA256", bits=1024, minimum=2048)
    assert made.message == "DNSKEY 1/RSASHA256 is 1024 bits (< 2048)"
    with pytest.raises(TemplateError, match=r"missing parameters \['minimum'\]"):
        Finding.of(F.DNSKEY_WEAK_KEY, "example.", key="1/RSASHA256", bits=1024)
    with pytest.raises(TemplateError, match=r"unexpected \['colour'\]"):
        Finding.of(F.DNSKEY_REVOKED, "example.", key="1/RSASHA256", colour="red")
    with pytest.raises(TemplateError, match="variant 'nope'"):
        Finding.of(F.NSEC_CHAIN_BROKEN, "example.", variant="nope", name="a.example.")
    with pytest.raises(TemplateError, match="no variant"):
        Finding.of(F.NSEC_CHAIN_BROKEN, "example.", name="a.example.")
    with pytest.raises(TemplateError, match="not a plain name"):
        F.template_fields("{0} and {a.b}")


def test_the_zone_keyword_is_a_parameter_like_any_other() -> None:
    made = Finding.of(F.SERVER_LAME, "example.", lame="ns1", zone="example.")
    assert (made.zone, made.message) == (
        "example.",
        "ns1 did not answer authoritatively for example.",
    )


def _calls() -> list[tuple[Path, ast.Call]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                found.append((path, node))
    return found


def _is_finding_of(call: ast.Call) -> bool:
    f = call.func
    maker = getattr(f, "value", None)
    return isinstance(f, ast.Attribute) and f.attr == "of" and _name(maker) in _MAKERS


_MAKERS = ("Finding", "Message")


def _name(node: ast.AST | None) -> str:
    return node.id if isinstance(node, ast.Name) else ""


def test_findings_are_made_from_templates_only() -> None:
    """No hand-written message: outside model/findings.py, no Finding(...) at all."""
    direct = [
        f"{path.relative_to(SRC)}:{call.lineno}"
        for path, call in _calls()
        if isinstance(call.func, ast.Name)
        and call.func.id == "Finding"
        and path.name != "findings.py"
    ]
    assert direct == []


def test_every_use_of_a_named_code_supplies_its_template_fields() -> None:
    """Each Finding.of(F.CODE, ..., variant="v", **params) and Message.of(F.CODE, "v",
    **params) in src: params are exactly the fields of that template (the calls whose
    code is chosen at run time are the next test's)."""
    checked = 0
    for path, call in _calls():
        if not _is_finding_of(call):
            continue
        code_arg = call.args[0]
        if not (isinstance(code_arg, ast.Attribute) and getattr(code_arg.value, "id", "") == "F"):
            continue
        keywords = {k.arg: k.value for k in call.keywords}
        assert None not in keywords, f"{path}:{call.lineno}: no **params"
        variant_node = keywords.get("variant")
        if isinstance(call.func, ast.Attribute) and _name(call.func.value) == "Message":
            variant_node = call.args[1] if len(call.args) > 1 else None
        if variant_node is not None and not isinstance(variant_node, ast.Constant):
            continue
        variant = variant_node.value if isinstance(variant_node, ast.Constant) else None
        assert variant is None or isinstance(variant, str)
        params = {k for k in keywords if k is not None and k not in _PLACE}
        info = REGISTRY[FindingCode(code_arg.attr)]
        where = f"{path.relative_to(SRC)}:{call.lineno} {code_arg.attr}"
        assert variant in info.fields, f"{where}: no template {variant!r}"
        assert params == info.fields[variant], f"{where}: {sorted(params)}"
        checked += 1
    assert checked > 55


def test_the_codes_chosen_at_run_time_share_their_templates() -> None:
    """Where the code is chosen at run time, every code it may be has the template the
    call fills in: the analysis's RRSIG verdicts and DS verdicts (one view's reason
    stands for all its DS codes: the very same template), NSEC or NSEC3 proofs; verify's
    signature check (any RRSIG verdict's code) and key check (any DS verdict's)."""
    verdicts = {c for c in RRSIG_FINDING.values() if c is not None} | {F.RRSIG_BAD_SIGNATURE}
    for codes, variant in (
        (verdicts, "chain"),
        (set(_ANALYSIS_DS_CODES.values()), "chain"),
        ({F.NSEC_PROOF_BROKEN, F.NSEC3_PROOF_BROKEN}, "ds"),
        ({F.NSEC_PROOF_BROKEN, F.NSEC3_PROOF_BROKEN}, "denial"),
    ):
        assert len({REGISTRY[c].templates[variant] for c in codes}) == 1, (codes, variant)
    for code in verdicts:
        assert REGISTRY[code].fields["zone"] == {"rrset", "key_tag", "algorithm", "detail"}
    for code in set(_DS_CODE.values()):
        info = REGISTRY[code]
        assert info.fields["zone" if info.variants else None] == {"key_tag", "detail"}, code
    assert checks.registered() and zone_checks.registered()
    assert CHECKS["chain.links"].codes >= verdicts | set(_ANALYSIS_DS_CODES.values())


def test_docs_show_the_templates_as_registered() -> None:
    page = PAGE.read_text()
    assert current_section(page) == templates_section(), (
        "docs/findings.md: run .venv/bin/python tests/helpers/findings_doc.py"
    )


def test_mypy_refuses_a_bare_string_where_a_code_is_meant() -> None:
    from mypy import api

    snippet = (
        "from dnssec_doctor.model import findings as F\n"
        "from dnssec_doctor.model.findings import Finding, FindingCode\n"
        'Finding.of("NO_DS", "example.", variant="chain", reason="x")\n'
        "fine: FindingCode = F.NO_DS\n"
        'bare: FindingCode = "NO_DS"\n'
    )
    args = ["--config-file=", "--strict", "--no-incremental", "--cache-dir=/dev/null"]
    out, _err, status = api.run([*args, "-c", snippet])
    assert status == 1
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert [e.split(":")[1] for e in errors] == ["3", "5"], out
    assert all('"str"' in e and "FindingCode" in e for e in errors)
