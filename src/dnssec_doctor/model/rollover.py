"""A key rollover in progress, as one snapshot of a zone shows it (RFC 6781 4.1, RFC 7583).

``analyze/rollover.py`` recognises the stage from what every server serves (the DNSKEY
RRset and who signs it, who signs the data, the DS at the parent, CDS); the report and
``check --json`` list the result (``rollovers``, docs/json.md), and the diagnosis reads
it to name a step taken too early.  The stage ids and kinds are a public interface.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import NamedTuple


class RolloverKind(StrEnum):
    ZSK = "zsk"
    KSK = "ksk"
    CSK = "csk"  # the SEP key(s) sign the data too: no separate ZSK
    ALGORITHM = "algorithm"


class Stage(StrEnum):
    """Where a rollover stands. Legitimate stages first, then premature ones."""

    # ZSK (RFC 6781 4.1.1): pre-publish and double-signature
    ZSK_PUBLISHED_NOT_SIGNING = "published-not-signing"
    ZSK_DOUBLE_SIGNATURE = "double-signature"
    ZSK_OLD_SIGNATURES_REMAIN = "old-signatures-remain"
    # KSK and CSK (RFC 6781 4.1.2, RFC 7583 3.3): double-KSK, double-DS, double-RRset
    KEY_NEW_PUBLISHED = "new-key-published"  # both sign, the DS names the old one
    KEY_DOUBLE_DS = "double-ds"  # both sign, the DS names both
    KEY_DS_SWITCHED = "ds-switched"  # both sign, the DS (and CDS) name the new one
    KEY_TWO_SIGNING = "two-keys-signing"  # both sign, the DS names one, CDS says nothing
    # algorithm (RFC 6781 4.1.4, RFC 7583 3.3.2), conservative and liberal
    ALGORITHM_NEW_SIGNATURES = "new-signatures"
    ALGORITHM_NEW_KEYS = "new-keys-published"
    ALGORITHM_DOUBLE_DS = "double-ds-algorithms"
    ALGORITHM_DS_SWITCHED = "ds-switched-algorithm"
    ALGORITHM_OLD_SIGNATURES_REMAIN = "old-algorithm-signatures-remain"
    # premature: a step taken before the one it depends on
    PREMATURE_UNPUBLISHED_SIGNER = "premature-unpublished-signer"
    PREMATURE_DS_BEFORE_DNSKEY = "premature-ds-before-dnskey-everywhere"
    PREMATURE_KEY_REMOVED_BEFORE_DS = "premature-old-key-removed-before-ds"
    PREMATURE_ALGORITHM_DS = "premature-ds-before-signatures"
    PREMATURE_ALGORITHM_KEYS = "premature-keys-before-signatures"


PREMATURE = frozenset(
    {
        Stage.PREMATURE_UNPUBLISHED_SIGNER,
        Stage.PREMATURE_DS_BEFORE_DNSKEY,
        Stage.PREMATURE_KEY_REMOVED_BEFORE_DS,
        Stage.PREMATURE_ALGORITHM_DS,
        Stage.PREMATURE_ALGORITHM_KEYS,
    }
)


class Rollover(NamedTuple):
    """One rollover of one zone: what the snapshot shows and what comes next."""

    zone: str
    kind: RolloverKind
    method: str  # e.g. "pre-publish", "double-KSK", "conservative or liberal"
    stage: Stage
    summary: str  # what the snapshot shows, one line
    next_step: str  # the next step (legitimate), or the way back (premature)
    not_before: int | None  # POSIX seconds: the next step is safe from then (from the TTLs)
    old_keys: tuple[str, ...] = ()  # "tag/ALGORITHM"
    new_keys: tuple[str, ...] = ()
    step_too_early: str | None = None  # premature: the step that was taken too early
    rrsets: tuple[str, ...] = ()  # premature: the RRsets it shows in ("owner TYPE ...")
    servers: tuple[str, ...] = ()  # premature: the server addresses it shows at, if not all

    @property
    def legitimate(self) -> bool:
        return self.stage not in PREMATURE


def when(posix: int) -> str:
    """A not-before time as the reports print it."""
    return datetime.fromtimestamp(posix, UTC).strftime("%Y-%m-%d %H:%M UTC")
