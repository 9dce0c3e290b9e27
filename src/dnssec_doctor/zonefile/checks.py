"""The registered checks of ``verify``: each one function over the
:class:`~dnssec_doctor.zonefile.context.ZoneContext`, declared once with its id, set,
codes and RFC (model/checks.py), except the one that runs inside the read.

``zone.coverage`` looks at every node as it is read (``signatures.check_node``, in
this process or in the byte-range workers): it is a *stage*, declared here and
admitted where the read is merged (zonefile/verify.py), so the streaming read keeps
its speed.  Every other check runs over the context once the read is done; the rules
themselves stay in their family's module (``keys``, ``chain_nsec``, ``chain_nsec3``,
``signatures``, ``expiry``).  Importing this module registers them all.
"""

from __future__ import annotations

from collections.abc import Collection

from dnssec_doctor.model import findings as F
from dnssec_doctor.model.checks import Check, declare, register, selected
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.rrsig_findings import RRSIG_FINDING
from dnssec_doctor.zonefile.chain_nsec import check_nsec_chain
from dnssec_doctor.zonefile.chain_nsec3 import check_nsec3_chain
from dnssec_doctor.zonefile.context import ZoneContext
from dnssec_doctor.zonefile.expiry import expiry_findings
from dnssec_doctor.zonefile.signatures import result_findings
from dnssec_doctor.zonefile.structure import OCCLUDED_SAMPLE
from dnssec_doctor.zonefile.wire import canonical_key, to_text, type_text

COVERAGE = declare(
    "zone.coverage",
    set="signatures",
    codes=(
        F.RRSIG_MISSING,
        F.RRSIG_ALGORITHM_MISSING,
        F.RRSIG_TTL_MISMATCH,
        F.RRSIG_ORIGINAL_TTL_MISMATCH,
        F.SIGNED_NON_AUTHORITATIVE,
        F.RRSIG_WITHOUT_RRSET,
    ),
    rfc="RFC 4035 2.2",
    summary="every authoritative RRset signed with every algorithm, TTLs as signed; "
    "no RRSIG over delegations, glue or absent types (in the read, node by node)",
)


@register(
    "zone.signed",
    command="verify",
    set="structure",
    codes=(F.ZONE_UNSIGNED,),
    rfc="RFC 4035 2.1",
    summary="the apex has a DNSKEY RRset",
)
def signed_findings(context: ZoneContext) -> list[Finding]:
    z = context.z
    return [] if context.signed_zone else [Finding.of(F.ZONE_UNSIGNED, z, zone=z)]


@register(
    "zone.occluded",
    command="verify",
    set="structure",
    codes=(F.OCCLUDED_DATA,),
    rfc="RFC 4035 2.2, RFC 1034 4.2.1",
    summary="data below a zone cut that is not glue (not served, not verified)",
)
def occluded_findings(context: ZoneContext) -> list[Finding]:
    shape = context.shape
    if not shape.occluded_count:
        return []
    first = sorted(shape.occluded_sample, key=lambda nt: (canonical_key(nt[0]), nt[1]))
    sample = tuple(f"{to_text(n)} {type_text(t)}" for n, t in first[:OCCLUDED_SAMPLE])
    return [Finding.of(F.OCCLUDED_DATA, context.z, records=sample, count=shape.occluded_count)]


@register(
    "zone.signatures",
    command="verify",
    set="signatures",
    codes=(*(c for c in RRSIG_FINDING.values() if c is not None), F.TTL_BEYOND_EXPIRATION),
    rfc="RFC 4035 5.3",
    summary="every RRSIG judged (the workers): signer, labels, key, signature, validity "
    "window; TTLs that outlast the signatures",
)
def signature_findings(context: ZoneContext) -> list[Finding]:
    if not context.signed_zone:
        return []
    return result_findings(context.z, context.tally.problems)


@register(
    "zone.expiry",
    command="verify",
    set="signatures",
    codes=(F.RRSIG_EXPIRING_SOON,),
    rfc="RFC 6781 4.4.2",
    summary="signatures that expire within --warn-days",
)
def expiry_check(context: ZoneContext) -> list[Finding]:
    return expiry_findings(context.z, context.expiry)


@register(
    "zone.keys",
    command="verify",
    set="keys",
    codes=(
        F.DS_DIGEST_MISMATCH,
        F.DS_NO_KEY_WITH_TAG,
        F.DS_ALGORITHM_MISMATCH,
        F.DS_UNSUPPORTED,
        F.DS_MATCHES,
        F.DNSKEY_NOT_SIGNED_BY_DS_KEY,
        F.DNSKEY_NO_SEP_SIGNER,
        F.DNSKEY_REVOKED,
        F.DNSKEY_ALGORITHM_DEPRECATED,
        F.DNSKEY_WEAK_KEY,
    ),
    rfc="RFC 4035 5.2, RFC 8624 3.1",
    summary="a SEP key (or one a given DS matches) signs the DNSKEY RRset; revoked keys, "
    "deprecated algorithms, short RSA keys",
)
def key_findings(context: ZoneContext) -> list[Finding]:
    keys = context.key_check
    return list(keys.findings) if keys is not None else []


@register(
    "zone.denial",
    command="verify",
    set="denial",
    codes=(F.ZONE_NO_DENIAL_CHAIN,),
    rfc="RFC 4035 2.3, RFC 5155 7.1",
    summary="the signed zone has one denial chain: NSEC or NSEC3",
)
def denial_findings(context: ZoneContext) -> list[Finding]:
    z = context.z
    if context.signed_zone and context.denial == "none":
        return [Finding.of(F.ZONE_NO_DENIAL_CHAIN, z, variant="none")]
    if context.denial == "NSEC+NSEC3":
        return [Finding.of(F.ZONE_NO_DENIAL_CHAIN, z, variant="both")]
    return []


@register(
    "zone.nsec",
    command="verify",
    set="denial",
    codes=(F.NSEC_MISSING, F.NSEC_CHAIN_BROKEN, F.NSEC_BITMAP_MISMATCH),
    rfc="RFC 4035 2.3, RFC 4034 4.1",
    summary="one NSEC per authoritative name and cut, in canonical order, closed, "
    "bitmaps as the types present",
)
def nsec_findings(context: ZoneContext) -> list[Finding]:
    if context.denial not in ("NSEC", "NSEC+NSEC3"):
        return []
    return context.nsec if context.nsec is not None else check_nsec_chain(context.shape)


@register(
    "zone.nsec3",
    command="verify",
    set="denial",
    codes=(
        F.NSEC3_MISSING,
        F.NSEC3_CHAIN_BROKEN,
        F.NSEC3_ORPHAN,
        F.NSEC3_BITMAP_MISMATCH,
        F.NSEC3_PARAM_MISMATCH,
        F.NSEC3_ITERATIONS,
        F.NSEC3_SALT,
        F.NSEC3_OPT_OUT,
    ),
    rfc="RFC 5155 7.1, RFC 9276 3.1",
    summary="the NSEC3 chain: a record per name, next hashes in order, bitmaps, the "
    "NSEC3PARAM's parameters, iterations and salt",
)
def nsec3_findings(context: ZoneContext) -> list[Finding]:
    if context.denial != "NSEC3":
        return []
    return check_nsec3_chain(context.shape, context.nsec3param, context.nsec3)


@register(
    "zone.parent_ds",
    command="verify",
    set="parent",
    codes=(F.PARENT_DS_UNAUTHENTICATED, F.PARENT_DS_SERVERS_DIFFER, F.NO_DS),
    rfc="RFC 4035 5.2, RFC 7344 4.1",
    summary="the DS the parent publishes: authenticated, the same at every server, there "
    "at all (--ds-from-parent; services/parent_ds.py finds them)",
)
def parent_ds_findings(context: ZoneContext) -> list[Finding]:
    return list(context.ds_findings)


def registered(disabled: Collection[str] = ()) -> list[Check[object]]:
    """verify's checks in order, without *disabled* (ids or sets; a name that is
    neither raises model.checks.CheckError)."""
    return selected(disabled, "verify")


__all__ = ["COVERAGE", "registered"]
