"""Turning an RRset's signature verdicts into one server's view of a link."""

from __future__ import annotations

from collections.abc import Sequence

from dnssec_doctor.model import findings as F
from dnssec_doctor.model.analysis import AnswerResult, ServerView, Status, ZoneResult
from dnssec_doctor.model.findings import FindingCode, Message
from dnssec_doctor.model.rrsig_findings import finding_code
from dnssec_doctor.validate.rrsig import RrsetSecurity, RrsigJudgment, RrsigStatus

# when several signatures fail, the one that tells the operator most comes first
_TELLING = (RrsigStatus.EXPIRED, RrsigStatus.NOT_YET_VALID, RrsigStatus.NO_MATCHING_KEY)


def rrsig_code(status: RrsigStatus) -> F.FindingCode:
    """The finding code of a failed verdict (model.rrsig_findings.RRSIG_FINDING)."""
    # VALID here: valid by a key not trusted, which is no good signature
    return finding_code(status) or F.RRSIG_BAD_SIGNATURE


def failing(
    server: str,
    message: Message,
    codes: list[FindingCode] | None = None,
    judgments: Sequence[RrsigJudgment] = (),
) -> ServerView:
    """A bogus view whose reason is *message* (its code's template): *codes*, when
    more than its own code stand behind it (they share its template)."""
    return ServerView(
        server, Status.BOGUS, message.text, codes or [message.code], list(judgments), message
    )


def decided(result: ZoneResult | AnswerResult, status: Status, message: Message) -> None:
    """*result* decided, its reason *message* (the code's template) and its code."""
    result.status, result.reason, result.message = status, message.text, message
    result.codes.append(message.code)


def rrset_failure(
    server: str, what: str, security: RrsetSecurity, judgments: Sequence[RrsigJudgment]
) -> ServerView:
    """The view of a server whose RRset *what* did not validate."""
    if security is RrsetSecurity.UNSIGNED or not judgments:
        return failing(server, Message.of(F.RRSIG_MISSING, "chain", rrset=what))
    if security is RrsetSecurity.UNSUPPORTED:
        return ServerView(
            server, Status.INSECURE, f"{what} is signed only with unsupported algorithms"
        )
    chosen = next((j for j in judgments if j.status in _TELLING), judgments[0])
    code = rrsig_code(chosen.status)
    detail = chosen.detail or chosen.status.value
    return failing(server, Message.of(code, "chain", rrset=what, detail=detail), None, judgments)
