"""Match DS records against DNSKEYs, and build the DS records to publish.

Every DS is matched against every DNSKEY of the child (RFC 4035 5.2): by key tag,
algorithm and digest.  The verdict tells apart the ways this goes wrong, because
they have different fixes (a stale DS at the registrar, a key that was removed, an
algorithm typo in the registrar form, ...).

The DS RRset as a whole (:func:`match_ds_set`) follows RFC 4035 5.2 and RFC 6840
5.2: if no DS has an algorithm *and* digest type we support, the child is
*insecure*, not bogus.  SHA-1 DS records are ignored when a SHA-256 one is present
(RFC 4509 3).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import NamedTuple

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.rdata import Rdata
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.DS import DS
from dns.rdtypes.dnskeybase import Flag

from dnssec_doctor.validate import algorithms, limits
from dnssec_doctor.validate.records import key_tag


class DsStatus(StrEnum):
    """Verdict on one DS record against the child's DNSKEYs.

    - ``MATCH``: a DNSKEY with this tag and algorithm has exactly this digest.
    - ``DIGEST_MISMATCH``: key tag and algorithm match a DNSKEY, the digest differs
      (a stale DS, or a DS computed for another owner name).
    - ``NO_KEY_WITH_TAG``: no DNSKEY has this key tag (the key was removed or the DS
      was never updated after a rollover).
    - ``ALGORITHM_MISMATCH``: a DNSKEY has this key tag but another algorithm (often a
      wrong algorithm chosen in a registrar form).
    - ``UNSUPPORTED_DIGEST_TYPE``: we do not validate this digest type (RFC 8624 3.3).
    - ``UNSUPPORTED_ALGORITHM``: we do not validate this DNSKEY algorithm.
    - ``IGNORED_SHA1``: a SHA-1 DS, ignored because a SHA-256 DS exists (RFC 4509 3).
    - ``KEY_NOT_ZONE_KEY``: the digest matches a DNSKEY without the Zone Key flag,
      which cannot be used (RFC 4034 2.1.1, 5.2).
    - ``KEY_REVOKED``: the digest matches a DNSKEY with the REVOKE bit (RFC 5011 2.1).
    - ``LIMIT_EXCEEDED``: too many keys share the tag, or too many DS records.
    """

    MATCH = "MATCH"
    DIGEST_MISMATCH = "DIGEST_MISMATCH"
    NO_KEY_WITH_TAG = "NO_KEY_WITH_TAG"
    ALGORITHM_MISMATCH = "ALGORITHM_MISMATCH"
    UNSUPPORTED_DIGEST_TYPE = "UNSUPPORTED_DIGEST_TYPE"
    UNSUPPORTED_ALGORITHM = "UNSUPPORTED_ALGORITHM"
    IGNORED_SHA1 = "IGNORED_SHA1"
    KEY_NOT_ZONE_KEY = "KEY_NOT_ZONE_KEY"
    KEY_REVOKED = "KEY_REVOKED"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"


class DsSetStatus(StrEnum):
    """Verdict on a DS RRset against the child's DNSKEY RRset.

    - ``MATCHED``: at least one usable DS matches a usable DNSKEY (a secure entry
      point candidate; it must still sign the DNSKEY RRset).
    - ``NO_MATCH``: usable DS records exist but none matches a DNSKEY: bogus.
    - ``INSECURE``: no DS has a supported algorithm and digest type: the child is
      treated as unsigned (RFC 4035 5.2, RFC 6840 5.2).
    - ``NO_DS``: the DS RRset is empty (absence must be proven separately).
    """

    MATCHED = "MATCHED"
    NO_MATCH = "NO_MATCH"
    INSECURE = "INSECURE"
    NO_DS = "NO_DS"


class DsJudgment(NamedTuple):
    """The verdict on one DS; ``key`` is the DNSKEY it matched (or nearly matched)."""

    status: DsStatus
    ds: DS
    key: DNSKEY | None = None
    detail: str = ""

    @property
    def matched(self) -> bool:
        return self.status is DsStatus.MATCH


class DsSetResult(NamedTuple):
    """All DS verdicts and the keys a validator may start the child's chain from."""

    status: DsSetStatus
    judgments: tuple[DsJudgment, ...]
    matched_keys: tuple[DNSKEY, ...]
    skipped: int = 0


#: DS digest types we can compute (RFC 4034 5.1.4, RFC 4509, RFC 6605); which of them a
#: validator may use is :mod:`algorithms`' business.
_DIGESTS: dict[int, Callable[[bytes], hashlib._Hash]] = {
    1: hashlib.sha1,
    2: hashlib.sha256,
    4: hashlib.sha384,
}


def _digest(owner: dns.name.Name, key: Rdata, digest_type: int) -> bytes | None:
    """RFC 4034 5.1.4: the digest of the canonical owner name and the DNSKEY RDATA;
    ``None`` for a digest type we do not compute or key data that does not encode."""
    make = _DIGESTS.get(digest_type)
    if make is None:
        return None
    try:
        return make(owner.to_digestable() + key.to_digestable()).digest()
    except Exception:  # hostile key data
        return None


def match_ds(
    ds: DS,
    owner: dns.name.Name,
    dnskeys: Iterable[Rdata],
    *,
    sha256_present: bool = False,
) -> DsJudgment:
    """Match one DS (owned by ``owner``) against the child's DNSKEYs.

    ``sha256_present`` says a supported SHA-256 DS is in the same RRset, which makes
    validators ignore SHA-1 DS records (RFC 4509 3).
    """
    if not algorithms.is_validated_digest(ds.digest_type):
        name = algorithms.digest_name(ds.digest_type)
        return DsJudgment(DsStatus.UNSUPPORTED_DIGEST_TYPE, ds, None, f"digest type {name}")
    if not algorithms.is_validated_algorithm(ds.algorithm):
        name = algorithms.algorithm_name(ds.algorithm)
        return DsJudgment(DsStatus.UNSUPPORTED_ALGORITHM, ds, None, f"algorithm {name}")
    if ds.digest_type == 1 and sha256_present:
        return DsJudgment(DsStatus.IGNORED_SHA1, ds, None, "SHA-256 DS present (RFC 4509 3)")
    keys = [k for k in dnskeys if isinstance(k, DNSKEY) and k.protocol == 3]
    same_tag = [k for k in keys if key_tag(k) == ds.key_tag]
    if not same_tag:
        return DsJudgment(DsStatus.NO_KEY_WITH_TAG, ds, None, f"no DNSKEY with tag {ds.key_tag}")
    candidates = [k for k in same_tag if k.algorithm == ds.algorithm]
    if not candidates:
        algs = sorted({int(k.algorithm) for k in same_tag})
        return DsJudgment(
            DsStatus.ALGORITHM_MISMATCH,
            ds,
            same_tag[0],
            f"DNSKEY {ds.key_tag} has algorithm {algs}, DS says {ds.algorithm}",
        )
    if len(candidates) > limits.MAX_KEYS_PER_TAG:
        return DsJudgment(
            DsStatus.LIMIT_EXCEEDED, ds, None, f"{len(candidates)} keys share tag {ds.key_tag}"
        )
    for key in candidates:
        digest = _digest(owner, key, ds.digest_type)
        if digest is None or not hmac.compare_digest(digest, bytes(ds.digest)):
            continue
        if not key.flags & Flag.ZONE:
            return DsJudgment(DsStatus.KEY_NOT_ZONE_KEY, ds, key, "matched key lacks Zone flag")
        if key.flags & Flag.REVOKE:
            return DsJudgment(DsStatus.KEY_REVOKED, ds, key, "matched key is revoked")
        return DsJudgment(DsStatus.MATCH, ds, key, "")
    return DsJudgment(
        DsStatus.DIGEST_MISMATCH,
        ds,
        candidates[0],
        f"DNSKEY {ds.key_tag} exists but its digest differs",
    )


def match_ds_set(
    ds_records: Iterable[Rdata], owner: dns.name.Name, dnskeys: Iterable[Rdata]
) -> DsSetResult:
    """Match every DS against every DNSKEY and judge the DS RRset as a whole.

    Takes RRsets (or any iterables of rdata); records of other types are ignored.
    """
    all_ds = [d for d in ds_records if isinstance(d, DS)]
    if not all_ds:
        return DsSetResult(DsSetStatus.NO_DS, (), ())
    ds_list = all_ds[: limits.MAX_DS_PER_RRSET]
    skipped = len(all_ds) - len(ds_list)
    keys = [k for k in dnskeys if isinstance(k, DNSKEY)][: limits.MAX_RECORDS_PER_RRSET]
    sha256 = any(
        d.digest_type == 2 and algorithms.is_validated_algorithm(d.algorithm) for d in ds_list
    )
    judgments = tuple(match_ds(d, owner, keys, sha256_present=sha256) for d in ds_list)
    usable = [
        j
        for j in judgments
        if j.status
        not in (
            DsStatus.UNSUPPORTED_ALGORITHM,
            DsStatus.UNSUPPORTED_DIGEST_TYPE,
            DsStatus.IGNORED_SHA1,
        )
    ]
    matched: list[DNSKEY] = []
    for j in judgments:
        if j.matched and j.key is not None and j.key not in matched:
            matched.append(j.key)
    if matched:
        status = DsSetStatus.MATCHED
    elif not usable:
        status = DsSetStatus.INSECURE  # RFC 4035 5.2, RFC 6840 5.2
    else:
        status = DsSetStatus.NO_MATCH
    return DsSetResult(status, judgments, tuple(matched), skipped)


# --------------------------------------------------------------------------- publish


class PublishableDs(NamedTuple):
    """A DS record to give the parent, in the forms people need.

    ``presentation`` is the master-file line; ``key_tag``, ``algorithm``,
    ``digest_type`` and ``digest`` (upper-case hex) are the four fields a registrar
    form asks for.
    """

    presentation: str
    key_tag: int
    algorithm: int
    digest_type: int
    digest: str
    ds: DS

    def registrar_fields(self) -> dict[str, str]:
        return {
            "Key Tag": str(self.key_tag),
            "Algorithm": f"{self.algorithm} ({algorithms.algorithm_name(self.algorithm)})",
            "Digest Type": f"{self.digest_type} ({algorithms.digest_name(self.digest_type)})",
            "Digest": self.digest,
        }


#: The digest types :func:`ds_from_dnskey` computes (SHA-1 only to show what a parent
#: holds or what ``dnssec-dsfromkey -1`` prints: RFC 9904 forbids publishing it).
COMPUTABLE_DIGESTS: frozenset[int] = frozenset(_DIGESTS)


def ds_from_dnskey(owner: dns.name.Name, dnskey: DNSKEY, digest_type: int) -> DS:
    """The DS record for ``dnskey`` at ``owner`` with ``digest_type`` (RFC 4034 5.1.4),
    whatever its flags; ``ValueError`` for a digest type we do not compute."""
    digest_bytes = _digest(owner, dnskey, digest_type)
    if digest_bytes is None:
        raise ValueError(f"cannot compute a digest of type {digest_type} for this key")
    return DS(
        dns.rdataclass.IN,
        dns.rdatatype.DS,
        key_tag(dnskey),
        dnskey.algorithm,
        digest_type,
        digest_bytes,
    )


def ds_for_publication(
    owner: dns.name.Name | str,
    dnskey: DNSKEY,
    digest_type: int = algorithms.DEFAULT_DIGEST,
    ttl: int = 3600,
) -> PublishableDs:
    """The DS record to publish for ``dnskey`` at ``owner`` (SHA-256 by default).

    Raises ``ValueError`` for a digest type we do not create (only 2 and 4: RFC 9904
    forbids creating SHA-1 DS), a key without the Zone flag, or a revoked key.
    """
    if isinstance(owner, str):
        owner = dns.name.from_text(owner)
    if digest_type not in algorithms.CREATABLE_DIGESTS:
        raise ValueError(f"digest type {digest_type} is not one we create (use 2 or 4)")
    if not dnskey.flags & Flag.ZONE:
        raise ValueError("a DS must point at a zone key (Zone flag, RFC 4034 5.2)")
    if dnskey.flags & Flag.REVOKE:
        raise ValueError("the key is revoked (RFC 5011): publishing its DS breaks the chain")
    ds = ds_from_dnskey(owner, dnskey, digest_type)
    rrset = dns.rrset.from_rdata(owner, ttl, ds)
    digest = bytes(ds.digest).hex().upper()
    return PublishableDs(
        presentation=rrset.to_text(),
        key_tag=ds.key_tag,
        algorithm=int(ds.algorithm),
        digest_type=int(ds.digest_type),
        digest=digest,
        ds=ds,
    )


__all__ = [
    "COMPUTABLE_DIGESTS",
    "DsJudgment",
    "DsSetResult",
    "DsSetStatus",
    "DsStatus",
    "PublishableDs",
    "ds_for_publication",
    "ds_from_dnskey",
    "match_ds",
    "match_ds_set",
]
