"""The legitimate stages of KSK/CSK, ZSK and algorithm rollovers (RFC 6781 4.1.1,
4.1.2, 4.1.4; RFC 7583 3), and the algorithm rollover's premature steps (a DS, or keys,
before the signatures), each with its next step and the time it is safe from."""

from __future__ import annotations

from dnssec_doctor.analyze.rollover_snapshot import Snapshot, labels, of_algorithm, sorted_labels
from dnssec_doctor.model.rollover import Rollover, RolloverKind, Stage
from dnssec_doctor.validate.algorithms import (
    algorithm_generation,
    algorithm_name,
    is_validated_algorithm,
)

# --- KSK / CSK -----------------------------------------------------------------------------


def sep_keys(snap: Snapshot, at: int) -> Rollover | None:
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
        which = f"the outgoing {word} ({labels(old)})" if old else f"the outgoing {word}"
        return Rollover(
            zone, kind, "double-DS or double-RRset", Stage.KEY_DOUBLE_DS,
            f"two {word}s ({labels(signing)}) are published and sign the DNSKEY RRset, "
            "and the parent has the DS of both",
            f"remove the DS of {which} at the parent, then the key itself from the DNSKEY "
            "RRset",
            at + max(snap.ds_ttl, snap.dnskey_ttl), sorted_labels(old), sorted_labels(new),
        )  # fmt: skip
    if out_ds and new_by_cds and new_by_cds <= out_ds:
        return Rollover(
            zone, kind, "double-KSK", Stage.KEY_NEW_PUBLISHED,
            f"new {word} {labels(out_ds)} is published and signing (its CDS is published); "
            f"the DS names the old {word} {labels(in_ds)}",
            f"submit the DS of {word} {labels(out_ds)} to the parent (replacing "
            f"{labels(in_ds)}'s)",
            at + snap.dnskey_ttl, sorted_labels(in_ds), sorted_labels(out_ds),
        )  # fmt: skip
    if new_by_cds and new_by_cds <= in_ds:
        return Rollover(
            zone, kind, "double-KSK", Stage.KEY_DS_SWITCHED,
            f"the DS (and the CDS) name the new {word} {labels(in_ds)}; the old {word} "
            f"{labels(out_ds)} is still published and signing",
            f"remove {word} {labels(out_ds)} from the DNSKEY RRset and stop signing with it",
            at + snap.ds_ttl, sorted_labels(out_ds), sorted_labels(in_ds),
        )  # fmt: skip
    return Rollover(
        zone, kind, "double-KSK", Stage.KEY_TWO_SIGNING,
        f"two {word}s sign the DNSKEY RRset; the DS names {labels(in_ds)}, not "
        f"{labels(out_ds)} (no CDS says which is new)",
        f"if {labels(out_ds)} is the new {word}: submit its DS (one DNSKEY TTL, "
        f"{snap.dnskey_ttl} s, after it reached every server); if it is the old one: remove "
        f"it from the DNSKEY RRset (one DS TTL, {snap.ds_ttl} s, after the DS changed)",
        at + max(snap.dnskey_ttl, snap.ds_ttl),
    )  # fmt: skip


# --- ZSK -------------------------------------------------------------------------------------


def zsk(snap: Snapshot, at: int) -> Rollover | None:
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
            f"two ZSKs ({labels(signing)}) are published and both sign the data",
            "stop signing with the outgoing ZSK and remove it from the DNSKEY RRset, once "
            f"the DNSKEY RRset ({snap.dnskey_ttl} s) and the signed data (largest TTL seen "
            f"{snap.data_ttl} s) have expired from caches",
            at + max(snap.dnskey_ttl, snap.data_ttl),
        )  # fmt: skip
    if signing and idle:
        return Rollover(
            zone, RolloverKind.ZSK, "pre-publish", Stage.ZSK_PUBLISHED_NOT_SIGNING,
            f"ZSK {labels(idle)} is published and signs nothing; ZSK {labels(signing)} signs "
            "the data",
            f"if {labels(idle)} is the new ZSK: sign with it instead of {labels(signing)} "
            f"(one DNSKEY TTL, {snap.dnskey_ttl} s, after it reached every server); if it is "
            f"the old one: remove it (the largest TTL seen, {snap.data_ttl} s, after it "
            "stopped signing)",
            at + max(snap.dnskey_ttl, snap.data_ttl), new_keys=sorted_labels(idle),
            old_keys=sorted_labels(signing),
        )  # fmt: skip
    return None


# --- algorithm -------------------------------------------------------------------------------


def algorithm(snap: Snapshot, at: int) -> Rollover | None:
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
    olds, news = of_algorithm(snap.keys, old), of_algorithm(snap.keys, new)
    dnskey_algs = {a for a, _ in snap.dnskey_signers}
    lacking = _lacking(snap, key_algs)
    if new not in key_algs:
        return Rollover(
            zone, RolloverKind.ALGORITHM, "conservative", Stage.ALGORITHM_NEW_SIGNATURES,
            f"the data is signed with {names[1]} too, whose keys are not published yet",
            f"publish the {names[1]} DNSKEYs (KSK and ZSK) once the new signatures are in "
            f"every cache: the largest TTL seen ({snap.data_ttl} s)",
            at + snap.data_ttl, sorted_labels(olds), (),
        )  # fmt: skip
    if old not in key_algs:
        return Rollover(
            zone, RolloverKind.ALGORITHM, "conservative", Stage.ALGORITHM_OLD_SIGNATURES_REMAIN,
            f"the {names[0]} keys are gone; the data still carries {names[0]} signatures",
            f"stop signing with {names[0]} once the DNSKEY RRset without its keys is in every "
            f"cache ({snap.dnskey_ttl} s)",
            at + snap.dnskey_ttl, (), sorted_labels(news),
        )  # fmt: skip
    keys = (sorted_labels(olds), sorted_labels(news))
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
