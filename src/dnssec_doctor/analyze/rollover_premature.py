"""Rollover steps taken too early, whatever the kind (RFC 6781 4.1, RFC 7583 3): data
signed by a key not published, a DS switched before the new keys reached every server,
the old key removed before the parent published the new DS."""

from __future__ import annotations

from dnssec_doctor.analyze.rollover_snapshot import Key, Snapshot, label, labels, sorted_labels
from dnssec_doctor.model.rollover import Rollover, RolloverKind, Stage


def unpublished_signers(snap: Snapshot) -> list[Rollover]:
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
        zone, name = snap.zone.to_text(), label(key)
        idle = sorted(label(k) for k in snap.zsk - snap.data_signers)
        if covered_too[key]:
            out.append(
                Rollover(
                    zone, RolloverKind.ZSK, "pre-publish", Stage.ZSK_OLD_SIGNATURES_REMAIN,
                    f"key {name} is no longer published, but its signatures are still "
                    f"served beside those of a published key ({len(rrsets)} RRset(s))",
                    "nothing urgent: stop serving key "
                    f"{name}'s signatures at the next re-signing",
                    None, old_keys=(name,),
                )
            )  # fmt: skip
            continue
        other = f"; the published ZSK {', '.join(idle)} signs nothing" if idle else ""
        out.append(
            Rollover(
                zone, RolloverKind.ZSK, "pre-publish", Stage.PREMATURE_UNPUBLISHED_SIGNER,
                f"{len(rrsets)} RRset(s) (first: {sorted(rrsets)[0]}) are signed only by key "
                f"{name}, which is not in the DNSKEY RRset{other}",
                f"publish DNSKEY {name} again (it restores every signature at once) and keep "
                f"it until no RRset is signed by it any more, plus the largest TTL "
                f"({snap.data_ttl} s)",
                None, new_keys=tuple(idle), old_keys=(name,),
                step_too_early=(
                    f"signing with key {name} before publishing it (pre-publish skipped), "
                    f"or removing key {name} while its signatures are still served"
                ),
                rrsets=tuple(sorted(rrsets)),
            )
        )  # fmt: skip
    return out


def ds_before_dnskey(snap: Snapshot) -> list[Rollover]:
    """The DS names only keys some server does not publish yet: the DS was switched
    before the new DNSKEY RRset reached every server (RFC 7583 3.3.2)."""
    if not snap.ds or len(snap.at_server) < 2:
        return []
    behind = sorted(s for s, keys in snap.at_server.items() if not keys & snap.ds)
    ahead = [s for s, keys in snap.at_server.items() if keys & snap.ds]
    if not behind or not ahead:
        return []
    named = sorted(label(k) for k in snap.ds)
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


def removed_before_ds(snap: Snapshot) -> list[Rollover]:
    """The DS names no published key, and the key that signs the DNSKEY RRset is the one
    the zone's CDS names: the new KSK (or CSK) is in, the old one was removed before the
    parent published the new DS (RFC 6781 4.1.2)."""
    published = {k for k in snap.ds if k in snap.keys}
    signers = {k for k in snap.dnskey_signers if k in snap.keys}
    signers = (signers & snap.sep) or signers
    if not snap.ds or published or not signers & snap.cds:
        return []
    new = sorted_labels(signers & snap.cds)
    kind = RolloverKind.CSK if signers & snap.data_signers else RolloverKind.KSK
    return [
        Rollover(
            snap.zone.to_text(), kind, "double-KSK", Stage.PREMATURE_KEY_REMOVED_BEFORE_DS,
            f"the new key {', '.join(new)} signs the DNSKEY RRset and its CDS is published; "
            f"the DS still names {labels(snap.ds)}, which is no longer published",
            f"submit the DS of {', '.join(new)} to the parent now (or publish the old key "
            "again and sign the DNSKEY RRset with it until the parent has the new DS)",
            None, old_keys=sorted_labels(snap.ds), new_keys=new,
            step_too_early="removing the old key before the parent published the new key's DS",
        )
    ]  # fmt: skip
