"""What a real-signer scenario asks of its signer: which signer, and which fault."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Signer(StrEnum):
    """The signers a lab zone can come from (the manifest's ``signer`` field)."""

    LAB = "lab"  # dnssec-doctor's own dnspython signer (lab/signer.py)
    BIND = "bind"  # BIND 9 dnssec-keygen, dnssec-settime, dnssec-signzone
    LDNS = "ldns"  # ldns-keygen, ldns-signzone (ldnsutils)
    KNOT = "knot"  # Knot's kzonesign and keymgr (knot-dnssecutils), its KASP database


class SignerFault(StrEnum):
    """A state a real signer itself produces, by the means an operator would use."""

    NONE = "none"
    EXPIRED = "expired"  # signature times in the past (-s/-e, -i/-e, kzonesign -t)
    REKEYED = "rekeyed"  # all keys replaced; the parent keeps the old KSK's DS
    KSK_UNPUBLISHED = "ksk-unpublished"  # the KSK signs but its DNSKEY is not in the zone
    KSK_REMOVED = "ksk-removed"  # the KSK deleted (its delete time passed); DS names it
    ZSK_HALF_DONE = "zsk-half-done"  # old ZSK deleted, its signatures kept, new one inactive


@dataclass(frozen=True)
class RealSigning:
    """The zone is signed by *signer* in the state *fault* (algorithm and denial are the
    scenario's own)."""

    signer: Signer
    fault: SignerFault = SignerFault.NONE
