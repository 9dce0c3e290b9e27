"""``ds compare ZONE``: the DS at every parent server against the keys the zone serves,
and the exact DS set to publish.

Each DS is matched by validate/ds.py (the one DS↔DNSKEY rule); which keys a DS should
name is validate/keyset.py's (the SEP keys that sign the DNSKEY RRset, else the keys
that do). What is decided here is only the plan: keep the DS that name such a key, drop
the others, add one for each such key that has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import dns.name
from dns.rdata import Rdata
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.DS import DS
from dns.rdtypes.dnskeybase import Flag

from dnssec_doctor.ds.live import ZoneView, observe
from dnssec_doctor.ds.records import ds_form, form_of, key_entry
from dnssec_doctor.model.analysis import Status
from dnssec_doctor.model.ds_report import (
    CompareOutcome,
    CompareReport,
    DsForm,
    DsState,
    DsVerdict,
    KeyEntry,
)
from dnssec_doctor.services.check import CheckOptions
from dnssec_doctor.validate.ds import DsStatus, match_ds
from dnssec_doctor.validate.keyset import entry_points
from dnssec_doctor.validate.records import key_tag

_UNUSABLE = (DsStatus.UNSUPPORTED_ALGORITHM, DsStatus.UNSUPPORTED_DIGEST_TYPE)


def compare_live(options: CheckOptions, digests: Sequence[int]) -> CompareReport:
    return compare_view(observe(options, need_parent=True), digests)


def when(moment: int) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _served_ds(view: ZoneView) -> dict[str, tuple[Rdata, tuple[str, ...], int]]:
    """Each distinct DS the parent serves: the record, the servers serving it, its TTL."""
    found: dict[str, tuple[Rdata, list[str], int]] = {}
    for address, rrset in sorted(view.parent_ds.items()):
        for ds in rrset or ():
            text = ds.to_text()
            record, servers, ttl = found.setdefault(text, (ds, [], rrset.ttl if rrset else 0))
            servers.append(address)
            found[text] = (record, servers, max(ttl, rrset.ttl if rrset else 0))
    return {text: (ds, tuple(servers), ttl) for text, (ds, servers, ttl) in found.items()}


def _judge(
    ds: DS, owner: dns.name.Name, keys: list[DNSKEY], signers: set[int]
) -> tuple[DsState, str, int | None]:
    # SHA-1 is judged on its own here (not ignored beside SHA-256 as a validator does):
    # the question is which key it names.
    judgment = match_ds(ds, owner, keys, sha256_present=False)
    if judgment.status in _UNUSABLE:
        return DsState.UNUSABLE, f"validators ignore it: {judgment.detail}", None
    if judgment.matched and judgment.key is not None:
        tag = key_tag(judgment.key)
        if tag not in signers:
            return DsState.STALE, f"names key {tag}, which does not sign the DNSKEY RRset", tag
        if ds.digest_type == 1:
            why = f"names key {tag}, but with SHA-1: publish SHA-256 instead (RFC 9904)"
            return DsState.SHA1, why, tag
        return DsState.MATCH, f"names key {tag}, which signs the DNSKEY RRset", tag
    return DsState.STALE, judgment.detail or judgment.status.value, None


def compare_view(view: ZoneView, digests: Sequence[int]) -> CompareReport:
    owner = view.zone
    keys = [k for k in view.union_keys() if isinstance(k, DNSKEY)]
    signers = view.signer_tags()
    usable = [k for k in keys if k.flags & Flag.ZONE and not k.flags & Flag.REVOKE]
    should = entry_points([k for k in usable if key_tag(k) in signers])
    verdicts: list[DsVerdict] = []
    for ds, servers, ttl in _served_ds(view).values():
        assert isinstance(ds, DS)
        state, reason, tag = _judge(ds, owner, keys, signers)
        verdicts.append(DsVerdict(form_of(owner, ds, ttl), state, reason, tag, servers))
    verdicts.sort(key=lambda v: (v.ds.key_tag, v.ds.algorithm, v.ds.digest_type))
    covered = {v.key_tag for v in verdicts if v.state is DsState.MATCH}
    servers_of = view.servers_of()
    missing: list[KeyEntry] = [
        key_entry(owner, k, digests, signs_dnskey=True, servers=servers_of.get(key_tag(k), ()))
        for k in should
        if key_tag(k) not in covered
    ]
    keep = [_unset_ttl(v.ds) for v in verdicts if v.state is DsState.MATCH]
    add = [ds_form(owner, k, d, None) for k in should if key_tag(k) not in covered for d in digests]
    publish = keep + add
    ttls = [r.ttl for r in view.parent_ds.values() if r is not None]
    report = CompareReport(
        zone=owner.to_text(),
        parent=view.parent.to_text(),
        at=view.at,
        outcome=CompareOutcome.RIGHT,
        summary="",
        verdicts=verdicts,
        missing=missing,
        publish=publish,
        parent_servers={
            address: tuple(sorted(d.to_text() for d in rrset or ()))
            for address, rrset in sorted(view.parent_ds.items())
        },
        server_names=_parent_names(view),
        ds_ttl=max(ttls) if ttls else None,
    )
    _decide(report, view, bool(should))
    return report


def _unset_ttl(form: DsForm) -> DsForm:
    return DsForm(form.owner, form.key_tag, form.algorithm, form.digest_type, form.digest)


def _parent_names(view: ZoneView) -> dict[str, tuple[str, ...]]:
    parent = view.collection.zones.get(view.parent)
    if parent is None:
        return {}
    return {a: tuple(n.to_text() for n in names) for a, names in parent.addresses.items()}


def _decide(report: CompareReport, view: ZoneView, signed: bool) -> None:
    """The outcome, its one-line summary, and what the change does during the DS TTL."""
    zone, verdicts = report.zone, report.verdicts
    good = [v for v in verdicts if v.state is DsState.MATCH]
    validating = [v for v in verdicts if v.state in (DsState.MATCH, DsState.SHA1)]
    counted = [v for v in verdicts if v.state is not DsState.UNUSABLE]
    remove = [v for v in verdicts if v.state is not DsState.MATCH]
    ttl = report.ds_ttl
    if not verdicts and not signed:
        report.summary = f"{zone} is unsigned and the parent has no DS: nothing to publish"
        return
    if not remove and not report.missing and not report.parent_servers_differ:
        tags = ", ".join(str(v.key_tag) for v in good)
        report.summary = (
            f"the parent's DS set is right: every DS names a key that signs (key {tags})"
        )
        if view.link is not None and view.link.status is Status.BOGUS:
            report.notes.append(
                f"the DS set is right, but the chain breaks below it ({view.link.reason}): "
                f"the fix is in the zone (dnssec-doctor check {zone} names it)"
            )
        return
    broken = bool(counted) and not validating
    report.outcome = CompareOutcome.BROKEN if broken else CompareOutcome.CHANGE
    if broken and not signed:
        report.summary = (
            f"the parent has DS records but {zone} is not signed (no key signs its DNSKEY "
            "RRset): validators fail; remove every DS, or sign the zone again"
        )
    elif broken:
        report.summary = "no DS names a key that signs the DNSKEY RRset: validators fail now"
    elif not counted and signed:
        what = "no DS" if not verdicts else "only DS that validators ignore"
        report.summary = f"the parent has {what}: {zone} is insecure; publish the DS below"
    else:
        parts = []
        if remove:
            parts.append(f"remove {len(remove)} DS ({_tags(remove)})")
        if report.missing:
            parts.append(f"add the DS of key {', '.join(str(k.key_tag) for k in report.missing)}")
        if not parts:
            parts.append("the parent's servers do not all serve it yet")
        report.summary = "the chain holds, but the DS set should change: " + "; ".join(parts)
    unsigning = sorted(
        {v.key_tag for v in verdicts if v.key_tag is not None and v.state is DsState.STALE}
    )
    if unsigning:
        report.notes.append(
            f"or, instead of a new DS: sign the DNSKEY RRset with key "
            f"{', '.join(str(t) for t in unsigning)} again (the key the current DS names; "
            "is its private key available to the signer?)"
        )
    if report.parent_servers_differ:
        report.notes.append(
            f"the servers of {report.parent} serve different DS sets: a change still "
            "propagating, or a parent server with a stale copy"
        )
    report.timing = _timing(report, view, broken, bool(counted), validating, ttl, signed)


def _tags(verdicts: list[DsVerdict]) -> str:
    return ", ".join(f"{v.ds.key_tag}/{v.ds.digest_type}" for v in verdicts)


def _timing(
    report: CompareReport,
    view: ZoneView,
    broken: bool,
    counted: bool,
    validating: list[DsVerdict],
    ttl: int | None,
    signed: bool,
) -> list[str]:
    good = validating
    at = report.at
    span = f"{ttl} s" if ttl is not None else "the DS TTL"
    after = f"{when(at + ttl)} if published now" if ttl is not None else "one DS TTL later"
    lines: list[str] = []
    if broken:
        lines.append(
            f"Until resolvers' cached copy of the current DS set expires (the DS TTL is {span}: "
            f"about {after}, counted from when every parent server serves the new set), they "
            f"keep failing; after that the zone {'validates' if signed else 'is insecure'}."
        )
    elif not counted:
        neg = view.negative_ttl
        cached = f"{neg} s" if neg is not None else "the parent's negative TTL"
        lines.append(
            f"Resolvers that cached the absence of a usable DS ({cached}) treat the zone as "
            "insecure until that expires; nothing fails meanwhile."
        )
    else:
        keepers = ", ".join(str(v.key_tag) for v in good)
        lines.append(
            f"Nothing fails during the change: the DS of key {keepers} validates in the old "
            "set and in the new one."
        )
    if report.missing and counted and not broken:
        new = {k.key_tag for k in report.missing}
        old = {v.key_tag for v in good if v.key_tag is not None}
        if new <= old:  # the same keys, another digest type (SHA-1 → SHA-256)
            lines.append(
                "Publish the new DS together with (or before) removing the SHA-1 one: "
                f"resolvers that cached the current set ({span}) still validate with it."
            )
        else:
            lines.append(
                f"Keep the old DS and key {', '.join(str(t) for t in sorted(old))} signing "
                f"until {span} after every parent server serves the new set ({after}): "
                f"resolvers may cache the old DS set for {span}, and only then can they use "
                f"key {', '.join(str(t) for t in sorted(new))}."
            )
    stale = [v for v in report.verdicts if v.state is DsState.STALE and v.key_tag is not None]
    if stale:
        lines.append(
            f"Removing the DS of key {', '.join(str(v.key_tag) for v in stale)} is safe: that "
            "key no longer signs the DNSKEY RRset; remove the key from the zone only after "
            f"its DS is gone from every parent server and {span} has passed."
        )
    return lines


__all__ = ["compare_live", "compare_view", "when"]
