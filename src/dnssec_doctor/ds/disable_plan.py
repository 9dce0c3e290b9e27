"""``ds disable-plan ZONE``: take a zone out of DNSSEC without making it worse.

The order is the whole point. A validator that holds the DS keeps demanding signatures
until that DS expires from its cache, so: remove the DS (at the registrar, or with the
RFC 8078 delete CDS/CDNSKEY where the parent processes CDS); wait until no parent server
serves it and one DS TTL more; keep the zone signed all that time (and one DNSKEY TTL
more: resolvers keep the validated keys that long); only then stop signing. The times
are computed from what the servers serve now.
"""

from __future__ import annotations

import dns.rdatatype
import dns.rrset

from dnssec_doctor.ds.compare import when
from dnssec_doctor.ds.live import ZoneView, observe
from dnssec_doctor.ds.records import form_of
from dnssec_doctor.model.ds_report import DisablePlan, PlanStep
from dnssec_doctor.services.check import CheckOptions

T = dns.rdatatype.RdataType

DELETE_CDS = "0 0 0 00"  # RFC 8078 4
DELETE_CDNSKEY = "0 3 0 AA=="


def disable_plan_live(options: CheckOptions) -> DisablePlan:
    return plan_for(observe(options, need_parent=True))


def _served_ttls(view: ZoneView) -> tuple[int | None, int | None, int | None]:
    """The largest DNSKEY TTL, the largest RRSIG TTL (over DNSKEY and SOA) and the
    earliest RRSIG expiration any server of the zone gives."""
    dnskey = [s.dnskey.ttl for s in view.keys.values()]
    rrsig_ttls: list[int] = []
    expirations: list[int] = []
    cut = view.collection.zones[view.zone]
    rrsig_sets: list[dns.rrset.RRset] = [s.rrsigs for s in view.keys.values() if s.rrsigs]
    for reply in cut.soa.values():
        if reply.message is None:
            continue
        rrsig_sets += [
            r
            for r in reply.message.answer
            if r.name == view.zone and r.rdtype == T.RRSIG and r.covers == T.SOA
        ]
    for rrset in rrsig_sets:
        rrsig_ttls.append(rrset.ttl)
        expirations += [int(sig.expiration) for sig in rrset]
    return (
        max(dnskey) if dnskey else None,
        max(rrsig_ttls) if rrsig_ttls else None,
        min(expirations) if expirations else None,
    )


def _cds(view: ZoneView) -> tuple[str, ...]:
    cut = view.collection.zones[view.zone]
    found: set[str] = set()
    for replies, rdtype in ((cut.cds, T.CDS), (cut.cdnskey, T.CDNSKEY)):
        for reply in replies.values():
            if reply.message is None:
                continue
            for rrset in reply.message.answer:
                if rrset.name == view.zone and rrset.rdtype == rdtype:
                    found.update(f"{rdtype.name} {rd.to_text()}" for rd in rrset)
    return tuple(sorted(found))


def plan_for(view: ZoneView) -> DisablePlan:
    zone = view.zone.to_text()
    parent = view.parent.to_text()
    at = view.at
    ds_rrsets = view.ds_union()
    ds_ttl = max((r.ttl for r in ds_rrsets), default=None)
    forms = sorted(
        {
            form_of(view.zone, d).zone_line(): form_of(view.zone, d) for r in ds_rrsets for d in r
        }.values(),
        key=lambda f: (f.key_tag, f.digest_type),
    )
    dnskey_ttl, rrsig_ttl, expires = _served_ttls(view)
    cds = _cds(view)
    insecure_at = at + ds_ttl if ds_ttl is not None else at
    unsign_at = insecure_at + max(dnskey_ttl or 0, rrsig_ttl or 0)
    plan = DisablePlan(
        zone=zone,
        parent=parent,
        at=at,
        ds=tuple(forms),
        parent_servers={
            a: tuple(sorted(d.to_text() for d in r or ()))
            for a, r in sorted(view.parent_ds.items())
        },
        ds_ttl=ds_ttl,
        dnskey_ttl=dnskey_ttl,
        rrsig_ttl=rrsig_ttl,
        negative_ttl=view.negative_ttl,
        insecure_at=insecure_at,
        unsign_at=unsign_at,
        signatures_expire=expires,
        cds_published=cds,
        steps=[],
        way_back=[],
    )
    servers = ", ".join(sorted(view.parent_ds)) or "none answered"
    if not forms:
        plan.steps = _no_ds_steps(plan, servers)
    else:
        plan.steps = _steps(plan, servers)
    if expires is not None and expires < unsign_at:
        plan.notes.append(
            f"signatures served now expire at {when(expires)}, before signing may stop "
            f"({when(unsign_at)}): keep re-signing (or re-sign now), or the zone goes bogus "
            "before it goes insecure"
        )
    if view.link is not None and view.link.anchored:
        plan.notes.append(
            f"{zone} is a trust anchor's zone: validators with the anchor configured do not "
            "use a DS; removing the DS changes nothing for them"
        )
    plan.way_back = _way_back(plan)
    return plan


def _steps(plan: DisablePlan, servers: str) -> list[PlanStep]:
    zone, ttl = plan.zone, plan.ds_ttl
    lines = tuple(f.zone_line() for f in plan.ds)
    cds_line = (
        f"Or, where the parent ({plan.parent}) processes CDS (RFC 7344, RFC 8078): publish "
        f"{zone} CDS {DELETE_CDS} and {zone} CDNSKEY {DELETE_CDNSKEY}, signed, and wait for "
        "its scan to remove the DS."
    )
    steps = []
    if plan.cds_published and not all(
        DELETE_CDS in c or DELETE_CDNSKEY in c for c in plan.cds_published
    ):
        steps.append(
            PlanStep(
                f"First remove the CDS/CDNSKEY records of {zone}'s keys (or replace them with "
                "the delete form below): a parent that processes CDS would put the DS back.",
                plan.at,
                plan.cds_published,
            )
        )
    steps += [
        PlanStep(
            f"Remove every DS record for {zone} at the registrar (the parent is "
            f"{plan.parent}); served now ({len(lines)}):",
            plan.at,
            (*lines, cds_line),
        ),
        PlanStep(
            f"Wait until no server of {plan.parent} serves a DS for {zone} ({servers}; "
            f"check with: dnssec-doctor ds compare {zone} ), then one DS TTL more: {ttl} s. "
            f"The zone is insecure (not bogus) for every validator from then on: at the "
            f"earliest {when(plan.insecure_at or plan.at)} if the parent removed it now.",
            plan.insecure_at,
        ),
        PlanStep(
            f"Keep {zone} signed until then, and one DNSKEY/RRSIG TTL more "
            f"({max(plan.dnskey_ttl or 0, plan.rrsig_ttl or 0)} s: DNSKEY TTL "
            f"{_s(plan.dnskey_ttl)}, RRSIG TTL {_s(plan.rrsig_ttl)}; resolvers keep the keys "
            "they validated that long): keep re-signing, do not remove keys.",
            plan.at,
        ),
        PlanStep(
            f"Only then stop signing {zone} (serve the unsigned zone on every server): at "
            f"the earliest {when(plan.unsign_at or plan.at)}.",
            plan.unsign_at,
        ),
    ]
    return steps


def _no_ds_steps(plan: DisablePlan, servers: str) -> list[PlanStep]:
    zone = plan.zone
    return [
        PlanStep(
            f"No server of {plan.parent} serves a DS for {zone} ({servers}): validators "
            "already treat it as insecure once their cached DS (if any) expired. Nothing to "
            "remove at the registrar.",
            plan.at,
        ),
        PlanStep(
            f"Stopping signing {zone} is safe now (check first: dnssec-doctor check {zone}).",
            plan.at,
        ),
    ]


def _way_back(plan: DisablePlan) -> list[PlanStep]:
    zone = plan.zone
    neg = plan.negative_ttl
    wait = (
        f"{neg} s (the parent's negative TTL: resolvers cache its 'no DS' that long)"
        if neg is not None
        else "the parent's negative TTL"
    )
    return [
        PlanStep(f"Sign {zone} again and serve the signed zone on every server."),
        PlanStep(
            f"Verify before publishing a DS: dnssec-doctor verify ZONEFILE, and "
            f"dnssec-doctor check {zone} (insecure, with a valid DNSKEY RRset at every server)."
        ),
        PlanStep(f"Publish the DS at the registrar (the records: dnssec-doctor ds show {zone})"),
        PlanStep(
            f"Wait until every server of {plan.parent} serves it, and {wait}: until then some "
            "resolvers still treat the zone as insecure (nothing fails)."
        ),
        PlanStep(
            f"Verify: dnssec-doctor ds compare {zone} exits 0 and dnssec-doctor check {zone} "
            "says secure"
        ),
    ]


def _s(value: int | None) -> str:
    return "unknown" if value is None else f"{value} s"


__all__ = ["DELETE_CDNSKEY", "DELETE_CDS", "disable_plan_live", "plan_for"]
