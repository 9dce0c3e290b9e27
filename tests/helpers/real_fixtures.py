"""Fixtures for tests that need the real-server lab (named, NSD, Knot, Unbound, delv).

`real_lab` builds a lab into a temporary directory and serves it with the real servers
once per test session.  Without root or without the programs the tests skip, except under
CI (the environment variable CI set), where a missing piece is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dnssec_doctor.lab.build import build_lab
from dnssec_doctor.lab.manifest import LabManifest, LabServer, ServedZone
from dnssec_doctor.lab.real import RealLab, start_real_lab
from dnssec_doctor.lab.real.errors import DEBIAN_PACKAGES

REAL_PROGRAMS = ("named", "nsd", "knotd", "unbound", "delv", "ip", "ss")


def real_lab_missing() -> str | None:
    """Why the real-server lab cannot run here, or None when it can."""
    if os.geteuid() != 0:
        return "the real-server lab needs root (port 53, ip addr add)"
    missing = [p for p in REAL_PROGRAMS if shutil.which(p) is None]
    if missing:
        packages = sorted({DEBIAN_PACKAGES.get(p, p) for p in missing})
        return f"missing {', '.join(missing)} (apt-get install {' '.join(packages)})"
    return None


def require_real_lab() -> None:
    """Skip (or under CI, fail) when the real-server lab cannot run."""
    reason = real_lab_missing()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the real-server lab: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def real_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealLab]:
    """The full lab, built now and served by the real servers and resolvers on port 53."""
    require_real_lab()
    manifest = build_lab(tmp_path_factory.mktemp("real-lab"), datetime.now(UTC))
    lab = start_real_lab(manifest)
    try:
        yield lab
    finally:
        lab.stop()


def small_copy(manifest: LabManifest, directory: Path, net: str) -> LabManifest:
    """A few servers of *manifest* (one per software, one silent) moved to *net* + "N".

    For tests that start and stop a lab of their own while the session lab runs: its
    addresses are its own, so adding and removing them can be checked.
    """
    picked: list[LabServer] = []
    for software in ("named", "nsd", "knot"):
        picked.append(next(s for s in manifest.servers if s.software == software and not s.silent))
    picked.append(next(s for s in manifest.servers if s.silent))
    servers = []
    for index, server in enumerate(picked, start=1):
        zones = []
        for zone in server.zones:
            target = directory / zone.file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(manifest.path(zone.file), target)
            zones.append(ServedZone(zone.origin, zone.file))
        servers.append(replace(server, address=f"{net}{index}", zones=zones))
    return replace(manifest, directory=str(directory), servers=servers)
