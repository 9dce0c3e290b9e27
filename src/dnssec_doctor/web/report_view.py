"""A check report as the page shows it: the JSON report's data (render/check_json.py)
plus the terminal's words and marks (render/check_text.py), nothing decided here."""

from __future__ import annotations

from typing import Any, NamedTuple

import dns.rdatatype

from dnssec_doctor.model.analysis import Status
from dnssec_doctor.model.findings import Severity
from dnssec_doctor.model.report import Report
from dnssec_doctor.render import check_json, check_text

#: The verdict's one word on the page's banner, as monitoring says it.
BANNER = {
    Status.SECURE: "SECURE",
    Status.INSECURE: "INSECURE",
    Status.BOGUS: "BOGUS",
    Status.INDETERMINATE: "UNKNOWN",
}


class ChainRow(NamedTuple):
    status: str
    zone: str
    text: str
    servers: str
    mark: str | None
    inherited: bool


class AnswerRow(NamedTuple):
    status: str
    qname: str
    qtype: str
    label: str
    reason: str
    servers: str
    broken: bool
    records: list[str]


def chain_rows(report: Report) -> list[ChainRow]:
    a = report.analysis
    return [
        ChainRow(
            r.status.value,
            zone.to_text(),
            check_text.link_text(r),
            check_text.servers_ok(r),
            check_text.link_mark(a, zone, r),
            r.inherited,
        )
        for zone, r in a.zones.items()
    ]


def answer_rows(report: Report, data: dict[str, Any]) -> list[AnswerRow]:
    """The answers (and the apex SOA) in the terminal's order, with their records."""
    a = report.analysis
    labelled = [*((x, x.kind) for x in a.answers), *((x, "apex") for x in a.apex)]
    records = [x["records"] for x in (*data["answers"], *data["apex_soa"])]
    return [
        AnswerRow(
            x.status.value,
            x.qname.to_text(),
            dns.rdatatype.to_text(x.qtype),
            label,
            x.reason,
            check_text.servers_ok(x),
            check_text.answer_is_broken(a, x),
            lines,
        )
        for (x, label), lines in zip(labelled, records, strict=True)
    ]


def context(report: Report) -> dict[str, Any]:
    """Everything report.html shows; ``data`` is exactly the JSON report."""
    data = check_json.to_dict(report)
    verdict = report.analysis.verdict
    findings = data["findings"]
    serious = {Severity.WARNING.label, Severity.CRITICAL.label}
    return {
        "data": data,
        "verdict": verdict.value,
        "banner": BANNER[verdict],
        "verdict_words": check_text.VERDICT[verdict].split(" — ", 1)[-1],
        "chain": chain_rows(report),
        "answers": answer_rows(report, data),
        "ds_records": {d["record"] for d in data["cause"]["ds_to_publish"]},
        "findings_shown": [f for f in findings if f["severity"] in serious],
        "findings_info": [f for f in findings if f["severity"] not in serious],
        "exit_name": report.exit_code.name,
    }
