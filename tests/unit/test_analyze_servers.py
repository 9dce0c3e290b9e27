"""Comparing a zone's servers with each other: keys and serials."""

from __future__ import annotations

import dns.message
import dns.name
import dns.rrset

from dnssec_doctor.checks.servers import dnskey_disagreement
from dnssec_doctor.lab.keys import generate_key
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.collection import Reply
from dnssec_doctor.model.evidence import Exchange

ZONE = dns.name.from_text("example.")


def _reply(server: str, *keys: object) -> Reply:
    query = dns.message.make_query(ZONE, "DNSKEY", want_dnssec=True)
    response = dns.message.make_response(query)
    response.answer.append(dns.rrset.from_rdata(ZONE, 3600, *keys))
    exchange = Exchange(
        server=server, qname="example.", qtype="DNSKEY", response=response.to_wire()
    )
    return Reply(server, exchange, response)


def test_servers_with_different_keys_are_named() -> None:
    ksk, zsk, new_zsk = (generate_key(13, ksk=k).dnskey for k in (True, False, False))
    replies = {
        "192.0.2.1": _reply("192.0.2.1", ksk, zsk),
        "192.0.2.2": _reply("192.0.2.2", ksk, zsk, new_zsk),
    }
    [finding] = dnskey_disagreement(ZONE, replies)
    assert finding.code == F.SERVERS_DISAGREE
    assert finding.servers == ("192.0.2.1", "192.0.2.2")
    assert "different DNSKEY sets" in finding.message


def test_servers_with_the_same_keys_agree() -> None:
    ksk, zsk = (generate_key(13, ksk=k).dnskey for k in (True, False))
    replies = {s: _reply(s, ksk, zsk) for s in ("192.0.2.1", "192.0.2.2")}
    assert dnskey_disagreement(ZONE, replies) == []
