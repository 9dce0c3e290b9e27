"""Small signed zones for the responder and server tests, built here with dnspython alone.

``test.`` (NSEC) delegates securely to ``secure.test.`` (NSEC3) and ``optout.test.`` (NSEC3
with opt-out), insecurely to ``insecure.test.``; the children delegate insecurely once more.
Keys are ECDSA P-256 and signatures are valid from INCEPTION to EXPIRATION, so validation in
the tests uses VALID_AT, never the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import dns.dnssec
import dns.name
import dns.node
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec
from dns.dnssectypes import Algorithm
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.NSEC3 import NSEC3

INCEPTION = datetime(2024, 1, 1, tzinfo=UTC)
EXPIRATION = datetime(2034, 1, 1, tzinfo=UTC)
VALID_AT = datetime(2026, 1, 1, tzinfo=UTC).timestamp()  # dnspython wants epoch seconds

SALT = "aabbccdd"
ITERATIONS = 0

PARENT = dns.name.from_text("test.")
SECURE = dns.name.from_text("secure.test.")
OPTOUT = dns.name.from_text("optout.test.")

_SOA = "@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"


@dataclass
class SignedZone:
    zone: dns.zone.Zone
    ksk: DNSKEY
    zsk: DNSKEY

    @property
    def origin(self) -> dns.name.Name:
        assert self.zone.origin is not None
        return self.zone.origin

    def dnskey_rrset(self) -> dns.rrset.RRset:
        found = self.zone.get_rdataset(self.origin, dns.rdatatype.DNSKEY)
        assert found is not None
        return dns.rrset.from_rdata_list(self.origin, found.ttl, list(found))

    def ds_text(self) -> str:
        return dns.dnssec.make_ds(self.origin, self.ksk, "SHA256").to_text()


KeyPair = tuple[ec.EllipticCurvePrivateKey, DNSKEY]


def make_key(ksk: bool) -> KeyPair:
    private = ec.generate_private_key(ec.SECP256R1())
    flags = 257 if ksk else 256
    dnskey = dns.dnssec.make_dnskey(private.public_key(), Algorithm.ECDSAP256SHA256, flags)
    return private, dnskey


def _zone_from_text(text: str, origin: dns.name.Name) -> dns.zone.Zone:
    return dns.zone.from_text(text, origin=origin, relativize=False, check_origin=True)


def sign_nsec(text: str, origin: dns.name.Name) -> SignedZone:
    """An NSEC-signed zone, by dnspython's own zone signer."""
    zone = _zone_from_text(text, origin)
    ksk, zsk = make_key(True), make_key(False)
    keys: list[tuple[dns.dnssec.PrivateKey, DNSKEY]] = [ksk, zsk]
    dns.dnssec.sign_zone(zone, keys=keys, inception=INCEPTION, expiration=EXPIRATION)
    return SignedZone(zone, ksk[1], zsk[1])


def sign_nsec3(text: str, origin: dns.name.Name, *, opt_out: bool = False) -> SignedZone:
    """An NSEC3-signed zone (RFC 5155 7.1); dnspython's signer does not do NSEC3 yet."""
    zone = _zone_from_text(text, origin)
    ksk, zsk = make_key(True), make_key(False)
    soa_ttl = _rdataset(zone, origin, dns.rdatatype.SOA).ttl
    _add(zone, origin, soa_ttl, ksk[1], zsk[1])
    _add(zone, origin, 0, _rdata(dns.rdatatype.NSEC3PARAM, f"1 0 {ITERATIONS} {SALT}"))
    _add_nsec3_chain(zone, origin, opt_out)
    _sign_all(zone, origin, ksk, zsk)
    return SignedZone(zone, ksk[1], zsk[1])


def _rdata(rdtype: dns.rdatatype.RdataType, text: str) -> dns.rdata.Rdata:
    return dns.rdata.from_text(dns.rdataclass.IN, rdtype, text)


def _rdataset(
    zone: dns.zone.Zone, name: dns.name.Name, rdtype: dns.rdatatype.RdataType
) -> dns.rdataset.Rdataset:
    found = zone.get_rdataset(name, rdtype)
    assert found is not None
    return found


def _add(zone: dns.zone.Zone, name: dns.name.Name, ttl: int, *rdatas: dns.rdata.Rdata) -> None:
    for rdata in rdatas:
        covers = rdata.covers()
        zone.find_rdataset(name, rdata.rdtype, covers, create=True).add(rdata, ttl)


def _cuts(zone: dns.zone.Zone, origin: dns.name.Name) -> set[dns.name.Name]:
    return {
        name
        for name, node in zone.nodes.items()
        if name != origin and node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NS)
    }


def _occluded(name: dns.name.Name, cuts: set[dns.name.Name]) -> bool:
    return any(name != cut and name.is_subdomain(cut) for cut in cuts)


def _has_ds(zone: dns.zone.Zone, name: dns.name.Name) -> bool:
    return zone.get_rdataset(name, dns.rdatatype.DS) is not None


def _add_nsec3_chain(zone: dns.zone.Zone, origin: dns.name.Name, opt_out: bool) -> None:
    cuts = _cuts(zone, origin)
    owners = [n for n in zone.nodes if not _occluded(n, cuts)]
    if opt_out:  # insecure delegations get no NSEC3 of their own (RFC 5155 6)
        owners = [n for n in owners if n not in cuts or _has_ds(zone, n)]
    names: set[dns.name.Name] = set()
    for owner in owners:  # with the empty non-terminals above them
        while owner != origin and owner not in names:
            names.add(owner)
            owner = owner.parent()
    names.add(origin)
    hashed = sorted((dns.dnssec.nsec3_hash(n, SALT, ITERATIONS, 1), n) for n in names)
    ttl = _rdataset(zone, origin, dns.rdatatype.SOA).ttl
    flags = 1 if opt_out else 0
    for position, (digest, name) in enumerate(hashed):
        next_digest = hashed[(position + 1) % len(hashed)][0]
        types = " ".join(_nsec3_types(zone, name, origin, cuts))
        text = f"1 {flags} {ITERATIONS} {SALT} {next_digest} {types}"
        owner = dns.name.from_text(digest, origin)
        _add(zone, owner, ttl, _rdata(dns.rdatatype.NSEC3, text))


def _nsec3_types(
    zone: dns.zone.Zone, name: dns.name.Name, origin: dns.name.Name, cuts: set[dns.name.Name]
) -> list[str]:
    node = zone.get_node(name)
    if node is None:
        return []  # an empty non-terminal
    types = {dns.rdatatype.to_text(r.rdtype) for r in node.rdatasets}
    signed = name not in cuts or _has_ds(zone, name)
    return sorted(types | ({"RRSIG"} if signed else set()))


def _sign_all(zone: dns.zone.Zone, origin: dns.name.Name, ksk: KeyPair, zsk: KeyPair) -> None:
    cuts = _cuts(zone, origin)
    for name, node in list(zone.nodes.items()):
        if _occluded(name, cuts):
            continue  # glue is not signed
        for rdataset in list(node.rdatasets):
            if rdataset.rdtype == dns.rdatatype.RRSIG:
                continue
            if name in cuts and rdataset.rdtype != dns.rdatatype.DS:
                continue  # the child signs its own NS
            key = ksk if rdataset.rdtype == dns.rdatatype.DNSKEY else zsk
            sign_rrset(zone, name, rdataset, key, origin)


def sign_rrset(
    zone: dns.zone.Zone,
    name: dns.name.Name,
    rdataset: dns.rdataset.Rdataset,
    key: KeyPair,
    signer: dns.name.Name,
) -> None:
    rrset = dns.rrset.from_rdata_list(name, rdataset.ttl, list(rdataset))
    rrsig = dns.dnssec.sign(
        rrset, key[0], signer, key[1], inception=INCEPTION, expiration=EXPIRATION
    )
    _add(zone, name, rdataset.ttl, rrsig)


# -- the test tree ---------------------------------------------------------------------------

SECURE_TEXT = (
    _SOA
    + """
@ 3600 IN NS ns1
ns1 3600 IN A 127.53.250.2
www 3600 IN A 192.0.2.10
x.y 3600 IN A 192.0.2.11
unsigned 3600 IN NS ns.unsigned
ns.unsigned 3600 IN A 127.53.250.4
"""
)

OPTOUT_TEXT = (
    _SOA
    + """
@ 3600 IN NS ns1
ns1 3600 IN A 127.53.250.2
www 3600 IN A 192.0.2.20
deleg 3600 IN NS ns.deleg
ns.deleg 3600 IN A 127.53.250.5
"""
)

BIG_TXT_COUNT = 30  # 30 TXT records of 60 octets: far beyond 512 and 1232 octets


def parent_text(secure_ds: str, optout_ds: str) -> str:
    big = "".join(f'big 3600 IN TXT "{i:02d}{"x" * 58}"\n' for i in range(BIG_TXT_COUNT))
    return (
        _SOA
        + f"""
@ 3600 IN NS ns1
ns1 3600 IN A 127.53.250.1
www 3600 IN A 192.0.2.1
www 3600 IN AAAA 2001:db8::1
medium 3600 IN TXT "{"m" * 200}" "{"n" * 200}" "{"o" * 200}"
alias 3600 IN CNAME www
chain 3600 IN CNAME alias
loop1 3600 IN CNAME loop2
loop2 3600 IN CNAME loop1
away 3600 IN CNAME www.elsewhere.example.
dangling 3600 IN CNAME missing
a.b.c 3600 IN TXT "deep"
*.wild 3600 IN TXT "a wildcard owner, served literally"
secure 3600 IN NS ns1.secure
secure 3600 IN DS {secure_ds}
ns1.secure 3600 IN A 127.53.250.2
optout 3600 IN NS ns1.optout
optout 3600 IN DS {optout_ds}
ns1.optout 3600 IN A 127.53.250.2
insecure 3600 IN NS ns.insecure
insecure 3600 IN NS ns.elsewhere.example.
ns.insecure 3600 IN A 127.53.250.3
ns.insecure 3600 IN AAAA ::1
"""
        + big
    )


@dataclass
class LabTree:
    parent: SignedZone
    secure: SignedZone
    optout: SignedZone

    def keys(self) -> dict[dns.name.Name, dns.node.Node | dns.rdataset.Rdataset]:
        return {z.origin: z.dnskey_rrset() for z in (self.parent, self.secure, self.optout)}


def build_tree() -> LabTree:
    secure = sign_nsec3(SECURE_TEXT, SECURE)
    optout = sign_nsec3(OPTOUT_TEXT, OPTOUT, opt_out=True)
    parent = sign_nsec(parent_text(secure.ds_text(), optout.ds_text()), PARENT)
    return LabTree(parent, secure, optout)


def nsec3_record(rrset: dns.rrset.RRset) -> NSEC3:
    rdata = rrset[0]
    assert isinstance(rdata, NSEC3)
    return rdata
