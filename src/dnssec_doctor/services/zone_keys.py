"""The apex DNSKEY RRset of a zone file and the RRSIGs over it: what `ds show
--zone-file` makes DS records from (read by verify's reader, so every zone verify reads
is read the same way)."""

from __future__ import annotations

from typing import NamedTuple

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from dnssec_doctor.zonefile.load import ZoneLoadError, fast_records, open_zone
from dnssec_doctor.zonefile.wire import canonical


class ZoneKeysError(Exception):
    """The zone file cannot give its keys; the message is one line."""


class ApexKeys(NamedTuple):
    origin: dns.name.Name
    name: str  # how messages call the file
    dnskey: dns.rrset.RRset
    rrsigs: dns.rrset.RRset | None  # RRSIGs over the DNSKEY RRset, if the file holds any


def apex_keys(source: str, origin: str | None = None) -> ApexKeys:
    """The DNSKEY RRset at the zone's apex (and its RRSIGs) from the zone file *source*;
    ``origin`` when the file does not say it (as ``verify --origin``)."""
    try:
        with open_zone(source, origin) as zone:
            apex = canonical(zone.origin)
            dnskey: dns.rrset.RRset | None = None
            rrsigs: dns.rrset.RRset | None = None
            for record in fast_records(zone):
                if record.owner != apex:
                    continue
                if record.rdtype == dns.rdatatype.DNSKEY:
                    dnskey = _add(dnskey, zone.origin, record.ttl, record.rdtype, record.rdata)
                elif record.rdtype == dns.rdatatype.RRSIG and _covers_dnskey(record.rdata):
                    rrsigs = _add(rrsigs, zone.origin, record.ttl, record.rdtype, record.rdata)
            name = zone.name
            found = zone.origin
    except ZoneLoadError as error:
        raise ZoneKeysError(str(error)) from error
    if dnskey is None:
        raise ZoneKeysError(f"{name}: no DNSKEY record at the apex {found}")
    return ApexKeys(found, name, dnskey, rrsigs)


def _covers_dnskey(rdata: bytes) -> bool:
    return int.from_bytes(rdata[:2], "big") == dns.rdatatype.DNSKEY


def _add(
    rrset: dns.rrset.RRset | None, owner: dns.name.Name, ttl: int, number: int, wire: bytes
) -> dns.rrset.RRset:
    rdtype = dns.rdatatype.RdataType.make(number)
    try:
        rdata = dns.rdata.from_wire(dns.rdataclass.IN, rdtype, wire, 0, len(wire))
    except dns.exception.DNSException as error:
        raise ZoneKeysError(
            f"a {dns.rdatatype.to_text(rdtype)} record does not parse: {error}"
        ) from None
    if rrset is None:
        rrset = dns.rrset.RRset(owner, dns.rdataclass.IN, rdtype)
    rrset.add(rdata, ttl)
    return rrset


__all__ = ["ApexKeys", "ZoneKeysError", "apex_keys"]
