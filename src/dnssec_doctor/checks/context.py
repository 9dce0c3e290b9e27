"""What every check of the network walk reads: the collection and the chain's judgment."""

from __future__ import annotations

from typing import NamedTuple

import dns.name
import dns.rdatatype
import dns.rrset

from dnssec_doctor.model.analysis import AnswerResult, Status, ZoneResult
from dnssec_doctor.model.collection import Collection

T = dns.rdatatype.RdataType
DAY = 86400


class ChainContext(NamedTuple):
    """The input of a check: evidence as collected, the links and answers as judged."""

    collection: Collection
    zones: dict[dns.name.Name, ZoneResult]
    answers: list[AnswerResult]  # the queried names (CNAME chain)
    apex: list[AnswerResult]  # the SOA of each zone holding a queried name
    at: int
    warn_seconds: int
    verdict: Status

    @property
    def all_answers(self) -> list[AnswerResult]:
        return self.answers + self.apex


def rrset_lines(rrset: dns.rrset.RRset | None) -> list[str]:
    if rrset is None:
        return []
    return [f"{rrset.name} {rrset.ttl} IN {T(rrset.rdtype).name} {rd.to_text()}" for rd in rrset]
