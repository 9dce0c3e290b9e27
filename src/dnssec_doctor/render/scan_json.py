"""The JSON of many checks (schema ``dnssec-doctor/scan/1``): `check A B ...`, `scan`.

A public interface, documented in docs/json.md: a wrapper with one entry per name in
the order given, each holding that name's ``dnssec-doctor/check/1`` report unchanged
(``check``), or the line that says why it could not be checked (``error``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from dnssec_doctor.exitcodes import ExitCode
from dnssec_doctor.model.scan import Outcome, worst_of
from dnssec_doctor.render.check_json import to_dict as check_dict

SCHEMA = "dnssec-doctor/scan/1"


def entry(outcome: Outcome) -> dict[str, Any]:
    """One name's entry (also a line of ``--jsonl``)."""
    target = outcome.target
    return {
        "name": target.name,
        "type": target.qtype,
        "line": target.line,
        "exit_code": int(outcome.exit_code),
        "error": outcome.error,
        "check": check_dict(outcome.report) if outcome.report is not None else None,
    }


def to_dict(outcomes: Sequence[Outcome], shared: dict[str, int] | None = None) -> dict[str, Any]:
    counts = {code.name: 0 for code in ExitCode}
    for outcome in outcomes:
        counts[outcome.exit_code.name] += 1
    return {
        "schema": SCHEMA,
        "exit_code": int(worst_of(outcomes)),
        "counts": {"names": len(outcomes), **counts},
        "shared": shared,
        "results": [entry(o) for o in outcomes],
    }


def render(outcomes: Sequence[Outcome], shared: dict[str, int] | None = None) -> str:
    return json.dumps(to_dict(outcomes, shared), indent=2) + "\n"


def line(outcome: Outcome) -> str:
    return json.dumps(entry(outcome), separators=(",", ":")) + "\n"
