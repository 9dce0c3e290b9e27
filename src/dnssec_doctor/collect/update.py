"""Sending one RFC 2136 UPDATE signed with TSIG (RFC 8945) to one server, over TCP.

The only write the project ever sends: ``ds push`` replacing a DS RRset at the parent's
primary. Network trouble and the server's refusals never raise past :func:`send_update`:
they are an :class:`UpdateOutcome` whose ``error`` is one line.
"""

from __future__ import annotations

import socket
from typing import NamedTuple

import dns.exception
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.tsig
import dns.update
from dns.rdata import Rdata


class TsigKey(NamedTuple):
    """A TSIG key as ``tsig-keygen`` writes it: name, algorithm, secret (base64)."""

    name: dns.name.Name
    algorithm: dns.name.Name
    secret: str


class UpdateOutcome(NamedTuple):
    rcode: str | None  # the server's RCODE (NOERROR on success); None: no answer
    error: str | None  # one line; None: the update was applied


def replace_rrset(
    zone: dns.name.Name, owner: dns.name.Name, records: list[Rdata], ttl: int, key: TsigKey
) -> dns.update.UpdateMessage:
    """An UPDATE of *zone* that deletes the RRset of *records*' type at *owner* and adds
    *records*, in one message (RFC 2136 3.4: applied atomically)."""
    update = dns.update.UpdateMessage(
        zone, keyring={key.name: dns.tsig.Key(key.name, key.secret, key.algorithm)},
        keyname=key.name, keyalgorithm=key.algorithm,
    )  # fmt: skip
    rdtype = records[0].rdtype if records else dns.rdatatype.DS
    update.delete(owner, rdtype)
    for record in records:
        update.add(owner, ttl, record)
    return update


def send_update(
    update: dns.update.UpdateMessage, server: str, port: int, timeout: float
) -> UpdateOutcome:
    """Send *update* to *server* over TCP and read the server's verdict."""
    try:
        response = dns.query.tcp(update, server, port=port, timeout=timeout)
    except dns.tsig.PeerBadKey:
        return UpdateOutcome("NOTAUTH", "the server does not know the TSIG key (BADKEY)")
    except dns.tsig.PeerBadSignature:
        return UpdateOutcome(
            "NOTAUTH", "the server refused the TSIG signature (BADSIG: wrong secret?)"
        )
    except dns.tsig.PeerBadTime:
        return UpdateOutcome(
            "NOTAUTH", "the server refused the TSIG time (BADTIME: check the clock)"
        )
    except dns.tsig.PeerError as error:
        return UpdateOutcome("NOTAUTH", f"the server refused the TSIG key ({error})")
    except dns.exception.Timeout:
        return UpdateOutcome(None, f"no answer from {server} port {port} within {timeout:g} s")
    except (ConnectionError, socket.gaierror, OSError) as error:
        why = error.strerror or type(error).__name__
        return UpdateOutcome(None, f"cannot reach {server} port {port}: {why}")
    except dns.exception.DNSException as error:
        return UpdateOutcome(None, f"{server} sent an answer that does not parse: {error}")
    rcode = dns.rcode.to_text(response.rcode())
    if response.rcode() != dns.rcode.NOERROR:
        meaning = _RCODES.get(rcode, "the server refused the update")
        return UpdateOutcome(rcode, f"{server} answered {rcode}: {meaning}")
    return UpdateOutcome(rcode, None)


_RCODES = {
    "REFUSED": "the key is not allowed to update this zone (allow-update / update-policy)",
    "NOTAUTH": "the server is not authoritative for the zone, or refused the key",
    "NOTZONE": "the DS owner is not in the zone",
    "SERVFAIL": "the server failed to apply the update",
}


__all__ = ["TsigKey", "UpdateOutcome", "replace_rrset", "send_update"]
