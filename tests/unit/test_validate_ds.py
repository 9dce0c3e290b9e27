"""validate.ds: DS against DNSKEY matching, RFC 4035 5.2 / RFC 6840 5.2, DS to publish."""

from __future__ import annotations

import dns.rdatatype
import dns.rrset
import pytest
from dns.dnssectypes import Algorithm
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.DS import DS

from dnssec_doctor.validate.ds import (
    DsSetStatus,
    DsStatus,
    ds_for_publication,
    match_ds,
    match_ds_set,
)
from dnssec_doctor.validate.records import parse_records
from helpers.validate_support import Signer, edited, n, rr, rrset, vector


def _keys_and_ds(filename: str, section: str) -> tuple[list[DNSKEY], list[DS], dns.name.Name]:
    rrsets = vector(filename, section)
    keys = next(r for r in rrsets if r.rdtype == dns.rdatatype.DNSKEY)
    ds = next(r for r in rrsets if r.rdtype == dns.rdatatype.DS)
    return list(keys), list(ds), keys.name


@pytest.mark.parametrize(
    ("filename", "section", "tag"),
    [
        ("rfc4034-ds.zone", "dskey", 60485),  # SHA-1
        ("rfc6605.zone", "6.1", 55648),  # SHA-256
        ("rfc6605.zone", "6.2", 10771),  # SHA-384
        ("rfc8080.zone", "6.1 ED25519 example 1", 3613),
        ("rfc8080.zone", "6.1 ED25519 example 2", 35217),
        ("rfc8080.zone", "6.2 ED448", 9713),
    ],
)
def test_rfc_ds_vectors_match(filename: str, section: str, tag: int) -> None:
    keys, ds_list, owner = _keys_and_ds(filename, section)
    (ds,) = ds_list
    j = match_ds(ds, owner, keys)
    assert j.status is DsStatus.MATCH and j.key is not None and j.key.key_id() == tag
    result = match_ds_set(ds_list, owner, keys)
    assert result.status is DsSetStatus.MATCHED and result.matched_keys == (j.key,)


@pytest.fixture(scope="module")
def ksk() -> Signer:
    return Signer.make("example.com.", Algorithm.ECDSAP256SHA256)


def _ds(text: str) -> DS:
    (r,) = parse_records(f"example.com. 3600 IN DS {text}")
    ds = r[0]
    assert isinstance(ds, DS)
    return ds


def test_digest_mismatch(ksk: Signer) -> None:
    tag = ksk.dnskey.key_id()
    j = match_ds(_ds(f"{tag} 13 2 {'AB' * 32}"), ksk.zone, [ksk.dnskey])
    assert j.status is DsStatus.DIGEST_MISMATCH and j.key == ksk.dnskey
    # A DS computed for another owner name does not match either.
    other_owner = ds_for_publication("example.net.", ksk.dnskey).ds
    assert match_ds(other_owner, ksk.zone, [ksk.dnskey]).status is DsStatus.DIGEST_MISMATCH


def test_no_key_with_tag(ksk: Signer) -> None:
    tag = (ksk.dnskey.key_id() + 1) % 65536
    j = match_ds(_ds(f"{tag} 13 2 {'AB' * 32}"), ksk.zone, [ksk.dnskey])
    assert j.status is DsStatus.NO_KEY_WITH_TAG


def test_algorithm_mismatch(ksk: Signer) -> None:
    good = ds_for_publication(ksk.zone, ksk.dnskey).ds
    wrong = edited(good, algorithm=8)
    j = match_ds(wrong, ksk.zone, [ksk.dnskey])
    assert j.status is DsStatus.ALGORITHM_MISMATCH and j.key == ksk.dnskey


def test_unsupported_digest_and_algorithm(ksk: Signer) -> None:
    good = ds_for_publication(ksk.zone, ksk.dnskey).ds
    for digest_type in (3, 99):  # dnspython itself refuses type 0 (reserved)
        j = match_ds(edited(good, digest_type=digest_type), ksk.zone, [ksk.dnskey])
        assert j.status is DsStatus.UNSUPPORTED_DIGEST_TYPE, digest_type
    for algorithm in (1, 3, 6, 12, 250):
        j = match_ds(edited(good, algorithm=algorithm), ksk.zone, [ksk.dnskey])
        assert j.status is DsStatus.UNSUPPORTED_ALGORITHM, algorithm


def test_key_flags(ksk: Signer) -> None:
    revoked = edited(ksk.dnskey, flags=ksk.dnskey.flags | 0x80)
    ds = edited(ds_for_publication(ksk.zone, ksk.dnskey).ds, key_tag=revoked.key_id())
    # The digest covers the flags, so compute the revoked key's digest directly.
    import dns.dnssec

    rds = dns.dnssec.make_ds(ksk.zone, revoked, "SHA256")
    assert match_ds(rds, ksk.zone, [revoked]).status is DsStatus.KEY_REVOKED
    non_zone = edited(ksk.dnskey, flags=1)
    nds = dns.dnssec.make_ds(ksk.zone, non_zone, "SHA256")
    assert match_ds(nds, ksk.zone, [non_zone]).status is DsStatus.KEY_NOT_ZONE_KEY
    assert ds.key_tag == revoked.key_id()


def test_insecure_when_no_supported_ds(ksk: Signer) -> None:
    # RFC 4035 5.2 / RFC 6840 5.2: only unsupported DS => insecure, not bogus.
    good = ds_for_publication(ksk.zone, ksk.dnskey).ds
    only_gost = [edited(good, digest_type=3)]
    assert match_ds_set(only_gost, ksk.zone, [ksk.dnskey]).status is DsSetStatus.INSECURE
    only_md5 = [edited(good, algorithm=1)]
    assert match_ds_set(only_md5, ksk.zone, [ksk.dnskey]).status is DsSetStatus.INSECURE
    # One supported DS that does not match makes it bogus.
    stale = edited(good, digest=bytes(32))
    mixed = [*only_gost, stale]
    assert match_ds_set(mixed, ksk.zone, [ksk.dnskey]).status is DsSetStatus.NO_MATCH
    assert match_ds_set([], ksk.zone, [ksk.dnskey]).status is DsSetStatus.NO_DS


def test_sha1_ignored_when_sha256_present() -> None:
    # RFC 4509 3: a matching SHA-1 DS does not help when a SHA-256 DS is present.
    rrsets = vector("rfc4034-ds.zone", "dskey")
    keys = list(rr(rrsets, "dskey.example.com.", "DNSKEY"))
    (sha1,) = rr(rrsets, "dskey.example.com.", "DS")
    stale256 = edited(sha1, digest_type=2, digest=bytes(32))
    result = match_ds_set([sha1, stale256], n("dskey.example.com."), keys)
    assert [j.status for j in result.judgments] == [
        DsStatus.IGNORED_SHA1,
        DsStatus.DIGEST_MISMATCH,
    ]
    assert result.status is DsSetStatus.NO_MATCH


def test_rollover_two_ds_one_stale(ksk: Signer) -> None:
    new = Signer.make("example.com.", Algorithm.ECDSAP256SHA256, index=7)
    ds_old = ds_for_publication(ksk.zone, ksk.dnskey).ds
    ds_new = ds_for_publication(new.zone, new.dnskey).ds
    result = match_ds_set([ds_old, ds_new], ksk.zone, [new.dnskey])
    assert [j.status for j in result.judgments] == [DsStatus.NO_KEY_WITH_TAG, DsStatus.MATCH]
    assert result.status is DsSetStatus.MATCHED and result.matched_keys == (new.dnskey,)


def test_ds_for_publication_reproduces_rfc_vectors() -> None:
    for filename, section in [
        ("rfc6605.zone", "6.1"),
        ("rfc6605.zone", "6.2"),
        ("rfc8080.zone", "6.1 ED25519 example 1"),
    ]:
        keys, (ds,), owner = _keys_and_ds(filename, section)
        pub = ds_for_publication(owner, keys[0], ds.digest_type)
        assert pub.ds == ds
        assert pub.digest == bytes(ds.digest).hex().upper()
        assert (pub.key_tag, pub.algorithm, pub.digest_type) == (
            ds.key_tag,
            ds.algorithm,
            ds.digest_type,
        )
        assert pub.presentation.startswith(f"{owner} 3600 IN DS {ds.key_tag} ")
        fields = pub.registrar_fields()
        assert fields["Key Tag"] == str(ds.key_tag)
        assert fields["Digest"] == pub.digest


def test_ds_for_publication_refuses_bad_input(ksk: Signer) -> None:
    pub = ds_for_publication("example.com.", ksk.dnskey)
    assert pub.digest_type == 2 and len(pub.digest) == 64
    with pytest.raises(ValueError, match="digest type"):
        ds_for_publication("example.com.", ksk.dnskey, digest_type=1)
    with pytest.raises(ValueError, match="zone key"):
        ds_for_publication("example.com.", edited(ksk.dnskey, flags=1))
    with pytest.raises(ValueError, match="revoked"):
        ds_for_publication("example.com.", edited(ksk.dnskey, flags=257 | 0x80))


def test_rrset_parse_helper() -> None:
    r = rrset("example.com. 3600 IN DS 1 13 2 " + "00" * 32)
    assert r.rdtype == dns.rdatatype.DS


@pytest.mark.parametrize(
    "algorithm",
    [Algorithm.RSASHA256, Algorithm.ECDSAP256SHA256, Algorithm.ECDSAP384SHA384, Algorithm.ED25519],
)
@pytest.mark.parametrize("digest_type", [1, 2, 4])
@pytest.mark.parametrize("owner", ["example.com.", "Mixed-Case.EXAMPLE.", "."])
def test_our_digests_equal_dnspythons(algorithm: Algorithm, digest_type: int, owner: str) -> None:
    """The DS digest is ours (hashlib over the canonical owner and the DNSKEY RDATA);
    dnspython's make_ds is the reference."""
    import dns.dnssec
    from dns.dnssectypes import DSDigest

    from dnssec_doctor.validate.ds import ds_for_publication

    key = Signer.make(owner, algorithm).dnskey
    reference = dns.dnssec.make_ds(
        n(owner), key, DSDigest(digest_type), policy=dns.dnssec.allow_all_policy, validating=True
    )
    (ds,) = parse_records(f"{owner} 3600 IN DS {reference.to_text()}")[0]
    assert isinstance(ds, DS)
    assert match_ds(ds, n(owner), [key]).status is DsStatus.MATCH
    if digest_type in (2, 4):
        published = ds_for_publication(owner, key, digest_type)
        assert published.ds == reference
        assert published.digest == reference.digest.hex().upper()
