"""Verify an RRSIG from wire data with ``cryptography`` directly (no dnspython objects).

The signed data is built per RFC 4034 3.1.8.1 from wire bytes: the RRSIG RDATA up to
the signature (signer name in canonical form), then each RR of the RRset in
canonical order (RFC 4034 6.3: sorted by canonical RDATA), as owner (canonical;
``*.`` plus the rightmost Labels labels for a wildcard expansion, RFC 4035 5.3.2),
type, class IN, Original TTL, RDLENGTH and RDATA.  Public keys are built once per
DNSKEY RDATA and cached.

This is the one cryptographic step of both commands (``check`` through
:func:`validate.rrsig.judge_rrsig`, ``verify`` in its workers), and it does not
depend on dnspython's DNSSEC module (whose feature check turns validation off when
it finds an older ``cryptography`` than it wants).  The result is meant to be
identical to ``dns.dnssec.validate_rrsig`` with one key
(tests/scenarios/test_verify_fastsig.py compares them); the checks that are not
cryptographic (times, signer, key tag, flags) stay with the caller.
:func:`verify` returns ``None`` for an algorithm it does not do (the caller reports it
unsupported).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from dnssec_doctor.validate import limits

Verifier = Callable[[bytes, bytes], bool]

_RSA_HASH: dict[int, type[hashes.HashAlgorithm]] = {
    5: hashes.SHA1,
    7: hashes.SHA1,
    8: hashes.SHA256,
    10: hashes.SHA512,
}
_EC: dict[int, tuple[ec.EllipticCurve, type[hashes.HashAlgorithm], int]] = {
    13: (ec.SECP256R1(), hashes.SHA256, 32),
    14: (ec.SECP384R1(), hashes.SHA384, 48),
}

#: Algorithms :func:`verify` handles; others give ``None``.
ALGORITHMS = frozenset({*_RSA_HASH, *_EC, 15, 16})


def _rsa_numbers(key: bytes) -> tuple[int, int] | None:
    """(exponent, modulus) of an RSA public key field (RFC 3110 2), None if it is cut."""
    if not key:
        return None
    elen, start = key[0], 1
    if elen == 0:
        if len(key) < 3:
            return None
        elen, start = int.from_bytes(key[1:3], "big"), 3
    if len(key) < start + elen:
        return None
    return int.from_bytes(key[start : start + elen], "big"), int.from_bytes(
        key[start + elen :], "big"
    )


def refusal(dnskey: bytes) -> str | None:
    """Why a DNSKEY RDATA (wire) is refused by a size limit, or None: an RSA exponent
    over MAX_RSA_EXPONENT_BITS or a modulus over MAX_RSA_MODULUS_BITS."""
    if len(dnskey) < 4 or dnskey[3] not in _RSA_HASH:
        return None
    numbers = _rsa_numbers(dnskey[4:])
    if numbers is None:
        return None
    exponent, modulus = numbers
    if exponent.bit_length() > limits.MAX_RSA_EXPONENT_BITS:
        return (
            f"an RSA public exponent of {exponent.bit_length()} bits"
            f" > MAX_RSA_EXPONENT_BITS ({limits.MAX_RSA_EXPONENT_BITS})"
        )
    if modulus.bit_length() > limits.MAX_RSA_MODULUS_BITS:
        return (
            f"an RSA modulus of {modulus.bit_length()} bits"
            f" > MAX_RSA_MODULUS_BITS ({limits.MAX_RSA_MODULUS_BITS})"
        )
    return None


def _rsa(algorithm: int, key: bytes) -> Verifier | None:
    numbers = _rsa_numbers(key)
    if numbers is None:
        return None
    exponent, modulus = numbers
    if (
        exponent.bit_length() > limits.MAX_RSA_EXPONENT_BITS
        or modulus.bit_length() > limits.MAX_RSA_MODULUS_BITS
    ):
        return None  # a CPU sink, refused as validators refuse it: the key does not load
    public = rsa.RSAPublicNumbers(exponent, modulus).public_key()
    chosen = _RSA_HASH[algorithm]()

    def check(signature: bytes, data: bytes) -> bool:
        try:
            public.verify(signature, data, padding.PKCS1v15(), chosen)
        except InvalidSignature:
            return False
        return True

    return check


def _ecdsa(algorithm: int, key: bytes) -> Verifier | None:
    curve, hash_cls, octets = _EC[algorithm]
    if len(key) < octets * 2:
        return None
    public = ec.EllipticCurvePublicNumbers(
        int.from_bytes(key[:octets], "big"), int.from_bytes(key[octets : octets * 2], "big"), curve
    ).public_key()
    scheme = ec.ECDSA(hash_cls())

    def check(signature: bytes, data: bytes) -> bool:
        if len(signature) != octets * 2:  # RFC 6605 4: r and s, each exactly octets long
            return False
        der = encode_dss_signature(
            int.from_bytes(signature[:octets], "big"), int.from_bytes(signature[octets:], "big")
        )
        try:
            public.verify(der, data, scheme)
        except InvalidSignature:
            return False
        return True

    return check


def _eddsa(algorithm: int, key: bytes) -> Verifier | None:
    public: ed25519.Ed25519PublicKey | ed448.Ed448PublicKey
    if algorithm == 15:
        public = ed25519.Ed25519PublicKey.from_public_bytes(key)
    else:
        public = ed448.Ed448PublicKey.from_public_bytes(key)

    def check(signature: bytes, data: bytes) -> bool:
        try:
            public.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    return check


@lru_cache(maxsize=1024)
def verifier(dnskey: bytes) -> Verifier | None:
    """The verify function of a DNSKEY RDATA (wire), or ``None`` if it cannot be loaded
    or its algorithm is not one of :data:`ALGORITHMS`."""
    if len(dnskey) < 4:
        return None
    algorithm, key = dnskey[3], dnskey[4:]
    try:
        if algorithm in _RSA_HASH:
            return _rsa(algorithm, key)
        if algorithm in _EC:
            return _ecdsa(algorithm, key)
        if algorithm in (15, 16):
            return _eddsa(algorithm, key)
    except (ValueError, TypeError):  # not a point on the curve, bad length, ...
        return None
    return None


def name_end(wire: bytes, start: int) -> int:
    """Offset just past the uncompressed wire name starting at ``start``; ValueError
    if it is truncated or compressed."""
    at = start
    while True:
        if at >= len(wire):
            raise ValueError("truncated name")
        length = wire[at]
        if length == 0:
            return at + 1
        if length > 63:
            raise ValueError("compressed or bad label")
        at += 1 + length


def label_count(name: bytes) -> tuple[int, bool]:
    """Labels of a wire name without the root, and whether the first is ``*``."""
    count, at = 0, 0
    while name[at]:
        count += 1
        at += 1 + name[at]
    return count, name[:2] == b"\x01*"


def signed_data(rrsig: bytes, owner: bytes, rdtype: int, rdatas: Sequence[bytes]) -> bytes | None:
    """RFC 4034 3.1.8.1 signed data for the RRSIG RDATA ``rrsig`` over the RRset
    (``owner`` wire, ``rdatas`` canonical RDATA wire).  ``None`` when dnspython would
    refuse to build it (owner with fewer labels than the Labels field, or a wildcard
    owner whose Labels field is not its label count without ``*``)."""
    end = name_end(rrsig, 18)
    signer = rrsig[18:end].lower()
    owner = owner.lower()
    labels, wild = label_count(owner)
    want = rrsig[3]
    if (wild and want != labels - 1) or labels < want:
        return None
    if want < labels:
        at = 0
        for _ in range(labels - want):
            at += 1 + owner[at]
        owner = b"\x01*" + owner[at:]
    return rrsig[:18] + signer + rrset_data(owner, rdtype, rrsig[4:8], rdatas)


def rrset_data(owner: bytes, rdtype: int, original_ttl: bytes, rdatas: Sequence[bytes]) -> bytes:
    """The RRset part of the signed data: each RR in canonical order (RFC 4034 6.3) as
    ``owner`` (the signed form: canonical, wildcard already applied), type, class IN,
    the 4 octets of Original TTL, RDLENGTH, RDATA."""
    fixed = owner + struct.pack("!HH", rdtype, 1) + original_ttl
    if len(rdatas) == 1:
        rdata = rdatas[0]
        return fixed + len(rdata).to_bytes(2, "big") + rdata
    return b"".join(fixed + len(r).to_bytes(2, "big") + r for r in sorted(set(rdatas)))


def verify(
    rrsig: bytes, owner: bytes, rdtype: int, rdatas: Sequence[bytes], dnskey: bytes
) -> bool | None:
    """Does the RRSIG RDATA ``rrsig`` verify over the RRset with the DNSKEY RDATA
    ``dnskey``?  Only the signature: key tag, times and signer are not looked at.
    ``None``: the DNSKEY's algorithm is not in :data:`ALGORITHMS`.
    ``rdatas`` must be in canonical form (RFC 4034 6.2)."""
    if len(dnskey) < 4 or dnskey[3] not in ALGORITHMS:
        return None
    if len(rrsig) < 19 or rrsig[2] != dnskey[3]:
        return False
    check = verifier(dnskey)
    if check is None:
        return False
    try:
        data = signed_data(rrsig, owner, rdtype, rdatas)
        if data is None:
            return False
        return check(rrsig[name_end(rrsig, 18) :], data)
    except (ValueError, IndexError, TypeError):
        return False


__all__ = [
    "ALGORITHMS",
    "label_count",
    "name_end",
    "rrset_data",
    "signed_data",
    "verifier",
    "verify",
]
