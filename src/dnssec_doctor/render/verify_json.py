"""The versioned JSON form of a verify report (schema ``dnssec-doctor/verify/1``).

A public interface, documented in docs/verify.md; findings have the same fields as in
``check``'s JSON.  Fields are added, never renamed or removed without a new version.
"""

from __future__ import annotations

import json
from typing import Any

from dnssec_doctor.model.zone_report import VerifyReport
from dnssec_doctor.validate.timeutil import iso

SCHEMA = "dnssec-doctor/verify/1"


def to_dict(report: VerifyReport) -> dict[str, Any]:
    e = report.expiry
    return {
        "schema": SCHEMA,
        "zone": report.zone,
        "source": report.source,
        "at": iso(report.at),
        "verdict": report.verdict,
        "exit_code": int(report.exit_code),
        "denial": report.stats.denial,
        "keys": [
            {
                "key_tag": k.key_tag,
                "algorithm": k.algorithm,
                "flags": k.flags,
                "sep": k.sep,
                "revoked": k.revoked,
                "bits": k.bits,
                "signs_dnskey": k.signs_dnskey,
                "ds_matched": k.ds_matched,
            }
            for k in report.keys
        ],
        "expiry": {
            "earliest": iso(e.earliest) if e.earliest is not None else None,
            "earliest_record": e.earliest_record,
            "latest": iso(e.latest) if e.latest is not None else None,
            "warn_days": e.warn_days,
            "expiring_within_warn_days": e.expiring_soon,
            "histogram": [{"date": day, "signatures": n} for day, n in e.histogram],
        },
        "findings": [f.as_dict() for f in report.findings],
        "suppressed": dict(report.suppressed),
        "ds": None
        if report.ds is None
        else {
            "source": report.ds.source,
            "where": report.ds.where,
            "records": list(report.ds.records),
            "authenticated": report.ds.authenticated,
        },
        "stats": {
            "names": report.stats.names,
            "records": report.stats.records,
            "rrsets_signed": report.stats.rrsets_signed,
            "signatures": report.stats.signatures,
            "jobs": report.stats.jobs,
            "seconds": report.stats.seconds,
            "reading": report.stats.reading,
        },
    }


def render(report: VerifyReport) -> str:
    return json.dumps(to_dict(report), indent=2) + "\n"


__all__ = ["SCHEMA", "render", "to_dict"]
