"""`ds show --key` / `--zone-file` against BIND's own tools: keys made by the real
`dnssec-keygen` (algorithms 8, 10, 13, 14, 15, 16), DS lines compared with the real
`dnssec-dsfromkey` for digests 1, 2 and 4, from .key files and from a zone file (`-f`);
a zone signed by the real `dnssec-signzone` for what the RRSIGs tell; the EPP XML parsed
by a real XML parser and held to RFC 5910's structure; bad input one line, exit 3."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers.cli_helpers import invoke

ZONE = "parity.test."
ALGORITHMS = (8, 10, 13, 14, 15, 16)
DIGESTS = {1: "SHA-1", 2: "SHA-256", 4: "SHA-384"}
SECDNS = "{urn:ietf:params:xml:ns:secDNS-1.1}"
BIND_TOOLS = ("dnssec-keygen", "dnssec-dsfromkey", "dnssec-signzone")

pytestmark = pytest.mark.skipif(
    any(shutil.which(t) is None for t in BIND_TOOLS),
    reason="needs bind9-utils / bind9 (scripts/install-system-packages)",
)


@dataclass(frozen=True)
class Keys:
    directory: Path
    ksks: dict[int, Path]  # algorithm -> .key file
    zsks: dict[int, Path]
    zone_file: Path  # every key of every algorithm, unsigned


def _keygen(directory: Path, zone: str, algorithm: int, *flags: str) -> Path:
    size = ["-b", "2048"] if algorithm in (8, 10) else []
    done = subprocess.run(
        ["dnssec-keygen", "-q", "-K", str(directory), "-a", str(algorithm), *size, *flags, zone],
        capture_output=True,
        text=True,
        check=True,
    )
    return directory / f"{done.stdout.strip()}.key"


def _dnskey_line(path: Path) -> str:
    return next(line for line in path.read_text().splitlines() if not line.startswith(";"))


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    directory = tmp_path_factory.mktemp("ds-keys")
    ksks = {a: _keygen(directory, ZONE, a, "-f", "KSK") for a in ALGORITHMS}
    zsks = {a: _keygen(directory, ZONE, a) for a in ALGORITHMS}
    zone = directory / "parity.zone"
    lines = ["$TTL 3600", f"{ZONE} IN SOA ns1.{ZONE} admin.{ZONE} 1 3600 900 604800 300"]
    lines.append(f"{ZONE} IN NS ns1.{ZONE}")
    lines += [_dnskey_line(p) for p in (*ksks.values(), *zsks.values())]
    zone.write_text("\n".join(lines) + "\n")
    return Keys(directory, ksks, zsks, zone)


def _dsfromkey(*args: str) -> list[str]:
    done = subprocess.run(["dnssec-dsfromkey", *args], capture_output=True, text=True, check=True)
    return [line for line in done.stdout.splitlines() if line.strip()]


def _ours(*args: str) -> list[str]:
    result = invoke(["ds", "show", *args, "--format", "zone"])
    assert result.exit_code == 0, result.output
    return [line for line in result.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("digest", sorted(DIGESTS))
def test_a_key_file_gives_dnssec_dsfromkeys_line(keys: Keys, algorithm: int, digest: int) -> None:
    for path in (keys.ksks[algorithm], keys.zsks[algorithm]):
        theirs = _dsfromkey("-a", DIGESTS[digest], str(path))
        assert len(theirs) == 1
        assert _ours("--key", str(path), "--digest", str(digest)) == theirs


def test_several_digests_and_a_ttl_as_dnssec_dsfromkey(keys: Keys) -> None:
    path = str(keys.ksks[13])
    theirs = _dsfromkey("-T", "300", "-a", "SHA-256", "-a", "SHA-384", path)
    assert _ours("--key", path, "--digest", "2,4", "--ttl", "300") == theirs
    assert _ours("--key", path) == _dsfromkey(path)  # both default to SHA-256


@pytest.mark.parametrize("digest", sorted(DIGESTS))
def test_a_zone_file_gives_dnssec_dsfromkey_f(keys: Keys, digest: int) -> None:
    """The SEP keys only, as `dnssec-dsfromkey -f` (without -A) prints them."""
    theirs = _dsfromkey("-a", DIGESTS[digest], "-f", str(keys.zone_file), ZONE)
    ours = _ours("--zone-file", str(keys.zone_file), "--digest", str(digest))
    assert sorted(ours) == sorted(theirs)
    assert len(ours) == len(ALGORITHMS)


def test_every_key_file_at_once(keys: Keys) -> None:
    paths = [str(p) for p in keys.ksks.values()]
    ours = _ours(*[w for p in paths for w in ("--key", p)], "--digest", "2,4")
    theirs = [line for p in paths for line in _dsfromkey("-a", "SHA-256", "-a", "SHA-384", p)]
    assert ours == theirs


@pytest.fixture(scope="session")
def signed(keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The zone with one KSK and one ZSK (algorithm 13), signed by dnssec-signzone."""
    directory = tmp_path_factory.mktemp("ds-signed")
    ksk = _keygen(directory, ZONE, 13, "-f", "KSK")
    zsk = _keygen(directory, ZONE, 13)
    zone = directory / "parity.zone"
    head = keys.zone_file.read_text().splitlines()[:3]
    zone.write_text("\n".join([*head, _dnskey_line(ksk), _dnskey_line(zsk)]) + "\n")
    subprocess.run(
        ["dnssec-signzone", "-q", "-d", str(directory), "-K", str(directory), "-o", ZONE,
         "-f", str(zone) + ".signed", str(zone)],
        capture_output=True, check=True,
    )  # fmt: skip
    return Path(str(zone) + ".signed")


def test_a_signed_zone_file_names_the_key_that_signs(signed: Path) -> None:
    result = invoke(["ds", "show", "--zone-file", str(signed), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema"] == "dnssec-doctor/ds-show/1"
    [key] = document["keys"]
    assert key["sep"] and key["signs_dnskey"] is True and key["flags"] == 257
    lines = [d["record"] for d in key["ds"]]
    assert lines == _dsfromkey("-f", str(signed), ZONE)


def test_a_csk_without_sep_is_named(keys: Keys, tmp_path: Path) -> None:
    """A zone signed with one key that has no SEP flag (dnssec-signzone -z): its DS is the
    one to publish. Here we differ from `dnssec-dsfromkey -f` on purpose: it prints no
    DS at all (it looks at the flag only), though validators need exactly this one."""
    zsk = _keygen(tmp_path, ZONE, 13)
    zone = tmp_path / "csk.zone"
    head = keys.zone_file.read_text().splitlines()[:3]
    zone.write_text("\n".join([*head, _dnskey_line(zsk)]) + "\n")
    subprocess.run(
        ["dnssec-signzone", "-q", "-z", "-d", str(tmp_path), "-K", str(tmp_path), "-o", ZONE,
         "-f", str(zone) + ".signed", str(zone)],
        capture_output=True, check=True,
    )  # fmt: skip
    theirs = subprocess.run(
        ["dnssec-dsfromkey", "-f", str(zone) + ".signed", ZONE], capture_output=True, text=True
    )
    assert not theirs.stdout.strip()
    result = invoke(["ds", "show", "--zone-file", str(zone) + ".signed"])
    assert result.exit_code == 0, result.output
    assert "no SEP flag, but it signs the DNSKEY RRset" in result.stdout
    assert _dsfromkey("-A", "-f", str(zone) + ".signed", ZONE)[0] in result.stdout


def test_the_registrar_fields(keys: Keys) -> None:
    result = invoke(["ds", "show", "--key", str(keys.ksks[15])])
    [line] = _dsfromkey(str(keys.ksks[15]))
    tag, algorithm, digest_type, digest = line.split()[3:]
    assert f"Key Tag      {tag}" in result.stdout
    assert "Algorithm    15 (ED25519)" in result.stdout
    assert "Digest Type  2 (SHA256)" in result.stdout
    assert f"Digest       {digest}" in result.stdout
    assert (algorithm, digest_type) == ("15", "2")


# -- EPP (RFC 5910) ------------------------------------------------------------------------


def _children(element: ET.Element) -> list[str]:
    return [child.tag.removeprefix(SECDNS) for child in element]


def test_epp_ds_data_is_rfc_5910s(keys: Keys) -> None:
    paths = [keys.ksks[8], keys.ksks[13]]
    args = [w for p in paths for w in ("--key", str(p))]
    result = invoke(["ds", "show", *args, "--digest", "2,4", "--format", "epp"])
    assert result.exit_code == 0, result.output
    root = ET.fromstring(result.stdout)
    assert root.tag == f"{SECDNS}create"
    records = [line.split()[3:] for p in paths for line in _dsfromkey("-a", "SHA-256",
               "-a", "SHA-384", str(p))]  # fmt: skip
    assert _children(root) == ["dsData"] * len(records)
    for data, (tag, algorithm, digest_type, digest) in zip(root, records, strict=True):
        # RFC 5910 4.1: keyTag, alg, digestType, digest, in this order
        assert _children(data) == ["keyTag", "alg", "digestType", "digest"]
        values = [child.text for child in data]
        assert values == [tag, algorithm, digest_type, digest]
        assert 0 <= int(values[0] or "") <= 65535 and 0 <= int(values[1] or "") <= 255
        bytes.fromhex(values[3] or "")  # hexBinary


def test_epp_key_data_is_rfc_5910s(keys: Keys) -> None:
    path = keys.ksks[14]
    result = invoke(["ds", "show", "--key", str(path), "--format", "epp-keydata"])
    root = ET.fromstring(result.stdout)
    assert root.tag == f"{SECDNS}create"
    [data] = root
    assert data.tag == f"{SECDNS}keyData"
    # RFC 5910 4.2: flags, protocol, alg, pubKey
    assert _children(data) == ["flags", "protocol", "alg", "pubKey"]
    flags, protocol, algorithm, *key = _dnskey_line(path).split()[3:]
    assert [c.text for c in data][:3] == [flags, protocol, algorithm]
    assert base64.b64decode(data[3].text or "") == base64.b64decode("".join(key))


# -- bad input -----------------------------------------------------------------------------


def _fails(args: list[str], *words: str) -> None:
    result = invoke(["ds", "show", *args])
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def test_bad_key_files(keys: Keys, tmp_path: Path) -> None:
    private = next(keys.directory.glob("*.private"))
    _fails(["--key", str(private)], "private key file")
    _fails(["--key", str(tmp_path / "Knone.key")], "no such file")
    _fails(["--key", str(tmp_path)], "cannot read")
    broken = tmp_path / "Kbroken.key"
    broken.write_text(f"{ZONE} IN DNSKEY 257 3 13 not*base64\n")
    _fails(["--key", str(broken)], "not a key file")
    ds_line = tmp_path / "Kds.key"
    ds_line.write_text(f"{ZONE} IN DS 1 13 2 00\n")
    _fails(["--key", str(ds_line)], "not a key file")
    ds_ok = tmp_path / "Kdsok.key"
    ds_ok.write_text(_dsfromkey(str(keys.ksks[13]))[0] + "\n")
    _fails(["--key", str(ds_ok)], "no DNSKEY record (it holds DS)")
    two = tmp_path / "Ktwo.key"
    two.write_text(_dnskey_line(keys.ksks[13]) + "\n" + _dnskey_line(keys.zsks[13]) + "\n")
    _fails(["--key", str(two)], "2 DNSKEY records")
    binary = tmp_path / "Kbinary.key"
    binary.write_bytes(b"\xff\xfe\x00")
    _fails(["--key", str(binary)], "not a text file")


def test_bad_zone_files_and_options(keys: Keys, tmp_path: Path) -> None:
    no_keys = tmp_path / "nokeys.zone"
    no_keys.write_text("\n".join(keys.zone_file.read_text().splitlines()[:3]) + "\n")
    _fails(["--zone-file", str(no_keys)], "no DNSKEY record at the apex parity.test.")
    garbage = tmp_path / "garbage.zone"
    garbage.write_text(f"$ORIGIN {ZONE}\n@ 3600 IN DNSKEY 257 3 13 ((\n")
    _fails(["--zone-file", str(garbage)])
    _fails(["--zone-file", str(tmp_path / "missing.zone")], "no such zone file")
    _fails(["--key", str(keys.ksks[13]), "--digest", "3"], "not a digest type")
    _fails(["--key", str(keys.ksks[13]), "--zone-file", str(keys.zone_file)], "not both")
    _fails([], "give ZONE")
    _fails(["other.test.", "--key", str(keys.ksks[13])], "not other.test.")
    _fails(["--key", str(keys.ksks[13]), "--ttl", "-5"])
    _fails(["bad..name", "--root-hints", "/nonexistent", "--trust-anchor", "/nonexistent"])
