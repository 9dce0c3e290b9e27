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

from collections.abc import Iterable
from typing import NamedTuple

import dns.name
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.DS import DS
from dns.rdtypes.ANY.RRSIG import RRSIG
from dns.rdtypes.dsbase import DSBase

from dnssec_doctor.analyze import messages as M
from dnssec_doctor.model.analysis import ZoneResult
from dnssec_doctor.model.collection import Collection, Reply, ZoneCut
from dnssec_doctor.model.rollover import Rollover, RolloverKind, Stage
from dnssec_doctor.validate.algorithms import (
    algorithm_generation,
    algorithm_name,
    is_validated_algorithm,
    is_validated_digest,
)
from dnssec_doctor.validate.records import key_tag

T = dns.rdatatype.RdataType
SEP = 0x0001  # DNSKEY flags: secure entry point (RFC 4034 2.1.1)
ZONE = 0x0100
REVOKE = 0x0080
KEY_RRSETS = (T.DNSKEY, T.CDS, T.CDNSKEY)  # signed by the KSKs (RFC 7344 4.1)

Key = tuple[int, int]  # (algorithm, key tag)


class Snapshot(NamedTuple):
    """What every server of one zone shows of its keys and signatures."""

    zone: dns.name.Name
    keys: dict[Key, DNSKEY]  # zone keys, not revoked, published at some server
    at_server: dict[str, set[Key]]  # each answering server's published keys
    dnskey_signers: set[Key]  # keys named by an RRSIG over the DNSKEY RRset
    data: dict[str, set[Key]]  # "owner TYPE" -> keys named by its RRSIGs (the zone's data)
    ds: set[Key]  # the parent's DS records of algorithms and digests validators use
    cds: set[Key]  # the zone's CDS records
    dnskey_ttl: int
    ds_ttl: int
    data_ttl: int

    @property
    def sep(self) -> set[Key]:
        return {k for k, key in self.keys.items() if key.flags & SEP}

    @property
    def zsk(self) -> set[Key]:
        return {k for k, key in self.keys.items() if not key.flags & SEP}

    @property
    def data_signers(self) -> set[Key]:
        return set().union(*self.data.values()) if self.data else set()


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


def snapshot(cut: ZoneCut, collection: Collection, result: ZoneResult) -> Snapshot | None:
    """The zone's keys and signers as its servers serve them (None: no DNSKEY seen)."""
    keys: dict[Key, DNSKEY] = {}
    at_server: dict[str, set[Key]] = {}
    dnskey_signers: set[Key] = set()
    dnskey_ttl = 0
    for server, reply in cut.dnskey.items():
        rrset = M.answer_rrset(reply, cut.name, T.DNSKEY)
        if rrset is None or reply.message is None:
            continue
        dnskey_ttl = max(dnskey_ttl, rrset.ttl)
        published = {_key(k): k for k in rrset if isinstance(k, DNSKEY) and _usable(k)}
        keys.update(published)
        at_server[server] = set(published)
        dnskey_signers |= _signers(M.signatures(reply.message.answer, rrset), cut.name)
    if not keys:
        return None
    data: dict[str, set[Key]] = {}
    ttls = [0]
    for reply in _data_replies(cut, collection):
        for rrsig_set in _rrsigs(reply):
            if rrsig_set.covers in KEY_RRSETS:
                continue
            signers = _signers(rrsig_set, cut.name)
            if signers:
                what = f"{rrsig_set.name} {T(rrsig_set.covers).name}"
                data.setdefault(what, set()).update(signers)
                ttls += [s.original_ttl for s in rrsig_set if isinstance(s, RRSIG)]
    ds_rrset = result.ds
    ds = {
        (int(d.algorithm), d.key_tag)
        for d in ds_rrset or []
        if isinstance(d, DS)
        and is_validated_algorithm(d.algorithm)
        and is_validated_digest(d.digest_type)
    }
    cds: set[Key] = set()
    for reply in cut.cds.values():
        records = M.answer_rrset(reply, cut.name, T.CDS)
        cds |= {(int(d.algorithm), d.key_tag) for d in records or [] if isinstance(d, DSBase)}
    return Snapshot(
        zone=cut.name,
        keys=keys,
        at_server=at_server,
        dnskey_signers=dnskey_signers,
        data=data,
        ds=ds,
        cds=cds,
        dnskey_ttl=dnskey_ttl,
        ds_ttl=ds_rrset.ttl if ds_rrset is not None else 0,
        data_ttl=max(ttls),
    )


def recognise_zone(snap: Snapshot, at: int) -> list[Rollover]:
    """The rollovers one snapshot shows: an algorithm rollover alone (its keys would
    look like a KSK and a ZSK rollover too), else KSK/CSK and ZSK, each with any step
    taken too early."""
    premature = _unpublished_signers(snap) + _ds_before_dnskey(snap) + _removed_before_ds(snap)
    algorithm = _algorithm(snap, at)
    if algorithm is not None:
        return [*premature, algorithm]
    sep = None if any(r.kind is not RolloverKind.ZSK for r in premature) else _sep_keys(snap, at)
    found = [r for r in (sep, _zsk(snap, at)) if r is not None]
    return [*premature, *found]


# --- premature steps, whatever the kind --------------------------------------------------


def _unpublished_signers(snap: Snapshot) -> list[Rollover]:
    """Data signed by a key of a published algorithm that is not published: the new ZSK
    used before it was published, or the old one removed while its signatures are
    still served (and cached). Harmless where a published key signs the RRset too."""
    algorithms = {a for a, _ in snap.keys}
    missing: dict[Key, list[str]] = {}
    covered_too: dict[Key, bool] = {}
    for what, signers in snap.data.items():
        absent = {k for k in signers if k not in snap.keys and k[0] in algorithms}
        for key in absent:
            missing.setdefault(key, []).append(what)
            published = any(k in snap.keys for k in signers)
            covered_too[key] = covered_too.get(key, True) and published
    out = []
    for key, rrsets in sorted(missing.items()):
        zone, label = snap.zone.to_text(), _label(key)
        idle = sorted(_label(k) for k in snap.zsk - snap.data_signers)
        if covered_too[key]:
            out.append(
                Rollover(
                    zone, RolloverKind.ZSK, "pre-publish", Stage.ZSK_OLD_SIGNATURES_REMAIN,
                    f"key {label} is no longer published, but its signatures are still "
                    f"served beside those of a published key ({len(rrsets)} RRset(s))",
                    "nothing urgent: stop serving key "
                    f"{label}'s signatures at the next re-signing",
                    None, old_keys=(label,),
                )
            )  # fmt: skip
            continue
        other = f"; the published ZSK {', '.join(idle)} signs nothing" if idle else ""
        out.append(
            Rollover(
                zone, RolloverKind.ZSK, "pre-publish", Stage.PREMATURE_UNPUBLISHED_SIGNER,
                f"{len(rrsets)} RRset(s) (first: {sorted(rrsets)[0]}) are signed only by key "
                f"{label}, which is not in the DNSKEY RRset{other}",
                f"publish DNSKEY {label} again (it restores every signature at once) and keep "
                f"it until no RRset is signed by it any more, plus the largest TTL "
                f"({snap.data_ttl} s)",
                None, new_keys=tuple(idle), old_keys=(label,),
                step_too_early=(
                    f"signing with key {label} before publishing it (pre-publish skipped), "
                    f"or removing key {label} while its signatures are still served"
                ),
                rrsets=tuple(sorted(rrsets)),
            )
        )  # fmt: skip
    return out


def _ds_before_dnskey(snap: Snapshot) -> list[Rollover]:
    """The DS names only keys some server does not publish yet: the DS was switched
    before the new DNSKEY RRset reached every server (RFC 7583 3.3.2)."""
    if not snap.ds or len(snap.at_server) < 2:
        return []
    behind = sorted(s for s, keys in snap.at_server.items() if not keys & snap.ds)
    ahead = [s for s, keys in snap.at_server.items() if keys & snap.ds]
    if not behind or not ahead:
        return []
    named = sorted(_label(k) for k in snap.ds)
    kind = RolloverKind.CSK if snap.ds & snap.data_signers else RolloverKind.KSK
    return [
        Rollover(
            snap.zone.to_text(), kind, "double-KSK", Stage.PREMATURE_DS_BEFORE_DNSKEY,
            f"the DS names key {', '.join(named)}, which the server(s) {', '.join(behind)} "
            "do not publish: resolvers that ask there fail",
            "bring every server up to date (zone transfers: the serial must reach all of "
            f"them); if that cannot happen within the DS TTL ({snap.ds_ttl} s), put the old "
            "key's DS back beside the new one at the parent",
            None, new_keys=tuple(named),
            step_too_early="submitting the new key's DS before the new DNSKEY RRset was "
            "published at every server",
            servers=tuple(behind),
        )
    ]  # fmt: skip


def _removed_before_ds(snap: Snapshot) -> list[Rollover]:
    """The DS names no published key, and the key that signs the DNSKEY RRset is the one
    the zone's CDS names: the new KSK (or CSK) is in, the old one was removed before the
    parent published the new DS (RFC 6781 4.1.2)."""
    published = {k for k in snap.ds if k in snap.keys}
    signers = {k for k in snap.dnskey_signers if k in snap.keys}
    signers = (signers & snap.sep) or signers
    if not snap.ds or published or not signers & snap.cds:
        return []
    new = _sorted(signers & snap.cds)
    kind = RolloverKind.CSK if signers & snap.data_signers else RolloverKind.KSK
    return [
        Rollover(
            snap.zone.to_text(), kind, "double-KSK", Stage.PREMATURE_KEY_REMOVED_BEFORE_DS,
            f"the new key {', '.join(new)} signs the DNSKEY RRset and its CDS is published; "
            f"the DS still names {_labels(snap.ds)}, which is no longer published",
            f"submit the DS of {', '.join(new)} to the parent now (or publish the old key "
            "again and sign the DNSKEY RRset with it until the parent has the new DS)",
            None, old_keys=_sorted(snap.ds), new_keys=new,
            step_too_early="removing the old key before the parent published the new key's DS",
        )
    ]  # fmt: skip


# --- KSK / CSK -----------------------------------------------------------------------------


def _sep_keys(snap: Snapshot, at: int) -> Rollover | None:
    """Two SEP keys both signing the DNSKEY RRset: double-KSK, double-DS or double-RRset
    (RFC 6781 4.1.2), a CSK rollover when no separate ZSK signs the data."""
    signing = snap.sep & snap.dnskey_signers
    if len(signing) < 2:
        return None
    csk = not (snap.zsk & snap.data_signers) and bool(signing & snap.data_signers)
    kind = RolloverKind.CSK if csk else RolloverKind.KSK
    word = "CSK" if csk else "KSK"
    in_ds, out_ds = signing & snap.ds, signing - snap.ds
    zone = snap.zone.to_text()
    if not in_ds:
        return None  # the chain does not hold: the diagnosis names it
    new_by_cds = signing & snap.cds
    if len(in_ds) >= 2:
        new = new_by_cds if new_by_cds and new_by_cds != in_ds else set()
        old = in_ds - new if new else set()
        which = f"the outgoing {word} ({_labels(old)})" if old else f"the outgoing {word}"
        return Rollover(
            zone, kind, "double-DS or double-RRset", Stage.KEY_DOUBLE_DS,
            f"two {word}s ({_labels(signing)}) are published and sign the DNSKEY RRset, "
            "and the parent has the DS of both",
            f"remove the DS of {which} at the parent, then the key itself from the DNSKEY "
            "RRset",
            at + max(snap.ds_ttl, snap.dnskey_ttl), _sorted(old), _sorted(new),
        )  # fmt: skip
    if out_ds and new_by_cds and new_by_cds <= out_ds:
        return Rollover(
            zone, kind, "double-KSK", Stage.KEY_NEW_PUBLISHED,
            f"new {word} {_labels(out_ds)} is published and signing (its CDS is published); "
            f"the DS names the old {word} {_labels(in_ds)}",
            f"submit the DS of {word} {_labels(out_ds)} to the parent (replacing "
            f"{_labels(in_ds)}'s)",
            at + snap.dnskey_ttl, _sorted(in_ds), _sorted(out_ds),
        )  # fmt: skip
    if new_by_cds and new_by_cds <= in_ds:
        return Rollover(
            zone, kind, "double-KSK", Stage.KEY_DS_SWITCHED,
            f"the DS (and the CDS) name the new {word} {_labels(in_ds)}; the old {word} "
            f"{_labels(out_ds)} is still published and signing",
            f"remove {word} {_labels(out_ds)} from the DNSKEY RRset and stop signing with it",
            at + snap.ds_ttl, _sorted(out_ds), _sorted(in_ds),
        )  # fmt: skip
    return Rollover(
        zone, kind, "double-KSK", Stage.KEY_TWO_SIGNING,
        f"two {word}s sign the DNSKEY RRset; the DS names {_labels(in_ds)}, not "
        f"{_labels(out_ds)} (no CDS says which is new)",
        f"if {_labels(out_ds)} is the new {word}: submit its DS (one DNSKEY TTL, "
        f"{snap.dnskey_ttl} s, after it reached every server); if it is the old one: remove "
        f"it from the DNSKEY RRset (one DS TTL, {snap.ds_ttl} s, after the DS changed)",
        at + max(snap.dnskey_ttl, snap.ds_ttl),
    )  # fmt: skip


# --- ZSK -------------------------------------------------------------------------------------


def _zsk(snap: Snapshot, at: int) -> Rollover | None:
    """Two ZSKs published: pre-publish (one signs, one waits) or double-signature
    (RFC 6781 4.1.1)."""
    zsks = snap.zsk
    if len(zsks) < 2:
        return None
    signing, idle = zsks & snap.data_signers, zsks - snap.data_signers
    zone = snap.zone.to_text()
    if len(signing) >= 2:
        return Rollover(
            zone, RolloverKind.ZSK, "double-signature", Stage.ZSK_DOUBLE_SIGNATURE,
            f"two ZSKs ({_labels(signing)}) are published and both sign the data",
            "stop signing with the outgoing ZSK and remove it from the DNSKEY RRset, once "
            f"the DNSKEY RRset ({snap.dnskey_ttl} s) and the signed data (largest TTL seen "
            f"{snap.data_ttl} s) have expired from caches",
            at + max(snap.dnskey_ttl, snap.data_ttl),
        )  # fmt: skip
    if signing and idle:
        return Rollover(
            zone, RolloverKind.ZSK, "pre-publish", Stage.ZSK_PUBLISHED_NOT_SIGNING,
            f"ZSK {_labels(idle)} is published and signs nothing; ZSK {_labels(signing)} signs "
            "the data",
            f"if {_labels(idle)} is the new ZSK: sign with it instead of {_labels(signing)} "
            f"(one DNSKEY TTL, {snap.dnskey_ttl} s, after it reached every server); if it is "
            f"the old one: remove it (the largest TTL seen, {snap.data_ttl} s, after it "
            "stopped signing)",
            at + max(snap.dnskey_ttl, snap.data_ttl), new_keys=_sorted(idle),
            old_keys=_sorted(signing),
        )  # fmt: skip
    return None


# --- algorithm -------------------------------------------------------------------------------


def _algorithm(snap: Snapshot, at: int) -> Rollover | None:
    """Keys or signatures of two algorithms (RFC 6781 4.1.4): new RRSIGs, then the new
    DNSKEYs, then the new DS, then the old DNSKEYs go, then the old RRSIGs."""
    key_algs = {a for a, _ in snap.keys if is_validated_algorithm(a)}
    sig_algs = {a for a, _ in snap.data_signers if is_validated_algorithm(a)}
    algs = key_algs | sig_algs
    if len(algs) < 2:
        return None
    ds_algs = _ds_algorithms(snap)
    # older first; of the same age, the one the DS names was there first
    ordered = sorted(algs, key=lambda a: (algorithm_generation(a), a not in ds_algs))
    old, new = ordered[0], ordered[-1]
    zone, names = snap.zone.to_text(), (algorithm_name(old), algorithm_name(new))
    olds, news = _of(snap.keys, old), _of(snap.keys, new)
    dnskey_algs = {a for a, _ in snap.dnskey_signers}
    lacking = _lacking(snap, key_algs)
    if new not in key_algs:
        return Rollover(
            zone, RolloverKind.ALGORITHM, "conservative", Stage.ALGORITHM_NEW_SIGNATURES,
            f"the data is signed with {names[1]} too, whose keys are not published yet",
            f"publish the {names[1]} DNSKEYs (KSK and ZSK) once the new signatures are in "
            f"every cache: the largest TTL seen ({snap.data_ttl} s)",
            at + snap.data_ttl, _sorted(olds), (),
        )  # fmt: skip
    if old not in key_algs:
        return Rollover(
            zone, RolloverKind.ALGORITHM, "conservative", Stage.ALGORITHM_OLD_SIGNATURES_REMAIN,
            f"the {names[0]} keys are gone; the data still carries {names[0]} signatures",
            f"stop signing with {names[0]} once the DNSKEY RRset without its keys is in every "
            f"cache ({snap.dnskey_ttl} s)",
            at + snap.dnskey_ttl, (), _sorted(news),
        )  # fmt: skip
    keys = (_sorted(olds), _sorted(news))
    if new in ds_algs and new not in dnskey_algs:
        back = "" if old in ds_algs else f" and put the {names[0]} KSK's DS back"
        return Rollover(
            zone, RolloverKind.ALGORITHM, "conservative or liberal", Stage.PREMATURE_ALGORITHM_DS,
            f"the parent's DS names the {names[1]} KSK, but no {names[1]} key signs the "
            "DNSKEY RRset",
            f"remove the {names[1]} DS at the parent{back}; submit it again only when the "
            f"zone is signed with {names[1]} throughout",
            None, *keys,
            step_too_early=f"submitting the {names[1]} DS before the zone was signed with "
            f"{names[1]} (its DNSKEY RRset first of all)",
        )  # fmt: skip
    if lacking:
        first = sorted(lacking)[0]
        return Rollover(
            zone, RolloverKind.ALGORITHM, "conservative or liberal",
            Stage.PREMATURE_ALGORITHM_KEYS,
            f"{len(lacking)} RRset(s) lack a signature of an algorithm of the DNSKEY RRset "
            f"(first: {first} has no {', '.join(lacking[first])}); validators accept this "
            "(RFC 6840 5.11), RFC 4035 2.2 does not",
            f"sign every RRset with {names[1]} as well as {names[0]}, then go on with the "
            "rollover",
            None, *keys,
            step_too_early=f"publishing the {names[1]} DNSKEYs before the zone was signed with "
            f"{names[1]}",
            rrsets=tuple(f"{what}: no {', '.join(algs)}" for what, algs in sorted(lacking.items())),
        )  # fmt: skip
    if ds_algs <= {old}:
        return Rollover(
            zone, RolloverKind.ALGORITHM, "conservative or liberal", Stage.ALGORITHM_NEW_KEYS,
            f"{names[1]} keys are published and everything is signed with both algorithms; "
            f"the DS names {names[0]}",
            f"replace the DS at the parent with the {names[1]} KSK's DS, once the new DNSKEY "
            f"RRset ({snap.dnskey_ttl} s) and signatures ({snap.data_ttl} s) are in every cache",
            at + max(snap.dnskey_ttl, snap.data_ttl), *keys,
        )  # fmt: skip
    if old in ds_algs:
        return Rollover(
            zone, RolloverKind.ALGORITHM, "conservative or liberal", Stage.ALGORITHM_DOUBLE_DS,
            "both algorithms are published and signing, and the parent has a DS of each",
            f"remove the {names[0]} DS at the parent, then (one DS TTL, {snap.ds_ttl} s, "
            f"later) the {names[0]} DNSKEYs",
            at + snap.ds_ttl, *keys,
        )  # fmt: skip
    return Rollover(
        zone, RolloverKind.ALGORITHM, "conservative or liberal", Stage.ALGORITHM_DS_SWITCHED,
        f"the DS names {names[1]}; the {names[0]} keys are still published and signing",
        f"remove the {names[0]} DNSKEYs once the old DS has left every cache (the DS TTL, "
        f"{snap.ds_ttl} s); keep the {names[0]} signatures one DNSKEY TTL "
        f"({snap.dnskey_ttl} s) longer",
        at + snap.ds_ttl, *keys,
    )  # fmt: skip


def _ds_algorithms(snap: Snapshot) -> set[int]:
    return {a for a, _ in snap.ds}


def _lacking(snap: Snapshot, algorithms: set[int]) -> dict[str, list[str]]:
    """RRsets (the DNSKEY RRset too) without a signature of some algorithm of the DNSKEY
    RRset (RFC 4035 2.2): "owner TYPE" -> the algorithms' names."""
    signed = {f"{snap.zone} DNSKEY": snap.dnskey_signers, **snap.data}
    out = {}
    for what, signers in signed.items():
        missing = algorithms - {a for a, _ in signers}
        if missing:
            out[what] = [algorithm_name(a) for a in sorted(missing)]
    return out


# --- helpers ---------------------------------------------------------------------------------


def _key(key: DNSKEY) -> Key:
    return int(key.algorithm), key_tag(key)


def _usable(key: DNSKEY) -> bool:
    return bool(key.flags & ZONE) and not key.flags & REVOKE and key.protocol == 3


def _signers(rrsigs: dns.rrset.RRset | None, zone: dns.name.Name) -> set[Key]:
    return {
        (int(s.algorithm), s.key_tag)
        for s in rrsigs or []
        if isinstance(s, RRSIG) and s.signer == zone
    }


def _rrsigs(reply: Reply) -> Iterable[dns.rrset.RRset]:
    if reply.message is None:
        return []
    sections = (reply.message.answer, reply.message.authority)
    return [r for section in sections for r in section if r.rdtype == T.RRSIG]


def _data_replies(cut: ZoneCut, collection: Collection) -> list[Reply]:
    """The replies that carry the zone's own signed data: its SOA and NS, and the
    answers from it."""
    replies = [*cut.soa.values(), *cut.ns.values()]
    for answer in collection.answers:
        if answer.zone == cut.name:
            replies += answer.replies.values()
    return [r for r in replies if M.answered(r)]


def _of(keys: dict[Key, DNSKEY], algorithm: int) -> set[Key]:
    return {k for k in keys if k[0] == algorithm}


def _label(key: Key) -> str:
    return f"{key[1]}/{algorithm_name(key[0])}"


def _sorted(keys: set[Key]) -> tuple[str, ...]:
    return tuple(_label(k) for k in sorted(keys, key=lambda k: (k[1], k[0])))


def _labels(keys: set[Key]) -> str:
    return ", ".join(_sorted(keys))
