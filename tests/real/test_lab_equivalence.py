"""The built-in server answers exactly as the real servers (named, NSD, Knot) do.

Both serve the same zone files on the same addresses (the real ones on port 53, ours on
another port); for every scenario we ask each of its live servers the scenario's query,
the zone's DNSKEY and SOA, a name that does not exist, and the parent's servers the DS,
and compare rcode, AA and the answer and authority sections record by record.
"""

from __future__ import annotations

from collections.abc import Iterator

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rrset
import pytest

from dnssec_doctor.lab.manifest import LabManifest, ScenarioRecord
from dnssec_doctor.lab.real import RealLab
from dnssec_doctor.lab.scenarios import SCENARIOS
from dnssec_doctor.lab.server import BackgroundLabServer
from helpers.ports import free_port

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def builtin_port(real_lab: RealLab) -> Iterator[int]:
    port = free_port()
    with BackgroundLabServer.for_manifest(real_lab.manifest, port):
        yield port


Section = frozenset[tuple[str, int, int, int, frozenset[str]]]


def _section(rrsets: list[dns.rrset.RRset]) -> Section:
    return frozenset(
        (r.name.to_text().lower(), r.rdtype, r.covers, r.ttl, frozenset(rd.to_text() for rd in r))
        for r in rrsets
    )


def _ask(address: str, port: int, qname: str, qtype: str) -> tuple[str, bool, Section, Section]:
    query = dns.message.make_query(qname, qtype, want_dnssec=True)
    query.flags &= ~dns.flags.RD
    reply = dns.query.tcp(query, address, timeout=3, port=port)
    aa = bool(reply.flags & dns.flags.AA)
    return dns.rcode.to_text(reply.rcode()), aa, _section(reply.answer), _section(reply.authority)


def _questions(lab: LabManifest, record: ScenarioRecord) -> list[tuple[str, str, str]]:
    """(address, qname, qtype) for every live server of the zone and of its parent."""
    questions = []
    parent = record.zone.split(".", 1)[1]
    for server in lab.servers_of(record.zone):
        if server.silent:
            continue
        questions += [
            (server.address, record.qname, record.qtype),
            (server.address, record.zone, "DNSKEY"),
            (server.address, record.zone, "SOA"),
            (server.address, f"no-such-name.{record.zone}", "A"),
        ]
    for server in lab.servers_of(parent):
        questions.append((server.address, record.zone, "DS"))
    return questions


@pytest.mark.parametrize("scenario_id", [s.id for s in SCENARIOS])
def test_builtin_server_answers_like_the_real_servers(
    real_lab: RealLab, builtin_port: int, scenario_id: str
) -> None:
    lab = real_lab.manifest
    record = lab.scenario(scenario_id)
    for address, qname, qtype in _questions(lab, record):
        real = _ask(address, 53, qname, qtype)
        ours = _ask(address, builtin_port, qname, qtype)
        assert ours == real, f"{address} {qname} {qtype}"
