"""verify on zones freshly signed by dnssec-signzone and ldns-signzone: clean, and the
reference verifiers agree; --ds, --jobs, stdin, JSON and the expiry histogram."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dnssec_doctor.model.findings import Severity
from dnssec_doctor.model.zone_report import VerifyReport
from dnssec_doctor.services.verify import verify_file
from dnssec_doctor.zonefile import cutscan, parallel, verify
from helpers.cli_helpers import invoke
from helpers.signing import (
    ORIGIN,
    Signed,
    bind_sign,
    dnssec_verify,
    have,
    ldns_sign,
    ldns_verify,
)
from helpers.verify_helpers import comparable, verify_both

SIGNERS = {
    "bind-nsec": ("dnssec-signzone", ()),
    "bind-nsec3": ("dnssec-signzone", ("-3", "-")),
    "bind-nsec3-optout": ("dnssec-signzone", ("-3", "-", "-A")),
    "ldns-nsec": ("ldns-signzone", ()),
    "ldns-nsec3": ("ldns-signzone", ("-n", "-t", "0")),
}


pytestmark = pytest.mark.skipif(
    not have("dnssec-signzone"),
    reason="bind9-utils not installed (scripts/install-system-packages)",
)


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Signed]:
    out: dict[str, Signed] = {}
    for name, (tool, options) in SIGNERS.items():
        if not have(tool):
            continue
        work = tmp_path_factory.mktemp(name)
        sign = bind_sign if tool == "dnssec-signzone" else ldns_sign
        out[name] = sign(work, name, *options)
    return out


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run the command in-process (a real process in test_stdin_and_text_chart)."""
    result = invoke(list(args), input=stdin)
    return subprocess.CompletedProcess(
        list(args), result.exit_code, result.stdout_bytes, result.stderr_bytes
    )


@pytest.mark.parametrize("name", list(SIGNERS))
def test_signed_zone_verifies_clean(signed: dict[str, Signed], name: str) -> None:
    if name not in signed:
        pytest.skip(f"{SIGNERS[name][0]} not installed (scripts/install-system-packages)")
    report = verify_both(signed[name].path, int(time.time()))
    loud = [f for f in report.findings if f.severity > Severity.INFO]
    assert loud == []
    assert int(report.exit_code) == 0
    codes = {f.code for f in report.findings}
    assert "OCCLUDED_DATA" in codes  # deep.insecure TXT is below the cut
    assert report.stats.denial == ("NSEC3" if "nsec3" in name else "NSEC")
    if "optout" in name:
        assert "NSEC3_OPT_OUT" in codes
    assert dnssec_verify(signed[name].path).returncode == 0
    if have("ldns-verify-zone"):
        assert ldns_verify(signed[name].path).returncode == 0


def test_ds_file_matches_the_ksk(signed: dict[str, Signed]) -> None:
    s = signed["bind-nsec"]
    assert s.dsset is not None
    done = cli("verify", str(s.path), "--ds", str(s.dsset), "--json", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert "DS_MATCHES" in {f["code"] for f in data["findings"]}
    assert any(k["ds_matched"] and k["sep"] and k["signs_dnskey"] for k in data["keys"])


def test_ds_file_that_matches_nothing(signed: dict[str, Signed], tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    digest = "00" * 32
    ds.write_text(f"{ORIGIN} 3600 IN DS 12345 13 2 {digest}\n")
    done = cli("verify", str(signed["bind-nsec"].path), "--ds", str(ds), "--json")
    assert done.returncode == 2
    codes = {f["code"] for f in json.loads(done.stdout)["findings"]}
    assert {"DS_NO_KEY_WITH_TAG", "DNSKEY_NOT_SIGNED_BY_DS_KEY"} <= codes


def test_jobs_give_the_same_report(
    signed: dict[str, Signed], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dnssec_doctor.zonefile.workers.CHUNK_RRSETS", 10)  # use the pool
    path = signed["bind-nsec3"].path
    at = int(time.time())
    one = verify_both(path, at, jobs=1)
    many = verify_both(path, at, jobs=2)
    assert one.findings == many.findings and one.expiry == many.expiry
    assert many.stats.signatures == one.stats.signatures > 50


def test_json_schema_and_histogram(signed: dict[str, Signed]) -> None:
    done = cli("verify", str(signed["bind-nsec"].path), "--json", "--at", "+29d")
    data = json.loads(done.stdout)
    assert data["schema"] == "dnssec-doctor/verify/1"
    assert data["zone"] == ORIGIN and data["denial"] == "NSEC"
    expiry = data["expiry"]
    total = sum(b["signatures"] for b in expiry["histogram"])
    assert total == data["stats"]["signatures"] > 50
    # dnssec-signzone signs for 30 days: 29 days later every signature expires within 7
    assert expiry["expiring_within_warn_days"] == total
    assert done.returncode == 1 and data["verdict"] == "WARNING"
    assert "RRSIG_EXPIRING_SOON" in {f["code"] for f in data["findings"]}
    for f in data["findings"]:
        assert set(f) == {"code", "severity", "zone", "servers", "records", "message", "rfc"}


def test_stdin_and_text_chart(signed: dict[str, Signed]) -> None:
    text = signed["ldns-nsec"].path.read_bytes() if "ldns-nsec" in signed else b""
    if not text:
        text = signed["bind-nsec"].path.read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "dnssec_doctor", "verify", "-", "--origin", ORIGIN, "-v"],
        input=text,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert out.startswith("OK example.test.") and "<stdin>" in out
    assert "█" in out and "Signature expirations by day" in out


def assert_ranges_give(
    stream: VerifyReport, path: str, at: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file read in byte ranges by the workers (a few, and one per owner) gives
    the one-stream report."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    for ranges in (2, 10_000):
        monkeypatch.setattr(parallel, "RANGES_PER_JOB", ranges)
        split = verify_file(path, at, jobs=2)
        assert split.stats.reading == "parallel"
        assert comparable(split) == comparable(stream)


@pytest.mark.parametrize("name", ["bind-nsec3", "ldns-nsec", "bind-nsec3-optout"])
def test_byte_ranges_read_in_parallel_give_the_stream_report(
    signed: dict[str, Signed], name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The zone cut into byte ranges read by the workers: the same report as one
    stream, with a few ranges and with one per owner; a zone the ranges cannot be
    shown to read right (an owner in two places) falls back to the one stream."""
    if name not in signed:
        pytest.skip("signer not installed")
    path = str(signed[name].path)
    at = int(time.time())
    stream = verify_file(path, at, jobs=1)
    assert stream.stats.reading == "stream"
    assert_ranges_give(stream, path, at, monkeypatch)
    scattered = tmp_path / "scattered.zone"
    lines = signed[name].path.read_text().splitlines()
    host = next(x for x in lines if x.startswith("host0"))  # one of its records, again
    scattered.write_text("\n".join([*lines, host]) + "\n")
    again = verify_file(str(scattered), at, jobs=2)
    assert again.stats.reading == "sorted"
    assert comparable(again) == comparable(verify_file(str(scattered), at, jobs=1))


def test_a_directive_after_the_apex_reads_one_stream(
    signed: dict[str, Signed], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A $TTL line in the body changes how the lines after it read: no range may be
    read on its own (a "$" inside a record's text is no directive)."""
    path = signed["bind-nsec"].path
    lines = path.read_text().splitlines()
    middle = next(i for i in range(len(lines) // 2, len(lines)) if lines[i][:1].isalpha())
    at = int(time.time())
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    directive = tmp_path / "directive.zone"
    directive.write_text("\n".join([*lines[:middle], "$TTL 300", *lines[middle:]]) + "\n")
    split = verify_file(str(directive), at, jobs=2)
    assert split.stats.reading == "stream"
    assert comparable(split) == comparable(verify_file(str(directive), at, jobs=1))
    dollar = tmp_path / "dollar.zone"  # "$" not at a line's start: the ranges are read
    dollar.write_text(path.read_text() + 'cost 300 IN TXT "$5"\n')
    assert verify_file(str(dollar), at, jobs=2).stats.reading == "parallel"


DEEP_ZONE = """$TTL 300
@ IN SOA ns1.dept hostmaster.dept 2026112501 3600 600 86400 300
@ NS ns1.dept
@ NS ns2.dept
ns1.dept A 192.0.2.1
ns2.dept A 192.0.2.2
www.dept A 192.0.2.4
a.b.c.dept TXT "below an empty non-terminal"
*.wild.dept A 192.0.2.9
secure.dept NS ns.secure.dept
secure.dept NS ns2.secure.dept
secure.dept DS 12345 13 2 8E2F2A2B2C2D2E2F303132333435363738393A3B3C3D3E3F4041424344454647
ns.secure.dept A 192.0.2.10
ns2.secure.dept A 192.0.2.12
sub.ns2.secure.dept TXT "occluded: below the cut"
insecure.dept NS ns.insecure.dept
ns.insecure.dept A 192.0.2.11
deep.insecure.dept TXT "occluded: below the cut, not glue"
"""


@pytest.mark.parametrize("denial", [(), ("-3", "-")], ids=["nsec", "nsec3"])
def test_a_zone_with_every_name_below_one_label_is_read_in_byte_ranges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, denial: tuple[str, ...]
) -> None:
    """All names under ``dept.`` (one child of the apex): ranges start at new owners
    that are not below the owner before them nor below a delegation (its glue and
    occluded names stay in one range; the delegations found first by ``cutscan``),
    and give the one-stream report."""
    if not have("dnssec-signzone"):
        pytest.skip("dnssec-signzone not installed (scripts/install-system-packages)")
    hosts = "".join(
        f"host{i:02}.team{i % 3}.dept A 198.51.100.{i}\nhost{i:02}.team{i % 3}.dept TXT h{i}\n"
        for i in range(60)
    )
    unsigned = tmp_path / "deep.zone.in"
    unsigned.write_text(DEEP_ZONE + hosts)
    path = str(bind_sign(tmp_path, "deep", *denial, unsigned=unsigned).path)
    at = int(time.time())
    stream = verify_file(path, at, jobs=1)
    assert stream.stats.reading == "stream"
    assert "OCCLUDED_DATA" in {f.code for f in stream.findings}
    # windows shorter than the file: one the end cuts short is not a miss
    monkeypatch.setattr(parallel, "_WINDOW", 1024)
    scans: list[str] = []
    search = cutscan.scan

    def recording(path: str, start: int, origin: bytes) -> cutscan.CutOwners | None:
        scans.append(path)
        return search(path, start, origin)

    monkeypatch.setattr(cutscan, "scan", recording)
    assert_ranges_give(stream, path, at, monkeypatch)
    assert len(scans) == 2  # once for each number of ranges


def test_no_range_starts_inside_a_delegation(tmp_path: Path) -> None:
    origin = b"example.test."
    lines = [
        b"example.test. 300 IN SOA ns hostmaster 1 2 3 4 5",
        b"example.test. 300 IN NS ns.dept.example.test.",
        b"dept.example.test. 300 IN A 192.0.2.1",
        b"secure.dept.example.test. 300 IN NS ns.secure.dept.example.test.",
        b"secure.dept.example.test. 300 IN RRSIG NS 13 4 300 ( 1 2 3 example.test. AA== )",
        b"secure.dept.example.test. 300 IN NSEC www.dept.example.test. NS RRSIG NSEC",
        b"ns.secure.dept.example.test. 300 IN A 192.0.2.10",
        b"ns2.secure.dept.example.test. 300 IN A 192.0.2.12",
        b"www.dept.example.test. 300 IN A 192.0.2.4",
        b"old.www.dept.example.test. 300 IN DNAME elsewhere.test.",
        b"x.old.www.dept.example.test. 300 IN A 192.0.2.6",
        b"zz.example.test. 300 IN A 192.0.2.5",
    ]
    text = b"\n".join(lines) + b"\n"
    zone = tmp_path / "z"
    zone.write_bytes(text)
    owners = cutscan.scan(str(zone), 0, origin)
    assert owners is not None
    assert owners.cuts == {b"secure.dept.example.test."}
    assert owners.dnames == {b"old.www.dept.example.test."}
    found = set(owners.all)

    def line(owner: bytes) -> int:
        return text.index(b"\n" + owner) + 1

    glue = line(b"ns.secure.")  # a window that starts inside the delegation
    window = text[glue - 1 : line(b"zz.")]
    # no range starts at ns2 (glue) nor at x.old (below a DNAME): www is the first
    assert parallel._owner_change(window, origin, found) == line(b"www.") - glue + 1
    assert parallel._owner_change(text[glue - 1 : line(b"www.")], origin, found) is None
    # without the delegations only a new child of the apex will do
    assert parallel._owner_change(window, origin, None) is None
    assert parallel._owner_change(text[glue - 1 :], origin, None) == line(b"zz.") - glue + 1
    # relative owners are names under the origin; the same owner twice is no change
    relative = b"\nwww.dept 300 A 192.0.2.4\nwww.dept 300 AAAA ::1\nmail.dept 300 A 192.0.2.5\n"
    assert parallel._owner_change(relative, origin, set()) == relative.index(b"mail.")
    assert parallel._owner_change(relative[: relative.index(b"mail.")], origin, set()) is None


def test_glue_before_its_delegation_is_read_as_it_comes(
    signed: dict[str, Signed], monkeypatch: pytest.MonkeyPatch
) -> None:
    """dnssec-signzone writes names in its database's order (glue before its
    delegation about half the time): the cuts are found first by a byte search and
    the file is still read in one stream, or in byte ranges, with the sorted read's
    report."""
    raw = signed["bind-nsec"].path.with_suffix(".raw")
    text = raw.read_text()
    assert text.index("\nns.insecure.") < text.index("\ninsecure.") or text.index(
        "\nns.secure."
    ) < text.index("\nsecure."), "dnssec-signzone wrote canonical order: nothing to test"
    at = int(time.time())
    canonical = verify_file(str(signed["bind-nsec"].path), at, jobs=1)
    stream = verify_both(raw, at)
    assert stream.stats.reading == "stream"
    assert comparable(dataclasses.replace(stream, source="")) == comparable(
        dataclasses.replace(canonical, source="")
    )
    assert_ranges_give(stream, str(raw), at, monkeypatch)  # glue, delegation apart too


def glue_first(zone: Path, out: Path) -> Path:
    """``zone`` (one record per line, absolute names) with every name below a
    delegation moved to just after the apex: far from its cut, with children of the
    apex (where ranges start) in between."""
    lines = zone.read_text().splitlines()
    below = [
        x
        for x in lines
        if x.split()[0].endswith(("secure.example.test.", "insecure.example.test."))
    ]
    below = [
        x for x in below if x.split()[0] not in ("secure.example.test.", "insecure.example.test.")
    ]
    rest = [x for x in lines if x not in below]
    apex = sum(1 for x in rest if x.split()[0] == ORIGIN)
    out.write_text("\n".join([*rest[:apex], *below, *rest[apex:]]) + "\n")
    return out


def test_each_range_knows_its_own_cuts_and_the_merge_the_others(
    signed: dict[str, Signed], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Glue next to its delegation (canonical order): every range finds its cuts as
    it reads, and the file is never searched for them.  Glue in another range than
    its delegation: the ranges' own cuts do not hide it from the merge; the range
    with the glue is read again knowing every range's cuts, or, past
    ``REREAD_RANGES``, every range is, after the cuts are found by ``cutscan``.  The
    one-stream report every time."""
    scans: list[str] = []
    search = cutscan.scan
    reads: list[int] = []  # ranges per parallel.read_ranges call
    read = parallel.read_ranges

    def counted(path: str, start: int, origin: bytes) -> cutscan.CutOwners | None:
        scans.append(path)
        return search(path, start, origin)

    def counted_reads(
        path: str, spans: list[tuple[int, int]], *args: Any, **options: Any
    ) -> Iterator[parallel.ChunkResult]:
        reads.append(len(spans))
        return read(path, spans, *args, **options)

    monkeypatch.setattr(cutscan, "scan", counted)
    monkeypatch.setattr(parallel, "read_ranges", counted_reads)
    at = int(time.time())
    path = signed["bind-nsec"].path
    assert_ranges_give(verify_file(str(path), at, jobs=1), str(path), at, monkeypatch)
    assert scans == [] and len(reads) == 2  # one try for each number of ranges
    moved = glue_first(path, tmp_path / "glue-first.zone")
    stream = verify_file(str(moved), at, jobs=1)  # the stream read needs the search
    assert stream.stats.reading == "stream" and len(scans) == 1
    assert comparable(dataclasses.replace(stream, source="")) == comparable(
        dataclasses.replace(verify_file(str(path), at, jobs=1), source="")
    )
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "RANGES_PER_JOB", 10_000)  # a range per child of the apex
    for limit, searched, ranges_again in ((4, 0, 1), (0, 1, -1)):
        monkeypatch.setattr(verify, "REREAD_RANGES", limit)
        monkeypatch.setattr(verify, "REREAD_SHARE", 1 << 30)
        scans.clear()
        reads.clear()
        split = verify_file(str(moved), at, jobs=2)
        assert comparable(split) == comparable(stream)
        assert split.stats.reading == "parallel" and len(scans) == searched
        # read again: the glue's range alone, or all of them (with the cuts known)
        assert len(reads) == 2 and reads[1] == (ranges_again if ranges_again > 0 else reads[0])


BEFORE_ITS_CUT = """$ORIGIN example.test.
$TTL 300
@ SOA ns1 hostmaster 1 3600 600 86400 300
@ NS ns1
ns1 A 192.0.2.1
ns.d A 192.0.2.2
d NS ns.d
txt TXT ( "a"
fake 300 IN NS ns.example. )
www.fake A 192.0.2.3
"""


def test_a_cut_the_byte_search_misreads_sends_the_zone_to_the_sorted_read(
    tmp_path: Path,
) -> None:
    """``fake ... NS`` is text inside a TXT record: the byte search takes it for a
    cut, the reader does not confirm it, and the zone is read sorted (same report)."""
    zone = tmp_path / "z.zone"
    zone.write_text(BEFORE_ITS_CUT)
    owners = cutscan.scan(str(zone), 0, b"example.test.")
    assert owners is not None and b"fake.example.test." in owners.cuts
    report = verify_both(zone, int(time.time()))
    assert report.stats.reading == "sorted"
    assert "OCCLUDED_DATA" not in {f.code for f in report.findings}  # www.fake is data
