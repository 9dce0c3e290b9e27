"""What the collector found, arranged by zone cut: the input of the analysis.

The collector walks the delegation from the trust anchor's zone down to the name and
records every exchange in the Evidence; a :class:`Collection` is the same material
arranged for the analysis (which server of which zone said what).  Replaying the
Evidence through the same walk rebuilds the same Collection, which is how
``check --evidence`` analyses a saved probe exactly as the live one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import dns.edns
import dns.message
import dns.name
import dns.rdatatype

from dnssec_doctor.model.evidence import Evidence, Exchange


class Reply(NamedTuple):
    """One server's reply to one question: a message, or the error word of the Exchange."""

    server: str  # address
    exchange: Exchange
    message: dns.message.Message | None  # None when error is set

    @property
    def error(self) -> str | None:
        return self.exchange.error if self.message is None else None


@dataclass
class ZoneCut:
    """A zone of the chain, the servers that serve it, and what each said.

    ``ds`` holds the parent side: each parent server's answer to ``<zone> DS``.
    ``dnskey``, ``soa`` and ``ns`` hold the child side: each of the zone's server
    addresses' answers.  The root has no parent; its servers are the root hints.
    """

    name: dns.name.Name
    parent: dns.name.Name | None
    ns_at_parent: list[dns.name.Name] = field(default_factory=list)  # from the referral
    ns_at_child: list[dns.name.Name] = field(default_factory=list)  # the zone's own NS RRset
    addresses: dict[str, list[dns.name.Name]] = field(default_factory=dict)  # address -> NS names
    unresolved: list[dns.name.Name] = field(default_factory=list)  # NS names with no address
    ds: dict[str, Reply] = field(default_factory=dict)  # parent server address -> DS reply
    dnskey: dict[str, Reply] = field(default_factory=dict)
    soa: dict[str, Reply] = field(default_factory=dict)
    ns: dict[str, Reply] = field(default_factory=dict)
    # each parent server's reply to the walked name: normally the referral to this zone
    referral: dict[str, Reply] = field(default_factory=dict)
    cds: dict[str, Reply] = field(default_factory=dict)  # child side: CDS (RFC 7344)
    cdnskey: dict[str, Reply] = field(default_factory=dict)  # child side: CDNSKEY


@dataclass
class NameAnswer:
    """Each server's reply to (qname, qtype) from the zone that holds qname.

    A CNAME chain gives one NameAnswer per name, in order.
    """

    qname: dns.name.Name
    qtype: dns.rdatatype.RdataType
    zone: dns.name.Name
    replies: dict[str, Reply] = field(default_factory=dict)


class ExtendedError(NamedTuple):
    """One Extended DNS Error option of a resolver's reply (RFC 8914 2)."""

    info_code: int
    label: str  # the IANA name, e.g. "Signature Expired"; "Unassigned" when unknown
    text: str | None  # the resolver's EXTRA-TEXT, if any


def extended_errors(reply: Reply) -> list[ExtendedError]:
    """The EDE options of *reply*'s OPT record, in order (none: no reply, no EDNS, no EDE)."""
    if reply.message is None:
        return []
    out = []
    for option in reply.message.extended_errors():
        code = int(option.code)
        try:
            label = dns.edns.EDECode(code).name.replace("_", " ").title()
        except ValueError:
            label = "Unassigned"
        label = _EDE_LABELS.get(code, label)
        out.append(ExtendedError(code, label, option.text or None))
    return out


#: RFC 8914 4 spellings where the enum's title case differs.
_EDE_LABELS = {1: "Unsupported DNSKEY Algorithm", 2: "Unsupported DS Digest Type",
               5: "DNSSEC Indeterminate", 6: "DNSSEC Bogus", 9: "DNSKEY Missing",
               10: "RRSIGs Missing", 12: "NSEC Missing",
               27: "Unsupported NSEC3 Iterations Value"}  # fmt: skip


class ResolverView(NamedTuple):
    """A validating resolver's answer with and without CD (is DNSSEC the cause?)."""

    address: str
    plain: Reply  # RD, DO, no CD: what users get
    checking_disabled: Reply  # RD, DO, CD: the data without validation

    @property
    def extended_errors(self) -> list[ExtendedError]:
        """What the resolver says about the answer users get (RFC 8914)."""
        return extended_errors(self.plain)


@dataclass
class Collection:
    """Everything the walk learnt, by zone, plus the Evidence it was learnt from."""

    evidence: Evidence
    zones: dict[dns.name.Name, ZoneCut]  # every zone met, root first
    answers: list[NameAnswer]  # the queried name, then each CNAME/DNAME target
    resolver: ResolverView | None = None
    problems: list[str] = field(default_factory=list)  # walk limits hit, loops, ... one line each
    rounds: int = 0  # sequential round trips the walk needed (its critical path)

    @property
    def limits_hit(self) -> list[str]:
        """The walk limits that stopped it or made it skip servers, once each, in order:
        the names in the problem lines ``limit NAME (value) ...`` (collect/limits.py)."""
        names: dict[str, None] = {}
        for line in self.problems:
            if line.startswith("limit "):
                names[line.split(" ", 2)[1]] = None
        return list(names)

    def chain_to(self, zone: dns.name.Name) -> list[ZoneCut]:
        """The zones from the top of the walk down to *zone*, in order."""
        chain: list[ZoneCut] = []
        current: dns.name.Name | None = zone
        while current is not None and current in self.zones:
            chain.append(self.zones[current])
            current = self.zones[current].parent
        return list(reversed(chain))
