"""Each server's copy of each RRset of the chain, for the chain-of-trust graph.

The judged chain keeps one status per server and link; the graph also draws *what*
each server served (which keys, which signatures by which key, which NSEC/NSEC3
records) so that per-server differences show.  The verdicts come from the judgment
already made (the ServerView's); only where the chain judgment stopped early at a
zone's own broken link (a DS that matches nothing, a missing key) are the DNSKEY
RRset's self-signatures and the zone's data judged here against the keys each server
serves, with the one RRSIG rule (validate.rrsig), so the graph can show what holds
beside the broken link (DNSViz does the same).  Zones below a broken link are not
judged: their signatures are drawn unchecked.
"""

from __future__ import annotations

import dns.name
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.RRSIG import RRSIG

from dnssec_doctor.analyze import messages as M
from dnssec_doctor.model.analysis import AnswerResult, Copy, ServerView, ZoneResult
from dnssec_doctor.model.collection import Collection, Reply
from dnssec_doctor.validate.limits import MAX_VERIFICATIONS_PER_QUERY, VerificationBudget
from dnssec_doctor.validate.rrsig import rrset_status

T = dns.rdatatype.RdataType


def attach_copies(
    collection: Collection,
    zones: dict[dns.name.Name, ZoneResult],
    answers: list[AnswerResult],
    apex: list[AnswerResult],
    at: int,
) -> None:
    """Fill ``copies``/``ds_copies`` of every zone result and ``copies`` of every answer."""
    budget = VerificationBudget(MAX_VERIFICATIONS_PER_QUERY)  # its own: never the chain's
    for name, result in zones.items():
        cut = collection.zones[name]
        for server, reply in cut.dnskey.items():
            copy = _copy(server, reply, name, T.DNSKEY, result.servers.get(server))
            if not copy.judgments and copy.rrset is not None and not result.inherited:
                status = rrset_status(
                    copy.rrset, copy.rrsigs, copy.rrset, at, zone=name, budget=budget
                )
                copy.judgments = list(status.judgments)
            result.copies[server] = copy
        for server, reply in cut.ds.items():
            result.ds_copies[server] = _copy(
                server, reply, name, T.DS, result.parent_servers.get(server)
            )
    by_question = {(a.qname, a.qtype, a.zone): a for a in collection.answers}
    for answer in [*answers, *apex]:
        asked = by_question.get((answer.qname, answer.qtype, answer.zone))
        replies = asked.replies if asked is not None else _apex_replies(collection, answer)
        holder = zones.get(answer.zone)
        for server, reply in replies.items():
            copy = _answer_copy(server, reply, answer, answer.servers.get(server))
            if holder is not None and not copy.judgments and copy.rrset is not None:
                _judge_by_served_keys(copy, holder, at, budget)
            answer.copies[server] = copy


def _judge_by_served_keys(
    copy: Copy, holder: ZoneResult, at: int, budget: VerificationBudget
) -> None:
    """Data of a zone whose own link is broken: its signatures judged against the keys
    the same server serves (not trusted: the graph shows whether they would hold)."""
    served = holder.copies.get(copy.server)
    if holder.inherited or served is None or served.rrset is None or copy.rrset is None:
        return
    zone = holder.zone
    status = rrset_status(copy.rrset, copy.rrsigs, served.rrset, at, zone=zone, budget=budget)
    copy.judgments = list(status.judgments)


def _apex_replies(collection: Collection, answer: AnswerResult) -> dict[str, Reply]:
    cut = collection.zones.get(answer.zone)
    return dict(cut.soa) if cut is not None and answer.qtype == T.SOA else {}


def _copy(
    server: str, reply: Reply, name: dns.name.Name, rdtype: int, view: ServerView | None
) -> Copy:
    copy = Copy(server)
    if not M.answered(reply):
        copy.error = M.failure(reply)
        return copy
    assert reply.message is not None
    copy.rrset = M.answer_rrset(reply, name, rdtype)
    if copy.rrset is None:
        _denial(copy, reply)
        return copy
    copy.rrsigs = _rrsigs(M.signatures(reply.message.answer, copy.rrset))
    copy.judgments = list(view.judgments) if view is not None else []
    return copy


def _answer_copy(server: str, reply: Reply, answer: AnswerResult, view: ServerView | None) -> Copy:
    copy = Copy(server)
    if not M.answered(reply):
        copy.error = M.failure(reply)
        return copy
    assert reply.message is not None
    section = reply.message.answer
    rrset = M.rrset_in(section, answer.qname, answer.qtype)
    if rrset is None and answer.qtype != T.CNAME:
        rrset = M.rrset_in(section, answer.qname, T.CNAME)
    if rrset is None:
        _denial(copy, reply)
        return copy
    copy.rrset = rrset
    copy.rrsigs = _rrsigs(M.signatures(section, rrset))
    copy.judgments = list(view.judgments) if view is not None else []
    return copy


def _denial(copy: Copy, reply: Reply) -> None:
    """No such RRset: the NSEC/NSEC3 records served instead, and their signatures."""
    copy.denial = M.denial_rrsets(reply)
    for rrset in copy.denial:
        copy.rrsigs += _rrsigs(M.signatures(M.authority(reply), rrset))


def _rrsigs(rrset: dns.rrset.RRset | None) -> list[RRSIG]:
    return [r for r in rrset or [] if isinstance(r, RRSIG)]
