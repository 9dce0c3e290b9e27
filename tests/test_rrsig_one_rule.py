"""One RRSIG rule for ``check`` and ``verify`` (issue 11, item 4).

The status -> finding-code table has an entry for every verdict, and the same
signature gets the same finding code from both commands.
"""

from __future__ import annotations

from dnssec_doctor import findings as F
from dnssec_doctor.validate.rrsig import RRSIG_FINDING, RrsigStatus, finding_code


def test_every_status_has_a_finding_code() -> None:
    assert set(RRSIG_FINDING) == set(RrsigStatus)
    assert finding_code(RrsigStatus.VALID) is None
    for status in RrsigStatus:
        if status is not RrsigStatus.VALID:
            assert finding_code(status) in F.REGISTRY
        assert finding_code(status.value) == finding_code(status)


def test_unusable_keys_are_no_matching_key() -> None:
    for status in (RrsigStatus.REVOKED_KEY, RrsigStatus.INVALID_KEY):
        assert finding_code(status) == F.RRSIG_NO_MATCHING_KEY
