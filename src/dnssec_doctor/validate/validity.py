"""A valid signature's window against the TTLs and the clocks (RFC 6781 4.4.2, RFC 4035
5.3.1, 5.3.3): what makes a signature that validates today a risk. The verdict on a
signature is judge_rrsig's (validate/rrsig.py); these rules only read its judgment.

- the TTL outlives the validity left: ``RrsigWarning.TTL_BEYOND_EXPIRATION`` (judge_rrsig);
- the whole window is short for the TTL (it holds it, but not three times): a cached
  copy's signatures can expire before a re-signing that comes late reaches the caches
  (:func:`window_too_short`);
- the inception is barely in the past: a validator whose clock lags by more than that
  sees it in the future and rejects it (BIND's validator allows no skew, Unbound's
  ``val-sig-skew-min`` an hour; signers back-date an hour) (:func:`inception_too_recent`).
"""

from __future__ import annotations

from dnssec_doctor.validate.rrsig import RrsigJudgment

#: How far before now a signature's inception should lie: the back-dating signers use
#: (BIND dnssec-signzone and ldns-signzone an hour) for validators' clocks that lag.
CLOCK_SKEW_MARGIN = 3600

#: A signature's window (inception to expiration) should hold its TTL this many times:
#: one TTL for the copies in caches, the rest for the re-signing rhythm and its delays.
MIN_WINDOW_PER_TTL = 3


def ttl_of(judgment: RrsigJudgment) -> int:
    """The TTL caches hold the RRset for: at most the RRSIG's Original TTL (RFC 4035
    5.3.3)."""
    return int(judgment.rrsig.original_ttl)


def window(judgment: RrsigJudgment) -> int:
    return judgment.expiration - judgment.inception


def window_too_short(judgment: RrsigJudgment) -> bool:
    """The window holds the TTL, but fewer than MIN_WINDOW_PER_TTL times (a valid
    signature only). A window shorter than the TTL itself is the TTL's problem first:
    ``TTL_BEYOND_EXPIRATION`` says it, with the numbers."""
    span, ttl = window(judgment), ttl_of(judgment)
    return judgment.valid and ttl <= span < MIN_WINDOW_PER_TTL * ttl


def inception_age(judgment: RrsigJudgment) -> int:
    return judgment.at - judgment.inception


def inception_too_recent(judgment: RrsigJudgment) -> bool:
    """The inception lies less than CLOCK_SKEW_MARGIN before now (a valid signature)."""
    return judgment.valid and inception_age(judgment) < CLOCK_SKEW_MARGIN


__all__ = [
    "CLOCK_SKEW_MARGIN",
    "MIN_WINDOW_PER_TTL",
    "inception_too_recent",
    "ttl_of",
    "window",
    "window_too_short",
]
