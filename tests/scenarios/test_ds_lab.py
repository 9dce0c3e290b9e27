"""`ds show`, `ds compare`, `ds disable-plan` live against the built-in lab.

What they say is held to what the lab was built with (each scenario's ``correct_ds``,
the DS the parent should publish), to the real `dnssec-dsfromkey -f` over the zone file
the servers serve, and to `check`'s verdict on the same zone."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dns.name
import dns.zone
import pytest

from dnssec_doctor.lab.manifest import Outcome, ScenarioRecord, ServedZone
from dnssec_doctor.lab.server import BackgroundLabServer
from helpers.check_fixtures import BuiltinLab
from helpers.cli_helpers import invoke
from helpers.ports import free_port

SCENARIOS = [
    "healthy-ecdsap256", "healthy-rsasha256", "ksk-rollover-done", "insecure-delegation",
    "ds-digest-mismatch", "ds-stale-rekey", "ds-algorithm-mismatch", "ds-unsigned-zone",
    "ds-unsupported-algorithm", "ds-unsupported-digest", "dnskey-missing",
    "dnskey-signed-by-zsk-only", "ksk-rollover-incomplete", "rrsig-expired",
    "stale-secondary", "silent-nameserver", "under-broken-tld", "ksk-removed-no-successor",
    "rekeyed-ds-not-updated-stale-cds", "ds-leftover-extra", "ds-sha1-only",
    "ds-sha1-beside-sha256",
]  # fmt: skip


def _walk(lab: BuiltinLab) -> list[str]:
    return [
        "--trust-anchor", str(lab.directory / "root.key"),
        "--root-hints", str(lab.directory / "root.hints"),
        "--port", str(lab.port), "--timeout", "0.3",
    ]  # fmt: skip


def _zone_of(record: ScenarioRecord) -> str:
    """The zone whose DS the scenario is about: the owner of its correct DS, else its own."""
    return record.correct_ds[0].split()[0] if record.correct_ds else record.zone


def _rdata(line: str) -> str:
    """A DS record's RDATA, the digest in upper case (zone-file lines differ in TTL, case)."""
    return " ".join(line.split()[-4:]).upper()


def _json(lab: BuiltinLab, *args: str) -> tuple[int, dict[str, Any]]:
    result = invoke(["ds", *args, "--json", *_walk(lab)])
    assert result.stderr == "", result.stderr
    return result.exit_code, json.loads(result.stdout)


def _check_verdict(lab: BuiltinLab, zone: str) -> str:
    result = invoke(["check", zone, "SOA", "--json", *_walk(lab)])
    return str(json.loads(result.stdout)["verdict"])


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_compare_publishes_the_labs_correct_ds(builtin_lab: BuiltinLab, scenario_id: str) -> None:
    record = builtin_lab.manifest.scenario(scenario_id)
    zone = _zone_of(record)
    code, report = _json(builtin_lab, "compare", zone)
    assert report["schema"] == "dnssec-doctor/ds-compare/1"
    assert report["exit_code"] == code
    published = sorted(_rdata(d["record"]) for d in report["publish"])
    if record.correct_ds or record.outcome is not Outcome.BOGUS:
        assert published == sorted(_rdata(line) for line in record.correct_ds)
    else:
        # the lab's fix is in the zone (sign the DNSKEY RRset with the key the DS names,
        # or the key's successor was never made): a DS for the key that signs is offered,
        # and the zone-side fix beside it when the DS names a published key
        assert {d["state"] for d in report["ds"]} == {"stale"} and code == 2
    verdict = _check_verdict(builtin_lab, zone)
    states = [d["state"] for d in report["ds"]]
    if code == 0:
        assert all(s == "match" for s in states) and not report["missing"]
    if code == 2:  # no DS names a signing key: check must find the zone bogus too
        assert verdict == "bogus" and "match" not in states and "sha1" not in states
    if verdict == "secure":
        assert code in (0, 1)


def test_compare_names_stale_and_missing(builtin_lab: BuiltinLab) -> None:
    code, leftover = _json(builtin_lab, "compare", "ds-leftover-extra.test.")
    assert code == 1 and leftover["outcome"] == "change"
    assert sorted(d["state"] for d in leftover["ds"]) == ["match", "stale"]
    assert not leftover["missing"]
    code, sha1 = _json(builtin_lab, "compare", "ds-sha1-only.test.")
    assert code == 1 and [d["state"] for d in sha1["ds"]] == ["sha1"]
    [missing] = sha1["missing"]
    assert missing["key_tag"] == sha1["ds"][0]["matches_key"]
    assert [d["digest_type"] for d in sha1["publish"]] == [2]
    code, rollover = _json(builtin_lab, "compare", "ksk-rollover-incomplete.test.")
    assert code == 2 and rollover["outcome"] == "broken"
    assert [d["state"] for d in rollover["ds"]] == ["stale"]
    assert [k["key_tag"] for k in rollover["missing"]] == [
        d["key_tag"] for d in rollover["publish"]
    ]
    assert any("keep failing" in line for line in rollover["timing"])


def test_compare_digest_option(builtin_lab: BuiltinLab) -> None:
    code, report = _json(builtin_lab, "compare", "ds-stale-rekey.test.", "--digest", "2,4")
    assert code == 2
    assert sorted(d["digest_type"] for d in report["publish"]) == [2, 4]
    text = invoke(["ds", "compare", "ds-stale-rekey.test.", "--format", "zone",
                   *_walk(builtin_lab)])  # fmt: skip
    record = builtin_lab.manifest.scenario("ds-stale-rekey")
    assert [_rdata(line) for line in text.stdout.splitlines()] == [
        _rdata(line) for line in record.correct_ds
    ]


def _dsfromkey_f(lab: BuiltinLab, zone: str) -> list[str]:
    path = lab.manifest.path(lab.manifest.zones[zone])
    done = subprocess.run(
        ["dnssec-dsfromkey", "-f", str(path), zone], capture_output=True, text=True, check=True
    )
    return done.stdout.split("\n")[:-1]


@pytest.mark.skipif(shutil.which("dnssec-dsfromkey") is None, reason="needs bind9-utils")
@pytest.mark.parametrize(
    "scenario_id",
    ["healthy-ecdsap384", "healthy-ed25519", "ksk-rollover-done", "ds-stale-rekey",
     "dnskey-signed-by-zsk-only", "ds-sha1-only", "rrsig-expired"],
)  # fmt: skip
def test_show_live_is_dnssec_dsfromkey_on_the_served_zone(
    builtin_lab: BuiltinLab, scenario_id: str
) -> None:
    zone = builtin_lab.manifest.scenario(scenario_id).zone
    code, report = _json(builtin_lab, "show", zone)
    assert report["schema"] == "dnssec-doctor/ds-show/1" and report["source"] == "live"
    ours = {d["record"]: k for k in report["keys"] for d in k["ds"]}
    theirs = _dsfromkey_f(builtin_lab, zone)
    assert set(theirs) <= set(ours), (theirs, list(ours))
    for line, key in ours.items():
        if line not in theirs:  # a key without SEP that signs the DNSKEY RRset: named on purpose
            assert not key["sep"] and key["signs_dnskey"] is True, key
    assert code == 0
    for key in report["keys"]:
        assert sorted(key["servers"]) == sorted(report["servers"])


def test_show_live_authentication(builtin_lab: BuiltinLab) -> None:
    _, healthy = _json(builtin_lab, "show", "healthy-ecdsap256.test.")
    assert healthy["authenticated"] is True
    [key] = healthy["keys"]
    assert [d["key_tag"] for d in healthy["parent_ds"]] == [key["key_tag"]]
    assert healthy["parent_ds"][0]["digest"] == key["ds"][0]["digest"]
    _, stale = _json(builtin_lab, "show", "ds-stale-rekey.test.")
    assert stale["authenticated"] is False and "NOT authenticated" in stale["authentication"]
    _, insecure = _json(builtin_lab, "show", "insecure-delegation.example.")
    assert insecure["authenticated"] is None and insecure["parent_ds"] == []


@dataclass(frozen=True)
class SplitLab:
    lab: BuiltinLab
    zone: str
    lab_copy: str  # the address that serves the lab's copy
    resigned: str  # the address that serves the zone signed again with new keys
    new_keys: tuple[int, ...]


_DNSSEC_TYPES = (["RRSIG"], ["NSEC"], ["NSEC3"], ["NSEC3PARAM"])


def _resign(
    original: Path, zone: str, directory: Path, extra: list[str]
) -> tuple[Path, tuple[int, ...]]:
    """*original* without its DNSSEC records, plus *extra* lines, signed again by the real
    dnssec-signzone with a new KSK and ZSK: the signed file and the new keys' tags."""
    keys = directory / f"keys-{zone}"
    keys.mkdir()
    made = []
    for flags in (["-f", "KSK"], []):
        done = subprocess.run(
            ["dnssec-keygen", "-q", "-K", str(keys), "-a", "13", *flags, zone],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        made.append(keys / f"{done.stdout.strip()}.key")
    apex = dns.name.from_text(zone)
    unsigned = [
        line
        for line in original.read_text().splitlines()
        if line.split()[3:4] not in _DNSSEC_TYPES
        and not (line.split()[3:4] == ["DNSKEY"] and dns.name.from_text(line.split()[0]) == apex)
    ]
    dnskeys = [next(x for x in p.read_text().splitlines() if not x.startswith(";")) for p in made]
    plain = directory / "zones" / f"resigned-{zone}zone"
    plain.write_text("\n".join([*unsigned, *extra, *dnskeys]) + "\n")
    subprocess.run(
        ["dnssec-signzone", "-q", "-d", str(keys), "-K", str(keys), "-o", zone,
         "-f", f"{plain}.signed", str(plain)],
        capture_output=True, check=True,
    )  # fmt: skip
    tags = tuple(int(p.name.split("+")[-1].removesuffix(".key")) for p in made)
    return Path(f"{plain}.signed"), tags


@contextmanager
def _one_server_serves(
    lab: BuiltinLab, directory: Path, origin: str, signed: Path
) -> Iterator[tuple[BuiltinLab, str, str]]:
    """The lab (copied to *directory*), the second server of *origin* serving *signed*:
    the lab, the address with the lab's copy and the one with the other copy."""
    servers = [s for s in lab.manifest.servers if any(z.origin == origin for z in s.zones)]
    first, second = servers[0], servers[1]
    relative = str(signed.relative_to(directory))
    moved = replace(
        second,
        zones=[ServedZone(z.origin, relative) if z.origin == origin else z for z in second.zones],
    )
    manifest = replace(
        lab.manifest,
        directory=str(directory),
        servers=[moved if s is second else s for s in lab.manifest.servers],
    )
    port = free_port()
    with BackgroundLabServer.for_manifest(manifest, port):
        yield BuiltinLab(manifest, port), first.address, second.address


def _lab_copy(lab: BuiltinLab, tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    directory = tmp_path_factory.mktemp(name) / "lab"
    shutil.copytree(lab.directory, directory)
    return directory


@pytest.fixture(scope="module")
def split_lab(
    builtin_lab: BuiltinLab, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SplitLab]:
    """The lab, but one server of healthy-ecdsap256.test. serves the zone signed again by
    the real dnssec-signzone with new keys (an operator who re-keyed one server only)."""
    zone = "healthy-ecdsap256.test."
    directory = _lab_copy(builtin_lab, tmp_path_factory, "split-lab")
    original = builtin_lab.manifest.path(builtin_lab.manifest.zones[zone])
    signed, tags = _resign(original, zone, directory, [])
    with _one_server_serves(builtin_lab, directory, zone, signed) as (lab, first, second):
        yield SplitLab(lab, zone, first, second, tags)


@pytest.mark.skipif(shutil.which("dnssec-signzone") is None, reason="needs bind9")
def test_show_names_keys_that_differ_between_servers(split_lab: SplitLab) -> None:
    _, report = _json(split_lab.lab, "show", split_lab.zone)
    assert report["servers_differ"] is True
    new_ksk, new_zsk = split_lab.new_keys
    served = report["servers"]
    assert new_zsk in served[split_lab.resigned]
    assert new_ksk in served[split_lab.resigned] and new_ksk not in served[split_lab.lab_copy]
    old = [t for t in served[split_lab.lab_copy] if t not in served[split_lab.resigned]]
    assert old
    for tag in (new_ksk, *old):
        assert any(n.startswith(f"key {tag} is served by") for n in report["notes"]), report
    # the new KSK signs at the re-signed server: its DS is shown, named by that server
    [new] = [k for k in report["keys"] if k["key_tag"] == new_ksk]
    assert new["servers"] == [split_lab.resigned] and new["signs_dnskey"] is True
    text = invoke(["ds", "show", split_lab.zone, *_walk(split_lab.lab)]).stdout
    assert "The servers serve different DNSKEY RRsets:" in text
    assert f"{split_lab.resigned} (" in text


@pytest.mark.skipif(shutil.which("dnssec-signzone") is None, reason="needs bind9")
def test_compare_with_one_server_rekeyed(split_lab: SplitLab) -> None:
    """The parent's DS still names the lab's KSK (signing at one server); the new KSK
    signs at the other and has no DS: missing, the chain holds (validators retry the
    other server), the plan keeps the old DS and adds the new one."""
    code, report = _json(split_lab.lab, "compare", split_lab.zone)
    assert code == 1 and report["outcome"] == "change"
    new_ksk = split_lab.new_keys[0]
    assert [k["key_tag"] for k in report["missing"]] == [new_ksk]
    assert [d["state"] for d in report["ds"]] == ["match"]
    assert sorted(d["key_tag"] for d in report["publish"]) == sorted(
        [report["ds"][0]["key_tag"], new_ksk]
    )
    assert any("Keep the old DS" in line for line in report["timing"])


def test_show_epp_live(builtin_lab: BuiltinLab) -> None:
    import xml.etree.ElementTree as ET

    result = invoke(["ds", "show", "healthy-ed25519.test.", "--format", "epp",
                     *_walk(builtin_lab)])  # fmt: skip
    root = ET.fromstring(result.stdout)
    ns = "{urn:ietf:params:xml:ns:secDNS-1.1}"
    [data] = root.findall(f"{ns}dsData")
    record = builtin_lab.manifest.scenario("healthy-ed25519")
    assert _rdata(record.correct_ds[0]) == " ".join(
        data.findtext(f"{ns}{f}") or "" for f in ("keyTag", "alg", "digestType", "digest")
    )
    update = invoke(["ds", "compare", "ds-stale-rekey.test.", "--format", "epp",
                     *_walk(builtin_lab)])  # fmt: skip
    root = ET.fromstring(update.stdout)
    assert root.tag == f"{ns}update"
    assert [c.tag.removeprefix(ns) for c in root] == ["rem", "add"]  # RFC 5910 5.2.5 order
    assert root.findtext(f"{ns}rem/{ns}all") == "true"


def _parent_ds_ttl(lab: BuiltinLab, zone: str, parent: str) -> int:
    path = lab.manifest.path(lab.manifest.zones[parent])
    served = dns.zone.from_file(str(path), origin=parent, relativize=False)
    rdataset = served.get_rdataset(dns.name.from_text(zone), "DS")
    assert rdataset is not None
    return int(rdataset.ttl)


def test_disable_plan_times_come_from_the_served_ttls(builtin_lab: BuiltinLab) -> None:
    zone = "healthy-ecdsap256.test."
    at = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    code, plan = _json(builtin_lab, "disable-plan", zone, "--at", "2026-12-05T10:00:00Z")
    assert code == 0 and plan["schema"] == "dnssec-doctor/ds-disable-plan/1"
    ds_ttl = _parent_ds_ttl(builtin_lab, zone, "test.")
    assert plan["ds_ttl"] == ds_ttl
    path = builtin_lab.manifest.path(builtin_lab.manifest.zones[zone])
    served = dns.zone.from_file(str(path), origin=zone, relativize=False)
    dnskey = served.get_rdataset(zone, "DNSKEY")
    assert dnskey is not None and plan["dnskey_ttl"] == dnskey.ttl
    insecure = at + timedelta(seconds=ds_ttl)
    assert plan["insecure_at"] == insecure.strftime("%Y-%m-%dT%H:%M:%SZ")
    wait = max(plan["dnskey_ttl"], plan["rrsig_ttl"])
    assert plan["unsign_at"] == (insecure + timedelta(seconds=wait)).strftime("%Y-%m-%dT%H:%M:%SZ")
    titles = [s["title"] for s in plan["steps"]]
    order = ["Remove every DS", "Wait until no server", "Keep ", "Only then stop signing"]
    found = [next(i for i, t in enumerate(titles) if t.startswith(o)) for o in order]
    assert found == sorted(found) and len(titles) == len(order)
    assert any("CDS 0 0 0 00" in line and "CDNSKEY 0 3 0 AA==" in line
               for s in plan["steps"] for line in s["lines"])  # fmt: skip
    assert f"{ds_ttl} s" in titles[1] and plan["insecure_at"][:10] in " ".join(titles)
    back = " ".join(s["title"] for s in plan["way_back"])
    for word in ("Sign ", "dnssec-doctor check", "ds show", "ds compare"):
        assert word in back


def test_disable_plan_of_an_insecure_delegation(builtin_lab: BuiltinLab) -> None:
    code, plan = _json(builtin_lab, "disable-plan", "insecure-delegation.example.")
    assert code == 0 and plan["ds"] == [] and plan["ds_ttl"] is None
    assert "Nothing to remove" in plan["steps"][0]["title"]


def test_disable_plan_warns_when_signatures_expire_first(builtin_lab: BuiltinLab) -> None:
    code, plan = _json(builtin_lab, "disable-plan", "rrsig-expiring-soon.test.", "--at", "+71h")
    assert code == 0
    assert plan["signatures_expire"] is not None and plan["signatures_expire"] < plan["unsign_at"]
    assert any("expire" in n for n in plan["notes"])


def test_check_emergency_step_points_to_the_plan(builtin_lab: BuiltinLab) -> None:
    result = invoke(["check", "www.ds-stale-rekey.test.", *_walk(builtin_lab)])
    assert "Emergency: remove every DS record for ds-stale-rekey.test." in result.stdout
    assert "dnssec-doctor ds disable-plan ds-stale-rekey.test." in result.stdout


def _fails(lab: BuiltinLab, *args: str, word: str) -> None:
    result = invoke(["ds", *args])
    assert result.exit_code == 3, result.output
    assert result.stderr.count("\n") == 1 and word in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_live_bad_input(builtin_lab: BuiltinLab) -> None:
    walk = _walk(builtin_lab)
    for command in ("show", "compare", "disable-plan"):
        _fails(builtin_lab, command, "www.ds-stale-rekey.test.", *walk, word="is not a zone")
        _fails(builtin_lab, command, "bad..name", *walk, word="not a valid domain name")
        _fails(builtin_lab, command, "nonexistent.test.", *walk, word="is not a zone")
    silent = [*walk[:4], "--port", "9", "--timeout", "0.1"]
    _fails(builtin_lab, "compare", "healthy-ecdsap256.test.", *silent, word="unreachable")
    _fails(builtin_lab, "show", "healthy-ecdsap256.test.", *walk, "--at", "yesterday", word="--at")
    _fails(builtin_lab, "compare", "healthy-ecdsap256.test.", "--root-hints", "/nonexistent",
           word="/nonexistent")  # fmt: skip


@pytest.mark.skipif(shutil.which("dnssec-signzone") is None, reason="needs bind9")
def test_compare_when_parent_servers_differ(
    builtin_lab: BuiltinLab, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """One server of test. serves a copy (signed again by dnssec-signzone) whose DS set for
    healthy-ecdsap256.test. has a SHA-384 DS added: a change still propagating. Each
    server's set is listed, the new DS is named with the one server that serves it."""
    child = "healthy-ecdsap256.test."
    directory = _lab_copy(builtin_lab, tmp_path_factory, "split-parent")
    child_file = builtin_lab.manifest.path(builtin_lab.manifest.zones[child])
    [sha384] = subprocess.run(
        ["dnssec-dsfromkey", "-a", "SHA-384", "-f", str(child_file), child],
        capture_output=True, text=True, check=True,
    ).stdout.split("\n")[:-1]  # fmt: skip
    parent = builtin_lab.manifest.path(builtin_lab.manifest.zones["test."])
    owner, _, rdtype, *rdata = sha384.split()
    signed, _ = _resign(parent, "test.", directory, [f"{owner} 3600 IN {rdtype} {' '.join(rdata)}"])
    with _one_server_serves(builtin_lab, directory, "test.", signed) as (lab, first, second):
        code, report = _json(lab, "compare", child)
        text = invoke(["ds", "compare", child, *_walk(lab)]).stdout
    assert code == 1 and report["outcome"] == "change"
    assert report["parent_servers_differ"] is True
    assert len(report["parent_servers"][second]) == len(report["parent_servers"][first]) + 1
    [added] = [d for d in report["ds"] if d["digest_type"] == 4]
    assert added["servers"] == [second] and added["state"] == "match"
    assert _rdata(added["record"]) == _rdata(sha384)
    assert any("serve different DS sets" in n for n in report["notes"])
    assert "Per parent server:" in text and f"served by {second}" in text


def test_disable_plan_removes_the_cds_first(builtin_lab: BuiltinLab) -> None:
    """A zone that publishes CDS/CDNSKEY for its keys: a parent processing CDS would put
    the DS back, so the plan removes them before the DS."""
    zone = "rekeyed-ds-not-updated-stale-cds.example."
    code, plan = _json(builtin_lab, "disable-plan", zone)
    assert code == 0
    path = builtin_lab.manifest.path(builtin_lab.manifest.zones[zone])
    served = dns.zone.from_file(str(path), origin=zone, relativize=False)
    published = sorted(
        f"{kind} {rd.to_text()}"
        for kind in ("CDS", "CDNSKEY")
        for rd in served.get_rdataset(zone, kind) or ()
    )
    assert published and plan["cds_published"] == published
    first = plan["steps"][0]
    assert first["title"].startswith("First remove the CDS/CDNSKEY") and first["lines"] == published
    assert plan["steps"][1]["title"].startswith("Remove every DS")
