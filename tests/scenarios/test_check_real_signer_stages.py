"""Rollover stages, NSEC3 parameters and signature timing (issue 12 classes 1, 4, 5) on
zones signed by real signers, not by the lab's signer: dnssec-keygen makes the keys (a ZSK
published ahead of its activation, two active KSKs), dnssec-signzone -S signs by their
timing metadata; ldns-signzone signs with NSEC3 iterations validators refuse (and, as it
does by default, an inception of the signing moment). The built-in server serves each
under a lab parent whose DS is the one the signer's KSK asks for. `check` must name what
the signers made."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import dns.dnssec
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest

from dnssec_doctor.lab import signer
from dnssec_doctor.lab.build import LabTree, write_lab
from dnssec_doctor.lab.manifest import LabManifest, Outcome
from dnssec_doctor.lab.scenarios import TLDS, Scenario
from dnssec_doctor.lab.server import BackgroundLabServer
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.causes import Cause
from dnssec_doctor.model.report import Report
from dnssec_doctor.model.rollover import RolloverKind, Stage
from dnssec_doctor.services.check import CheckOptions, run_check
from helpers.ports import free_port

T = dns.rdatatype.RdataType
ALGORITHM = "ECDSAP256SHA256"

#: (scenario, the dnssec-keygen runs: extra options each, the dnssec-signzone options,
#: how many of the KSKs the parent's DS names)
ZONES = {
    "bind-zsk-prepublish": ([("-f", "KSK"), (), ("-P", "now", "-A", "+30d")], (), 1),
    "bind-ksk-double": ([("-f", "KSK"), ("-f", "KSK"), ()], (), 1),
    "bind-nsec3-iterations": ([("-f", "KSK"), ()], ("-3", "ABCD", "-H", "10"), 1),
    "ldns-nsec3-too-many": ([("-k",), ()], ("-n", "-t", "200", "-s", "abcd"), 1),
}
SCENARIOS = (
    Scenario("bind-zsk-prepublish", "BIND: a ZSK published ahead of its activation.",
             Outcome.SECURE, Cause.OK, break_at=None),
    Scenario("bind-ksk-double", "BIND: two active KSKs, the DS names the first.",
             Outcome.SECURE, Cause.OK, break_at=None),
    Scenario("bind-nsec3-iterations", "BIND: NSEC3 with 10 iterations and a salt.",
             Outcome.SECURE, Cause.NSEC3_EXTRA_ITERATIONS, denial="nsec3", qname="nonexistent",
             break_at=None),
    Scenario("ldns-nsec3-too-many", "ldns: NSEC3 with 200 iterations; inception: the signing.",
             Outcome.INSECURE, Cause.NSEC3_ITERATIONS_TOO_HIGH, denial="nsec3",
             qname="nonexistent", break_at=None),
)  # fmt: skip

pytestmark = pytest.mark.skipif(
    not all(shutil.which(p) for p in ("dnssec-signzone", "dnssec-keygen", "ldns-signzone")),
    reason="BIND's and ldns's signers (scripts/install-system-packages)",
)


class BindLab(NamedTuple):
    manifest: LabManifest
    port: int
    keys: dict[str, list[tuple[int, tuple[str, ...]]]]  # scenario -> (key tag, keygen options)


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=60, check=False, cwd=cwd
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _bind_sign(
    zone: dns.zone.Zone, workdir: Path, keygen: list[tuple[str, ...]], options: tuple[str, ...]
) -> tuple[dns.zone.Zone, list[tuple[int, tuple[str, ...]]]]:
    """The lab zone's content signed by BIND, and each key's tag with how it was made."""
    assert zone.origin is not None
    origin = zone.origin.to_text()
    unsigned = workdir / "unsigned.zone"
    zone.to_file(str(unsigned), relativize=False, want_origin=True)
    keydir = workdir / "keys"
    keydir.mkdir()
    made = []
    for extra in keygen:
        name = _run("dnssec-keygen", "-q", "-a", ALGORITHM, *extra, "-K", keydir, origin)
        tag = re.fullmatch(r"K.*\+\d{3}\+(\d{5})", name.strip())
        assert tag is not None, name
        made.append((int(tag.group(1)), extra))
    signed = workdir / "signed.zone"
    _run("dnssec-signzone", "-q", "-S", "-K", keydir, "-o", origin, "-d", workdir, "-f",
         signed, *options, unsigned)  # fmt: skip
    return dns.zone.from_file(str(signed), origin=origin, relativize=False), made


def _ldns_sign(
    zone: dns.zone.Zone, workdir: Path, keygen: list[tuple[str, ...]], options: tuple[str, ...]
) -> tuple[dns.zone.Zone, list[tuple[int, tuple[str, ...]]]]:
    """The same with ldns-keygen and ldns-signzone (the KSK signs the DNSKEY RRset)."""
    assert zone.origin is not None
    origin = zone.origin.to_text()
    unsigned = workdir / "unsigned.zone"
    zone.to_file(str(unsigned), relativize=False, want_origin=True)
    made, bases = [], []
    for extra in keygen:
        base = _run("ldns-keygen", "-a", ALGORITHM, *extra, origin, cwd=workdir).strip()
        tag = re.fullmatch(r"K.*\+\d{3}\+(\d{5})", base)
        assert tag is not None, base
        made.append((int(tag.group(1)), extra))
        bases.append(workdir / base)
    signed = workdir / "signed.zone"
    _run("ldns-signzone", *options, "-o", origin, "-f", signed, unsigned, *bases)
    return dns.zone.from_file(str(signed), origin=origin, relativize=False), made


@pytest.fixture(scope="module")
def bind_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BindLab]:
    moment = datetime.now(UTC).replace(microsecond=0)
    tree = LabTree(int(moment.timestamp()), SCENARIOS, TLDS)
    tree.build(tmp_path_factory.mktemp("signers"))
    keys = {}
    for scenario in SCENARIOS:
        origin = dns.name.from_text(scenario.zone)
        lab_zone = tree.zones[origin]
        content = lab_zone.build.zone
        signer.strip_signatures(content)
        keygen, options, in_ds = ZONES[scenario.id]
        sign = _ldns_sign if scenario.id.startswith("ldns-") else _bind_sign
        signed, keys[scenario.id] = sign(
            content, tmp_path_factory.mktemp(scenario.id), keygen, options
        )
        lab_zone.build.zone = signed
        ksks = [k for k in signed.find_rdataset(origin, T.DNSKEY) if k.flags & 0x0001]
        ksks.sort(key=lambda k: [t for t, _ in keys[scenario.id]].index(k.key_id()))
        assert lab_zone.parent is not None
        parent = tree.zones[lab_zone.parent].build
        node = parent.zone.get_node(origin)
        assert node is not None
        node.delete_rdataset(dns.rdataclass.IN, T.DS)
        ds = parent.zone.find_rdataset(origin, T.DS, create=True)
        for key in ksks[:in_ds]:
            ds.add(dns.dnssec.make_ds(origin, key, "SHA256"), 3600)
        signer.resign_rrset(parent.zone, origin, T.DS, parent.plan.data_signers, parent.plan.window)
    manifest = write_lab(tree, tmp_path_factory.mktemp("bind-lab"), moment)
    port = free_port()
    with BackgroundLabServer.for_manifest(manifest, port):
        yield BindLab(manifest, port, keys)


def _check(lab: BindLab, scenario_id: str) -> Report:
    record = lab.manifest.scenario(scenario_id)
    directory = Path(lab.manifest.directory)
    return run_check(
        CheckOptions(
            name=record.qname,
            qtype=record.qtype,
            trust_anchor_file=directory / "root.key",
            root_hints_file=directory / "root.hints",
            port=lab.port,
            timeout=0.3,
        )
    )


def _label(tag: int) -> str:
    return f"{tag}/{ALGORITHM}"


def test_a_zsk_bind_publishes_ahead_is_the_pre_publish_stage(bind_lab: BindLab) -> None:
    report = _check(bind_lab, "bind-zsk-prepublish")
    assert report.analysis.verdict.value == "secure" and report.diagnosis.cause is Cause.OK
    (rollover,) = report.analysis.rollovers
    assert (rollover.kind, rollover.stage) == (RolloverKind.ZSK, Stage.ZSK_PUBLISHED_NOT_SIGNING)
    waiting = [t for t, extra in bind_lab.keys["bind-zsk-prepublish"] if "-P" in extra]
    active = [t for t, extra in bind_lab.keys["bind-zsk-prepublish"] if not extra]
    assert rollover.new_keys == tuple(_label(t) for t in waiting)
    assert rollover.old_keys == tuple(_label(t) for t in active)


def test_two_active_bind_ksks_are_a_ksk_rollover(bind_lab: BindLab) -> None:
    report = _check(bind_lab, "bind-ksk-double")
    assert report.analysis.verdict.value == "secure" and report.diagnosis.cause is Cause.OK
    (rollover,) = report.analysis.rollovers
    assert (rollover.kind, rollover.stage) == (RolloverKind.KSK, Stage.KEY_TWO_SIGNING)
    first, second = [t for t, extra in bind_lab.keys["bind-ksk-double"] if "KSK" in extra]
    assert f"the DS names {_label(first)}, not {_label(second)}" in rollover.summary


def test_bind_nsec3_iterations_and_salt_reach_check(bind_lab: BindLab) -> None:
    report = _check(bind_lab, "bind-nsec3-iterations")
    assert report.analysis.verdict.value == "secure"
    assert report.diagnosis.cause is Cause.NSEC3_EXTRA_ITERATIONS
    found = {f.code: f.message for f in report.analysis.findings}
    assert found[F.NSEC3_ITERATIONS] == "NSEC3 uses 10 extra iterations (RFC 9276: 0)"
    assert "ABCD" in found[F.NSEC3_SALT]


def test_ldns_nsec3_iterations_validators_refuse(bind_lab: BindLab) -> None:
    """ldns-signzone signs with 200 iterations when asked (it only warns): validators
    ignore the denial, the zone is signed; and its default inception, the signing moment
    itself, leaves no margin for a validator whose clock lags."""
    report = _check(bind_lab, "ldns-nsec3-too-many")
    assert report.analysis.verdict.value == "insecure"
    assert report.diagnosis.cause is Cause.NSEC3_ITERATIONS_TOO_HIGH
    codes = {f.code for f in report.analysis.findings}
    assert {F.NSEC3_ITERATIONS_TOO_HIGH, F.NSEC3_SALT, F.RRSIG_INCEPTION_TOO_RECENT} <= codes
    assert F.NSEC3_ITERATIONS not in codes  # the worse of the two, once
