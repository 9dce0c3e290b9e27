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

from collections.abc import Callable
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
    """One node sorted: which of its types must be signed, must not be, are occluded.
    The lists may be shared between nodes: read them, never change them."""

    role: Role
    signed: list[int] = field(default_factory=list)
    unsigned: list[int] = field(default_factory=list)
    occluded: list[int] = field(default_factory=list)


#: Distinct node layouts remembered (a zone has a handful; a hostile one, more).
_MAX_LAYOUTS = 10_000


class _Layout:
    """What a node's set of RRset keys says about it, worked out once per distinct
    set (the names of a zone share a handful): the placement lists are shared,
    read-only, by every node with that layout."""

    __slots__ = (
        "authoritative_types",
        "cut_occluded",
        "cut_signed",
        "cut_types",
        "cut_unsigned",
        "glue",
        "has_dname",
        "has_ds",
        "has_ns",
        "has_nsec",
        "not_glue",
        "nsec3_only",
        "present",
        "signed_any",
        "sorted_present",
    )

    def __init__(
        self,
        keys: tuple[tuple[int, int], ...],
        intern: Callable[[frozenset[int]], frozenset[int]],
    ) -> None:
        present = frozenset(t for (t, _c) in keys if t != RRSIG)
        self.present = present
        self.sorted_present = sorted(present)
        self.signed_any = len(present) < len(keys)
        self.has_ns, self.has_ds = _NS in present, _DS in present
        self.has_dname, self.has_nsec = _DNAME in present, _NSEC in present
        self.nsec3_only = present == _NSEC3_ONLY
        self.glue = [t for t in self.sorted_present if t in _ADDRESS]
        self.not_glue = [t for t in self.sorted_present if t not in _ADDRESS]
        self.cut_signed = [t for t in self.sorted_present if t in _AT_CUT]
        self.cut_unsigned = [
            t for t in self.sorted_present if t not in _AT_CUT and (t == _NS or t in _ADDRESS)
        ]
        self.cut_occluded = [
            t for t in self.sorted_present if t not in _AT_CUT and t != _NS and t not in _ADDRESS
        ]
        self.cut_types = intern(frozenset(t for t in present if t in (_NS, _DS)))
        self.authoritative_types = intern(frozenset(t for t in present if t not in (_NSEC, _NSEC3)))


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
    # cuts and DNAMEs known before reading (cutscan): names below them are placed
    # right whatever the order; :meth:`confirm` checks each was found
    known_cuts: frozenset[bytes] = frozenset()
    known_dnames: frozenset[bytes] = frozenset()
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
    _layouts: dict[tuple[tuple[int, int], ...], _Layout] = field(default_factory=dict)

    def _intern(self, types: frozenset[int]) -> frozenset[int]:
        # a million names share a handful of type sets: keep one object per set
        return self._type_sets.setdefault(types, types)

    def _enclosing(self, up: list[bytes]) -> Role | None:
        for name in up:
            if name in self.cuts or name in self.known_cuts:
                return Role.BELOW_CUT
            if name in self.dnames or name in self.known_dnames:
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
        keys = tuple(node.rrsets)
        layout = self._layouts.get(keys)
        if layout is None:
            layout = _Layout(keys, self._intern)
            if len(self._layouts) < _MAX_LAYOUTS:
                self._layouts[keys] = layout
        if layout.signed_any:
            self.signed_names.add(owner)
        up = ancestors(owner, origin)
        is_cut = layout.has_ns and owner != origin
        if owner in self._above and (
            (is_cut and owner not in self.known_cuts)
            or (layout.has_dname and owner not in self.known_dnames)
        ):
            raise Unordered(owner)  # names below it were placed as if it were not there
        if up:
            self._above.update(up)
        if layout.has_nsec:
            self.nsec[owner] = node.rrsets[(_NSEC, 0)].rdatas
        enclosing = self.cuts or self.dnames or self.known_cuts or self.known_dnames
        below = self._enclosing(up) if up and enclosing else None
        if layout.has_dname:
            self.dnames.add(owner)
        if below is not None:
            if below is Role.BELOW_CUT:
                placed = Placement(below, unsigned=layout.glue, occluded=layout.not_glue)
            else:
                placed = Placement(below, occluded=layout.sorted_present)
            self._note_occluded(owner, placed.occluded)
            return placed
        if not layout.present:
            return Placement(Role.SIGNATURES_ONLY)
        if layout.nsec3_only:
            self.nsec3[owner] = node.rrsets[(_NSEC3, 0)].rdatas
            return Placement(Role.NSEC3, signed=layout.sorted_present)
        self._ent_candidates.update(up)
        if is_cut:
            self.cuts.add(owner)
            if layout.has_ds:
                self.secure_cuts.add(owner)
            self._note_occluded(owner, layout.cut_occluded)
            self.types[owner] = layout.cut_types
            return Placement(
                Role.CUT,
                signed=layout.cut_signed,
                unsigned=layout.cut_unsigned,
                occluded=layout.cut_occluded,
            )
        self.types[owner] = layout.authoritative_types
        return Placement(Role.AUTHORITATIVE, signed=layout.sorted_present)

    def confirm(self) -> None:
        """After the last name: every cut and DNAME known in advance was found as one
        (raises :class:`Unordered` if not: names may have been placed below a cut
        that is not there)."""
        missing = (self.known_cuts - self.cuts) | (self.known_dnames - self.dnames)
        if missing:
            raise Unordered(min(missing))

    def merge(self, later: ZoneShape) -> None:
        """Take in the shape of the names that come after ours in the file (read
        separately: ``parallel.py``).  Raises :class:`Unordered` when the two cannot
        have been placed as one stream would: a name of ``later`` below a cut or
        DNAME of ours, or a cut or DNAME of ``later`` above a name of ours (unless
        it was known in advance: both were read with the same ``known_cuts``)."""
        known = self.known_cuts | self.known_dnames  # placed right wherever they are
        ours, theirs = (self.cuts | self.dnames) - known, (later.cuts | later.dnames) - known
        if later._above & ours or theirs & self._above:
            raise Unordered(self.origin)
        self.types.update(later.types)
        self.signed_names |= later.signed_names
        self.cuts |= later.cuts
        self.secure_cuts |= later.secure_cuts
        self.dnames |= later.dnames
        self.nsec.update(later.nsec)
        self.nsec3.update(later.nsec3)
        self.occluded_count += later.occluded_count
        self._note_occluded_sample(later.occluded_sample)
        self.names += later.names
        self.records += later.records
        self._above |= later._above
        self._ent_candidates |= later._ent_candidates

    def _note_occluded(self, owner: bytes, types: list[int]) -> None:
        # keep the first OCCLUDED_SAMPLE in canonical order, whatever the file order
        self.occluded_count += len(types)
        self._note_occluded_sample([(owner, t) for t in types])

    def _note_occluded_sample(self, pairs: list[tuple[bytes, int]]) -> None:
        self.occluded_sample.extend(pairs)
        if len(self.occluded_sample) > 100 * OCCLUDED_SAMPLE:
            self.occluded_sample.sort(key=lambda nt: (canonical_key(nt[0]), nt[1]))
            del self.occluded_sample[OCCLUDED_SAMPLE:]

    def drop_names(self) -> None:
        """Forget what only the denial chain checks read per name (types, signed
        names, NSEC RDATA, empty non-terminal candidates): for a range of the
        byte-range read whose NSEC chain part is already made (``parallel.py``)."""
        self.types = {}
        self.signed_names = set()
        self.nsec = {}
        self._ent_candidates = set()

    @property
    def ents(self) -> set[bytes]:
        """Empty non-terminals between the apex and the authoritative names."""
        return {n for n in self._ent_candidates if n not in self.types}

    def open_ancestors(self) -> set[bytes]:
        """Ancestors of the names placed that are neither cuts or DNAMEs here nor known
        ones: where a cut found elsewhere (another byte range) would place them anew."""
        # by name, not by set union: the known sets may hold every cut of a big zone
        placed = (self.cuts, self.dnames, self.known_cuts, self.known_dnames)
        return {name for name in self._above if not any(name in s for s in placed)}


__all__ = ["OCCLUDED_SAMPLE", "Placement", "Role", "ZoneShape", "type_text"]
