"""The lab's scenarios, declared as data: a healthy zone plus the faults that break it.

Each scenario gets its own zone ``<id>.<tld>`` with two nameservers, and declares what a
validating resolver must conclude for its query.  Adding a scenario is adding an entry.
Signature validity windows are relative to the lab's "now"; validators tolerate some
clock skew (Unbound up to a day), so expired and future windows are two days or more
away from now.
"""

from __future__ import annotations

from dataclasses import dataclass

from dnssec_doctor.lab.faults import (
    DAY,
    HOUR,
    AlgorithmRollover,
    BreakNsec3Chain,
    BreakNsecChain,
    CnameTo,
    CorruptSignature,
    CskDoubleSignature,
    CskRekeyWithoutSep,
    DnskeySignedByZskOnly,
    DropSignatures,
    DsAlgorithm,
    DsBeforeDnskeyEverywhere,
    DsDigestMismatch,
    DsDigestType,
    DsLeftover,
    DsSha1AndSha256,
    DsSha1Only,
    Fault,
    KskDoubleKsk,
    KskNotPublished,
    KskRemoved,
    KskRolloverDone,
    KskRolloverIncomplete,
    LongTtl,
    Nsec3Parameters,
    Rekeyed,
    RekeyedStaleCds,
    SignatureWindow,
    SilentServer,
    StaleCopy,
    Unsigned,
    ZskOldSignaturesRemain,
    ZskPrepublished,
    ZskRolloverIncomplete,
)
from dnssec_doctor.lab.manifest import Outcome
from dnssec_doctor.lab.realsign.recipe import RealSigning, Signer, SignerFault
from dnssec_doctor.lab.realsign.tools import available
from dnssec_doctor.model.causes import Cause

THIS_ZONE = "@"  # break_at: the scenario's own zone
UNASSIGNED_DS_ALGORITHM = 253  # PRIVATEDNS: no validator implements it without a private OID
UNASSIGNED_DIGEST_TYPE = 200  # no such DS digest type is assigned (IANA registry)


@dataclass(frozen=True)
class Tld:
    """A top-level zone of the lab, itself signed (or broken) like a scenario zone."""

    name: str
    algorithm: int
    denial: str
    faults: tuple[Fault, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """One fault (or none) in one zone, and what a validator must make of it."""

    id: str
    description: str
    outcome: Outcome
    cause: Cause
    faults: tuple[Fault, ...] = ()
    tld: str = "test."
    algorithm: int = 13
    denial: str = "nsec"
    qname: str = "www"  # relative to the zone
    qtype: str = "A"
    break_at: str | None = THIS_ZONE  # where the chain breaks: "@", an absolute name, or None
    software: tuple[str, str] | None = None  # real servers for ns1 and ns2; None: round robin
    warn: bool = False  # secure, but a monitor must warn
    signed_by: RealSigning | None = None  # a real signer instead of the lab's own

    @property
    def zone(self) -> str:
        return f"{self.id}.{self.tld}"

    @property
    def signer(self) -> Signer:
        return self.signed_by.signer if self.signed_by else Signer.LAB


ROOT_ALGORITHM = 8  # like the real root: RSASHA256, NSEC

TLDS: tuple[Tld, ...] = (
    Tld("test.", 13, "nsec"),
    Tld("example.", 8, "nsec3"),
    Tld("broken.", 13, "nsec", faults=(DsDigestMismatch(),)),
)

SECURE = Outcome.SECURE
INSECURE = Outcome.INSECURE
BOGUS = Outcome.BOGUS

LAB_SCENARIOS: tuple[Scenario, ...] = (
    # --- healthy controls: every algorithm, NSEC and NSEC3, positive and negative answers
    Scenario("healthy-rsasha256", "Healthy zone, RSASHA256 (8), NSEC3.", SECURE, Cause.OK,
             algorithm=8, denial="nsec3", tld="example.", break_at=None),
    Scenario("healthy-ecdsap256", "Healthy zone, ECDSAP256SHA256 (13), NSEC.", SECURE, Cause.OK,
             algorithm=13, break_at=None),
    Scenario("healthy-ecdsap384", "Healthy zone, ECDSAP384SHA384 (14), NSEC3.", SECURE, Cause.OK,
             algorithm=14, denial="nsec3", break_at=None),
    Scenario("healthy-ed25519", "Healthy zone, Ed25519 (15), NSEC.", SECURE, Cause.OK,
             algorithm=15, break_at=None),
    Scenario("healthy-nxdomain-nsec", "Healthy zone; the name does not exist (NSEC proof).",
             SECURE, Cause.OK, qname="nonexistent", break_at=None),
    Scenario("healthy-nxdomain-nsec3", "Healthy zone; the name does not exist (NSEC3 proof).",
             SECURE, Cause.OK, denial="nsec3", qname="nonexistent", break_at=None),
    Scenario("healthy-nodata-nsec3", "Healthy zone; the name has no record of the type (NSEC3).",
             SECURE, Cause.OK, denial="nsec3", qtype="TXT", break_at=None),
    Scenario("insecure-delegation", "Unsigned zone, no DS at the parent: insecure by design.",
             INSECURE, Cause.INSECURE_DELEGATION, faults=(Unsigned(keep_ds=False),),
             tld="example.", break_at=None),
    Scenario("ksk-rollover-done", "KSK rollover in progress, done right: two KSKs, two DS.",
             SECURE, Cause.OK, faults=(KskRolloverDone(),), break_at=None),
    # --- the DS at the parent against the DNSKEYs of the zone
    Scenario("ds-digest-mismatch", "The DS digest does not match the KSK.",
             BOGUS, Cause.DS_DIGEST_MISMATCH, faults=(DsDigestMismatch(),)),
    Scenario("ds-stale-rekey", "Zone re-keyed with new keys; the parent still has the old DS.",
             BOGUS, Cause.DS_STALE_AFTER_REKEY, faults=(Rekeyed(),)),
    Scenario("ds-algorithm-mismatch", "The DS says RSASHA256; the zone's keys are ECDSA.",
             BOGUS, Cause.DS_ALGORITHM_MISMATCH, faults=(DsAlgorithm(8),)),
    Scenario("ds-unsigned-zone", "DS at the parent, but the zone is served unsigned.",
             BOGUS, Cause.DS_FOR_UNSIGNED_ZONE, faults=(Unsigned(keep_ds=True),)),
    Scenario("ds-unsupported-algorithm", "Only a DS with an algorithm no validator knows.",
             INSECURE, Cause.DS_UNSUPPORTED_ALGORITHM,
             faults=(DsAlgorithm(UNASSIGNED_DS_ALGORITHM),), break_at=None),
    Scenario("ds-unsupported-digest", "Only a DS with a digest type no validator knows.",
             INSECURE, Cause.DS_UNSUPPORTED_DIGEST,
             faults=(DsDigestType(UNASSIGNED_DIGEST_TYPE),), break_at=None),
    # --- the DNSKEY RRset and rollovers
    Scenario("dnskey-missing", "The KSK the DS points at is not in the DNSKEY RRset.",
             BOGUS, Cause.DNSKEY_MISSING, faults=(KskNotPublished(),)),
    Scenario("dnskey-signed-by-zsk-only", "The DNSKEY RRset is signed only by the ZSK.",
             BOGUS, Cause.DNSKEY_NOT_SIGNED_BY_KSK, faults=(DnskeySignedByZskOnly(),)),
    Scenario("ksk-rollover-incomplete",
             "KSK rollover cut short: new KSK signs (CDS published), old KSK gone, old DS.",
             BOGUS, Cause.KSK_ROLLOVER_INCOMPLETE, faults=(KskRolloverIncomplete(),)),
    Scenario("zsk-rollover-incomplete", "Data signed by a new ZSK that was never published.",
             BOGUS, Cause.ZSK_ROLLOVER_INCOMPLETE, faults=(ZskRolloverIncomplete(),)),
    # --- signature validity
    Scenario("rrsig-expired", "Every signature expired two days ago: re-signing stopped.",
             BOGUS, Cause.RRSIG_EXPIRED, faults=(SignatureWindow(-32 * DAY, -2 * DAY),)),
    Scenario("dnskey-rrsig-expired", "Only the DNSKEY RRset's signatures expired.",
             BOGUS, Cause.DNSKEY_RRSIG_EXPIRED,
             faults=(SignatureWindow(-32 * DAY, -2 * DAY, dnskey_only=True),)),
    Scenario("rrsig-not-yet-valid", "Signatures valid only from two days ahead (signer clock).",
             BOGUS, Cause.RRSIG_NOT_YET_VALID, faults=(SignatureWindow(2 * DAY, 32 * DAY),)),
    Scenario("rrsig-expiring-soon", "Secure, but every signature expires in three days.",
             SECURE, Cause.RRSIG_EXPIRING_SOON, faults=(SignatureWindow(-HOUR, 3 * DAY),),
             break_at=None, warn=True),
    Scenario("rrsig-corrupted", "The signature over www A does not verify.",
             BOGUS, Cause.RRSIG_BAD_SIGNATURE, faults=(CorruptSignature("www", "A"),)),
    Scenario("rrsig-missing", "www A is served without any RRSIG.",
             BOGUS, Cause.RRSIG_MISSING, faults=(DropSignatures("www", "A"),)),
    # --- authenticated denial
    Scenario("nsec-proof-broken", "The NSEC chain has a gap: the name cannot be proven absent.",
             BOGUS, Cause.NSEC_PROOF_BROKEN, faults=(BreakNsecChain("nonexistent"),),
             qname="nonexistent"),
    Scenario("nsec3-proof-broken",
             "The NSEC3 chain has a gap: the name cannot be proven absent.",
             BOGUS, Cause.NSEC3_PROOF_BROKEN, faults=(BreakNsec3Chain("nonexistent"),),
             denial="nsec3", qname="nonexistent"),
    # --- nameservers
    Scenario("stale-secondary",
             "ns2 serves an old copy whose signatures expired; ns1 is current.",
             SECURE, Cause.NAMESERVER_STALE_COPY, faults=(StaleCopy(index=1),),
             software=("nsd", "knot"), warn=True),
    Scenario("silent-nameserver", "ns2 never answers; ns1 serves a healthy zone.",
             SECURE, Cause.NAMESERVER_SILENT, faults=(SilentServer(index=1),),
             break_at=None, warn=True),
    # --- breakage elsewhere in the chain
    Scenario("under-broken-tld",
             "A healthy zone under a TLD whose DS at the root does not match.",
             BOGUS, Cause.PARENT_ZONE_BROKEN, tld="broken.", break_at="broken."),
    Scenario("cname-into-bogus",
             "www is a CNAME into a zone whose signatures expired.",
             BOGUS, Cause.CNAME_TARGET_BOGUS, faults=(CnameTo("www.rrsig-expired.test."),),
             break_at="rrsig-expired.test."),
    # --- issue 12, class 2: a KSK that vanished, against a re-key the DS missed
    Scenario("ksk-removed-no-successor",
             "The KSK the DS names was deleted; only the ZSK signs the DNSKEY RRset.",
             BOGUS, Cause.KSK_REMOVED_NO_SUCCESSOR, faults=(KskRemoved(),)),
    Scenario("ksk-removed-dnskey-unsigned",
             "The KSK the DS names was deleted; nothing signs the DNSKEY RRset any more.",
             BOGUS, Cause.KSK_REMOVED_NO_SUCCESSOR, faults=(KskRemoved(zsk_signs=False),)),
    Scenario("rekeyed-ds-not-updated-stale-cds",
             "Re-keyed (a new KSK signs); the parent kept the old DS, CDS still names it.",
             BOGUS, Cause.DS_STALE_AFTER_REKEY, faults=(RekeyedStaleCds(),),
             algorithm=8, denial="nsec3", tld="example."),
    # --- issue 12, class 3: the DS set's hygiene; the zone stays secure
    Scenario("ds-leftover-extra",
             "Beside the working DS, the parent keeps the DS of a key long deleted.",
             SECURE, Cause.DS_LEFTOVER, faults=(DsLeftover(),), break_at=None, warn=True),
    Scenario("ds-sha1-only", "The parent publishes only a SHA-1 DS (RFC 8624: NOT RECOMMENDED).",
             SECURE, Cause.DS_SHA1_ONLY, faults=(DsSha1Only(),), break_at=None, warn=True),
    Scenario("ds-sha1-beside-sha256",
             "A SHA-1 DS beside the SHA-256 one: validators use SHA-256 (RFC 4509 3).",
             SECURE, Cause.OK, faults=(DsSha1AndSha256(),), break_at=None),
    Scenario("ds-deprecated-algorithm",
             "A zone signed with RSASHA1 (5), its DS too: must not sign (RFC 8624 3.1).",
             SECURE, Cause.ALGORITHM_DEPRECATED, algorithm=5, break_at=None, warn=True),
    # --- issue 12, class 1: rollovers in progress, each stage legitimate, then steps too early
    Scenario("zsk-rollover-prepublish",
             "Pre-publish ZSK rollover: a new ZSK is published, not signing yet.",
             SECURE, Cause.OK, faults=(ZskPrepublished(),), break_at=None),
    Scenario("zsk-rollover-double-signature",
             "Double-signature ZSK rollover: two ZSKs published, both sign the data.",
             SECURE, Cause.OK, faults=(ZskPrepublished(signing=True),), break_at=None),
    Scenario("ksk-rollover-double-ksk",
             "Double-KSK rollover: the new KSK signs beside the old (CDS names it); old DS.",
             SECURE, Cause.OK, faults=(KskDoubleKsk(),), break_at=None),
    Scenario("ksk-rollover-ds-switched",
             "Double-KSK rollover after the DS swap: DS and CDS name the new KSK; old KSK kept.",
             SECURE, Cause.OK, faults=(KskDoubleKsk(switched=True),), break_at=None),
    Scenario("csk-rollover-double-signature",
             "CSK rollover: two CSKs sign everything, CDS names the new one; DS of the old.",
             SECURE, Cause.OK, faults=(CskDoubleSignature(),), break_at=None),
    Scenario("algorithm-rollover-new-signatures",
             "Algorithm rollover 13 to 15, conservative: Ed25519 RRSIGs, no Ed25519 DNSKEY yet.",
             SECURE, Cause.OK, faults=(AlgorithmRollover(15, "new-signatures"),),
             break_at=None),
    Scenario("algorithm-rollover-new-keys",
             "Algorithm rollover 8 to 13: ECDSA keys published, both sign; the DS names RSA.",
             SECURE, Cause.OK, faults=(AlgorithmRollover(13, "new-keys"),), algorithm=8,
             break_at=None),
    Scenario("algorithm-rollover-ds-switched",
             "Algorithm rollover 13 to 15: the DS names the Ed25519 KSK; both still sign.",
             SECURE, Cause.OK, faults=(AlgorithmRollover(15, "ds-switched"),), break_at=None),
    Scenario("algorithm-rollover-old-keys-removed",
             "Algorithm rollover 13 to 15: ECDSA keys removed, their RRSIGs still served.",
             SECURE, Cause.OK, faults=(AlgorithmRollover(15, "old-keys-removed"),),
             break_at=None),
    Scenario("algorithm-rollover-ds-too-early",
             "Algorithm rollover 13 to 15: DS switched to the Ed25519 KSK, which signs nothing.",
             BOGUS, Cause.ALGORITHM_ROLLOVER_DS_TOO_EARLY,
             faults=(AlgorithmRollover(15, "ds-too-early"),)),
    Scenario("algorithm-rollover-keys-before-signatures",
             "Algorithm rollover 13 to 15: Ed25519 DNSKEYs published, the data not signed yet.",
             SECURE, Cause.ROLLOVER_STEP_TOO_EARLY,
             faults=(AlgorithmRollover(15, "keys-before-signatures"),), break_at=None, warn=True),
    Scenario("ksk-rollover-ds-before-dnskey-everywhere",
             "KSK rollover: DS switched to the new KSK while ns2 still serves the old keys.",
             SECURE, Cause.ROLLOVER_STEP_TOO_EARLY, faults=(DsBeforeDnskeyEverywhere(),),
             software=("nsd", "knot"), warn=True),
    Scenario("csk-rekey-without-sep",
             "Re-keyed to one CSK without the SEP flag (CDS names it); the parent kept old DS.",
             BOGUS, Cause.KSK_ROLLOVER_INCOMPLETE, faults=(CskRekeyWithoutSep(),)),
    # --- issue 12, class 5: TTLs and validity windows
    Scenario("ttl-beyond-validity",
             "DNSKEY and www A TTLs of 12 days; signatures expire in 10: caches outlive them.",
             SECURE, Cause.TTL_BEYOND_VALIDITY,
             faults=(SignatureWindow(-HOUR, 10 * DAY), LongTtl(12 * DAY)), break_at=None,
             warn=True),
    Scenario("rrsig-validity-too-short",
             "Signatures valid for two and a half hours only, for one-hour TTLs.",
             SECURE, Cause.RRSIG_VALIDITY_TOO_SHORT,
             faults=(SignatureWindow(-HOUR, 90 * 60),), break_at=None, warn=True),
    Scenario("rrsig-inception-not-backdated",
             "Signatures start a minute before the build: no margin for lagging clocks.",
             SECURE, Cause.RRSIG_INCEPTION_TOO_RECENT,
             faults=(SignatureWindow(-60, 30 * DAY),), break_at=None, warn=True),
    # --- issue 12, class 4: NSEC3 parameters (RFC 9276)
    Scenario("nsec3-iterations-extra",
             "NSEC3 with 10 extra iterations and a salt (RFC 9276: 0 and none).",
             SECURE, Cause.NSEC3_EXTRA_ITERATIONS, denial="nsec3", qname="nonexistent",
             faults=(Nsec3Parameters(10, bytes.fromhex("abcd")),), break_at=None, warn=True),
    Scenario("nsec3-iterations-too-high",
             "NSEC3 with 200 iterations: validators ignore the denial (insecure), zone signed.",
             INSECURE, Cause.NSEC3_ITERATIONS_TOO_HIGH, denial="nsec3", qname="nonexistent",
             faults=(Nsec3Parameters(200),), software=("nsd", "knot"), break_at=None),
    Scenario("nsec3-opt-out-nodata",
             "NSEC3 with opt-out; the name has no TXT (NODATA is still proven).",
             SECURE, Cause.OK, denial="nsec3", qtype="TXT",
             faults=(Nsec3Parameters(opt_out=True),), break_at=None),
    Scenario("zsk-rollover-old-signatures-remain",
             "After a ZSK rollover: the old ZSK is gone, its RRSIGs still beside the new ones.",
             SECURE, Cause.OK, faults=(ZskOldSignaturesRemain(),), break_at=None),
)  # fmt: skip


def _real(
    signer: Signer, fault: SignerFault = SignerFault.NONE, csk: bool = False, optout: bool = False
) -> RealSigning:
    return RealSigning(signer, fault, csk, optout)


BIND, LDNS, KNOT, POLICY = Signer.BIND, Signer.LDNS, Signer.KNOT, Signer.BIND_POLICY
NONE, EXPIRED, REKEYED = SignerFault.NONE, SignerFault.EXPIRED, SignerFault.REKEYED
NOT_YET_VALID, EXPIRING_SOON = SignerFault.NOT_YET_VALID, SignerFault.EXPIRING_SOON

#: Issue 12: zones signed by real signers, with the signers' own means of breaking them
#: (lab/realsign/). Appended after the lab's own, so those keep their index (address).
REAL_SIGNER_SCENARIOS: tuple[Scenario, ...] = (
    # --- BIND 9 dnssec-signzone (-S, keys by dnssec-keygen, timing by dnssec-settime)
    Scenario("bind-healthy", "dnssec-signzone: a healthy zone (ECDSAP256SHA256, NSEC).",
             SECURE, Cause.OK, signed_by=_real(BIND), break_at=None),
    Scenario("bind-nsec3-nxdomain",
             "dnssec-signzone -3: the name does not exist (NSEC3 proof), ECDSAP384SHA384.",
             SECURE, Cause.OK, signed_by=_real(BIND), algorithm=14, denial="nsec3",
             qname="nonexistent", break_at=None),
    Scenario("bind-ds-stale-rekey",
             "dnssec-keygen made all-new keys; the parent still has the old KSK's DS.",
             BOGUS, Cause.DS_STALE_AFTER_REKEY, signed_by=_real(BIND, REKEYED)),
    Scenario("bind-rrsig-expired", "dnssec-signzone -s/-e: every signature expired two days ago.",
             BOGUS, Cause.RRSIG_EXPIRED, signed_by=_real(BIND, EXPIRED)),
    Scenario("bind-nsec3-rrsig-expired",
             "dnssec-signzone -3 -e: expired signatures, NSEC3 denial for a missing name.",
             BOGUS, Cause.RRSIG_EXPIRED, signed_by=_real(BIND, EXPIRED), denial="nsec3",
             qname="nonexistent"),
    Scenario("bind-ksk-removed",
             "dnssec-settime -D: the KSK the DS names was deleted; the ZSK signs DNSKEY.",
             BOGUS, Cause.KSK_REMOVED_NO_SUCCESSOR,
             signed_by=_real(BIND, SignerFault.KSK_REMOVED)),
    Scenario("bind-zsk-rollover-half-done",
             "Old ZSK deleted (dnssec-settime -D) before the new one was active: data keeps "
             "the old ZSK's signatures.",
             BOGUS, Cause.ZSK_ROLLOVER_INCOMPLETE,
             signed_by=_real(BIND, SignerFault.ZSK_HALF_DONE)),
    Scenario("bind-zsk-prepublished",
             "Pre-publish ZSK rollover under way, done right: the next ZSK is published, "
             "not yet signing.",
             SECURE, Cause.OK, signed_by=_real(BIND, SignerFault.ZSK_PREPUBLISHED),
             break_at=None),
    Scenario("bind-csk-rsasha256", "dnssec-signzone -z: one combined key signs all (RSASHA256).",
             SECURE, Cause.OK, signed_by=_real(BIND, csk=True), algorithm=8, tld="example.",
             break_at=None),
    Scenario("bind-rrsig-not-yet-valid",
             "dnssec-signzone -s: signatures valid only from two days ahead (signer clock).",
             BOGUS, Cause.RRSIG_NOT_YET_VALID, signed_by=_real(BIND, NOT_YET_VALID)),
    # --- ldns-signzone (keys by ldns-keygen)
    Scenario("ldns-healthy", "ldns-signzone: a healthy zone (Ed25519, NSEC).",
             SECURE, Cause.OK, signed_by=_real(LDNS), algorithm=15, break_at=None),
    Scenario("ldns-nsec3-nxdomain", "ldns-signzone -n: the name does not exist (NSEC3 proof).",
             SECURE, Cause.OK, signed_by=_real(LDNS), denial="nsec3", tld="example.",
             qname="nonexistent", break_at=None),
    Scenario("ldns-nsec3-nodata", "ldns-signzone -n: www has no TXT record (NSEC3 proof).",
             SECURE, Cause.OK, signed_by=_real(LDNS), denial="nsec3", qtype="TXT",
             break_at=None),
    Scenario("ldns-rrsig-expired", "ldns-signzone -i/-e: every signature expired two days ago.",
             BOGUS, Cause.RRSIG_EXPIRED, signed_by=_real(LDNS, EXPIRED)),
    Scenario("ldns-dnskey-missing",
             "ldns-signzone -d: the KSK signs DNSKEY but is not published; the DS names it.",
             BOGUS, Cause.DNSKEY_MISSING, signed_by=_real(LDNS, SignerFault.KSK_UNPUBLISHED)),
    Scenario("ldns-ds-stale-rekey",
             "New keys from ldns-keygen (NSEC3 zone); the parent still has the old DS.",
             BOGUS, Cause.DS_STALE_AFTER_REKEY, signed_by=_real(LDNS, REKEYED),
             denial="nsec3", tld="example."),
    Scenario("ldns-csk-nsec3", "ldns-signzone given one key: it signs all (ECDSAP384, NSEC3).",
             SECURE, Cause.OK, signed_by=_real(LDNS, csk=True), algorithm=14, denial="nsec3",
             break_at=None),
    Scenario("ldns-rrsig-expiring-soon", "ldns-signzone -e: secure, but every signature "
             "expires in three days.",
             SECURE, Cause.RRSIG_EXPIRING_SOON, signed_by=_real(LDNS, EXPIRING_SOON),
             break_at=None, warn=True),
    # --- Knot kzonesign (its KASP policy makes the keys; publishes CDS for its KSK)
    Scenario("knot-healthy", "kzonesign: a healthy zone (ECDSAP256SHA256, NSEC, CDS).",
             SECURE, Cause.OK, signed_by=_real(KNOT), break_at=None),
    Scenario("knot-nsec3-nxdomain", "kzonesign, NSEC3 policy: the name does not exist.",
             SECURE, Cause.OK, signed_by=_real(KNOT), denial="nsec3", qname="nonexistent",
             break_at=None),
    Scenario("knot-rrsig-expired", "kzonesign -t: signed 32 days ago, every signature expired.",
             BOGUS, Cause.RRSIG_EXPIRED, signed_by=_real(KNOT, EXPIRED)),
    Scenario("knot-rekeyed-cds",
             "Knot's key store replaced: new keys, CDS names the new KSK; the parent kept "
             "the old DS.",
             BOGUS, Cause.KSK_ROLLOVER_INCOMPLETE, signed_by=_real(KNOT, REKEYED)),
    Scenario("knot-csk-ed25519", "kzonesign, single-type signing: one Ed25519 key signs all.",
             SECURE, Cause.OK, signed_by=_real(KNOT, csk=True), algorithm=15, break_at=None),
    Scenario("knot-rrsig-expiring-soon",
             "kzonesign -t: signed 27 days ago, every signature expires in three days.",
             SECURE, Cause.RRSIG_EXPIRING_SOON, signed_by=_real(KNOT, EXPIRING_SOON),
             break_at=None, warn=True),
    Scenario("knot-rrsig-not-yet-valid",
             "kzonesign -t two days ahead: signatures not valid yet (signer clock).",
             BOGUS, Cause.RRSIG_NOT_YET_VALID, signed_by=_real(KNOT, NOT_YET_VALID),
             denial="nsec3"),
    # --- NSEC3 opt-out (RFC 5155 6). A name error covered by an opt-out record is no
    # scenario: Unbound answers it without AD, delv says "fully validated" (docs/lab.md)
    Scenario("bind-nsec3-optout-nodata",
             "dnssec-signzone -3 -A: NSEC3 with opt-out; www has no TXT (NODATA, matching "
             "NSEC3).",
             SECURE, Cause.OK, signed_by=_real(BIND, optout=True), denial="nsec3", qtype="TXT",
             break_at=None),
    # --- BIND dnssec-policy: a named signing inline (its own keys, jittered signatures,
    # its private signing-state records, TYPE65534)
    Scenario("policy-csk-healthy", "named dnssec-policy, one CSK (ECDSAP256SHA256, NSEC).",
             SECURE, Cause.OK, signed_by=_real(POLICY, csk=True), break_at=None),
    Scenario("policy-nsec3-nxdomain",
             "named dnssec-policy, KSK and ZSK, NSEC3: the name does not exist.",
             SECURE, Cause.OK, signed_by=_real(POLICY), denial="nsec3", qname="nonexistent",
             break_at=None),
)  # fmt: skip

#: The lab's own scenarios, then those whose signer is installed here.
SCENARIOS: tuple[Scenario, ...] = LAB_SCENARIOS + tuple(
    s for s in REAL_SIGNER_SCENARIOS if s.signed_by is None or available(s.signed_by.signer)
)


def scenario_by_id(scenario_id: str) -> Scenario:
    for scenario in SCENARIOS:
        if scenario.id == scenario_id:
            return scenario
    raise KeyError(scenario_id)
