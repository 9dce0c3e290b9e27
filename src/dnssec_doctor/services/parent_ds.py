"""``verify --ds-from-parent``: the DS RRset the parent publishes for the zone.

The walk is ``check``'s (from the root hints, every parent server asked), run for the
zone's SOA; the analysis tells whether the parent's DS RRset is authenticated from the
trust anchor.  What verify then does with the DS is what it does with ``--ds``: one
must match a key that signs the zone file's DNSKEY RRset.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import dns.name
import dns.rdatatype
from dns.rdata import Rdata
from dns.rdtypes.ANY.DS import DS

from dnssec_doctor.analyze.core import analyze
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.analysis import Status
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.services.check import CheckError, CheckOptions, probe


class ParentDsError(Exception):
    """The DS could not be fetched; the message is one line."""


@dataclass(frozen=True)
class ParentDs:
    """The DS records the parent's servers gave (their union), and what is known of them."""

    parent: str
    servers: tuple[str, ...]  # parent server addresses that answered
    ds: tuple[Rdata, ...]
    authenticated: bool
    findings: tuple[Finding, ...]


def _tag(ds: Rdata) -> str:
    return str(ds.key_tag) if isinstance(ds, DS) else ds.to_text()


def fetch_parent_ds(origin: dns.name.Name, options: CheckOptions) -> ParentDs:
    """Walk to ``origin`` as ``check`` does and take the DS from the parent's servers."""
    z = origin.to_text()
    try:
        collection = probe(options._replace(name=z, qtype="SOA"))
    except CheckError as error:
        raise ParentDsError(f"--ds-from-parent: {error}") from error
    cut = collection.zones.get(origin)
    if cut is None or cut.parent is None:
        why = "; ".join(collection.problems[:2]) or "the walk from the root found no zone cut"
        raise ParentDsError(f"--ds-from-parent: {z} is not delegated from a parent ({why})")
    by_server: dict[str, frozenset[Rdata]] = {}
    for address, reply in cut.ds.items():
        if reply.message is None:
            continue
        found: set[Rdata] = set()
        for rrset in reply.message.answer:
            if rrset.name == origin and rrset.rdtype == dns.rdatatype.DS:
                found.update(rrset)
        by_server[address] = frozenset(found)
    if not by_server:
        raise ParentDsError(
            f"--ds-from-parent: no server of {cut.parent} answered the DS query for {z}"
        )
    analysis = analyze(collection, int(time.time()), 0)
    parent = analysis.zones.get(cut.parent)
    authenticated = parent is not None and parent.status is Status.SECURE
    union = sorted({d for ds in by_server.values() for d in ds}, key=lambda d: d.to_text())
    out: list[Finding] = []
    if not authenticated:
        state = parent.status.value if parent is not None else "unknown"
        out.append(Finding.of(F.PARENT_DS_UNAUTHENTICATED, z, parent=cut.parent, state=state))
    if len(set(by_server.values())) > 1:
        out.append(
            Finding.of(
                F.PARENT_DS_SERVERS_DIFFER,
                z,
                servers=tuple(sorted(by_server)),
                records=tuple(
                    f"{a}: {', '.join(sorted(_tag(d) for d in ds)) or 'none'}"
                    for a, ds in sorted(by_server.items())
                ),
                parent=cut.parent,
                zone=z,
            )
        )
    if not union:
        out.append(
            Finding.of(
                F.NO_DS,
                z,
                servers=tuple(sorted(by_server)),
                variant="parent",
                parent=cut.parent,
                zone=z,
            )
        )
    return ParentDs(
        parent=cut.parent.to_text(),
        servers=tuple(sorted(by_server)),
        ds=tuple(union),
        authenticated=authenticated,
        findings=tuple(out),
    )


__all__ = ["ParentDs", "ParentDsError", "fetch_parent_ds"]
