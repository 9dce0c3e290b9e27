"""Rollovers in progress, recognised from one snapshot of each zone (RFC 6781 4.1,
RFC 7583, RFC 6840 5.11): which keys are published (at every server), which sign the
DNSKEY RRset and which the data, which the parent's DS and the zone's CDS name.

A legitimate stage is named with its next step and the earliest time that step is
safe (from the TTLs seen: the DNSKEY TTL before a new key is used or its DS submitted,
the DS TTL before the old KSK goes, the data's TTL before old signatures go); a step
taken too early is named as such (model/rollover.py's premature stages), and the
diagnosis builds its cause on it.  Pure: what the walk collected and a time in, a list
of :class:`~dnssec_doctor.model.rollover.Rollover` out.

A snapshot does not say which of two keys is the new one. The CDS (RFC 7344) says it
for a KSK, the algorithms' age (``validate.algorithms.algorithm_generation``) for an
algorithm rollover; for two ZSKs nothing does, and the stage says both readings.
"""

from __future__ import annotations

import dns.name

from dnssec_doctor.analyze.rollover_premature import (
    ds_before_dnskey,
    removed_before_ds,
    unpublished_signers,
)
from dnssec_doctor.analyze.rollover_snapshot import Key, Snapshot, snapshot
from dnssec_doctor.analyze.rollover_stages import algorithm, sep_keys, zsk
from dnssec_doctor.model.analysis import ZoneResult
from dnssec_doctor.model.collection import Collection
from dnssec_doctor.model.rollover import Rollover, RolloverKind

__all__ = ["Key", "Snapshot", "recognise", "recognise_zone", "snapshot"]


def recognise(
    collection: Collection, zones: dict[dns.name.Name, ZoneResult], at: int
) -> list[Rollover]:
    """Every rollover in progress along the chain, top zone first."""
    out: list[Rollover] = []
    for name, cut in collection.zones.items():
        result = zones.get(name)
        if result is None or result.inherited:
            continue
        snap = snapshot(cut, collection, result)
        if snap is not None:
            out += recognise_zone(snap, at)
    return out


def recognise_zone(snap: Snapshot, at: int) -> list[Rollover]:
    """The rollovers one snapshot shows: an algorithm rollover alone (its keys would
    look like a KSK and a ZSK rollover too), else KSK/CSK and ZSK, each with any step
    taken too early."""
    premature = unpublished_signers(snap) + ds_before_dnskey(snap) + removed_before_ds(snap)
    found_algorithm = algorithm(snap, at)
    if found_algorithm is not None:
        return [*premature, found_algorithm]
    sep = None if any(r.kind is not RolloverKind.ZSK for r in premature) else sep_keys(snap, at)
    found = [r for r in (sep, zsk(snap, at)) if r is not None]
    return [*premature, *found]
