"""Knot DNS: one process per group of "knot" addresses that can share one (see grouping)."""

from __future__ import annotations

from pathlib import Path

from dnssec_doctor.lab.manifest import LabManifest, LabServer
from dnssec_doctor.lab.real.grouping import group_servers, zone_files
from dnssec_doctor.lab.real.layout import quoted, workdir
from dnssec_doctor.lab.real.process import DaemonSpec


def specs(manifest: LabManifest, servers: list[LabServer], port: int) -> list[DaemonSpec]:
    return [
        _spec(manifest, group, port, f"knot-{i}")
        for i, group in enumerate(group_servers(servers), start=1)
    ]


def _spec(manifest: LabManifest, servers: list[LabServer], port: int, name: str) -> DaemonSpec:
    lab = Path(manifest.directory)
    work = workdir(lab, name)
    log = work / "knot.log"
    listen = ", ".join(f"{s.address}@{port}" for s in servers)
    zones = zone_files(servers)
    zone_text = "\n".join(
        f'  - domain: "{origin}"\n    file: {quoted(manifest.path(file))}'
        for origin, file in zones.items()
    )
    # Knot must serve the pre-signed files as they are: no signing, no checks beyond the
    # mandatory ones, no journal, and never write a zone back to its file (zonefile-sync -1)
    text = f"""# dnssec-doctor real-server lab: Knot DNS (generated; do not edit)
server:
    rundir: {quoted(work)}
    pidfile: {quoted(work / "knot.pid")}
    listen: [ {listen} ]
    identity: "{name}"
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: {quoted(log)}
    any: info
database:
    storage: {quoted(work)}
    journal-db: {quoted(work / "journal")}
    kasp-db: {quoted(work / "keys")}
    timer-db: {quoted(work / "timers")}
    catalog-db: {quoted(work / "catalog")}
control:
    listen: {quoted(work / "knot.sock")}
template:
  - id: default
    storage: {quoted(lab)}
    dnssec-signing: off
    dnssec-validation: off
    semantic-checks: off
    zonefile-load: whole
    zonefile-sync: -1
    journal-content: none
    serial-policy: increment
zone:
{zone_text}
"""
    config = work / "knot.conf"
    return DaemonSpec(
        name=name,
        kind="knot",
        program="knotd",
        args=["-c", str(config)],  # knotd stays in the foreground unless given -d
        config=config,
        config_text=text,
        log=log,
        workdir=work,
        addresses=[s.address for s in servers],
        zones=[(s.address, z.origin) for s in servers for z in s.zones],
    )
