"""Lab addresses as /32 aliases on lo.

The kernel routes all of 127.0.0.0/8 to lo, so NSD, Knot and Unbound can bind any
127.53.x.y without help, but named only listens on addresses configured on an interface.
Only the aliases added here are removed again, so an address someone else configured stays.
"""

from __future__ import annotations

import ipaddress
import subprocess

from dnssec_doctor.lab.manifest import LAB_NET_PREFIX
from dnssec_doctor.lab.real.errors import RealLabError, find_binary


def present_on_lo() -> set[str]:
    """IPv4 addresses configured on lo."""
    out = _ip(["-o", "-4", "addr", "show", "dev", "lo"])
    found: set[str] = set()
    for line in out.splitlines():
        fields = line.split()
        if "inet" in fields:
            found.add(fields[fields.index("inet") + 1].split("/")[0])
    return found


def add_to_lo(addresses: list[str]) -> list[str]:
    """Add each missing address as a /32 on lo; return the ones added (and only those)."""
    for address in addresses:
        _check_lab_address(address)
    present = present_on_lo()
    missing = sorted({a for a in addresses if a not in present}, key=ipaddress.IPv4Address)
    if missing:
        _ip_batch([f"addr add {a}/32 dev lo" for a in missing])
    return missing


def remove_from_lo(addresses: list[str]) -> None:
    """Remove aliases this lab added; those already gone are no error."""
    present = present_on_lo()
    gone = [a for a in addresses if a in present]
    for address in gone:
        _check_lab_address(address)
    if gone:
        _ip_batch([f"addr del {a}/32 dev lo" for a in gone])


def _check_lab_address(address: str) -> None:
    # a guard against ever touching an address outside the lab's /16
    ipaddress.IPv4Address(address)
    if not address.startswith(LAB_NET_PREFIX):
        raise RealLabError(f"{address} is not a lab address (the lab uses {LAB_NET_PREFIX}0.0/16)")


def _ip(args: list[str], stdin: str | None = None) -> str:
    result = subprocess.run(
        [find_binary("ip"), *args], input=stdin, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().replace("\n", "; ")
        raise RealLabError(f"`ip {' '.join(args)}` failed: {detail}")
    return result.stdout


def _ip_batch(commands: list[str]) -> None:
    _ip(["-batch", "-"], stdin="\n".join(commands) + "\n")
