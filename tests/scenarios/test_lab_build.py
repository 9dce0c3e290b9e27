"""The lab builder: every scenario's zone carries exactly the fault it declares."""

from __future__ import annotations

import base64
import itertools
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import dns.dnssec
import dns.exception
import dns.name
import dns.rdatatype
import dns.rrset
import dns.zone
import pytest
from dns.dnssectypes import DSDigest

from dnssec_doctor.lab.build import build_lab
from dnssec_doctor.lab.manifest import LabManifest, Outcome
from dnssec_doctor.lab.scenarios import SCENARIOS, scenario_by_id
from dnssec_doctor.model.causes import Cause

T = dns.rdatatype.RdataType
NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
NOW_S = int(NOW.timestamp())
DAY = 86400


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> LabManifest:
    return build_lab(tmp_path_factory.mktemp("lab"), now=NOW)


def load(lab: LabManifest, origin: str, file: str | None = None) -> dns.zone.Zone:
    path = lab.path(file or lab.zones[origin])
    return dns.zone.from_file(str(path), origin=origin, relativize=False)


def rrset(zone: dns.zone.Zone, name: str, rdtype: T, covers: T = T.NONE) -> dns.rrset.RRset:
    return zone.find_rrset(dns.name.from_text(name), rdtype, covers)


def parent_of(origin: str) -> str:
    return origin.split(".", 1)[1] or "."


def ds_at_parent(lab: LabManifest, origin: str) -> dns.rrset.RRset:
    return rrset(load(lab, parent_of(origin)), origin, T.DS)


def validates(zone: dns.zone.Zone, name: str, rdtype: T, at: int = NOW_S) -> bool:
    origin = zone.origin
    assert origin is not None
    keys = rrset(zone, origin.to_text(), T.DNSKEY)
    try:
        sigs = rrset(zone, name, T.RRSIG, rdtype)
        dns.dnssec.validate(rrset(zone, name, rdtype), sigs, {origin: keys}, now=at)
    except (dns.exception.ValidationFailure, KeyError):
        return False
    return True


def ds_matches(zone: dns.zone.Zone, ds_rrset: dns.rrset.RRset) -> bool:
    assert zone.origin is not None
    keys = rrset(zone, zone.origin.to_text(), T.DNSKEY)
    made = {dns.dnssec.make_ds(zone.origin, key, DSDigest.SHA256).to_text() for key in keys}
    return any(ds.to_text() in made for ds in ds_rrset)


def sig_times(zone: dns.zone.Zone) -> list[tuple[int, int, int]]:
    """(covered type, inception, expiration) of every RRSIG in the zone."""
    out: list[tuple[int, int, int]] = []
    for _, rdataset in zone.iterate_rdatasets(T.RRSIG):
        out.extend((sig.type_covered, sig.inception, sig.expiration) for sig in rdataset)
    return out


def test_every_scenario_is_built_with_its_expectation(lab: LabManifest) -> None:
    assert [s.id for s in lab.scenarios] == [s.id for s in SCENARIOS]
    for record in lab.scenarios:
        assert record.qname.endswith(record.zone)
        assert record.cause in Cause.__members__
        if record.outcome == Outcome.BOGUS:
            assert record.break_at is not None
        if record.cause in (Cause.OK, Cause.INSECURE_DELEGATION):
            assert record.break_at is None


def test_manifest_round_trips(lab: LabManifest) -> None:
    again = LabManifest.load(Path(lab.directory))
    assert again == lab


def test_addresses_are_unique_and_in_the_lab_range(lab: LabManifest) -> None:
    addresses = lab.addresses()
    assert len(addresses) == len(set(addresses))
    assert all(a.startswith("127.53.") and not a.startswith("127.53.255.") for a in addresses)


def test_trust_files_name_the_root_ksk(lab: LabManifest) -> None:
    root = load(lab, ".")
    assert ds_matches(
        root,
        dns.rrset.from_text_list(
            ".", 3600, "IN", "DS", [" ".join(lab.trust_anchor_ds[0].split()[4:])]
        ),
    )
    assert "static-ds" in lab.path("trust-anchors.conf").read_text()
    hints = lab.path("root.hints").read_text()
    assert "a.root-servers.test." in hints and "127.53.0.1" in hints


HEALTHY = [s.id for s in SCENARIOS if s.cause == Cause.OK and s.outcome == Outcome.SECURE]


@pytest.mark.parametrize("scenario_id", HEALTHY)
def test_healthy_chain_validates_from_the_root(lab: LabManifest, scenario_id: str) -> None:
    record = lab.scenario(scenario_id)
    # named's dnssec-policy signs as of the system clock, whatever the lab's now (NOW)
    at = int(time.time()) if scenario_by_id(scenario_id).signer.follows_the_clock else NOW_S
    chain = [".", parent_of(record.zone), record.zone]
    for parent, child in itertools.pairwise(chain):
        assert ds_matches(load(lab, child), ds_at_parent(lab, child)), child
        assert validates(load(lab, parent), child, T.DS), child
    for origin in chain[:-1]:
        assert validates(load(lab, origin), origin, T.DNSKEY)
    zone = load(lab, record.zone)
    assert validates(zone, record.zone, T.DNSKEY, at)
    for name, rdataset in zone.iterate_rdatasets():
        if rdataset.rdtype != T.RRSIG:
            assert validates(zone, name.to_text(), rdataset.rdtype, at), (name, rdataset.rdtype)


def test_nsec_chain_is_closed_and_sorted(lab: LabManifest) -> None:
    zone = load(lab, "healthy-ecdsap256.test.")
    owners = sorted(name for name, _ in zone.iterate_rdatasets(T.NSEC))
    nexts = {name: rds[0].next for name, rds in zone.iterate_rdatasets(T.NSEC)}
    for index, owner in enumerate(owners):
        assert nexts[owner] == owners[(index + 1) % len(owners)]
    # glue is not part of the chain, the apex bitmap lists what is there
    assert nexts
    apex = zone.find_rdataset("healthy-ecdsap256.test.", T.NSEC)[0]
    types = {t for window, bits in apex.windows for t in _types(window, bits)}
    assert {T.SOA, T.NS, T.DNSKEY, T.RRSIG, T.NSEC, T.MX, T.TXT} == types


def _types(window: int, bits: bytes) -> list[int]:
    return [
        window * 256 + i * 8 + j
        for i, byte in enumerate(bits)
        for j in range(8)
        if byte & (0x80 >> j)
    ]


def test_nsec3_chain_hashes_every_name_and_the_empty_non_terminal(lab: LabManifest) -> None:
    origin = "healthy-nxdomain-nsec3.test."
    zone = load(lab, origin)
    records = {
        name.labels[0].decode().upper(): rds[0] for name, rds in zone.iterate_rdatasets(T.NSEC3)
    }
    expected = {"", "www", "mail", "ns1", "ns2", "deep", "a.deep"}
    hashes = {
        dns.dnssec.nsec3_hash(dns.name.from_text(n, dns.name.from_text(origin)), None, 0, 1)
        for n in expected
    }
    assert set(records) == hashes
    order = sorted(records)
    for index, owner in enumerate(order):
        following = base64.b32hexencode(records[owner].next).decode()
        assert following == order[(index + 1) % len(order)]


def _check(lab: LabManifest, scenario_id: str) -> tuple[dns.zone.Zone, str]:
    record = lab.scenario(scenario_id)
    return load(lab, record.zone), record.zone


FaultCheck = Callable[[LabManifest], None]


def ds_digest_mismatch(lab: LabManifest) -> None:
    zone, origin = _check(lab, "ds-digest-mismatch")
    ds = ds_at_parent(lab, origin)[0]
    ksk = next(k for k in rrset(zone, origin, T.DNSKEY) if k.flags & 1)
    assert ds.key_tag == dns.dnssec.key_id(ksk) and ds.algorithm == ksk.algorithm
    assert not ds_matches(zone, ds_at_parent(lab, origin))
    assert (
        lab.scenario("ds-digest-mismatch")
        .correct_ds[0]
        .endswith(dns.dnssec.make_ds(origin, ksk, DSDigest.SHA256).to_text())
    )


def ds_stale(lab: LabManifest) -> None:
    zone, origin = _check(lab, "ds-stale-rekey")
    tags = {dns.dnssec.key_id(k) for k in rrset(zone, origin, T.DNSKEY)}
    assert ds_at_parent(lab, origin)[0].key_tag not in tags
    assert validates(zone, origin, T.DNSKEY)


def ds_algorithm(lab: LabManifest) -> None:
    zone, origin = _check(lab, "ds-algorithm-mismatch")
    algorithms = {k.algorithm for k in rrset(zone, origin, T.DNSKEY)}
    assert ds_at_parent(lab, origin)[0].algorithm not in algorithms


def ds_unsigned(lab: LabManifest) -> None:
    zone, origin = _check(lab, "ds-unsigned-zone")
    assert not sig_times(zone) and zone.get_rdataset(origin, T.DNSKEY) is None
    assert len(ds_at_parent(lab, origin)) == 1
    assert lab.scenario("ds-unsigned-zone").correct_ds == []


def ds_unsupported(lab: LabManifest) -> None:
    assert ds_at_parent(lab, "ds-unsupported-algorithm.test.")[0].algorithm == 253
    assert ds_at_parent(lab, "ds-unsupported-digest.test.")[0].digest_type == 200


def insecure(lab: LabManifest) -> None:
    zone, origin = _check(lab, "insecure-delegation")
    assert not sig_times(zone)
    assert load(lab, "example.").get_rdataset(origin, T.DS) is None


def dnskey_missing(lab: LabManifest) -> None:
    zone, origin = _check(lab, "dnskey-missing")
    tags = {dns.dnssec.key_id(k) for k in rrset(zone, origin, T.DNSKEY)}
    signers = {s.key_tag for s in rrset(zone, origin, T.RRSIG, T.DNSKEY)}
    ds_tag = ds_at_parent(lab, origin)[0].key_tag
    assert ds_tag in signers and ds_tag not in tags


def zsk_only(lab: LabManifest) -> None:
    zone, origin = _check(lab, "dnskey-signed-by-zsk-only")
    keys = {dns.dnssec.key_id(k): k for k in rrset(zone, origin, T.DNSKEY)}
    signers = {s.key_tag for s in rrset(zone, origin, T.RRSIG, T.DNSKEY)}
    assert all(not keys[t].flags & 1 for t in signers)
    assert ds_matches(zone, ds_at_parent(lab, origin))


def ksk_rollover_incomplete(lab: LabManifest) -> None:
    zone, origin = _check(lab, "ksk-rollover-incomplete")
    assert not ds_matches(zone, ds_at_parent(lab, origin))
    cds = rrset(zone, origin, T.CDS)
    assert ds_matches(zone, cds) and validates(zone, origin, T.CDS)


def ksk_rollover_done(lab: LabManifest) -> None:
    zone, origin = _check(lab, "ksk-rollover-done")
    assert len(ds_at_parent(lab, origin)) == 2 and len(rrset(zone, origin, T.RRSIG, T.DNSKEY)) == 2


def zsk_rollover(lab: LabManifest) -> None:
    zone, origin = _check(lab, "zsk-rollover-incomplete")
    tags = {dns.dnssec.key_id(k) for k in rrset(zone, origin, T.DNSKEY)}
    assert rrset(zone, "www." + origin, T.RRSIG, T.A)[0].key_tag not in tags
    assert validates(zone, origin, T.DNSKEY)


def windows(lab: LabManifest) -> None:
    expired, _ = _check(lab, "rrsig-expired")
    assert all(exp < NOW_S - DAY for _, _, exp in sig_times(expired))
    only_dnskey, _ = _check(lab, "dnskey-rrsig-expired")
    for covered, _, exp in sig_times(only_dnskey):
        assert (exp < NOW_S - DAY) == (covered == T.DNSKEY)
    future, _ = _check(lab, "rrsig-not-yet-valid")
    assert all(inc > NOW_S + DAY for _, inc, _ in sig_times(future))
    soon, _ = _check(lab, "rrsig-expiring-soon")
    assert all(NOW_S < exp < NOW_S + 7 * DAY for _, _, exp in sig_times(soon))


def corrupted_and_missing(lab: LabManifest) -> None:
    zone, origin = _check(lab, "rrsig-corrupted")
    assert not validates(zone, "www." + origin, T.A) and validates(zone, "www." + origin, T.AAAA)
    zone, origin = _check(lab, "rrsig-missing")
    assert zone.get_rdataset("www." + origin, T.RRSIG, T.A) is None
    assert zone.get_rdataset("www." + origin, T.A) is not None


def nsec_broken(lab: LabManifest) -> None:
    zone, origin = _check(lab, "nsec-proof-broken")
    qname = dns.name.from_text("nonexistent." + origin)
    covering = [n for n, rds in zone.iterate_rdatasets(T.NSEC) if n < qname < rds[0].next]
    assert covering == []
    assert all(validates(zone, n.to_text(), T.NSEC) for n, _ in zone.iterate_rdatasets(T.NSEC))


def nsec3_broken(lab: LabManifest) -> None:
    zone, origin = _check(lab, "nsec3-proof-broken")
    target = dns.dnssec.nsec3_hash("nonexistent." + origin, None, 0, 1)
    records = [
        (n.labels[0].decode().upper(), base64.b32hexencode(rds[0].next).decode())
        for n, rds in zone.iterate_rdatasets(T.NSEC3)
    ]
    assert not [
        o for o, nxt in records if (o < target < nxt) or (nxt < o and (target > o or target < nxt))
    ]


def stale_and_silent(lab: LabManifest) -> None:
    servers = lab.servers_of("stale-secondary.test.")
    files = {s.zones[0].file for s in servers}
    assert len(files) == 2
    stale_file = next(f for f in files if f.endswith(".stale.zone"))
    stale = load(lab, "stale-secondary.test.", stale_file)
    fresh = load(lab, "stale-secondary.test.")
    assert all(exp < NOW_S - 5 * DAY for _, _, exp in sig_times(stale))

    def serial(zone: dns.zone.Zone) -> int:
        return int(rrset(zone, "stale-secondary.test.", T.SOA)[0].serial)

    assert serial(stale) < serial(fresh)
    silent = [s.silent for s in lab.servers_of("silent-nameserver.test.")]
    assert silent == [False, True]


def elsewhere(lab: LabManifest) -> None:
    broken = load(lab, "broken.")
    assert not ds_matches(broken, rrset(load(lab, "."), "broken.", T.DS))
    assert ds_matches(
        load(lab, "under-broken-tld.broken."), ds_at_parent(lab, "under-broken-tld.broken.")
    )
    zone, origin = _check(lab, "cname-into-bogus")
    assert rrset(zone, "www." + origin, T.CNAME)[0].target.to_text() == "www.rrsig-expired.test."
    assert lab.scenario("under-broken-tld").correct_ds[0].startswith("broken. ")


FAULT_CHECKS: list[FaultCheck] = [
    ds_digest_mismatch, ds_stale, ds_algorithm, ds_unsigned, ds_unsupported, insecure,
    dnskey_missing, zsk_only, ksk_rollover_incomplete, ksk_rollover_done, zsk_rollover,
    windows, corrupted_and_missing, nsec_broken, nsec3_broken, stale_and_silent, elsewhere,
]  # fmt: skip


@pytest.mark.parametrize("check", FAULT_CHECKS, ids=lambda f: f.__name__)
def test_fault_is_in_the_zone(lab: LabManifest, check: FaultCheck) -> None:
    check(lab)
