"""Helpers shared by the test_validate_* modules (no tests here).

- ``vector(file, section)``: the RRsets of one ``; == section ==`` of a file in
  tests/vectors/.
- ``Signer``: a zone key made with dnspython at test time, to build signed data
  (and broken signed data) for cases the RFC examples do not cover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import TypeVar

import dns.dnssec
import dns.name
import dns.rdata
import dns.rrset
from dns.dnssecalgs import get_algorithm_cls
from dns.dnssecalgs.base import GenericPrivateKey
from dns.dnssecalgs.ecdsa import PrivateECDSA
from dns.dnssecalgs.eddsa import PrivateEDDSA
from dns.dnssecalgs.rsa import PrivateRSA
from dns.dnssectypes import Algorithm
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.RRSIG import RRSIG

from dnssec_doctor.validate.records import find_rrset, parse_records
from helpers import VECTORS

_SECTION = re.compile(r"^; == (.+?) ==\s*$", re.MULTILINE)


def ts(text: str) -> int:
    """``20040501120000`` (UTC) as POSIX seconds."""
    return int(datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=UTC).timestamp())


@cache
def _sections(filename: str) -> dict[str, str]:
    text = (VECTORS / filename).read_text()
    parts = _SECTION.split(text)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def vector(filename: str, *sections: str) -> list[dns.rrset.RRset]:
    """RRsets of the named sections (section names match by prefix, e.g. ``B.1``)."""
    found = _sections(filename)
    text = ""
    for want in sections:
        hits = [body for name, body in found.items() if name.startswith(want)]
        assert len(hits) == 1, f"{filename}: section {want!r} not found once"
        text += hits[0]
    return parse_records(text)


def rr(rrsets: list[dns.rrset.RRset], name: str, rdtype: str) -> dns.rrset.RRset:
    found = find_rrset(rrsets, name, rdtype)
    assert found is not None, f"{name} {rdtype} not in vector"
    return found


def sigs(rrsets: list[dns.rrset.RRset], name: str, covered: str) -> dns.rrset.RRset:
    found = find_rrset(rrsets, name, "RRSIG", covered)
    assert found is not None, f"{name} RRSIG {covered} not in vector"
    return found


_R = TypeVar("_R", bound=dns.rdata.Rdata)


def edited(rdata: _R, **changes: object) -> _R:
    """*rdata* with some fields changed, of the same type (``Rdata.replace`` is typed to
    return a plain ``Rdata``)."""
    new = rdata.replace(**changes)
    assert isinstance(new, type(rdata))
    return new


def to_wire(rdata: dns.rdata.Rdata) -> bytes:
    """*rdata*'s wire form (``Rdata.to_wire`` is typed ``bytes | None``: None when it
    writes to a file)."""
    wire = rdata.to_wire()
    assert wire is not None
    return wire


def n(text: str) -> dns.name.Name:
    return dns.name.from_text(text)


@dataclass
class Signer:
    """A zone key pair for making signed test data."""

    zone: dns.name.Name
    private: GenericPrivateKey
    dnskey: DNSKEY

    @classmethod
    def make(
        cls,
        zone: str = "example.",
        algorithm: Algorithm = Algorithm.ED25519,
        flags: int = 257,
        index: int = 0,
    ) -> Signer:
        private = _private(algorithm, index)
        dnskey = dns.dnssec.make_dnskey(private.public_key(), algorithm, flags)
        return cls(dns.name.from_text(zone), private, dnskey)

    @property
    def dnskey_rrset(self) -> dns.rrset.RRset:
        return dns.rrset.from_rdata(self.zone, 3600, self.dnskey)

    def sign(
        self,
        rrset: dns.rrset.RRset,
        inception: int,
        expiration: int,
        *,
        signer: dns.name.Name | None = None,
    ) -> RRSIG:
        return dns.dnssec.sign(
            rrset,
            self.private,
            signer or self.zone,
            self.dnskey,
            inception=inception,
            expiration=expiration,
            policy=dns.dnssec.allow_all_policy,
        )


@cache
def _private(algorithm: Algorithm, index: int) -> GenericPrivateKey:
    # Key generation is slow for RSA: one key per (algorithm, index) per test run.
    cls = get_algorithm_cls(algorithm)
    if issubclass(cls, PrivateRSA):
        return cls.generate(key_size=2048)
    if issubclass(cls, PrivateECDSA | PrivateEDDSA):
        return cls.generate()
    raise ValueError(f"no key generation for {algorithm!r}")


def rrset(text: str) -> dns.rrset.RRset:
    """One RRset from master-file text."""
    got = parse_records(text)
    assert len(got) == 1
    return got[0]


__all__ = ["VECTORS", "Signer", "edited", "n", "rr", "rrset", "sigs", "to_wire", "ts", "vector"]
