"""Every authoritative RRset signed, with every algorithm; every RRSIG judged.

RFC 4035 2.2: each authoritative RRset has an RRSIG made with a key of each algorithm
in the apex DNSKEY RRset (RFC 6840 5.11 lets validators be lenient; signers are not);
delegation NS and glue carry none.  Each RRSIG is judged by
:func:`validate.rrsig.judge_rrsig` (signer, labels, key, signature, validity window)
in worker processes.  The TTL rules: Original TTL equals the RRset's TTL (RFC 4034
3.1.4) and the RRSIG's own TTL equals it too (RFC 4034 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dns.name
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.RRSIG import RRSIG
from dns.rdtypes.dnskeybase import Flag

from dnssec_doctor import findings as F
from dnssec_doctor.findings import Finding
from dnssec_doctor.validate.rrsig import RrsigStatus, RrsigWarning
from dnssec_doctor.zonefile.load import ZoneData
from dnssec_doctor.zonefile.structure import ZoneShape, type_text
from dnssec_doctor.zonefile.workers import Context, SigResult, item_for, judge_all

_STATUS_CODE: dict[str, str] = {
    RrsigStatus.BAD_SIGNATURE: F.RRSIG_BAD_SIGNATURE,
    RrsigStatus.NO_MATCHING_KEY: F.RRSIG_NO_MATCHING_KEY,
    RrsigStatus.REVOKED_KEY: F.RRSIG_NO_MATCHING_KEY,
    RrsigStatus.INVALID_KEY: F.RRSIG_NO_MATCHING_KEY,
    RrsigStatus.EXPIRED: F.RRSIG_EXPIRED,
    RrsigStatus.NOT_YET_VALID: F.RRSIG_NOT_YET_VALID,
    RrsigStatus.TYPE_MISMATCH: F.RRSIG_INVALID_FIELDS,
    RrsigStatus.BAD_LABELS: F.RRSIG_INVALID_FIELDS,
    RrsigStatus.WRONG_SIGNER: F.RRSIG_INVALID_FIELDS,
    RrsigStatus.UNSUPPORTED_ALGORITHM: F.RRSIG_UNSUPPORTED_ALGORITHM,
    RrsigStatus.LIMIT_EXCEEDED: F.VALIDATION_LIMIT,
}


@dataclass(frozen=True)
class SignatureCheck:
    findings: tuple[Finding, ...]
    results: tuple[SigResult, ...]
    rrsets: int


def _t(rdtype: int) -> str:
    return type_text(rdtype)


def zone_algorithms(dnskeys: dns.rrset.RRset) -> frozenset[int]:
    """Algorithms of the zone keys (not revoked) in the DNSKEY RRset: each must sign."""
    return frozenset(
        int(k.algorithm)
        for k in dnskeys
        if isinstance(k, DNSKEY) and k.flags & Flag.ZONE and not k.flags & Flag.REVOKE
    )


def _coverage(
    zone: ZoneData, shape: ZoneShape, algs: frozenset[int]
) -> tuple[list[Finding], list[tuple[dns.rrset.RRset, dns.rrset.RRset | None]]]:
    z = zone.origin.to_text()
    out: list[Finding] = []
    work: list[tuple[dns.rrset.RRset, dns.rrset.RRset | None]] = []
    for name, rdtype in shape.signed:
        rrset = zone.get(name, rdtype)
        if rrset is None:
            continue
        sigs = zone.get(name, dns.rdatatype.RRSIG, rdtype)
        where = f"{name} {_t(rdtype)}"
        if sigs is None or len(sigs) == 0:
            out.append(Finding(F.RRSIG_MISSING, z, f"{where} has no RRSIG", records=(where,)))
            work.append((rrset, None))
            continue
        have = {int(s.algorithm) for s in sigs if isinstance(s, RRSIG)}
        missing = sorted(algs - have)
        if missing:
            out.append(
                Finding(
                    F.RRSIG_ALGORITHM_MISSING,
                    z,
                    f"{where} has no RRSIG of algorithm {', '.join(map(str, missing))}",
                    records=(where,),
                )
            )
        if sigs.ttl != rrset.ttl:
            out.append(
                Finding(
                    F.RRSIG_TTL_MISMATCH,
                    z,
                    f"{where}: RRSIG TTL {sigs.ttl} differs from the RRset TTL {rrset.ttl}",
                    records=(where,),
                )
            )
        for s in sigs:
            if isinstance(s, RRSIG) and s.original_ttl != rrset.ttl:
                out.append(
                    Finding(
                        F.RRSIG_ORIGINAL_TTL_MISMATCH,
                        z,
                        f"{where}: TTL {rrset.ttl}, RRSIG {s.key_tag} Original TTL "
                        f"{s.original_ttl}",
                        records=(where,),
                    )
                )
        work.append((rrset, sigs))
    return out, work


def _stray_signatures(zone: ZoneData, shape: ZoneShape) -> list[Finding]:
    """RRSIGs over non-authoritative data, and RRSIGs over types absent at the owner."""
    z = zone.origin.to_text()
    out: list[Finding] = []
    unsigned = set(shape.unsigned) | set(shape.occluded)
    for name, node in zone.nodes.items():
        for rdtype, covers in node:
            if rdtype != dns.rdatatype.RRSIG:
                continue
            where = f"{name} RRSIG {_t(covers)}"
            if (name, covers) in unsigned:
                out.append(
                    Finding(
                        F.SIGNED_NON_AUTHORITATIVE,
                        z,
                        f"{where}: {name} {_t(covers)} is not authoritative (delegation NS, "
                        "glue or occluded) and must not be signed",
                        records=(where,),
                    )
                )
            elif (covers, 0) not in node:
                out.append(
                    Finding(
                        F.RRSIG_WITHOUT_RRSET,
                        z,
                        f"{where}: there is no {_t(covers)} RRset at {name}",
                        records=(where,),
                    )
                )
    return out


def _result_findings(z: str, results: Sequence[SigResult]) -> list[Finding]:
    out: list[Finding] = []
    for r in results:
        where = f"{r.owner} {_t(r.rdtype)}"
        code = _STATUS_CODE.get(r.status)
        if code is not None:
            out.append(
                Finding(
                    code,
                    z,
                    f"{where}: RRSIG {r.key_tag} (algorithm {r.algorithm}): {r.detail}",
                    records=(r.rrsig_text,),
                )
            )
        if RrsigWarning.TTL_BEYOND_EXPIRATION.value in r.warnings:
            out.append(
                Finding(
                    F.TTL_BEYOND_EXPIRATION,
                    z,
                    f"{where}: the TTL outlasts RRSIG {r.key_tag}'s remaining validity",
                    records=(r.rrsig_text,),
                )
            )
    return out


def check_signatures(
    zone: ZoneData, shape: ZoneShape, dnskeys: dns.rrset.RRset, at: int, jobs: int
) -> SignatureCheck:
    """Coverage, stray RRSIGs, TTL rules, and every RRSIG judged (over ``jobs`` processes)."""
    z = zone.origin.to_text()
    coverage, work = _coverage(zone, shape, zone_algorithms(dnskeys))
    items = [item_for(rrset, sigs) for rrset, sigs in work if sigs is not None]
    context = Context(
        origin=zone.origin.to_wire() or b"",
        dnskey_ttl=dnskeys.ttl,
        dnskeys=tuple(k.to_wire() for k in dnskeys),
        at=at,
    )
    results = judge_all(context, items, jobs)
    found = coverage + _stray_signatures(zone, shape) + _result_findings(z, results)
    return SignatureCheck(tuple(found), tuple(results), len(work))


__all__ = ["SignatureCheck", "check_signatures", "zone_algorithms"]
