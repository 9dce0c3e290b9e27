"""Knot DNS: kzonesign signs a zone file by a KASP policy, generating its own keys.

The policy is Knot's (knot.conf ``policy:``): automatic key management, 30-day
signatures. kzonesign -t signs as if at another time, so an expired zone is a zone
signed 32 days ago; a re-key is the key store (the KASP database) thrown away and the
zone signed again, which makes new keys.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dns.name

from dnssec_doctor.lab.real.layout import quoted
from dnssec_doctor.lab.realsign.job import DAY, HEALTHY, RSA_BITS, SigningJob
from dnssec_doctor.lab.realsign.recipe import SignerFault
from dnssec_doctor.lab.realsign.tools import (
    DS,
    SignerError,
    read_signed,
    run,
    sha256_ds,
    signing_ksks,
)

SUPPORTED = frozenset(
    {SignerFault.NONE, SignerFault.EXPIRED, SignerFault.NOT_YET_VALID, SignerFault.EXPIRING_SOON,
     SignerFault.REKEYED}
)  # fmt: skip
LIFETIME_DAYS = HEALTHY[1] // DAY


def _config(job: SigningJob, unsigned: Path) -> str:
    rsa = f"\n    ksk-size: {RSA_BITS}\n    zsk-size: {RSA_BITS}" if job.algorithm == 8 else ""
    nsec3 = "off"
    if job.denial == "nsec3":  # RFC 9276: no extra iterations, no salt
        nsec3 = "on\n    nsec3-iterations: 0\n    nsec3-salt-length: 0"
    return f"""\
database:
    storage: {quoted(job.workdir)}
    kasp-db: {quoted(job.workdir / "kasp")}
policy:
  - id: lab
    algorithm: {job.mnemonic.lower()}{rsa}
    single-type-signing: {"on" if job.csk else "off"}
    ksk-lifetime: 0
    zsk-lifetime: 0
    rrsig-lifetime: {LIFETIME_DAYS}d
    rrsig-refresh: 7d
    nsec3: {nsec3}
zone:
  - domain: {job.name}
    file: {quoted(unsigned)}
    dnssec-signing: on
    dnssec-policy: lab
    zonefile-load: whole
"""


def _kzonesign(job: SigningJob, at: int) -> str:
    out = job.workdir / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    run(["kzonesign", "-c", "knot.conf", "-o", "out", "-t", str(at), job.name],
        job.workdir, job.log)  # fmt: skip
    files = list(out.iterdir())
    if len(files) != 1:
        raise SignerError(f"kzonesign wrote {len(files)} files for {job.name}")
    return files[0].read_text()


def _ksk_ds(origin: dns.name.Name, text: str) -> list[DS]:
    return [sha256_ds(origin, key) for key in signing_ksks(read_signed(text, origin))]


def sign(job: SigningJob, unsigned: Path) -> tuple[str, list[DS]]:
    """The signed zone file's text and the DS the parent publishes."""
    (job.workdir / "knot.conf").write_text(_config(job, unsigned.resolve()))
    # signatures run from an hour and a half before `at` (Knot's own margin) for 30 days:
    # signed as of 30 days before the window's end (32 days ago: expired two days ago)
    at = job.window()[1] - LIFETIME_DAYS * DAY
    text = _kzonesign(job, at)
    parent_ds = _ksk_ds(job.origin, text)
    if job.fault is SignerFault.REKEYED:
        shutil.rmtree(job.workdir / "kasp")
        with job.log.open("a") as log:
            log.write("rm -r kasp\n")
        text = _kzonesign(job, job.now)
    return text, parent_ds
