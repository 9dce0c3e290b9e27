"""BIND 9: keys by dnssec-keygen, key timing by dnssec-settime, zones by dnssec-signzone.

Smart signing (-S) reads the key files' timing metadata, so the faults are BIND's own:
a past delete time removes a key, a future activation keeps a published key from
signing, and a re-signed zone keeps the still-valid signatures of a removed key (as
dnssec-signzone does without -R). -P skips dnssec-signzone's own check of the result,
which otherwise refuses to write a zone that does not validate.
"""

from __future__ import annotations

from pathlib import Path

from dnssec_doctor.lab.realsign.job import DAY, HOUR, RSA_BITS, SigningJob, stamp
from dnssec_doctor.lab.realsign.recipe import SignerFault
from dnssec_doctor.lab.realsign.tools import DS, key_file_dnskey, run, sha256_ds

SUPPORTED = frozenset(SignerFault) - {SignerFault.KSK_UNPUBLISHED}


def _keygen(job: SigningJob, ksk: bool, publish: int, activate: int) -> str:
    argv = ["dnssec-keygen", "-q", "-K", ".", "-a", job.mnemonic]
    if job.algorithm == 8:
        argv += ["-b", str(RSA_BITS)]
    if ksk:
        argv += ["-f", "KSK"]
    argv += ["-P", stamp(publish), "-A", stamp(activate), job.name]
    return run(argv, job.workdir, job.log).strip()


def _delete(job: SigningJob, key: str, when: int) -> None:
    run(["dnssec-settime", "-K", ".", "-D", stamp(when), key], job.workdir, job.log)


def _remove_files(job: SigningJob, key: str) -> None:
    for suffix in (".key", ".private"):
        (job.workdir / f"{key}{suffix}").unlink()
    with job.log.open("a") as log:
        log.write(f"rm {key}.key {key}.private\n")


def _signzone(job: SigningJob, source: str, target: str, verify: bool) -> str:
    inception, expiration = job.window()
    argv = ["dnssec-signzone", "-q", "-S", "-K", ".", "-o", job.name, "-f", target,
            "-s", stamp(inception), "-e", stamp(expiration)]  # fmt: skip
    if job.denial == "nsec3":
        argv += ["-3", "-", "-H", "0"]  # RFC 9276: no salt, no extra iterations
        if job.optout:
            argv.append("-A")
    if job.csk:
        argv.append("-z")  # the one key (KSK flag) signs everything
    if not verify:
        argv.append("-P")
    run([*argv, source], job.workdir, job.log)
    return (job.workdir / target).read_text()


def sign(job: SigningJob, unsigned: Path) -> tuple[str, list[DS]]:
    """The signed zone file's text and the DS the parent publishes."""
    origin, fault = job.origin, job.fault
    since = job.now - DAY  # keys published and active since yesterday
    parent_ds: list[DS] = []
    if fault is SignerFault.REKEYED:
        old = _keygen(job, True, since, since)
        parent_ds = [sha256_ds(origin, key_file_dnskey(job.workdir / f"{old}.key"))]
        _remove_files(job, old)  # the operator threw the old keys away and made new ones
    ksk = _keygen(job, True, since, since)
    zsk = None if job.csk else _keygen(job, False, since, since)
    if not parent_ds:
        parent_ds = [sha256_ds(origin, key_file_dnskey(job.workdir / f"{ksk}.key"))]
    if fault is SignerFault.KSK_REMOVED:
        _delete(job, ksk, job.now - HOUR)
    if fault is SignerFault.ZSK_PREPUBLISHED:
        # pre-publish ZSK rollover (RFC 6781 4.1.1.1): the next ZSK is in the DNSKEY RRset
        # a TTL ahead of its activation; the current ZSK signs
        _keygen(job, False, job.now - HOUR, job.now + 30 * DAY)
    if fault is not SignerFault.ZSK_HALF_DONE or zsk is None:
        return _signzone(job, unsigned.name, "signed.zone", verify=not job.broken), parent_ds
    # the ZSK rollover: the zone signed, then the old ZSK deleted before the new one
    # (published, not yet active) took over; the re-signed zone keeps the old signatures
    _signzone(job, unsigned.name, "before-rollover.zone", verify=True)
    _delete(job, zsk, job.now - HOUR)
    _keygen(job, False, job.now - HOUR, job.now + 30 * DAY)
    return _signzone(job, "before-rollover.zone", "signed.zone", verify=False), parent_ds
