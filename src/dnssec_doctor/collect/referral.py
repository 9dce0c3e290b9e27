"""Reading one server's reply to the walked name: a referral, an answer, or nothing usable.

Pure functions over parsed messages.  A reply is judged on its own, by the rules a
resolver applies (RFC 1034 4.3.2, RFC 4035 3.1.4): a *referral* is a non-authoritative
NOERROR reply with an empty answer section and the NS RRset of a zone in its authority
section; an *answer* (data, NODATA or NXDOMAIN) must carry AA.  Anything else is *lame*.
A referral to a zone that is not strictly below the asked zone and above the name is
*bad* (an upward or sideways referral, the start of a loop).  When the servers of one
zone disagree, :func:`decide` follows the majority.

One server often serves a zone and its child; asked about a name in the child, it
answers from the child with AA instead of referring.  The signer of the answer (or the
owner of the SOA of a negative answer) shows the hidden cut: such an answer counts as a
referral to that zone (``implicit``), whose servers are the ones that answered.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
from dns.rdtypes.ANY.CNAME import CNAME
from dns.rdtypes.ANY.DNAME import DNAME
from dns.rdtypes.ANY.NS import NS
from dns.rdtypes.ANY.RRSIG import RRSIG
from dns.rdtypes.IN.A import A
from dns.rdtypes.IN.AAAA import AAAA

from dnssec_doctor.model.collection import Reply

Name = dns.name.Name
_ADDRESS_TYPES = (dns.rdatatype.A, dns.rdatatype.AAAA)


class Kind(StrEnum):
    REFERRAL = "referral"
    ANSWER = "answer"
    BAD_REFERRAL = "bad referral"
    LAME = "lame"


class Verdict(NamedTuple):
    """What one reply says about where the name lives."""

    kind: Kind
    child: Name | None = None  # the zone referred to (referrals, bad ones included)
    ns: tuple[Name, ...] = ()  # its NS names, as listed
    glue: tuple[tuple[Name, str], ...] = ()  # (NS name, address) from the additional section
    reason: str = ""  # why a reply is lame
    implicit: bool = False  # a cut seen in an authoritative answer, not a real referral

    @property
    def usable(self) -> bool:
        return self.kind in (Kind.REFERRAL, Kind.ANSWER)


def classify(reply: Reply, zone: Name, qname: Name) -> Verdict:
    """Judge *reply*, an answer from a server of *zone* to a question about *qname*."""
    message = reply.message
    if message is None:
        return Verdict(Kind.LAME, reason=reply.error or "no reply")
    rcode = message.rcode()
    if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return Verdict(Kind.LAME, reason=dns.rcode.to_text(rcode))
    if message.flags & dns.flags.AA:
        apparent = _apparent_zone(message, qname)
        hidden_cut = apparent is not None and apparent != zone and apparent.is_subdomain(zone)
        if hidden_cut and apparent is not None and qname.is_subdomain(apparent):
            return Verdict(Kind.REFERRAL, child=apparent, implicit=True)
        return Verdict(Kind.ANSWER)
    if rcode == dns.rcode.NOERROR and not message.answer:
        referral = _referral(message, zone, qname)
        if referral is not None:
            return referral
    return Verdict(Kind.LAME, reason="not authoritative")


def _apparent_zone(message: dns.message.Message, qname: Name) -> Name | None:
    """The zone an authoritative answer comes from: the signer of the RRSIG over the
    answer for *qname*, else the owner of the SOA of a negative answer."""
    for rrset in message.answer:
        if rrset.name == qname and rrset.rdtype == dns.rdatatype.RRSIG:
            for rdata in rrset:
                if isinstance(rdata, RRSIG):
                    return rdata.signer
    for rrset in message.authority:
        if rrset.rdtype == dns.rdatatype.SOA:
            return rrset.name
    return None


def _referral(message: dns.message.Message, zone: Name, qname: Name) -> Verdict | None:
    """The deepest proper referral in the authority section, else the first bad one."""
    best: Verdict | None = None
    bad: Verdict | None = None
    for rrset in message.authority:
        if rrset.rdtype != dns.rdatatype.NS or rrset.name == zone:
            continue
        names = tuple(dict.fromkeys(r.target for r in rrset if isinstance(r, NS)))
        proper = rrset.name.is_subdomain(zone) and qname.is_subdomain(rrset.name)
        if not proper:
            bad = bad or Verdict(Kind.BAD_REFERRAL, child=rrset.name, ns=names)
        elif best is None or len(rrset.name) > len(best.child or dns.name.root):
            best = Verdict(Kind.REFERRAL, rrset.name, names, glue(message, names, zone))
    return best or bad


def glue(
    message: dns.message.Message, names: Sequence[Name], zone: Name
) -> tuple[tuple[Name, str], ...]:
    """Addresses in the additional section for *names*, only those inside *zone* (a
    server may vouch for addresses in its own zone, nowhere else)."""
    found: list[tuple[Name, str]] = []
    wanted = {n for n in names if n.is_subdomain(zone)}
    for rrset in message.additional:
        if rrset.name in wanted and rrset.rdtype in _ADDRESS_TYPES:
            found.extend((rrset.name, _address(r.address)) for r in rrset if _is_address(r))
    return tuple(dict.fromkeys(found))


def _is_address(rdata: object) -> bool:
    """An A or AAAA of class IN (another class parses as opaque data)."""
    return isinstance(rdata, A | AAAA)


def _address(text: str) -> str:
    return str(ipaddress.ip_address(text))


def addresses(message: dns.message.Message | None, name: Name) -> list[str]:
    """A and AAAA addresses for *name* in the answer section, following CNAMEs there."""
    if message is None:
        return []
    owner = end_of_chain(message, name)
    found: list[str] = []
    for rrset in message.answer:
        if rrset.name == owner and rrset.rdtype in _ADDRESS_TYPES:
            found.extend(_address(r.address) for r in rrset if _is_address(r))
    return list(dict.fromkeys(found))


def end_of_chain(message: dns.message.Message, name: Name) -> Name:
    """Where the CNAMEs in the answer section lead from *name* (bounded by their count)."""
    for _ in range(len(message.answer)):
        target = _cname_at(message, name)
        if target is None:
            break
        name = target
    return name


def _cname_at(message: dns.message.Message, name: Name) -> Name | None:
    for rrset in message.answer:
        if rrset.name == name and rrset.rdtype == dns.rdatatype.CNAME:
            for rdata in rrset:
                if isinstance(rdata, CNAME):
                    return rdata.target
    return None


def alias_target(message: dns.message.Message | None, qname: Name) -> Name | None:
    """The name *qname* is an alias of: its CNAME, else what a DNAME above it makes of it."""
    if message is None:
        return None
    cname = _cname_at(message, qname)
    if cname is not None:
        return cname
    for rrset in message.answer:
        if rrset.rdtype == dns.rdatatype.DNAME and qname.is_subdomain(rrset.name):
            for rdata in rrset:
                if isinstance(rdata, DNAME) and qname != rrset.name:
                    try:
                        return qname.relativize(rrset.name).concatenate(rdata.target)
                    except dns.name.NameTooLong:
                        return None
    return None


def ns_names(message: dns.message.Message | None, zone: Name) -> list[Name]:
    """The NS names of *zone* in the answer section of a reply to ``<zone> NS``."""
    if message is None or not message.flags & dns.flags.AA:
        return []
    found: list[Name] = []
    for rrset in message.answer:
        if rrset.name == zone and rrset.rdtype == dns.rdatatype.NS:
            found.extend(r.target for r in rrset if isinstance(r, NS))
    return list(dict.fromkeys(found))


@dataclass
class Decision:
    """What the servers of one zone say, taken together."""

    kind: Kind | None  # REFERRAL, ANSWER, or None when no server gave a usable reply
    child: Name | None = None
    ns: list[Name] = field(default_factory=list)  # union over the agreeing servers
    glue: list[tuple[Name, str]] = field(default_factory=list)
    agreeing: list[str] = field(default_factory=list)
    implicit: list[str] = field(default_factory=list)  # agreeing servers that serve the child
    dissent: str | None = None  # one line when usable replies disagree
    bad: Verdict | None = None  # a bad referral, when that is all usable-looking there was


def _position(verdict: Verdict) -> str:
    if verdict.kind == Kind.REFERRAL:
        return f"refer to {verdict.child}"
    return "answer"


def decide(verdicts: Sequence[tuple[str, Verdict]]) -> Decision:
    """Follow the majority of the usable verdicts (ties: the earliest server's view)."""
    groups: dict[tuple[Kind, Name | None], list[str]] = {}
    by_key: dict[tuple[Kind, Name | None], Verdict] = {}
    for server, verdict in verdicts:
        if verdict.usable:
            key = (verdict.kind, verdict.child)
            groups.setdefault(key, []).append(server)
            by_key.setdefault(key, verdict)
    if not groups:
        bad = next((v for _, v in verdicts if v.kind == Kind.BAD_REFERRAL), None)
        return Decision(None, bad=bad)
    key = max(groups, key=lambda k: len(groups[k]))  # max keeps the first of equals
    agreeing = groups[key]
    decision = Decision(key[0], key[1], agreeing=agreeing)
    ns: dict[Name, None] = {}  # dicts keep order and make the union linear
    glue_: dict[tuple[Name, str], None] = {}
    for server, verdict in verdicts:
        if server in agreeing:
            if verdict.implicit:
                decision.implicit.append(server)
            ns.update(dict.fromkeys(verdict.ns))
            glue_.update(dict.fromkeys(verdict.glue))
    decision.ns, decision.glue = list(ns), list(glue_)
    if len(groups) > 1:
        views = "; ".join(
            f"{', '.join(servers)} {_position(by_key[k])}" for k, servers in groups.items()
        )
        decision.dissent = f"servers disagree ({views}): following the majority"
    return decision
