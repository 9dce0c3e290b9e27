"""What a round records of a zone, read from the replies a check collected.

Facts only, no judgement (the check judged): per server and RRset type the earliest
RRSIG expiration with its inception and the RRset's TTL, the DNSKEY/CDS/CDNSKEY sets at
each of the zone's servers, the DS set at each parent server, the SOA serial per server
and the keys that sign.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import dns.dnssec
import dns.message
import dns.name
import dns.rdatatype
import dns.rrset

from dnssec_doctor.model.collection import Collection, Reply


class Signature(NamedTuple):
    """The earliest-expiring RRSIG one server serves for one RRset type of the zone."""

    server: str
    rrtype: str
    expiration: int  # POSIX seconds
    inception: int
    ttl: int  # the covered RRset's TTL: re-sign before expiration - ttl
    key_tag: int
    algorithm: int


class Observation(NamedTuple):
    zone: str
    signatures: tuple[Signature, ...]
    #: kind (DNSKEY, DS, CDS, CDNSKEY) -> server -> the set's records, sorted
    sets: dict[str, dict[str, tuple[str, ...]]]
    serials: dict[str, int]  # server -> SOA serial
    signing_keys: tuple[tuple[int, int], ...]  # (key tag, algorithm) of the zone's RRSIGs
    dnskeys: tuple[tuple[int, int, int], ...]  # (key tag, algorithm, flags) served

    def merged(self, kind: str) -> tuple[str, ...]:
        """A set as every server together serves it."""
        return tuple(sorted({r for records in self.sets.get(kind, {}).values() for r in records}))

    @property
    def earliest(self) -> Signature | None:
        return min(self.signatures, key=lambda s: (s.expiration, s.server), default=None)

    def stale_servers(self) -> list[str]:
        """Servers whose SOA serial lags the newest one served (RFC 1982 not needed here:
        a lab or a zone that wraps its serial is told as a change, not as lag)."""
        if len(set(self.serials.values())) < 2:
            return []
        newest = max(self.serials.values())
        return sorted(s for s, serial in self.serials.items() if serial != newest)


def _messages(replies: dict[str, Reply]) -> Iterable[tuple[str, dns.message.Message]]:
    for server, reply in replies.items():
        if reply.message is not None:
            yield server, reply.message


def _records(rrset: dns.rrset.RRset) -> tuple[str, ...]:
    return tuple(sorted(rd.to_text() for rd in rrset))


def observe(zone: dns.name.Name, collections: Iterable[Collection]) -> Observation:
    """The facts about *zone* in the checks' collections (the zone's SOA check and its
    configured names: each adds what its walk asked)."""
    earliest: dict[tuple[str, str], Signature] = {}
    sets: dict[str, dict[str, tuple[str, ...]]] = {}
    serials: dict[str, int] = {}
    signers: set[tuple[int, int]] = set()
    dnskeys: set[tuple[int, int, int]] = set()

    def signatures(server: str, message: dns.message.Message, owner_zone: bool) -> None:
        covered: dict[tuple[dns.name.Name, int], dns.rrset.RRset] = {
            (r.name, r.rdtype): r for r in message.answer if r.rdtype != dns.rdatatype.RRSIG
        }
        for rrset in message.answer:
            if rrset.rdtype != dns.rdatatype.RRSIG:
                continue
            for sig in rrset:
                if owner_zone and sig.signer != zone:
                    continue
                data = covered.get((rrset.name, sig.type_covered))
                ttl = min(data.ttl, sig.original_ttl) if data is not None else sig.original_ttl
                rrtype = dns.rdatatype.to_text(sig.type_covered)
                found = Signature(
                    server,
                    rrtype,
                    int(sig.expiration),
                    int(sig.inception),
                    int(ttl),
                    int(sig.key_tag),
                    int(sig.algorithm),
                )
                if owner_zone:
                    signers.add((found.key_tag, found.algorithm))
                key = (server, rrtype)
                if key not in earliest or found.expiration < earliest[key].expiration:
                    earliest[key] = found

    def keep(kind: str, server: str, message: dns.message.Message, rdtype: int) -> None:
        for rrset in message.answer:
            if rrset.name == zone and rrset.rdtype == rdtype:
                sets.setdefault(kind, {})[server] = _records(rrset)
                if rdtype == dns.rdatatype.DNSKEY:
                    for key in rrset:
                        dnskeys.add((dns.dnssec.key_id(key), int(key.algorithm), int(key.flags)))

    for collection in collections:
        cut = collection.zones.get(zone)
        if cut is not None:
            for kind, replies, rdtype in (
                ("DNSKEY", cut.dnskey, dns.rdatatype.DNSKEY),
                ("CDS", cut.cds, dns.rdatatype.CDS),
                ("CDNSKEY", cut.cdnskey, dns.rdatatype.CDNSKEY),
                ("SOA", cut.soa, dns.rdatatype.SOA),
                ("NS", cut.ns, dns.rdatatype.NS),
            ):
                for server, message in _messages(replies):
                    signatures(server, message, owner_zone=True)
                    if kind != "SOA" and kind != "NS":
                        keep(kind, server, message, rdtype)
                    if kind == "SOA":
                        for rrset in message.answer:
                            if rrset.name == zone and rrset.rdtype == dns.rdatatype.SOA:
                                serials[server] = int(rrset[0].serial)
            for server, message in _messages(cut.ds):
                keep("DS", server, message, dns.rdatatype.DS)
                signatures(server, message, owner_zone=False)  # the parent's signature
        for answer in collection.answers:
            if answer.zone == zone:
                for server, message in _messages(answer.replies):
                    signatures(server, message, owner_zone=True)
    return Observation(
        zone=zone.to_text(),
        signatures=tuple(sorted(earliest.values())),
        sets=sets,
        serials=serials,
        signing_keys=tuple(sorted(signers)),
        dnskeys=tuple(sorted(dnskeys)),
    )
