"""Which keys of a DNSKEY RRset a DS may name: the keys that sign the RRset themselves.

A DS is the parent's pointer to a key that signs the child's DNSKEY RRset (RFC 4035
5.2); that key is the secure entry point, normally flagged SEP (RFC 4034 2.1.1, RFC 3757).
The SEP flag is a hint, not a rule: a validator ignores it, and combined-signing-key
setups without SEP exist. So the keys a DS should name are the SEP keys that sign the
DNSKEY RRset, or, when no SEP key does, the keys that do.
"""

from __future__ import annotations

from collections.abc import Iterable

import dns.rrset
from dns.rdata import Rdata
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.dnskeybase import Flag

from dnssec_doctor.validate.limits import VerificationBudget
from dnssec_doctor.validate.records import key_tag
from dnssec_doctor.validate.rrsig import rrset_status


def is_sep(key: DNSKEY) -> bool:
    """The Secure Entry Point flag (flags 257: a KSK or a CSK, RFC 4034 2.1.1)."""
    return bool(key.flags & Flag.SEP)


def dnskey_signers(
    keys: dns.rrset.RRset,
    rrsigs: Iterable[Rdata] | None,
    at: int,
    *,
    budget: VerificationBudget | None = None,
) -> list[DNSKEY]:
    """The keys of ``keys`` (a DNSKEY RRset) whose RRSIG over it verifies, by key tag.

    Cryptography only: a signature outside its validity window still names its key
    (an expired KSK signature is a re-signing problem, not a different key)."""
    status = rrset_status(keys, rrsigs, keys, at, zone=keys.name, budget=budget)
    found: dict[int, DNSKEY] = {}
    for judgment in status.judgments:
        if judgment.signature_ok and judgment.key is not None:
            found.setdefault(key_tag(judgment.key), judgment.key)
    return [found[tag] for tag in sorted(found)]


def entry_points(signers: Iterable[DNSKEY]) -> list[DNSKEY]:
    """Of the keys that sign the DNSKEY RRset, those a DS should name: the SEP keys if
    any, else all of them (a CSK without the SEP flag)."""
    signing = list(signers)
    return [k for k in signing if is_sep(k)] or signing


__all__ = ["dnskey_signers", "entry_points", "is_sep"]
