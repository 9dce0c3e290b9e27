"""The vocabulary of causes a lab scenario declares (and `check` must name).

A cause is what an operator acts on: one broken link and why it broke. The codes are a
public interface (docs/lab.md, "Causes", lists them); add codes, never rename them
lightly.
"""

from __future__ import annotations

from enum import StrEnum


class Cause(StrEnum):
    # nothing is wrong
    OK = "OK"  # the chain of trust holds; the answer is secure
    INSECURE_DELEGATION = "INSECURE_DELEGATION"  # no DS at the parent: insecure by design

    # DS at the parent versus DNSKEY in the child (RFC 4035 5.2)
    DS_DIGEST_MISMATCH = "DS_DIGEST_MISMATCH"  # DS names the KSK's tag and algorithm, wrong digest
    DS_STALE_AFTER_REKEY = "DS_STALE_AFTER_REKEY"  # zone re-keyed, parent still has the old DS
    DS_ALGORITHM_MISMATCH = "DS_ALGORITHM_MISMATCH"  # DS algorithm matches no DNSKEY
    DS_FOR_UNSIGNED_ZONE = "DS_FOR_UNSIGNED_ZONE"  # DS published, zone serves no DNSSEC
    DS_UNSUPPORTED_ALGORITHM = "DS_UNSUPPORTED_ALGORITHM"  # only unknown algorithms: insecure
    DS_UNSUPPORTED_DIGEST = "DS_UNSUPPORTED_DIGEST"  # only unknown digest types: insecure

    # DNSKEY RRset
    DNSKEY_MISSING = "DNSKEY_MISSING"  # the key the DS points at is not published
    DNSKEY_NOT_SIGNED_BY_KSK = "DNSKEY_NOT_SIGNED_BY_KSK"  # no DS-matched key signs DNSKEY
    KSK_ROLLOVER_INCOMPLETE = "KSK_ROLLOVER_INCOMPLETE"  # old KSK removed before the DS swap
    ZSK_ROLLOVER_INCOMPLETE = "ZSK_ROLLOVER_INCOMPLETE"  # data signed by an unpublished ZSK

    # signatures
    RRSIG_EXPIRED = "RRSIG_EXPIRED"  # re-signing stopped: every signature expired
    DNSKEY_RRSIG_EXPIRED = "DNSKEY_RRSIG_EXPIRED"  # only the DNSKEY RRset's signatures expired
    RRSIG_NOT_YET_VALID = "RRSIG_NOT_YET_VALID"  # inception in the future: signer clock
    RRSIG_EXPIRING_SOON = "RRSIG_EXPIRING_SOON"  # secure today, expires within the warning days
    RRSIG_BAD_SIGNATURE = "RRSIG_BAD_SIGNATURE"  # a signature does not verify
    RRSIG_MISSING = "RRSIG_MISSING"  # an RRset served without any signature

    # authenticated denial
    NSEC_PROOF_BROKEN = "NSEC_PROOF_BROKEN"  # NSEC records do not prove the name absent
    NSEC3_PROOF_BROKEN = "NSEC3_PROOF_BROKEN"  # NSEC3 records do not prove the name absent

    # nameservers
    NAMESERVER_STALE_COPY = "NAMESERVER_STALE_COPY"  # one server serves an old, broken copy
    NAMESERVER_SILENT = "NAMESERVER_SILENT"  # one server never answers
    CHECK_LIMITED = "CHECK_LIMITED"  # a walk limit cut the check short: it cannot say secure

    # somewhere else in the chain
    PARENT_ZONE_BROKEN = "PARENT_ZONE_BROKEN"  # the zone is fine, an ancestor's link is broken
    CNAME_TARGET_BOGUS = "CNAME_TARGET_BOGUS"  # the name is a CNAME into a bogus zone

    # --- issue 12, classes 2, 3 and 6: vanished keys, DS set hygiene, the local anchor
    # the KSK the DS names was removed and no KSK took its place (nothing SEP signs DNSKEY)
    KSK_REMOVED_NO_SUCCESSOR = "KSK_REMOVED_NO_SUCCESSOR"
    DS_LEFTOVER = "DS_LEFTOVER"  # secure; beside the working DS, DS records that match no key
    DS_SHA1_ONLY = "DS_SHA1_ONLY"  # secure; every DS is SHA-1 (RFC 8624 3.3: NOT RECOMMENDED)
    ALGORITHM_DEPRECATED = "ALGORITHM_DEPRECATED"  # secure; DS/DNSKEY of an RFC 8624 3.1 one
    TRUST_ANCHOR_MISMATCH = "TRUST_ANCHOR_MISMATCH"  # the operator's own anchor is old/wrong
    # no verdict could be reached (issue 12 class 7): why, never OK
    ALL_NAMESERVERS_SILENT = "ALL_NAMESERVERS_SILENT"  # no server of the zone answered at all
    ALL_NAMESERVERS_LAME = "ALL_NAMESERVERS_LAME"  # every server answered, none with authority
    NO_NAMESERVER_USABLE = "NO_NAMESERVER_USABLE"  # some silent, the rest lame: none usable
    NO_VERDICT = "NO_VERDICT"  # nothing to judge: the walk collected no answer for the name
    # --- issue 12, classes 1, 4 and 5: rollovers, NSEC3 iterations, TTLs against validity
    # the DS names a new algorithm's KSK before the zone (its DNSKEY RRset) is signed with it
    ALGORITHM_ROLLOVER_DS_TOO_EARLY = "ALGORITHM_ROLLOVER_DS_TOO_EARLY"
    ROLLOVER_STEP_TOO_EARLY = "ROLLOVER_STEP_TOO_EARLY"  # secure; a rollover step taken early
    TTL_BEYOND_VALIDITY = "TTL_BEYOND_VALIDITY"  # secure; caches keep data past its signatures
    RRSIG_VALIDITY_TOO_SHORT = "RRSIG_VALIDITY_TOO_SHORT"  # secure; windows too short vs TTL
    RRSIG_INCEPTION_TOO_RECENT = "RRSIG_INCEPTION_TOO_RECENT"  # secure; no clock-skew margin
    NSEC3_EXTRA_ITERATIONS = "NSEC3_EXTRA_ITERATIONS"  # secure; NSEC3 iterations > 0 (RFC 9276)
    # the zone is signed, but validators ignore its NSEC3 denials: too many iterations
    NSEC3_ITERATIONS_TOO_HIGH = "NSEC3_ITERATIONS_TOO_HIGH"
