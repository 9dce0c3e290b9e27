"""What a real-signer scenario asks of its signer: which signer, and which fault."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Signer(StrEnum):
    """The signers a lab zone can come from (the manifest's ``signer`` field)."""

    LAB = "lab"  # dnssec-doctor's own dnspython signer (lab/signer.py)
    BIND = "bind"  # BIND 9 dnssec-keygen, dnssec-settime, dnssec-signzone
    LDNS = "ldns"  # ldns-keygen, ldns-signzone (ldnsutils)
    KNOT = "knot"  # Knot's kzonesign (knot-dnssecutils), keys in its KASP database
    BIND_POLICY = "bind-policy"  # a named signing inline with dnssec-policy (bind9)

    @property
    def follows_the_clock(self) -> bool:
        """named's dnssec-policy signs as of the system clock, not the lab's ``now``."""
        return self is Signer.BIND_POLICY


class SignerFault(StrEnum):
    """A state a real signer itself produces, by the means an operator would use."""

    NONE = "none"
    EXPIRED = "expired"  # signature times in the past (-s/-e, -i/-e, kzonesign -t)
    NOT_YET_VALID = "not-yet-valid"  # signature times two days ahead (a signer's clock)
    EXPIRING_SOON = "expiring-soon"  # valid now, expiring in three days (re-signing stopped)
    ZSK_PREPUBLISHED = "zsk-prepublished"  # a legitimate rollover stage: next ZSK published
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
    csk: bool = False  # one combined signing key (SEP flag) instead of a KSK and a ZSK
    optout: bool = False  # NSEC3 with the Opt-Out flag (RFC 5155 6) on every record
