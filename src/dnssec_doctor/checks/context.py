"""What every check of the network walk reads: the collection and the chain's judgment."""

from __future__ import annotations

from typing import NamedTuple

import dns.name
import dns.rdatatype
import dns.rrset

from dnssec_doctor.model.analysis import AnswerResult, Status, ZoneResult
from dnssec_doctor.model.collection import Collection
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.rollover import Rollover

T = dns.rdatatype.RdataType
DAY = 86400


class SignatureExpiry(NamedTuple):
    """The signature lifetimes of the chain (checks/expiry.py), made once per analysis:
    the earliest expiration per signer (the report's) and what the expiry check reports."""

    earliest: dict[dns.name.Name, int]
    findings: list[Finding]


class ChainContext(NamedTuple):
    """The input of a check: evidence as collected, the links and answers as judged."""

    collection: Collection
    zones: dict[dns.name.Name, ZoneResult]
    answers: list[AnswerResult]  # the queried names (CNAME chain)
    apex: list[AnswerResult]  # the SOA of each zone holding a queried name
    at: int
    warn_seconds: int
    verdict: Status
    expiry: SignatureExpiry
    rollovers: tuple[Rollover, ...] = ()  # the rollovers in progress (analyze/rollover.py)

    @property
    def all_answers(self) -> list[AnswerResult]:
        return self.answers + self.apex


def rrset_lines(rrset: dns.rrset.RRset | None) -> list[str]:
    if rrset is None:
        return []
    return [f"{rrset.name} {rrset.ttl} IN {T(rrset.rdtype).name} {rd.to_text()}" for rd in rrset]
