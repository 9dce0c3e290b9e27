"""One zone to be signed by a real signer: where its files go, its times, what it asks."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import dns.name

from dnssec_doctor.lab.realsign.recipe import SignerFault

DAY = 86400
HOUR = 3600
#: The lab's own windows (lab/faults.py): healthy an hour back to 30 days ahead; expired
#: two days ago, well beyond validators' clock skew (Unbound tolerates up to a day).
HEALTHY = (-HOUR, 30 * DAY)
EXPIRED = (-32 * DAY, -2 * DAY)
#: States whose zone validates on its own (dnssec-signzone's own check passes).
VALID_STATES = frozenset(
    {SignerFault.NONE, SignerFault.REKEYED, SignerFault.EXPIRING_SOON, SignerFault.ZSK_PREPUBLISHED}
)
WINDOWS = {
    SignerFault.EXPIRED: EXPIRED,
    SignerFault.NOT_YET_VALID: (2 * DAY, 32 * DAY),
    SignerFault.EXPIRING_SOON: (-HOUR, 3 * DAY),
}

#: Common signers' algorithm mnemonics (BIND, ldns and Knot spell them alike).
ALGORITHMS = {8: "RSASHA256", 13: "ECDSAP256SHA256", 14: "ECDSAP384SHA384", 15: "ED25519"}
RSA_BITS = 2048


@dataclass(frozen=True)
class SigningJob:
    """Sign *origin* (algorithm, NSEC or NSEC3) in the state *fault*, files in *workdir*."""

    origin: dns.name.Name
    algorithm: int
    denial: str
    now: int  # the lab's now: signature windows and key times are relative to it
    fault: SignerFault
    workdir: Path
    csk: bool = False
    optout: bool = False

    @property
    def name(self) -> str:
        return self.origin.to_text()

    @property
    def mnemonic(self) -> str:
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"real signers in the lab use algorithms {sorted(ALGORITHMS)}")
        return ALGORITHMS[self.algorithm]

    @property
    def log(self) -> Path:
        """Every command run for this zone, in order (a shell script a reader can rerun)."""
        return self.workdir / "commands.sh"

    def window(self) -> tuple[int, int]:
        """(inception, expiration) in POSIX seconds."""
        start, end = WINDOWS.get(self.fault, HEALTHY)
        return self.now + start, self.now + end

    @property
    def broken(self) -> bool:
        """A state the signer's own verification would refuse to write."""
        return self.fault not in VALID_STATES


def stamp(seconds: int) -> str:
    """YYYYMMDDHHMMSS in UTC, the absolute time format of BIND's and ldns's options."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(seconds))
