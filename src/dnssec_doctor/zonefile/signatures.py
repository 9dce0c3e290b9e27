"""Every authoritative RRset signed, with every algorithm; every RRSIG judged.

RFC 4035 2.2: each authoritative RRset has an RRSIG made with a key of each algorithm
in the apex DNSKEY RRset (RFC 6840 5.11 lets validators be lenient; signers are not);
delegation NS and glue carry none.  Each RRSIG is judged by
:func:`validate.rrsig.judge_rrsig` (signer, labels, key, signature, validity window)
in worker processes.  The TTL rules: Original TTL equals the RRset's TTL (RFC 4034
3.1.4) and the RRSIG's own TTL equals it too (RFC 4034 3).
"""

from __future__ import annotations

from collections.abc import Iterable

from dnssec_doctor.model import findings as F
from dnssec_doctor.model.findings import Finding, FindingCode
from dnssec_doctor.model.rrsig_findings import finding_code
from dnssec_doctor.zonefile.nodes import RRSIG, Node
from dnssec_doctor.zonefile.structure import Placement
from dnssec_doctor.zonefile.wire import to_text, type_text
from dnssec_doctor.zonefile.workers import TTL_WARNING, SigResult, WorkItem

_FLAG_ZONE, _FLAG_REVOKE = 0x0100, 0x0080
_new_item = tuple.__new__


def _t(rdtype: int) -> str:
    return type_text(rdtype)


def zone_algorithms(dnskeys: Iterable[bytes]) -> frozenset[int]:
    """Algorithms of the zone keys (not revoked) in the DNSKEY RRset: each must sign."""
    out = set()
    for key in dnskeys:
        if len(key) >= 4:
            flags = key[0] << 8 | key[1]
            if flags & _FLAG_ZONE and not flags & _FLAG_REVOKE:
                out.add(key[3])
    return frozenset(out)


def _algorithm(rrsig: bytes) -> int:
    return rrsig[2] if len(rrsig) > 2 else -1


def _original_ttl(rrsig: bytes) -> int:
    return int.from_bytes(rrsig[4:8], "big") if len(rrsig) >= 8 else -1


def _key_tag(rrsig: bytes) -> int:
    return int.from_bytes(rrsig[16:18], "big") if len(rrsig) >= 18 else -1


def check_node(
    z: str, node: Node, placed: Placement, algorithms: frozenset[int], work: list[WorkItem]
) -> list[Finding]:
    """Coverage, TTL rules and stray RRSIGs at one node; the RRsets to judge are added
    to ``work``."""
    out: list[Finding] = []
    name = ""
    rrsets = node.rrsets
    only = next(iter(algorithms)) if len(algorithms) == 1 else -1
    for rdtype in placed.signed:
        rrset = rrsets[(rdtype, 0)]
        sigs = rrsets.get((RRSIG, rdtype))
        if sigs is None:
            name = name or to_text(node.owner)
            where = f"{name} {_t(rdtype)}"
            out.append(
                Finding.of(F.RRSIG_MISSING, z, records=(where,), variant="zone", rrset=where)
            )
            continue
        rdatas = sigs.rdatas
        ttl = rrset.ttl
        want = ttl.to_bytes(4, "big")  # Original TTL: octets 4-7 of the RRSIG RDATA
        # this runs for every signed RRset: the usual case (one algorithm, one RRSIG
        # or every RRSIG of it, with the RRset's TTL) without slices
        if len(rdatas) == 1:
            one = rdatas[0]
            usual = len(one) > 8 and one[2] == only and one.startswith(want, 4)
        else:
            usual = only >= 0 and all(
                len(s) > 8 and s[2] == only and s.startswith(want, 4) for s in rdatas
            )
        if not usual or sigs.ttl != ttl:
            missing = algorithms.difference([_algorithm(s) for s in rdatas])
            original_wrong = [s for s in rdatas if s[4:8] != want]
            if missing or sigs.ttl != ttl or original_wrong:
                name = name or to_text(node.owner)
                out += _ttl_and_algorithm_findings(
                    z, f"{name} {_t(rdtype)}", ttl, sigs.ttl, sorted(missing), original_wrong
                )
        # a million are made: tuple.__new__ skips the NamedTuple's own __new__ (Python)
        item = (node.owner, rdtype, ttl, tuple(rrset.rdatas), sigs.ttl, tuple(rdatas))
        work.append(_new_item(WorkItem, item))
    out += _stray_signatures(z, node, placed)
    return out


def _ttl_and_algorithm_findings(
    z: str, where: str, ttl: int, rrsig_ttl: int, missing: list[int], original_wrong: list[bytes]
) -> list[Finding]:
    out: list[Finding] = []
    if missing:
        out.append(
            Finding.of(
                F.RRSIG_ALGORITHM_MISSING,
                z,
                records=(where,),
                rrset=where,
                algorithms=", ".join(map(str, missing)),
            )
        )
    if rrsig_ttl != ttl:
        out.append(
            Finding.of(
                F.RRSIG_TTL_MISMATCH, z, records=(where,), rrset=where, rrsig_ttl=rrsig_ttl, ttl=ttl
            )
        )
    for s in original_wrong:
        out.append(
            Finding.of(
                F.RRSIG_ORIGINAL_TTL_MISMATCH,
                z,
                records=(where,),
                rrset=where,
                ttl=ttl,
                key_tag=_key_tag(s),
                original_ttl=_original_ttl(s),
            )
        )
    return out


def _stray_signatures(z: str, node: Node, placed: Placement) -> list[Finding]:
    """RRSIGs over non-authoritative data, and RRSIGs over types absent at the owner."""
    out: list[Finding] = []
    for rdtype, covers in node.rrsets:
        if rdtype != RRSIG:
            continue
        if covers in placed.unsigned or covers in placed.occluded:
            name = to_text(node.owner)
            where = f"{name} RRSIG {_t(covers)}"
            out.append(
                Finding.of(
                    F.SIGNED_NON_AUTHORITATIVE,
                    z,
                    records=(where,),
                    rrsig=where,
                    name=name,
                    type=_t(covers),
                )
            )
        elif (covers, 0) not in node.rrsets:
            name = to_text(node.owner)
            where = f"{name} RRSIG {_t(covers)}"
            out.append(
                Finding.of(
                    F.RRSIG_WITHOUT_RRSET,
                    z,
                    records=(where,),
                    rrsig=where,
                    type=_t(covers),
                    name=name,
                )
            )
    return out


def result_findings(z: str, results: Iterable[SigResult]) -> list[Finding]:
    """Findings for the judged RRSIGs that are not simply valid."""
    out: list[Finding] = []
    for r in results:
        where = f"{r.owner} {_t(r.rdtype)}"
        code = finding_code(r.status)
        if code is not None:
            out.append(
                Finding.of(
                    code,
                    z,
                    records=(r.rrsig_text,),
                    variant="zone",
                    rrset=where,
                    key_tag=r.key_tag,
                    algorithm=r.algorithm,
                    detail=r.detail,
                )
            )
        if TTL_WARNING in r.warnings:
            out.append(
                Finding.of(
                    F.TTL_BEYOND_EXPIRATION,
                    z,
                    records=(r.rrsig_text,),
                    variant="zone",
                    rrset=where,
                    key_tag=r.key_tag,
                )
            )
    return out


def code_of(kind: str) -> FindingCode | None:
    """The finding code a :class:`~workers.Tally` kind is reported under."""
    return F.TTL_BEYOND_EXPIRATION if kind == TTL_WARNING else finding_code(kind)


__all__ = ["check_node", "code_of", "result_findings", "zone_algorithms"]
