"""A built lab served by the built-in server once per session, for the `check` tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dnssec_doctor.lab.build import build_lab
from dnssec_doctor.lab.manifest import LabManifest, ScenarioRecord
from dnssec_doctor.lab.server import BackgroundLabServer
from dnssec_doctor.services.check import CheckOptions
from helpers.ports import free_port

TIMEOUT = 0.3  # loopback answers in well under a millisecond; a silent server costs two


@dataclass(frozen=True)
class BuiltinLab:
    manifest: LabManifest
    port: int

    @property
    def directory(self) -> Path:
        return Path(self.manifest.directory)

    def options(
        self, record: ScenarioRecord, *, at: str | None = None, warn_days: float | None = None
    ) -> CheckOptions:
        base = CheckOptions(
            name=record.qname,
            qtype=record.qtype,
            trust_anchor_file=self.directory / "root.key",
            root_hints_file=self.directory / "root.hints",
            port=self.port,
            timeout=TIMEOUT,
            at=at,
        )
        return base if warn_days is None else base._replace(warn_days=warn_days)

    def cli_args(self, record: ScenarioRecord) -> list[str]:
        return [
            record.qname, record.qtype,
            "--trust-anchor", str(self.directory / "root.key"),
            "--root-hints", str(self.directory / "root.hints"),
            "--port", str(self.port), "--timeout", str(TIMEOUT),
        ]  # fmt: skip


@pytest.fixture(scope="session")
def builtin_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltinLab]:
    manifest = build_lab(tmp_path_factory.mktemp("check-lab"))
    port = free_port()
    with BackgroundLabServer.for_manifest(manifest, port):
        yield BuiltinLab(manifest, port)
