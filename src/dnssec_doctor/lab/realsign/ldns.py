"""ldns: keys by ldns-keygen, zones by ldns-signzone (ldnsutils).

ldns-signzone takes the signature times (-i, -e) and, with -d, does not add the DNSKEY
records of the keys it signs with: the zone then publishes only the DNSKEYs its file
already holds. ldns keeps no key timing, so a re-key is new key files.
"""

from __future__ import annotations

from pathlib import Path

from dnssec_doctor.lab.realsign.job import RSA_BITS, SigningJob
from dnssec_doctor.lab.realsign.recipe import SignerFault
from dnssec_doctor.lab.realsign.tools import DS, key_file_dnskey, run, sha256_ds

SUPPORTED = frozenset(
    {SignerFault.NONE, SignerFault.EXPIRED, SignerFault.NOT_YET_VALID, SignerFault.EXPIRING_SOON,
     SignerFault.REKEYED, SignerFault.KSK_UNPUBLISHED}
)  # fmt: skip


def _keygen(job: SigningJob, ksk: bool) -> str:
    argv = ["ldns-keygen", "-a", job.mnemonic]
    if job.algorithm == 8:
        argv += ["-b", str(RSA_BITS)]
    if ksk:
        argv.append("-k")
    return run([*argv, job.name], job.workdir, job.log).strip()


def _remove_files(job: SigningJob, key: str) -> None:
    for suffix in (".key", ".private", ".ds"):
        (job.workdir / f"{key}{suffix}").unlink(missing_ok=True)
    with job.log.open("a") as log:
        log.write(f"rm {key}.key {key}.private {key}.ds\n")


def sign(job: SigningJob, unsigned: Path) -> tuple[str, list[DS]]:
    """The signed zone file's text and the DS the parent publishes."""
    parent_ds: list[DS] = []
    if job.fault is SignerFault.REKEYED:
        old = _keygen(job, ksk=True)
        parent_ds = [sha256_ds(job.origin, key_file_dnskey(job.workdir / f"{old}.key"))]
        _remove_files(job, old)
    ksk = _keygen(job, ksk=True)
    # a CSK: ldns-signzone given one key signs everything with it
    keys = [ksk] if job.csk else [ksk, _keygen(job, ksk=False)]
    if not parent_ds:
        parent_ds = [sha256_ds(job.origin, key_file_dnskey(job.workdir / f"{ksk}.key"))]
    inception, expiration = job.window()
    argv = ["ldns-signzone", "-o", job.name, "-f", "signed.zone",
            "-i", str(inception), "-e", str(expiration)]  # fmt: skip
    if job.denial == "nsec3":
        argv += ["-n", "-t", "0"]  # RFC 9276: no extra iterations, no salt
        if job.optout:
            argv.append("-p")
    source = unsigned.name
    if job.fault is SignerFault.KSK_UNPUBLISHED:
        # the zone file carries the ZSK's DNSKEY only; -d: ldns adds none of its own
        source = "with-zsk.zone"
        zsk_line = (job.workdir / f"{keys[-1]}.key").read_text()
        (job.workdir / source).write_text(unsigned.read_text() + zsk_line)
        with job.log.open("a") as log:
            log.write(f"cat {unsigned.name} {keys[-1]}.key > {source}\n")
        argv.append("-d")
    run([*argv, source, *keys], job.workdir, job.log)
    return (job.workdir / "signed.zone").read_text(), parent_ds
