"""Domain names and denial records as wire bytes: the verify pipeline's vocabulary.

Names are the canonical (lower-case) uncompressed wire form the reader yields
(RFC 4034 6.2); creating a dnspython object per name of a million-name zone costs
more than the whole verification, so the checks work on bytes and only the names a
finding shows are turned into text.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import NamedTuple

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from dnssec_doctor.validate.fastsig import name_end
from dnssec_doctor.validate.nsec3hash import b32, from_b32, nsec3_hash


def labels(name: bytes) -> list[bytes]:
    """The labels of a wire name, leftmost first, without the root label."""
    out: list[bytes] = []
    at = 0
    while name[at]:
        end = at + 1 + name[at]
        out.append(name[at + 1 : end])
        at = end
    return out


def parent(name: bytes) -> bytes:
    """The name one label up (the root is its own parent)."""
    return name[1 + name[0] :] if name[0] else name


def ancestors(name: bytes, origin: bytes) -> list[bytes]:
    """Proper ancestors of ``name`` strictly below ``origin``, nearest first
    (empty when ``name`` is the origin or not below it)."""
    out: list[bytes] = []
    at = 0
    stop = len(name) - len(origin)
    while True:
        at += 1 + name[at]
        if at >= stop:
            return out
        out.append(name[at:])


def is_subdomain(name: bytes, origin: bytes) -> bool:
    """``name`` is ``origin`` or below it (both canonical wire)."""
    if not name.endswith(origin):
        return False
    at = 0
    stop = len(name) - len(origin)
    while at < stop:
        at += 1 + name[at]
    return at == stop


def canonical_key(name: bytes) -> tuple[bytes, ...]:
    """Sort key for RFC 4034 6.1 canonical order: labels compared right to left as
    octet strings (names are already lower case)."""
    return tuple(reversed(labels(name)))


def to_text(name: bytes) -> str:
    """Presentation form, for messages."""
    return dns.name.from_wire(name, 0)[0].to_text()


_BITMAPS: dict[bytes, frozenset[int]] = {}


def bitmap_types(data: bytes) -> frozenset[int]:
    """The types of an NSEC/NSEC3 type bitmap (RFC 4034 4.1.2), memoized: a zone has
    few distinct bitmaps. Raises ValueError on a malformed one."""
    found = _BITMAPS.get(data)
    if found is not None:
        return found
    types: set[int] = set()
    at = 0
    while at < len(data):
        if at + 2 > len(data):
            raise ValueError("truncated type bitmap")
        window, length = data[at], data[at + 1]
        block = data[at + 2 : at + 2 + length]
        if not 1 <= length <= 32 or len(block) != length:
            raise ValueError("bad type bitmap window")
        for i, octet in enumerate(block):
            for bit in range(8):
                if octet & (0x80 >> bit):
                    types.add(window * 256 + i * 8 + bit)
        at += 2 + length
    result = frozenset(types)
    if len(_BITMAPS) < 10_000:
        _BITMAPS[data] = result
    return result


def canonical(name: dns.name.Name) -> bytes:
    """The canonical (lower-case, uncompressed) wire form of a dnspython name."""
    return (name.to_wire() or b"").lower()


def rrset_from_wire(
    owner: dns.name.Name, rdtype: int, ttl: int, rdatas: Iterable[bytes]
) -> dns.rrset.RRset:
    """A dnspython RRset from RDATA in wire form (for the few places that need one)."""
    rrset = dns.rrset.RRset(owner, dns.rdataclass.IN, dns.rdatatype.RdataType.make(rdtype))
    for data in rdatas:
        rrset.add(dns.rdata.from_wire(dns.rdataclass.IN, rrset.rdtype, data, 0, len(data)), ttl)
    return rrset


class Nsec(NamedTuple):
    next: bytes  # lower-cased for comparison; RFC 6840 5.1 keeps its case on the wire
    types: frozenset[int]


def parse_nsec(rdata: bytes) -> Nsec:
    end = name_end(rdata, 0)
    return Nsec(rdata[:end].lower(), bitmap_types(rdata[end:]))


class Nsec3(NamedTuple):
    algorithm: int
    flags: int
    iterations: int
    salt: bytes
    next: bytes  # the raw next hash
    types: frozenset[int]

    @property
    def params(self) -> tuple[int, int, bytes]:
        return (self.algorithm, self.iterations, self.salt)


_NSEC3_HEAD = struct.Struct("!BBHB")


def parse_nsec3(rdata: bytes) -> Nsec3:
    """RFC 5155 3.2; raises ValueError (or IndexError) when malformed."""
    algorithm, flags, iterations, salt_length = _NSEC3_HEAD.unpack_from(rdata)
    at = 5 + salt_length
    salt = rdata[5:at]
    hash_length = rdata[at]
    nxt = rdata[at + 1 : at + 1 + hash_length]
    if len(salt) != salt_length or len(nxt) != hash_length:
        raise ValueError("truncated NSEC3")
    types = bitmap_types(rdata[at + 1 + hash_length :])
    return Nsec3(algorithm, flags, iterations, salt, nxt, types)


def nsec3_params(rdata: bytes) -> tuple[int, int, int, bytes]:
    """(algorithm, flags, iterations, salt) of NSEC3PARAM RDATA (RFC 5155 4.2)."""
    algorithm, flags, iterations, salt_length = _NSEC3_HEAD.unpack_from(rdata)
    return algorithm, flags, iterations, rdata[5 : 5 + salt_length]


def type_text(rdtype: int) -> str:
    """The mnemonic of a type number (``A``, ``TYPE65534``)."""
    return dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype))


__all__ = [
    "Nsec",
    "Nsec3",
    "ancestors",
    "b32",
    "bitmap_types",
    "canonical",
    "canonical_key",
    "from_b32",
    "is_subdomain",
    "labels",
    "nsec3_hash",
    "nsec3_params",
    "parent",
    "parse_nsec",
    "parse_nsec3",
    "rrset_from_wire",
    "to_text",
    "type_text",
]
