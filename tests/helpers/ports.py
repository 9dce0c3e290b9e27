"""Free ports on the lab's loopback addresses, for tests that start servers."""

from __future__ import annotations

import socket
from collections.abc import Sequence

from dnssec_doctor.lab.scenarios import SCENARIOS, TLDS


def builtin_lab_addresses() -> list[str]:
    """Every address the built-in lab listens on: the root's, each TLD's, each scenario's
    (lab/build.py's plan). A port free on one of them may be taken on another."""
    root = ["127.53.0.1", "127.53.0.2"]
    tlds = [f"127.53.0.{10 * (i + 1) + k}" for i in range(len(TLDS)) for k in (1, 2)]
    zones = [f"127.53.{i}.{k}" for i in range(1, len(SCENARIOS) + 1) for k in (1, 2)]
    return root + tlds + zones


def free_port(addresses: Sequence[str] | None = None) -> int:
    """A high port that UDP and TCP can bind on every address (someone may race us);
    by default, every address of the built-in lab."""
    addresses = builtin_lab_addresses() if addresses is None else addresses
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind((addresses[0], 0))
            port: int = probe.getsockname()[1]
        if all(bindable(address, port) for address in addresses):
            return port
    raise RuntimeError("no free port")


def bindable(address: str, port: int) -> bool:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, socket.socket() as tcp:
            udp.bind((address, port))
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            tcp.bind((address, port))
    except OSError:
        return False
    return True
