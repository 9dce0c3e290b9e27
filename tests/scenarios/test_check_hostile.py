"""Hostile servers built on the lab's responder, checked end to end (collect, analyze,
diagnose): each case names the limit that fired, the verdict is never a wrong "secure",
and the check stays cheap (issue 17 class 5; CVE-2023-50387 KeyTrap, CVE-2023-50868).

A root zone is signed with lab keys and served by :class:`Responder` at one or many
loopback addresses; a *tamper* hook may change the responder's answer before it is sent
(decoy keys, garbage signatures, floods of records), so every answer a server could give
is possible while the rest of the zone stays honest.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.NSEC import NSEC, Bitmap
from dns.rdtypes.ANY.RRSIG import RRSIG

from dnssec_doctor.analyze.core import analyze
from dnssec_doctor.collect import Collection, WalkLimits
from dnssec_doctor.diagnose import diagnose
from dnssec_doctor.lab.keys import LabKey, generate_key
from dnssec_doctor.lab.responder import Responder
from dnssec_doctor.lab.signer import Nsec3Params, SigningPlan, Window, resign_rrset, sign_zone
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.analysis import Analysis, Status
from dnssec_doctor.model.causes import Cause
from dnssec_doctor.model.diagnosis import Diagnosis
from dnssec_doctor.model.evidence import Stub
from dnssec_doctor.validate import limits as V
from helpers.collect_fixtures import run_walk, zone

Name = dns.name.Name
T = dns.rdatatype.RdataType
N = dns.name.from_text
ROOT = dns.name.root
AT = datetime(2026, 1, 1, tzinfo=UTC)  # what run_walk collects at
NOW = int(AT.timestamp())
WINDOW = Window(NOW - 86400, NOW + 30 * 86400)
Tamper = Callable[[dns.message.Message, dns.message.Message], dns.message.Message]


@dataclass
class Root:
    """A signed root zone, its keys and the addresses that serve it."""

    zone: dns.zone.Zone
    ksk: LabKey
    zsk: LabKey
    addresses: list[str]

    @property
    def origin(self) -> Name:
        origin = self.zone.origin
        assert origin is not None
        return origin

    @property
    def anchor(self) -> str:
        return f"{self.origin} 3600 IN DS {self.ksk.ds(self.origin).to_text()}"


def signed_root(
    servers: int = 1, *, nsec3: Nsec3Params | None = None, base: int = 1, origin: str = "."
) -> Root:
    """The zone *origin* (the root; ``big.`` for NSEC3, which the lab signer does not
    give the root), signed with Ed25519 lab keys, served at *servers* addresses."""
    addresses = [f"127.78.{base}.{i + 1}" for i in range(servers)]
    ns = "\n".join(f"@ 3600 IN NS n{i}.root." for i in range(servers))
    glue = "\n".join(f"n{i}.root. 3600 IN A {a}" for i, a in enumerate(addresses))
    if origin != ".":
        glue = ""  # the servers are given as a stub
    text = f"@ 3600 IN SOA n0.root. h.root. 1 7200 3600 1209600 300\n{ns}\n{glue}\n"
    text += "www.big. 300 IN A 192.0.2.1\n"
    root = zone(origin, text)
    ksk, zsk = generate_key(15, ksk=True), generate_key(15, ksk=False)
    plan = SigningPlan(
        published=[ksk, zsk], dnskey_signers=[ksk], data_signers=[zsk], window=WINDOW,
        denial="nsec3" if nsec3 else "nsec", nsec3=nsec3 or Nsec3Params(),
    )  # fmt: skip
    sign_zone(root, plan)
    return Root(root, ksk, zsk, addresses)


@dataclass
class Checked:
    found: Collection
    analysis: Analysis
    diagnosis: Diagnosis
    cpu: float

    @property
    def codes(self) -> set[str]:
        return {f.code for f in self.analysis.findings}

    def messages(self, code: str) -> str:
        return " | ".join(f.message for f in self.analysis.findings if f.code == code)


def check(root: Root, qname: str, qtype: str = "A", tamper: Tamper | None = None,
          limits: WalkLimits | None = None) -> Checked:  # fmt: skip
    """Serve *root* (answers changed by *tamper*) and check *qname* end to end; a zone
    below the root is reached by a stub (its anchor is its own DS)."""
    stubs = [] if root.origin == ROOT else [Stub(root.origin.to_text(), tuple(root.addresses))]
    responder = Responder({root.origin: root.zone})
    rendered: dict[tuple[Name, int, str], bytes] = {}

    def handler(address: str, transport: str, wire: bytes) -> bytes:
        query = dns.message.from_wire(wire)
        key = (query.question[0].name, query.question[0].rdtype, transport)
        if key not in rendered:  # once per question, as a server has it at hand
            answer = responder.respond(query)
            if tamper is not None:
                answer = tamper(query, answer)
            try:
                rendered[key] = answer.to_wire(max_size=1232 if transport == "udp" else 65535)
            except dns.exception.TooBig:
                answer.answer, answer.authority, answer.additional = [], [], []
                answer.flags |= dns.flags.TC
                rendered[key] = answer.to_wire()
        return wire[:2] + rendered[key][2:]

    async def walk() -> Collection:
        async with asyncio.timeout(30):
            found, _ = await run_walk(
                root.addresses, handler, qname, qtype, trust_anchors=[root.anchor],
                limits=limits or WalkLimits(), stubs=stubs, hints=root.addresses, timeout=1.0,
            )  # fmt: skip
            return found

    began = time.process_time()
    found = asyncio.run(walk())
    analysis = analyze(found, NOW)
    diagnosis = diagnose(analysis, found)
    return Checked(found, analysis, diagnosis, time.process_time() - began)


def garbage_rrsig(covered: dns.rrset.RRset, key_tag: int, algorithm: int, size: int) -> RRSIG:
    return RRSIG(
        dns.rdataclass.IN, T.RRSIG, covered.rdtype, algorithm, len(covered.name.labels) - 1,
        covered.ttl, WINDOW.expiration, WINDOW.inception, key_tag, ROOT,
        random.randbytes(size),
    )  # fmt: skip


def replaced(section: list[dns.rrset.RRset], rrset: dns.rrset.RRset) -> list[dns.rrset.RRset]:
    """*section* with the RRSIGs over *rrset*'s type at its name swapped for *rrset*."""
    kept = [
        r
        for r in section
        if not (r.name == rrset.name and r.rdtype == T.RRSIG and r.covers == rrset.covers)
    ]
    return [*kept, rrset]


def sigs_over(covered: dns.rrset.RRset, rdatas: Sequence[RRSIG]) -> dns.rrset.RRset:
    out = dns.rrset.RRset(covered.name, dns.rdataclass.IN, T.RRSIG, covered.rdtype)
    for rdata in rdatas:
        out.add(rdata, covered.ttl)
    return out


def colliding(key: DNSKEY, count: int) -> list[DNSKEY]:
    """*count* keys with *key*'s tag (bytes swapped two positions apart keep the RFC 4034
    Appendix B checksum), *key* not among them."""
    out: list[DNSKEY] = []
    raw = bytearray(key.key)
    i = 0
    while len(out) < count:
        a, b = (2 * i) % len(raw), (2 * i + 2) % len(raw)
        i += 1
        if raw[a] == raw[b]:
            continue
        raw[a], raw[b] = raw[b], raw[a]
        decoy = key.replace(key=bytes(raw))
        assert isinstance(decoy, DNSKEY)
        if decoy != key and decoy not in out:
            out.append(decoy)
    assert {k.key_id() for k in out} == {key.key_id()}
    return out


# -- the honest baseline --------------------------------------------------------------------


def test_the_signed_root_is_secure() -> None:
    done = check(signed_root(), "www.big.")
    assert done.analysis.verdict is Status.SECURE, done.analysis.findings
    assert done.found.problems == []


# -- KeyTrap (CVE-2023-50387) -----------------------------------------------------------------


def test_keytrap_many_keys_per_tag() -> None:
    root = signed_root(base=2)
    dnskeys = root.zone.find_rdataset(ROOT, T.DNSKEY)
    for decoy in colliding(root.zsk.dnskey, V.MAX_KEYS_PER_TAG):  # and the ZSK: one too many
        dnskeys.add(decoy, dnskeys.ttl)
    resign_rrset(root.zone, ROOT, T.DNSKEY, [root.ksk], WINDOW)
    done = check(root, "www.big.")
    assert done.analysis.verdict is not Status.SECURE
    assert F.VALIDATION_LIMIT in done.codes
    assert "MAX_KEYS_PER_TAG" in done.messages(F.VALIDATION_LIMIT)
    assert done.cpu < 2.0


def test_keytrap_many_signatures_per_rrset() -> None:
    root = signed_root(base=3)

    def flood(query: dns.message.Message, answer: dns.message.Message) -> dns.message.Message:
        for rrset in list(answer.answer):
            if rrset.name == N("www.big.") and rrset.rdtype == T.A:
                junk = [garbage_rrsig(rrset, root.zsk.tag, 15, 64) for _ in range(40)]
                answer.answer = replaced(answer.answer, sigs_over(rrset, junk))
        return answer

    done = check(root, "www.big.", tamper=flood)
    assert done.analysis.verdict is Status.BOGUS
    assert done.codes & {F.VALIDATION_LIMIT, F.RRSIG_BAD_SIGNATURE}
    (answer,) = done.analysis.answers
    for view in answer.servers.values():  # 8 of the 40 judged, the rest skipped
        assert len(view.judgments) == V.MAX_RRSIGS_PER_RRSET
    assert done.cpu < 2.0


def test_keytrap_many_rrsets_per_answer() -> None:
    # NXDOMAIN with 28 NSEC RRsets of 8 garbage RRSIGs each (252 records), at 16 servers:
    # 3,584 verifications asked for, the check's budget is 2,048
    root = signed_root(16, base=4)

    def flood(query: dns.message.Message, answer: dns.message.Message) -> dns.message.Message:
        if query.question[0].name != N("nowhere.big."):
            return answer
        answer.authority = [r for r in answer.authority if r.rdtype in (T.SOA, T.RRSIG)
                            and (r.rdtype == T.SOA or r.covers == T.SOA)]  # fmt: skip
        for i in range(28):
            nsec = dns.rrset.RRset(N(f"n{i}.big."), dns.rdataclass.IN, T.NSEC)
            nsec.add(NSEC(dns.rdataclass.IN, T.NSEC, N(f"n{i + 1}.big."), Bitmap([])), 300)
            junk = [garbage_rrsig(nsec, root.zsk.tag, 15, 64) for _ in range(8)]
            answer.authority += [nsec, sigs_over(nsec, junk)]
        return answer

    done = check(root, "nowhere.big.", tamper=flood)
    assert done.analysis.verdict is not Status.SECURE
    assert done.codes & {F.VALIDATION_LIMIT, F.RRSIG_BAD_SIGNATURE}
    assert done.cpu < 2.0


# -- RSA keys that cost (issue 17 class 5) ----------------------------------------------------


def big_exponent_keys(tags: int, per_tag: int) -> list[DNSKEY]:
    """RSASHA256 keys with a 3072-bit modulus and a 3071-bit public exponent, *per_tag*
    sharing each of *tags* key tags: each verification costs ~7 ms instead of ~0.09."""
    rng = random.Random(17)
    keys: list[DNSKEY] = []
    for _ in range(tags):
        modulus = rng.getrandbits(3072) | (1 << 3071) | 1
        exponent = rng.getrandbits(3071) | (1 << 3070) | 1
        elen = (exponent.bit_length() + 7) // 8
        field = b"\x00" + elen.to_bytes(2, "big") + exponent.to_bytes(elen, "big")
        key = DNSKEY(dns.rdataclass.IN, T.DNSKEY, 257, 3, 8, field + modulus.to_bytes(384, "big"))
        keys += [key, *colliding(key, per_tag - 1)]
    return keys


def test_max_rsa_exponent_bits_at_32_servers() -> None:
    # issue 17: 32 servers, 8 tags x 4 keys, every RRset signed once per tag: 8-11 s of
    # CPU within the verification budget; now the keys do not load and nothing is verified
    root = signed_root(32, base=5)
    keys = big_exponent_keys(8, 4)
    rng = random.Random(5)

    def swap(query: dns.message.Message, answer: dns.message.Message) -> dns.message.Message:
        for section in (answer.answer, answer.authority):
            for rrset in [r for r in section if r.rdtype != T.RRSIG]:
                junk = [garbage_rrsig(rrset, keys[4 * t].key_id(), 8, 384) for t in range(8)]
                for rdata in junk:  # below the modulus, so that each one costs a verification
                    object.__setattr__(rdata, "signature", b"\x01" + rng.randbytes(383))
                section[:] = replaced(section, sigs_over(rrset, junk))
            for rrset in section:
                if rrset.rdtype == T.DNSKEY:
                    rrset.clear()
                    for key in keys:
                        rrset.add(key)
        return answer

    anchor = keys[0]
    root.ksk = LabKey(root.ksk.private, anchor)  # the trust anchor names one of them
    done = check(root, "www.big.", tamper=swap)
    assert done.analysis.verdict is Status.BOGUS
    text = " ".join(f.message for f in done.analysis.findings)
    assert "MAX_RSA_EXPONENT_BITS" in text
    assert done.cpu < 2.0


# -- NSEC3 (CVE-2023-50868) -------------------------------------------------------------------


def test_nsec3_iterations_flood() -> None:
    # 2,500 iterations (RFC 5155's ceiling for 4096-bit keys): insecure, not hashed through
    root = signed_root(nsec3=Nsec3Params(iterations=2500), base=6, origin="big.")
    done = check(root, "nowhere.big.")
    assert done.analysis.verdict is Status.INSECURE
    assert done.cpu < 2.0


def test_nsec3_hashes_per_proof() -> None:
    # a name 100 labels below the zone: the closest encloser proof would hash each one
    root = signed_root(nsec3=Nsec3Params(iterations=V.MAX_NSEC3_ITERATIONS), base=7, origin="big.")
    name = ".".join(["a"] * 100) + ".big."
    done = check(root, name)
    assert done.analysis.verdict is not Status.SECURE
    assert done.cpu < 2.0


# -- walk limits: the verdict is never "secure" -----------------------------------------------


def test_a_huge_answer_is_not_read_and_the_check_cannot_decide() -> None:
    root = signed_root(base=8)

    addresses = [f"10.{i // 250}.{i % 250}.1" for i in range(3000)]
    many = dns.rrset.from_text("www.big.", 300, "IN", "A", *addresses)

    def huge(query: dns.message.Message, answer: dns.message.Message) -> dns.message.Message:
        if query.question[0].rdtype == T.A:
            answer.answer += [many]
        return answer

    done = check(root, "www.big.", tamper=huge)
    assert done.analysis.verdict is Status.INDETERMINATE
    assert "MAX_RECORDS_PER_MESSAGE" in done.messages(F.WALK_PROBLEM)
    assert done.diagnosis.cause is Cause.CHECK_LIMITED
    assert "MAX_RECORDS_PER_MESSAGE" in done.diagnosis.headline
    assert done.cpu < 2.0


def test_a_walk_limit_turns_secure_into_indeterminate() -> None:
    # the same healthy root at 40 addresses: 8 are not asked, and might be the bad ones
    root = signed_root(40, base=9)
    done = check(root, "www.big.")
    assert "MAX_SERVER_ADDRESSES_PER_ZONE" in done.found.limits_hit
    assert all(a.status is Status.SECURE for a in done.analysis.answers)
    assert done.analysis.verdict is Status.INDETERMINATE
    assert done.diagnosis.cause is Cause.CHECK_LIMITED
