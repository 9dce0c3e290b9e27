"""The scenario catalogue as people and programs read it (``lab list``), without building."""

from __future__ import annotations

from dataclasses import dataclass

import dns.name

from dnssec_doctor.lab.scenarios import SCENARIOS, THIS_ZONE, Scenario


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    qname: str
    qtype: str
    outcome: str
    cause: str
    break_at: str | None
    warn: bool
    description: str
    signer: str


def entry(scenario: Scenario) -> CatalogEntry:
    zone = dns.name.from_text(scenario.zone)
    break_at = scenario.zone if scenario.break_at == THIS_ZONE else scenario.break_at
    return CatalogEntry(
        id=scenario.id,
        qname=dns.name.from_text(scenario.qname, zone).to_text(),
        qtype=scenario.qtype,
        outcome=scenario.outcome.value,
        cause=scenario.cause.value,
        break_at=break_at,
        warn=scenario.warn,
        description=scenario.description,
        signer=scenario.signer.value,
    )


def catalog() -> list[CatalogEntry]:
    return [entry(s) for s in SCENARIOS]
