"""Errors of the real-server lab, each a one-line message the CLI can print as it is."""

from __future__ import annotations

import os
import shutil

# The Debian package that ships each program the real-server lab runs.
DEBIAN_PACKAGES = {
    "named": "bind9",
    "delv": "bind9-dnsutils",
    "nsd": "nsd",
    "knotd": "knot",
    "unbound": "unbound",
    "ip": "iproute2",
    "ss": "iproute2",
}


class RealLabError(RuntimeError):
    """The real-server lab cannot start, answer or stop; the message says why and what to do."""


def require_root() -> None:
    """Port 53 and `ip addr add ... dev lo` both need root."""
    if os.geteuid() != 0:
        raise RealLabError(
            "the real-server lab needs root (it listens on port 53 and adds 127.53.x.y "
            "addresses to lo with `ip addr add`): run it as root"
        )


def find_binary(name: str) -> str:
    """The program's path on PATH, or an error naming the Debian package to install."""
    path = shutil.which(name)
    if path is None:
        package = DEBIAN_PACKAGES.get(name, name)
        raise RealLabError(
            f"`{name}` not found on PATH: install it with `apt-get install {package}`"
        )
    return path
