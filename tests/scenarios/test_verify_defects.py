"""One broken zone per defect class, made by editing a freshly signed zone's text: verify
finds it with the right code, and where dnssec-verify / ldns-verify-zone detect the
defect too, they are asserted to."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dnssec_doctor.model.zone_report import VerifyReport
from dnssec_doctor.services.verify import verify_file
from dnssec_doctor.zonefile import parallel, verify
from helpers.signing import (
    ORIGIN,
    Signed,
    bind_keys,
    bind_sign,
    dnssec_verify,
    have,
    ldns_verify,
    run,
)
from helpers.verify_helpers import comparable, verify_both

Edit = Callable[[list[str]], list[str]]


pytestmark = pytest.mark.skipif(
    not have("dnssec-signzone"),
    reason="bind9-utils not installed (scripts/install-system-packages)",
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Signed]:
    work = tmp_path_factory.mktemp("defects")
    keys = work / "keys"
    bind_keys(keys)
    return {
        "nsec": bind_sign(work, "nsec", keydir=keys),
        "nsec3": bind_sign(work, "nsec3", "-3", "-", keydir=keys),
    }


def _index(lines: list[str], pattern: str) -> int:
    for i, line in enumerate(lines):
        if re.match(pattern, line):
            return i
    raise AssertionError(f"no line matches {pattern}")


def drop(pattern: str) -> Edit:
    def edit(lines: list[str]) -> list[str]:
        return [line for line in lines if not re.match(pattern, line)]

    return edit


def sub(pattern: str, old: str, new: str) -> Edit:
    """Replace ``old`` by ``new`` once in the first line matching ``pattern``."""

    def edit(lines: list[str]) -> list[str]:
        i = _index(lines, pattern)
        assert old in lines[i], lines[i]
        return [*lines[:i], lines[i].replace(old, new, 1), *lines[i + 1 :]]

    return edit


def flip_signature(pattern: str) -> Edit:
    """Change the first base64 character of the signature of the matching RRSIG."""

    def edit(lines: list[str]) -> list[str]:
        i = _index(lines, pattern)
        fields = lines[i].split(" ")
        sig = fields[12]  # owner ttl IN RRSIG type alg labels ottl exp inc tag signer SIG...
        fields[12] = ("B" if sig[0] != "B" else "C") + sig[1:]
        return [*lines[:i], " ".join(fields), *lines[i + 1 :]]

    return edit


def add_orphan_rrsig(lines: list[str]) -> list[str]:
    i = _index(lines, r"^www\.example\.test\. \d+ IN RRSIG A ")
    fields = lines[i].split(" ")
    fields[10] = "1"  # a key tag no DNSKEY has
    return [*lines, " ".join(fields)]


def copy_rrsig(pattern: str, change: Callable[[list[str]], None]) -> Edit:
    """Append a copy of the matching RRSIG line, changed by ``change`` (on its fields)."""

    def edit(lines: list[str]) -> list[str]:
        fields = lines[_index(lines, pattern)].split(" ")
        change(fields)
        return [*lines, " ".join(fields)]

    return edit


def _as_glue(fields: list[str]) -> None:
    fields[0] = "ns.insecure.example.test."  # glue below the insecure cut


def _covering_mx(fields: list[str]) -> None:
    fields[4] = "MX"  # www has no MX


def rename_nsec3_owner(lines: list[str]) -> list[str]:
    """Give the first NSEC3 record (and its RRSIG) an owner that hashes no name."""
    i = _index(lines, r"^\w{32}\.example\.test\. \d+ IN NSEC3 ")
    owner = lines[i].split(" ")[0]
    wrong = "0" * 32 + ".example.test."
    return [line.replace(owner, wrong, 1) if line.startswith(owner) else line for line in lines]


def break_nsec3_next(lines: list[str]) -> list[str]:
    """Make the first NSEC3 point past its successor (the chain skips a record)."""
    i = _index(lines, r"^\w{32}\.example\.test\. \d+ IN NSEC3 ")
    j = _index(lines[i + 1 :], r"^\w{32}\.example\.test\. \d+ IN NSEC3 ") + i + 1
    skip_to = lines[j].split(" ")[8]
    fields = lines[i].split(" ")
    fields[8] = skip_to
    return [*lines[:i], " ".join(fields), *lines[i + 1 :]]


def _verify(path: Path, at: int | None = None) -> VerifyReport:
    return verify_both(path, at or int(time.time()))


# (id, base zone, edit, codes verify must report, dnssec-verify detects, ldns detects)
CASES: list[tuple[str, str, Edit, set[str], bool, bool]] = [
    (
        "rrsig-deleted",
        "nsec",
        drop(r"^www\.example\.test\. \d+ IN RRSIG A "),
        {"RRSIG_MISSING"},
        True,
        True,
    ),
    (
        "signature-flipped",
        "nsec",
        flip_signature(r"^mail\.example\.test\. \d+ IN RRSIG A "),
        {"RRSIG_BAD_SIGNATURE"},
        True,
        True,
    ),
    (
        "ttl-changed",
        "nsec",
        sub(r"^mail\.example\.test\. \d+ IN A ", " 300 IN A ", " 900 IN A "),
        {"RRSIG_ORIGINAL_TTL_MISMATCH", "RRSIG_TTL_MISMATCH"},
        True,  # dnssec-verify rejects the signature; validators use the Original TTL
        False,
    ),
    (
        "nsec-removed",
        "nsec",
        drop(r"^mail\.example\.test\. \d+ IN (NSEC|RRSIG NSEC) "),
        {"NSEC_MISSING"},
        True,
        True,
    ),
    (
        "nsec-next-skips",
        "nsec",
        sub(r"^example\.test\. \d+ IN NSEC ", " IN NSEC _sip._udp.", " IN NSEC www."),
        {"NSEC_CHAIN_BROKEN"},
        True,
        True,
    ),
    (
        "nsec-bitmap-lacks-type",
        "nsec",
        sub(r"^www\.example\.test\. \d+ IN NSEC ", " AAAA ", " "),
        {"NSEC_BITMAP_MISMATCH"},
        True,
        True,
    ),
    ("nsec3-next-broken", "nsec3", break_nsec3_next, {"NSEC3_CHAIN_BROKEN"}, True, True),
    (
        "nsec3-wrong-owner",
        "nsec3",
        rename_nsec3_owner,
        {"NSEC3_ORPHAN", "NSEC3_MISSING", "NSEC3_CHAIN_BROKEN"},
        True,
        True,
    ),
    (
        "nsec3-bitmap-lacks-type",
        "nsec3",
        sub(r"^\w{32}\.example\.test\. \d+ IN NSEC3 .* A TXT RRSIG$", " A TXT ", " TXT "),
        {"NSEC3_BITMAP_MISMATCH"},
        True,
        True,
    ),
    (
        "no-denial-chain",
        "nsec",
        drop(r"^\S+ \d+ IN (NSEC|RRSIG NSEC) "),
        {"ZONE_NO_DENIAL_CHAIN"},
        True,
        True,
    ),
    ("orphan-rrsig", "nsec", add_orphan_rrsig, {"RRSIG_NO_MATCHING_KEY"}, False, False),
    (
        "signed-glue",
        "nsec",
        copy_rrsig(r"^www\.example\.test\. \d+ IN RRSIG A ", _as_glue),
        {"SIGNED_NON_AUTHORITATIVE"},
        False,
        False,
    ),
    (
        "rrsig-without-rrset",
        "nsec",
        copy_rrsig(r"^www\.example\.test\. \d+ IN RRSIG A ", _covering_mx),
        {"RRSIG_WITHOUT_RRSET"},
        False,
        False,
    ),
    (
        "nsec3param-missing",
        "nsec3",
        drop(r"^example\.test\. \d+ IN (NSEC3PARAM|RRSIG NSEC3PARAM) "),
        {"NSEC3_PARAM_MISMATCH"},
        True,
        False,
    ),
]


@pytest.mark.parametrize(
    ("edit", "kind", "codes", "bind_sees", "ldns_sees"),
    [pytest.param(c[2], c[1], *c[3:], id=c[0]) for c in CASES],
)
def test_defect_is_found(
    base: dict[str, Signed],
    tmp_path: Path,
    edit: Edit,
    kind: str,
    codes: set[str],
    bind_sees: bool,
    ldns_sees: bool,
) -> None:
    lines = base[kind].path.read_text().splitlines()
    broken = tmp_path / "broken.zone"
    broken.write_text("\n".join(edit(lines)) + "\n")
    report = _verify(broken)
    found = {f.code for f in report.findings}
    assert codes <= found, sorted(found)
    assert int(report.exit_code) >= 1
    if bind_sees:
        assert dnssec_verify(broken).returncode != 0
    if ldns_sees and have("ldns-verify-zone"):
        assert ldns_verify(broken).returncode != 0


def _stamp(t: datetime) -> str:
    return t.strftime("%Y%m%d%H%M%S")


def test_expired_window(base: dict[str, Signed], tmp_path: Path) -> None:
    now = datetime.now(UTC)
    signed = bind_sign(
        tmp_path,
        "expired",
        "-P",  # dnssec-signzone would refuse its own output
        "-s",
        _stamp(now - timedelta(days=30)),
        "-e",
        _stamp(now - timedelta(days=1)),
        keydir=base["nsec"].keydir,
    )
    report = _verify(signed.path)
    assert "RRSIG_EXPIRED" in {f.code for f in report.findings}
    assert int(report.exit_code) == 2
    assert report.expiry.earliest is not None and report.expiry.earliest < time.time()
    assert dnssec_verify(signed.path).returncode != 0
    if have("ldns-verify-zone"):
        assert ldns_verify(signed.path).returncode != 0
    # seen from before the expiry the same zone is fine, with a warning for the window
    early = _verify(signed.path, int((now - timedelta(days=3)).timestamp()))
    assert {f.code for f in early.findings} >= {"RRSIG_EXPIRING_SOON"}
    assert int(early.exit_code) == 1


def test_not_yet_valid(base: dict[str, Signed], tmp_path: Path) -> None:
    now = datetime.now(UTC)
    signed = bind_sign(
        tmp_path,
        "future",
        "-P",
        "-s",
        _stamp(now + timedelta(days=2)),
        "-e",
        _stamp(now + timedelta(days=30)),
        keydir=base["nsec"].keydir,
    )
    assert "RRSIG_NOT_YET_VALID" in {f.code for f in _verify(signed.path).findings}


def test_dnskey_without_sep_signer(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    bind_keys(keys, ksk_flags=())  # two ZSKs, no SEP bit anywhere
    signed = bind_sign(tmp_path, "nosep", "-z", keydir=keys)
    report = _verify(signed.path)
    assert "DNSKEY_NO_SEP_SIGNER" in {f.code for f in report.findings}
    assert int(report.exit_code) == 1
    assert dnssec_verify(signed.path).returncode != 0  # "No self-signed KSK DNSKEY found"
    assert ORIGIN in report.zone


def test_algorithm_missing(tmp_path: Path) -> None:
    """A second algorithm in the DNSKEY RRset, and one RRset without its signature."""
    keys = tmp_path / "keys"
    bind_keys(keys)
    for extra in ((), ("-f", "KSK")):
        made = run("dnssec-keygen", "-q", "-a", "ED25519", *extra, "-K", keys, ORIGIN)
        assert made.returncode == 0, made.stderr
    signed = bind_sign(tmp_path, "two-algs", keydir=keys)
    assert "RRSIG_ALGORITHM_MISSING" not in {f.code for f in _verify(signed.path).findings}
    lines = signed.path.read_text().splitlines()
    broken = tmp_path / "broken.zone"
    kept = [x for x in lines if not re.match(r"^www\.example\.test\. \d+ IN RRSIG A 15 ", x)]
    assert len(kept) == len(lines) - 1
    broken.write_text("\n".join(kept) + "\n")
    found = {f.code for f in _verify(broken).findings}
    assert "RRSIG_ALGORITHM_MISSING" in found
    assert dnssec_verify(broken).returncode != 0


def test_weak_rsa_key(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    for extra in ((), ("-f", "KSK")):
        made = run(
            "dnssec-keygen", "-q", "-a", "RSASHA256", "-b", "1024", *extra, "-K", keys, ORIGIN
        )
        assert made.returncode == 0, made.stderr
    report = _verify(bind_sign(tmp_path, "rsa", keydir=keys).path)
    weak = [f for f in report.findings if f.code == "DNSKEY_WEAK_KEY"]
    assert len(weak) == 2 and "1024 bits" in weak[0].message
    assert all(k.bits == 1024 for k in report.keys)


def test_findings_are_capped_per_code(
    base: dict[str, Signed], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every signature expired: the report keeps MAX_FINDINGS_PER_CODE, counts the rest."""
    monkeypatch.setattr("dnssec_doctor.zonefile.verify.MAX_FINDINGS_PER_CODE", 10)
    at = int(time.time()) + 400 * 86400
    report = verify_both(base["nsec"].path, at)
    expired = [f for f in report.findings if f.code == "RRSIG_EXPIRED"]
    assert len(expired) == 10
    assert report.suppressed["RRSIG_EXPIRED"] == report.stats.signatures - 10


def test_revoked_key_is_reported(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    bind_keys(keys)
    made = run("dnssec-keygen", "-q", "-a", "ECDSAP256SHA256", "-f", "KSK", "-K", keys, ORIGIN)
    assert made.returncode == 0, made.stderr
    revoked = run("dnssec-revoke", "-K", keys, made.stdout.strip())
    assert revoked.returncode == 0, revoked.stderr
    report = _verify(bind_sign(tmp_path, "revoked", keydir=keys).path)
    assert "DNSKEY_REVOKED" in {f.code for f in report.findings}
    assert sum(k.revoked for k in report.keys) == 1
    assert int(report.exit_code) == 0  # the other KSK still signs: revoking is routine


def insert_after(pattern: str, line: str) -> Edit:
    """Add ``line`` after the first line matching ``pattern`` (the owner's records
    stay together: the file can still be read in byte ranges)."""

    def edit(lines: list[str]) -> list[str]:
        i = _index(lines, pattern)
        return [*lines[: i + 1], line, *lines[i + 1 :]]

    return edit


def _nsec_next(owner: str, old: str, new: str) -> Edit:
    return sub(rf"^{re.escape(owner)} \d+ IN NSEC ", f" NSEC {old} ", f" NSEC {new} ")


def _both(*edits: Edit) -> Edit:
    def edit(lines: list[str]) -> list[str]:
        for one in edits:
            lines = one(lines)
        return lines

    return edit


_NSEC3_OWNER = "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.test."
_BY_ID = {c[0]: c for c in CASES}
# (id, edit, codes the stream read reports, the chain needs the exact second read)
NSEC_RANGE_CASES: list[tuple[str, Edit, set[str], bool]] = [
    ("clean", _both(), set(), False),
    *((i, _BY_ID[i][2], _BY_ID[i][3], True) for i in ("nsec-removed", "nsec-next-skips")),
    (
        "nsec-bitmap-lacks-type",
        _BY_ID["nsec-bitmap-lacks-type"][2],
        {"NSEC_BITMAP_MISMATCH"},
        False,
    ),
    (
        "nsec-nexts-swapped",  # still every name once: two cycles
        _both(
            _nsec_next("host03.example.test.", "host04.example.test.", "host21.example.test."),
            _nsec_next("host20.example.test.", "host21.example.test.", "host04.example.test."),
        ),
        {"NSEC_CHAIN_BROKEN"},
        True,
    ),
    (
        "nsec-next-no-name",
        _nsec_next("host10.example.test.", "host11.example.test.", "nohost.example.test."),
        {"NSEC_CHAIN_BROKEN"},
        True,
    ),
    (
        "nsec-not-closed",
        _nsec_next("www.example.test.", "example.test.", "zzz.example.test."),
        {"NSEC_CHAIN_BROKEN"},
        True,
    ),
    (
        "nsec-two-records",  # the first in canonical order goes on with the chain
        insert_after(
            r"^host03\.example\.test\. \d+ IN NSEC ",
            "host03.example.test. 300 IN NSEC host05.example.test. A TXT RRSIG NSEC",
        ),
        {"NSEC_CHAIN_BROKEN"},
        False,
    ),
    (
        "nsec-at-glue",
        insert_after(
            r"^ns\.insecure\.example\.test\. \d+ IN A ",
            "ns.insecure.example.test. 300 IN NSEC www.example.test. A RRSIG NSEC",
        ),
        {"NSEC_CHAIN_BROKEN"},
        False,
    ),
    (
        "nsec-not-at-the-apex",  # no chain part in the ranges: every name sent, as before
        drop(r"^example\.test\. \d+ IN (NSEC|RRSIG NSEC) "),
        {"NSEC_MISSING"},
        False,
    ),
    (
        "nsec-and-nsec3",
        insert_after(
            r"^www\.example\.test\. \d+ IN RRSIG NSEC ",
            f"{_NSEC3_OWNER} 300 IN NSEC3 1 0 0 - 0P9MHAVEQVM6T7VBL5LOP2U3T2RP3TOM A",
        ),
        {"ZONE_NO_DENIAL_CHAIN"},
        False,
    ),
]


@pytest.mark.parametrize(
    ("edit", "codes", "exact"), [pytest.param(*c[1:], id=c[0]) for c in NSEC_RANGE_CASES]
)
def test_nsec_chains_read_in_byte_ranges_give_the_stream_findings(
    base: dict[str, Signed],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: Edit,
    codes: set[str],
    exact: bool,
) -> None:
    """Each range checks its names' NSEC records and the parent only whether the
    nexts make the canonical order; a broken link makes it read the ranges again
    for the exact, sorted check.  Either way: the one-stream read's findings, with
    a few ranges and with one per owner (an NSEC and the names around it in other
    ranges)."""
    lines = base["nsec"].path.read_text().splitlines()
    zone = tmp_path / "zone"
    zone.write_text("\n".join(edit(lines)) + "\n")
    at = int(time.time())
    stream = verify_file(str(zone), at, jobs=1)
    assert stream.stats.reading == "stream"
    found = {f.code for f in stream.findings}
    assert codes <= found if codes else int(stream.exit_code) == 0, sorted(found)
    second: list[str] = []
    exactly = verify._nsec_exactly

    def counted(*args: Any, **kwargs: Any) -> object:
        second.append("read again")
        return exactly(*args, **kwargs)

    monkeypatch.setattr(verify, "_nsec_exactly", counted)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    for ranges in (1, 3, 10_000):
        monkeypatch.setattr(parallel, "RANGES_PER_JOB", ranges)
        split = verify_file(str(zone), at, jobs=2)
        assert split.stats.reading == "parallel"
        assert comparable(split) == comparable(stream)
    assert len(second) == (3 if exact else 0)
