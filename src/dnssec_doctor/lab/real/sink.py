"""A sink for the lab's silent addresses: it holds port 53 and never answers.

With nothing listening, a query would draw an immediate ICMP port-unreachable (a closed
port on a live host).  A silent nameserver in the lab stands for a dead or firewalled one,
whose queries time out, so this process binds UDP and TCP, reads nothing and accepts
nothing: UDP queries pile up and are dropped, TCP connections are never answered.

The process itself is sinkd.py, run as a script.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dnssec_doctor.lab.manifest import LabManifest
from dnssec_doctor.lab.real import sinkd
from dnssec_doctor.lab.real.layout import workdir
from dnssec_doctor.lab.real.process import DaemonSpec

NAME = "sink"
READY = sinkd.READY


def spec(manifest: LabManifest, addresses: list[str], port: int) -> DaemonSpec:
    work = workdir(Path(manifest.directory), NAME)
    config = work / "addresses"
    return DaemonSpec(
        name=NAME,
        kind="sink",
        program=sys.executable,
        args=["-I", str(Path(sinkd.__file__)), str(port), *addresses],
        config=config,
        config_text="\n".join(addresses) + "\n",  # for people: what the sink holds
        log=work / "sink.log",
        workdir=work,
        addresses=addresses,
    )


__all__ = ["NAME", "READY", "spec"]
