"""What the analysis concludes: a status per zone, per answer and per server."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import dns.name
import dns.rdatatype
import dns.rrset

from dnssec_doctor.model.findings import Finding, FindingCode, Message
from dnssec_doctor.validate.ds import DsJudgment
from dnssec_doctor.validate.rrsig import RrsigJudgment

if TYPE_CHECKING:
    from dns.rdtypes.ANY.DNSKEY import DNSKEY
    from dns.rdtypes.ANY.RRSIG import RRSIG


class Status(StrEnum):
    """RFC 4033 section 5 states, plus INDETERMINATE when nothing could be decided."""

    SECURE = "secure"
    INSECURE = "insecure"
    BOGUS = "bogus"
    INDETERMINATE = "indeterminate"


def worst(statuses: list[Status]) -> Status:
    """For a chain: bogus beats indeterminate beats insecure beats secure."""
    for status in (Status.BOGUS, Status.INDETERMINATE, Status.INSECURE):
        if status in statuses:
            return status
    return Status.SECURE


@dataclass
class ServerView:
    """One server's contribution to one link: its status and one line of why."""

    server: str
    status: Status
    reason: str
    codes: list[FindingCode] = field(default_factory=list)  # finding codes behind the status
    judgments: list[RrsigJudgment] = field(default_factory=list)
    message: Message | None = None  # the reason as its code's template (when it has codes)


@dataclass
class Copy:
    """One server's copy of one RRset as it served it, with its signatures' verdicts:
    what the chain-of-trust graph draws per server (render/graph_model.py). Facts
    only; the statuses stay in the ServerViews."""

    server: str
    rrset: dns.rrset.RRset | None = None  # None: the server served no such RRset
    rrsigs: list[RRSIG] = field(default_factory=list)  # its (or the denial's) signatures
    judgments: list[RrsigJudgment] = field(default_factory=list)  # empty: not judged
    denial: list[dns.rrset.RRset] = field(default_factory=list)  # NSEC/NSEC3 instead
    error: str | None = None  # why the reply is no usable answer (silent, lame, ...)


@dataclass
class ZoneResult:
    """The link parent DS → DNSKEY RRset of one zone."""

    zone: dns.name.Name
    parent: dns.name.Name | None
    status: Status
    reason: str
    inherited: bool = False  # bogus/insecure because of a zone above, not its own link
    anchored: bool = False  # the trust anchor's zone
    ds: dns.rrset.RRset | None = None  # the DS RRset used (from the parent, or the anchor)
    ds_judgments: list[DsJudgment] = field(default_factory=list)
    dnskey: dns.rrset.RRset | None = None  # the authenticated DNSKEY RRset (when secure)
    servers: dict[str, ServerView] = field(default_factory=dict)  # child servers' DNSKEY
    parent_servers: dict[str, ServerView] = field(default_factory=dict)  # their DS answers
    codes: list[FindingCode] = field(default_factory=list)  # finding codes for the link
    # when the link does not hold: the served keys that sign the DNSKEY RRset themselves
    # (SEP keys if any), what a DS must name; empty when secure or none does
    signing_keys: list[DNSKEY] = field(default_factory=list)
    # when the link does not hold: some server's SOA signatures have all expired too
    data_expired: bool = False
    message: Message | None = None  # the reason as its code's template (when it has codes)
    copies: dict[str, Copy] = field(default_factory=dict)  # each child server's DNSKEY RRset
    ds_copies: dict[str, Copy] = field(default_factory=dict)  # each parent server's DS RRset


@dataclass
class AnswerResult:
    """The queried RRset (or its denial) for one name of the CNAME chain."""

    qname: dns.name.Name
    qtype: dns.rdatatype.RdataType
    zone: dns.name.Name
    status: Status
    reason: str
    kind: str  # answer | cname | nxdomain | nodata | none
    rrsets: list[dns.rrset.RRset] = field(default_factory=list)
    servers: dict[str, ServerView] = field(default_factory=dict)
    codes: list[FindingCode] = field(default_factory=list)
    message: Message | None = None  # the reason as its code's template (when it has codes)
    copies: dict[str, Copy] = field(default_factory=dict)  # each server's RRset or denial


@dataclass
class Analysis:
    at: int
    warn_seconds: int
    zones: dict[dns.name.Name, ZoneResult]
    answers: list[AnswerResult]
    findings: list[Finding]
    verdict: Status
    break_at: dns.name.Name | None
    apex: list[AnswerResult] = field(default_factory=list)  # the SOA of each answer's zone
    earliest_expiration: dict[dns.name.Name, int] = field(default_factory=dict)
