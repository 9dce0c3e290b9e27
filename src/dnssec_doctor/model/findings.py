"""Findings: one observed fact about the chain of trust, with a stable code.

Every code is registered once in :data:`REGISTRY` with its severity, the RFC section it
rests on, a one-line summary and the template of its message (named parameters, as
DNSViz's ``analysis/errors.py`` descriptions).  A finding is made from its code and the
template's parameters (:meth:`Finding.of`), never from a hand-written message, so a
code cannot be used without being documented (docs/findings.md shows the templates).
Codes are a public interface (docs/findings.md): add codes, never rename them lightly.

A code is a :data:`FindingCode`: a ``str`` at run time (the reports' bytes, pickling to
the verify workers and the C extension's strings are unchanged), a type of its own for
``mypy``, which refuses a bare string where a code is meant.  Only :func:`register`
makes one.
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import NamedTuple, NewType

#: A registered finding code (made by :func:`register` only).
FindingCode = NewType("FindingCode", str)


class Severity(IntEnum):
    """How bad a finding is; orders like the exit codes (OK 0, WARNING 1, CRITICAL 2)."""

    INFO = 0
    WARNING = 1
    CRITICAL = 2

    @property
    def label(self) -> str:
        return self.name


class TemplateError(Exception):
    """A finding made with parameters its template does not name, or without those it
    names (a programming error, raised where the finding is made)."""


class CodeInfo(NamedTuple):
    code: FindingCode
    severity: Severity
    rfc: str
    summary: str
    #: The message template; a code with several phrasings has one per variant
    #: (``variant=`` names it when the finding is made).
    templates: Mapping[str | None, str]
    #: The named parameters of each template.
    fields: Mapping[str | None, frozenset[str]]

    @property
    def variants(self) -> list[str]:
        return [v for v in self.templates if v is not None]


def template_fields(template: str) -> frozenset[str]:
    """The named parameters of *template*; a positional or attribute field is refused."""
    names = set()
    for _text, name, _spec, _conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier():
            raise TemplateError(f"template {template!r}: {{{name}}} is not a plain name")
        names.add(name)
    return frozenset(names)


def message(code: FindingCode, variant: str | None = None, /, **params: object) -> str:
    """The message of *code* (its *variant*) with *params*: exactly the template's fields."""
    info = REGISTRY[code]  # an unregistered code is a programming error
    fields = info.fields.get(variant)
    if fields is None:
        which = f"variant {variant!r}" if variant is not None else "no variant"
        raise TemplateError(f"{code}: {which}; its variants: {info.variants or 'none'}")
    if params.keys() != fields:
        missing, extra = sorted(fields - params.keys()), sorted(params.keys() - fields)
        raise TemplateError(f"{code}: missing parameters {missing}, unexpected {extra}")
    return info.templates[variant].format(**params)


class Message(NamedTuple):
    """A finding's message made before the finding: in ``analyze/``, where a link is
    judged, the judgment's one line of why is its code's template (variant and
    parameters kept, so that ``check``'s ``chain.links`` reports it with them)."""

    code: FindingCode
    variant: str | None
    params: Mapping[str, object]
    text: str

    @classmethod
    def of(cls, code: FindingCode, variant: str | None = None, /, **params: object) -> Message:
        return cls(code, variant, params, message(code, variant, **params))


@dataclass(frozen=True)
class Finding:
    """One fact: a code, where it was seen, the records involved, and one line of why."""

    code: FindingCode
    zone: str
    message: str
    servers: tuple[str, ...] = ()
    records: tuple[str, ...] = ()
    # the NS host names of each address in servers, in the same order (issue 12 class 11):
    # filled in by the analysis from the zone cuts (with_names), () where none is known
    server_names: tuple[tuple[str, ...], ...] = field(default=(), compare=False)
    severity: Severity = field(init=False)
    rfc: str = field(init=False)

    def __post_init__(self) -> None:
        info = REGISTRY[self.code]  # an unregistered code is a programming error
        object.__setattr__(self, "severity", info.severity)
        object.__setattr__(self, "rfc", info.rfc)

    @classmethod
    def of(
        cls,
        code: FindingCode,
        zone: str,
        /,
        *,
        servers: tuple[str, ...] = (),
        records: tuple[str, ...] = (),
        variant: str | None = None,
        **params: object,
    ) -> Finding:
        """The finding *code* at *zone*, its message made from the code's template (its
        *variant*, for a code with several) and *params*, which must be exactly the
        template's fields (:class:`TemplateError` otherwise)."""
        return cls(code, zone, message(code, variant, **params), servers, records)

    def with_names(self, names: Mapping[str, Sequence[str]]) -> Finding:
        """The same finding with each server's NS host names from *names* (address ->
        names); the message is not touched."""
        found = tuple(tuple(names.get(server, ())) for server in self.servers)
        return dataclasses.replace(self, server_names=found) if any(found) else self

    def labelled_servers(self) -> list[str]:
        """Each server as people read it: ``192.0.2.1 (ns1.example.)``."""
        out = []
        for i, server in enumerate(self.servers):
            names = self.server_names[i] if i < len(self.server_names) else ()
            out.append(f"{server} ({', '.join(names)})" if names else server)
        return out

    def names_dict(self) -> dict[str, list[str]]:
        """``server_names`` in check's JSON: each address of servers with known names."""
        pairs = zip(self.servers, self.server_names, strict=False)
        return {server: list(names) for server, names in pairs if names}

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


REGISTRY: dict[FindingCode, CodeInfo] = {}


def register(
    code: str, severity: Severity, rfc: str, summary: str, template: str | Mapping[str, str]
) -> FindingCode:
    """Register *code*: the one place a string becomes a :data:`FindingCode`.
    *template*: the message's, or one per variant (a mapping, variant -> template)."""
    typed = FindingCode(code)
    if typed in REGISTRY:
        raise ValueError(f"finding code {code} registered twice")
    templates: dict[str | None, str] = {None: template} if isinstance(template, str) else {}
    if not isinstance(template, str):
        templates.update(template)
    if not templates:
        raise TemplateError(f"finding code {code}: no template")
    fields = {variant: template_fields(text) for variant, text in templates.items()}
    REGISTRY[typed] = CodeInfo(typed, severity, rfc, summary, templates, fields)
    return typed


C, W, I = Severity.CRITICAL, Severity.WARNING, Severity.INFO  # noqa: E741

# --- resolver comparison
DNSSEC_IS_THE_CAUSE = register(
    "DNSSEC_IS_THE_CAUSE",
    C,
    "RFC 4035 3.2.2",
    "The resolver answers SERVFAIL, but with checking disabled (CD) the data is there.",
    "{resolver} answers SERVFAIL for {name}, but with checking disabled (+cd) it answers: "
    "DNSSEC validation fails",
)
RESOLVER_SERVFAIL_EVEN_WITH_CD = register(
    "RESOLVER_SERVFAIL_EVEN_WITH_CD",
    W,
    "RFC 4035 3.2.2",
    "The resolver fails with and without CD: the problem is not (only) DNSSEC.",
    "{resolver} answers SERVFAIL for {name} with and without +cd",
)
RESOLVER_UNREACHABLE = register(
    "RESOLVER_UNREACHABLE",
    I,
    "-",
    "The resolver to compare with did not answer.",
    "the resolver {resolver} did not answer ({error})",
)
RESOLVER_DISAGREES = register(
    "RESOLVER_DISAGREES",
    W,
    "RFC 4035 4.3",
    "The resolver's verdict differs from the one reached at the authoritative servers.",
    "{resolver} says {resolver_status}, the authoritative servers say {verdict}",
)

# --- trust anchor and DS
TRUST_ANCHOR_MISMATCH = register(
    "TRUST_ANCHOR_MISMATCH",
    C,
    "RFC 4035 5.1",
    "No trust anchor matches a key that signs the DNSKEY RRset of the anchor's zone.",
    "the trust anchor ({anchors}) matches no key that signs the DNSKEY RRset of {zone} "
    "(signed by {signers}): the local anchor is old or wrong",
)
DS_DIGEST_MISMATCH = register(
    "DS_DIGEST_MISMATCH",
    C,
    "RFC 4035 5.2",
    "A DS names a DNSKEY's tag and algorithm, but its digest does not match the key.",
    {"chain": "no DS matches a DNSKEY of {zone}: {detail}", "zone": "DS {key_tag}: {detail}"},
)
DS_NO_KEY_WITH_TAG = register(
    "DS_NO_KEY_WITH_TAG",
    C,
    "RFC 4035 5.2",
    "A DS names a key tag that no DNSKEY has.",
    {"chain": "no DS matches a DNSKEY of {zone}: {detail}", "zone": "DS {key_tag}: {detail}"},
)
DS_ALGORITHM_MISMATCH = register(
    "DS_ALGORITHM_MISMATCH",
    C,
    "RFC 4035 5.2",
    "A DS names an algorithm that no DNSKEY with its key tag uses.",
    {"chain": "no DS matches a DNSKEY of {zone}: {detail}", "zone": "DS {key_tag}: {detail}"},
)
DS_UNSUPPORTED = register(
    "DS_UNSUPPORTED",
    I,
    "RFC 4035 5.2, RFC 6840 5.2",
    "A DS uses an algorithm or digest type validators do not implement; it is ignored.",
    "DS {key_tag}: {detail}",
)
DS_ALL_UNSUPPORTED = register(
    "DS_ALL_UNSUPPORTED",
    W,
    "RFC 4035 5.2, RFC 6840 5.2",
    "No DS has an algorithm and digest type validators implement: the zone is insecure.",
    "no DS uses an algorithm and digest type validators implement",
)
DS_FOR_UNSIGNED_ZONE = register(
    "DS_FOR_UNSIGNED_ZONE",
    C,
    "RFC 4035 5.2",
    "The parent publishes a DS, but the zone serves no DNSKEY: validation fails.",
    "{zone} is served unsigned (no DNSKEY, no RRSIG) although the parent publishes a DS",
)
NO_DS = register(
    "NO_DS",
    I,
    "RFC 4035 5.2",
    "The parent proves there is no DS: the zone is insecure.",
    {
        "chain": "{parent} proves there is no DS for {zone}: insecure delegation",
        "parent": (
            "{parent} publishes no DS for {zone}: validators treat the zone as "
            "insecure whatever its signatures"
        ),
    },
)
DS_NOT_PROVEN_ABSENT = register(
    "DS_NOT_PROVEN_ABSENT",
    C,
    "RFC 4035 5.2, RFC 5155 8.6",
    "The parent neither gives a DS nor proves there is none.",
    "{parent} neither gives a DS for {zone} nor proves there is none",
)
DS_MATCHES = register(
    "DS_MATCHES",
    I,
    "RFC 4035 5.2",
    "A DS matches a DNSKEY that signs the DNSKEY RRset.",
    {
        "ds": "a DS-matched key signs the DNSKEY RRset",
        "anchor": "a trust anchor key signs the DNSKEY RRset",
        "zone": "the DS matches {keys}, which signs the DNSKEY RRset",
    },
)

# --- DNSKEY RRset
DNSKEY_MISSING = register(
    "DNSKEY_MISSING",
    C,
    "RFC 4035 5.2",
    "The DNSKEY a DS points at is not published, though it still signs the DNSKEY RRset.",
    "the key {key_tag} named by the DS still signs the DNSKEY RRset but is not published in it",
)
DNSKEY_NOT_SIGNED_BY_DS_KEY = register(
    "DNSKEY_NOT_SIGNED_BY_DS_KEY",
    C,
    "RFC 4035 5.2",
    "No DNSKEY that a DS (or the trust anchor) matches signs the DNSKEY RRset validly.",
    {
        "chain": "the DNSKEY RRset is not signed by the key(s) the DS names ({tags})",
        "zone": "DS {key_tag}: {detail}",
        "keys": "no DNSKEY a given DS matches signs the DNSKEY RRset validly",
    },
)
NO_DNSKEY = register(
    "NO_DNSKEY",
    C,
    "RFC 4035 5.2",
    "The server returned no DNSKEY RRset for a signed zone.",
    "no DNSKEY RRset for {zone}",
)
CDS_POINTS_AT_UNDELEGATED_KEY = register(
    "CDS_POINTS_AT_UNDELEGATED_KEY",
    W,
    "RFC 7344 4",
    "The zone publishes CDS/CDNSKEY for a key the parent's DS does not name yet.",
    "CDS/CDNSKEY {key_tag}/{algorithm} names a key the parent's DS does not name",
)

# --- signatures
RRSIG_EXPIRED = register(
    "RRSIG_EXPIRED",
    C,
    "RFC 4035 5.3.1",
    "A signature's expiration time has passed.",
    {
        "chain": "{rrset}: {detail}",
        "zone": "{rrset}: RRSIG {key_tag} (algorithm {algorithm}): {detail}",
    },
)
RRSIG_NOT_YET_VALID = register(
    "RRSIG_NOT_YET_VALID",
    C,
    "RFC 4035 5.3.1",
    "A signature's inception time is in the future.",
    {
        "chain": "{rrset}: {detail}",
        "zone": "{rrset}: RRSIG {key_tag} (algorithm {algorithm}): {detail}",
    },
)
RRSIG_EXPIRING_SOON = register(
    "RRSIG_EXPIRING_SOON",
    W,
    "RFC 4035 5.3.1, RFC 6781 4.4.2",
    "A signature expires within the warning period: re-signing must happen before then.",
    {
        "chain": (
            "signatures expire in {days:.1f} days (first: {first} at {when}); {count} "
            "RRset(s) affected"
        ),
        "zone": "{count} signature(s) expire within {warn_days:g} days; the first at {when}",
    },
)
RRSIG_BAD_SIGNATURE = register(
    "RRSIG_BAD_SIGNATURE",
    C,
    "RFC 4035 5.3.3",
    "A signature does not verify with its key.",
    {
        "chain": "{rrset}: {detail}",
        "zone": "{rrset}: RRSIG {key_tag} (algorithm {algorithm}): {detail}",
    },
)
RRSIG_NO_MATCHING_KEY = register(
    "RRSIG_NO_MATCHING_KEY",
    C,
    "RFC 4035 5.3.1",
    "A signature names a key tag and algorithm that no published DNSKEY has.",
    {
        "chain": "{rrset}: {detail}",
        "zone": "{rrset}: RRSIG {key_tag} (algorithm {algorithm}): {detail}",
    },
)
RRSIG_MISSING = register(
    "RRSIG_MISSING",
    C,
    "RFC 4035 3.1.1",
    "An RRset in a signed zone comes without RRSIG.",
    {"chain": "{rrset} comes without RRSIG", "zone": "{rrset} has no RRSIG"},
)
RRSIG_INVALID_FIELDS = register(
    "RRSIG_INVALID_FIELDS",
    C,
    "RFC 4035 5.3.1",
    "A signature's signer, labels or type field is wrong for the RRset it covers.",
    {
        "chain": "{rrset}: {detail}",
        "zone": "{rrset}: RRSIG {key_tag} (algorithm {algorithm}): {detail}",
    },
)
RRSIG_UNSUPPORTED_ALGORITHM = register(
    "RRSIG_UNSUPPORTED_ALGORITHM",
    I,
    "RFC 8624 3.1",
    "A signature uses an algorithm validators do not implement.",
    {
        "chain": "{rrset}: {detail}",
        "zone": "{rrset}: RRSIG {key_tag} (algorithm {algorithm}): {detail}",
    },
)
TTL_BEYOND_EXPIRATION = register(
    "TTL_BEYOND_EXPIRATION",
    W,
    "RFC 4035 5.3.3, RFC 6781 4.4.2",
    "An RRset may be cached beyond its signatures' expiration (TTL longer than validity left).",
    {
        "chain": (
            "{count} RRset(s) can be cached past their signatures' expiration: {first} has "
            "TTL {ttl} s, its signatures expire in {left} s ({when})"
        ),
        "zone": "{rrset}: the TTL outlasts RRSIG {key_tag}'s remaining validity",
    },
)
VALIDATION_LIMIT = register(
    "VALIDATION_LIMIT",
    W,
    "RFC 9276, CVE-2023-50387",
    "The answer needs more work than the named limits allow (hostile or broken data).",
    {
        "chain": "{rrset}: {detail}",
        "zone": "{rrset}: RRSIG {key_tag} (algorithm {algorithm}): {detail}",
    },
)

# --- denial of existence
NSEC_PROOF_BROKEN = register(
    "NSEC_PROOF_BROKEN",
    C,
    "RFC 4035 5.4",
    "The NSEC records do not prove the denial.",
    {"ds": "no DS and no valid proof of that: {detail}", "denial": "{what} not proven: {detail}"},
)
NSEC3_PROOF_BROKEN = register(
    "NSEC3_PROOF_BROKEN",
    C,
    "RFC 5155 8",
    "The NSEC3 records do not prove the denial.",
    {"ds": "no DS and no valid proof of that: {detail}", "denial": "{what} not proven: {detail}"},
)
NSEC3_ITERATIONS = register(
    "NSEC3_ITERATIONS",
    W,
    "RFC 9276 3.1",
    "NSEC3 uses extra iterations; RFC 9276 asks for 0 (validators may treat it as insecure).",
    "NSEC3 uses {iterations} extra iterations (RFC 9276: 0)",
)

# --- servers
SERVER_UNREACHABLE = register(
    "SERVER_UNREACHABLE",
    W,
    "RFC 1035 4.2",
    "A nameserver of the zone did not answer (timeout or unreachable).",
    "no answer from {silent} ({errors})",
)
SERVER_LAME = register(
    "SERVER_LAME",
    W,
    "RFC 1912 2.8",
    "A nameserver does not answer authoritatively for the zone (REFUSED, SERVFAIL, no AA).",
    "{lame} did not answer authoritatively for {zone}",
)
SERVER_BOGUS = register(
    "SERVER_BOGUS",
    C,
    "RFC 4035 4.3",
    "One nameserver serves data that fails validation while others serve valid data.",
    "{bad} serve(s) data that fails validation ({failing} RRset(s), first: {first}) while "
    "{good} serve(s) valid data: resolvers that ask the former fail",
)
SERVERS_DISAGREE = register(
    "SERVERS_DISAGREE",
    W,
    "RFC 1034 4.3.5",
    "The zone's nameservers serve different serials, keys or signatures.",
    {
        "soa": "SOA serials differ ({serials})",
        "dnskey": "the servers publish different DNSKEY sets (key tags {tags})",
    },
)
NO_SERVER_ANSWERED = register(
    "NO_SERVER_ANSWERED",
    C,
    "RFC 1035 4.2",
    "No nameserver of the zone answered: cannot decide.",
    {
        "ds": "no server of {parent} answered the DS query for {zone}",
        "dnskey": "no server of {zone} answered the DNSKEY query",
        "answer": "no server of {zone} answered for {qname}",
    },
)
WALK_PROBLEM = register(
    "WALK_PROBLEM", W, "-", "The delegation walk hit a limit or an inconsistency.", "{problem}"
)

# --- zone file verification (dnssec-doctor verify)
ZONE_UNSIGNED = register(
    "ZONE_UNSIGNED",
    C,
    "RFC 4035 2.1",
    "The zone file has no DNSKEY RRset at its apex.",
    "no DNSKEY RRset at {zone}: the zone is not signed",
)
ZONE_NO_DENIAL_CHAIN = register(
    "ZONE_NO_DENIAL_CHAIN",
    C,
    "RFC 4035 2.3, RFC 5155 7.1",
    "The signed zone has neither an NSEC chain nor an NSEC3 chain (or has both).",
    {
        "none": "the zone has no NSEC or NSEC3 chain",
        "both": "the zone has both NSEC and NSEC3 records",
    },
)
RRSIG_ALGORITHM_MISSING = register(
    "RRSIG_ALGORITHM_MISSING",
    C,
    "RFC 4035 2.2, RFC 6840 5.11",
    "An RRset is not signed with every algorithm of the zone's DNSKEY RRset.",
    "{rrset} has no RRSIG of algorithm {algorithms}",
)
RRSIG_WITHOUT_RRSET = register(
    "RRSIG_WITHOUT_RRSET",
    W,
    "RFC 4035 2.2",
    "An RRSIG covers a type that has no RRset at its owner.",
    "{rrsig}: there is no {type} RRset at {name}",
)
SIGNED_NON_AUTHORITATIVE = register(
    "SIGNED_NON_AUTHORITATIVE",
    W,
    "RFC 4035 2.2",
    "Delegation NS or glue carries an RRSIG; only authoritative data is signed.",
    "{rrsig}: {name} {type} is not authoritative (delegation NS, glue or occluded) and must "
    "not be signed",
)
PARENT_DS_UNAUTHENTICATED = register(
    "PARENT_DS_UNAUTHENTICATED",
    W,
    "RFC 4035 5",
    "The DS RRset fetched from the parent could not be authenticated from the trust anchor.",
    "the parent {parent} is {state} from the trust anchor: its DS RRset for the zone cannot "
    "be authenticated (used as given)",
)
PARENT_DS_SERVERS_DIFFER = register(
    "PARENT_DS_SERVERS_DIFFER",
    W,
    "RFC 4035 5.2, RFC 7344 4.1",
    "The parent's nameservers answer with different DS RRsets (a DS change still spreading).",
    "the servers of {parent} give different DS RRsets for {zone}",
)
OCCLUDED_DATA = register(
    "OCCLUDED_DATA",
    I,
    "RFC 4035 2.2, RFC 1034 4.2.1",
    "Data below a zone cut (not glue) is occluded: not served, not verified.",
    "{count} RRset(s) below a zone cut are occluded (not verified)",
)
RRSIG_ORIGINAL_TTL_MISMATCH = register(
    "RRSIG_ORIGINAL_TTL_MISMATCH",
    W,
    "RFC 4034 3.1.4, RFC 4035 2.2",
    "An RRset's TTL differs from its RRSIG's Original TTL field.",
    "{rrset}: TTL {ttl}, RRSIG {key_tag} Original TTL {original_ttl}",
)
RRSIG_TTL_MISMATCH = register(
    "RRSIG_TTL_MISMATCH",
    W,
    "RFC 4034 3",
    "An RRSIG's own TTL differs from the TTL of the RRset it covers.",
    "{rrset}: RRSIG TTL {rrsig_ttl} differs from the RRset TTL {ttl}",
)
DNSKEY_NO_SEP_SIGNER = register(
    "DNSKEY_NO_SEP_SIGNER",
    W,
    "RFC 4034 2.1.2, RFC 6781 3.1",
    "No key with the SEP bit validly signs the DNSKEY RRset (which key would a DS name?).",
    {
        "unsigned": "no key with the SEP bit signs the DNSKEY RRset validly",
        "others": (
            "no key with the SEP bit signs the DNSKEY RRset validly (it is signed by {signers})"
        ),
    },
)
DNSKEY_REVOKED = register(
    "DNSKEY_REVOKED",
    I,
    "RFC 5011 2.1",
    "The DNSKEY RRset holds a key with the REVOKE bit.",
    "DNSKEY {key} is revoked",
)
DNSKEY_ALGORITHM_DEPRECATED = register(
    "DNSKEY_ALGORITHM_DEPRECATED",
    W,
    "RFC 8624 3.1, RFC 9904",
    "A DNSKEY uses an algorithm that must not or should not be used for signing.",
    "DNSKEY {key}: signing with this algorithm is {advice}",
)
DNSKEY_WEAK_KEY = register(
    "DNSKEY_WEAK_KEY",
    W,
    "RFC 6781 3.4.2, RFC 8624 3.1",
    "An RSA DNSKEY is shorter than 2048 bits.",
    "DNSKEY {key} is {bits} bits (< {minimum})",
)
NSEC_MISSING = register(
    "NSEC_MISSING",
    C,
    "RFC 4035 2.3",
    "An authoritative name or delegation has no NSEC record.",
    "{name} has no NSEC",
)
NSEC_CHAIN_BROKEN = register(
    "NSEC_CHAIN_BROKEN",
    C,
    "RFC 4034 4.1.1, RFC 4035 2.3",
    "The NSEC chain skips a name, is out of canonical order, or is not closed at the apex.",
    {
        "stray": "NSEC at {name}, which is not an authoritative name of the zone",
        "repeated": "{name} has {count} NSEC records",
        "malformed": "{name}: malformed NSEC",
        "next": "NSEC at {name} points to {got}, the next name is {want} ({why})",
    },
)
NSEC_BITMAP_MISMATCH = register(
    "NSEC_BITMAP_MISMATCH",
    C,
    "RFC 4034 4.1.2, RFC 4035 2.3",
    "An NSEC type bitmap differs from the types present at its owner.",
    "NSEC bitmap at {name} {difference}",
)
NSEC3_MISSING = register(
    "NSEC3_MISSING",
    C,
    "RFC 5155 7.1",
    "A name that needs an NSEC3 record has none (no NSEC3 owner with its hash).",
    "{name} has no NSEC3 (hash {hash})",
)
NSEC3_CHAIN_BROKEN = register(
    "NSEC3_CHAIN_BROKEN",
    C,
    "RFC 5155 7.1",
    "The NSEC3 chain's next hashes skip or misorder records, or the chain is not closed.",
    "NSEC3 {hash} points to {got}, the next hash is {want}",
)
NSEC3_ORPHAN = register(
    "NSEC3_ORPHAN",
    C,
    "RFC 5155 7.1",
    "An NSEC3 owner hash matches no name of the zone (wrong hash or stale record).",
    "NSEC3 {owner} is the hash of no name of the zone",
)
NSEC3_BITMAP_MISMATCH = register(
    "NSEC3_BITMAP_MISMATCH",
    C,
    "RFC 5155 3.2.1, 7.1",
    "An NSEC3 type bitmap differs from the types present at the hashed name.",
    "NSEC3 bitmap for {name} ({hash}) {difference}",
)
NSEC3_PARAM_MISMATCH = register(
    "NSEC3_PARAM_MISMATCH",
    C,
    "RFC 5155 4, 7.1",
    "NSEC3 records use parameters other than the apex NSEC3PARAM, or the NSEC3PARAM is missing.",
    {
        "no_param": "NSEC3 records but no NSEC3PARAM at the apex",
        "other": "{count} NSEC3 record(s) use parameters other than the NSEC3PARAM's",
    },
)
NSEC3_SALT = register(
    "NSEC3_SALT",
    I,
    "RFC 9276 3.1",
    "NSEC3 uses a salt; RFC 9276 asks operators not to.",
    "NSEC3 uses the salt {salt} (RFC 9276: none)",
)
NSEC3_OPT_OUT = register(
    "NSEC3_OPT_OUT",
    I,
    "RFC 5155 6, RFC 9276 3.1",
    "The NSEC3 chain uses opt-out: unsigned delegations may have no NSEC3.",
    "the NSEC3 chain uses opt-out",
)

# --- issue 12, classes 2, 3 and 6: the DS set's hygiene and algorithms (check's keys.*)
DS_LEFTOVER = register(
    "DS_LEFTOVER",
    W,
    "RFC 4035 5.2, RFC 6781 4.1.2",
    "Beside a DS that works, a DS matches no DNSKEY of the zone (left over from a removed key).",
    "DS {key_tag} ({algorithm}, {digest}) matches no DNSKEY of {zone} ({detail}); the zone "
    "validates through DS {working}",
)
DS_SHA1_ONLY = register(
    "DS_SHA1_ONLY",
    W,
    "RFC 8624 3.3",
    "Every DS of the zone uses the SHA-1 digest (type 1), NOT RECOMMENDED for DS records.",
    "every DS for {zone} uses SHA-1 (digest type 1, NOT RECOMMENDED by RFC 8624 3.3): DS {tags}",
)
DS_ALGORITHM_DEPRECATED = register(
    "DS_ALGORITHM_DEPRECATED",
    W,
    "RFC 8624 3.1, RFC 9904",
    "A DS names a DNSSEC algorithm that must not or should not be used for signing.",
    "DS {key_tag} for {zone} names algorithm {algorithm}: signing with it is {advice}",
)

# --- the resolver's own words (issue 12 class 8: RFC 8914 Extended DNS Errors)
RESOLVER_EDE = register(
    "RESOLVER_EDE",
    I,
    "RFC 8914 4",
    "The compared resolver gave an Extended DNS Error with its answer.",
    "{resolver} reports EDE {info_code} ({label}){extra}",
)
RESOLVER_EDE_DISAGREES = register(
    "RESOLVER_EDE_DISAGREES",
    W,
    "RFC 8914 4",
    "The resolver's Extended DNS Error names another failure than the one found at the "
    "authoritative servers.",
    "{resolver} reports EDE {info_code} ({label}), which means {meaning}; the authoritative "
    "servers show {found}",
)

# --- issue 12 classes 1, 4 and 5: rollovers, NSEC3 iterations, TTLs against validity
ROLLOVER_STEP_TOO_EARLY = register(
    "ROLLOVER_STEP_TOO_EARLY",
    W,
    "RFC 6781 4.1, RFC 7583 3",
    "A key rollover step was taken before the step it depends on had taken effect.",
    "{kind} rollover of {zone}: {step}: {summary}",
)
RRSIG_VALIDITY_TOO_SHORT = register(
    "RRSIG_VALIDITY_TOO_SHORT",
    W,
    "RFC 6781 4.4.2",
    "Signatures are valid for a window too short for their TTL and a re-signing rhythm.",
    "{count} RRset(s) are signed for only {window} s (first: {first}, TTL {ttl} s): less "
    "than {factor} times the TTL leaves no room for a late re-signing",
)
RRSIG_INCEPTION_TOO_RECENT = register(
    "RRSIG_INCEPTION_TOO_RECENT",
    W,
    "RFC 4035 5.3.1, RFC 6781 4.4.2",
    "Signatures start so shortly before now that validators whose clock lags reject them.",
    "{count} RRset(s) carry signatures that start only {age} s before now (first: {first}, "
    "inception {when}): a validator whose clock is more than {age} s behind rejects them",
)
NSEC3_ITERATIONS_TOO_HIGH = register(
    "NSEC3_ITERATIONS_TOO_HIGH",
    W,
    "RFC 9276 3.2",
    "NSEC3 iterations above what validators accept: they treat the zone's denials as insecure.",
    "{zone} is signed, but its NSEC3 records use {iterations} iterations, above the {limit} "
    "validators accept (Unbound, BIND): they ignore its denial proofs and answer insecure",
)
