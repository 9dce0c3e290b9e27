"""One signed zone and the lookup structures an authoritative server needs, computed once.

The index answers the questions the responder asks per query: is this name a delegation,
does it exist, which NSEC or NSEC3 record denies it. It reads the zone as it is: a lab zone
may be deliberately broken (a wrong NSEC next name, a missing NSEC3), and the index picks
records by position in canonical order, never by whether they prove anything.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import dns.dnssec
import dns.name
import dns.node
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.zone
from dns.rdtypes.ANY.NSEC3 import NSEC3
from dns.rdtypes.ANY.NSEC3PARAM import NSEC3PARAM

_RRSIG = dns.rdatatype.RRSIG
_NSEC3 = dns.rdatatype.NSEC3
_DENIAL_TYPES = frozenset({dns.rdatatype.NSEC, dns.rdatatype.NSEC3})

# NSEC3 hashes remembered per zone, forgotten all at once when full: a stream of random
# names must not grow memory without bound.
_MAX_NSEC3_HASH_CACHE = 4096


@dataclass(frozen=True)
class Nsec3Params:
    """How this zone hashes owner names (RFC 5155 section 4)."""

    algorithm: int
    iterations: int
    salt: bytes


def wildcard_of(name: dns.name.Name) -> dns.name.Name | None:
    """``*.name``, or None when that would be longer than a domain name may be."""
    try:
        return dns.name.Name((b"*", *name.labels))
    except dns.name.NameTooLong:
        return None


class ZoneIndex:
    """A zone plus its delegations, existing names and denial chains, in canonical order."""

    def __init__(self, zone: dns.zone.Zone) -> None:
        if zone.origin is None:
            raise ValueError("zone has no origin")
        origin = zone.origin
        self.zone = zone
        self.origin: dns.name.Name = origin
        self.rdclass: dns.rdataclass.RdataClass = zone.rdclass
        # Zones may have been loaded relativized; the responder works with absolute names.
        self._nodes: dict[dns.name.Name, dns.node.Node] = {
            name.derelativize(origin): node for name, node in zone.nodes.items() if len(node)
        }
        self._cuts = frozenset(
            name
            for name, node in self._nodes.items()
            if name != origin and node.get_rdataset(self.rdclass, dns.rdatatype.NS) is not None
        )
        self._existing = self._existing_names()
        self._nsec_owners = sorted(
            name for name, node in self._nodes.items() if self._has(node, dns.rdatatype.NSEC)
        )
        self._nsec3_chain = sorted(
            (name.labels[0].upper(), name)
            for name, node in self._nodes.items()
            if name != origin and self._has(node, _NSEC3)
        )
        self._nsec3_keys = [key for key, _ in self._nsec3_chain]
        self.nsec3_params = self._find_nsec3_params()
        self._hash_cache: dict[dns.name.Name, bytes | None] = {}

    # -- plain lookups ---------------------------------------------------------------------

    def rdataset(
        self,
        name: dns.name.Name,
        rdtype: dns.rdatatype.RdataType,
        covers: dns.rdatatype.RdataType = dns.rdatatype.NONE,
    ) -> dns.rdataset.Rdataset | None:
        node = self._nodes.get(name)
        if node is None:
            return None
        found = node.get_rdataset(self.rdclass, rdtype, covers)
        return found if found else None

    def rdatasets(self, name: dns.name.Name) -> list[dns.rdataset.Rdataset]:
        node = self._nodes.get(name)
        return [r for r in node.rdatasets if r] if node is not None else []

    def exists(self, name: dns.name.Name) -> bool:
        """True for owner names and empty non-terminals (RFC 4592 2.2.2)."""
        return name in self._existing

    @property
    def uses_nsec3(self) -> bool:
        return self.nsec3_params is not None

    def delegation_above(self, name: dns.name.Name, *, include_self: bool) -> dns.name.Name | None:
        """The highest zone cut on the way from the apex down to *name*, if any.

        A DS query at a cut is answered by the parent, so callers exclude *name* itself then.
        Names below a cut are occluded: whatever the zone holds there is only glue.
        """
        if not self._cuts or not name.is_subdomain(self.origin):
            return None
        depth = len(self.origin.labels)
        last = len(name.labels) if include_self else len(name.labels) - 1
        for labels in range(depth + 1, last + 1):
            candidate = name.split(labels)[1]
            if candidate in self._cuts:
                return candidate
        return None

    def closest_encloser(self, name: dns.name.Name) -> dns.name.Name:
        """The deepest existing ancestor of a name that does not exist (RFC 5155 1.3)."""
        candidate = name
        while candidate != self.origin and candidate.is_subdomain(self.origin):
            candidate = candidate.parent()
            if self.exists(candidate):
                return candidate
        return self.origin

    # -- NSEC ------------------------------------------------------------------------------

    def nsec_owner_for(self, name: dns.name.Name) -> dns.name.Name | None:
        """The NSEC owner equal to or canonically preceding *name*, wrapping to the last.

        Chosen by position only, so a broken chain is served as the zone holds it.
        """
        if not self._nsec_owners:
            return None
        position = bisect.bisect_right(self._nsec_owners, name) - 1
        return self._nsec_owners[position]  # -1 wraps around to the last owner

    # -- NSEC3 -----------------------------------------------------------------------------

    def nsec3_hash(self, name: dns.name.Name) -> bytes | None:
        """The base32hex hash label of *name* (upper case), None if it cannot be computed."""
        if name in self._hash_cache:
            return self._hash_cache[name]
        params = self.nsec3_params
        result: bytes | None = None
        if params is not None:
            try:
                text = dns.dnssec.nsec3_hash(name, params.salt, params.iterations, params.algorithm)
                result = text.upper().encode("ascii")
            except ValueError:
                result = None  # unknown hash algorithm: no proof can be chosen
        if len(self._hash_cache) >= _MAX_NSEC3_HASH_CACHE:
            self._hash_cache.clear()
        self._hash_cache[name] = result
        return result

    def nsec3_owner_matching(self, name: dns.name.Name) -> dns.name.Name | None:
        """The NSEC3 owner whose hash equals the hash of *name*."""
        digest = self.nsec3_hash(name)
        if digest is None:
            return None
        position = bisect.bisect_left(self._nsec3_keys, digest)
        if position < len(self._nsec3_keys) and self._nsec3_keys[position] == digest:
            return self._nsec3_chain[position][1]
        return None

    def nsec3_owner_for(self, name: dns.name.Name) -> dns.name.Name | None:
        """The NSEC3 owner with the greatest hash <= hash(name), wrapping to the last.

        Chosen by position only: it is what covers (or matches) the name in a sound chain.
        """
        digest = self.nsec3_hash(name)
        if digest is None or not self._nsec3_chain:
            return None
        position = bisect.bisect_right(self._nsec3_keys, digest) - 1
        return self._nsec3_chain[position][1]

    def closest_provable_encloser(self, name: dns.name.Name) -> dns.name.Name:
        """The nearest ancestor-or-self of *name* with a matching NSEC3 (RFC 5155 7.2.1).

        Falls back to the apex when nothing matches (a broken chain): the caller then serves
        whatever record precedes the apex hash.
        """
        candidate = name
        while candidate != self.origin and candidate.is_subdomain(self.origin):
            if self.nsec3_owner_matching(candidate) is not None:
                return candidate
            candidate = candidate.parent()
        return self.origin

    # -- construction helpers --------------------------------------------------------------

    def _has(self, node: dns.node.Node, rdtype: dns.rdatatype.RdataType) -> bool:
        return bool(node.get_rdataset(self.rdclass, rdtype))

    def _existing_names(self) -> frozenset[dns.name.Name]:
        """Owner names and their ancestors down to the apex; NSEC3-only owners are not names
        of the zone's tree (RFC 5155 7.2.8), so they do not make their hash labels exist."""
        existing: set[dns.name.Name] = {self.origin}
        for name, node in self._nodes.items():
            if not name.is_subdomain(self.origin) or self._only_nsec3(node):
                continue
            while name not in existing:
                existing.add(name)
                name = name.parent()
        return frozenset(existing)

    @staticmethod
    def _only_nsec3(node: dns.node.Node) -> bool:
        return all(r.rdtype == _NSEC3 or r.covers == _NSEC3 for r in node.rdatasets)

    def _find_nsec3_params(self) -> Nsec3Params | None:
        """From NSEC3PARAM at the apex; from an NSEC3 record when NSEC3PARAM is missing."""
        found = self.rdataset(self.origin, dns.rdatatype.NSEC3PARAM)
        for rdata in found or ():
            if isinstance(rdata, NSEC3PARAM):
                return Nsec3Params(rdata.algorithm, rdata.iterations, rdata.salt)
        for _, owner in self._nsec3_chain:
            for rdata in self.rdataset(owner, _NSEC3) or ():
                if isinstance(rdata, NSEC3):
                    return Nsec3Params(rdata.algorithm, rdata.iterations, rdata.salt)
        return None


def is_dnssec_type(rdtype: dns.rdatatype.RdataType) -> bool:
    """Types a server leaves out unless DO is set or they are asked for by name."""
    return rdtype == _RRSIG or rdtype in _DENIAL_TYPES
