"""One RRSIG rule for ``check`` and ``verify`` (issue 11, item 4).

The status -> finding-code table has an entry for every verdict, and the same
signature gets the same finding code from both commands.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import dns.name
import dns.rdata
import dns.rdatatype
import dns.rrset
import pytest
from dns.dnssectypes import Algorithm
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.RRSIG import RRSIG
from dns.rdtypes.dnskeybase import Flag

from dnssec_doctor.analyze.views import rrset_failure
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.rrsig_findings import RRSIG_FINDING, finding_code
from dnssec_doctor.validate import fastsig, limits
from dnssec_doctor.validate.rrsig import (
    RULE,
    RrsigFact,
    RrsigStatus,
    judge_rrsig,
    rrset_status,
    rrsig_verdict,
)
from dnssec_doctor.zonefile import reader, workers
from dnssec_doctor.zonefile.wire import rrset_from_wire
from dnssec_doctor.zonefile.workers import Context, WorkItem
from helpers.validate_support import Signer
from helpers.verify_helpers import verify_both
from helpers.work_items import hostile_items, work_items


def test_every_status_has_a_finding_code() -> None:
    assert set(RRSIG_FINDING) == set(RrsigStatus)
    assert finding_code(RrsigStatus.VALID) is None
    for status in RrsigStatus:
        if status is not RrsigStatus.VALID:
            assert finding_code(status) in F.REGISTRY
        assert finding_code(status.value) == finding_code(status)


def test_unusable_keys_are_no_matching_key() -> None:
    for status in (RrsigStatus.REVOKED_KEY, RrsigStatus.INVALID_KEY):
        assert finding_code(status) == F.RRSIG_NO_MATCHING_KEY


# --------------------------------------------------------------------------- check vs verify

ORIGIN = dns.name.from_text("example.test.")
WWW = dns.name.from_text("www.example.test.")
AT = 1_800_000_000
DAY = 86400
TTL = 3600


@dataclass(frozen=True)
class Keys:
    ksk: Signer
    zsk: Signer
    revoked: Signer
    broken: DNSKEY  # a P-256 key whose point is not on the curve: it does not load

    @property
    def dnskeys(self) -> dns.rrset.RRset:
        rdatas = [self.ksk.dnskey, self.zsk.dnskey, self.revoked.dnskey, self.broken]
        return dns.rrset.from_rdata_list(ORIGIN, TTL, rdatas)


@pytest.fixture(scope="module")
def keys() -> Keys:
    alg = Algorithm.ECDSAP256SHA256
    ksk = Signer.make("example.test.", alg, flags=257, index=0)
    zsk = Signer.make("example.test.", alg, flags=256, index=1)
    revoked = Signer.make("example.test.", alg, flags=256 | int(Flag.REVOKE), index=2)
    broken = zsk.dnskey.replace(key=b"\x00" * 64)
    assert isinstance(broken, DNSKEY)
    return Keys(ksk, zsk, revoked, broken)


def _www() -> dns.rrset.RRset:
    return dns.rrset.from_text(WWW, TTL, "IN", "A", "192.0.2.1")


def _good(keys: Keys, by: Signer | None = None) -> RRSIG:
    return (by or keys.zsk).sign(_www(), AT - DAY, AT + 30 * DAY)


def _edit(sig: RRSIG, **fields: object) -> RRSIG:
    """*sig* with *fields* changed (dnspython's replace, typed back to RRSIG)."""
    edited = sig.replace(**fields)
    assert isinstance(edited, RRSIG)
    return edited


def _flip(sig: RRSIG) -> RRSIG:
    s = bytearray(sig.signature)
    s[len(s) // 2] ^= 1
    return _edit(sig, signature=bytes(s))


# (case, the RRSIG over www A, its verdict, the finding code both must give)
Make = Callable[[Keys], RRSIG]
CASES: list[tuple[str, Make, RrsigStatus, str | None]] = [
    ("valid", _good, RrsigStatus.VALID, None),
    (
        "revoked-key",
        lambda k: _good(k, k.revoked),
        RrsigStatus.REVOKED_KEY,
        F.RRSIG_NO_MATCHING_KEY,
    ),
    (
        "key-does-not-load",
        lambda k: _edit(_good(k), key_tag=k.broken.key_id()),
        RrsigStatus.INVALID_KEY,
        F.RRSIG_NO_MATCHING_KEY,
    ),
    (
        "expired",
        lambda k: k.zsk.sign(_www(), AT - 30 * DAY, AT - DAY),
        RrsigStatus.EXPIRED,
        F.RRSIG_EXPIRED,
    ),
    (
        "not-yet-valid",
        lambda k: k.zsk.sign(_www(), AT + DAY, AT + 30 * DAY),
        RrsigStatus.NOT_YET_VALID,
        F.RRSIG_NOT_YET_VALID,
    ),
    (
        "labels-too-many",
        lambda k: _edit(_good(k), labels=4),
        RrsigStatus.BAD_LABELS,
        F.RRSIG_INVALID_FIELDS,
    ),
    (
        "original-ttl-changed",
        lambda k: _edit(_good(k), original_ttl=TTL + 1),
        RrsigStatus.BAD_SIGNATURE,
        F.RRSIG_BAD_SIGNATURE,
    ),
    ("bad-signature", lambda k: _flip(_good(k)), RrsigStatus.BAD_SIGNATURE, F.RRSIG_BAD_SIGNATURE),
    (
        "no-such-key",
        lambda k: _edit(_good(k), key_tag=(k.zsk.dnskey.key_id() + 1) % 65536),
        RrsigStatus.NO_MATCHING_KEY,
        F.RRSIG_NO_MATCHING_KEY,
    ),
]


def _check_code(keys: Keys, sig: RRSIG) -> tuple[RrsigStatus, str | None]:
    """What ``check``'s analysis makes of www A with this RRSIG."""
    status = rrset_status(_www(), [sig], keys.dnskeys, AT, zone=ORIGIN)
    (judgment,) = status.judgments
    if status.secure:
        return judgment.status, None
    view = rrset_failure("192.0.2.53", "www.example.test. A", status.security, status.judgments)
    (code,) = view.codes
    return judgment.status, code


def _zone_text(keys: Keys, sig: RRSIG) -> str:
    """A small signed zone (NSEC) whose www A carries ``sig``."""
    soa = dns.rrset.from_text(
        ORIGIN, TTL, "IN", "SOA", "ns.other.test. host.example.test. 1 7200 3600 1209600 3600"
    )
    ns = dns.rrset.from_text(ORIGIN, TTL, "IN", "NS", "ns.other.test.")
    apex_nsec = dns.rrset.from_text(
        ORIGIN, TTL, "IN", "NSEC", "www.example.test. NS SOA RRSIG NSEC DNSKEY"
    )
    www_nsec = dns.rrset.from_text(WWW, TTL, "IN", "NSEC", "example.test. A RRSIG NSEC")
    lines: list[str] = []
    for r in (soa, ns, apex_nsec, keys.dnskeys, _www(), www_nsec):  # owner by owner
        lines.append(r.to_text())
        if r.rdtype == dns.rdatatype.DNSKEY:
            made = keys.ksk.sign(r, AT - DAY, AT + 30 * DAY)
        elif r.rdtype == dns.rdatatype.A:
            made = sig
        else:
            made = keys.zsk.sign(r, AT - DAY, AT + 30 * DAY)
        lines.append(dns.rrset.from_rdata(r.name, TTL, made).to_text())
    return "\n".join(lines) + "\n"


def _verify_codes(path: Path) -> set[str]:
    """The RRSIG verdict codes ``verify`` gives www A's RRSIG, with the C judge, the
    Python fast path and dnspython's reader (verify_both insists they agree)."""
    report = verify_both(path, AT)
    verdicts = {c for c in RRSIG_FINDING.values() if c is not None}
    return {
        f.code
        for f in report.findings
        if f.code in verdicts
        and any(r.startswith("www.example.test. ") and " RRSIG A " in r for r in f.records)
    }


@pytest.mark.parametrize(("case", "make", "status", "code"), CASES, ids=[c[0] for c in CASES])
def test_check_and_verify_give_one_code(
    keys: Keys, tmp_path: Path, case: str, make: Make, status: RrsigStatus, code: str | None
) -> None:
    sig = make(keys)
    assert _check_code(keys, sig) == (status, code)
    path = tmp_path / f"{case}.zone"
    path.write_text(_zone_text(keys, sig))
    assert _verify_codes(path) == ({code} if code else set())


# --------------------------------------------------------------------------- the fast paths' facts


def test_the_c_facts_are_the_rule_s() -> None:
    czone = reader._CZONE
    if czone is None:
        pytest.skip("the C extension is not built")
    for name in ("TYPE", "LABELS", "RECORDS", "NEVER_VALID", "SIGNATURE", "UNDECIDED"):
        assert getattr(czone, f"FACT_{name}") == RrsigFact[name]


def test_the_rule_is_in_bit_order() -> None:
    bits = [int(fact) for fact, _ in RULE]
    assert bits == sorted(bits) and len(set(bits)) == len(bits)
    assert {fact for fact, _ in RULE} == set(RrsigFact) - {RrsigFact.UNDECIDED}
    assert rrsig_verdict(0) is RrsigStatus.VALID
    assert rrsig_verdict(RrsigFact.UNDECIDED) is None
    assert rrsig_verdict(RrsigFact.SIGNATURE | RrsigFact.LATE) is RrsigStatus.BAD_SIGNATURE


Fast = tuple[int, int, int, int, tuple[str, ...]] | int


def _c_fast(czone: ModuleType, context: Context, keys: workers.FastKeys, item: WorkItem) -> Fast:
    """The C judge on one RRSIG: its facts, or the VALID tuple (warning flags as text)."""
    c_keys = [(a, t, check, a in keys.deprecated) for (a, t), check in keys.verifiers.items()]
    limit = keys.key_count > limits.MAX_RECORDS_PER_RRSET
    others, *_ = czone.judge(
        [item],
        keys.origin,
        context.at,
        context.horizon,
        c_keys,
        limit,
        limits.MAX_RECORDS_PER_RRSET,
    )
    ((_, _, got),) = others
    if isinstance(got, int):
        return got
    alg, tag, inception, expiration, flags = got
    return alg, tag, inception, expiration, workers._warnings(flags)


def _py_fast(context: Context, keys: workers.FastKeys, item: WorkItem) -> Fast:
    count, wild = fastsig.label_count(item.owner)
    try:
        return workers.fast_facts(context, keys, item, count - wild, item.rrsigs[0])
    except (ValueError, IndexError, struct.error):
        return int(RrsigFact.UNDECIDED)


@pytest.mark.parametrize("offset_days", [0, -400, 400])
def test_fast_facts_give_judge_rrsig_s_verdict(
    keys: Keys, tmp_path: Path, offset_days: int
) -> None:
    """Every RRSIG of the cases' zones and hostile variants of each: the C judge and
    the Python fast path find the same facts, and where they decide, the rule gives
    judge_rrsig's verdict."""
    decided: set[RrsigStatus] = set()
    for case, make, _, _ in CASES:
        path = tmp_path / f"{case}.zone"
        path.write_text(_zone_text(keys, make(keys)))
        origin, dnskeys, items, _ = work_items(path)
        at = AT + offset_days * DAY
        context = Context(origin, dnskeys.ttl, tuple(dnskeys.rdatas), at, at + 7 * DAY)
        name = dns.name.from_wire(origin, 0)[0]
        keyset = rrset_from_wire(name, dns.rdatatype.DNSKEY, dnskeys.ttl, dnskeys.rdatas)
        prepared = workers.fast_keys(origin, keyset)
        for item in hostile_items(items, origin):
            rrset = rrset_from_wire(workers._name(item.owner), item.rdtype, item.ttl, item.rdatas)
            for wire in item.rrsigs:
                one = item._replace(rrsigs=(wire,))
                py = _py_fast(context, prepared, one)
                if reader._CZONE is not None:
                    assert _c_fast(reader._CZONE, context, prepared, one) == py
                sig = dns.rdata.from_wire(
                    dns.rdataclass.IN, dns.rdatatype.RRSIG, wire, 0, len(wire)
                )
                assert isinstance(sig, RRSIG)
                slow = judge_rrsig(rrset, sig, keyset, at, zone=name, rrsig_ttl=item.rrsig_ttl)
                verdict = RrsigStatus.VALID if isinstance(py, tuple) else rrsig_verdict(py)
                assert verdict in (None, slow.status), (case, item.rdtype, py, slow.detail)
                if verdict is not None:
                    decided.add(verdict)
    assert {RrsigStatus.TYPE_MISMATCH, RrsigStatus.BAD_LABELS} <= decided
    if not offset_days:
        assert {RrsigStatus.VALID, RrsigStatus.BAD_SIGNATURE, RrsigStatus.EXPIRED} <= decided
