"""The parent's side of CDS/CDNSKEY (RFC 7344 4.1, RFC 8078, draft-ietf-dnsop-ds-automation):
accept the child's signal or say in one line why not.

The rules, in the order they are applied (the first that fails gives the rejection):

1. The current DS set must authenticate a DNSKEY that signs the DNSKEY RRset (continuity,
   RFC 7344 4.1): the chain the parent serves today must hold.
2. Every CDS and CDNSKEY RRset present must be signed by a key that the current DS set
   authenticates, with a signature valid at the time of judgement and whose inception is
   not before the last accepted change (replay protection, as ``dnssec-cds -s``).
3. The delete form (``CDS 0 0 0 00``, ``CDNSKEY 0 3 0 AA==``, RFC 8078 4) alone in its
   RRset; when both RRsets are present both must be the delete form.
4. When both RRsets are present they must name the same keys (the draft's consistency
   rule; ``dnssec-cds`` prefers one and ignores the other).
5. CDS records of a digest type outside the accepted ones, or one we cannot compute, are
   left out and said (RFC 7344 4.1: the parent uses what it understands); a key of an
   algorithm we cannot validate is refused: its DS could not be checked.
6. The resulting DS set must be complete (:func:`ds_set_problem`, the rule ``ds push``
   calls too): every DS matches a zone key, and for every algorithm in it some key it
   authenticates signs the DNSKEY RRset (RFC 4035 2.2, RFC 6840 5.11); every digest type
   covers the same keys (as ``dnssec-cds``).

No CDS and no CDNSKEY keeps the DS set unchanged. The clock is never read: ``at`` and
``not_before`` are parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from typing import NamedTuple, cast

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.rdata import Rdata
from dns.rdtypes.ANY.CDNSKEY import CDNSKEY
from dns.rdtypes.ANY.CDS import CDS
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.DS import DS
from dns.rdtypes.ANY.RRSIG import RRSIG

from dnssec_doctor.validate import algorithms
from dnssec_doctor.validate.ds import DsStatus, ds_for_publication, match_ds, match_ds_set
from dnssec_doctor.validate.records import find_rrset, rrsigs_for
from dnssec_doctor.validate.rrsig import RrsigJudgment, rrset_status
from dnssec_doctor.validate.timeutil import iso


class CdsAction(StrEnum):
    """What the parent does with the child's signal (a public interface: docs/cds.md)."""

    UPDATE = "update"  # publish the new DS set
    UNCHANGED = "unchanged"  # keep the current DS set (no signal, or the signal says so)
    REJECT = "reject"  # the signal is not acceptable: keep the current DS set
    DELETE = "delete"  # remove the DS set: the child goes insecure (RFC 8078 4)


class CdsSource(StrEnum):
    CDS = "CDS"
    CDNSKEY = "CDNSKEY"
    NONE = "none"


class CdsDecision(NamedTuple):
    """The decision, the DS set it leads to (the current one for reject and unchanged,
    empty for delete), its one-line reason, and what was said on the way."""

    action: CdsAction
    ds: tuple[DS, ...]
    reason: str
    notes: tuple[str, ...] = ()
    source: CdsSource = CdsSource.NONE
    inception: int | None = None  # newest inception among the accepted signatures


class ChildData(NamedTuple):
    """The child's apex RRsets as one server gave them (any of them may be missing)."""

    dnskey: dns.rrset.RRset | None
    dnskey_sigs: tuple[RRSIG, ...]
    cds: dns.rrset.RRset | None
    cds_sigs: tuple[RRSIG, ...]
    cdnskey: dns.rrset.RRset | None
    cdnskey_sigs: tuple[RRSIG, ...]


def child_data(zone: dns.name.Name, rrsets: Sequence[dns.rrset.RRset]) -> ChildData:
    """The apex DNSKEY, CDS and CDNSKEY RRsets of *zone* and their RRSIGs among *rrsets*
    (records at other names or of other types are ignored, as ``dnssec-cds`` does)."""

    def pair(rdtype: int) -> tuple[dns.rrset.RRset | None, tuple[RRSIG, ...]]:
        found = find_rrset(rrsets, zone, rdtype)
        sigs = tuple(rrsigs_for(rrsets, found)) if found is not None else ()
        return found, sigs

    dnskey, dnskey_sigs = pair(dns.rdatatype.DNSKEY)
    cds, cds_sigs = pair(dns.rdatatype.CDS)
    cdnskey, cdnskey_sigs = pair(dns.rdatatype.CDNSKEY)
    return ChildData(dnskey, dnskey_sigs, cds, cds_sigs, cdnskey, cdnskey_sigs)


class _Rejected(Exception):
    """A rule failed: the one-line reason."""


# --------------------------------------------------------------------------- helpers


def ds_text(ds: DS) -> str:
    return f"{ds.key_tag} {ds.algorithm} {ds.digest_type} {bytes(ds.digest).hex().upper()}"


def as_ds(record: Rdata) -> DS:
    """A CDS (or DS) record as a DS record (the same RDATA, RFC 7344 3.1)."""
    cds = cast(CDS, record)
    return DS(dns.rdataclass.IN, dns.rdatatype.DS, cds.key_tag, cds.algorithm,
              cds.digest_type, cds.digest)  # fmt: skip


def _as_dnskey(record: Rdata) -> DNSKEY:
    """A CDNSKEY record as the DNSKEY it stands for (the same RDATA, RFC 7344 3.2)."""
    key = cast(CDNSKEY, record)
    return DNSKEY(dns.rdataclass.IN, dns.rdatatype.DNSKEY, key.flags, key.protocol,
                  key.algorithm, key.key)  # fmt: skip


def is_delete_cds(record: Rdata) -> bool:
    """RFC 8078 4: ``CDS 0 0 0 00`` (the digest one zero octet)."""
    return (
        isinstance(record, CDS)
        and record.key_tag == 0
        and record.algorithm == 0
        and record.digest_type == 0
        and bytes(record.digest) in (b"\x00", b"")
    )


def is_delete_cdnskey(record: Rdata) -> bool:
    """RFC 8078 4: ``CDNSKEY 0 3 0 AA==`` (the key one zero octet)."""
    return (
        isinstance(record, CDNSKEY)
        and record.flags == 0
        and record.protocol == 3
        and record.algorithm == 0
        and bytes(record.key) in (b"\x00", b"")
    )


def _first_failure(judgments: Iterable[RrsigJudgment]) -> str:
    for j in judgments:
        if not j.valid:
            return f"{j.status.value.lower().replace('_', ' ')} (key {j.key_tag}: {j.detail})"
    return "no valid signature"


def _signed_by_trusted(
    what: str,
    rrset: dns.rrset.RRset,
    sigs: Sequence[RRSIG],
    data: ChildData,
    trusted: Sequence[DNSKEY],
    at: int,
    not_before: int | None,
) -> int:
    """Rule 2 for one RRset: the newest inception of a valid signature by a trusted key
    not older than *not_before*; raises with the reason otherwise."""
    if not sigs:
        raise _Rejected(f"the {what} RRset is not signed")
    status = rrset_status(rrset, sigs, data.dnskey, at, zone=rrset.name)
    good = [
        j for j in status.judgments
        if j.valid and j.key is not None and any(j.key == k for k in trusted)
    ]  # fmt: skip
    if not good:
        valid_others = [j for j in status.judgments if j.valid]
        if valid_others:
            tags = ", ".join(sorted({str(j.key_tag) for j in valid_others}))
            raise _Rejected(
                f"the {what} RRset is signed only by key {tags}, which the current DS set "
                "does not authenticate (RFC 7344 4.1)"
            )
        raise _Rejected(
            f"the {what} RRset has no valid signature: {_first_failure(status.judgments)}"
        )
    fresh = [j for j in good if not_before is None or j.inception >= not_before]
    if not fresh:
        newest = max(j.inception for j in good)
        raise _Rejected(
            f"the {what} RRset's signatures are older than the last accepted change: "
            f"inception {iso(newest)} before {iso(cast(int, not_before))} (replay, RFC 7344 4.1)"
        )
    return max(j.inception for j in fresh)


# --------------------------------------------------------------------------- completeness


def ds_set_problem(
    zone: dns.name.Name,
    ds_set: Sequence[DS],
    dnskey: dns.rrset.RRset,
    dnskey_sigs: Sequence[RRSIG],
    at: int,
) -> str | None:
    """Why *ds_set* must not be published for *zone*, or None: every DS must match a zone
    key of the DNSKEY RRset, for every algorithm in the set some key a DS of it matches
    must sign the DNSKEY RRset validly at *at* (RFC 4035 2.2, RFC 6840 5.11), and every
    digest type must cover the same keys (a validator may use any one of them)."""
    if not ds_set:
        return None
    keys = [cast(DNSKEY, k) for k in dnskey]
    by_digest: dict[int, set[DNSKEY]] = {}
    by_algorithm: dict[int, list[DNSKEY]] = {}
    for ds in ds_set:
        judgment = match_ds(ds, zone, keys, sha256_present=False)
        if judgment.status is DsStatus.UNSUPPORTED_DIGEST_TYPE:
            name = algorithms.digest_name(ds.digest_type)
            return f"DS {ds_text(ds)}: digest type {name} cannot be checked"
        if judgment.status is DsStatus.UNSUPPORTED_ALGORITHM:
            name = algorithms.algorithm_name(ds.algorithm)
            return f"DS {ds.key_tag}: algorithm {name} cannot be validated, so neither can this DS"
        if not judgment.matched or judgment.key is None:
            return f"DS {ds_text(ds)} matches no zone key of the DNSKEY RRset ({judgment.detail})"
        by_digest.setdefault(int(ds.digest_type), set()).add(judgment.key)
        by_algorithm.setdefault(int(ds.algorithm), []).append(judgment.key)
    for algorithm, alg_keys in sorted(by_algorithm.items()):
        status = rrset_status(dnskey, dnskey_sigs, dnskey, at, trusted=alg_keys, zone=zone)
        if not status.secure:
            name = algorithms.algorithm_name(algorithm)
            tags = ", ".join(str(k.key_id()) for k in alg_keys)
            return (
                f"no key of algorithm {name} that the DS set names ({tags}) signs the DNSKEY "
                "RRset: a validator following that algorithm fails (RFC 6840 5.11)"
            )
    covered = list(by_digest.values())
    if any(c != covered[0] for c in covered[1:]):
        return "the digest types in the DS set cover different keys"
    return None


# --------------------------------------------------------------------------- the decision


def decide(
    zone: dns.name.Name,
    data: ChildData,
    current: Sequence[DS],
    *,
    at: int,
    not_before: int | None,
    digest_types: Sequence[int] = (algorithms.DEFAULT_DIGEST,),
    prefer_cdnskey: bool = False,
) -> CdsDecision:
    """The parent's decision on the child's CDS/CDNSKEY (the module's rules, in order)."""
    notes: list[str] = []
    try:
        return _decide(
            zone, data, tuple(current), at, not_before, digest_types, prefer_cdnskey, notes
        )
    except _Rejected as rejected:
        return CdsDecision(CdsAction.REJECT, tuple(current), str(rejected), tuple(notes))


def _decide(
    zone: dns.name.Name,
    data: ChildData,
    current: tuple[DS, ...],
    at: int,
    not_before: int | None,
    digest_types: Sequence[int],
    prefer_cdnskey: bool,
    notes: list[str],
) -> CdsDecision:
    if not current:
        raise _Rejected(
            "no current DS: the delegation is unsigned, and a CDS can only be trusted through "
            "a DS (RFC 7344 4.1) or RFC 9615 bootstrapping"
        )
    if data.dnskey is None:
        raise _Rejected("the child data has no DNSKEY RRset at the apex")
    # Rule 1: continuity.
    matched = match_ds_set(current, zone, data.dnskey)
    if not matched.matched_keys:
        why = "; ".join(f"DS {j.ds.key_tag}: {j.detail}" for j in matched.judgments if j.detail)
        raise _Rejected(f"no DNSKEY matches the current DS set ({why or matched.status.value})")
    trusted = list(matched.matched_keys)
    inceptions = [
        _signed_by_trusted("DNSKEY", data.dnskey, data.dnskey_sigs, data, trusted, at, not_before)
    ]
    if data.cds is None and data.cdnskey is None:
        return CdsDecision(
            CdsAction.UNCHANGED, current, "no CDS or CDNSKEY: the DS set stays as it is",
            tuple(notes), CdsSource.NONE, max(inceptions),
        )  # fmt: skip
    # Rule 2: each signal present is signed by a key the DS authenticates, and fresh.
    if data.cds is not None:
        inceptions.append(
            _signed_by_trusted("CDS", data.cds, data.cds_sigs, data, trusted, at, not_before)
        )
    if data.cdnskey is not None:
        inceptions.append(
            _signed_by_trusted(
                "CDNSKEY", data.cdnskey, data.cdnskey_sigs, data, trusted, at, not_before
            )
        )
    inception = max(inceptions)
    # Rule 3: the delete form.
    cds_delete = _delete_form("CDS", data.cds, is_delete_cds)
    cdnskey_delete = _delete_form("CDNSKEY", data.cdnskey, is_delete_cdnskey)
    if cds_delete or cdnskey_delete:
        if (
            data.cds is not None
            and data.cdnskey is not None
            and not (cds_delete and cdnskey_delete)
        ):
            which = "CDS" if cds_delete else "CDNSKEY"
            other = "CDNSKEY" if cds_delete else "CDS"
            raise _Rejected(
                f"only the {which} RRset is the delete form, the {other} RRset names keys: "
                "the child's signals disagree (RFC 8078 4, draft-ietf-dnsop-ds-automation)"
            )
        source = CdsSource.CDS if cds_delete else CdsSource.CDNSKEY
        return CdsDecision(
            CdsAction.DELETE, (), "the child asks for its DS to be removed (RFC 8078 4)",
            tuple(notes), source, inception,
        )  # fmt: skip
    # Rule 4: consistency.
    if data.cds is not None and data.cdnskey is not None:
        _consistent(zone, data.cds, data.cdnskey, notes)
    # Rule 5: the new DS set.
    new, source = _new_ds_set(zone, data, digest_types, prefer_cdnskey, notes)
    # Rule 6: completeness.
    problem = ds_set_problem(zone, new, data.dnskey, data.dnskey_sigs, at)
    if problem:
        raise _Rejected(f"the resulting DS set would break the delegation: {problem}")
    if {ds_text(d) for d in new} == {ds_text(d) for d in current}:
        return CdsDecision(
            CdsAction.UNCHANGED, current, f"the {source.value} RRset matches the current DS set",
            tuple(notes), source, inception,
        )  # fmt: skip
    return CdsDecision(
        CdsAction.UPDATE, new, f"the {source.value} RRset asks for a new DS set",
        tuple(notes), source, inception,
    )  # fmt: skip


def _delete_form(
    what: str, rrset: dns.rrset.RRset | None, is_delete: Callable[[Rdata], bool]
) -> bool:
    if rrset is None:
        return False
    deletes = [r for r in rrset if is_delete(r)]
    if deletes and len(deletes) != len(rrset):
        raise _Rejected(
            f"the {what} RRset mixes the delete form with other records (RFC 8078 4 wants it alone)"
        )
    return bool(deletes)


def _consistent(
    zone: dns.name.Name, cds: dns.rrset.RRset, cdnskey: dns.rrset.RRset, notes: list[str]
) -> None:
    """Rule 4: every CDS we can compute matches a CDNSKEY key, every CDNSKEY key has a
    CDS (the digest types we cannot compute are left out of the comparison, and said)."""
    keys = [_as_dnskey(r) for r in cdnskey]
    referenced: set[DNSKEY] = set()
    for record in cds:
        ds = as_ds(record)
        if not algorithms.is_validated_digest(ds.digest_type):
            continue
        judgment = match_ds(ds, zone, keys)
        if judgment.matched and judgment.key is not None:
            referenced.add(judgment.key)
        elif judgment.status not in (DsStatus.UNSUPPORTED_ALGORITHM,):
            raise _Rejected(
                f"CDS {ds_text(ds)} names no key of the CDNSKEY RRset: the child's CDS and "
                "CDNSKEY disagree (draft-ietf-dnsop-ds-automation; dnssec-cds would use one)"
            )
    missing = [k for k in keys if k not in referenced]
    if missing:
        tags = ", ".join(str(k.key_id()) for k in missing)
        raise _Rejected(
            f"CDNSKEY key {tags} has no CDS: the child's CDS and CDNSKEY disagree "
            "(draft-ietf-dnsop-ds-automation; dnssec-cds would use one)"
        )


def _new_ds_set(
    zone: dns.name.Name,
    data: ChildData,
    digest_types: Sequence[int],
    prefer_cdnskey: bool,
    notes: list[str],
) -> tuple[tuple[DS, ...], CdsSource]:
    """Rule 5: the DS set the signal asks for, from the CDS (filtered by the accepted
    digest types) or from the CDNSKEY (one DS per key and accepted digest type)."""
    from_cds: list[DS] = []
    if data.cds is not None and not (prefer_cdnskey and data.cdnskey is not None):
        for record in data.cds:
            ds = as_ds(record)
            if ds.digest_type not in digest_types:
                notes.append(
                    f"CDS {ds.key_tag} of digest type {algorithms.digest_name(ds.digest_type)} "
                    "left out (not an accepted digest type, -a)"
                )
                continue
            if not algorithms.is_validated_algorithm(ds.algorithm):
                raise _Rejected(
                    f"CDS {ds.key_tag} is for algorithm {algorithms.algorithm_name(ds.algorithm)}, "
                    "which cannot be validated: its DS could not be checked (RFC 7344 4.1)"
                )
            from_cds.append(ds)
        if from_cds:
            return _unique(from_cds), CdsSource.CDS
        if data.cdnskey is None:
            raise _Rejected("no CDS record has an accepted digest type, and there is no CDNSKEY")
        notes.append("no CDS has an accepted digest type: the DS set is made from the CDNSKEY")
    assert data.cdnskey is not None
    made: list[DS] = []
    for record in data.cdnskey:
        key = _as_dnskey(record)
        if not algorithms.is_validated_algorithm(key.algorithm):
            raise _Rejected(
                f"CDNSKEY {key.key_id()} is of algorithm "
                f"{algorithms.algorithm_name(key.algorithm)}, which cannot be validated: "
                "its DS could not be checked (RFC 7344 4.1)"
            )
        for digest_type in digest_types:
            try:
                made.append(ds_for_publication(zone, key, digest_type).ds)
            except ValueError as error:
                raise _Rejected(f"CDNSKEY {key.key_id()}: {error}") from error
    if prefer_cdnskey and data.cds is not None:
        notes.append("the DS set is made from the CDNSKEY (-D)")
    return _unique(made), CdsSource.CDNSKEY


def _unique(records: Iterable[DS]) -> tuple[DS, ...]:
    seen: dict[str, DS] = {}
    for ds in records:
        seen.setdefault(ds_text(ds), ds)
    return tuple(seen.values())


# --------------------------------------------------------------------------- several servers


def decide_servers(
    zone: dns.name.Name,
    by_server: dict[str, ChildData],
    current: Sequence[DS],
    *,
    at: int,
    not_before: int | None,
    digest_types: Sequence[int] = (algorithms.DEFAULT_DIGEST,),
    prefer_cdnskey: bool = False,
) -> CdsDecision:
    """The decision over every server of the child: the CDS and CDNSKEY RRsets must be
    the same on each (draft-ietf-dnsop-ds-automation), :func:`decide` must accept each
    server's answers, and come to the same DS set on each."""
    if not by_server:
        return CdsDecision(CdsAction.REJECT, tuple(current), "no server of the child answered")
    seen: dict[tuple[frozenset[str], frozenset[str]], list[str]] = {}
    for server, data in by_server.items():
        key = (_texts(data.cds), _texts(data.cdnskey))
        seen.setdefault(key, []).append(server)
    if len(seen) > 1:
        groups = "; ".join(", ".join(servers) for servers in seen.values())
        return CdsDecision(
            CdsAction.REJECT, tuple(current),
            f"the child's servers publish different CDS/CDNSKEY RRsets ({groups})",
        )  # fmt: skip
    decisions: dict[str, CdsDecision] = {}
    for server, data in by_server.items():
        decisions[server] = decide(
            zone, data, current, at=at, not_before=not_before,
            digest_types=digest_types, prefer_cdnskey=prefer_cdnskey,
        )  # fmt: skip
    worst = next((d for d in decisions.values() if d.action is CdsAction.REJECT), None)
    if worst is not None:
        server = next(s for s, d in decisions.items() if d is worst)
        return worst._replace(reason=f"{worst.reason} (server {server})")
    outcomes = {(d.action, frozenset(ds_text(x) for x in d.ds)) for d in decisions.values()}
    if len(outcomes) > 1:
        return CdsDecision(
            CdsAction.REJECT, tuple(current),
            "the child's servers lead to different DS sets (their DNSKEY RRsets differ)",
        )  # fmt: skip
    return next(iter(decisions.values()))


# --------------------------------------------------------------------------- RFC 9615


class SignalView(NamedTuple):
    """What validation found at one signalling name ``_dsboot.<child>._signal.<ns>``."""

    ns: dns.name.Name
    name: dns.name.Name
    secure: bool  # both answers (CDS, CDNSKEY; data or no data) validated from the anchor
    reason: str  # why not, when not secure
    cds: frozenset[str]
    cdnskey: frozenset[str]


def signal_name(zone: dns.name.Name, ns: dns.name.Name) -> dns.name.Name:
    """RFC 9615 3.1: ``_dsboot.<child>._signal.<ns>``."""
    return dns.name.Name((b"_dsboot", *zone.labels[:-1], b"_signal")).concatenate(ns)


def bootstrap(
    zone: dns.name.Name,
    by_server: dict[str, ChildData],
    ns_names: Sequence[dns.name.Name],
    signals: Sequence[SignalView],
    *,
    at: int,
    digest_types: Sequence[int] = (algorithms.DEFAULT_DIGEST,),
    prefer_cdnskey: bool = False,
) -> CdsDecision:
    """RFC 9615 4: the first DS set of an unsigned delegation, from the child's apex
    CDS/CDNSKEY authenticated by the same records at the signalling name under every
    nameserver's own (validated) zone. Then the apex rules of :func:`decide` run with
    the set the signal asks for as the trusted one: its keys must sign the DNSKEY RRset,
    the CDS and CDNSKEY, and the set must be complete."""
    inside = [str(n) for n in ns_names if n.is_subdomain(zone)]
    if inside:
        return CdsDecision(CdsAction.REJECT, (), (
            f"nameserver {', '.join(inside)} is inside {zone}: its signalling name could not "
            "be validated, so RFC 9615 bootstrapping is impossible"
        ))  # fmt: skip
    if not by_server:
        return CdsDecision(CdsAction.REJECT, (), "no server of the child answered")
    apex = {(_texts(d.cds), _texts(d.cdnskey)) for d in by_server.values()}
    if len(apex) > 1:
        return CdsDecision(
            CdsAction.REJECT, (), "the child's servers publish different CDS/CDNSKEY RRsets"
        )
    cds, cdnskey = next(iter(apex))
    if not cds and not cdnskey:
        return CdsDecision(CdsAction.UNCHANGED, (), "unsigned delegation, no CDS or CDNSKEY: "
                           "it stays unsigned")  # fmt: skip
    by_ns = {s.ns: s for s in signals}
    for ns in ns_names:
        signal = by_ns.get(ns)
        if signal is None or not signal.secure:
            why = signal.reason if signal is not None else "not asked"
            reason = f"RFC 9615: the signal under {ns} is not validated ({why})"
            return CdsDecision(CdsAction.REJECT, (), reason)
        if (signal.cds, signal.cdnskey) != (cds, cdnskey):
            return CdsDecision(CdsAction.REJECT, (), (
                f"RFC 9615: the CDS/CDNSKEY at {signal.name} differ from the child's apex"
            ))  # fmt: skip
    data = next(iter(by_server.values()))
    notes: list[str] = []
    try:
        if _delete_form("CDS", data.cds, is_delete_cds) or _delete_form(
            "CDNSKEY", data.cdnskey, is_delete_cdnskey
        ):
            return CdsDecision(CdsAction.UNCHANGED, (), "the child asks to stay unsigned")
        wanted, _ = _new_ds_set(zone, data, digest_types, prefer_cdnskey, notes)
    except _Rejected as rejected:
        return CdsDecision(CdsAction.REJECT, (), f"RFC 9615: {rejected}", tuple(notes))
    decision = decide_servers(zone, by_server, wanted, at=at, not_before=None,
                              digest_types=digest_types, prefer_cdnskey=prefer_cdnskey)  # fmt: skip
    if decision.action is CdsAction.REJECT:
        return decision._replace(ds=(), reason=f"RFC 9615: {decision.reason}")
    if decision.action is not CdsAction.UNCHANGED:  # only a signal equal to itself is
        return CdsDecision(CdsAction.REJECT, (), "RFC 9615: the apex signal is not self-consistent")
    nss = ", ".join(str(n) for n in ns_names)
    return decision._replace(
        action=CdsAction.UPDATE,
        reason=f"RFC 9615 bootstrap: the apex {decision.source.value} RRset, confirmed under {nss}",
    )


def _texts(rrset: dns.rrset.RRset | None) -> frozenset[str]:
    return frozenset() if rrset is None else frozenset(r.to_text() for r in rrset)


__all__ = [
    "CdsAction",
    "CdsDecision",
    "CdsSource",
    "ChildData",
    "SignalView",
    "as_ds",
    "bootstrap",
    "child_data",
    "decide",
    "decide_servers",
    "ds_set_problem",
    "ds_text",
    "is_delete_cdnskey",
    "is_delete_cds",
    "signal_name",
]
