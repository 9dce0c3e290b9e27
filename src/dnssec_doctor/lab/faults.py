"""Faults: deliberate breakage applied to one zone of the lab while it is built.

Each fault is a small frozen dataclass with up to three hooks, called by the builder:
``prepare`` before signing (which keys exist, are published, sign what, and when),
``after_sign`` on the signed zone (corrupt, remove, re-chain), and ``parent_ds`` on the DS
set the parent will publish.  A scenario is a healthy zone plus a tuple of faults.
"""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass, field

import dns.dnssec
import dns.name
import dns.node
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.DS
import dns.rdtypes.ANY.NSEC
import dns.rdtypes.ANY.NSEC3
import dns.rdtypes.ANY.RRSIG
import dns.zone

from dnssec_doctor.lab import signer
from dnssec_doctor.lab.keys import LabKey, generate_key
from dnssec_doctor.lab.signer import SigningPlan, Window

RdataType = dns.rdatatype.RdataType
DS = dns.rdtypes.ANY.DS.DS
DAY = 86400
HOUR = 3600


@dataclass
class ZoneBuild:
    """One lab zone while it is being built: content, keys, plan and what faults did."""

    origin: dns.name.Name
    algorithm: int
    now: int
    zone: dns.zone.Zone
    ksks: list[LabKey]
    zsks: list[LabKey]
    plan: SigningPlan
    signed: bool = True
    ds_keys: list[LabKey] = field(default_factory=list)  # keys the parent's DS is made from
    cds_keys: list[LabKey] = field(default_factory=list)  # keys published as CDS/CDNSKEY
    copies: dict[str, dns.zone.Zone] = field(default_factory=dict)  # other copies, by label
    copy_at: dict[int, str] = field(default_factory=dict)  # nameserver index -> copy label
    silent: set[int] = field(default_factory=set)  # nameserver indexes that never answer

    def name(self, relative: str) -> dns.name.Name:
        return dns.name.from_text(relative, self.origin)


def healthy_window(now: int) -> Window:
    """An hour in the past (clock skew) to 30 days ahead, as common signers default to."""
    return Window(now - HOUR, now + 30 * DAY)


class Fault:
    """A deliberate change to a healthy zone; the default hooks change nothing."""

    def prepare(self, build: ZoneBuild) -> None:
        """Before signing: choose keys, what they sign and the validity windows."""

    def after_sign(self, build: ZoneBuild) -> None:
        """After signing: damage the signed zone."""

    def parent_ds(self, build: ZoneBuild, ds: list[DS]) -> list[DS]:
        """The DS RRset the parent publishes for the zone."""
        return ds


# --- the DS at the parent -------------------------------------------------------------


@dataclass(frozen=True)
class DsDigestMismatch(Fault):
    """The DS names the KSK's tag and algorithm but carries a wrong digest (a typo at
    the registrar, or a digest computed for another owner name)."""

    def parent_ds(self, build: ZoneBuild, ds: list[DS]) -> list[DS]:
        return [_ds(d.replace(digest=bytes([d.digest[0] ^ 0xFF]) + d.digest[1:])) for d in ds]


@dataclass(frozen=True)
class DsAlgorithm(Fault):
    """The DS carries another algorithm number than the key it was made from."""

    algorithm: int

    def parent_ds(self, build: ZoneBuild, ds: list[DS]) -> list[DS]:
        return [_ds(d.replace(algorithm=self.algorithm)) for d in ds]


@dataclass(frozen=True)
class DsDigestType(Fault):
    """The DS carries a digest type the validators do not implement."""

    digest_type: int

    def parent_ds(self, build: ZoneBuild, ds: list[DS]) -> list[DS]:
        return [_ds(d.replace(digest_type=self.digest_type)) for d in ds]


@dataclass(frozen=True)
class Rekeyed(Fault):
    """The zone was re-signed with all-new keys; the parent kept the old KSK's DS."""

    def prepare(self, build: ZoneBuild) -> None:
        build.ds_keys = [generate_key(build.algorithm, ksk=True)]


@dataclass(frozen=True)
class Unsigned(Fault):
    """The zone serves no DNSSEC at all; ``keep_ds`` leaves a DS at the parent."""

    keep_ds: bool

    def prepare(self, build: ZoneBuild) -> None:
        build.signed = False
        if not self.keep_ds:
            build.ds_keys = []


# --- the DNSKEY RRset and the keys ------------------------------------------------------


@dataclass(frozen=True)
class KskNotPublished(Fault):
    """The KSK still signs the DNSKEY RRset but is missing from it."""

    def prepare(self, build: ZoneBuild) -> None:
        build.plan.published = [k for k in build.plan.published if k not in build.ksks]


@dataclass(frozen=True)
class DnskeySignedByZskOnly(Fault):
    """The DNSKEY RRset is signed only by the ZSK, which no DS matches."""

    def prepare(self, build: ZoneBuild) -> None:
        build.plan.dnskey_signers = list(build.zsks)


@dataclass(frozen=True)
class KskRolloverIncomplete(Fault):
    """Double-signature KSK rollover cut short: the new KSK is in and signs, its CDS is
    published, the old KSK was removed, but the parent still has only the old DS."""

    def prepare(self, build: ZoneBuild) -> None:
        build.ds_keys = [generate_key(build.algorithm, ksk=True)]  # the old, removed KSK
        build.cds_keys = list(build.ksks)


@dataclass(frozen=True)
class KskRolloverDone(Fault):
    """Double-DS rollover in its middle, done right: both KSKs published and signing,
    both DS records at the parent."""

    def prepare(self, build: ZoneBuild) -> None:
        second = generate_key(build.algorithm, ksk=True)
        build.ksks.append(second)
        build.plan.published.append(second)
        build.plan.dnskey_signers.append(second)
        build.ds_keys = list(build.ksks)


@dataclass(frozen=True)
class ZskRolloverIncomplete(Fault):
    """Pre-publish ZSK rollover done out of order: the data is signed with a new ZSK
    that was never published in the DNSKEY RRset."""

    def prepare(self, build: ZoneBuild) -> None:
        build.plan.data_signers = [generate_key(build.algorithm, ksk=False)]


# --- issue 12, classes 2 and 3: keys that vanished, the DS set's hygiene -------------------


@dataclass(frozen=True)
class KskRemoved(Fault):
    """The KSK the DS names was deleted from the zone and no KSK took its place: the
    DNSKEY RRset is signed by the ZSK alone (``zsk_signs``) or by no key at all."""

    zsk_signs: bool = True

    def prepare(self, build: ZoneBuild) -> None:
        build.plan.published = [k for k in build.plan.published if k not in build.ksks]
        build.plan.dnskey_signers = list(build.zsks) if self.zsk_signs else []

    def after_sign(self, build: ZoneBuild) -> None:
        if not self.zsk_signs:
            node = build.zone.get_node(build.origin)
            assert node is not None
            node.delete_rdataset(dns.rdataclass.IN, RdataType.RRSIG, RdataType.DNSKEY)


@dataclass(frozen=True)
class RekeyedStaleCds(Fault):
    """The zone was re-keyed (new KSK and ZSK) and the parent kept the old KSK's DS; the
    zone still serves the CDS/CDNSKEY of the old KSK (not of a published key)."""

    def prepare(self, build: ZoneBuild) -> None:
        old = generate_key(build.algorithm, ksk=True)
        build.ds_keys = [old]
        build.cds_keys = [old]


@dataclass(frozen=True)
class DsLeftover(Fault):
    """Beside the working DS, the parent keeps the DS of *count* keys long deleted."""

    count: int = 1

    def prepare(self, build: ZoneBuild) -> None:
        gone = [generate_key(build.algorithm, ksk=True) for _ in range(self.count)]
        build.ds_keys = [*build.ds_keys, *gone]


@dataclass(frozen=True)
class DsSha1Only(Fault):
    """The parent publishes only SHA-1 DS records (digest type 1) for the zone's KSKs."""

    def parent_ds(self, build: ZoneBuild, ds: list[DS]) -> list[DS]:
        return [_ds(_sha1_ds(build.origin, k)) for k in build.ds_keys]


@dataclass(frozen=True)
class DsSha1AndSha256(Fault):
    """The parent publishes a SHA-1 DS beside the SHA-256 one (RFC 4509 3: fine)."""

    def parent_ds(self, build: ZoneBuild, ds: list[DS]) -> list[DS]:
        sha1 = [_ds(_sha1_ds(build.origin, k)) for k in build.ds_keys]
        return [*ds, *sha1]


# --- issue 12, class 1: rollovers in progress, legitimate stages and premature steps ---------


@dataclass(frozen=True)
class ZskPrepublished(Fault):
    """Pre-publish ZSK rollover, its first stage: a new ZSK is published and signs nothing
    (RFC 6781 4.1.1.1); ``signing`` makes it sign the data beside the old one (the
    double-signature method, RFC 6781 4.1.1.2)."""

    signing: bool = False

    def prepare(self, build: ZoneBuild) -> None:
        new = generate_key(build.algorithm, ksk=False)
        build.zsks.append(new)
        build.plan.published.append(new)
        if self.signing:
            build.plan.data_signers.append(new)


@dataclass(frozen=True)
class ZskOldSignaturesRemain(Fault):
    """After a ZSK rollover: the old ZSK is no longer published, but the data still
    carries its signatures beside the new ZSK's (harmless: validators use the latter)."""

    def prepare(self, build: ZoneBuild) -> None:
        build.plan.data_signers.append(generate_key(build.algorithm, ksk=False))


@dataclass(frozen=True)
class KskDoubleKsk(Fault):
    """Double-KSK rollover (RFC 6781 4.1.2): a new KSK is published and signs the DNSKEY
    RRset beside the old one, its CDS is published; the parent's DS names the old KSK
    (``switched``: the DS, and the CDS, name only the new KSK: the next stage)."""

    switched: bool = False

    def prepare(self, build: ZoneBuild) -> None:
        new = generate_key(build.algorithm, ksk=True)
        build.ksks.append(new)
        build.plan.published.append(new)
        build.plan.dnskey_signers.append(new)
        build.cds_keys = [new]
        if self.switched:
            build.ds_keys = [new]


@dataclass(frozen=True)
class CskDoubleSignature(Fault):
    """A zone signed by one CSK (SEP flag, no ZSK) rolls it: the new CSK is published and
    signs everything beside the old one, its CDS published; the DS names the old CSK."""

    def prepare(self, build: ZoneBuild) -> None:
        old = build.ksks[0]
        new = generate_key(build.algorithm, ksk=True)
        build.ksks = [old, new]
        build.zsks = []
        build.plan.published = [old, new]
        build.plan.dnskey_signers = [old, new]
        build.plan.data_signers = [old, new]
        build.cds_keys = [new]


@dataclass(frozen=True)
class CskRekeyWithoutSep(Fault):
    """Re-keyed to a single CSK that lacks the SEP flag (flags 256): it signs the DNSKEY
    RRset and the data, its CDS is published; the old keys are gone and the parent kept
    the old KSK's DS."""

    def prepare(self, build: ZoneBuild) -> None:
        csk = generate_key(build.algorithm, ksk=False)
        build.ds_keys = [generate_key(build.algorithm, ksk=True)]  # the old, removed KSK
        build.ksks, build.zsks = [], [csk]
        build.plan.published = [csk]
        build.plan.dnskey_signers = [csk]
        build.plan.data_signers = [csk]
        build.cds_keys = [csk]


#: The stages of an algorithm rollover (RFC 6781 4.1.4, RFC 7583 3.3.2) a fault builds.
ALGORITHM_STAGES = (
    "new-signatures",  # conservative: new RRSIGs, no new DNSKEY yet
    "new-keys",  # new DNSKEYs published, both algorithms sign; DS of the old one
    "ds-switched",  # the DS names the new algorithm's KSK
    "old-keys-removed",  # the old DNSKEYs are gone, their signatures remain
    "ds-too-early",  # premature: DS of the new KSK, which is published but signs nothing
    "keys-before-signatures",  # premature: new DNSKEYs, the data signed by the old only
)


@dataclass(frozen=True)
class AlgorithmRollover(Fault):
    """An algorithm rollover from the zone's algorithm to *new* at one *stage*
    (ALGORITHM_STAGES)."""

    new: int
    stage: str

    def prepare(self, build: ZoneBuild) -> None:
        if self.stage not in ALGORITHM_STAGES:
            raise ValueError(f"no algorithm rollover stage {self.stage!r}")
        ksk, zsk = generate_key(self.new, ksk=True), generate_key(self.new, ksk=False)
        plan = build.plan
        old_published = list(plan.published)
        if self.stage != "ds-too-early":
            plan.dnskey_signers.append(ksk)
        if self.stage not in ("ds-too-early", "keys-before-signatures"):
            plan.data_signers.append(zsk)
        if self.stage == "new-signatures":
            return
        plan.published += [ksk] if self.stage == "ds-too-early" else [ksk, zsk]
        build.ksks.append(ksk)
        if self.stage in ("ds-switched", "old-keys-removed", "ds-too-early"):
            build.ds_keys = [ksk]
        if self.stage == "old-keys-removed":
            plan.published = [k for k in plan.published if k not in old_published]
            build.ksks = [ksk]


@dataclass(frozen=True)
class DsBeforeDnskeyEverywhere(Fault):
    """Double-KSK rollover with its DS step too early: the parent's DS names only the
    new KSK, but nameserver *index* still serves the old DNSKEY RRset (old KSK only;
    a secondary the new keys have not reached)."""

    index: int = 1

    def prepare(self, build: ZoneBuild) -> None:
        new = generate_key(build.algorithm, ksk=True)
        build.ksks.append(new)
        build.plan.published.append(new)
        build.plan.dnskey_signers.append(new)
        build.ds_keys = [new]

    def after_sign(self, build: ZoneBuild) -> None:
        behind = copy.deepcopy(build.zone)
        new = build.ksks[-1]
        plan = copy.copy(build.plan)
        plan.published = [k for k in build.plan.published if k is not new]
        plan.dnskey_signers = [k for k in build.plan.dnskey_signers if k is not new]
        _older_serial(behind)
        signer.sign_zone(behind, plan)
        build.copies["behind"] = behind
        build.copy_at[self.index] = "behind"


# --- issue 12, classes 4 and 5: NSEC3 parameters, TTLs against validity ----------------------


@dataclass(frozen=True)
class Nsec3Parameters(Fault):
    """NSEC3 with *iterations* extra iterations and *salt* (RFC 9276 asks for 0 and
    none); ``opt_out`` sets the opt-out flag on every NSEC3 record (RFC 5155 6)."""

    iterations: int = 0
    salt: bytes = b""
    opt_out: bool = False

    def prepare(self, build: ZoneBuild) -> None:
        build.plan.nsec3 = signer.Nsec3Params(self.iterations, self.salt)

    def after_sign(self, build: ZoneBuild) -> None:
        if not self.opt_out:
            return
        for name, node in list(build.zone.nodes.items()):
            rdataset = node.get_rdataset(dns.rdataclass.IN, RdataType.NSEC3)
            if rdataset is None:
                continue
            flagged = [rd.replace(flags=rd.flags | 0x01) for rd in rdataset]
            rdataset.clear()
            for rd in flagged:
                rdataset.add(rd)
            signer.resign_rrset(
                build.zone, name, RdataType.NSEC3, build.plan.data_signers, build.plan.window
            )


@dataclass(frozen=True)
class LongTtl(Fault):
    """The DNSKEY RRset and the RRsets *rrsets* ((owner, type), relative) get *ttl*."""

    ttl: int
    rrsets: tuple[tuple[str, str], ...] = (("www", "A"),)

    def prepare(self, build: ZoneBuild) -> None:
        build.plan.dnskey_ttl = self.ttl
        for owner, rdtype in self.rrsets:
            rdataset = build.zone.find_rdataset(build.name(owner), rdtype)
            rdataset.update_ttl(self.ttl)
            rdataset.ttl = self.ttl


# --- signature validity ------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureWindow(Fault):
    """Signatures valid from now+inception to now+expiration (seconds, may be negative);
    ``dnskey_only`` limits the change to the DNSKEY RRset's signatures."""

    inception: int
    expiration: int
    dnskey_only: bool = False

    def prepare(self, build: ZoneBuild) -> None:
        window = Window(build.now + self.inception, build.now + self.expiration)
        if self.dnskey_only:
            build.plan.dnskey_window = window
        else:
            build.plan.window = window


# --- damage after signing ----------------------------------------------------------------


@dataclass(frozen=True)
class CorruptSignature(Fault):
    """One byte of every RRSIG over (owner, type) is flipped."""

    owner: str
    rdtype: str

    def after_sign(self, build: ZoneBuild) -> None:
        rdtype = dns.rdatatype.from_text(self.rdtype)
        sigs = build.zone.find_rdataset(build.name(self.owner), RdataType.RRSIG, covers=rdtype)
        damaged = [
            sig.replace(signature=bytes([sig.signature[0] ^ 0x01]) + sig.signature[1:])
            for sig in sigs
        ]
        sigs.clear()
        for sig in damaged:
            sigs.add(sig)


@dataclass(frozen=True)
class DropSignatures(Fault):
    """The RRset (owner, type) is served without any RRSIG."""

    owner: str
    rdtype: str

    def after_sign(self, build: ZoneBuild) -> None:
        node = build.zone.get_node(build.name(self.owner))
        if node is None:
            raise KeyError(f"{self.owner} is not in {build.origin}")
        rdtype = dns.rdatatype.from_text(self.rdtype)
        node.delete_rdataset(dns.rdataclass.IN, RdataType.RRSIG, rdtype)


@dataclass(frozen=True)
class BreakNsecChain(Fault):
    """The NSEC record that should cover *qname* ends before it (re-signed, so the
    signatures are fine and only the proof fails)."""

    qname: str

    def after_sign(self, build: ZoneBuild) -> None:
        target = build.name(self.qname)
        owners = sorted(n for n, node in build.zone.nodes.items() if _has(node, RdataType.NSEC))
        before = [n for n in owners if n < target]
        previous = before[-1] if before else owners[-1]
        # a "next name" just after the owner: the interval (previous, next) no longer
        # reaches the target name, as if a record had been added without re-chaining
        short = dns.name.Name((previous.labels[0] + b"-", *previous.labels[1:]))
        nsecs = build.zone.find_rdataset(previous, RdataType.NSEC)
        changed = nsecs[0].replace(next=short)
        nsecs.clear()
        nsecs.add(changed)
        signer.resign_rrset(
            build.zone, previous, RdataType.NSEC, build.plan.data_signers, build.plan.window
        )


@dataclass(frozen=True)
class BreakNsec3Chain(Fault):
    """The NSEC3 record that should cover the hash of *qname* ends before it (re-signed)."""

    qname: str

    def after_sign(self, build: ZoneBuild) -> None:
        params = build.plan.nsec3
        target = params.hash(build.name(self.qname))
        records: list[tuple[bytes, dns.name.Name]] = []
        for name, node in build.zone.nodes.items():
            if _has(node, RdataType.NSEC3):
                records.append((_owner_hash(name), name))
        records.sort()
        before = [r for r in records if r[0] < target]
        owner_hash, owner = before[-1] if before else records[-1]
        rdataset = build.zone.find_rdataset(owner, RdataType.NSEC3)
        # next hash = owner hash + 1: the record now covers (almost) nothing
        bumped = (int.from_bytes(owner_hash) + 1).to_bytes(len(owner_hash))
        changed = rdataset[0].replace(next=bumped)
        rdataset.clear()
        rdataset.add(changed)
        signer.resign_rrset(
            build.zone, owner, RdataType.NSEC3, build.plan.data_signers, build.plan.window
        )


# --- nameservers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StaleCopy(Fault):
    """Nameserver *index* serves an old copy whose signatures expired (a secondary that
    stopped transferring): older serial, window ended days ago."""

    index: int = 1
    expired_days_ago: int = 10

    def after_sign(self, build: ZoneBuild) -> None:
        stale = copy.deepcopy(build.zone)
        _older_serial(stale)
        plan = copy.copy(build.plan)
        end = build.now - self.expired_days_ago * DAY
        plan.window = Window(end - 30 * DAY, end)
        plan.dnskey_window = None
        signer.sign_zone(stale, plan)
        build.copies["stale"] = stale
        build.copy_at[self.index] = "stale"


@dataclass(frozen=True)
class SilentServer(Fault):
    """Nameserver *index* never answers."""

    index: int = 1

    def prepare(self, build: ZoneBuild) -> None:
        build.silent.add(self.index)


# --- content ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CnameTo(Fault):
    """``www`` is a CNAME to *target* (an absolute name, typically in another zone)."""

    target: str

    def prepare(self, build: ZoneBuild) -> None:
        www = build.name("www")
        build.zone.delete_node(www)
        rdataset = build.zone.find_rdataset(www, RdataType.CNAME, create=True)
        rdataset.add(
            dns.rdata.from_text(dns.rdataclass.IN, RdataType.CNAME, self.target, relativize=False),
            3600,
        )


def _older_serial(zone: dns.zone.Zone) -> None:
    """An older SOA serial: the copy a secondary still serves."""
    assert zone.origin is not None
    soa = zone.find_rdataset(zone.origin, RdataType.SOA)
    old = soa[0].replace(serial=(soa[0].serial - 1000) % 2**32)
    soa.clear()
    soa.add(old)


def _sha1_ds(origin: dns.name.Name, key: LabKey) -> dns.rdata.Rdata:
    """A SHA-1 DS, which dnspython's default policy refuses to make (RFC 9904)."""
    return dns.dnssec.make_ds(origin, key.dnskey, "SHA1", policy=dns.dnssec.allow_all_policy)


def _ds(rdata: dns.rdata.Rdata) -> DS:
    assert isinstance(rdata, DS)
    return rdata


def _has(node: dns.node.Node, rdtype: RdataType) -> bool:
    return node.get_rdataset(dns.rdataclass.IN, rdtype) is not None


def _owner_hash(owner: dns.name.Name) -> bytes:
    label = owner.labels[0].decode().upper()
    return base64.b32hexdecode(label + "=" * (-len(label) % 8))
