"""Unbound: the lab's validating resolver, iterating from the lab's root hints."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

import dns.name

from dnssec_doctor.lab.manifest import UNBOUND_ADDRESS, LabManifest
from dnssec_doctor.lab.real.layout import ROOT_HINTS, ROOT_KEY, quoted, workdir
from dnssec_doctor.lab.real.process import DaemonSpec

NAME = "unbound"


def spec(manifest: LabManifest, port: int) -> DaemonSpec:
    lab = Path(manifest.directory)
    work = workdir(lab, NAME)
    log = work / "unbound.log"
    # Unbound answers NXDOMAIN itself for names under its default local zones (test., invalid.,
    # onion., ... per RFC 6761): the lab's own TLDs must be resolved instead
    tlds = sorted({str(_tld(origin)) for origin in manifest.zones if origin != "."})
    nodefault = "".join(f'    local-zone: "{tld}" nodefault\n' for tld in tlds)
    # trust-anchor-file, not auto-trust-anchor-file: a static anchor, no RFC 5011 state
    text = f"""# dnssec-doctor real-server lab: validating Unbound (generated; do not edit)
server:
    interface: {UNBOUND_ADDRESS}
    port: {port}
    do-ip4: yes
    do-ip6: no
    do-udp: yes
    do-tcp: yes
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    chroot: ""
    username: ""
    directory: {quoted(work)}
    pidfile: {quoted(work / "unbound.pid")}
    logfile: {quoted(log)}
    use-syslog: no
    log-time-ascii: yes
    log-servfail: yes
    verbosity: 1
    val-log-level: 2
    module-config: "validator iterator"
    root-hints: {quoted(lab / ROOT_HINTS)}
    trust-anchor-file: {quoted(lab / ROOT_KEY)}
    num-threads: 1
    so-reuseport: no
    outgoing-range: 64
    num-queries-per-thread: 32
    msg-cache-size: 4m
    rrset-cache-size: 8m
    key-cache-size: 4m
    infra-host-ttl: 30
    ede: yes
    hide-identity: no
    hide-version: no
{_dnsbomb_limits_off()}{nodefault}remote-control:
    control-enable: no
"""
    config = work / "unbound.conf"
    return DaemonSpec(
        name=NAME,
        kind="unbound",
        program="unbound",
        args=["-d", "-c", str(config)],  # -d: stay in the foreground
        config=config,
        config_text=text,
        log=log,
        workdir=work,
        addresses=[UNBOUND_ADDRESS],
    )


def _tld(origin: str) -> dns.name.Name:
    name = dns.name.from_text(origin)
    return name.split(2)[1]  # the last label (and the root)


@functools.cache
def _supports(option: str) -> bool:
    """Does this Unbound know *option*?  (Debian backports some options to 1.17.)"""
    checkconf = shutil.which("unbound-checkconf")
    if checkconf is None:
        return False
    result = subprocess.run(
        [checkconf, "-o", option, "/dev/null"], capture_output=True, text=True, check=False
    )
    return result.returncode == 0


def _dnsbomb_limits_off() -> str:
    # The DNSBomb fix (CVE-2024-33655) drops the reply to a client query older than
    # discard-timeout (1.9 s) and caps waiting queries per client netblock.  A lab query
    # behind a silent nameserver easily takes 2 s, and every lab client is in 127.53/16.
    lines = [f"    {o}: 0\n" for o in ("discard-timeout", "wait-limit") if _supports(o)]
    return "".join(lines)
