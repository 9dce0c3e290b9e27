"""validate.algorithms: the RFC 8624 / RFC 9904 choices, and that they are honoured."""

from __future__ import annotations

import pytest

from dnssec_doctor.validate import algorithms as alg
from dnssec_doctor.validate.algorithms import SigningAdvice, Support


@pytest.mark.parametrize("number", [5, 7, 8, 10, 13, 14, 15, 16])
def test_validated_algorithms(number: int) -> None:
    assert alg.algorithm_support(number) is Support.VALIDATE
    assert alg.is_validated_algorithm(number)


@pytest.mark.parametrize("number", [1, 3, 6])
def test_prohibited_algorithms(number: int) -> None:
    # RFC 8624 3.1: MUST NOT validate.
    assert alg.algorithm_support(number) is Support.PROHIBITED
    assert not alg.is_validated_algorithm(number)


@pytest.mark.parametrize("number", [0, 2, 4, 9, 11, 12, 17, 23, 252, 253, 254, 255])
def test_unsupported_algorithms(number: int) -> None:
    assert alg.algorithm_support(number) is Support.UNSUPPORTED


def test_digest_types() -> None:
    assert [alg.digest_support(d) for d in (0, 1, 2, 3, 4, 5)] == [
        Support.PROHIBITED,
        Support.VALIDATE,
        Support.VALIDATE,
        Support.UNSUPPORTED,
        Support.VALIDATE,
        Support.UNSUPPORTED,
    ]
    assert {2, 4} == alg.CREATABLE_DIGESTS and alg.DEFAULT_DIGEST == 2


def test_signing_advice() -> None:
    assert alg.signing_advice(8) is SigningAdvice.MUST
    assert alg.signing_advice(13) is SigningAdvice.MUST
    assert alg.signing_advice(15) is SigningAdvice.RECOMMENDED
    for sha1 in (5, 7):
        assert alg.signing_advice(sha1) is SigningAdvice.MUST_NOT
    assert alg.signing_advice(99) is SigningAdvice.MUST_NOT


def test_names() -> None:
    assert alg.algorithm_name(13) == "ECDSAP256SHA256"
    assert alg.algorithm_name(77) == "77"
    assert alg.digest_name(2) == "SHA256"
    assert alg.digest_name(77) == "77"
