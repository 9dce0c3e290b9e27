"""Lab signing keys: generation and the DNSKEY/DS records made from them."""

from __future__ import annotations

from dataclasses import dataclass

import dns.dnssec
import dns.dnssectypes
import dns.name
import dns.rdtypes.ANY.DNSKEY
import dns.rdtypes.ANY.DS
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from dns.dnssecalgs.base import GenericPrivateKey

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

ZONE_KEY = 0x0100  # DNSKEY flags bit 7 (RFC 4034 2.1.1)
SEP = 0x0001  # secure entry point, bit 15
REVOKE = 0x0080  # RFC 5011

SUPPORTED_LAB_ALGORITHMS = (5, 7, 8, 13, 14, 15)  # 5, 7: deprecated (RFC 8624 3.1) zones


@dataclass(frozen=True)
class LabKey:
    """A private key with its DNSKEY record."""

    private: PrivateKey | GenericPrivateKey
    dnskey: dns.rdtypes.ANY.DNSKEY.DNSKEY

    @property
    def tag(self) -> int:
        return dns.dnssec.key_id(self.dnskey)

    @property
    def algorithm(self) -> int:
        return int(self.dnskey.algorithm)

    @property
    def is_ksk(self) -> bool:
        return bool(self.dnskey.flags & SEP)

    def ds(self, owner: dns.name.Name) -> dns.rdtypes.ANY.DS.DS:
        """The SHA-256 DS record (RFC 4509), what registries ask for today."""
        return dns.dnssec.make_ds(owner, self.dnskey, dns.dnssectypes.DSDigest.SHA256)


def _private_key(algorithm: int) -> PrivateKey:
    if algorithm in (5, 7):
        # RSASHA1 and RSASHA1-NSEC3-SHA1: only for the scenarios of deprecated algorithms
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm == 8:
        # 2048 bits: what registries and RFC 8624 expect today; only a few lab zones use it
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm == 13:
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == 14:
        return ec.generate_private_key(ec.SECP384R1())
    if algorithm == 15:
        return ed25519.Ed25519PrivateKey.generate()
    raise ValueError(f"the lab cannot make keys of algorithm {algorithm}")


def generate_key(algorithm: int, ksk: bool) -> LabKey:
    """A new zone key; *ksk* sets the SEP flag (key-signing key)."""
    private = _private_key(algorithm)
    flags = ZONE_KEY | (SEP if ksk else 0)
    dnskey = dns.dnssec.make_dnskey(private.public_key(), algorithm, flags=flags)
    return LabKey(private=private, dnskey=dnskey)
