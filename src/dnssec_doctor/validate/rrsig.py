"""Judge one RRSIG against an RRset and a DNSKEY RRset at a given time.

Every RRSIG gets its own verdict (:class:`RrsigStatus`) plus non-fatal warnings
(:class:`RrsigWarning`), so a report can say *which* signature is broken and why.
:func:`rrset_status` then tells whether an RRset is secure: at least one RRSIG is
valid with a trusted key (RFC 4035 5.3).

The cryptographic step is :mod:`fastsig` (``cryptography`` on the wire forms, as
``verify`` does it); the clock is never read: the time is a parameter and the time checks
are done here, in RRSIG serial-number arithmetic (RFC 4034 3.1.5).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import IntFlag, StrEnum
from typing import NamedTuple, cast

import dns.name
import dns.rdatatype
import dns.rrset
from dns.rdata import Rdata
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.RRSIG import RRSIG
from dns.rdtypes.dnskeybase import Flag

from dnssec_doctor.validate import algorithms, fastsig, limits
from dnssec_doctor.validate.limits import VerificationBudget
from dnssec_doctor.validate.records import key_tag, labels
from dnssec_doctor.validate.timeutil import At, iso, posix, serial_time


class RrsigStatus(StrEnum):
    """Verdict on one RRSIG (stable codes).

    Checks run roughly top to bottom and the first failing one gives the verdict;
    ``LIMIT_EXCEEDED`` can come from any check that would spend work, and a bad
    signature outranks a time problem (an expired forgery is reported as forged).

    - ``TYPE_MISMATCH``: the RRSIG covers another type or class (RFC 4035 5.3.1).
    - ``BAD_LABELS``: Labels field larger than the owner's label count, or a
      wildcard owner whose Labels field is not its count without ``*`` (RFC 4035 5.3.1).
    - ``WRONG_SIGNER``: signer is not the zone holding the RRset: not the owner or an
      ancestor of it, not the given zone, a DNSKEY RRset not self-signed, or a DS
      RRset signed by the child instead of the parent (RFC 4035 5.3.1).
    - ``UNSUPPORTED_ALGORITHM``: we do not validate this algorithm (see
      ``algorithms``); such data is insecure, not bogus (RFC 4035 5.2).
    - ``NO_MATCHING_KEY``: no DNSKEY at the signer with this key tag, algorithm,
      protocol 3 and the Zone Key flag (RFC 4035 5.3.1).
    - ``REVOKED_KEY``: the only matching keys have the REVOKE bit; a revoked key may
      only sign the DNSKEY RRset (RFC 5011 2.1).
    - ``INVALID_KEY``: the matching DNSKEY's public key field cannot be loaded.
    - ``LIMIT_EXCEEDED``: a limit in ``limits`` stopped the check (too many records,
      key-tag collisions, or the verification budget ran out).
    - ``BAD_SIGNATURE``: the signature does not verify with any candidate key.
    - ``NOT_YET_VALID``: the time is before the inception (RFC 4035 5.3.1).
    - ``EXPIRED``: the time is after the expiration (RFC 4035 5.3.1).
    - ``VALID``: verifies, in its validity period.
    """

    TYPE_MISMATCH = "TYPE_MISMATCH"
    BAD_LABELS = "BAD_LABELS"
    WRONG_SIGNER = "WRONG_SIGNER"
    UNSUPPORTED_ALGORITHM = "UNSUPPORTED_ALGORITHM"
    NO_MATCHING_KEY = "NO_MATCHING_KEY"
    REVOKED_KEY = "REVOKED_KEY"
    INVALID_KEY = "INVALID_KEY"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    NOT_YET_VALID = "NOT_YET_VALID"
    EXPIRED = "EXPIRED"
    VALID = "VALID"


class RrsigFact(IntFlag):
    """A failed check of one RRSIG; the bits are in the order the checks decide.

    :func:`rrsig_verdict` is the acceptance rule: the lowest failed fact gives the
    verdict (:data:`RULE`), none gives ``VALID``.  A judge may stop at the first
    failed fact (the later ones cannot change the verdict).  ``UNDECIDED``: a fast path
    (``zonefile.workers``, ``_czone_judge.c``, the same bits) cannot tell the next fact;
    :func:`judge_rrsig` then decides.
    """

    TYPE = 1 << 0  # covers another type or class
    LABELS = 1 << 1  # Labels field wrong for the owner
    SIGNER = 1 << 2  # not the zone holding the RRset
    ALGORITHM = 1 << 3  # an algorithm we do not validate
    RECORDS = 1 << 4  # the RRset or the DNSKEY RRset over MAX_RECORDS_PER_RRSET
    NO_KEY = 1 << 5  # no zone key with this tag and algorithm at the signer
    REVOKED = 1 << 6  # every matching key is revoked
    KEY_TAGS = 1 << 7  # more matching keys than MAX_KEYS_PER_TAG
    KEY_LOAD = 1 << 8  # no matching key loads
    NEVER_VALID = 1 << 9  # expiration before inception
    BUDGET = 1 << 10  # the verification budget is spent
    NO_CRYPTO = 1 << 11  # the algorithm is not available here
    SIGNATURE = 1 << 12  # does not verify with any candidate key
    EARLY = 1 << 13  # the time is before the inception
    LATE = 1 << 14  # the time is after the expiration
    UNDECIDED = 1 << 15


#: The verdict of each failed fact; the order of the checks (RFC 4035 5.3.1).
RULE: tuple[tuple[RrsigFact, RrsigStatus], ...] = (
    (RrsigFact.TYPE, RrsigStatus.TYPE_MISMATCH),
    (RrsigFact.LABELS, RrsigStatus.BAD_LABELS),
    (RrsigFact.SIGNER, RrsigStatus.WRONG_SIGNER),
    (RrsigFact.ALGORITHM, RrsigStatus.UNSUPPORTED_ALGORITHM),
    (RrsigFact.RECORDS, RrsigStatus.LIMIT_EXCEEDED),
    (RrsigFact.NO_KEY, RrsigStatus.NO_MATCHING_KEY),
    (RrsigFact.REVOKED, RrsigStatus.REVOKED_KEY),
    (RrsigFact.KEY_TAGS, RrsigStatus.LIMIT_EXCEEDED),
    (RrsigFact.KEY_LOAD, RrsigStatus.INVALID_KEY),
    (RrsigFact.NEVER_VALID, RrsigStatus.EXPIRED),
    (RrsigFact.BUDGET, RrsigStatus.LIMIT_EXCEEDED),
    (RrsigFact.NO_CRYPTO, RrsigStatus.UNSUPPORTED_ALGORITHM),
    (RrsigFact.SIGNATURE, RrsigStatus.BAD_SIGNATURE),
    (RrsigFact.EARLY, RrsigStatus.NOT_YET_VALID),
    (RrsigFact.LATE, RrsigStatus.EXPIRED),
)
_VERDICT: dict[int, RrsigStatus] = {int(fact): status for fact, status in RULE}


def rrsig_verdict(facts: int) -> RrsigStatus | None:
    """The verdict on an RRSIG whose failed facts are ``facts`` (RrsigFact bits);
    ``None`` when the first one is UNDECIDED."""
    if not facts:
        return RrsigStatus.VALID
    return _VERDICT.get(facts & -facts)


class RrsigWarning(StrEnum):
    """Things wrong with an RRSIG that do not make validators reject it.

    - ``ORIGINAL_TTL_MISMATCH``: the RRset's TTL is above the RRSIG's Original TTL
      (RFC 4035 2.2); validators cap the TTL (RFC 4035 5.3.3) rather than fail.
    - ``RRSIG_TTL_EXCEEDS_ORIGINAL``: the RRSIG's own TTL is above its Original TTL.
    - ``TTL_BEYOND_EXPIRATION``: a cache may keep the data past the expiration
      (time + TTL > expiration; RFC 4035 5.3.3 caps the TTL).
    - ``ALGORITHM_DEPRECATED``: RFC 8624/9904 say MUST NOT or NOT RECOMMENDED for
      signing with this algorithm (e.g. RSASHA1).
    - ``SIGNED_BY_REVOKED_KEY``: a DNSKEY RRset signature made with a revoked key
      (normal while revoking, RFC 5011; it gives no trust).
    - ``WILDCARD_EXPANSION``: the RRset was synthesised from a wildcard; a denial
      proof that no closer name exists is needed (RFC 4035 5.3.4).
    """

    ORIGINAL_TTL_MISMATCH = "ORIGINAL_TTL_MISMATCH"
    RRSIG_TTL_EXCEEDS_ORIGINAL = "RRSIG_TTL_EXCEEDS_ORIGINAL"
    TTL_BEYOND_EXPIRATION = "TTL_BEYOND_EXPIRATION"
    ALGORITHM_DEPRECATED = "ALGORITHM_DEPRECATED"
    SIGNED_BY_REVOKED_KEY = "SIGNED_BY_REVOKED_KEY"
    WILDCARD_EXPANSION = "WILDCARD_EXPANSION"


class RrsigJudgment(NamedTuple):
    """The verdict on one RRSIG, with everything a report needs to explain it.

    Times are absolute POSIX seconds.  ``seconds_left`` is ``expiration - at``
    (negative once expired): the expiry margin.  ``signature_ok`` is ``None`` when
    the signature was not checked (an earlier verdict made it pointless).
    ``wildcard`` is the wildcard name the RRset was expanded from, if any.
    """

    status: RrsigStatus
    owner: dns.name.Name
    type_covered: int
    algorithm: int
    key_tag: int
    signer: dns.name.Name
    inception: int
    expiration: int
    seconds_left: int
    at: int
    rrsig: RRSIG
    key: DNSKEY | None = None
    signature_ok: bool | None = None
    time_ok: bool = False
    wildcard: dns.name.Name | None = None
    warnings: frozenset[RrsigWarning] = frozenset()
    detail: str = ""

    @property
    def valid(self) -> bool:
        return self.status is RrsigStatus.VALID


def _budgets(
    budget: VerificationBudget | Sequence[VerificationBudget] | None,
) -> list[VerificationBudget]:
    if budget is None:
        return []
    if isinstance(budget, VerificationBudget):
        return [budget]
    return list(budget)


def _take(budgets: Sequence[VerificationBudget]) -> bool:
    if any(b.exhausted for b in budgets):
        return False
    for b in budgets:
        b.take()
    return True


def _key_loads(key: DNSKEY) -> bool:
    try:
        return fastsig.verifier(key.to_digestable()) is not None
    except Exception:  # key data that does not encode: an unusable key
        return False


def _refusal(key: DNSKEY) -> str | None:
    """The size limit that refuses *key*, if one does (fastsig.refusal)."""
    try:
        return fastsig.refusal(key.to_digestable())
    except Exception:  # key data that does not encode: no limit to name
        return None


def _verify(rrset: dns.rrset.RRset, rrsig: RRSIG, key: DNSKEY) -> bool | None:
    """Cryptographic check with one key; ``None`` if the algorithm is unavailable.
    Only the signature: key tag, times and signer were judged by the caller."""
    try:
        return fastsig.verify(
            rrsig.to_digestable(),
            rrset.name.to_digestable(),
            rrset.rdtype,
            [rdata.to_digestable() for rdata in rrset],  # canonical RDATA, RFC 4034 6.2
            key.to_digestable(),
        )
    except Exception:  # hostile input that does not encode
        return False


def _signer_problem(rrset: dns.rrset.RRset, rrsig: RRSIG, zone: dns.name.Name | None) -> str | None:
    owner, signer = rrset.name, rrsig.signer
    if not owner.is_subdomain(signer):
        return f"signer {signer} is not {owner} or an ancestor of it"
    if zone is not None and signer != zone:
        return f"signer {signer} is not the zone {zone}"
    if rrset.rdtype == dns.rdatatype.DNSKEY and signer != owner:
        return f"DNSKEY RRset signed by {signer}, not by its own zone"
    if rrset.rdtype == dns.rdatatype.DS and signer == owner and owner != dns.name.root:
        return "DS RRset signed by the child zone, not by the parent"
    return None


def is_expired(rrsig: RRSIG, at: int) -> bool:
    """True when *at* is after the RRSIG's expiration (RFC 4035 5.3.1), the field read
    as a serial-number time (RFC 4034 3.1.5)."""
    return at > serial_time(rrsig.expiration, at)


def judge_rrsig(
    rrset: dns.rrset.RRset,
    rrsig: RRSIG,
    dnskeys: dns.rrset.RRset | None,
    at: At,
    *,
    zone: dns.name.Name | None = None,
    rrsig_ttl: int | None = None,
    budget: VerificationBudget | Sequence[VerificationBudget] | None = None,
) -> RrsigJudgment:
    """Judge ``rrsig`` over ``rrset`` with the keys in ``dnskeys`` at time ``at``.

    ``dnskeys`` is the signer's DNSKEY RRset (its owner must be the signer name);
    ``zone``, if given, is the zone that must have signed; ``rrsig_ttl`` the RRSIG
    RR's TTL (for the TTL warnings); ``budget`` one or more verification budgets to
    spend from.  Never raises for hostile data.
    """
    now = posix(at)
    inception = serial_time(rrsig.inception, now)
    expiration = serial_time(rrsig.expiration, now)
    warnings: set[RrsigWarning] = set()
    wildcard: dns.name.Name | None = None
    template = RrsigJudgment(
        status=RrsigStatus.VALID,
        owner=rrset.name,
        type_covered=int(rrsig.type_covered),
        algorithm=int(rrsig.algorithm),
        key_tag=rrsig.key_tag,
        signer=rrsig.signer,
        inception=inception,
        expiration=expiration,
        seconds_left=expiration - now,
        at=now,
        rrsig=rrsig,
        time_ok=inception <= now <= expiration,
    )

    def verdict(
        fact: RrsigFact,
        detail: str,
        key: DNSKEY | None = None,
        signature_ok: bool | None = None,
    ) -> RrsigJudgment:
        status = rrsig_verdict(fact)  # the one rule (RULE)
        if status is None:
            raise ValueError("judge_rrsig decides every fact")
        return template._replace(
            status=status,
            detail=detail,
            key=key,
            signature_ok=signature_ok,
            wildcard=wildcard,
            warnings=frozenset(warnings),
        )

    # -- warnings that do not depend on the verdict (RFC 4035 2.2, 5.3.3)
    if rrset.ttl > rrsig.original_ttl:
        warnings.add(RrsigWarning.ORIGINAL_TTL_MISMATCH)
    if rrsig_ttl is not None and rrsig_ttl > rrsig.original_ttl:
        warnings.add(RrsigWarning.RRSIG_TTL_EXCEEDS_ORIGINAL)
    if template.time_ok and now + min(rrset.ttl, rrsig.original_ttl) > expiration:
        warnings.add(RrsigWarning.TTL_BEYOND_EXPIRATION)
    if algorithms.signing_advice(rrsig.algorithm) in (
        algorithms.SigningAdvice.MUST_NOT,
        algorithms.SigningAdvice.NOT_RECOMMENDED,
    ):
        warnings.add(RrsigWarning.ALGORITHM_DEPRECATED)

    # -- structure (RFC 4035 5.3.1)
    if rrsig.type_covered != rrset.rdtype or rrsig.rdclass != rrset.rdclass:
        covered = dns.rdatatype.to_text(rrsig.type_covered)
        return verdict(RrsigFact.TYPE, f"RRSIG covers {covered}")
    owner_labels = labels(rrset.name)
    if rrsig.labels > owner_labels:
        return verdict(
            RrsigFact.LABELS,
            f"Labels field {rrsig.labels} > {owner_labels} labels in {rrset.name}",
        )
    if rrset.name.is_wild() and rrsig.labels != owner_labels:
        return verdict(
            RrsigFact.LABELS,
            f"wildcard owner has {owner_labels} labels, Labels field is {rrsig.labels}",
        )
    if rrsig.labels < owner_labels:
        # RFC 4035 5.3.2: the RRset was expanded from *.<rightmost labels of owner>.
        suffix = rrset.name.split(rrsig.labels + 1)[1]
        wildcard = dns.name.Name((b"*", *suffix.labels))
        warnings.add(RrsigWarning.WILDCARD_EXPANSION)
    problem = _signer_problem(rrset, rrsig, zone)
    if problem:
        return verdict(RrsigFact.SIGNER, problem)
    if not algorithms.is_validated_algorithm(rrsig.algorithm):
        support = algorithms.algorithm_support(rrsig.algorithm)
        name = algorithms.algorithm_name(rrsig.algorithm)
        return verdict(RrsigFact.ALGORITHM, f"algorithm {name} is {support}")
    for what in (rrset, dnskeys):
        if what is not None and len(what) > limits.MAX_RECORDS_PER_RRSET:
            return verdict(
                RrsigFact.RECORDS,
                f"{len(what)} records in {what.name} > MAX_RECORDS_PER_RRSET",
            )

    # -- candidate keys (RFC 4035 5.3.1; RFC 4034 2.1.1, 2.1.2; RFC 5011 2.1)
    if dnskeys is None or dnskeys.rdtype != dns.rdatatype.DNSKEY:
        return verdict(RrsigFact.NO_KEY, f"no DNSKEY RRset for {rrsig.signer}")
    if dnskeys.name != rrsig.signer:
        return verdict(RrsigFact.NO_KEY, f"DNSKEY RRset is {dnskeys.name}, signer {rrsig.signer}")
    matching = [
        cast(DNSKEY, k)
        for k in dnskeys
        if k.algorithm == rrsig.algorithm
        and key_tag(k) == rrsig.key_tag
        and k.protocol == 3
        and k.flags & Flag.ZONE
    ]
    if not matching:
        return verdict(
            RrsigFact.NO_KEY,
            f"no zone key with tag {rrsig.key_tag} algorithm {rrsig.algorithm} at {rrsig.signer}",
        )
    is_dnskey = rrset.rdtype == dns.rdatatype.DNSKEY
    usable = [k for k in matching if is_dnskey or not k.flags & Flag.REVOKE]
    if not usable:
        return verdict(RrsigFact.REVOKED, f"key {rrsig.key_tag} is revoked")
    if len(usable) > limits.MAX_KEYS_PER_TAG:
        return verdict(
            RrsigFact.KEY_TAGS,
            f"{len(usable)} keys share tag {rrsig.key_tag} > MAX_KEYS_PER_TAG",
        )
    loadable = [k for k in usable if _key_loads(k)]
    if not loadable:
        why = _refusal(usable[0])
        return verdict(
            RrsigFact.KEY_LOAD,
            f"key {rrsig.key_tag} cannot be loaded" + (f" ({why})" if why else ""),
        )

    if expiration < inception or rrsig.expiration < rrsig.inception:
        return verdict(RrsigFact.NEVER_VALID, "expiration is before inception: never valid")

    # -- cryptography
    budgets = _budgets(budget)
    good: DNSKEY | None = None
    for key in loadable:
        if not _take(budgets):
            return verdict(RrsigFact.BUDGET, "signature verification budget spent")
        result = _verify(rrset, rrsig, key)
        if result is None:
            return verdict(RrsigFact.NO_CRYPTO, "algorithm not available")
        if result:
            good = key
            break
    if good is None:
        return verdict(
            RrsigFact.SIGNATURE,
            f"does not verify with key {rrsig.key_tag} ({len(loadable)} candidate(s))",
            signature_ok=False,
        )
    if good.flags & Flag.REVOKE:
        warnings.add(RrsigWarning.SIGNED_BY_REVOKED_KEY)

    # -- time (RFC 4035 5.3.1), in serial arithmetic
    if now < inception:
        return verdict(
            RrsigFact.EARLY,
            f"inception {iso(inception)} is {inception - now} s after {iso(now)}",
            key=good,
            signature_ok=True,
        )
    if is_expired(rrsig, now):
        return verdict(
            RrsigFact.LATE,
            f"expired {iso(expiration)}, {now - expiration} s before {iso(now)}",
            key=good,
            signature_ok=True,
        )
    return verdict(RrsigFact(0), "", key=good, signature_ok=True)


# --------------------------------------------------------------------------- RRset


class RrsetSecurity(StrEnum):
    """Whether an RRset is secure given a set of trusted DNSKEYs.

    - ``SECURE``: at least one RRSIG is ``VALID`` with a trusted, non-revoked key.
    - ``UNSIGNED``: no RRSIG covers the RRset.
    - ``UNSUPPORTED``: every RRSIG uses an algorithm we do not validate (insecure,
      not bogus, if the DS RRset agrees; RFC 4035 5.2).
    - ``LIMIT_EXCEEDED``: no RRSIG was valid and a limit stopped some checks.
    - ``BOGUS``: RRSIGs exist, none is valid with a trusted key.
    """

    SECURE = "SECURE"
    UNSIGNED = "UNSIGNED"
    UNSUPPORTED = "UNSUPPORTED"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    BOGUS = "BOGUS"


class RrsetStatus(NamedTuple):
    """All per-RRSIG verdicts on one RRset and the resulting security.

    ``judgments`` lists every RRSIG judged; ``skipped`` counts RRSIGs beyond
    ``MAX_RRSIGS_PER_RRSET`` that were not looked at.
    """

    security: RrsetSecurity
    rrset: dns.rrset.RRset
    judgments: tuple[RrsigJudgment, ...]
    skipped: int = 0
    trusted_keys_used: tuple[DNSKEY, ...] = ()

    @property
    def secure(self) -> bool:
        return self.security is RrsetSecurity.SECURE


def rrset_status(
    rrset: dns.rrset.RRset,
    rrsigs: Iterable[Rdata] | None,
    dnskeys: dns.rrset.RRset | None,
    at: At,
    *,
    trusted: Iterable[Rdata] | None = None,
    zone: dns.name.Name | None = None,
    budget: VerificationBudget | None = None,
) -> RrsetStatus:
    """Judge every RRSIG over ``rrset`` and say whether the RRset is secure.

    ``trusted`` are the keys already authenticated (e.g. DS-matched or anchored);
    ``None`` trusts every key in ``dnskeys``.  At most ``MAX_RRSIGS_PER_RRSET``
    RRSIGs and ``MAX_VERIFICATIONS_PER_RRSET`` verifications are spent; ``budget``
    is the per-query budget.
    """
    rrsig_ttl = rrsigs.ttl if isinstance(rrsigs, dns.rrset.RRset) else None
    sigs = [s for s in (rrsigs or ()) if isinstance(s, RRSIG)]
    covering = [s for s in sigs if s.type_covered == rrset.rdtype]
    if not covering:
        return RrsetStatus(RrsetSecurity.UNSIGNED, rrset, ())
    judged = covering[: limits.MAX_RRSIGS_PER_RRSET]
    skipped = len(covering) - len(judged)
    per_rrset = VerificationBudget(limits.MAX_VERIFICATIONS_PER_RRSET)
    budgets = [per_rrset] if budget is None else [per_rrset, budget]
    judgments = tuple(
        judge_rrsig(rrset, s, dnskeys, at, zone=zone, rrsig_ttl=rrsig_ttl, budget=budgets)
        for s in judged
    )
    trusted_set = None if trusted is None else list(trusted)
    used: list[DNSKEY] = []
    for j in judgments:
        if not j.valid or j.key is None or j.key.flags & Flag.REVOKE:
            continue
        if trusted_set is None or j.key in trusted_set:
            used.append(j.key)
    if used:
        security = RrsetSecurity.SECURE
    elif all(j.status is RrsigStatus.UNSUPPORTED_ALGORITHM for j in judgments):
        security = RrsetSecurity.UNSUPPORTED
    elif skipped or any(j.status is RrsigStatus.LIMIT_EXCEEDED for j in judgments):
        security = RrsetSecurity.LIMIT_EXCEEDED
    else:
        security = RrsetSecurity.BOGUS
    return RrsetStatus(security, rrset, judgments, skipped, tuple(used))


__all__ = [
    "RULE",
    "RrsetSecurity",
    "RrsetStatus",
    "RrsigFact",
    "RrsigJudgment",
    "RrsigStatus",
    "RrsigWarning",
    "judge_rrsig",
    "rrset_status",
    "rrsig_verdict",
]
