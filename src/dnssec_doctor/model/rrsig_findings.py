"""The one table from an RRSIG verdict (validate.rrsig) to its finding code."""

from __future__ import annotations

from typing import cast

from dnssec_doctor.model import findings as F
from dnssec_doctor.model.findings import FindingCode
from dnssec_doctor.validate.rrsig import RrsigStatus

#: The finding code of each verdict, for ``check`` and ``verify`` alike (VALID: none).
#: A revoked key or one that does not load is no usable key (RFC 5011 2.1).
RRSIG_FINDING: dict[RrsigStatus, FindingCode | None] = {
    RrsigStatus.TYPE_MISMATCH: F.RRSIG_INVALID_FIELDS,
    RrsigStatus.BAD_LABELS: F.RRSIG_INVALID_FIELDS,
    RrsigStatus.WRONG_SIGNER: F.RRSIG_INVALID_FIELDS,
    RrsigStatus.UNSUPPORTED_ALGORITHM: F.RRSIG_UNSUPPORTED_ALGORITHM,
    RrsigStatus.NO_MATCHING_KEY: F.RRSIG_NO_MATCHING_KEY,
    RrsigStatus.REVOKED_KEY: F.RRSIG_NO_MATCHING_KEY,
    RrsigStatus.INVALID_KEY: F.RRSIG_NO_MATCHING_KEY,
    RrsigStatus.LIMIT_EXCEEDED: F.VALIDATION_LIMIT,
    RrsigStatus.BAD_SIGNATURE: F.RRSIG_BAD_SIGNATURE,
    RrsigStatus.NOT_YET_VALID: F.RRSIG_NOT_YET_VALID,
    RrsigStatus.EXPIRED: F.RRSIG_EXPIRED,
    RrsigStatus.VALID: None,
}


def finding_code(status: RrsigStatus | str) -> FindingCode | None:
    """The finding code of a verdict (or its value); ``None`` for VALID and for a
    string that is no verdict.  KeyError never: every member has an entry."""
    return RRSIG_FINDING.get(cast(RrsigStatus, status))
