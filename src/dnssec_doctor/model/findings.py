"""Findings: one observed fact about the chain of trust, with a stable code.

Every code is registered once in :data:`REGISTRY` with its severity, the RFC section it
rests on and a one-line summary; checks create findings by code only, so a code cannot
be used without being documented.  Codes are a public interface (docs/findings.md):
add codes, never rename them lightly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import NamedTuple


class Severity(IntEnum):
    """How bad a finding is; orders like the exit codes (OK 0, WARNING 1, CRITICAL 2)."""

    INFO = 0
    WARNING = 1
    CRITICAL = 2

    @property
    def label(self) -> str:
        return self.name


class CodeInfo(NamedTuple):
    code: str
    severity: Severity
    rfc: str
    summary: str


@dataclass(frozen=True)
class Finding:
    """One fact: a code, where it was seen, the records involved, and one line of why."""

    code: str
    zone: str
    message: str
    servers: tuple[str, ...] = ()
    records: tuple[str, ...] = ()
    severity: Severity = field(init=False)
    rfc: str = field(init=False)

    def __post_init__(self) -> None:
        info = REGISTRY[self.code]  # an unregistered code is a programming error
        object.__setattr__(self, "severity", info.severity)
        object.__setattr__(self, "rfc", info.rfc)

    def as_dict(self) -> dict[str, object]:
        """The finding in the JSON reports (docs/json.md): the same fields everywhere."""
        return {
            "code": self.code,
            "severity": self.severity.label,
            "zone": self.zone,
            "servers": list(self.servers),
            "records": list(self.records),
            "message": self.message,
            "rfc": self.rfc,
        }


REGISTRY: dict[str, CodeInfo] = {}


def register(code: str, severity: Severity, rfc: str, summary: str) -> str:
    if code in REGISTRY:
        raise ValueError(f"finding code {code} registered twice")
    REGISTRY[code] = CodeInfo(code, severity, rfc, summary)
    return code


C, W, I = Severity.CRITICAL, Severity.WARNING, Severity.INFO  # noqa: E741

# --- resolver comparison
DNSSEC_IS_THE_CAUSE = register(
    "DNSSEC_IS_THE_CAUSE",
    C,
    "RFC 4035 3.2.2",
    "The resolver answers SERVFAIL, but with checking disabled (CD) the data is there.",
)
RESOLVER_SERVFAIL_EVEN_WITH_CD = register(
    "RESOLVER_SERVFAIL_EVEN_WITH_CD",
    W,
    "RFC 4035 3.2.2",
    "The resolver fails with and without CD: the problem is not (only) DNSSEC.",
)
RESOLVER_UNREACHABLE = register(
    "RESOLVER_UNREACHABLE", I, "-", "The resolver to compare with did not answer."
)
RESOLVER_DISAGREES = register(
    "RESOLVER_DISAGREES",
    W,
    "RFC 4035 4.3",
    "The resolver's verdict differs from the one reached at the authoritative servers.",
)

# --- trust anchor and DS
TRUST_ANCHOR_MISMATCH = register(
    "TRUST_ANCHOR_MISMATCH",
    C,
    "RFC 4035 5.1",
    "No trust anchor matches a key that signs the DNSKEY RRset of the anchor's zone.",
)
DS_DIGEST_MISMATCH = register(
    "DS_DIGEST_MISMATCH",
    C,
    "RFC 4035 5.2",
    "A DS names a DNSKEY's tag and algorithm, but its digest does not match the key.",
)
DS_NO_KEY_WITH_TAG = register(
    "DS_NO_KEY_WITH_TAG", C, "RFC 4035 5.2", "A DS names a key tag that no DNSKEY has."
)
DS_ALGORITHM_MISMATCH = register(
    "DS_ALGORITHM_MISMATCH",
    C,
    "RFC 4035 5.2",
    "A DS names an algorithm that no DNSKEY with its key tag uses.",
)
DS_UNSUPPORTED = register(
    "DS_UNSUPPORTED",
    I,
    "RFC 4035 5.2, RFC 6840 5.2",
    "A DS uses an algorithm or digest type validators do not implement; it is ignored.",
)
DS_ALL_UNSUPPORTED = register(
    "DS_ALL_UNSUPPORTED",
    W,
    "RFC 4035 5.2, RFC 6840 5.2",
    "No DS has an algorithm and digest type validators implement: the zone is insecure.",
)
DS_FOR_UNSIGNED_ZONE = register(
    "DS_FOR_UNSIGNED_ZONE",
    C,
    "RFC 4035 5.2",
    "The parent publishes a DS, but the zone serves no DNSKEY: validation fails.",
)
NO_DS = register(
    "NO_DS", I, "RFC 4035 5.2", "The parent proves there is no DS: the zone is insecure."
)
DS_NOT_PROVEN_ABSENT = register(
    "DS_NOT_PROVEN_ABSENT",
    C,
    "RFC 4035 5.2, RFC 5155 8.6",
    "The parent neither gives a DS nor proves there is none.",
)
DS_MATCHES = register(
    "DS_MATCHES", I, "RFC 4035 5.2", "A DS matches a DNSKEY that signs the DNSKEY RRset."
)

# --- DNSKEY RRset
DNSKEY_MISSING = register(
    "DNSKEY_MISSING",
    C,
    "RFC 4035 5.2",
    "The DNSKEY a DS points at is not published, though it still signs the DNSKEY RRset.",
)
DNSKEY_NOT_SIGNED_BY_DS_KEY = register(
    "DNSKEY_NOT_SIGNED_BY_DS_KEY",
    C,
    "RFC 4035 5.2",
    "No DNSKEY that a DS (or the trust anchor) matches signs the DNSKEY RRset validly.",
)
NO_DNSKEY = register(
    "NO_DNSKEY", C, "RFC 4035 5.2", "The server returned no DNSKEY RRset for a signed zone."
)
CDS_POINTS_AT_UNDELEGATED_KEY = register(
    "CDS_POINTS_AT_UNDELEGATED_KEY",
    W,
    "RFC 7344 4",
    "The zone publishes CDS/CDNSKEY for a key the parent's DS does not name yet.",
)

# --- signatures
RRSIG_EXPIRED = register(
    "RRSIG_EXPIRED", C, "RFC 4035 5.3.1", "A signature's expiration time has passed."
)
RRSIG_NOT_YET_VALID = register(
    "RRSIG_NOT_YET_VALID", C, "RFC 4035 5.3.1", "A signature's inception time is in the future."
)
RRSIG_EXPIRING_SOON = register(
    "RRSIG_EXPIRING_SOON",
    W,
    "RFC 4035 5.3.1, RFC 6781 4.4.2",
    "A signature expires within the warning period: re-signing must happen before then.",
)
RRSIG_BAD_SIGNATURE = register(
    "RRSIG_BAD_SIGNATURE", C, "RFC 4035 5.3.3", "A signature does not verify with its key."
)
RRSIG_NO_MATCHING_KEY = register(
    "RRSIG_NO_MATCHING_KEY",
    C,
    "RFC 4035 5.3.1",
    "A signature names a key tag and algorithm that no published DNSKEY has.",
)
RRSIG_MISSING = register(
    "RRSIG_MISSING", C, "RFC 4035 3.1.1", "An RRset in a signed zone comes without RRSIG."
)
RRSIG_INVALID_FIELDS = register(
    "RRSIG_INVALID_FIELDS",
    C,
    "RFC 4035 5.3.1",
    "A signature's signer, labels or type field is wrong for the RRset it covers.",
)
RRSIG_UNSUPPORTED_ALGORITHM = register(
    "RRSIG_UNSUPPORTED_ALGORITHM",
    I,
    "RFC 8624 3.1",
    "A signature uses an algorithm validators do not implement.",
)
TTL_BEYOND_EXPIRATION = register(
    "TTL_BEYOND_EXPIRATION",
    W,
    "RFC 4035 5.3.3, RFC 6781 4.4.2",
    "An RRset may be cached beyond its signatures' expiration (TTL longer than validity left).",
)
VALIDATION_LIMIT = register(
    "VALIDATION_LIMIT",
    W,
    "RFC 9276, CVE-2023-50387",
    "The answer needs more work than the named limits allow (hostile or broken data).",
)

# --- denial of existence
NSEC_PROOF_BROKEN = register(
    "NSEC_PROOF_BROKEN", C, "RFC 4035 5.4", "The NSEC records do not prove the denial."
)
NSEC3_PROOF_BROKEN = register(
    "NSEC3_PROOF_BROKEN", C, "RFC 5155 8", "The NSEC3 records do not prove the denial."
)
NSEC3_ITERATIONS = register(
    "NSEC3_ITERATIONS",
    W,
    "RFC 9276 3.1",
    "NSEC3 uses extra iterations; RFC 9276 asks for 0 (validators may treat it as insecure).",
)

# --- servers
SERVER_UNREACHABLE = register(
    "SERVER_UNREACHABLE",
    W,
    "RFC 1035 4.2",
    "A nameserver of the zone did not answer (timeout or unreachable).",
)
SERVER_LAME = register(
    "SERVER_LAME",
    W,
    "RFC 1912 2.8",
    "A nameserver does not answer authoritatively for the zone (REFUSED, SERVFAIL, no AA).",
)
SERVER_BOGUS = register(
    "SERVER_BOGUS",
    C,
    "RFC 4035 4.3",
    "One nameserver serves data that fails validation while others serve valid data.",
)
SERVERS_DISAGREE = register(
    "SERVERS_DISAGREE",
    W,
    "RFC 1034 4.3.5",
    "The zone's nameservers serve different serials, keys or signatures.",
)
NO_SERVER_ANSWERED = register(
    "NO_SERVER_ANSWERED", C, "RFC 1035 4.2", "No nameserver of the zone answered: cannot decide."
)
WALK_PROBLEM = register(
    "WALK_PROBLEM", W, "-", "The delegation walk hit a limit or an inconsistency."
)

# --- zone file verification (dnssec-doctor verify)
ZONE_UNSIGNED = register(
    "ZONE_UNSIGNED", C, "RFC 4035 2.1", "The zone file has no DNSKEY RRset at its apex."
)
ZONE_NO_DENIAL_CHAIN = register(
    "ZONE_NO_DENIAL_CHAIN",
    C,
    "RFC 4035 2.3, RFC 5155 7.1",
    "The signed zone has neither an NSEC chain nor an NSEC3 chain (or has both).",
)
RRSIG_ALGORITHM_MISSING = register(
    "RRSIG_ALGORITHM_MISSING",
    C,
    "RFC 4035 2.2, RFC 6840 5.11",
    "An RRset is not signed with every algorithm of the zone's DNSKEY RRset.",
)
RRSIG_WITHOUT_RRSET = register(
    "RRSIG_WITHOUT_RRSET",
    W,
    "RFC 4035 2.2",
    "An RRSIG covers a type that has no RRset at its owner.",
)
SIGNED_NON_AUTHORITATIVE = register(
    "SIGNED_NON_AUTHORITATIVE",
    W,
    "RFC 4035 2.2",
    "Delegation NS or glue carries an RRSIG; only authoritative data is signed.",
)
PARENT_DS_UNAUTHENTICATED = register(
    "PARENT_DS_UNAUTHENTICATED",
    W,
    "RFC 4035 5",
    "The DS RRset fetched from the parent could not be authenticated from the trust anchor.",
)
PARENT_DS_SERVERS_DIFFER = register(
    "PARENT_DS_SERVERS_DIFFER",
    W,
    "RFC 4035 5.2, RFC 7344 4.1",
    "The parent's nameservers answer with different DS RRsets (a DS change still spreading).",
)
OCCLUDED_DATA = register(
    "OCCLUDED_DATA",
    I,
    "RFC 4035 2.2, RFC 1034 4.2.1",
    "Data below a zone cut (not glue) is occluded: not served, not verified.",
)
RRSIG_ORIGINAL_TTL_MISMATCH = register(
    "RRSIG_ORIGINAL_TTL_MISMATCH",
    W,
    "RFC 4034 3.1.4, RFC 4035 2.2",
    "An RRset's TTL differs from its RRSIG's Original TTL field.",
)
RRSIG_TTL_MISMATCH = register(
    "RRSIG_TTL_MISMATCH",
    W,
    "RFC 4034 3",
    "An RRSIG's own TTL differs from the TTL of the RRset it covers.",
)
DNSKEY_NO_SEP_SIGNER = register(
    "DNSKEY_NO_SEP_SIGNER",
    W,
    "RFC 4034 2.1.2, RFC 6781 3.1",
    "No key with the SEP bit validly signs the DNSKEY RRset (which key would a DS name?).",
)
DNSKEY_REVOKED = register(
    "DNSKEY_REVOKED", I, "RFC 5011 2.1", "The DNSKEY RRset holds a key with the REVOKE bit."
)
DNSKEY_ALGORITHM_DEPRECATED = register(
    "DNSKEY_ALGORITHM_DEPRECATED",
    W,
    "RFC 8624 3.1, RFC 9904",
    "A DNSKEY uses an algorithm that must not or should not be used for signing.",
)
DNSKEY_WEAK_KEY = register(
    "DNSKEY_WEAK_KEY",
    W,
    "RFC 6781 3.4.2, RFC 8624 3.1",
    "An RSA DNSKEY is shorter than 2048 bits.",
)
NSEC_MISSING = register(
    "NSEC_MISSING", C, "RFC 4035 2.3", "An authoritative name or delegation has no NSEC record."
)
NSEC_CHAIN_BROKEN = register(
    "NSEC_CHAIN_BROKEN",
    C,
    "RFC 4034 4.1.1, RFC 4035 2.3",
    "The NSEC chain skips a name, is out of canonical order, or is not closed at the apex.",
)
NSEC_BITMAP_MISMATCH = register(
    "NSEC_BITMAP_MISMATCH",
    C,
    "RFC 4034 4.1.2, RFC 4035 2.3",
    "An NSEC type bitmap differs from the types present at its owner.",
)
NSEC3_MISSING = register(
    "NSEC3_MISSING",
    C,
    "RFC 5155 7.1",
    "A name that needs an NSEC3 record has none (no NSEC3 owner with its hash).",
)
NSEC3_CHAIN_BROKEN = register(
    "NSEC3_CHAIN_BROKEN",
    C,
    "RFC 5155 7.1",
    "The NSEC3 chain's next hashes skip or misorder records, or the chain is not closed.",
)
NSEC3_ORPHAN = register(
    "NSEC3_ORPHAN",
    C,
    "RFC 5155 7.1",
    "An NSEC3 owner hash matches no name of the zone (wrong hash or stale record).",
)
NSEC3_BITMAP_MISMATCH = register(
    "NSEC3_BITMAP_MISMATCH",
    C,
    "RFC 5155 3.2.1, 7.1",
    "An NSEC3 type bitmap differs from the types present at the hashed name.",
)
NSEC3_PARAM_MISMATCH = register(
    "NSEC3_PARAM_MISMATCH",
    C,
    "RFC 5155 4, 7.1",
    "NSEC3 records use parameters other than the apex NSEC3PARAM, or the NSEC3PARAM is missing.",
)
NSEC3_SALT = register(
    "NSEC3_SALT", I, "RFC 9276 3.1", "NSEC3 uses a salt; RFC 9276 asks operators not to."
)
NSEC3_OPT_OUT = register(
    "NSEC3_OPT_OUT",
    I,
    "RFC 5155 6, RFC 9276 3.1",
    "The NSEC3 chain uses opt-out: unsigned delegations may have no NSEC3.",
)
