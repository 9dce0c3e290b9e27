"""``cds parent ZONE`` live: what the parent needs to judge the child's CDS/CDNSKEY.

The walk is ``check``'s, run for the zone's SOA (every server asked itself, no cache): it
asks every server of the zone its DNSKEY, CDS and CDNSKEY, and every parent server the
DS. Only the servers of the parent-side NS set count (the parent's view of the
delegation, RFC 7344 4.1); what the zone itself lists beyond it is left out.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import dns.name
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.DS import DS

from dnssec_doctor.analyze.core import analyze
from dnssec_doctor.model.analysis import Status
from dnssec_doctor.model.collection import Reply, ZoneCut
from dnssec_doctor.services.check import CheckError, CheckOptions, probe
from dnssec_doctor.validate.cds import SignalView, signal_name

#: The child's apex questions whose answers the parent judges.
CHILD_QUESTIONS = ("dnskey", "cds", "cdnskey")


class CdsLiveError(Exception):
    """The child's signals could not be fetched; the message is one line."""


class ChildSignals(NamedTuple):
    """The parent's DS set and each child server's apex answers (RRsets with RRSIGs)."""

    parent: dns.name.Name
    current_ds: tuple[DS, ...]  # the union of the parent servers' DS RRsets
    ds_by_server: dict[str, frozenset[str]]  # parent server -> its DS records as text
    ds_authenticated: bool  # the parent zone is secure from the trust anchor
    child: dict[str, list[dns.rrset.RRset]]  # child server address -> its apex RRsets
    silent: tuple[str, ...]  # child servers of the parent's NS set that did not answer
    parent_servers: tuple[str, ...] = ()  # every parent server address asked for the DS
    ns_names: tuple[dns.name.Name, ...] = ()  # the parent-side NS set


def _answer(reply: Reply | None, zone: dns.name.Name) -> list[dns.rrset.RRset] | None:
    if reply is None or reply.message is None:
        return None
    return [r for r in reply.message.answer if r.name == zone]


def _parent_side_servers(cut: ZoneCut) -> list[str]:
    listed = set(cut.ns_at_parent)
    return sorted(a for a, names in cut.addresses.items() if listed & set(names))


def fetch_child_signals(zone: dns.name.Name, options: CheckOptions) -> ChildSignals:
    """Walk to *zone* as ``check`` does and gather what the parent judges."""
    z = zone.to_text()
    try:
        collection = probe(options._replace(name=z, qtype="SOA"))
    except CheckError as error:
        raise CdsLiveError(str(error)) from error
    cut = collection.zones.get(zone)
    if cut is None or cut.parent is None:
        why = "; ".join(collection.problems[:2]) or "the walk from the root found no zone cut"
        raise CdsLiveError(f"{z} is not delegated from a parent ({why})")
    ds_by_server: dict[str, frozenset[str]] = {}
    union: dict[str, DS] = {}
    for address, reply in sorted(cut.ds.items()):
        rrsets = _answer(reply, zone)
        if rrsets is None:
            continue
        found = [rd for r in rrsets if r.rdtype == dns.rdatatype.DS for rd in r]
        ds_by_server[address] = frozenset(rd.to_text() for rd in found)
        for rd in found:
            if isinstance(rd, DS):
                union.setdefault(rd.to_text(), rd)
    if not ds_by_server:
        raise CdsLiveError(f"no server of {cut.parent} answered the DS query for {z}")
    child: dict[str, list[dns.rrset.RRset]] = {}
    silent: list[str] = []
    for address in _parent_side_servers(cut):
        answers = [_answer(getattr(cut, q).get(address), zone) for q in CHILD_QUESTIONS]
        if any(a is None for a in answers):
            silent.append(address)
            continue
        child[address] = [r for a in answers for r in (a or [])]
    analysis = analyze(collection, int(time.time()), 0)
    parent = analysis.zones.get(cut.parent)
    return ChildSignals(
        parent=cut.parent,
        current_ds=tuple(union[k] for k in sorted(union)),
        ds_by_server=ds_by_server,
        ds_authenticated=parent is not None and parent.status is Status.SECURE,
        child=child,
        silent=tuple(silent),
        parent_servers=tuple(sorted(cut.ds)),
        ns_names=tuple(cut.ns_at_parent),
    )


def fetch_bootstrap_signals(
    zone: dns.name.Name, ns_names: tuple[dns.name.Name, ...], options: CheckOptions
) -> list[SignalView]:
    """RFC 9615: for each nameserver outside the child, the CDS and CDNSKEY at
    ``_dsboot.<child>._signal.<ns>``, each walked to and validated as ``check`` does."""
    now = int(time.time())
    views = []
    for ns in ns_names:
        if ns.is_subdomain(zone):
            continue
        name = signal_name(zone, ns)
        found: dict[str, frozenset[str]] = {}
        problems: list[str] = []
        for qtype in ("CDS", "CDNSKEY"):
            try:
                collection = probe(options._replace(name=name.to_text(), qtype=qtype))
            except CheckError as error:
                raise CdsLiveError(str(error)) from error
            answers = analyze(collection, now, 0).answers
            answer = answers[0] if answers else None
            if answer is None or answer.status is not Status.SECURE:
                state = answer.status.value if answer is not None else "no answer"
                problems.append(f"{qtype} {state}" + (f": {answer.reason}" if answer else ""))
            rdtype = dns.rdatatype.from_text(qtype)
            rrsets = answer.rrsets if answer is not None else []
            found[qtype] = frozenset(
                rd.to_text() for r in rrsets if r.name == name and r.rdtype == rdtype for rd in r
            )
        views.append(
            SignalView(ns, name, not problems, "; ".join(problems), found["CDS"], found["CDNSKEY"])
        )
    return views


__all__ = ["CdsLiveError", "ChildSignals", "fetch_bootstrap_signals", "fetch_child_signals"]
