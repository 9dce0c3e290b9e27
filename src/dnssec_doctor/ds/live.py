"""What the zone's servers and its parent's servers serve now, for the ds commands.

The walk and its analysis are `check`'s (services/check.py), run for the zone's SOA:
every authoritative server of the zone is asked for the DNSKEY RRset, every server of
the parent for the DS RRset, and the analysis says whether the chain holds. This module
only arranges what they found by server.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.DNSKEY import DNSKEY

from dnssec_doctor.ds.records import DsInputError
from dnssec_doctor.model.analysis import Status, ZoneResult
from dnssec_doctor.model.collection import Collection, Reply, ZoneCut
from dnssec_doctor.services.check import (
    CheckError,
    CheckOptions,
    parse_at,
    parse_name,
    probe,
    report_for,
)
from dnssec_doctor.validate.keyset import dnskey_signers
from dnssec_doctor.validate.records import key_tag

T = dns.rdatatype.RdataType


@dataclass
class ServedKeys:
    """One child server's DNSKEY RRset, its RRSIGs and the keys that sign it."""

    dnskey: dns.rrset.RRset
    rrsigs: dns.rrset.RRset | None
    signers: list[DNSKEY]


@dataclass
class ZoneView:
    zone: dns.name.Name
    parent: dns.name.Name
    at: int
    collection: Collection
    link: ZoneResult | None  # the analysis of parent DS → DNSKEY
    keys: dict[str, ServedKeys]  # child server address → what it serves
    failed: dict[str, str]  # child server address → why no DNSKEY RRset came
    parent_ds: dict[str, dns.rrset.RRset | None]  # parent server → DS RRset (None: no DS)
    parent_failed: dict[str, str]
    negative_ttl: int | None  # the parent's "no DS" is cached this long (SOA, RFC 2308 5)
    server_names: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def union_keys(self) -> list[DNSKEY]:
        found: dict[bytes, DNSKEY] = {}
        for served in self.keys.values():
            for key in served.dnskey:
                found.setdefault(key.to_digestable(), key)
        return sorted(found.values(), key=key_tag)

    def servers_of(self) -> dict[int, tuple[str, ...]]:
        """Key tag → the child servers that serve a key with it."""
        out: dict[int, list[str]] = {}
        for address, served in sorted(self.keys.items()):
            for key in served.dnskey:
                out.setdefault(key_tag(key), []).append(address)
        return {tag: tuple(servers) for tag, servers in out.items()}

    def signer_tags(self) -> set[int]:
        return {key_tag(k) for served in self.keys.values() for k in served.signers}

    def ds_union(self) -> list[dns.rrset.RRset]:
        return [ds for ds in self.parent_ds.values() if ds is not None]


def zone_name(text: str) -> dns.name.Name:
    try:
        return parse_name(text)
    except CheckError as error:
        raise DsInputError(str(error)) from None


def observe(options: CheckOptions, *, need_parent: bool = False) -> ZoneView:
    """Walk to the zone (``options.name``) and arrange what its servers serve."""
    zone = zone_name(options.name)
    began = time.monotonic()
    try:
        at = int(parse_at(options.at, datetime.now(UTC)).timestamp())
        collection = probe(options._replace(name=zone.to_text(), qtype="SOA"))
        report = report_for(collection, options, began)
    except CheckError as error:
        raise DsInputError(str(error)) from None
    cut = collection.zones.get(zone)
    if cut is None or cut.parent is None:
        raise DsInputError(_not_a_zone(zone, collection))
    view = ZoneView(
        zone=zone,
        parent=cut.parent,
        at=at,
        collection=collection,
        link=report.analysis.zones.get(zone),
        keys={},
        failed={},
        parent_ds={},
        parent_failed={},
        negative_ttl=None,
        server_names={a: tuple(n.to_text() for n in names) for a, names in cut.addresses.items()},
    )
    _child_side(view, cut)
    _parent_side(view, cut)
    if view.negative_ttl is None:
        view.negative_ttl = _parent_negative_ttl(collection.zones.get(cut.parent))
    if not view.keys and not view.failed:
        raise DsInputError(f"no server of {zone} was asked for its DNSKEY RRset")
    if not view.keys and all(w != "no DNSKEY RRset" for w in view.failed.values()):
        why = "; ".join(f"{a}: {w}" for a, w in sorted(view.failed.items())[:3])
        raise DsInputError(f"no server of {zone} answered the DNSKEY query ({why})")
    if need_parent and not view.parent_ds:
        why = "; ".join(f"{a}: {w}" for a, w in sorted(view.parent_failed.items())[:3])
        raise DsInputError(f"no server of {cut.parent} answered the DS query for {zone} ({why})")
    return view


def _not_a_zone(zone: dns.name.Name, collection: Collection) -> str:
    holders = [n for n in collection.zones if zone.is_subdomain(n) and n != zone]
    if holders and not collection.problems:
        deepest = max(holders, key=lambda n: len(n.labels))
        return (
            f"{zone} is not a zone: {deepest} delegates no zone of that name (give a zone's apex)"
        )
    why = "; ".join(collection.problems[:2]) or "the walk found no delegation to it"
    return f"{zone}: no zone cut found ({why})"


def _usable(reply: Reply) -> str | None:
    """None when *reply* is an authoritative answer to use, else why not (one word or so)."""
    if reply.message is None:
        return reply.error or "no reply"
    rcode = reply.message.rcode()
    if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return dns.rcode.to_text(rcode)
    return None


def _rrset(
    reply: Reply, name: dns.name.Name, rdtype: int, covers: int = 0
) -> dns.rrset.RRset | None:
    assert reply.message is not None
    for rrset in reply.message.answer:
        if rrset.name == name and rrset.rdtype == rdtype and rrset.covers == covers:
            return rrset
    return None


def _child_side(view: ZoneView, cut: ZoneCut) -> None:
    for address, reply in sorted(cut.dnskey.items()):
        problem = _usable(reply)
        if problem is not None:
            view.failed[address] = problem
            continue
        keys = _rrset(reply, cut.name, T.DNSKEY)
        if keys is None:
            view.failed[address] = "no DNSKEY RRset"
            continue
        sigs = _rrset(reply, cut.name, T.RRSIG, T.DNSKEY)
        view.keys[address] = ServedKeys(keys, sigs, dnskey_signers(keys, sigs, view.at))


def _parent_side(view: ZoneView, cut: ZoneCut) -> None:
    for address, reply in sorted(cut.ds.items()):
        problem = _usable(reply)
        if problem is not None:
            view.parent_failed[address] = problem
            continue
        assert reply.message is not None
        view.parent_ds[address] = _rrset(reply, cut.name, T.DS)
        for rrset in reply.message.authority:
            if rrset.rdtype == T.SOA and len(rrset):
                view.negative_ttl = max(view.negative_ttl or 0, _soa_negative_ttl(rrset))


def _soa_negative_ttl(rrset: dns.rrset.RRset) -> int:
    return min(rrset.ttl, int(rrset[0].minimum))


def _parent_negative_ttl(parent: ZoneCut | None) -> int | None:
    """How long a resolver caches a "no DS" from the parent (RFC 2308 5: the SOA's TTL
    and MINIMUM, the smaller), from the parent's SOA as its servers serve it."""
    if parent is None:
        return None
    found = [
        _soa_negative_ttl(soa)
        for reply in parent.soa.values()
        if _usable(reply) is None and (soa := _rrset(reply, parent.name, T.SOA)) and len(soa)
    ]
    return max(found) if found else None


def authentication(view: ZoneView) -> tuple[bool | None, str]:
    """Whether the DNSKEY RRset served validates from the trust anchor through the
    parent's DS, in one line: the analysis's verdict on the link, not a new one."""
    link = view.link
    if link is None:
        return None, "the walk did not judge this zone"
    if link.status is Status.SECURE:
        tags = ", ".join(str(j.ds.key_tag) for j in link.ds_judgments if j.matched)
        via = f" via DS {tags}" if tags else ""
        return True, f"authenticated: the DNSKEY RRset validates from the trust anchor{via}"
    if link.status is Status.INSECURE:
        return None, f"not authenticated: the delegation is insecure ({link.reason})"
    return False, f"NOT authenticated ({link.status.value}): {link.reason}"


__all__ = ["ServedKeys", "ZoneView", "authentication", "observe", "zone_name"]
