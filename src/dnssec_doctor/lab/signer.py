"""Sign a lab zone: DNSKEY RRset, RRSIGs and an NSEC or NSEC3 chain (RFC 4035, RFC 5155).

dnspython signs RRsets but has no NSEC3 zone signer, and the lab needs control that a
production signer never gives (which key signs which RRset, each with its own validity
window), so the zone walk is done here; every signature is made by dns.dnssec.sign.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rdtypes.ANY.NSEC
import dns.rdtypes.ANY.NSEC3
import dns.rdtypes.ANY.NSEC3PARAM
import dns.rdtypes.ANY.RRSIG
import dns.rdtypes.ANY.SOA
import dns.rrset
import dns.zone

from dnssec_doctor.lab.keys import LabKey

RdataType = dns.rdatatype.RdataType

# Types that a signer itself produces; removed before (re-)signing.
DNSSEC_TYPES = frozenset({RdataType.RRSIG, RdataType.NSEC, RdataType.NSEC3, RdataType.NSEC3PARAM})
# RRsets signed by the key-signing keys (RFC 7344 4.1 for CDS/CDNSKEY).
KEY_RRSET_TYPES = frozenset({RdataType.DNSKEY, RdataType.CDS, RdataType.CDNSKEY})

_BASE32HEX = "0123456789ABCDEFGHIJKLMNOPQRSTUV"


@dataclass(frozen=True)
class Window:
    """A signature validity window in POSIX seconds (RRSIG inception and expiration)."""

    inception: int
    expiration: int


@dataclass(frozen=True)
class Nsec3Params:
    """RFC 9276 recommends no extra iterations and an empty salt."""

    iterations: int = 0
    salt: bytes = b""

    def hash(self, name: dns.name.Name) -> bytes:
        text = dns.dnssec.nsec3_hash(name, self.salt or None, self.iterations, 1)
        return base64.b32hexdecode(text)

    def owner(self, digest: bytes, origin: dns.name.Name) -> dns.name.Name:
        label = base64.b32hexencode(digest).decode().rstrip("=").lower()
        return dns.name.Name((label.encode(), *origin.labels))


@dataclass
class SigningPlan:
    """Which keys sign what, and when the signatures are valid."""

    published: list[LabKey]  # the DNSKEY RRset
    dnskey_signers: list[LabKey]  # sign DNSKEY, CDS and CDNSKEY
    data_signers: list[LabKey]  # sign everything else
    window: Window
    dnskey_window: Window | None = None  # the DNSKEY RRset's own window, when it differs
    denial: str = "nsec"  # "nsec" or "nsec3"
    nsec3: Nsec3Params = field(default_factory=Nsec3Params)
    dnskey_ttl: int = 3600


def zone_cuts(zone: dns.zone.Zone) -> set[dns.name.Name]:
    """Names below the apex that own NS: delegation points."""
    origin = zone.origin
    assert origin is not None
    return {
        name
        for name, node in zone.nodes.items()
        if name != origin and node.get_rdataset(dns.rdataclass.IN, RdataType.NS) is not None
    }


def is_occluded(name: dns.name.Name, cuts: set[dns.name.Name]) -> bool:
    """True for names strictly below a zone cut (glue and anything else hidden by it)."""
    return any(name != cut and name.is_subdomain(cut) for cut in cuts)


def _signed_types(
    name: dns.name.Name, types: Iterable[RdataType], cuts: set[dns.name.Name]
) -> list[RdataType]:
    """The RRset types at *name* that carry signatures (RFC 4035 2.2)."""
    if name in cuts:
        # at a delegation only DS (and the NSEC made later) is authoritative
        return [t for t in types if t == RdataType.DS]
    return [t for t in types if t not in DNSSEC_TYPES]


def _soa(zone: dns.zone.Zone) -> tuple[int, dns.rdtypes.ANY.SOA.SOA]:
    assert zone.origin is not None
    soa = zone.get_rdataset(zone.origin, RdataType.SOA)
    if soa is None:
        raise ValueError(f"zone {zone.origin} has no SOA")
    return soa.ttl, soa[0]


def negative_ttl(zone: dns.zone.Zone) -> int:
    """TTL of NSEC/NSEC3 records: min(SOA TTL, SOA MINIMUM) (RFC 9077)."""
    ttl, soa = _soa(zone)
    return min(ttl, soa.minimum)


def strip_signatures(zone: dns.zone.Zone) -> None:
    for name, node in list(zone.nodes.items()):
        for rdataset in list(node.rdatasets):
            if rdataset.rdtype in DNSSEC_TYPES or rdataset.rdtype == RdataType.DNSKEY:
                node.delete_rdataset(rdataset.rdclass, rdataset.rdtype, rdataset.covers)
        if not node.rdatasets:
            del zone.nodes[name]


def _types_at(zone: dns.zone.Zone, name: dns.name.Name) -> list[RdataType]:
    node = zone.get_node(name)
    if node is None:
        return []
    return [rds.rdtype for rds in node.rdatasets if rds.rdtype != RdataType.RRSIG]


def _chain_names(zone: dns.zone.Zone, cuts: set[dns.name.Name]) -> list[dns.name.Name]:
    """Owners the denial chain covers: every name not occluded by a cut, canonical order."""
    return sorted(name for name in zone.nodes if not is_occluded(name, cuts))


def add_nsec_chain(zone: dns.zone.Zone) -> None:
    """An NSEC record at every authoritative name and delegation point (RFC 4035 2.3)."""
    cuts = zone_cuts(zone)
    names = _chain_names(zone, cuts)
    ttl = negative_ttl(zone)
    for index, name in enumerate(names):
        following = names[(index + 1) % len(names)]
        types = [*_types_at(zone, name), RdataType.NSEC, RdataType.RRSIG]
        windows = dns.rdtypes.ANY.NSEC.Bitmap.from_rdtypes(types).windows
        nsec = dns.rdtypes.ANY.NSEC.NSEC(dns.rdataclass.IN, RdataType.NSEC, following, windows)
        zone.find_rdataset(name, RdataType.NSEC, create=True).add(nsec, ttl)


def _empty_non_terminals(
    origin: dns.name.Name, names: Iterable[dns.name.Name]
) -> set[dns.name.Name]:
    ents: set[dns.name.Name] = set()
    for name in names:
        parent = name.parent()
        while parent != origin and parent.is_subdomain(origin):
            ents.add(parent)
            parent = parent.parent()
    return ents


def add_nsec3_chain(zone: dns.zone.Zone, params: Nsec3Params) -> None:
    """NSEC3PARAM and an NSEC3 record per authoritative name, delegation and empty
    non-terminal, without opt-out (RFC 5155 7.1)."""
    origin = zone.origin
    assert origin is not None
    param = dns.rdtypes.ANY.NSEC3PARAM.NSEC3PARAM(
        dns.rdataclass.IN, RdataType.NSEC3PARAM, 1, 0, params.iterations, params.salt
    )
    zone.find_rdataset(origin, RdataType.NSEC3PARAM, create=True).add(param, negative_ttl(zone))
    cuts = zone_cuts(zone)
    names = _chain_names(zone, cuts)
    owners = set(names) | {n for n in _empty_non_terminals(origin, names) if n not in zone.nodes}
    hashed = sorted((params.hash(name), name) for name in owners)
    ttl = negative_ttl(zone)
    for index, (digest, name) in enumerate(hashed):
        following = hashed[(index + 1) % len(hashed)][0]
        types = _types_at(zone, name)
        if _signed_types(name, types, cuts):
            types.append(RdataType.RRSIG)
        windows = dns.rdtypes.ANY.NSEC.Bitmap.from_rdtypes(types).windows
        record = dns.rdtypes.ANY.NSEC3.NSEC3(
            dns.rdataclass.IN,
            RdataType.NSEC3,
            1,
            0,
            params.iterations,
            params.salt,
            following,
            windows,
        )
        zone.find_rdataset(params.owner(digest, origin), RdataType.NSEC3, create=True).add(
            record, ttl
        )


def sign_rrset(
    zone: dns.zone.Zone,
    name: dns.name.Name,
    rdataset: dns.rdataset.Rdataset,
    keys: Iterable[LabKey],
    window: Window,
) -> None:
    """Add one RRSIG per key over (name, rdataset)."""
    origin = zone.origin
    assert origin is not None
    rrset = dns.rrset.from_rdata_list(name, rdataset.ttl, list(rdataset))
    sigs = zone.find_rdataset(name, RdataType.RRSIG, covers=rdataset.rdtype, create=True)
    for key in keys:
        rrsig = dns.dnssec.sign(
            rrset,
            key.private,
            origin,
            key.dnskey,
            inception=window.inception,
            expiration=window.expiration,
            origin=origin,
            # RSASHA1 (5, 7) only for the deprecated-algorithm scenarios (RFC 9904 forbids it)
            policy=dns.dnssec.allow_all_policy if key.algorithm in (5, 7) else None,
        )
        sigs.add(rrsig, rdataset.ttl)


def signable_rrsets(zone: dns.zone.Zone) -> Iterator[tuple[dns.name.Name, dns.rdataset.Rdataset]]:
    """Every authoritative RRset: not RRSIG, not delegation NS, not glue."""
    cuts = zone_cuts(zone)
    for name, node in zone.nodes.items():
        if is_occluded(name, cuts):
            continue
        for rdataset in list(node.rdatasets):
            if rdataset.rdtype == RdataType.RRSIG:
                continue
            if name in cuts and rdataset.rdtype not in (RdataType.DS, RdataType.NSEC):
                continue
            yield name, rdataset


def sign_zone(zone: dns.zone.Zone, plan: SigningPlan) -> None:
    """Sign *zone* in place following *plan*; an existing signed state is replaced."""
    origin = zone.origin
    assert origin is not None
    strip_signatures(zone)
    dnskeys = zone.find_rdataset(origin, RdataType.DNSKEY, create=True)
    for key in plan.published:
        dnskeys.add(key.dnskey, plan.dnskey_ttl)
    if plan.denial == "nsec3":
        add_nsec3_chain(zone, plan.nsec3)
    else:
        add_nsec_chain(zone)
    for name, rdataset in list(signable_rrsets(zone)):
        if rdataset.rdtype in KEY_RRSET_TYPES:
            sign_rrset(zone, name, rdataset, plan.dnskey_signers, plan.dnskey_window or plan.window)
        else:
            sign_rrset(zone, name, rdataset, plan.data_signers, plan.window)


def resign_rrset(
    zone: dns.zone.Zone,
    name: dns.name.Name,
    rdtype: RdataType,
    keys: list[LabKey],
    window: Window,
) -> None:
    """Replace the signatures of one RRset (after a deliberate change to it)."""
    node = zone.get_node(name)
    if node is None:
        raise KeyError(f"{name} is not in zone {zone.origin}")
    node.delete_rdataset(dns.rdataclass.IN, RdataType.RRSIG, rdtype)
    rdataset = node.get_rdataset(dns.rdataclass.IN, rdtype)
    if rdataset is None:
        raise KeyError(f"{name} has no {dns.rdatatype.to_text(rdtype)}")
    sign_rrset(zone, name, rdataset, keys, window)
