"""``ds show ZONE``: the DS records of the keys the zone's servers serve now."""

from __future__ import annotations

from collections.abc import Sequence

import dns.rrset
from dns.rdtypes.ANY.DNSKEY import DNSKEY

from dnssec_doctor.ds.live import ZoneView, authentication, observe
from dnssec_doctor.ds.records import digest_notes, form_of, split_keys
from dnssec_doctor.model.ds_report import ShowReport
from dnssec_doctor.services.check import CheckOptions
from dnssec_doctor.validate.records import key_tag


def show_live(options: CheckOptions, digests: Sequence[int], ttl: int | None = None) -> ShowReport:
    return show_view(observe(options), digests, ttl)


def show_view(view: ZoneView, digests: Sequence[int], ttl: int | None = None) -> ShowReport:
    """The DS of the entry-point keys over every server's DNSKEY RRset (their union: a
    key one server lacks is named per server), authenticated as the analysis says."""
    authenticated, how = authentication(view)
    report = ShowReport(
        zone=view.zone.to_text(),
        source="live",
        at=view.at,
        digests=tuple(digests),
        keys=[],
        notes=digest_notes(digests),
        servers={
            address: tuple(sorted(key_tag(k) for k in served.dnskey))
            for address, served in view.keys.items()
        },
        server_names=view.server_names,
        authenticated=authenticated,
        authentication=how,
        parent_ds=tuple(
            form_of(view.zone, ds, rrset.ttl) for rrset in _distinct(view) for ds in rrset
        ),
    )
    keys = [k for k in view.union_keys() if isinstance(k, DNSKEY)]
    servers = view.servers_of()
    split_keys(report, view.zone, keys, view.signer_tags(), digests, ttl, servers=servers)
    everywhere = set(view.keys)
    for tag, where in sorted(servers.items()):
        missing = sorted(everywhere - set(where))
        if missing:
            report.notes.append(
                f"key {tag} is served by {', '.join(where)} but not by {', '.join(missing)}"
            )
    for address, why in sorted(view.failed.items()):
        report.notes.append(f"{address} gave no DNSKEY RRset: {why}")
    if not report.keys:
        report.notes.append(
            f"no key of {view.zone} can be named by a DS: none signs the DNSKEY RRset"
        )
    return report


def _distinct(view: ZoneView) -> list[dns.rrset.RRset]:
    """The parent's DS RRsets, once each (the servers usually agree)."""
    seen: dict[frozenset[str], dns.rrset.RRset] = {}
    for rrset in view.ds_union():
        seen.setdefault(frozenset(d.to_text() for d in rrset), rrset)
    return list(seen.values())


__all__ = ["show_live", "show_view"]
