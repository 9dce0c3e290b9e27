"""The lab manifest: what a built lab contains, written beside its zone files as ``lab.json``.

The manifest is the contract between the lab builder (which signs zones and writes zone
files) and everything that serves or checks them: the built-in server, the real servers
(named, NSD, Knot), the resolvers (Unbound, a recursive named for delv) and the tests.
Each nameserver *address* serves its own set of zone files, so two addresses can serve
different copies of one zone (a stale secondary) and an address can be silent.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

MANIFEST_FORMAT = "dnssec-doctor-lab/1"
MANIFEST_FILE = "lab.json"

# Where the lab lives on 127.0.0.0/8.  Every address the lab uses is inside this /16, so
# it never collides with 127.0.0.1 services and `lab down` knows exactly what is its own.
LAB_NET_PREFIX = "127.53."
UNBOUND_ADDRESS = "127.53.255.1"  # validating resolver (real-server lab)
RECURSOR_ADDRESS = "127.53.255.2"  # non-validating recursive named, for delv (real-server lab)

SOFTWARE = ("named", "nsd", "knot")


class Outcome(StrEnum):
    """What a validating resolver makes of the scenario's query (RFC 4033 section 5)."""

    SECURE = "secure"
    INSECURE = "insecure"
    BOGUS = "bogus"


@dataclass(frozen=True)
class ServedZone:
    """One zone file served at one address."""

    origin: str  # absolute name, e.g. "ds-digest-mismatch.test."
    file: str  # path relative to the lab directory


@dataclass(frozen=True)
class LabServer:
    """One nameserver address of the lab and what it serves there."""

    address: str
    names: list[str]  # the NS names that point at this address
    software: str  # which real server serves it in the real-server lab: named|nsd|knot
    silent: bool = False  # never answers (a dead or firewalled nameserver)
    zones: list[ServedZone] = field(default_factory=list)


@dataclass(frozen=True)
class ScenarioRecord:
    """A scenario as built: its query and what a validator must conclude."""

    id: str
    description: str
    zone: str
    qname: str
    qtype: str
    outcome: Outcome
    cause: str  # a code from dnssec_doctor.model.causes
    break_at: str | None  # zone cut (child zone name) where the chain breaks; None if it holds
    correct_ds: list[str]  # DS lines the parent should publish (DS faults), presentation format
    warn: bool = False  # secure, but a monitor must warn (e.g. signatures expiring soon)
    signer: str = "lab"  # who signed the zone: lab (dnspython), bind, ldns, knot (docs/lab.md)


@dataclass(frozen=True)
class LabManifest:
    """Everything a built lab contains."""

    now: str  # ISO 8601 UTC: the moment signature windows are relative to
    directory: str  # absolute path of the lab directory
    root_hints: list[tuple[str, str]]  # (name, address)
    trust_anchor_ds: list[str]  # root DS lines, presentation format
    trust_anchor_dnskey: list[str]  # root KSK DNSKEY lines, presentation format
    servers: list[LabServer]
    scenarios: list[ScenarioRecord]
    zones: dict[str, str]  # origin -> canonical zone file (the copy most servers serve)
    format: str = MANIFEST_FORMAT

    @property
    def now_datetime(self) -> datetime:
        return datetime.fromisoformat(self.now)

    def path(self, relative: str) -> Path:
        return Path(self.directory) / relative

    def scenario(self, scenario_id: str) -> ScenarioRecord:
        for record in self.scenarios:
            if record.id == scenario_id:
                return record
        raise KeyError(scenario_id)

    def servers_of(self, origin: str) -> list[LabServer]:
        """The addresses that serve *origin* (silent ones included)."""
        return [s for s in self.servers if any(z.origin == origin for z in s.zones)]

    def addresses(self) -> list[str]:
        return [s.address for s in self.servers]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    def write(self) -> Path:
        target = Path(self.directory) / MANIFEST_FILE
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(self.to_json())
        tmp.replace(target)
        return target

    @classmethod
    def from_json(cls, text: str) -> LabManifest:
        raw: dict[str, Any] = json.loads(text)
        if raw.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"not a lab manifest of format {MANIFEST_FORMAT}")
        servers = [
            LabServer(
                address=s["address"],
                names=list(s["names"]),
                software=s["software"],
                silent=bool(s.get("silent", False)),
                zones=[ServedZone(**z) for z in s["zones"]],
            )
            for s in raw["servers"]
        ]
        scenarios = [
            ScenarioRecord(**{**r, "outcome": Outcome(r["outcome"])}) for r in raw["scenarios"]
        ]
        return cls(
            now=raw["now"],
            directory=raw["directory"],
            root_hints=[(n, a) for n, a in raw["root_hints"]],
            trust_anchor_ds=list(raw["trust_anchor_ds"]),
            trust_anchor_dnskey=list(raw["trust_anchor_dnskey"]),
            servers=servers,
            scenarios=scenarios,
            zones=dict(raw["zones"]),
        )

    @classmethod
    def load(cls, directory: Path) -> LabManifest:
        return cls.from_json((directory / MANIFEST_FILE).read_text())
