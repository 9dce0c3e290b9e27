"""What the `ds` commands conclude: the DS records of a zone's keys, the parent's DS set
judged against them, and the emergency plan. Made by ``ds/``, printed by ``render/``.

Times are POSIX seconds (the ``--at`` moment or now); renderers format them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from dnssec_doctor.validate.algorithms import algorithm_name, digest_name


@dataclass(frozen=True)
class DsForm:
    """One DS record in the forms people need: the fields a registrar's form asks for,
    and the zone-file line (``dnssec-dsfromkey``'s: no TTL unless one is given)."""

    owner: str  # absolute, as the zone file writes it
    key_tag: int
    algorithm: int
    digest_type: int
    digest: str  # upper-case hex
    ttl: int | None = None

    @property
    def algorithm_name(self) -> str:
        return algorithm_name(self.algorithm)

    @property
    def digest_name(self) -> str:
        return digest_name(self.digest_type)

    @property
    def rdata(self) -> str:
        return f"{self.key_tag} {self.algorithm} {self.digest_type} {self.digest}"

    def zone_line(self, rdtype: str = "DS") -> str:
        ttl = "" if self.ttl is None else f"{self.ttl} "
        return f"{self.owner} {ttl}IN {rdtype} {self.rdata}"

    def registrar_fields(self) -> dict[str, str]:
        return {
            "Key Tag": str(self.key_tag),
            "Algorithm": f"{self.algorithm} ({self.algorithm_name})",
            "Digest Type": f"{self.digest_type} ({self.digest_name})",
            "Digest": self.digest,
        }


@dataclass(frozen=True)
class KeyEntry:
    """One DNSKEY and its DS records (one per digest type asked for)."""

    key_tag: int
    flags: int
    protocol: int
    algorithm: int
    public_key: str  # base64, as in the zone file (EPP keyData's pubKey)
    sep: bool
    revoked: bool
    signs_dnskey: bool | None  # None: not known (a .key file has no signatures)
    ds: tuple[DsForm, ...] = ()
    servers: tuple[str, ...] = ()  # live: the addresses that serve this key
    source: str = ""  # the .key file or zone file it came from
    note: str = ""  # why it is shown although it is not a SEP key, and similar

    @property
    def algorithm_name(self) -> str:
        return algorithm_name(self.algorithm)

    @property
    def role(self) -> str:
        if self.sep:
            return "SEP: a KSK or CSK"
        return "no SEP, signs the DNSKEY RRset" if self.signs_dnskey else "no SEP: a ZSK"


@dataclass
class ShowReport:
    """`ds show`: the DS of every key a DS should name."""

    zone: str
    source: str  # "key file", "zone file", "live"
    at: int
    digests: tuple[int, ...]
    keys: list[KeyEntry]  # the keys to publish a DS for
    others: list[KeyEntry] = field(default_factory=list)  # keys a DS should not name
    notes: list[str] = field(default_factory=list)
    servers: dict[str, tuple[int, ...]] = field(default_factory=dict)  # live: key tags served
    server_names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # address -> NS names
    authenticated: bool | None = None  # live: the DNSKEY RRset validates from the parent's DS
    authentication: str = ""  # live: one line saying how (or why not)
    parent_ds: tuple[DsForm, ...] = ()  # live: the DS the parent serves now

    @property
    def servers_differ(self) -> bool:
        return len(set(self.servers.values())) > 1


class DsState(StrEnum):
    """A parent DS record judged against the zone's keys (ds compare)."""

    MATCH = "match"  # names a key that signs the DNSKEY RRset
    STALE = "stale"  # matches no published key, or a key that no longer signs the RRset
    UNUSABLE = "unusable"  # an algorithm or digest type validators do not use
    SHA1 = "sha1"  # matches a signing key, but SHA-1: replace it (RFC 9904)


@dataclass(frozen=True)
class DsVerdict:
    ds: DsForm
    state: DsState
    reason: str  # one line
    key_tag: int | None = None  # the key it matches, if any
    servers: tuple[str, ...] = ()  # the parent servers that serve it


class CompareOutcome(StrEnum):
    """Also the exit code's meaning (docs/ds.md): right 0, change 1, broken 2."""

    RIGHT = "right"  # the parent's DS set is what it should be
    CHANGE = "change"  # validation works today, but the set should change
    BROKEN = "broken"  # the DS set breaks validation now (no DS names a signing key)


@dataclass
class CompareReport:
    """`ds compare`: the parent's DS against the zone's keys, and the set to publish."""

    zone: str
    parent: str
    at: int
    outcome: CompareOutcome
    summary: str
    verdicts: list[DsVerdict]
    missing: list[KeyEntry]  # entry-point keys without a usable DS
    publish: list[DsForm]  # the exact DS set the parent should hold
    parent_servers: dict[str, tuple[str, ...]]  # address -> DS rdata it serves
    server_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ds_ttl: int | None = None
    timing: list[str] = field(default_factory=list)  # what the change does during the TTL
    notes: list[str] = field(default_factory=list)

    @property
    def parent_servers_differ(self) -> bool:
        return len(set(self.parent_servers.values())) > 1


@dataclass(frozen=True)
class PlanStep:
    title: str
    at: int | None = None  # the earliest time the step may be taken, when it has one
    lines: tuple[str, ...] = ()


@dataclass
class DisablePlan:
    """`ds disable-plan`: the ordered way from signed to unsigned, and back."""

    zone: str
    parent: str
    at: int
    ds: tuple[DsForm, ...]  # the DS the parent serves now (union of its servers)
    parent_servers: dict[str, tuple[str, ...]]
    ds_ttl: int | None  # the largest DS TTL a parent server gives
    dnskey_ttl: int | None
    rrsig_ttl: int | None  # the largest TTL of the RRSIGs over DNSKEY and SOA
    negative_ttl: int | None  # how long resolvers cache the parent's "no DS"
    insecure_at: int | None  # the earliest time validators treat the zone as insecure
    unsign_at: int | None  # the earliest time signing may stop
    signatures_expire: int | None  # the earliest expiration among DNSKEY/SOA RRSIGs served
    cds_published: tuple[str, ...]  # the zone's CDS/CDNSKEY records now
    steps: list[PlanStep]
    way_back: list[PlanStep]
    notes: list[str] = field(default_factory=list)


__all__ = [
    "CompareOutcome",
    "CompareReport",
    "DisablePlan",
    "DsForm",
    "DsState",
    "DsVerdict",
    "KeyEntry",
    "PlanStep",
    "ShowReport",
]
