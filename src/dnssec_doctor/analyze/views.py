"""Turning an RRset's signature verdicts into one server's view of a link."""

from __future__ import annotations

from collections.abc import Sequence

from dnssec_doctor.model import findings as F
from dnssec_doctor.model.analysis import ServerView, Status
from dnssec_doctor.validate.rrsig import RrsetSecurity, RrsigJudgment, RrsigStatus

_RRSIG_CODES = {
    RrsigStatus.EXPIRED: F.RRSIG_EXPIRED,
    RrsigStatus.NOT_YET_VALID: F.RRSIG_NOT_YET_VALID,
    RrsigStatus.BAD_SIGNATURE: F.RRSIG_BAD_SIGNATURE,
    RrsigStatus.NO_MATCHING_KEY: F.RRSIG_NO_MATCHING_KEY,
    RrsigStatus.WRONG_SIGNER: F.RRSIG_INVALID_FIELDS,
    RrsigStatus.BAD_LABELS: F.RRSIG_INVALID_FIELDS,
    RrsigStatus.TYPE_MISMATCH: F.RRSIG_INVALID_FIELDS,
    RrsigStatus.LIMIT_EXCEEDED: F.VALIDATION_LIMIT,
    RrsigStatus.UNSUPPORTED_ALGORITHM: F.RRSIG_UNSUPPORTED_ALGORITHM,
}
# when several signatures fail, the one that tells the operator most comes first
_TELLING = (RrsigStatus.EXPIRED, RrsigStatus.NOT_YET_VALID, RrsigStatus.NO_MATCHING_KEY)


def rrsig_code(status: RrsigStatus) -> str:
    return _RRSIG_CODES.get(status, F.RRSIG_BAD_SIGNATURE)


def rrset_failure(
    server: str, what: str, security: RrsetSecurity, judgments: Sequence[RrsigJudgment]
) -> ServerView:
    """The view of a server whose RRset *what* did not validate."""
    if security is RrsetSecurity.UNSIGNED or not judgments:
        return ServerView(server, Status.BOGUS, f"{what} comes without RRSIG", [F.RRSIG_MISSING])
    if security is RrsetSecurity.UNSUPPORTED:
        return ServerView(
            server, Status.INSECURE, f"{what} is signed only with unsupported algorithms"
        )
    chosen = next((j for j in judgments if j.status in _TELLING), judgments[0])
    return ServerView(
        server,
        Status.BOGUS,
        f"{what}: {chosen.detail or chosen.status.value}",
        [rrsig_code(chosen.status)],
        list(judgments),
    )
