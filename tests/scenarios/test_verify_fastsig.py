"""validate.fastsig agrees with dnspython's validate_rrsig; verify's fast path with judge_rrsig.

Over the RFC example signatures (every algorithm we validate) and every RRSIG of
zones signed by dnssec-signzone / ldns-signzone, plus the same signatures with one
byte flipped (in the signature, and in the signed fields), the wire-level check and
dnspython give the same answer.  Then the worker's fast path must produce exactly
the results ``judge_rrsig`` alone produces, at times inside and outside the validity
period.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone
import pytest
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.RRSIG import RRSIG
from dns.rdtypes.dnskeybase import Flag

from dnssec_doctor.validate import fastsig
from dnssec_doctor.validate.records import rrsigs_for
from dnssec_doctor.validate.rrsig import RrsigStatus, judge_rrsig
from dnssec_doctor.zonefile import reader, workers
from dnssec_doctor.zonefile.wire import rrset_from_wire
from dnssec_doctor.zonefile.workers import Context, WorkItem
from helpers.signing import bind_sign, have, ldns_sign
from helpers.validate_support import _sections, edited, to_wire, vector
from helpers.work_items import hostile_items, work_items

VECTOR_FILES = ["rfc4035-appendix-b.zone", "rfc5155-appendix.zone", "rfc5702.zone"]
VECTOR_FILES += ["rfc6605.zone", "rfc8080.zone"]

Case = tuple[dns.rrset.RRset, RRSIG, DNSKEY]


def _cases(rrsets: list[dns.rrset.RRset], keys: list[DNSKEY]) -> Iterator[Case]:
    for r in rrsets:
        if r.rdtype == dns.rdatatype.RRSIG:
            continue
        for sig in rrsigs_for(rrsets, r) or ():
            if not isinstance(sig, RRSIG) or sig.type_covered != r.rdtype:
                continue
            for key in keys:
                if (
                    key.algorithm == sig.algorithm
                    and key.key_id() == sig.key_tag
                    and key.flags & Flag.ZONE
                    and key.protocol == 3
                ):
                    yield r, sig, key


def _variants(sig: RRSIG) -> Iterator[RRSIG]:
    yield sig
    s = bytearray(sig.signature)
    for at in (0, len(s) // 2, len(s) - 1):
        flipped = bytearray(s)
        flipped[at] ^= 0x01
        yield edited(sig, signature=bytes(flipped))
    yield edited(sig, original_ttl=sig.original_ttl ^ 1)
    yield edited(sig, signature=bytes(s[:-1]))


def _dnspython(rrset: dns.rrset.RRset, sig: RRSIG, key: DNSKEY) -> bool:
    keyset = dns.rdataset.from_rdata_list(0, [key])
    try:
        dns.dnssec.validate_rrsig(
            rrset, sig, {sig.signer: keyset}, now=sig.inception, policy=dns.dnssec.allow_all_policy
        )
    except Exception:
        return False
    return True


def _fast(rrset: dns.rrset.RRset, sig: RRSIG, key: DNSKEY) -> bool | None:
    owner = rrset.name.to_wire()
    assert owner is not None
    rdatas = [rd.to_digestable() for rd in rrset]
    return fastsig.verify(to_wire(sig), owner, int(rrset.rdtype), rdatas, key.to_digestable())


def _agree(cases: list[Case]) -> tuple[int, int]:
    good = bad = 0
    for rrset, sig, key in cases:
        for variant in _variants(sig):
            want = _dnspython(rrset, variant, key)
            assert _fast(rrset, variant, key) is want, (rrset.name, rrset.rdtype, variant)
            good += want
            bad += not want
    return good, bad


@pytest.mark.parametrize("filename", VECTOR_FILES)
def test_fast_path_agrees_with_dnspython_on_rfc_vectors(filename: str) -> None:
    rrsets = [r for section in _sections(filename) for r in vector(filename, section)]
    keys = [k for r in rrsets if r.rdtype == dns.rdatatype.DNSKEY for k in r]
    cases = list(_cases(rrsets, keys))
    good, bad = _agree(cases)
    assert good >= len(cases)  # every original verifies
    assert bad >= 5 * len(cases)  # every tampered one fails


def _zone_cases(path: Path) -> list[Case]:
    zone = dns.zone.from_file(str(path), relativize=False, origin="example.test.")
    assert zone.origin is not None
    keys = zone.get_rdataset(zone.origin, dns.rdatatype.DNSKEY)
    assert keys is not None
    rrsets = [
        dns.rrset.from_rdata_list(name, rds.ttl, list(rds))
        for name, rds in zone.iterate_rdatasets()
    ]
    return list(_cases(rrsets, list(keys)))


SIGNED = {
    "bind-nsec": ("dnssec-signzone", ()),
    "bind-nsec3": ("dnssec-signzone", ("-3", "-")),
    "ldns-nsec": ("ldns-signzone", ()),
}


@pytest.fixture(scope="module")
def signed_zones(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for name, (tool, options) in SIGNED.items():
        if not have(tool):
            continue
        sign = bind_sign if tool == "dnssec-signzone" else ldns_sign
        out[name] = sign(tmp_path_factory.mktemp(name), name, *options).path
    if not out:
        pytest.skip("no zone signer installed")
    return out


def test_fast_path_agrees_with_dnspython_on_signed_zones(signed_zones: dict[str, Path]) -> None:
    for path in signed_zones.values():
        cases = _zone_cases(path)
        assert len(cases) > 20
        good, bad = _agree(cases)
        assert good == len(cases)
        assert bad == 5 * len(cases)


def test_unknown_algorithm_and_unloadable_key() -> None:
    rrsets = vector("rfc6605.zone", "6.1")
    ((rrset, sig, key),) = [
        c
        for c in _cases(rrsets, [k for r in rrsets for k in r if isinstance(k, DNSKEY)])
        if c[0].rdtype == dns.rdatatype.A
    ]
    owner = rrset.name.to_wire()
    assert owner is not None
    rdatas = [rd.to_digestable() for rd in rrset]
    other = edited(key, algorithm=3).to_digestable()
    assert fastsig.verify(to_wire(sig), owner, 1, rdatas, other) is None
    short = edited(key, key=key.key[:10]).to_digestable()
    assert fastsig.verifier(short) is None
    assert fastsig.verify(to_wire(sig), owner, 1, rdatas, short) is False


@pytest.mark.parametrize("offset_days", [0, -400, 400])
def test_worker_fast_path_gives_judge_rrsig_results(
    signed_zones: dict[str, Path], monkeypatch: pytest.MonkeyPatch, offset_days: int
) -> None:
    """Per signature: ``_fast`` recognises exactly the VALID ones, with judge_rrsig's
    fields; per batch: the tally is the same with and without the fast path."""
    for path in signed_zones.values():
        origin, keys, items, at = work_items(path)
        at += offset_days * 86400
        context = Context(origin, keys.ttl, tuple(keys.rdatas), at, at + 7 * 86400)
        name = dns.name.from_wire(origin, 0)[0]
        keyset = rrset_from_wire(name, dns.rdatatype.DNSKEY, keys.ttl, keys.rdatas)
        prepared = workers.fast_keys(origin, keyset)
        checked = 0
        for item in items:
            rrset = rrset_from_wire(workers._name(item.owner), item.rdtype, item.ttl, item.rdatas)
            count, wild = fastsig.label_count(item.owner)
            for wire in item.rrsigs:
                fast = workers._fast(context, prepared, item, count - wild, wire)
                sig = dns.rdata.from_wire(
                    dns.rdataclass.IN, dns.rdatatype.RRSIG, wire, 0, len(wire)
                )
                assert isinstance(sig, RRSIG)
                slow = judge_rrsig(rrset, sig, keyset, at, zone=name, rrsig_ttl=item.rrsig_ttl)
                checked += 1
                if offset_days:
                    assert fast is None  # outside the validity period: judge_rrsig decides
                    assert slow.status is not RrsigStatus.VALID
                    continue
                assert fast is not None and slow.status is RrsigStatus.VALID
                assert fast == (
                    slow.algorithm,
                    slow.key_tag,
                    slow.inception,
                    slow.expiration,
                    tuple(sorted(w.value for w in slow.warnings)),
                )
        assert checked > 20
        quick = workers.judge_items(context, items)
        reference = _reference_tally(context, items, monkeypatch)
        assert quick.signatures == checked
        _assert_same_verdicts(quick, reference)


def _assert_same_verdicts(tally: workers.Tally, reference: workers.Tally) -> None:
    """The same counts, expiry figures, earliest signature and kept results as the
    reference tally (whose results carry the RRSIG's text where the fast path's carry
    its wire)."""
    assert tally.signatures == reference.signatures
    assert (tally.counts, tally.days, tally.soon, tally.latest) == (
        reference.counts,
        reference.days,
        reference.soon,
        reference.latest,
    )
    assert tally.earliest is not None and reference.earliest is not None
    assert tally.earliest.rrsig_text == reference.earliest.rrsig_text
    assert [
        (r.owner, r.rdtype, r.index, r.status, r.detail, r.warnings) for r in tally.problems
    ] == [(r.owner, r.rdtype, r.index, r.status, r.detail, r.warnings) for r in reference.problems]


def _reference_tally(
    context: Context, items: list[WorkItem], monkeypatch: pytest.MonkeyPatch
) -> workers.Tally:
    """judge_items with no fast path at all: every RRSIG through judge_rrsig."""
    with monkeypatch.context() as patch:
        patch.setattr(reader, "_CZONE", None)
        patch.setattr(workers, "_fast", lambda *args: None)
        return workers.judge_items(context, items)


def _python_tally(
    context: Context, items: list[WorkItem], monkeypatch: pytest.MonkeyPatch
) -> workers.Tally:
    """judge_items with the Python fast path (no C extension)."""
    with monkeypatch.context() as patch:
        patch.setattr(reader, "_CZONE", None)
        return workers.judge_items(context, items)


@pytest.mark.skipif(reader._CZONE is None, reason="the C extension is not built")
@pytest.mark.parametrize("when", ["inside", "near-expiry", "before", "after"])
def test_c_judge_gives_the_python_results(
    signed_zones: dict[str, Path], monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """The C judge (``_czone.judge``) against the Python fast path and against
    judge_rrsig alone, RRSIG by RRSIG, on every signature of the signed zones and
    on hostile variants of each, at times inside the validity period, a minute
    before the first expiration (TTLs then outlast it), and outside."""
    for path in signed_zones.values():
        origin, keys, items, at = work_items(path)
        if when == "near-expiry":
            at = min(int.from_bytes(s[8:12], "big") for i in items for s in i.rrsigs) - 60
        else:
            at += {"inside": 0, "before": -400, "after": 400}[when] * 86400
        context = Context(origin, keys.ttl, tuple(keys.rdatas), at, at + 7 * 86400)
        # the zone alone (its earliest signature is a valid one, counted in C), then
        # with the hostile variants
        assert workers.judge_items(context, items) == _python_tally(context, items, monkeypatch)
        hostile = list(hostile_items(items, origin))
        c = workers.judge_items(context, hostile)
        python = _python_tally(context, hostile, monkeypatch)
        reference = _reference_tally(context, hostile, monkeypatch)
        assert c == python  # every field, every kept result
        assert c.signatures > 10 * len(items)
        _assert_same_verdicts(c, reference)
        if when == "near-expiry":
            assert c.counts[workers.TTL_WARNING] > len(items)
        if when == "inside":
            assert c.counts  # the variants were noticed
            assert c.days and max(c.days.values()) >= len(items)  # the originals are valid


def test_times_beyond_64_bits_are_judged_by_python(
    signed_zones: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A time the C judge cannot hold (Python API callers; --at stops at year 9999)
    is no error: every signature is judged, none valid."""
    path = next(iter(signed_zones.values()))
    origin, keys, items, _ = work_items(path)
    at = 1 << 70
    context = Context(origin, keys.ttl, tuple(keys.rdatas), at, at + 7 * 86400)
    tally = workers.judge_items(context, items)
    assert tally == _reference_tally(context, items, monkeypatch)
    assert tally.signatures == sum(len(i.rrsigs) for i in items)
    assert RrsigStatus.VALID.value not in tally.counts and tally.counts
