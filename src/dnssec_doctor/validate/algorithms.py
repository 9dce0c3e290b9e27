"""Which DNSSEC algorithms and DS digest types we validate, per RFC 8624 / RFC 9904.

Choices (validation side, RFC 8624 section 3.1 and 3.3, kept by RFC 9904):

==========  =====================  ==========  ========================================
number      mnemonic               validate?   why
==========  =====================  ==========  ========================================
1           RSAMD5                 no          MUST NOT validate (prohibited)
3           DSA                    no          MUST NOT validate (prohibited)
5           RSASHA1                yes         MUST validate in RFC 8624; RFC 9904 keeps
                                               validation but forbids signing (SHA-1)
6           DSA-NSEC3-SHA1         no          MUST NOT validate (prohibited)
7           RSASHA1-NSEC3-SHA1     yes         as 5
8           RSASHA256              yes         MUST
10          RSASHA512              yes         MUST
12          ECC-GOST               no          MAY; not implemented by cryptography
13          ECDSAP256SHA256        yes         MUST
14          ECDSAP384SHA384        yes         RECOMMENDED
15          ED25519                yes         RECOMMENDED
16          ED448                  yes         MAY (implemented by cryptography)
others      (unassigned, 252-254)  no          unknown: treated as unsupported
==========  =====================  ==========  ========================================

An algorithm we do not validate makes data signed only with it *insecure*, never
bogus (RFC 4035 5.2, RFC 6840 5.2): the zone is treated like an unsigned zone.

Digest types (RFC 8624 section 3.3): 1 SHA-1 and 2 SHA-256 and 4 SHA-384 are
validated; 0 (NULL) MUST NOT be; 3 GOST is not implemented.  We only *create* DS
with 2 (default) or 4: RFC 9904 forbids creating SHA-1 DS records.
"""

from __future__ import annotations

from enum import StrEnum

from dns.dnssectypes import Algorithm, DSDigest


class Support(StrEnum):
    """How we treat an algorithm or digest type when validating.

    - ``VALIDATE``: supported and validated.
    - ``PROHIBITED``: RFC 8624 says MUST NOT validate; treated as unsupported.
    - ``UNSUPPORTED``: unknown or not implemented here; treated as unsupported.
    """

    VALIDATE = "validate"
    PROHIBITED = "prohibited"
    UNSUPPORTED = "unsupported"


class SigningAdvice(StrEnum):
    """RFC 8624 / RFC 9904 advice for *signing* with an algorithm (for warnings)."""

    MUST = "must"
    RECOMMENDED = "recommended"
    MAY = "may"
    NOT_RECOMMENDED = "not-recommended"
    MUST_NOT = "must-not"


VALIDATED_ALGORITHMS: frozenset[int] = frozenset({5, 7, 8, 10, 13, 14, 15, 16})
PROHIBITED_ALGORITHMS: frozenset[int] = frozenset({1, 3, 6})

VALIDATED_DIGESTS: frozenset[int] = frozenset({1, 2, 4})
PROHIBITED_DIGESTS: frozenset[int] = frozenset({0})
#: Digest types we create when asked for DS records to publish.
CREATABLE_DIGESTS: frozenset[int] = frozenset({2, 4})
DEFAULT_DIGEST = 2

_SIGNING: dict[int, SigningAdvice] = {
    1: SigningAdvice.MUST_NOT,
    3: SigningAdvice.MUST_NOT,
    5: SigningAdvice.MUST_NOT,  # RFC 9904 (was NOT RECOMMENDED in RFC 8624)
    6: SigningAdvice.MUST_NOT,
    7: SigningAdvice.MUST_NOT,  # RFC 9904
    8: SigningAdvice.MUST,
    10: SigningAdvice.NOT_RECOMMENDED,
    12: SigningAdvice.MUST_NOT,
    13: SigningAdvice.MUST,
    14: SigningAdvice.MAY,
    15: SigningAdvice.RECOMMENDED,
    16: SigningAdvice.MAY,
}


def algorithm_support(algorithm: int) -> Support:
    """How we treat DNSKEY/RRSIG ``algorithm`` when validating."""
    if algorithm in VALIDATED_ALGORITHMS:
        return Support.VALIDATE
    if algorithm in PROHIBITED_ALGORITHMS:
        return Support.PROHIBITED
    return Support.UNSUPPORTED


def digest_support(digest_type: int) -> Support:
    """How we treat DS ``digest_type`` when validating."""
    if digest_type in VALIDATED_DIGESTS:
        return Support.VALIDATE
    if digest_type in PROHIBITED_DIGESTS:
        return Support.PROHIBITED
    return Support.UNSUPPORTED


def is_validated_algorithm(algorithm: int) -> bool:
    return algorithm in VALIDATED_ALGORITHMS


def is_validated_digest(digest_type: int) -> bool:
    return digest_type in VALIDATED_DIGESTS


def signing_advice(algorithm: int) -> SigningAdvice:
    """RFC 9904 advice for signing zones with ``algorithm`` (unknown: MUST NOT)."""
    return _SIGNING.get(algorithm, SigningAdvice.MUST_NOT)


#: The family an algorithm belongs to, older to newer: rollovers move up it (RSA/SHA-1
#: to RSASHA256, RSA to ECDSA, ECDSA to EdDSA; RFC 8624 4, RFC 6781 4.1.4). A snapshot of
#: a rollover cannot tell the old algorithm from the new by itself; this can.
_GENERATION: dict[int, int] = {1: 0, 3: 0, 6: 0, 5: 1, 7: 1, 8: 2, 10: 2, 12: 2, 13: 3, 14: 3,
                               15: 4, 16: 4}  # fmt: skip


def algorithm_generation(algorithm: int) -> tuple[int, int]:
    """Where *algorithm* stands among the DNSSEC algorithms, older first: its family,
    then RFC 9904's advice for signing (RSASHA512 before RSASHA256)."""
    advice = list(SigningAdvice).index(signing_advice(algorithm))
    return _GENERATION.get(algorithm, -1), -advice


def algorithm_name(algorithm: int) -> str:
    """Mnemonic of an algorithm number, e.g. ``ECDSAP256SHA256`` (or the number)."""
    try:
        return Algorithm(algorithm).name
    except ValueError:
        return str(algorithm)


def digest_name(digest_type: int) -> str:
    """Mnemonic of a DS digest type, e.g. ``SHA256`` (or the number)."""
    try:
        return DSDigest(digest_type).name
    except ValueError:
        return str(digest_type)


__all__ = [
    "CREATABLE_DIGESTS",
    "DEFAULT_DIGEST",
    "PROHIBITED_ALGORITHMS",
    "PROHIBITED_DIGESTS",
    "VALIDATED_ALGORITHMS",
    "VALIDATED_DIGESTS",
    "SigningAdvice",
    "Support",
    "algorithm_name",
    "algorithm_support",
    "digest_name",
    "digest_support",
    "is_validated_algorithm",
    "is_validated_digest",
    "signing_advice",
]
