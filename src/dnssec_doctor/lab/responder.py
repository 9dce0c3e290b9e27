"""The lab's authoritative answering logic: the zones at one address and a query in, a response out.

Pure: no sockets, no clock, no logging. It answers as BIND, NSD or Knot configured for
minimal responses would (RFC 1034 4.3.2 with the DNSSEC rules of RFC 4035 3.1 and RFC 5155
7.2), and it serves what the zones hold: a lab zone can be deliberately broken, so records
are chosen by their place in the zone (the NSEC preceding a name, the NSEC3 preceding its
hash), present RRSIGs are served and missing ones are not invented.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone
from dns.rdtypes.ANY.CNAME import CNAME
from dns.rdtypes.ANY.NS import NS
from dns.rdtypes.ANY.SOA import SOA

from dnssec_doctor.lab.zoneindex import ZoneIndex, is_dnssec_type, wildcard_of

EDNS_PAYLOAD = 1232  # what we advertise, and the most we send over UDP (DNS flag day 2020)
NO_EDNS_UDP_LIMIT = 512  # RFC 1035 4.2.1
TCP_LIMIT = 65535  # the 2-byte length prefix of RFC 1035 4.2.2
MAX_CNAME_CHAIN = 8  # CNAMEs followed inside a zone before giving up (loops, long chains)

_GLUE_TYPES = (dns.rdatatype.A, dns.rdatatype.AAAA)
# Meta query types we do not serve: incremental transfers, AXFR over UDP (RFC 5936 4.2; over
# TCP it is served by transfer_wire) and record types that only live in OPT/TSIG.
_REFUSED_QTYPES = frozenset(
    {
        dns.rdatatype.AXFR,
        dns.rdatatype.IXFR,
        dns.rdatatype.OPT,
        dns.rdatatype.TSIG,
        dns.rdatatype.TKEY,
        dns.rdatatype.MAILA,
        dns.rdatatype.MAILB,
    }
)


class Transport(StrEnum):
    UDP = "udp"
    TCP = "tcp"


@dataclass(frozen=True)
class WireReply:
    """What to send back for one packet, and why the packet was bad (for a debug log)."""

    wire: bytes | None  # None: send nothing
    problem: str | None = None


@dataclass
class _Sections:
    """A response under construction; RRsets are de-duplicated per section."""

    answer: list[dns.rrset.RRset] = field(default_factory=list)
    authority: list[dns.rrset.RRset] = field(default_factory=list)
    additional: list[dns.rrset.RRset] = field(default_factory=list)
    rcode: dns.rcode.Rcode = dns.rcode.NOERROR
    authoritative: bool = True

    @staticmethod
    def add(section: list[dns.rrset.RRset], rrsets: Iterable[dns.rrset.RRset]) -> None:
        for rrset in rrsets:
            if not any(_same_rrset(rrset, present) for present in section):
                section.append(rrset)


def _same_rrset(a: dns.rrset.RRset, b: dns.rrset.RRset) -> bool:
    return (a.name, a.rdtype, a.covers) == (b.name, b.rdtype, b.covers)


def _to_rrset(name: dns.name.Name, rdataset: dns.rdataset.Rdataset) -> dns.rrset.RRset:
    """An RRset keeping the zone's TTL."""
    return dns.rrset.from_rdata_list(name, rdataset.ttl, list(rdataset))


class Responder:
    """Answers queries for the zones served at one address."""

    def __init__(self, zones: Mapping[dns.name.Name | str, dns.zone.Zone | ZoneIndex]) -> None:
        self._zones: dict[dns.name.Name, ZoneIndex] = {}
        for key, zone in zones.items():
            index = zone if isinstance(zone, ZoneIndex) else ZoneIndex(zone)
            origin = dns.name.from_text(key) if isinstance(key, str) else key
            if origin != index.origin:
                raise ValueError(f"zone {index.origin} given as {origin}")
            self._zones[origin] = index

    @property
    def origins(self) -> list[dns.name.Name]:
        return sorted(self._zones)

    # -- wire level ------------------------------------------------------------------------

    def answer_wire(self, wire: bytes, transport: Transport) -> WireReply:
        """Parse a packet, answer it and render the answer within the transport's size limit.

        Never raises: a packet that is not a query, or whose header cannot be read, gets no
        answer; a query that cannot be parsed gets FORMERR.
        """
        try:
            query = dns.message.from_wire(wire)
        except Exception as error:  # dnspython raises many types for malformed input
            return _formerr_from_header(wire, f"unparseable query: {_describe(error)}")
        if query.flags & dns.flags.QR:
            return WireReply(None, "a response, not a query")
        try:
            response = self.respond(query)
            return WireReply(_render(response, _size_limit(query, transport)))
        except Exception as error:  # a bug must cost one answer, not the server
            return _formerr_from_header(wire, f"cannot answer: {_describe(error)}")

    def transfer_wire(self, wire: bytes) -> list[bytes] | None:
        """The AXFR response messages (RFC 5936) when ``wire`` asks for a zone transfer
        of a zone served here; a REFUSED answer for a zone not served; None when it is
        not an AXFR query (then :meth:`answer_wire` answers it)."""
        try:
            query = dns.message.from_wire(wire)
        except Exception:  # answer_wire reports it
            return None
        if (
            query.flags & dns.flags.QR
            or _check_query(query) is not None
            or query.question[0].rdtype != dns.rdatatype.AXFR
        ):
            return None
        question = query.question[0]
        index = self._zones.get(question.name)
        if index is None or question.rdclass != dns.rdataclass.IN:
            return [_error_response(query, dns.rcode.REFUSED).to_wire()]
        return [m.to_wire() for m in _transfer_messages(query, index.zone)]

    # -- message level ---------------------------------------------------------------------

    def respond(self, query: dns.message.Message) -> dns.message.Message:
        """The response to a parsed query."""
        refusal = _check_query(query)
        if refusal is not None:
            return _error_response(query, refusal)
        response = _skeleton(query)
        if query.edns > 0:
            response.set_rcode(dns.rcode.BADVERS)  # we speak EDNS version 0 only (RFC 6891)
            return response
        question = query.question[0]
        qname, qtype = question.name, question.rdtype
        if question.rdclass != dns.rdataclass.IN or qtype in _REFUSED_QTYPES:
            response.set_rcode(dns.rcode.REFUSED)
            return response
        index = self._zone_for(qname, qtype)
        if index is None:
            response.set_rcode(dns.rcode.REFUSED)
            return response
        sections = _Sections()
        _ZoneAnswer(index, qtype, _wants_dnssec(query), sections).lookup(qname)
        _fill(response, sections)
        return response

    def _zone_for(self, qname: dns.name.Name, qtype: dns.rdatatype.RdataType) -> ZoneIndex | None:
        """The deepest zone holding *qname*; for DS at an apex the parent, if served (RFC 4035
        3.1.4.1), since DS belongs to the parent side of the cut."""
        index = self._deepest_zone(qname)
        at_apex = index is not None and index.origin == qname != dns.name.root
        if at_apex and qtype == dns.rdatatype.DS:
            return self._deepest_zone(qname.parent()) or index
        return index

    def _deepest_zone(self, name: dns.name.Name) -> ZoneIndex | None:
        candidate = name
        while True:
            index = self._zones.get(candidate)
            if index is not None:
                return index
            if candidate == dns.name.root:
                return None
            candidate = candidate.parent()


class _ZoneAnswer:
    """The answer to one question from one zone (RFC 1034 4.3.2 steps 3a-3c)."""

    def __init__(
        self,
        index: ZoneIndex,
        qtype: dns.rdatatype.RdataType,
        dnssec: bool,
        sections: _Sections,
    ) -> None:
        self.index = index
        self.qtype = qtype
        self.dnssec = dnssec
        self.out = sections

    def lookup(self, qname: dns.name.Name) -> None:
        seen: set[dns.name.Name] = set()
        name: dns.name.Name | None = qname
        # Each step answers one name; a CNAME inside the zone hands over to its target.
        while name is not None and name not in seen and len(seen) <= MAX_CNAME_CHAIN:
            seen.add(name)
            name = self._answer_name(name)

    def _answer_name(self, name: dns.name.Name) -> dns.name.Name | None:
        """Answer for *name*; return the CNAME target to follow, if any."""
        index = self.index
        if not name.is_subdomain(index.origin):
            return None
        cut = index.delegation_above(name, include_self=not self._parent_side(name))
        if cut is not None:
            self._referral(cut)
            return None
        if not index.exists(name):
            self._nxdomain(name)
            return None
        if self._positive(name):
            return None
        cname = index.rdataset(name, dns.rdatatype.CNAME)
        if cname is not None and self.qtype != dns.rdatatype.CNAME:
            _Sections.add(self.out.answer, self._with_signatures(name, cname))
            target = next((r.target for r in cname if isinstance(r, CNAME)), None)
            return target
        self._nodata(name)
        return None

    def _parent_side(self, name: dns.name.Name) -> bool:
        """DS at a cut, and the NSEC there in an NSEC zone, are the parent's own data: they
        are answered, not referred (RFC 4035 3.1.4.1; BIND does the same for NSEC)."""
        if self.qtype == dns.rdatatype.DS:
            return True
        nsec = self.index.rdataset(name, dns.rdatatype.NSEC)
        return self.qtype == dns.rdatatype.NSEC and nsec is not None

    # -- answers ---------------------------------------------------------------------------

    def _positive(self, name: dns.name.Name) -> bool:
        found = self._requested_rdatasets(name)
        for rdataset in found:
            _Sections.add(self.out.answer, self._with_signatures(name, rdataset))
            if self.qtype == dns.rdatatype.NS:
                # Addresses of the servers, as BIND does even with minimal responses: a
                # resolver priming from this answer needs them.
                _Sections.add(self.out.additional, self._addresses(rdataset))
        return bool(found)

    def _requested_rdatasets(self, name: dns.name.Name) -> list[dns.rdataset.Rdataset]:
        index, qtype = self.index, self.qtype
        if qtype == dns.rdatatype.ANY:
            # Signatures come along with each RRset below; denial records only with DO.
            return [
                r
                for r in index.rdatasets(name)
                if r.rdtype != dns.rdatatype.RRSIG and (self.dnssec or not is_dnssec_type(r.rdtype))
            ]
        if qtype == dns.rdatatype.RRSIG:
            # Asked for by name, so served without DO too (RFC 3225 3).
            return [r for r in index.rdatasets(name) if r.rdtype == dns.rdatatype.RRSIG]
        found = index.rdataset(name, qtype)
        return [found] if found is not None else []

    def _nodata(self, name: dns.name.Name) -> None:
        self._add_soa()
        if self.dnssec:
            self._add_denial(self._nodata_proof(name))

    def _nxdomain(self, name: dns.name.Name) -> None:
        self.out.rcode = dns.rcode.NXDOMAIN
        self._add_soa()
        if self.dnssec:
            self._add_denial(self._nxdomain_proof(name))

    def _referral(self, cut: dns.name.Name) -> None:
        """NS of the child in authority, DS or its denial, glue in additional (RFC 4035 3.1.4)."""
        index, out = self.index, self.out
        if not out.answer:
            out.authoritative = False  # AA stays set only after an in-zone CNAME
        ns = index.rdataset(cut, dns.rdatatype.NS)
        if ns is None:
            return
        _Sections.add(out.authority, [_to_rrset(cut, ns)])
        if self.dnssec:
            ds = index.rdataset(cut, dns.rdatatype.DS)
            if ds is not None:
                _Sections.add(out.authority, self._with_signatures(cut, ds))
            else:
                self._add_denial(self._nodata_proof(cut))
        _Sections.add(out.additional, self._addresses(ns))

    def _addresses(self, ns: dns.rdataset.Rdataset) -> list[dns.rrset.RRset]:
        """A/AAAA of the NS names inside this zone, glue or authoritative (then with their
        RRSIGs under DO); names outside the zone are not ours to give."""
        found: list[dns.rrset.RRset] = []
        for rdata in ns:
            if not isinstance(rdata, NS) or not rdata.target.is_subdomain(self.index.origin):
                continue
            for rdtype in _GLUE_TYPES:
                addresses = self.index.rdataset(rdata.target, rdtype)
                if addresses is not None:
                    found.extend(self._with_signatures(rdata.target, addresses))
        return found

    # -- denial of existence ---------------------------------------------------------------

    def _nodata_proof(self, name: dns.name.Name) -> list[dns.name.Name]:
        """Owners of the records that deny a type at *name* (RFC 4035 3.1.3.1, RFC 5155
        7.2.3/7.2.4); without an NSEC3 matching *name* (opt-out), the closest encloser proof."""
        index = self.index
        if not index.uses_nsec3:
            return _present([index.nsec_owner_for(name)])
        matching = index.nsec3_owner_matching(name)
        if matching is not None:
            return [matching]
        encloser = index.closest_provable_encloser(name)
        return _present([index.nsec3_owner_for(encloser), self._next_closer_cover(name, encloser)])

    def _nxdomain_proof(self, name: dns.name.Name) -> list[dns.name.Name]:
        """Owners of the records proving *name* and the wildcard at its closest encloser do
        not exist (RFC 4035 3.1.3.2; RFC 5155 7.2.2)."""
        index = self.index
        encloser = index.closest_encloser(name)
        if index.uses_nsec3:
            encloser = index.closest_provable_encloser(encloser)
            owners = [index.nsec3_owner_for(encloser), self._next_closer_cover(name, encloser)]
            wildcard = wildcard_of(encloser)
            owners.append(index.nsec3_owner_for(wildcard) if wildcard is not None else None)
        else:
            wildcard = wildcard_of(encloser)
            owners = [index.nsec_owner_for(name)]
            owners.append(index.nsec_owner_for(wildcard) if wildcard is not None else None)
        return _present(owners)

    def _next_closer_cover(
        self, name: dns.name.Name, encloser: dns.name.Name
    ) -> dns.name.Name | None:
        """The NSEC3 preceding the next closer name: *encloser* plus one label of *name*."""
        if name == encloser or not name.is_subdomain(encloser):
            return None
        next_closer = name.split(len(encloser.labels) + 1)[1]
        return self.index.nsec3_owner_for(next_closer)

    def _add_denial(self, owners: list[dns.name.Name]) -> None:
        rdtype = dns.rdatatype.NSEC3 if self.index.uses_nsec3 else dns.rdatatype.NSEC
        for owner in owners:
            found = self.index.rdataset(owner, rdtype)
            if found is not None:
                _Sections.add(self.out.authority, self._with_signatures(owner, found))

    def _add_soa(self) -> None:
        """The SOA of a negative answer, it and its RRSIGs with the negative caching TTL:
        min(SOA TTL, SOA MINIMUM) (RFC 2308 section 3), as BIND, NSD and Knot send it."""
        origin = self.index.origin
        soa = self.index.rdataset(origin, dns.rdatatype.SOA)
        if soa is None:
            return
        minimum = min((r.minimum for r in soa if isinstance(r, SOA)), default=soa.ttl)
        rrsets = self._with_signatures(origin, soa)
        for rrset in rrsets:
            rrset.ttl = min(rrset.ttl, minimum)
        _Sections.add(self.out.authority, rrsets)

    def _with_signatures(
        self, name: dns.name.Name, rdataset: dns.rdataset.Rdataset
    ) -> list[dns.rrset.RRset]:
        """The RRset, then the RRSIGs the zone holds for it when DO is set."""
        rrsets = [_to_rrset(name, rdataset)]
        if self.dnssec and rdataset.rdtype != dns.rdatatype.RRSIG:
            signatures = self.index.rdataset(name, dns.rdatatype.RRSIG, rdataset.rdtype)
            if signatures is not None:
                rrsets.append(_to_rrset(name, signatures))
        return rrsets


def _present(owners: list[dns.name.Name | None]) -> list[dns.name.Name]:
    """Drop missing owners and repeats, keeping order."""
    unique: list[dns.name.Name] = []
    for owner in owners:
        if owner is not None and owner not in unique:
            unique.append(owner)
    return unique


# -- message helpers -----------------------------------------------------------------------


#: Answer bytes per AXFR message: well under the 65535 a TCP message can hold.
TRANSFER_MESSAGE_BYTES = 16_000


def _transfer_messages(
    query: dns.message.Message, zone: dns.zone.Zone
) -> list[dns.message.Message]:
    """RFC 5936 2.2: the SOA, every other RRset of the zone, the SOA again; RRsets
    packed into messages of about TRANSFER_MESSAGE_BYTES, the question in the first."""
    origin = zone.origin
    assert origin is not None
    soa = zone.find_rrset(origin, dns.rdatatype.SOA)
    rrsets = [soa]
    for name, node in zone.nodes.items():
        for rdataset in node.rdatasets:
            if name == origin and rdataset.rdtype == dns.rdatatype.SOA:
                continue
            rrsets.append(_to_rrset(name, rdataset))
    rrsets.append(soa)
    messages: list[dns.message.Message] = []
    current = dns.message.make_response(query)
    size = 0
    for rrset in rrsets:
        owner = len(rrset.name.to_wire() or b"")
        length = sum(owner + 10 + len(rd.to_wire() or b"") for rd in rrset)
        if size and size + length > TRANSFER_MESSAGE_BYTES:
            messages.append(current)
            current = dns.message.make_response(query)
            current.question = []
            size = 0
        current.answer.append(rrset)
        size += length
    messages.append(current)
    for message in messages:
        message.flags |= dns.flags.AA
    return messages


def _check_query(query: dns.message.Message) -> dns.rcode.Rcode | None:
    """The error rcode for a query we will not look up, None for a good one."""
    if query.flags & dns.flags.QR:
        return dns.rcode.FORMERR
    if query.opcode() != dns.opcode.QUERY:
        return dns.rcode.NOTIMP
    if len(query.question) != 1:
        return dns.rcode.FORMERR
    return None


def _skeleton(query: dns.message.Message) -> dns.message.Message:
    """An empty response: question, RD and CD copied, EDNS 0 with our payload and DO echoed."""
    response = dns.message.make_response(query, our_payload=EDNS_PAYLOAD)
    response.flags |= query.flags & dns.flags.CD
    if _wants_dnssec(query):
        response.want_dnssec(True)
    return response


def _wants_dnssec(query: dns.message.Message) -> bool:
    # Read the DO bit directly: Message.want_dnssec() is a setter, not a getter.
    return query.edns >= 0 and bool(query.ednsflags & dns.flags.DO)


def _error_response(query: dns.message.Message, rcode: dns.rcode.Rcode) -> dns.message.Message:
    """An error answer that does not depend on what the query's sections hold."""
    response = dns.message.Message(id=query.id)
    response.flags = dns.flags.QR | (query.flags & dns.flags.RD)
    response.set_opcode(query.opcode())
    if query.opcode() == dns.opcode.QUERY and len(query.question) == 1:
        response.question = list(query.question)
    response.set_rcode(rcode)
    return response


def _fill(response: dns.message.Message, sections: _Sections) -> None:
    response.answer = sections.answer
    response.authority = sections.authority
    response.additional = sections.additional
    response.set_rcode(sections.rcode)
    if sections.authoritative:
        response.flags |= dns.flags.AA


def _size_limit(query: dns.message.Message, transport: Transport) -> int:
    if transport == Transport.TCP:
        return TCP_LIMIT
    if query.edns < 0:
        return NO_EDNS_UDP_LIMIT
    # Payloads below 512 mean 512 (RFC 6891 6.2.5); above ours, ours.
    return min(max(query.payload, NO_EDNS_UDP_LIMIT), EDNS_PAYLOAD)


def _render(response: dns.message.Message, limit: int) -> bytes:
    """Wire format within *limit*; too big: TC with the question only (RFC 2181 9)."""
    try:
        return response.to_wire(max_size=limit)
    except dns.exception.TooBig:
        response.answer, response.authority, response.additional = [], [], []
        response.flags |= dns.flags.TC
        return response.to_wire(max_size=limit)


def _formerr_from_header(wire: bytes, problem: str) -> WireReply:
    """FORMERR when at least the header can be read; silence for packets that are not
    queries at all, so the lab never answers responses or noise."""
    if len(wire) < 12:
        return WireReply(None, problem)
    try:
        # Parse the header alone: the ID and flags with all section counts set to zero.
        header = dns.message.from_wire(wire[:4] + bytes(8))
    except Exception:
        return WireReply(None, problem)
    if header.flags & dns.flags.QR:
        return WireReply(None, problem)
    response = dns.message.Message(id=header.id)
    response.flags = dns.flags.QR | (header.flags & dns.flags.RD)
    response.set_opcode(header.opcode())
    response.set_rcode(dns.rcode.FORMERR)
    return WireReply(response.to_wire(), problem)


def _describe(error: Exception) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
