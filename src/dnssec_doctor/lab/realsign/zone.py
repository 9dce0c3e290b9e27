"""Sign one lab zone with a real signer: the signer's own output, the DS for the parent."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import dns.name
import dns.zone

from dnssec_doctor.lab.realsign import bind, knot, ldns, policy
from dnssec_doctor.lab.realsign.job import SigningJob
from dnssec_doctor.lab.realsign.recipe import RealSigning, Signer
from dnssec_doctor.lab.realsign.tools import DS, read_signed, sha256_ds, signing_ksks

_MODULES: dict[Signer, ModuleType] = {
    Signer.BIND: bind, Signer.LDNS: ldns, Signer.KNOT: knot, Signer.BIND_POLICY: policy,
}  # fmt: skip


@dataclass(frozen=True)
class SignedZone:
    """A zone as a real signer wrote it."""

    text: str  # the signer's output, byte for byte the zone file the lab serves
    zone: dns.zone.Zone
    parent_ds: list[DS]  # what the parent publishes (SHA-256)
    correct_ds: list[DS]  # what it should publish: one per published KSK signing DNSKEY


def supports(signing: RealSigning) -> bool:
    module = _MODULES.get(signing.signer)
    return module is not None and signing.fault in module.SUPPORTED


def sign_with(
    signing: RealSigning,
    origin: dns.name.Name,
    algorithm: int,
    denial: str,
    now: int,
    unsigned: str,
    workdir: Path,
) -> SignedZone:
    """Sign the zone text *unsigned* in *workdir* (emptied first: keys are new each build)."""
    if not supports(signing):
        raise ValueError(f"{signing.signer} cannot make the state {signing.fault}")
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    source = workdir / "unsigned.zone"
    source.write_text(unsigned)
    job = SigningJob(
        origin, algorithm, denial, now, signing.fault, workdir, signing.csk, signing.optout
    )
    text, parent_ds = _MODULES[signing.signer].sign(job, source)
    zone = read_signed(text, origin)
    correct = [sha256_ds(origin, key) for key in signing_ksks(zone)]
    return SignedZone(text=text, zone=zone, parent_ds=parent_ds, correct_ds=correct)
