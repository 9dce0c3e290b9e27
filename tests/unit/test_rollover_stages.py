"""analyze/rollover.py on snapshots made by hand: the readings a snapshot cannot settle
(two ZSKs, two KSKs without CDS), algorithms of the same age, DS on both algorithms, and
the RFC 9276 and validity rules check shares with verify (validate/)."""

from __future__ import annotations

import dns.name
from dns.rdtypes.ANY.DNSKEY import DNSKEY

from dnssec_doctor.analyze.rollover import Key, Snapshot, recognise_zone
from dnssec_doctor.lab.keys import generate_key
from dnssec_doctor.model.rollover import RolloverKind, Stage
from dnssec_doctor.validate.algorithms import algorithm_generation
from dnssec_doctor.validate.nsec3 import Nsec3ParamIssue, parameter_issues
from dnssec_doctor.validate.records import key_tag

ZONE = dns.name.from_text("example.test.")
AT = 1_800_000_000


def _keys(*specs: tuple[int, bool]) -> dict[Key, DNSKEY]:
    out = {}
    for algorithm, ksk in specs:
        key = generate_key(algorithm, ksk=ksk).dnskey
        out[(algorithm, key_tag(key))] = key
    return out


def _snap(
    keys: dict[Key, DNSKEY],
    dnskey_signers: set[Key],
    data: set[Key],
    ds: set[Key],
    cds: frozenset[Key] = frozenset(),
) -> Snapshot:
    return Snapshot(
        zone=ZONE,
        keys=keys,
        at_server={"192.0.2.1": set(keys), "192.0.2.2": set(keys)},
        dnskey_signers=dnskey_signers,
        data={f"www.{ZONE} A": set(data), f"{ZONE} SOA": set(data)},
        ds=ds,
        cds=set(cds),
        dnskey_ttl=3600,
        ds_ttl=86400,
        data_ttl=7200,
    )


def test_two_zsks_one_signing_say_both_readings() -> None:
    keys = _keys((13, True), (13, False), (13, False))
    ksk, zsk, idle = list(keys)
    (rollover,) = recognise_zone(_snap(keys, {ksk}, {zsk}, {ksk}), AT)
    assert (rollover.kind, rollover.stage) == (RolloverKind.ZSK, Stage.ZSK_PUBLISHED_NOT_SIGNING)
    assert "if" in rollover.next_step and "if it is the old one" in rollover.next_step
    assert rollover.not_before == AT + 7200  # the larger of DNSKEY TTL and data TTL
    assert rollover.new_keys == (f"{idle[1]}/ECDSAP256SHA256",)  # the idle one, if new


def test_two_ksks_without_cds_say_both_readings() -> None:
    keys = _keys((13, True), (13, True), (13, False))
    old, new, zsk = list(keys)
    (rollover,) = recognise_zone(_snap(keys, {old, new}, {zsk}, {old}), AT)
    assert rollover.stage is Stage.KEY_TWO_SIGNING and rollover.new_keys == ()
    assert rollover.not_before == AT + 86400  # the DS TTL, the longer wait
    with_cds = recognise_zone(_snap(keys, {old, new}, {zsk}, {old}, frozenset({new})), AT)
    assert with_cds[0].stage is Stage.KEY_NEW_PUBLISHED
    assert with_cds[0].not_before == AT + 3600  # one DNSKEY TTL before the DS


def test_a_ds_of_each_algorithm_is_the_double_ds_stage() -> None:
    keys = _keys((8, True), (8, False), (13, True), (13, False))
    k8, z8, k13, z13 = list(keys)
    (rollover,) = recognise_zone(_snap(keys, {k8, k13}, {z8, z13}, {k8, k13}), AT)
    assert (rollover.kind, rollover.stage) == (RolloverKind.ALGORITHM, Stage.ALGORITHM_DOUBLE_DS)
    assert "remove the RSASHA256 DS" in rollover.next_step
    assert rollover.not_before == AT + 86400


def test_algorithms_of_the_same_age_take_the_ds_as_the_old_one() -> None:
    assert algorithm_generation(5) == algorithm_generation(7)  # RSASHA1, both MUST NOT
    keys = _keys((5, True), (5, False), (7, True), (7, False))
    k5, z5, k7, z7 = list(keys)
    for ds, old in (({k7}, "RSASHA1NSEC3SHA1"), ({k5}, "RSASHA1")):
        (rollover,) = recognise_zone(_snap(keys, {k5, k7}, {z5, z7}, ds), AT)
        assert rollover.stage is Stage.ALGORITHM_NEW_KEYS
        assert {k.split("/")[1] for k in rollover.old_keys} == {old}


def test_the_ages_of_algorithms() -> None:
    older_first = [5, 8, 13, 15]
    assert sorted(older_first, key=algorithm_generation) == older_first
    assert algorithm_generation(10) < algorithm_generation(8)  # RSASHA512: not recommended


def test_a_signature_by_an_unpublished_key_beside_a_published_one_is_harmless() -> None:
    keys = _keys((13, True), (13, False))
    ksk, zsk = list(keys)
    gone = (13, 1)
    found = recognise_zone(_snap(keys, {ksk}, {zsk, gone}, {ksk}), AT)
    assert [r.stage for r in found] == [Stage.ZSK_OLD_SIGNATURES_REMAIN]
    alone = recognise_zone(_snap(keys, {ksk}, {gone}, {ksk}), AT)
    assert [r.stage for r in alone] == [Stage.PREMATURE_UNPUBLISHED_SIGNER]
    assert not alone[0].legitimate and alone[0].step_too_early


def test_rfc_9276_parameter_issues() -> None:
    assert parameter_issues(0, b"", False) == []
    assert parameter_issues(1, b"", False) == [Nsec3ParamIssue.EXTRA_ITERATIONS]
    assert parameter_issues(150, b"", False) == [Nsec3ParamIssue.EXTRA_ITERATIONS]
    assert parameter_issues(151, b"\x01", True) == [
        Nsec3ParamIssue.ITERATIONS_TOO_HIGH,
        Nsec3ParamIssue.SALT,
        Nsec3ParamIssue.OPT_OUT,
    ]
