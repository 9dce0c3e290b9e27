"""Trust anchor and root hints files, and the built-in IANA defaults (data only: never asked)."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dnssec_doctor.collect import (
    DEFAULT_ROOT_HINTS,
    DEFAULT_TRUST_ANCHORS,
    AnchorFileError,
    load_root_hints,
    load_trust_anchors,
    parse_root_hints,
    parse_trust_anchors,
)
from dnssec_doctor.lab.build import ROOT_SERVERS, write_trust_files
from dnssec_doctor.lab.manifest import LabManifest
from dnssec_doctor.model.evidence import Evidence, Query, RootHint, from_json, to_json

KSK = (
    "AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SW"
    "XgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rC"
    "j/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSV"
    "IzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU="
)

UNBOUND_STYLE = f"""\
; autotrust-style file, as Unbound's trust-anchor-file takes it
$TTL 86400
$ORIGIN .
@ IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
  IN DS 38696 8 2 ( 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16 )
example.com. 3600 IN DNSKEY 257 3 8 (
        {KSK[:100]}
        {KSK[100:]} ) ; KSK
"""


def test_an_unbound_style_file(tmp_path: Path) -> None:
    path = tmp_path / "root.key"
    path.write_text(UNBOUND_STYLE)
    lines = load_trust_anchors(path)
    assert lines[0] == (
        ". 86400 IN DS 20326 8 2 e06d44b80b8f1d39a95c0b0d7c65d08458e880409bbc683457104237c7f8ec8d"
    )
    assert lines[1].startswith(". 86400 IN DS 38696 8 2 683d2d0a")
    assert lines[2].startswith("example.com. 3600 IN DNSKEY 257 3 8 AwEAAaz/")
    assert KSK in lines[2].replace(" ", "")


def test_anchor_lines_are_valid_evidence() -> None:
    lines = parse_trust_anchors(UNBOUND_STYLE)
    evidence = Evidence(datetime(2026, 1, 1, tzinfo=UTC), Query("example.com."), tuple(lines))
    assert from_json(to_json(evidence)).trust_anchors == tuple(lines)


def test_the_lab_files(tmp_path: Path) -> None:
    manifest = LabManifest(
        now="2026-01-01T00:00:00+00:00", directory=str(tmp_path), root_hints=list(ROOT_SERVERS),
        trust_anchor_ds=[f". 3600 IN DS 12345 8 2 {'ab' * 32}"],
        trust_anchor_dnskey=[f". 3600 IN DNSKEY 257 3 8 {KSK}"], servers=[], scenarios=[], zones={},
    )  # fmt: skip
    write_trust_files(manifest)
    assert len(load_trust_anchors(tmp_path / "root.key")) == 2
    hints = load_root_hints(tmp_path / "root.hints")
    assert [(h.name, h.address) for h in hints] == list(ROOT_SERVERS)


NAMED_ROOT = """\
;       This file holds the information on root name servers needed to
;       initialize cache of Internet domain name servers
.                        3600000      NS    A.ROOT-SERVERS.NET.
A.ROOT-SERVERS.NET.      3600000      A     198.41.0.4
A.ROOT-SERVERS.NET.      3600000      AAAA  2001:503:ba3e::2:30
;
.                        3600000      NS    B.ROOT-SERVERS.NET.
B.ROOT-SERVERS.NET.      3600000      A     170.247.170.2
B.ROOT-SERVERS.NET.      3600000      AAAA  2801:1b8:10::b
; End of file
"""


def test_a_named_root_file() -> None:
    assert parse_root_hints(NAMED_ROOT) == [
        RootHint("A.ROOT-SERVERS.NET.", "198.41.0.4"),
        RootHint("A.ROOT-SERVERS.NET.", "2001:503:ba3e::2:30"),
        RootHint("B.ROOT-SERVERS.NET.", "170.247.170.2"),
        RootHint("B.ROOT-SERVERS.NET.", "2801:1b8:10::b"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (". IN DS 20326 8 2 XYZ\n", "anchors.key:1: "),
        ("; ok\n\n. IN DS 20326 8 2\n", "anchors.key:3: "),
        (". IN A 192.0.2.1\n", "anchors.key:1: A is not a trust anchor (DS or DNSKEY)"),
        (f". IN DNSKEY 256 3 8 {KSK}\n", None),  # a ZSK is still a zone key: accepted
        (f". IN DNSKEY 1 3 8 {KSK}\n", "anchors.key:1: DNSKEY without the Zone Key flag"),
        (f". IN DS 1 8 2 {'00' * 32}\n. IN DNSKEY 257 3 8 ( {KSK}\n", "anchors.key:2: '(' never"),
        ("  IN DS 1 8 2 00\n", "anchors.key:1: no owner name"),
        (". CH DS 1 8 2 00\n", "anchors.key:1: class CH, not IN"),
        ("$INCLUDE other.key\n", "anchors.key:1: unsupported directive $INCLUDE"),
        ("; nothing but a comment\n", "anchors.key: no DS or DNSKEY record"),
        # found by bench/fuzz_inputs.py anchors: parentheses around nothing
        ("( )\n(\n)\n", "anchors.key: no DS or DNSKEY record"),
    ],
)
def test_broken_anchor_files(tmp_path: Path, text: str, message: str | None) -> None:
    path = tmp_path / "anchors.key"
    path.write_text(text)
    if message is None:
        assert len(load_trust_anchors(path)) == 1
        return
    with pytest.raises(AnchorFileError) as caught:
        load_trust_anchors(path)
    text_of = str(caught.value)
    assert text_of.startswith(f"{path.parent}/{message}") and "\n" not in text_of


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("com. NS a.gtld.\na.gtld. A 192.0.2.1\n", "hints:1: NS for com., not the root"),
        (
            ". NS a.root.\n. NS b.root.\na.root. A 192.0.2.1\n",
            "hints:2: no A or AAAA record for b.root.",
        ),
        (". NS a.root.\na.root. TXT hello\n", "hints:2: TXT has no place in root hints"),
        ("a.root. A 192.0.2.1\n", "hints: no NS record for the root"),
        (". NS a.root.\na.root. A 192.0.2.300\n", "hints:2: "),
    ],
)
def test_broken_root_hints(text: str, message: str) -> None:
    with pytest.raises(AnchorFileError) as caught:
        parse_root_hints(text, "hints")
    assert str(caught.value).startswith(message)


def test_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(AnchorFileError, match=r"missing\.key: cannot read"):
        load_trust_anchors(tmp_path / "missing.key")
    (tmp_path / "binary.hints").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(AnchorFileError, match=r"binary\.hints: not UTF-8 text"):
        load_root_hints(tmp_path / "binary.hints")


def test_the_defaults_are_the_iana_root() -> None:
    assert [line.split()[4] for line in DEFAULT_TRUST_ANCHORS] == ["20326", "38696"]
    assert parse_trust_anchors("\n".join(DEFAULT_TRUST_ANCHORS)) == [
        line.replace("E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
                     "e06d44b80b8f1d39a95c0b0d7c65d08458e880409bbc683457104237c7f8ec8d")
        .replace("683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
                 "683d2d0acb8c9b712a1948b27f741219298d0a450d612c483af444a4c0fb2b16")
        for line in DEFAULT_TRUST_ANCHORS
    ]  # fmt: skip
    names = sorted({h.name for h in DEFAULT_ROOT_HINTS})
    assert names == [f"{letter}.root-servers.net." for letter in "abcdefghijklm"]
    versions = [ipaddress.ip_address(h.address).version for h in DEFAULT_ROOT_HINTS]
    assert versions.count(4) == versions.count(6) == 13
    assert not any(ipaddress.ip_address(h.address).is_loopback for h in DEFAULT_ROOT_HINTS)
