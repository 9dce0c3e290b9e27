"""The golden set's inputs and the one normalisation its outputs get (tests/golden/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import GOLDEN

#: Fields that differ from run to run by nature: wall time, the worker count chosen for
#: this machine, where the input lies.
VARYING = frozenset({"seconds", "jobs"})


def comparable(value: Any) -> Any:
    """*value* (a JSON report) without its run-dependent fields; paths cut to file names."""
    if isinstance(value, dict):
        out = {k: comparable(v) for k, v in value.items() if k not in VARYING}
        if isinstance(out.get("source"), str) and "/" in out["source"]:
            out["source"] = Path(out["source"]).name
        return out
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


def moment() -> str:
    return (GOLDEN / "moment.txt").read_text().strip()


def check_args(evidence: Path, name: str, qtype: str, at: str) -> list[str]:
    return ["check", name, qtype, "--evidence", str(evidence), "--at", at, "--json"]


def verify_args(zone: Path, at: str) -> list[str]:
    return ["verify", str(zone), "--at", at, "--json"]
