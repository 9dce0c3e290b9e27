"""One zone's keys and signers as every server serves them: what the rollover stages
(analyze/rollover.py) are recognised from. Structural: which key tags sign what (RRSIGs
present), not whether the signatures verify; the chain's judgment says that."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import dns.name
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.DS import DS
from dns.rdtypes.ANY.RRSIG import RRSIG
from dns.rdtypes.dsbase import DSBase

from dnssec_doctor.analyze import messages as M
from dnssec_doctor.model.analysis import ZoneResult
from dnssec_doctor.model.collection import Collection, Reply, ZoneCut
from dnssec_doctor.validate.algorithms import (
    algorithm_name,
    is_validated_algorithm,
    is_validated_digest,
)
from dnssec_doctor.validate.records import key_tag

T = dns.rdatatype.RdataType
SEP = 0x0001  # DNSKEY flags: secure entry point (RFC 4034 2.1.1)
ZONE = 0x0100
REVOKE = 0x0080
KEY_RRSETS = (T.DNSKEY, T.CDS, T.CDNSKEY)  # signed by the KSKs (RFC 7344 4.1)

Key = tuple[int, int]  # (algorithm, key tag)


class Snapshot(NamedTuple):
    """What every server of one zone shows of its keys and signatures."""

    zone: dns.name.Name
    keys: dict[Key, DNSKEY]  # zone keys, not revoked, published at some server
    at_server: dict[str, set[Key]]  # each answering server's published keys
    dnskey_signers: set[Key]  # keys named by an RRSIG over the DNSKEY RRset
    data: dict[str, set[Key]]  # "owner TYPE" -> keys named by its RRSIGs (the zone's data)
    ds: set[Key]  # the parent's DS records of algorithms and digests validators use
    cds: set[Key]  # the zone's CDS records
    dnskey_ttl: int
    ds_ttl: int
    data_ttl: int

    @property
    def sep(self) -> set[Key]:
        return {k for k, key in self.keys.items() if key.flags & SEP}

    @property
    def zsk(self) -> set[Key]:
        return {k for k, key in self.keys.items() if not key.flags & SEP}

    @property
    def data_signers(self) -> set[Key]:
        return set().union(*self.data.values()) if self.data else set()


def snapshot(cut: ZoneCut, collection: Collection, result: ZoneResult) -> Snapshot | None:
    """The zone's keys and signers as its servers serve them (None: no DNSKEY seen)."""
    keys: dict[Key, DNSKEY] = {}
    at_server: dict[str, set[Key]] = {}
    dnskey_signers: set[Key] = set()
    dnskey_ttl = 0
    for server, reply in cut.dnskey.items():
        rrset = M.answer_rrset(reply, cut.name, T.DNSKEY)
        if rrset is None or reply.message is None:
            continue
        dnskey_ttl = max(dnskey_ttl, rrset.ttl)
        published = {_key(k): k for k in rrset if isinstance(k, DNSKEY) and _usable(k)}
        keys.update(published)
        at_server[server] = set(published)
        dnskey_signers |= _signers(M.signatures(reply.message.answer, rrset), cut.name)
    if not keys:
        return None
    data: dict[str, set[Key]] = {}
    ttls = [0]
    for reply in _data_replies(cut, collection):
        for rrsig_set in _rrsigs(reply):
            if rrsig_set.covers in KEY_RRSETS:
                continue
            signers = _signers(rrsig_set, cut.name)
            if signers:
                what = f"{rrsig_set.name} {T(rrsig_set.covers).name}"
                data.setdefault(what, set()).update(signers)
                ttls += [s.original_ttl for s in rrsig_set if isinstance(s, RRSIG)]
    ds_rrset = result.ds
    ds = {
        (int(d.algorithm), d.key_tag)
        for d in ds_rrset or []
        if isinstance(d, DS)
        and is_validated_algorithm(d.algorithm)
        and is_validated_digest(d.digest_type)
    }
    cds: set[Key] = set()
    for reply in cut.cds.values():
        records = M.answer_rrset(reply, cut.name, T.CDS)
        cds |= {(int(d.algorithm), d.key_tag) for d in records or [] if isinstance(d, DSBase)}
    return Snapshot(
        zone=cut.name,
        keys=keys,
        at_server=at_server,
        dnskey_signers=dnskey_signers,
        data=data,
        ds=ds,
        cds=cds,
        dnskey_ttl=dnskey_ttl,
        ds_ttl=ds_rrset.ttl if ds_rrset is not None else 0,
        data_ttl=max(ttls),
    )


# --- helpers (label, labels, sorted_labels, of_algorithm: the stages' too) ------------


def _key(key: DNSKEY) -> Key:
    return int(key.algorithm), key_tag(key)


def _usable(key: DNSKEY) -> bool:
    return bool(key.flags & ZONE) and not key.flags & REVOKE and key.protocol == 3


def _signers(rrsigs: dns.rrset.RRset | None, zone: dns.name.Name) -> set[Key]:
    return {
        (int(s.algorithm), s.key_tag)
        for s in rrsigs or []
        if isinstance(s, RRSIG) and s.signer == zone
    }


def _rrsigs(reply: Reply) -> Iterable[dns.rrset.RRset]:
    if reply.message is None:
        return []
    sections = (reply.message.answer, reply.message.authority)
    return [r for section in sections for r in section if r.rdtype == T.RRSIG]


def _data_replies(cut: ZoneCut, collection: Collection) -> list[Reply]:
    """The replies that carry the zone's own signed data: its SOA and NS, and the
    answers from it."""
    replies = [*cut.soa.values(), *cut.ns.values()]
    for answer in collection.answers:
        if answer.zone == cut.name:
            replies += answer.replies.values()
    return [r for r in replies if M.answered(r)]


def of_algorithm(keys: dict[Key, DNSKEY], algorithm: int) -> set[Key]:
    return {k for k in keys if k[0] == algorithm}


def label(key: Key) -> str:
    return f"{key[1]}/{algorithm_name(key[0])}"


def sorted_labels(keys: set[Key]) -> tuple[str, ...]:
    return tuple(label(k) for k in sorted(keys, key=lambda k: (k[1], k[0])))


def labels(keys: set[Key]) -> str:
    return ", ".join(sorted_labels(keys))
