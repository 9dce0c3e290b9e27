"""The DNSKEY RRset: who signs it, does a DS match a signer, key algorithms and sizes.

- A key with the SEP bit (RFC 4034 2.1.2), or one a given DS matches (RFC 4035 5.2),
  must validly sign the DNSKEY RRset: otherwise no DS can start the chain.
- Revoked keys (RFC 5011 2.1) are reported; they give no trust.
- Algorithms against RFC 8624 / RFC 9904 signing advice, RSA moduli under 2048 bits
  (RFC 6781 3.4.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dns.name
import dns.rdatatype
import dns.rrset
from dns.rdata import Rdata
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.dnskeybase import Flag

from dnssec_doctor.model import findings as F
from dnssec_doctor.model.findings import REGISTRY, Finding, FindingCode
from dnssec_doctor.model.zone_report import KeyInfo
from dnssec_doctor.validate import algorithms
from dnssec_doctor.validate.ds import DsStatus, match_ds_set
from dnssec_doctor.validate.rrsig import rrset_status

_RSA = frozenset({1, 5, 7, 8, 10})
MIN_RSA_BITS = 2048

_DS_CODE: dict[str, FindingCode] = {
    DsStatus.DIGEST_MISMATCH: F.DS_DIGEST_MISMATCH,
    DsStatus.NO_KEY_WITH_TAG: F.DS_NO_KEY_WITH_TAG,
    DsStatus.ALGORITHM_MISMATCH: F.DS_ALGORITHM_MISMATCH,
    DsStatus.UNSUPPORTED_DIGEST_TYPE: F.DS_UNSUPPORTED,
    DsStatus.UNSUPPORTED_ALGORITHM: F.DS_UNSUPPORTED,
    DsStatus.KEY_NOT_ZONE_KEY: F.DS_DIGEST_MISMATCH,
    DsStatus.KEY_REVOKED: F.DNSKEY_NOT_SIGNED_BY_DS_KEY,
}


@dataclass(frozen=True)
class KeyCheck:
    findings: tuple[Finding, ...]
    keys: tuple[KeyInfo, ...]


def rsa_bits(key: DNSKEY) -> int | None:
    """The RSA modulus length in bits (RFC 3110 2: exponent length, exponent, modulus)."""
    data = bytes(key.key)
    if not data:
        return None
    if data[0] == 0:
        if len(data) < 3:
            return None
        elen, start = int.from_bytes(data[1:3], "big"), 3
    else:
        elen, start = data[0], 1
    modulus = data[start + elen :].lstrip(b"\0")
    if not modulus:
        return None
    return (len(modulus) - 1) * 8 + modulus[0].bit_length()


def _label(key: DNSKEY) -> str:
    return f"{key.key_id()}/{algorithms.algorithm_name(key.algorithm)}"


def check_keys(
    origin: dns.name.Name,
    dnskeys: dns.rrset.RRset,
    rrsigs: dns.rrset.RRset | None,
    at: int,
    ds: Sequence[Rdata] = (),
) -> KeyCheck:
    z = origin.to_text()
    out: list[Finding] = []
    status = rrset_status(dnskeys, rrsigs, dnskeys, at, zone=origin)
    signers = [j.key for j in status.judgments if j.valid and j.key is not None]
    keys = [k for k in dnskeys if isinstance(k, DNSKEY)]
    matched: list[DNSKEY] = []
    if ds:
        result = match_ds_set(ds, origin, keys)
        for j in result.judgments:
            code = _DS_CODE.get(j.status)
            if code is not None:
                variant = "zone" if REGISTRY[code].variants else None
                out.append(
                    Finding.of(
                        code,
                        z,
                        records=(j.ds.to_text(),),
                        variant=variant,
                        key_tag=j.ds.key_tag,
                        detail=j.detail,
                    )
                )
        matched = list(result.matched_keys)
        good = [k for k in matched if k in signers]
        if good:
            tags = ", ".join(_label(k) for k in good)
            out.append(Finding.of(F.DS_MATCHES, z, variant="zone", keys=tags))
        elif result.judgments and any(
            j.status is not DsStatus.IGNORED_SHA1 for j in result.judgments
        ):
            out.append(
                Finding.of(
                    F.DNSKEY_NOT_SIGNED_BY_DS_KEY,
                    z,
                    records=tuple(d.to_text() for d in ds),
                    variant="keys",
                )
            )
    sep_signers = [k for k in signers if k.flags & Flag.SEP and not k.flags & Flag.REVOKE]
    if not sep_signers and not any(k in signers for k in matched):
        out.append(
            Finding.of(
                F.DNSKEY_NO_SEP_SIGNER, z, variant="others", signers=", ".join(map(_label, signers))
            )
            if signers
            else Finding.of(F.DNSKEY_NO_SEP_SIGNER, z, variant="unsigned")
        )
    infos: list[KeyInfo] = []
    for k in keys:
        bits = rsa_bits(k) if k.algorithm in _RSA else None
        if k.flags & Flag.REVOKE:
            out.append(Finding.of(F.DNSKEY_REVOKED, z, key=_label(k)))
        advice = algorithms.signing_advice(k.algorithm)
        if advice in (algorithms.SigningAdvice.MUST_NOT, algorithms.SigningAdvice.NOT_RECOMMENDED):
            out.append(
                Finding.of(
                    F.DNSKEY_ALGORITHM_DEPRECATED, z, key=_label(k), advice=advice.value.upper()
                )
            )
        if bits is not None and bits < MIN_RSA_BITS:
            out.append(
                Finding.of(F.DNSKEY_WEAK_KEY, z, key=_label(k), bits=bits, minimum=MIN_RSA_BITS)
            )
        infos.append(
            KeyInfo(
                key_tag=k.key_id(),
                algorithm=int(k.algorithm),
                flags=k.flags,
                sep=bool(k.flags & Flag.SEP),
                revoked=bool(k.flags & Flag.REVOKE),
                bits=bits,
                signs_dnskey=k in signers,
                ds_matched=k in matched,
            )
        )
    infos.sort(key=lambda i: (not i.sep, i.key_tag, i.algorithm))  # KSKs first, any file order
    return KeyCheck(tuple(out), tuple(infos))


__all__ = ["KeyCheck", "KeyInfo", "check_keys", "rsa_bits"]
