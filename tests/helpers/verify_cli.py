"""verify through the CLI against a lab (built-in or real), and its JSON report.

Shared by scenarios/test_verify_network.py (the built-in lab) and
real/test_verify_real.py (real named).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from dnssec_doctor.lab.manifest import LabManifest, ScenarioRecord
from helpers.cli_helpers import invoke


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    result = invoke(list(args))
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def scenario_record(manifest: LabManifest, scenario: str) -> ScenarioRecord:
    return next(s for s in manifest.scenarios if s.id == scenario)


def server_of(manifest: LabManifest, zone: str, software: str | None = None) -> str:
    """A live server of *zone* (of that *software*, when given)."""
    for server in manifest.servers:
        if server.silent or (software is not None and server.software != software):
            continue
        if any(z.origin == zone for z in server.zones):
            return server.address
    raise LookupError(f"no live server for {zone}")


def zone_file(manifest: LabManifest, zone: str) -> Path:
    return Path(manifest.directory) / manifest.zones[zone]


def report_json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """verify's JSON report: a document whose values are whatever its schema says."""
    data = json.loads(done.stdout)
    assert isinstance(data, dict)
    return data


def comparable_json(data: dict[str, Any]) -> dict[str, Any]:
    """The report without what differs between two readings of one zone (its source,
    time spent, the DS given)."""
    stats = dict(data["stats"])
    stats.pop("seconds")
    return {**data, "source": "", "stats": stats, "ds": None}
