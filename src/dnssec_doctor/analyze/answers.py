"""The queried name: its RRset (or CNAME) or the proof that it does not exist.

Judged per server against the authenticated DNSKEY RRset of the zone that holds the
name; the answer is secure when at least one server's reply validates (what a retrying
resolver gets), and each failing server is named.
"""

from __future__ import annotations

import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from dnssec_doctor.analyze import messages as M
from dnssec_doctor.analyze.views import decided, failing, rrset_failure
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.analysis import AnswerResult, ServerView, Status, ZoneResult
from dnssec_doctor.model.collection import NameAnswer, Reply
from dnssec_doctor.model.findings import Message
from dnssec_doctor.validate import nsec, nsec3
from dnssec_doctor.validate.denial import DenialCode
from dnssec_doctor.validate.limits import VerificationBudget
from dnssec_doctor.validate.rrsig import rrset_status

T = dns.rdatatype.RdataType


def judge_answer(
    answer: NameAnswer, zone: ZoneResult | None, at: int, budget: VerificationBudget
) -> AnswerResult:
    result = AnswerResult(answer.qname, answer.qtype, answer.zone, Status.INDETERMINATE, "", "none")
    if zone is None:
        result.reason = f"the zone {answer.zone} was not reached"
        return result
    kinds: list[str] = []
    for server, reply in answer.replies.items():
        view, kind, rrsets = _judge_reply(server, reply, answer, zone, at, budget)
        result.servers[server] = view
        if kind != "none":
            kinds.append(kind)
            if not result.rrsets:
                result.rrsets = rrsets
    result.kind = kinds[0] if kinds else "none"
    if zone.status is not Status.SECURE:
        result.status = zone.status
        result.reason = f"the zone {zone.zone} is {zone.status.value}"
        return result
    views = list(result.servers.values())
    if any(v.status is Status.SECURE for v in views):
        result.status, result.reason = Status.SECURE, "validated"
        if any(v.status is Status.BOGUS for v in views):
            result.codes.append(F.SERVER_BOGUS)
        return result
    failed = [v for v in views if v.status is Status.BOGUS]
    if failed:
        result.status, result.reason, result.message = (
            Status.BOGUS,
            failed[0].reason,
            failed[0].message,
        )
        result.codes.extend(failed[0].codes)
        return result
    insecure = [v for v in views if v.status is Status.INSECURE]
    if insecure:
        result.status, result.reason = Status.INSECURE, insecure[0].reason
        result.codes.extend(insecure[0].codes)
        return result
    no_answer = Message.of(F.NO_SERVER_ANSWERED, "answer", zone=zone.zone, qname=answer.qname)
    decided(result, Status.INDETERMINATE, no_answer)
    return result


def _judge_reply(
    server: str,
    reply: Reply,
    answer: NameAnswer,
    zone: ZoneResult,
    at: int,
    budget: VerificationBudget,
) -> tuple[ServerView, str, list[dns.rrset.RRset]]:
    if not M.answered(reply):
        return ServerView(server, Status.INDETERMINATE, M.failure(reply)), "none", []
    assert reply.message is not None
    keys = zone.dnskey
    qname, qtype = answer.qname, answer.qtype
    rrset = M.rrset_in(reply.message.answer, qname, qtype)
    kind = "answer"
    if rrset is None and qtype != T.CNAME:
        rrset = M.rrset_in(reply.message.answer, qname, T.CNAME)
        kind = "cname"
    if rrset is not None:
        if keys is None:
            return ServerView(server, zone.status, "zone not secure"), kind, [rrset]
        sigs = M.signatures(reply.message.answer, rrset)
        status = rrset_status(rrset, sigs, keys, at, zone=zone.zone, budget=budget)
        what = f"{qname} {T(rrset.rdtype).name}"
        if status.secure:
            return (
                ServerView(
                    server, Status.SECURE, f"{what} validated", judgments=list(status.judgments)
                ),
                kind,
                [rrset],
            )
        return rrset_failure(server, what, status.security, status.judgments), kind, [rrset]
    nxdomain = reply.message.rcode() == dns.rcode.NXDOMAIN
    kind = "nxdomain" if nxdomain else "nodata"
    if keys is None:
        return ServerView(server, zone.status, "zone not secure"), kind, []
    return _judge_denial(server, reply, qname, qtype, nxdomain, keys, at, budget), kind, []


def _judge_denial(
    server: str,
    reply: Reply,
    qname: dns.name.Name,
    qtype: int,
    nxdomain: bool,
    keys: dns.rrset.RRset,
    at: int,
    budget: VerificationBudget,
) -> ServerView:
    rrsets = M.denial_rrsets(reply)
    uses_nsec3 = any(r.rdtype == T.NSEC3 for r in rrsets)
    code = F.NSEC3_PROOF_BROKEN if uses_nsec3 else F.NSEC_PROOF_BROKEN
    signed_part = [r for r in M.authority(reply) if r.rdtype in (T.SOA, T.NSEC, T.NSEC3)]
    for rrset in signed_part:
        sigs = M.signatures(M.authority(reply), rrset)
        status = rrset_status(rrset, sigs, keys, at, zone=keys.name, budget=budget)
        if not status.secure:
            what = f"{rrset.name} {T(rrset.rdtype).name}"
            return rrset_failure(server, what, status.security, status.judgments)
    module = nsec3 if uses_nsec3 else nsec
    if nxdomain:
        proof = module.prove_nxdomain(qname, rrsets)
    else:
        proof = module.prove_nodata(qname, dns.rdatatype.RdataType.make(qtype), rrsets)
    what = "NXDOMAIN" if nxdomain else "NODATA"
    if proof.secure:
        return ServerView(server, Status.SECURE, f"{what} proven ({proof.code.value})")
    if proof.insecure:
        # validators ignore NSEC3 with too many iterations (RFC 9276 3.2): the code says why
        too_many = proof.code is DenialCode.NSEC3_ITERATIONS_TOO_HIGH
        codes = [F.NSEC3_ITERATIONS_TOO_HIGH] if too_many else []
        reason = f"{what}: {proof.detail or proof.code.value}"
        return ServerView(server, Status.INSECURE, reason, codes=codes)
    detail = proof.detail or proof.code.value
    return failing(server, Message.of(code, "denial", what=what, detail=detail))
