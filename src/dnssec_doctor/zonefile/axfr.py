"""A zone transfer (AXFR, RFC 5936) as a record source for verify.

The transfer is spooled to a temporary file of wire-format records while it arrives,
so a big zone is never held whole and can be read twice (``verify.py`` reads a zone
again when its owners are not grouped).  Every way a transfer can fail — refused,
not authoritative, cut off before the closing SOA, timed out, garbage — becomes one
:class:`~load.ZoneLoadError` line.
"""

from __future__ import annotations

import ipaddress
import os
import struct
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import dns.exception
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype

from dnssec_doctor.zonefile.load import ZoneLoadError
from dnssec_doctor.zonefile.reader import Record
from dnssec_doctor.zonefile.wire import canonical

_HEAD = struct.Struct("!BIHH")  # owner length, TTL, type, RDATA length
_SOA, _NS, _DNAME = int(dns.rdatatype.SOA), int(dns.rdatatype.NS), int(dns.rdatatype.DNAME)


@dataclass(frozen=True)
class Transfer:
    """A finished transfer: the spool file and what messages call it, and the owners
    of its NS (the apex's aside) and DNAME records, seen on the way: servers send
    names in their database's order, glue before its delegation as often as not."""

    path: str
    name: str
    origin: dns.name.Name
    records: int
    cuts: frozenset[bytes] = frozenset()
    dnames: frozenset[bytes] = frozenset()


def _address(server: str) -> str:
    try:
        return str(ipaddress.ip_address(server))
    except ValueError:
        raise ZoneLoadError(f"--axfr wants the server's IP address, not {server!r}") from None


@dataclass
class _Spooled:
    count: int = 0
    cuts: set[bytes] = field(default_factory=set)
    dnames: set[bytes] = field(default_factory=set)


def _spool(server: str, port: int, origin: dns.name.Name, timeout: float, path: str) -> _Spooled:
    spooled = _Spooled()
    apex = canonical(origin)
    with open(path, "wb") as out:
        first_soa: bytes | None = None
        for message in dns.query.xfr(
            server, origin, port=port, timeout=timeout, lifetime=None, relativize=False
        ):
            for rrset in message.answer:
                owner = canonical(rrset.name)
                if rrset.rdtype == _NS and owner != apex:
                    spooled.cuts.add(owner)
                elif rrset.rdtype == _DNAME:
                    spooled.dnames.add(owner)
                for rd in rrset:
                    rdata = rd.to_digestable()
                    if rrset.rdtype == _SOA and owner == apex:
                        if first_soa is None:
                            first_soa = rdata
                        elif rdata == first_soa:
                            continue  # the closing SOA (RFC 5936 2.2)
                    out.write(_HEAD.pack(len(owner), rrset.ttl, rrset.rdtype, len(rdata)))
                    out.write(owner)
                    out.write(rdata)
                    spooled.count += 1
    return spooled


@contextmanager
def transfer(server: str, origin: str, port: int = 53, timeout: float = 10.0) -> Iterator[Transfer]:
    """Transfer ``origin`` from ``server`` into a spool file, removed afterwards."""
    address = _address(server)
    try:
        zone = dns.name.from_text(origin)
    except (dns.exception.DNSException, ValueError, UnicodeError) as error:
        raise ZoneLoadError(f"not a valid zone name: {origin!r}") from error
    where = f"AXFR of {zone} from {address}" + (f" port {port}" if port != 53 else "")
    handle, path = tempfile.mkstemp(prefix="dnssec-doctor-axfr-")
    os.close(handle)
    try:
        try:
            spooled = _spool(address, port, zone, timeout, path)
        except dns.query.TransferError as error:
            rcode = dns.rcode.to_text(error.rcode)
            raise ZoneLoadError(f"{where}: the server answered {rcode}") from error
        except EOFError as error:
            raise ZoneLoadError(f"{where}: the transfer was cut off before its end") from error
        except (TimeoutError, dns.exception.Timeout) as error:
            raise ZoneLoadError(f"{where}: no answer within {timeout:g} s") from error
        except ConnectionRefusedError as error:
            raise ZoneLoadError(f"{where}: connection refused") from error
        except OSError as error:
            raise ZoneLoadError(f"{where}: {error.strerror or error}") from error
        except dns.exception.DNSException as error:
            why = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise ZoneLoadError(f"{where}: not a usable transfer: {why}") from error
        if spooled.count == 0:
            raise ZoneLoadError(f"{where}: the transfer held no records")
        cuts, dnames = frozenset(spooled.cuts), frozenset(spooled.dnames)
        yield Transfer(path, where, zone, spooled.count, cuts, dnames)
    finally:
        os.unlink(path)


def spooled_records(source: Transfer) -> Iterator[Record]:
    """The records of a finished transfer, in the order they arrived."""
    with open(source.path, "rb") as spool:
        data = spool.read(1 << 20)
        at = 0
        while True:
            if len(data) - at < _HEAD.size:
                more = spool.read(1 << 20)
                if not more:
                    return
                data, at = data[at:] + more, 0
                continue
            owner_length, ttl, rdtype, rdata_length = _HEAD.unpack_from(data, at)
            end = at + _HEAD.size + owner_length + rdata_length
            if end > len(data):
                more = spool.read(max(1 << 20, end - len(data)))
                if not more:
                    return
                data, at = data[at:] + more, 0
                continue
            start = at + _HEAD.size
            owner = data[start : start + owner_length]
            rdata = data[start + owner_length : end]
            yield Record(owner, ttl, rdtype, rdata, 0)
            at = end


__all__ = ["Transfer", "spooled_records", "transfer"]
