"""BIND 9 dnssec-policy: a `named` signing the zone inline (KASP), as operators run it.

The build starts a named of its own on 127.0.0.1 (a free high port, no root), loads the
unsigned zone with ``dnssec-policy`` and ``inline-signing``, lets named make the keys and
sign, takes the signed zone by zone transfer once it is complete, and stops named (by the
PID it started). The zone file the lab serves is that transfer, written by dnspython.
Only clean states come from dnssec-policy: its key states advance with the clock, so a
broken stage would need hours of policy time (or the dnssec-settime edits that
dnssec-signzone's scenarios already make).
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import dns.exception
import dns.name
import dns.query
import dns.rdatatype
import dns.zone

from dnssec_doctor.lab.real.layout import quoted
from dnssec_doctor.lab.realsign.job import SigningJob
from dnssec_doctor.lab.realsign.recipe import SignerFault
from dnssec_doctor.lab.realsign.tools import DS, SignerError, find_program, sha256_ds, signing_ksks

SUPPORTED = frozenset({SignerFault.NONE})
ADDRESS = "127.0.0.1"
SIGNING_TIMEOUT = 15.0  # seconds for named to start, make keys and sign a small zone
POLL = 0.05
RdataType = dns.rdatatype.RdataType


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((ADDRESS, 0))
        return int(probe.getsockname()[1])


def _config(job: SigningJob, port: int) -> str:
    keys = (
        "csk lifetime unlimited algorithm {alg};"
        if job.csk
        else "ksk lifetime unlimited algorithm {alg}; zsk lifetime unlimited algorithm {alg};"
    ).format(alg=job.mnemonic.lower())
    nsec3 = (
        "    nsec3param iterations 0 optout no salt-length 0;\n" if job.denial == "nsec3" else ""
    )
    return f"""\
options {{
    directory {quoted(job.workdir)};
    key-directory {quoted(job.workdir)};
    pid-file {quoted(job.workdir / "named.pid")};
    session-keyfile {quoted(job.workdir / "session.key")};
    listen-on port {port} {{ {ADDRESS}; }};
    listen-on-v6 {{ none; }};
    recursion no;
    dnssec-validation no;
    allow-transfer {{ {ADDRESS}; }};
    notify no;
}};
controls {{ }};
dnssec-policy lab {{
    keys {{ {keys} }};
{nsec3}}};
zone "{job.name}" {{ type primary; file "unsigned.zone"; dnssec-policy lab; inline-signing yes; }};
"""


def _complete(zone: dns.zone.Zone, nsec3: bool) -> bool:
    """Every RRset signed, the DNSKEY RRset there, the denial chain there."""
    origin = zone.origin
    assert origin is not None
    if zone.get_rdataset(origin, RdataType.DNSKEY) is None:
        return False
    denial = RdataType.NSEC3 if nsec3 else RdataType.NSEC
    seen_denial = False
    for node in zone.nodes.values():
        covered = {r.covers for r in node.rdatasets if r.rdtype == RdataType.RRSIG}
        for rdataset in node.rdatasets:
            if rdataset.rdtype != RdataType.RRSIG and rdataset.rdtype not in covered:
                return False
            seen_denial |= rdataset.rdtype == denial
    return seen_denial and (
        not nsec3 or zone.get_rdataset(origin, RdataType.NSEC3PARAM) is not None
    )


def _transfer(job: SigningJob, port: int) -> dns.zone.Zone | None:
    try:
        zone = dns.zone.Zone(job.origin, relativize=False)
        dns.query.inbound_xfr(ADDRESS, zone, port=port, timeout=1.0, lifetime=2.0)
    except (dns.exception.DNSException, OSError, EOFError):
        return None  # not up yet, or not signed yet
    return zone


def _wait_signed(job: SigningJob, port: int, proc: subprocess.Popen[bytes]) -> dns.zone.Zone:
    deadline = time.monotonic() + SIGNING_TIMEOUT
    last: str | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SignerError(f"named exited ({proc.returncode}) signing {job.name}: see named.log")
        zone = _transfer(job, port)
        if zone is not None and _complete(zone, job.denial == "nsec3"):
            text = zone.to_text(sorted=True, relativize=False, want_origin=True)
            if text == last:  # two transfers alike: named has finished signing
                return zone
            last = text
        time.sleep(POLL)
    raise SignerError(f"named did not sign {job.name} within {SIGNING_TIMEOUT:g} s")


def sign(job: SigningJob, unsigned: Path) -> tuple[str, list[DS]]:
    """The zone as named serves it once signed, and the DS of its signing KSK (or CSK)."""
    port = _free_port()
    (job.workdir / "named.conf").write_text(_config(job, port))
    argv = [find_program("named"), "-g", "-n", "1", "-c", "named.conf"]
    with job.log.open("a") as log:
        log.write(" ".join(argv) + f"  # then AXFR from {ADDRESS}#{port}, then stopped\n")
    with (job.workdir / "named.log").open("wb") as out:
        proc = subprocess.Popen(argv, cwd=job.workdir, stdout=out, stderr=subprocess.STDOUT)
    try:
        zone = _wait_signed(job, port, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    text = zone.to_text(sorted=True, relativize=False, want_origin=True)
    return text, [sha256_ds(job.origin, key) for key in signing_ksks(zone)]
