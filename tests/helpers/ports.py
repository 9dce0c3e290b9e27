"""Free ports on the lab's loopback addresses, for tests that start servers."""

from __future__ import annotations

import socket
from collections.abc import Sequence


def free_port(addresses: Sequence[str] = ("127.53.0.1",)) -> int:
    """A high port that UDP and TCP can bind on every address (someone may race us)."""
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
