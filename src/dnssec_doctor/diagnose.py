"""From findings to the cause a person acts on, with fix steps made from the evidence."""

from __future__ import annotations

from datetime import UTC, datetime

import dns.name
import dns.rdatatype
import dns.rrset

from dnssec_doctor.analyze import messages as M
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.analysis import Analysis, Status, ZoneResult
from dnssec_doctor.model.causes import Cause
from dnssec_doctor.model.collection import Collection, Reply
from dnssec_doctor.model.diagnosis import Diagnosis, FixStep
from dnssec_doctor.model.rollover import Rollover, Stage
from dnssec_doctor.validate.algorithms import (
    SigningAdvice,
    algorithm_name,
    is_validated_algorithm,
    is_validated_digest,
    signing_advice,
)
from dnssec_doctor.validate.ds import DsStatus, PublishableDs, ds_for_publication
from dnssec_doctor.validate.limits import MAX_NSEC3_ITERATIONS

T = dns.rdatatype.RdataType
SEP_FLAG = 0x0001  # DNSKEY flags bit 15, the secure entry point (RFC 4034 2.1.1)

# zone-link codes → cause, most specific first
_LINK_CAUSES: tuple[tuple[F.FindingCode, Cause], ...] = (
    (F.TRUST_ANCHOR_MISMATCH, Cause.TRUST_ANCHOR_MISMATCH),
    (F.DS_FOR_UNSIGNED_ZONE, Cause.DS_FOR_UNSIGNED_ZONE),
    (F.DNSKEY_MISSING, Cause.DNSKEY_MISSING),
    (F.DNSKEY_NOT_SIGNED_BY_DS_KEY, Cause.DNSKEY_NOT_SIGNED_BY_KSK),
    (F.DS_DIGEST_MISMATCH, Cause.DS_DIGEST_MISMATCH),
    (F.DS_ALGORITHM_MISMATCH, Cause.DS_ALGORITHM_MISMATCH),
    (F.RRSIG_NOT_YET_VALID, Cause.RRSIG_NOT_YET_VALID),
    (F.RRSIG_BAD_SIGNATURE, Cause.RRSIG_BAD_SIGNATURE),
    (F.RRSIG_MISSING, Cause.RRSIG_MISSING),
    (F.NSEC_PROOF_BROKEN, Cause.NSEC_PROOF_BROKEN),
    (F.NSEC3_PROOF_BROKEN, Cause.NSEC3_PROOF_BROKEN),
)
_ANSWER_CAUSES: tuple[tuple[F.FindingCode, Cause], ...] = (
    (F.RRSIG_NO_MATCHING_KEY, Cause.ZSK_ROLLOVER_INCOMPLETE),
    (F.RRSIG_MISSING, Cause.RRSIG_MISSING),
    (F.RRSIG_EXPIRED, Cause.RRSIG_EXPIRED),
    (F.RRSIG_NOT_YET_VALID, Cause.RRSIG_NOT_YET_VALID),
    (F.RRSIG_BAD_SIGNATURE, Cause.RRSIG_BAD_SIGNATURE),
    (F.NSEC_PROOF_BROKEN, Cause.NSEC_PROOF_BROKEN),
    (F.NSEC3_PROOF_BROKEN, Cause.NSEC3_PROOF_BROKEN),
)


def diagnose(analysis: Analysis, collection: Collection) -> Diagnosis:
    if analysis.verdict in (Status.BOGUS, Status.INDETERMINATE):
        return _broken(analysis, collection)
    warnings = _warning_causes(analysis)
    if analysis.verdict is Status.INSECURE:
        diagnosis = _insecure(analysis, collection)
    elif warnings:
        diagnosis = _warning_diagnosis(warnings[0], analysis, collection)
        warnings = warnings[1:]
    else:
        name = collection.evidence.query.name
        diagnosis = Diagnosis(Cause.OK, None, f"The chain of trust holds: {name} is secure.")
    diagnosis.also = [w for w in warnings if w is not diagnosis.cause]
    return diagnosis


# --- bogus ------------------------------------------------------------------------------


def _broken(analysis: Analysis, collection: Collection) -> Diagnosis:
    failing = next(
        (a for a in analysis.answers if a.status in (Status.BOGUS, Status.INDETERMINATE)), None
    )
    zone = analysis.break_at
    limits = collection.limits_hit
    if limits and (failing is None or failing.status is Status.INDETERMINATE):
        return Diagnosis(
            Cause.CHECK_LIMITED,
            None,
            f"Cannot decide: the check hit {', '.join(limits)} (docs/limits.md); what it did"
            " not see could hold a failure.",
            steps=[
                FixStep(
                    "Look at the walk's problem lines: servers or referrals built to cost"
                    " work (hostile or broken) are the cause; fix or remove them and check"
                    " again."
                )
            ],
        )
    if failing is None or zone is None:
        return _undecided(analysis, collection, _deepest_zone(collection), None)
    result = analysis.zones.get(zone)
    if analysis.verdict is Status.INDETERMINATE:
        reason = result.reason if result is not None else failing.reason
        return _undecided(analysis, collection, zone, reason)
    if result is not None and not result.inherited and result.status is Status.BOGUS:
        cause = _link_cause(result, analysis, collection)
        reason = result.reason
    else:
        cause = _first(failing.codes, _ANSWER_CAUSES) or Cause.RRSIG_BAD_SIGNATURE
        reason = failing.reason
    diagnosis = _with_fix(cause, zone, reason, analysis, collection)
    top = collection.answers[0].zone if collection.answers else zone
    if cause is Cause.TRUST_ANCHOR_MISMATCH:
        return diagnosis  # the local anchor: never sent to the anchored zone's operator
    if failing is not analysis.answers[0]:
        diagnosis = _wrap(
            Cause.CNAME_TARGET_BOGUS,
            diagnosis,
            f"{collection.evidence.query.name} is a CNAME into {zone}, which is bogus",
        )
    elif zone != top and top.is_subdomain(zone):
        diagnosis = _wrap(
            Cause.PARENT_ZONE_BROKEN,
            diagnosis,
            f"{top} itself is fine, but its ancestor {zone} is bogus",
        )
    return diagnosis


# --- undecidable (issue 12 class 7): a cause that says why, never OK ---------------------


def _deepest_zone(collection: Collection) -> dns.name.Name | None:
    """The zone the walk got furthest to on the way to the name (where it stopped)."""
    qname = collection.evidence.query.qname
    above = [z for z in collection.zones if qname.is_subdomain(z)]
    return max(above, key=lambda z: len(z.labels), default=None)


def _server_states(collection: Collection, zone: dns.name.Name) -> tuple[list[str], list[str]]:
    """The zone's servers that never replied, and those that replied but never with an
    authoritative answer (REFUSED, SERVFAIL, no AA: lame), over everything asked of them."""
    replies: dict[str, list[Reply]] = {}
    cut = collection.zones.get(zone)
    tables = [cut.dnskey, cut.soa, cut.ns] if cut is not None else []
    tables += [a.replies for a in collection.answers if a.zone == zone]
    for table in tables:
        for server, reply in table.items():
            replies.setdefault(server, []).append(reply)
    silent = sorted(s for s, rs in replies.items() if all(r.message is None for r in rs))
    lame = sorted(
        s for s, rs in replies.items() if s not in silent and not any(M.answered(r) for r in rs)
    )
    usable = [s for s in replies if s not in silent and s not in lame]
    return (silent, lame) if not usable else ([], [])


def _labelled(collection: Collection, zone: dns.name.Name, servers: list[str]) -> list[str]:
    """Each address with the NS host names the zone cut knows it by (issue 12 class 11)."""
    cut = collection.zones.get(zone)
    known = cut.addresses if cut is not None else {}
    out = []
    for server in servers:
        names = ", ".join(n.to_text() for n in known.get(server, []))
        out.append(f"{server} ({names})" if names else server)
    return out


def _undecided(
    analysis: Analysis, collection: Collection, zone: dns.name.Name | None, reason: str | None
) -> Diagnosis:
    """No verdict: all the zone's servers silent, all lame, a mix of both, or (nothing of
    that kind to blame) no verdict with the reason the analysis gave."""
    name = collection.evidence.query.name
    where = zone.to_text() if zone is not None else None
    silent, lame = _server_states(collection, zone) if zone is not None else ([], [])
    if zone is not None:
        silent, lame = _labelled(collection, zone, silent), _labelled(collection, zone, lame)
    again = "then check again."
    if silent and not lame:
        return Diagnosis(
            Cause.ALL_NAMESERVERS_SILENT,
            where,
            f"Cannot decide: no nameserver of {where} answered ({', '.join(silent)}).",
            steps=[
                FixStep(
                    f"Make {where}'s nameservers answer (are they running, reachable, is a "
                    f"firewall dropping DNS?), {again}"
                ),
                FixStep(f"If they are meant to be gone, fix the NS set of {where} at the parent."),
            ],
        )
    if lame:
        cause = Cause.ALL_NAMESERVERS_LAME if not silent else Cause.NO_NAMESERVER_USABLE
        quiet = f"; silent: {', '.join(silent)}" if silent else ""
        return Diagnosis(
            cause,
            where,
            f"Cannot decide: no nameserver of {where} answered with authority (lame: "
            f"{', '.join(lame)}{quiet}).",
            steps=[
                FixStep(
                    f"Configure {where} on its nameservers ({', '.join(lame)} refuse it or "
                    f"answer without authority), or point the delegation at servers that "
                    f"serve it; {again}"
                ),
            ],
        )
    because = reason or f"no answer for {name} was collected"
    return Diagnosis(
        Cause.NO_VERDICT,
        where,
        f"Cannot decide: {because}.",
        steps=[FixStep(f"Look at the walk's problem lines and the servers' replies; {again}")],
    )


def _wrap(cause: Cause, inner: Diagnosis, why: str) -> Diagnosis:
    step = FixStep(f"Tell the operator of {inner.zone}: {why}. Nothing in your own zone fixes it.")
    return Diagnosis(
        cause,
        inner.zone,
        f"{why}: {inner.headline}",
        inner.cause,
        [step, *inner.steps],
        inner.ds_to_publish,
    )


def _first(
    codes: list[F.FindingCode], table: tuple[tuple[F.FindingCode, Cause], ...]
) -> Cause | None:
    for code, cause in table:
        if code in codes:
            return cause
    return None


def _rollover(analysis: Analysis, zone: dns.name.Name, stage: Stage) -> Rollover | None:
    """The rollover of *zone* at *stage* the analysis recognised (analyze/rollover.py)."""
    return next(
        (r for r in analysis.rollovers if r.zone == zone.to_text() and r.stage is stage), None
    )


def _link_cause(result: ZoneResult, analysis: Analysis, collection: Collection) -> Cause:
    codes = result.codes
    if F.RRSIG_EXPIRED in codes:
        return Cause.RRSIG_EXPIRED if result.data_expired else Cause.DNSKEY_RRSIG_EXPIRED
    if _rollover(analysis, result.zone, Stage.PREMATURE_ALGORITHM_DS) is not None:
        return Cause.ALGORITHM_ROLLOVER_DS_TOO_EARLY  # not the keys: the DS came too soon
    cause = _first(codes, _LINK_CAUSES)
    if cause is not None:
        return cause
    if F.DS_NO_KEY_WITH_TAG in codes:
        rekey = _cds_names_a_published_key(result, collection)
        if not any(k.flags & SEP_FLAG for k in result.signing_keys):
            # no KSK signs the DNSKEY RRset: a key without the SEP flag that the zone
            # names with CDS is a CSK it rolled to (RFC 7344); else the DS's key vanished
            if rekey and result.signing_keys:
                return Cause.KSK_ROLLOVER_INCOMPLETE
            return Cause.KSK_REMOVED_NO_SUCCESSOR
        return Cause.KSK_ROLLOVER_INCOMPLETE if rekey else Cause.DS_STALE_AFTER_REKEY
    return Cause.DS_DIGEST_MISMATCH


def _cds_names_a_published_key(result: ZoneResult, collection: Collection) -> bool:
    """The zone signals a new KSK with CDS (RFC 7344): evidence of a rollover in progress."""
    cut = collection.zones[result.zone]
    tags = set()
    for reply in cut.dnskey.values():
        keys = M.answer_rrset(reply, result.zone, T.DNSKEY)
        tags |= {k.key_id() for k in keys or []}
    for reply in cut.cds.values():
        cds = M.answer_rrset(reply, result.zone, T.CDS)
        if cds is not None and any(record.key_tag in tags for record in cds):
            return True
    return False


# --- fix steps ------------------------------------------------------------------------


def _publishable(analysis: Analysis, zone: dns.name.Name) -> list[PublishableDs]:
    """The DS records to publish for *zone*: one per key the analysis found signing its
    DNSKEY RRset, of an algorithm validators implement."""
    result = analysis.zones.get(zone)
    out = []
    for key in result.signing_keys if result is not None else ():
        if is_validated_algorithm(key.algorithm):
            out.append(ds_for_publication(zone, key))
    return out


def _ds_step(zone: dns.name.Name, ds: list[PublishableDs], parent: str) -> FixStep:
    if not ds:
        return FixStep(
            f"No key of {zone} signs its DNSKEY RRset validly: fix the signing first, "
            "then publish the DS of the key that signs it."
        )
    lines: list[str] = []
    for item in ds:
        fields = item.registrar_fields()
        lines.append("  ".join(f"{k}: {v}" for k, v in fields.items()))
        lines.append(item.presentation)
    return FixStep(
        f"At the registrar of {zone} (the parent is {parent}), replace the DS records "
        f"with exactly these ({len(ds)}):",
        tuple(lines),
    )


def _emergency(result: ZoneResult | None, zone: dns.name.Name, at: int) -> FixStep:
    if result is not None and result.anchored:
        return FixStep(
            f"{zone} is a trust anchor: validators trust it directly, there is no DS to remove. "
            "Fix its signatures; for a private anchor, validators can drop the anchor."
        )
    ttl = result.ds.ttl if result is not None and result.ds is not None else None
    # the order matters (keep signing until the DS is gone from caches): the plan has it
    plan = (
        f"The ordered plan, with its times and the way back: dnssec-doctor ds disable-plan {zone}",
    )
    if ttl is None:
        return FixStep(
            f"Emergency: remove every DS record for {zone} at the registrar; the zone "
            "becomes insecure (not bogus) once validators no longer see the DS.",
            plan,
        )
    by = datetime.fromtimestamp(at + ttl, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return FixStep(
        f"Emergency: remove every DS record for {zone} at the registrar. The zone then "
        f"becomes insecure instead of bogus once the parent publishes the change and cached "
        f"DS records expire: the DS TTL is {ttl} s, so about {by} plus the parent's "
        "publication delay if removed now.",
        plan,
    )


def _with_fix(
    cause: Cause, zone: dns.name.Name, reason: str, analysis: Analysis, collection: Collection
) -> Diagnosis:
    at = analysis.at
    result = analysis.zones.get(zone)
    parent = (
        str(result.parent) if result is not None and result.parent is not None else "the parent"
    )
    headline = f"{_TITLES[cause]} at {zone}: {reason}."
    diagnosis = Diagnosis(cause, zone.to_text(), headline)
    ds_causes = (
        Cause.DS_DIGEST_MISMATCH,
        Cause.DS_STALE_AFTER_REKEY,
        Cause.DS_ALGORITHM_MISMATCH,
        Cause.KSK_ROLLOVER_INCOMPLETE,
        Cause.ALGORITHM_ROLLOVER_DS_TOO_EARLY,
    )
    if cause in ds_causes:
        diagnosis.ds_to_publish = _publishable(analysis, zone)
        if cause is Cause.KSK_ROLLOVER_INCOMPLETE:
            diagnosis.steps += _rollover_incomplete_steps(result)
        if cause is Cause.ALGORITHM_ROLLOVER_DS_TOO_EARLY:
            early = _rollover(analysis, zone, Stage.PREMATURE_ALGORITHM_DS)
            assert early is not None  # _link_cause chose the cause from it
            diagnosis.steps.append(
                FixStep(
                    f"Algorithm rollover step taken too early: {early.step_too_early}. The keys "
                    "are not the problem (no private key to look for): put back the DS of the "
                    f"key that signs the DNSKEY RRset now, and submit the new DS only once {zone} "
                    "is signed with the new algorithm throughout (RFC 6781 4.1.4)."
                )
            )
        diagnosis.steps.append(_ds_step(zone, diagnosis.ds_to_publish, parent))
        diagnosis.steps.append(_emergency(result, zone, at))
    elif cause is Cause.DS_FOR_UNSIGNED_ZONE:
        diagnosis.steps += [
            FixStep(
                f"Either sign {zone} again with the key the DS names, or remove the DS at the "
                f"registrar of {zone} (parent {parent}) if the zone is meant to be unsigned."
            ),
            _emergency(result, zone, at),
        ]
    elif cause is Cause.DNSKEY_MISSING:
        tags = ", ".join(
            str(j.ds.key_tag)
            for j in (result.ds_judgments if result else [])
            if j.status is DsStatus.NO_KEY_WITH_TAG
        )
        diagnosis.steps += [
            FixStep(
                f"Publish the DNSKEY {tags} again in {zone}'s DNSKEY RRset: it still signs the "
                "RRset but was removed from it (a key deleted too early)."
            ),
            _emergency(result, zone, at),
        ]
    elif cause is Cause.KSK_REMOVED_NO_SUCCESSOR:
        diagnosis.steps += _removed_ksk_steps(result, zone, parent)
        diagnosis.steps.append(_emergency(result, zone, at))
    elif cause is Cause.TRUST_ANCHOR_MISMATCH:
        diagnosis.steps += _anchor_steps(result, zone)
    elif cause is Cause.DNSKEY_NOT_SIGNED_BY_KSK:
        diagnosis.steps += [
            FixStep(
                f"Sign {zone}'s DNSKEY RRset with the KSK the DS names (the signer used only the "
                "ZSK: check the KSK's private key is available to it)."
            ),
            _emergency(result, zone, at),
        ]
    elif cause in (Cause.RRSIG_EXPIRED, Cause.DNSKEY_RRSIG_EXPIRED, Cause.RRSIG_NOT_YET_VALID):
        diagnosis.steps += _resign_steps(cause, zone)
        diagnosis.steps.append(_emergency(result, zone, at))
    elif cause is Cause.ZSK_ROLLOVER_INCOMPLETE:
        early = _rollover(analysis, zone, Stage.PREMATURE_UNPUBLISHED_SIGNER)
        key = f"ZSK {early.old_keys[0]}" if early is not None else "that ZSK"
        diagnosis.steps += [
            FixStep(
                f"ZSK rollover step skipped: {zone}'s data is signed by a key that is not in "
                f"its DNSKEY RRset ({key}): the new ZSK signed before it was published (the "
                "pre-publish step skipped), or the old one was removed while its signatures "
                f"are still served. Publish {key} in the DNSKEY RRset again, or re-sign the "
                "data with a published ZSK."
            ),
            _emergency(result, zone, at),
        ]
    else:
        diagnosis.steps += [
            FixStep(
                f"Re-sign {zone} completely (signatures and NSEC/NSEC3 chain) and check the "
                "signed zone before publishing it (dnssec-verify, kzonecheck)."
            ),
            _emergency(result, zone, at),
        ]
    return diagnosis


def _rollover_incomplete_steps(result: ZoneResult | None) -> list[FixStep]:
    steps = [
        FixStep(
            "KSK rollover step skipped: the new KSK's DS was never published at the parent "
            "before the old KSK was removed (the zone announces it with CDS/CDNSKEY)."
        )
    ]
    plain = [k for k in (result.signing_keys if result else []) if not k.flags & SEP_FLAG]
    if plain:
        tags = ", ".join(str(k.key_id()) for k in plain)
        steps.append(
            FixStep(
                f"The new key {tags} is a CSK without the SEP flag (flags {plain[0].flags}): "
                "validators do not mind (RFC 4034 2.1.2), so its DS below fixes the chain, but "
                "registrars' tools and CDS scanners look for flags 257: give the next key "
                "the SEP flag."
            )
        )
    return steps


def _ds_tags(result: ZoneResult | None, status: DsStatus) -> str:
    tags = sorted(
        {j.ds.key_tag for j in (result.ds_judgments if result else []) if j.status is status}
    )
    return ", ".join(str(t) for t in tags) or "?"


def _removed_ksk_steps(
    result: ZoneResult | None, zone: dns.name.Name, parent: str
) -> list[FixStep]:
    """The KSK the DS names is gone and no KSK replaced it: restore it, or make a new one."""
    tags = _ds_tags(result, DsStatus.NO_KEY_WITH_TAG)
    signers = [k for k in (result.signing_keys if result else [])]
    signed_by = (
        "it is signed only by key(s) without the SEP flag ("
        + ", ".join(str(k.key_id()) for k in signers)
        + ")"
        if signers
        else "no key of the set signs it"
    )
    steps = [
        FixStep(
            f"Not a re-key: the KSK {tags} that the DS at {parent} names was removed from "
            f"{zone}'s DNSKEY RRset and no other KSK took its place ({signed_by}). Changing "
            "the DS now would not help: there is no KSK to point it at."
        ),
        FixStep(
            f"If the private key of KSK {tags} still exists (the signer's key directory, an "
            "HSM, a backup), publish that DNSKEY again and sign the DNSKEY RRset with it: the "
            "DS at the parent matches again, nothing changes at the registrar."
        ),
        FixStep(
            f"Otherwise generate a new KSK for {zone}, sign the DNSKEY RRset with it, check "
            f"again, and replace the DS at the registrar of {zone} (the parent is {parent}) "
            "with the DS this check then prints for the new key."
        ),
    ]
    return steps


def _anchor_steps(result: ZoneResult | None, zone: dns.name.Name) -> list[FixStep]:
    """The operator's own trust anchor is old or wrong: update it, not the zone."""
    current = []
    for key in result.signing_keys if result else []:
        if is_validated_algorithm(key.algorithm):
            current.append(ds_for_publication(zone, key).presentation)
    where = (
        "the root zone's operator publishes the current anchor at "
        "https://data.iana.org/root-anchors/root-anchors.xml (RFC 7958); unbound-anchor "
        "fetches and checks it"
        if zone == dns.name.root
        else f"take {zone}'s current key from its operator over a channel you trust"
    )
    steps = [
        FixStep(
            f"Nothing is wrong with {zone} as served: the trust anchor given to this check "
            f"(--trust-anchor) matches no key that signs {zone}'s DNSKEY RRset. The anchor is "
            "old (from before a KSK rollover) or wrong: the fix is local, neither the parent "
            "nor the zone's operator can make it."
        ),
        FixStep(
            f"Update the local trust anchor file: {where}. Compare it with the key(s) that "
            f"sign {zone}'s DNSKEY RRset now (do not take these from the network on trust):",
            tuple(current),
        ),
        FixStep(
            "Then keep it current: validators that follow RFC 5011 (Unbound "
            "auto-trust-anchor-file, BIND trust-anchors initial-key/initial-ds) roll the "
            "anchor themselves; a static anchor file does not."
        ),
    ]
    return steps


def _resign_steps(cause: Cause, zone: dns.name.Name) -> list[FixStep]:
    if cause is Cause.RRSIG_NOT_YET_VALID:
        return [
            FixStep(
                f"Signatures of {zone} start in the future: check the signer's clock (NTP), "
                "then re-sign with an inception in the past (an hour back is common)."
            )
        ]
    what = "its DNSKEY RRset with the KSK" if cause is Cause.DNSKEY_RRSIG_EXPIRED else "the zone"
    return [
        FixStep(
            f"Re-sign {what} of {zone} now; validators accept the zone again as soon as the new "
            "signatures are served (cached failures clear within minutes)."
        ),
        FixStep(
            "Then find why automatic re-signing stopped (signer daemon, cron job, key files, "
            "zone transfer to the servers) and watch expiry: dnssec-doctor check warns days "
            "ahead (--warn-days)."
        ),
    ]


# --- secure or insecure with warnings ----------------------------------------------------


def _warning_causes(analysis: Analysis) -> list[Cause]:
    codes = {f.code for f in analysis.findings}
    causes = []
    if F.ROLLOVER_STEP_TOO_EARLY in codes:
        causes.append(Cause.ROLLOVER_STEP_TOO_EARLY)  # what made a server's copy fail
    if F.SERVER_BOGUS in codes:
        causes.append(Cause.NAMESERVER_STALE_COPY)
    if F.SERVER_UNREACHABLE in codes:
        causes.append(Cause.NAMESERVER_SILENT)
    if F.RRSIG_VALIDITY_TOO_SHORT in codes:
        causes.append(Cause.RRSIG_VALIDITY_TOO_SHORT)  # why they expire soon, then
    if F.RRSIG_EXPIRING_SOON in codes:
        causes.append(Cause.RRSIG_EXPIRING_SOON)  # more urgent than what caches keep
    causes += [c for code, c in _TIMING_CAUSES.items() if code in codes and c not in causes]
    causes += [cause for code, cause in _HYGIENE_CAUSES.items() if code in codes]
    return causes


def _warning_diagnosis(cause: Cause, analysis: Analysis, collection: Collection) -> Diagnosis:
    if cause in _HYGIENE_CAUSES.values():
        return _hygiene_diagnosis(cause, analysis)
    if cause is Cause.ROLLOVER_STEP_TOO_EARLY:
        return _early_step_diagnosis(analysis)
    if cause in (*_TIMING_CAUSES.values(), Cause.RRSIG_VALIDITY_TOO_SHORT):
        return _timing_diagnosis(cause, analysis)
    code: F.FindingCode = {
        Cause.NAMESERVER_STALE_COPY: F.SERVER_BOGUS,
        Cause.NAMESERVER_SILENT: F.SERVER_UNREACHABLE,
        Cause.RRSIG_EXPIRING_SOON: F.RRSIG_EXPIRING_SOON,
    }[cause]
    finding = next(f for f in analysis.findings if f.code == code)
    headline = f"Secure today, but {_TITLES[cause].lower()} at {finding.zone}: {finding.message}."
    diagnosis = Diagnosis(cause, finding.zone, headline)
    servers = ", ".join(finding.labelled_servers())  # address (NS name): issue 12 class 11
    if cause is Cause.NAMESERVER_STALE_COPY:
        diagnosis.steps.append(
            FixStep(
                f"Fix zone transfers to {servers} (NOTIFY, IXFR/AXFR: its serial is behind) or "
                "take it out of the NS set; resolvers that ask it first may fail."
            )
        )
    elif cause is Cause.NAMESERVER_SILENT:
        diagnosis.steps.append(
            FixStep(
                f"Bring {servers} back, or remove it from the NS set in the zone and at the "
                "parent; every resolver that tries it first waits for a timeout."
            )
        )
    else:
        expiry = analysis.earliest_expiration.get(dns.name.from_text(finding.zone))
        when = datetime.fromtimestamp(expiry, UTC).strftime("%Y-%m-%d %H:%M UTC") if expiry else "?"
        diagnosis.steps.append(
            FixStep(
                f"Re-sign {finding.zone} before {when}, and check why signatures were not "
                "refreshed earlier (signers usually re-sign a week or more ahead)."
            )
        )
    return diagnosis


# --- rollovers, signature timing, NSEC3 parameters (issue 12, classes 1, 4, 5) -------------

_TIMING_CAUSES: dict[F.FindingCode, Cause] = {
    F.TTL_BEYOND_EXPIRATION: Cause.TTL_BEYOND_VALIDITY,
    F.RRSIG_INCEPTION_TOO_RECENT: Cause.RRSIG_INCEPTION_TOO_RECENT,
    F.NSEC3_ITERATIONS: Cause.NSEC3_EXTRA_ITERATIONS,
}
_TIMING_CODES = {**{c: code for code, c in _TIMING_CAUSES.items()},
                 Cause.RRSIG_VALIDITY_TOO_SHORT: F.RRSIG_VALIDITY_TOO_SHORT}  # fmt: skip


def _early_step_diagnosis(analysis: Analysis) -> Diagnosis:
    """A rollover step taken before the one it depends on, which validation survives for
    now (a retrying resolver, lenient validators): name the step and the way back."""
    early = next(r for r in analysis.rollovers if not r.legitimate)
    kind = early.kind.value.upper()
    headline = (
        f"Secure today, but a {kind} rollover step was taken too early at {early.zone}: "
        f"{early.step_too_early}."
    )
    diagnosis = Diagnosis(Cause.ROLLOVER_STEP_TOO_EARLY, early.zone, headline)
    diagnosis.steps += [
        FixStep(f"What the servers show: {early.summary}."),
        FixStep(f"The way back: {early.next_step}."),
        FixStep(
            "Then go on with the rollover in its order (RFC 6781 4.1, RFC 7583), each step "
            "only once the one before it has reached every server and its TTL has passed: "
            "dnssec-doctor check names the stage and the time of the next step."
        ),
    ]
    return diagnosis


def _timing_diagnosis(cause: Cause, analysis: Analysis) -> Diagnosis:
    """Secure signatures whose timing is a risk (class 5), or extra NSEC3 iterations
    (class 4): the finding's numbers, then the signer settings that fix it."""
    finding = next(f for f in analysis.findings if f.code == _TIMING_CODES[cause])
    zone = finding.zone
    title = _TITLES[cause]
    headline = f"Secure today, but {title[0].lower()}{title[1:]} at {zone}: {finding.message}."
    diagnosis = Diagnosis(cause, zone, headline)
    diagnosis.steps += _TIMING_STEPS[cause](zone)
    return diagnosis


def _ttl_steps(zone: str) -> list[FixStep]:
    return [
        FixStep(
            f"Re-sign {zone} sooner: refresh every signature at least one TTL before it "
            "expires, so that no cached copy outlives its signatures (RFC 6781 4.4.2): BIND "
            "dnssec-policy signatures-refresh, Knot rrsig-refresh, or a longer validity "
            "(dnssec-signzone -e)."
        ),
        FixStep(
            "Or lower the TTL of the RRsets named (the DNSKEY RRset too) below the validity "
            "left. Validators cap a TTL at the signatures' expiration (RFC 4035 5.3.3); "
            "caches that do not validate keep the data for the whole TTL."
        ),
    ]


def _window_steps(zone: str) -> list[FixStep]:
    return [
        FixStep(
            f"Lengthen the validity of {zone}'s signatures to several times the largest TTL "
            "plus the re-signing interval and a margin for a failed run (RFC 6781 4.4.2; "
            "signers default to 14-30 days, re-signing a week ahead): BIND dnssec-policy "
            "signatures-validity, Knot rrsig-lifetime, dnssec-signzone -e +2592000."
        ),
        FixStep(
            "Until then the zone is one late re-signing away from bogus: watch it "
            "(dnssec-doctor monitor) and check why the signer uses so short a window."
        ),
    ]


def _inception_steps(zone: str) -> list[FixStep]:
    return [
        FixStep(
            f"Back-date the inception of {zone}'s signatures by an hour, as signers do by "
            "default (dnssec-signzone -s now-3600; Knot and BIND dnssec-policy do it "
            "themselves): a validator whose clock lags rejects a signature that has not "
            "started yet (BIND allows no skew)."
        ),
        FixStep(
            "Check the signer's clock (NTP): a signer whose clock runs ahead makes the same "
            "signatures, and a few minutes more would make them bogus for everyone."
        ),
    ]


def _nsec3_steps(zone: str) -> list[FixStep]:
    return [
        FixStep(
            f"Sign {zone} with NSEC3 iterations 0 and no salt (RFC 9276 3.1): BIND "
            "dnssec-policy nsec3param iterations 0 optout no salt-length 0; (or "
            f"dnssec-signzone -3 - -H 0, or rndc signing -nsec3param 1 0 0 - {zone}); Knot "
            f"nsec3-iterations: 0 and nsec3-salt-length: 0 in its policy; PowerDNS pdnsutil "
            f"set-nsec3 {zone} '1 0 0 -' then pdnsutil rectify-zone {zone}.",
            ("nsec3param 1 0 0 -",),
        ),
        FixStep(
            "Nothing else changes: the zone stays signed, the keys and the DS stay. Validators "
            f"then spend no extra hashing on each denial; above {MAX_NSEC3_ITERATIONS} "
            "iterations they ignore the denials altogether (RFC 9276 3.2), newer ones above 50."
        ),
    ]


_TIMING_STEPS = {
    Cause.TTL_BEYOND_VALIDITY: _ttl_steps,
    Cause.RRSIG_VALIDITY_TOO_SHORT: _window_steps,
    Cause.RRSIG_INCEPTION_TOO_RECENT: _inception_steps,
    Cause.NSEC3_EXTRA_ITERATIONS: _nsec3_steps,
}


def _nsec3_insecure(analysis: Analysis, collection: Collection) -> Diagnosis | None:
    """The zone is signed and secure, but validators ignore its NSEC3 denials (too many
    iterations, RFC 9276 3.2): never an insecure delegation, never "no chain of trust"."""
    finding = next((f for f in analysis.findings if f.code == F.NSEC3_ITERATIONS_TOO_HIGH), None)
    if finding is None:
        return None
    name = collection.evidence.query.name
    headline = (
        f"{name} is insecure although {finding.zone} is signed and its chain of trust holds: "
        f"{finding.message}."
    )
    diagnosis = Diagnosis(Cause.NSEC3_ITERATIONS_TOO_HIGH, finding.zone, headline)
    diagnosis.steps += [
        *_nsec3_steps(finding.zone),
        FixStep(
            "Check again after the re-signing: the denials validate again at once; answers "
            "that exist were never affected."
        ),
    ]
    return diagnosis


# --- the DS set's hygiene and deprecated algorithms (issue 12, class 3) -------------------

_HYGIENE_CAUSES: dict[F.FindingCode, Cause] = {
    F.DS_LEFTOVER: Cause.DS_LEFTOVER,
    F.DS_SHA1_ONLY: Cause.DS_SHA1_ONLY,
    F.DS_ALGORITHM_DEPRECATED: Cause.ALGORITHM_DEPRECATED,
    F.DNSKEY_ALGORITHM_DEPRECATED: Cause.ALGORITHM_DEPRECATED,
}


def _hygiene_diagnosis(cause: Cause, analysis: Analysis) -> Diagnosis:
    """A secure zone whose DS set or algorithms need a change at leisure."""
    codes = [code for code, c in _HYGIENE_CAUSES.items() if c is cause]
    found = [f for f in analysis.findings if f.code in codes]
    first = found[0]
    zone = dns.name.from_text(first.zone)
    result = analysis.zones.get(zone)
    parent = str(result.parent) if result is not None and result.parent is not None else "parent"
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    headline = f"Secure, with a warning: {_TITLES[cause]} at {zone}: {first.message}{more}."
    diagnosis = Diagnosis(cause, first.zone, headline)
    matched = [j for j in (result.ds_judgments if result else []) if j.status is DsStatus.MATCH]
    if cause is Cause.DS_LEFTOVER:
        stale = sorted({int(line.split()[3]) for f in found for line in f.records})
        tags = ", ".join(str(t) for t in stale)
        keep = tuple(
            f"{zone} {result.ds.ttl if result and result.ds else 3600} IN DS {j.ds.to_text()}"
            for j in matched
        )
        diagnosis.steps += [
            FixStep(
                f"Remove DS tag {tags} at the registrar of {zone} (the parent is {parent}): it "
                "matches no key of the zone (left over from a removed key). Leave it only if it "
                "is the DS of a key you are about to introduce (a double-DS KSK rollover, "
                "RFC 6781 4.1.2)."
            ),
            FixStep(
                f"Keep exactly these DS records ({len(keep)}), which the zone validates through:",
                keep,
            ),
        ]
    elif cause is Cause.DS_SHA1_ONLY:
        diagnosis.ds_to_publish = [
            ds_for_publication(zone, j.key) for j in matched if j.key is not None
        ]
        sha1 = ", ".join(str(j.ds.key_tag) for j in matched)
        step = _ds_step(zone, diagnosis.ds_to_publish, parent)
        diagnosis.steps += [
            FixStep(
                f"At the registrar of {zone} (the parent is {parent}), add the SHA-256 DS of the "
                "same key(s) beside the SHA-1 one (validators then use SHA-256, RFC 4509 3):",
                step.lines,
            ),
            FixStep(
                f"Once the parent serves it (check again), remove the SHA-1 DS {sha1}: the DS "
                "set is then exactly the SHA-256 record(s) above (RFC 8624 3.3)."
            ),
        ]
    else:
        numbers = {
            int(k.algorithm) for k in (result.dnskey if result and result.dnskey else [])
        } | {int(j.ds.algorithm) for j in (result.ds_judgments if result else [])}
        old = [algorithm_name(a) for a in sorted(numbers) if _deprecated(a)]
        algs = " and ".join(old) or "the deprecated algorithm"
        diagnosis.steps += [
            FixStep(
                f"Plan an algorithm rollover of {zone} away from {algs} to ECDSAP256SHA256 (13) "
                "(RFC 6781 4.1.4, RFC 7583 3.3): add a KSK and a ZSK of algorithm 13 and sign "
                "every RRset with both algorithms (BIND dnssec-policy, Knot `algorithm:` "
                "do it in one step); wait the zone's largest TTL."
            ),
            FixStep(
                f"Then, at the registrar of {zone} (the parent is {parent}), replace the DS with "
                "the new KSK's DS (dnssec-doctor check prints it), and wait the DS TTL."
            ),
            FixStep(
                f"Then remove the {algs} keys and, one DNSKEY TTL later, their signatures. Never "
                "remove the old DS before the new one is served, nor the old signatures while "
                "the old keys are still published."
            ),
        ]
    return diagnosis


def _deprecated(algorithm: int) -> bool:
    return signing_advice(algorithm) in (SigningAdvice.MUST_NOT, SigningAdvice.NOT_RECOMMENDED)


def _insecure(analysis: Analysis, collection: Collection) -> Diagnosis:
    name = collection.evidence.query.name
    nsec3 = _nsec3_insecure(analysis, collection)
    if nsec3 is not None:
        return nsec3
    for result in analysis.zones.values():
        if result.status is not Status.INSECURE or result.inherited:
            continue
        zone = result.zone.to_text()
        if F.DS_ALL_UNSUPPORTED in result.codes:
            digest_only = all(
                is_validated_algorithm(j.ds.algorithm) and not is_validated_digest(j.ds.digest_type)
                for j in result.ds_judgments
            )
            cause = Cause.DS_UNSUPPORTED_DIGEST if digest_only else Cause.DS_UNSUPPORTED_ALGORITHM
            diagnosis = Diagnosis(cause, zone, f"{name} is insecure: {result.reason} at {zone}.")
            diagnosis.ds_to_publish = _publishable(analysis, result.zone)
            parent = str(result.parent)
            diagnosis.steps.append(_ds_step(result.zone, diagnosis.ds_to_publish, parent))
            return diagnosis
        return Diagnosis(
            Cause.INSECURE_DELEGATION, zone, f"{name} is insecure by design: {result.reason}."
        )
    return Diagnosis(Cause.INSECURE_DELEGATION, None, f"{name} is insecure.")


_TITLES = {
    Cause.OK: "The chain of trust holds",
    Cause.INSECURE_DELEGATION: "Insecure delegation",
    Cause.DS_DIGEST_MISMATCH: "The DS does not match the key",
    Cause.DS_STALE_AFTER_REKEY: "The DS names a key the zone no longer has (re-keyed, DS kept)",
    Cause.DS_ALGORITHM_MISMATCH: "The DS algorithm matches no DNSKEY",
    Cause.DS_FOR_UNSIGNED_ZONE: "A DS is published for an unsigned zone",
    Cause.DS_UNSUPPORTED_ALGORITHM: "Only DS records of unsupported algorithms",
    Cause.DS_UNSUPPORTED_DIGEST: "Only DS records of unsupported digest types",
    Cause.DNSKEY_MISSING: "The key the DS names is missing from the DNSKEY RRset",
    Cause.DNSKEY_NOT_SIGNED_BY_KSK: "The DNSKEY RRset is not signed by the key the DS names",
    Cause.KSK_ROLLOVER_INCOMPLETE: "KSK rollover incomplete",
    Cause.ZSK_ROLLOVER_INCOMPLETE: "ZSK rollover incomplete",
    Cause.RRSIG_EXPIRED: "Signatures expired",
    Cause.DNSKEY_RRSIG_EXPIRED: "The DNSKEY RRset's signatures expired",
    Cause.RRSIG_NOT_YET_VALID: "Signatures not yet valid",
    Cause.RRSIG_EXPIRING_SOON: "Signatures expire soon",
    Cause.RRSIG_BAD_SIGNATURE: "A signature does not verify",
    Cause.RRSIG_MISSING: "An RRset is not signed",
    Cause.NSEC_PROOF_BROKEN: "The NSEC proof is broken",
    Cause.NSEC3_PROOF_BROKEN: "The NSEC3 proof is broken",
    Cause.NAMESERVER_STALE_COPY: "A nameserver serves a stale, broken copy",
    Cause.NAMESERVER_SILENT: "A nameserver does not answer",
    Cause.CHECK_LIMITED: "The check hit a limit",
    Cause.PARENT_ZONE_BROKEN: "A parent zone is broken",
    Cause.CNAME_TARGET_BOGUS: "The CNAME target is bogus",
    # issue 12, classes 2, 3 and 6
    Cause.KSK_REMOVED_NO_SUCCESSOR: "The KSK the DS names was removed and no KSK replaced it",
    Cause.DS_LEFTOVER: "DS records left over from a removed key",
    Cause.DS_SHA1_ONLY: "Only SHA-1 DS records",
    Cause.ALGORITHM_DEPRECATED: "A deprecated DNSSEC algorithm is in use",
    Cause.TRUST_ANCHOR_MISMATCH: "Your trust anchor does not match the zone's keys",
    Cause.ALL_NAMESERVERS_SILENT: "No nameserver answers",
    Cause.ALL_NAMESERVERS_LAME: "Every nameserver is lame",
    Cause.NO_NAMESERVER_USABLE: "No nameserver gives a usable answer",
    Cause.NO_VERDICT: "No verdict could be reached",
    # issue 12, classes 1, 4 and 5
    Cause.ALGORITHM_ROLLOVER_DS_TOO_EARLY: "The DS names a new algorithm the zone is not signed "
    "with yet (algorithm rollover step too early)",
    Cause.ROLLOVER_STEP_TOO_EARLY: "A rollover step was taken too early",
    Cause.TTL_BEYOND_VALIDITY: "The TTLs outlive the signatures' validity",
    Cause.RRSIG_VALIDITY_TOO_SHORT: "Signature validity too short for the TTLs",
    Cause.RRSIG_INCEPTION_TOO_RECENT: "Signatures start too recently for lagging clocks",
    Cause.NSEC3_EXTRA_ITERATIONS: "NSEC3 uses extra iterations",
    Cause.NSEC3_ITERATIONS_TOO_HIGH: "Validators ignore the NSEC3 denials (too many iterations)",
}


def title(cause: Cause) -> str:
    return _TITLES[cause]
