"""NSD: one process per group of "nsd" addresses that can share one (see grouping)."""

from __future__ import annotations

from pathlib import Path

from dnssec_doctor.lab.manifest import LabManifest, LabServer
from dnssec_doctor.lab.real.grouping import group_servers, zone_files
from dnssec_doctor.lab.real.layout import quoted, workdir
from dnssec_doctor.lab.real.process import DaemonSpec


def specs(manifest: LabManifest, servers: list[LabServer], port: int) -> list[DaemonSpec]:
    return [
        _spec(manifest, group, port, f"nsd-{i}")
        for i, group in enumerate(group_servers(servers), start=1)
    ]


def _spec(manifest: LabManifest, servers: list[LabServer], port: int, name: str) -> DaemonSpec:
    lab = Path(manifest.directory)
    work = workdir(lab, name)
    log = work / "nsd.log"
    listen = "\n".join(f"    ip-address: {s.address}" for s in servers)
    zones = zone_files(servers)
    zone_text = "\n".join(
        f'zone:\n    name: "{origin}"\n    zonefile: {quoted(manifest.path(file))}'
        for origin, file in zones.items()
    )
    # database "" keeps zones in memory only (no nsd.db); every other path is in the lab
    text = f"""# dnssec-doctor real-server lab: NSD (generated; do not edit)
server:
{listen}
    port: {port}
    do-ip4: yes
    do-ip6: no
    server-count: 1
    reuseport: no
    username: ""
    chroot: ""
    database: ""
    zonesdir: {quoted(lab)}
    zonelistfile: {quoted(work / "zone.list")}
    xfrdfile: {quoted(work / "xfrd.state")}
    xfrdir: {quoted(work)}
    pidfile: {quoted(work / "nsd.pid")}
    logfile: {quoted(log)}
    verbosity: 1
    minimal-responses: yes
    hide-version: no
    identity: "{name}"
    zonefiles-check: no
    zonefiles-write: 0
remote-control:
    control-enable: no
{zone_text}
"""
    config = work / "nsd.conf"
    return DaemonSpec(
        name=name,
        kind="nsd",
        program="nsd",
        args=["-d", "-c", str(config)],  # -d: stay in the foreground
        config=config,
        config_text=text,
        log=log,
        workdir=work,
        addresses=[s.address for s in servers],
        zones=[(s.address, z.origin) for s in servers for z in s.zones],
    )
