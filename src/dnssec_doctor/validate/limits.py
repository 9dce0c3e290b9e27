"""Named limits that protect the analysis against hostile answers.

A server under an attacker's control can send answers built to make a validator do
unbounded work (CVE-2023-50387 "KeyTrap": many colliding key tags times many
RRSIGs; CVE-2023-50868: NSEC3 hash work).  Every such quantity is capped here,
each cap is enforced in the one place that does the work, and each has a test.
When a cap is hit the result says so with a ``LIMIT_EXCEEDED`` code (or, for NSEC3
iterations, the proof is treated as *insecure*, as validators do): the analysis
never silently gives a wrong "secure".

The values are generous compared with resolvers (a diagnosis tool wants to see
more than a resolver needs), but small enough that one hostile answer costs at most
a few hundred signature checks.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Records in one RRset that we look at.  A DNS message is at most 65535 octets, so
#: honest RRsets stay far below this; bigger ones are judged ``LIMIT_EXCEEDED``.
MAX_RECORDS_PER_RRSET = 512

#: RRSIGs over one RRset that we judge; further ones are reported as skipped
#: (``LIMIT_EXCEEDED``).  Real RRsets carry one per algorithm and key in a rollover.
MAX_RRSIGS_PER_RRSET = 8

#: DNSKEYs sharing one (key tag, algorithm) that we try for one RRSIG or one DS.
#: Honest zones almost never collide; KeyTrap relies on many collisions.
MAX_KEYS_PER_TAG = 4

#: Signature verifications spent on one RRset (over all its RRSIGs and keys).
MAX_VERIFICATIONS_PER_RRSET = 16

#: Signature verifications spent on one query's responses (one VerificationBudget).
MAX_VERIFICATIONS_PER_QUERY = 256

#: DS records in one DS RRset that we match against the DNSKEYs.
MAX_DS_PER_RRSET = 16

#: NSEC3 iterations above which a proof is treated as insecure (RFC 9276 3.2).
#: 150 is what Unbound (1.17, val-nsec3-keysize-iterations) and BIND 9.18 use;
#: newer BIND (9.20) and PowerDNS use 50, see NSEC3_ITERATIONS_STRICT_LIMIT.
MAX_NSEC3_ITERATIONS = 150

#: Stricter iteration limit of some validators: above it we warn that those
#: validators treat the proof as insecure.  RFC 9276 3.1 asks for 0 iterations.
NSEC3_ITERATIONS_STRICT_LIMIT = 50

#: Bits of an RSA public exponent that we accept (RFC 3110 2 allows up to 4096).  A
#: huge exponent makes each verification cost ~80x more (a 3071-bit exponent on a
#: 3072-bit modulus: ~7 ms instead of ~0.09 ms), a CPU sink within the verification
#: budget.  BIND refuses such keys at 35 bits (RSA_MAX_PUBEXP_BITS); so do we: the
#: key does not load.  Every signer uses 65537 (17 bits) or 3 (2 bits).
MAX_RSA_EXPONENT_BITS = 35

#: Bits of an RSA modulus that we accept: RFC 3110 2 and RFC 5702 2 end at 4096.
MAX_RSA_MODULUS_BITS = 4096

#: NSEC or NSEC3 records considered in one denial proof.
MAX_DENIAL_RECORDS = 32

#: NSEC3 name hashes computed for one denial proof (each costs iterations+1 SHA-1).
MAX_NSEC3_HASHES_PER_PROOF = 64


@dataclass
class VerificationBudget:
    """A counter of signature verifications, shared by everything judged for one query.

    Create one per query (or per analysed response) and pass it to
    :func:`dnssec_doctor.validate.rrsig.judge_rrsig` / ``rrset_status``.  It is the one
    piece of mutable state in validate/, and it only ever counts down.
    """

    remaining: int = MAX_VERIFICATIONS_PER_QUERY
    spent: int = 0

    def take(self) -> bool:
        """Spend one verification; ``False`` (and nothing spent) when none are left."""
        if self.remaining <= 0:
            return False
        self.remaining -= 1
        self.spent += 1
        return True

    @property
    def exhausted(self) -> bool:
        return self.remaining <= 0


__all__ = [
    "MAX_DENIAL_RECORDS",
    "MAX_DS_PER_RRSET",
    "MAX_KEYS_PER_TAG",
    "MAX_NSEC3_HASHES_PER_PROOF",
    "MAX_NSEC3_ITERATIONS",
    "MAX_RECORDS_PER_RRSET",
    "MAX_RRSIGS_PER_RRSET",
    "MAX_VERIFICATIONS_PER_QUERY",
    "MAX_VERIFICATIONS_PER_RRSET",
    "NSEC3_ITERATIONS_STRICT_LIMIT",
    "VerificationBudget",
]
