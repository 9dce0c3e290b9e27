"""The chain of trust, zone by zone: parent DS (or trust anchor) → DNSKEY RRset.

Every server is judged on its own; a zone counts as secure when at least one of its
servers serves a DNSKEY RRset that a DS-matched key signs validly, because that is what
a validating resolver ends up with after retrying (Unbound does).  Servers that fail
while others succeed are findings of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.DNSKEY import DNSKEY

from dnssec_doctor.analyze import messages as M
from dnssec_doctor.analyze.views import decided, failing, rrset_failure
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.analysis import ServerView, Status, ZoneResult
from dnssec_doctor.model.collection import Collection, Reply, ZoneCut
from dnssec_doctor.model.findings import Message
from dnssec_doctor.validate import nsec, nsec3
from dnssec_doctor.validate.denial import DenialCode, DenialResult
from dnssec_doctor.validate.ds import DsJudgment, DsSetStatus, DsStatus, match_ds_set
from dnssec_doctor.validate.keyset import dnskey_signers, entry_points
from dnssec_doctor.validate.limits import VerificationBudget
from dnssec_doctor.validate.rrsig import is_expired, rrset_status

SEP_FLAG = 0x0001  # DNSKEY flags bit 15, the secure entry point (RFC 4034 2.1.1)

T = dns.rdatatype.RdataType

_DS_CODES: dict[DsStatus, F.FindingCode] = {
    DsStatus.DIGEST_MISMATCH: F.DS_DIGEST_MISMATCH,
    DsStatus.NO_KEY_WITH_TAG: F.DS_NO_KEY_WITH_TAG,
    DsStatus.ALGORITHM_MISMATCH: F.DS_ALGORITHM_MISMATCH,
}


class Anchors(NamedTuple):
    """Trust anchors by zone: DS and/or DNSKEY RRsets."""

    ds: dict[dns.name.Name, dns.rrset.RRset]
    dnskey: dict[dns.name.Name, dns.rrset.RRset]

    def covers(self, zone: dns.name.Name) -> bool:
        return zone in self.ds or zone in self.dnskey


def judge_zone(
    cut: ZoneCut,
    parent: ZoneResult | None,
    anchors: Anchors,
    at: int,
    budget: VerificationBudget,
) -> ZoneResult:
    """Judge the link into *cut* given its parent's result (None above the anchor)."""
    result = ZoneResult(zone=cut.name, parent=cut.parent, status=Status.INDETERMINATE, reason="")
    if anchors.covers(cut.name):
        result.anchored = True
        result.ds = anchors.ds.get(cut.name)
        trusted_dnskeys = anchors.dnskey.get(cut.name)
        return _judge_dnskeys(result, cut, result.ds, trusted_dnskeys, at, budget)
    if parent is None:
        result.reason = "no trust anchor above this zone"
        result.status = Status.INDETERMINATE
        return result
    if parent.status is not Status.SECURE:
        result.status = parent.status
        result.inherited = True
        result.reason = f"the parent zone {parent.zone} is {parent.status.value}"
        return result
    ds_view = _judge_parent_ds(result, cut, parent, at, budget)
    if ds_view is None:
        return result  # decided at the parent side (no DS proven, or broken/unreachable)
    return _judge_dnskeys(result, cut, ds_view, None, at, budget)


def _judge_parent_ds(
    result: ZoneResult, cut: ZoneCut, parent: ZoneResult, at: int, budget: VerificationBudget
) -> dns.rrset.RRset | None:
    """The DS RRset the parent's servers authenticate, or None when decided here."""
    assert parent.dnskey is not None
    secure_ds: dns.rrset.RRset | None = None
    no_ds_proven = False
    for server, reply in cut.ds.items():
        view = _parent_ds_view(server, reply, cut.name, parent.dnskey, at, budget)
        result.parent_servers[server] = view
        if view.status is Status.SECURE and secure_ds is None:
            secure_ds = M.answer_rrset(reply, cut.name, T.DS)
        elif view.status is Status.INSECURE:
            no_ds_proven = True
    if secure_ds is not None:
        result.ds = secure_ds
        return secure_ds
    views = list(result.parent_servers.values())
    if no_ds_proven:
        decided(
            result, Status.INSECURE, Message.of(F.NO_DS, "chain", parent=parent.zone, zone=cut.name)
        )
        return None
    answered = [v for v in views if v.status is not Status.INDETERMINATE]
    if not answered:
        no_answer = Message.of(F.NO_SERVER_ANSWERED, "ds", parent=parent.zone, zone=cut.name)
        decided(result, Status.INDETERMINATE, no_answer)
        return None
    result.status = Status.BOGUS
    result.reason, result.message = answered[0].reason, answered[0].message
    result.codes.extend(answered[0].codes)
    return None


def _parent_ds_view(
    server: str,
    reply: Reply,
    zone: dns.name.Name,
    parent_keys: dns.rrset.RRset,
    at: int,
    budget: VerificationBudget,
) -> ServerView:
    if not M.answered(reply):
        return ServerView(server, Status.INDETERMINATE, M.failure(reply))
    assert reply.message is not None
    ds = M.answer_rrset(reply, zone, T.DS)
    if ds is not None:
        sigs = M.signatures(reply.message.answer, ds)
        status = rrset_status(ds, sigs, parent_keys, at, zone=parent_keys.name, budget=budget)
        if status.secure:
            return ServerView(
                server, Status.SECURE, "DS RRset signed", judgments=list(status.judgments)
            )
        return rrset_failure(server, f"the DS RRset for {zone}", status.security, status.judgments)
    proof = prove_no_ds(zone, reply, parent_keys, at, budget)
    if proof.secure or proof.insecure:
        return ServerView(server, Status.INSECURE, "no DS: " + (proof.detail or proof.code.value))
    code = F.NSEC3_PROOF_BROKEN if _uses_nsec3(reply) else F.NSEC_PROOF_BROKEN
    return failing(server, Message.of(code, "ds", detail=proof.detail))


def prove_no_ds(
    zone: dns.name.Name,
    reply: Reply,
    parent_keys: dns.rrset.RRset,
    at: int,
    budget: VerificationBudget,
) -> DenialResult:
    """An authenticated proof that *zone* has no DS (records' signatures checked too)."""
    rrsets = M.denial_rrsets(reply)
    unsigned = _unverified_denial(reply, rrsets, parent_keys, at, budget)
    if _uses_nsec3(reply):
        proof = nsec3.prove_no_ds(zone, rrsets)
    else:
        proof = nsec.prove_no_ds(zone, rrsets)
    if unsigned and (proof.secure or proof.insecure):
        return DenialResult(
            code=DenialCode.NO_RECORDS, kind=proof.kind, qname=zone, detail=unsigned
        )
    return proof


def _unverified_denial(
    reply: Reply,
    rrsets: list[dns.rrset.RRset],
    keys: dns.rrset.RRset,
    at: int,
    budget: VerificationBudget,
) -> str:
    """'' when every NSEC/NSEC3 RRset of the reply verifies with *keys*, else why not."""
    if not rrsets:
        return "no NSEC or NSEC3 records"
    for rrset in rrsets:
        sigs = M.signatures(M.authority(reply), rrset)
        status = rrset_status(rrset, sigs, keys, at, zone=keys.name, budget=budget)
        if not status.secure:
            return f"{rrset.name} {T(rrset.rdtype).name} is {status.security.value.lower()}"
    return ""


def _uses_nsec3(reply: Reply) -> bool:
    return any(r.rdtype == T.NSEC3 for r in M.authority(reply))


def _judge_dnskeys(
    result: ZoneResult,
    cut: ZoneCut,
    ds: dns.rrset.RRset | None,
    anchor_keys: dns.rrset.RRset | None,
    at: int,
    budget: VerificationBudget,
) -> ZoneResult:
    secure_keys: dns.rrset.RRset | None = None
    insecure = False
    for server, reply in cut.dnskey.items():
        view, keys = _dnskey_view(server, reply, cut.name, ds, anchor_keys, result, at, budget)
        result.servers[server] = view
        if view.status is Status.SECURE and secure_keys is None:
            secure_keys = keys
        insecure = insecure or view.status is Status.INSECURE
    views = list(result.servers.values())
    if secure_keys is None:  # the fix will name them: the DS the parent should publish
        result.signing_keys = _self_signers(cut, at, budget)
        result.data_expired = _data_signatures_expired(cut, at)
    if secure_keys is not None:
        result.dnskey = secure_keys
        matched = Message.of(F.DS_MATCHES, "anchor" if result.anchored else "ds")
        decided(result, Status.SECURE, matched)
        if any(v.status is Status.BOGUS for v in views):
            result.codes.append(F.SERVER_BOGUS)
        return result
    if insecure:
        decided(result, Status.INSECURE, Message.of(F.DS_ALL_UNSUPPORTED))
        return result
    failed = [v for v in views if v.status is Status.BOGUS]
    if not failed:
        no_answer = Message.of(F.NO_SERVER_ANSWERED, "dnskey", zone=cut.name)
        decided(result, Status.INDETERMINATE, no_answer)
        return result
    result.status, result.reason, result.message = Status.BOGUS, failed[0].reason, failed[0].message
    result.codes.extend(failed[0].codes)
    return result


def _dnskey_view(
    server: str,
    reply: Reply,
    zone: dns.name.Name,
    ds: dns.rrset.RRset | None,
    anchor_keys: dns.rrset.RRset | None,
    result: ZoneResult,
    at: int,
    budget: VerificationBudget,
) -> tuple[ServerView, dns.rrset.RRset | None]:
    if not M.answered(reply):
        return ServerView(server, Status.INDETERMINATE, M.failure(reply)), None
    assert reply.message is not None
    keys = M.answer_rrset(reply, zone, T.DNSKEY)
    if keys is None:
        if not M.any_rrsig(reply):
            return failing(server, Message.of(F.DS_FOR_UNSIGNED_ZONE, zone=zone)), None
        return failing(server, Message.of(F.NO_DNSKEY, zone=zone)), None
    sigs = M.signatures(reply.message.answer, keys)
    trusted: list[DNSKEY] = [k for k in (anchor_keys or []) if isinstance(k, DNSKEY)]
    if ds is not None:
        matched = match_ds_set(ds, zone, keys)
        if not result.ds_judgments:
            result.ds_judgments = list(matched.judgments)
        if matched.status is DsSetStatus.INSECURE:
            return ServerView(
                server, Status.INSECURE, "every DS is of an unsupported algorithm or digest"
            ), keys
        if matched.status is DsSetStatus.NO_MATCH and not trusted:
            if result.anchored:
                return _anchor_mismatch(server, keys, sigs, ds, anchor_keys, at, budget), None
            return _no_ds_match(server, zone, matched.judgments, sigs), None
        trusted += list(matched.matched_keys)
    status = rrset_status(keys, sigs, keys, at, trusted=trusted, zone=zone, budget=budget)
    if status.secure:
        return ServerView(
            server,
            Status.SECURE,
            "DNSKEY RRset signed by a trusted key",
            judgments=list(status.judgments),
        ), keys
    trusted_tags = {(k.algorithm, _tag(k)) for k in trusted}
    by_trusted = [j for j in status.judgments if (j.algorithm, j.key_tag) in trusted_tags]
    if not by_trusted:
        if result.anchored:
            return _anchor_mismatch(server, keys, sigs, ds, anchor_keys, at, budget), None
        tags = ", ".join(str(t) for _, t in sorted(trusted_tags))
        unsigned = Message.of(F.DNSKEY_NOT_SIGNED_BY_DS_KEY, "chain", tags=tags)
        return failing(server, unsigned, None, status.judgments), None
    view = rrset_failure(server, "the DNSKEY RRset", status.security, by_trusted)
    view.judgments = list(status.judgments)
    return view, None


def _data_signatures_expired(cut: ZoneCut, at: int) -> bool:
    """True when some server's SOA signatures have all expired: the zone's data, not only
    its DNSKEY RRset, is past its signatures (re-signing stopped, not a key problem)."""
    for reply in cut.soa.values():
        soa = M.answer_rrset(reply, cut.name, dns.rdatatype.SOA)
        if soa is None or reply.message is None:
            continue
        sigs = M.signatures(reply.message.answer, soa)
        if sigs and all(is_expired(sig, at) for sig in sigs):
            return True
    return False


def _anchor_mismatch(
    server: str,
    keys: dns.rrset.RRset,
    sigs: dns.rrset.RRset | None,
    ds: dns.rrset.RRset | None,
    anchor_keys: dns.rrset.RRset | None,
    at: int,
    budget: VerificationBudget,
) -> ServerView:
    """The trust anchor (the operator's own, RFC 4035 5.1, RFC 7958) matches no key that
    signs the anchored zone's DNSKEY RRset: the anchor is old or wrong, not the zone."""
    status = rrset_status(keys, sigs, keys, at, zone=keys.name, budget=budget)
    signers = sorted({j.key_tag for j in status.judgments if j.signature_ok})
    anchors = [f"DS {d.key_tag}" for d in ds or []]
    anchors += [f"DNSKEY {k.key_id()}" for k in anchor_keys or [] if isinstance(k, DNSKEY)]
    mismatch = Message.of(
        F.TRUST_ANCHOR_MISMATCH,
        anchors=", ".join(anchors) or "none",
        zone=keys.name,
        signers=", ".join(f"key {t}" for t in signers) or "no key of the set",
    )
    return failing(server, mismatch, None, status.judgments)


def _self_signers(cut: ZoneCut, at: int, budget: VerificationBudget) -> list[DNSKEY]:
    """Keys of the served DNSKEY RRset that sign it validly, SEP keys only if any, by
    key tag: what a DS must name. The first server whose RRset has such keys decides."""
    for reply in cut.dnskey.values():
        keys = M.answer_rrset(reply, cut.name, T.DNSKEY)
        if keys is None or reply.message is None:
            continue
        sigs = M.signatures(reply.message.answer, keys)
        chosen = entry_points(dnskey_signers(keys, sigs, at, budget=budget))
        if chosen:
            return chosen
    return []


def _no_ds_match(
    server: str, zone: dns.name.Name, judgments: Sequence[DsJudgment], sigs: dns.rrset.RRset | None
) -> ServerView:
    signer_tags = {s.key_tag for s in (sigs or [])}
    for judgment in judgments:
        if judgment.status is DsStatus.NO_KEY_WITH_TAG and judgment.ds.key_tag in signer_tags:
            return failing(server, Message.of(F.DNSKEY_MISSING, key_tag=judgment.ds.key_tag))
    codes = [_DS_CODES[j.status] for j in judgments if j.status in _DS_CODES]
    first = next(
        (j for j in judgments if j.status in _DS_CODES), judgments[0] if judgments else None
    )
    detail = first.detail if first is not None and first.detail else "no DS matches a DNSKEY"
    # every DS code shares the template: the view's reason is each one's message
    code = codes[0] if codes else F.DS_NO_KEY_WITH_TAG
    return failing(server, Message.of(code, "chain", zone=zone, detail=detail), codes)


def _tag(key: DNSKEY) -> int:
    return key.key_id()


def judge_chain(
    collection: Collection, anchors: Anchors, at: int, budget: VerificationBudget
) -> dict[dns.name.Name, ZoneResult]:
    """Judge every zone the walk met, parents before children."""
    results: dict[dns.name.Name, ZoneResult] = {}
    for name in sorted(collection.zones, key=lambda n: len(n.labels)):
        cut = collection.zones[name]
        parent = results.get(cut.parent) if cut.parent is not None else None
        results[name] = judge_zone(cut, parent, anchors, at, budget)
    return results
