"""Which data of a zone is authoritative, which is glue, which is occluded.

RFC 4035 2.2: every authoritative RRset is signed; NS at a delegation point and glue
are not, the DS there is.  Names below a zone cut (or a DNAME, RFC 6672 2.3) are not
the zone's: address records there are glue, anything else is occluded.  The denial
chains (RFC 4035 2.3, RFC 5155 7.1) cover the authoritative names and the cuts.

:class:`ZoneShape` is built one node at a time (:meth:`ZoneShape.classify`), so a zone
streamed in file order is never held whole.  That needs a cut (or DNAME) to come
before the names below it; when one does not, :class:`~nodes.Unordered` is raised and
the caller feeds the nodes again in canonical order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from dnssec_doctor.zonefile.nodes import RRSIG, Node, Unordered
from dnssec_doctor.zonefile.wire import ancestors, canonical_key, is_subdomain, type_text

_A, _NS, _NSEC, _DS, _AAAA, _DNAME, _NSEC3 = 1, 2, 47, 43, 28, 39, 50
_ADDRESS = frozenset({_A, _AAAA})
#: What is authoritative at a delegation point (RFC 4035 2.2, 2.3).
_AT_CUT = frozenset({_DS, _NSEC})
_NSEC3_ONLY = frozenset({_NSEC3})
#: Occluded RRsets named in the report (the first in canonical order).
OCCLUDED_SAMPLE = 10


class Role(Enum):
    """What a node is to the zone."""

    OUTSIDE = "outside"  # not below the origin: ignored (as dnspython does)
    AUTHORITATIVE = "authoritative"
    CUT = "cut"
    NSEC3 = "nsec3"  # holds only NSEC3 (and its RRSIGs)
    BELOW_CUT = "below-cut"  # glue or occluded
    BELOW_DNAME = "below-dname"  # occluded
    SIGNATURES_ONLY = "signatures-only"  # only RRSIGs: reported by the signature checks


@dataclass(slots=True)
class Placement:
    """One node sorted: which of its types must be signed, must not be, are occluded."""

    role: Role
    signed: list[int] = field(default_factory=list)
    unsigned: list[int] = field(default_factory=list)
    occluded: list[int] = field(default_factory=list)


@dataclass(slots=True)
class ZoneShape:
    """The zone's names sorted into what must be signed and chained, and what not.

    ``types``: per authoritative name (cuts included), the types present there
    that a denial bitmap describes (RRSIG, NSEC, NSEC3 excluded; callers add them).
    ``signed_names``: names with any RRSIG (a bitmap lists RRSIG there).
    ``cuts``: delegation points; ``secure_cuts``: those with a DS.
    ``nsec`` / ``nsec3``: the RDATA of every NSEC / NSEC3 RRset, by owner.
    ``occluded_count``/``occluded_sample``: how many RRsets are occluded, and some
    (owner, type) of them (at least the first :data:`OCCLUDED_SAMPLE` in canonical order).
    """

    origin: bytes
    types: dict[bytes, frozenset[int]] = field(default_factory=dict)
    signed_names: set[bytes] = field(default_factory=set)
    cuts: set[bytes] = field(default_factory=set)
    secure_cuts: set[bytes] = field(default_factory=set)
    dnames: set[bytes] = field(default_factory=set)
    nsec: dict[bytes, list[bytes]] = field(default_factory=dict)
    nsec3: dict[bytes, list[bytes]] = field(default_factory=dict)
    occluded_count: int = 0
    occluded_sample: list[tuple[bytes, int]] = field(default_factory=list)
    names: int = 0
    records: int = 0
    # every proper ancestor (below the origin) of every name seen: a cut that shows
    # up among them came after names below it
    _above: set[bytes] = field(default_factory=set)
    # ancestors of authoritative names: the empty non-terminals are those with no data
    _ent_candidates: set[bytes] = field(default_factory=set)
    _type_sets: dict[frozenset[int], frozenset[int]] = field(default_factory=dict)

    def _intern(self, types: frozenset[int]) -> frozenset[int]:
        # a million names share a handful of type sets: keep one object per set
        return self._type_sets.setdefault(types, types)

    def _enclosing(self, up: list[bytes]) -> Role | None:
        for name in up:
            if name in self.cuts:
                return Role.BELOW_CUT
            if name in self.dnames:
                return Role.BELOW_DNAME
        return None

    def classify(self, node: Node) -> Placement:
        """Place ``node``; raises :class:`Unordered` when a cut or DNAME turns out to
        be above a name placed before it."""
        owner, origin = node.owner, self.origin
        if not is_subdomain(owner, origin):
            return Placement(Role.OUTSIDE)
        self.names += 1
        self.records += node.record_count
        present = frozenset(t for (t, _c) in node.rrsets if t != RRSIG)
        if len(present) < len(node.rrsets):
            self.signed_names.add(owner)
        up = ancestors(owner, origin)
        is_cut = owner != origin and _NS in present
        if (is_cut or _DNAME in present) and owner in self._above:
            raise Unordered(owner)
        self._above.update(up)
        if _NSEC in present:
            self.nsec[owner] = node.rrsets[(_NSEC, 0)].rdatas
        below = self._enclosing(up)
        if _DNAME in present:
            self.dnames.add(owner)
        if below is not None:
            placed = Placement(below)
            for t in sorted(present):
                glue = below is Role.BELOW_CUT and t in _ADDRESS
                (placed.unsigned if glue else placed.occluded).append(t)
            self._note_occluded(owner, placed.occluded)
            return placed
        if not present:
            return Placement(Role.SIGNATURES_ONLY)
        if present == _NSEC3_ONLY:
            self.nsec3[owner] = node.rrsets[(_NSEC3, 0)].rdatas
            return Placement(Role.NSEC3, signed=[_NSEC3])
        self._ent_candidates.update(up)
        if is_cut:
            self.cuts.add(owner)
            if _DS in present:
                self.secure_cuts.add(owner)
            placed = Placement(Role.CUT)
            for t in sorted(present):
                if t in _AT_CUT:
                    placed.signed.append(t)
                elif t == _NS or t in _ADDRESS:
                    placed.unsigned.append(t)
                else:
                    placed.occluded.append(t)
            self._note_occluded(owner, placed.occluded)
            self.types[owner] = self._intern(frozenset(t for t in present if t in (_NS, _DS)))
            return placed
        self.types[owner] = self._intern(frozenset(t for t in present if t not in (_NSEC, _NSEC3)))
        return Placement(Role.AUTHORITATIVE, signed=sorted(present))

    def _note_occluded(self, owner: bytes, types: list[int]) -> None:
        # keep the first OCCLUDED_SAMPLE in canonical order, whatever the file order
        self.occluded_count += len(types)
        self.occluded_sample.extend((owner, t) for t in types)
        if len(self.occluded_sample) > 100 * OCCLUDED_SAMPLE:
            self.occluded_sample.sort(key=lambda nt: (canonical_key(nt[0]), nt[1]))
            del self.occluded_sample[OCCLUDED_SAMPLE:]

    @property
    def ents(self) -> set[bytes]:
        """Empty non-terminals between the apex and the authoritative names."""
        return {n for n in self._ent_candidates if n not in self.types}


__all__ = ["OCCLUDED_SAMPLE", "Placement", "Role", "ZoneShape", "type_text"]
