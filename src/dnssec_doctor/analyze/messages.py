"""Pulling RRsets and their signatures out of one server's reply."""

from __future__ import annotations

from collections.abc import Iterable

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from dnssec_doctor.model.collection import Reply

T = dns.rdatatype.RdataType


def rrset_in(
    section: Iterable[dns.rrset.RRset], name: dns.name.Name, rdtype: int, covers: int = 0
) -> dns.rrset.RRset | None:
    for rrset in section:
        if rrset.name == name and rrset.rdtype == rdtype and rrset.covers == covers:
            return rrset
    return None


def answer_rrset(reply: Reply, name: dns.name.Name, rdtype: int) -> dns.rrset.RRset | None:
    if reply.message is None:
        return None
    return rrset_in(reply.message.answer, name, rdtype)


def signatures(
    section: Iterable[dns.rrset.RRset], rrset: dns.rrset.RRset
) -> dns.rrset.RRset | None:
    """The RRSIG RRset covering *rrset* in the same section."""
    return rrset_in(section, rrset.name, T.RRSIG, rrset.rdtype)


def authority(reply: Reply) -> list[dns.rrset.RRset]:
    return list(reply.message.authority) if reply.message is not None else []


def denial_rrsets(reply: Reply) -> list[dns.rrset.RRset]:
    """NSEC and NSEC3 RRsets of the authority section (proof material)."""
    return [r for r in authority(reply) if r.rdtype in (T.NSEC, T.NSEC3)]


def rcode(reply: Reply) -> int | None:
    return reply.message.rcode() if reply.message is not None else None


def is_authoritative(reply: Reply) -> bool:
    return reply.message is not None and bool(reply.message.flags & dns.flags.AA)


def answered(reply: Reply) -> bool:
    """A usable authoritative reply: NOERROR or NXDOMAIN with AA."""
    return is_authoritative(reply) and rcode(reply) in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN)


def soa_serial(reply: Reply, zone: dns.name.Name) -> int | None:
    rrset = answer_rrset(reply, zone, T.SOA)
    return int(rrset[0].serial) if rrset else None


def any_rrsig(reply: Reply) -> bool:
    if reply.message is None:
        return False
    sections = (reply.message.answer, reply.message.authority)
    return any(r.rdtype == T.RRSIG for section in sections for r in section)


def failure(reply: Reply) -> str:
    """Why a reply is not a usable authoritative answer, in a few words."""
    if reply.message is None:
        return f"no answer ({reply.exchange.error})"
    if not is_authoritative(reply):
        return f"not authoritative ({dns.rcode.to_text(reply.message.rcode())}, no AA)"
    return f"answered {dns.rcode.to_text(reply.message.rcode())}"
