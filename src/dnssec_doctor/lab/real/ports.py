"""Is a lab address:port free?  If not, who holds it (as `ss -lpn` tells)."""

from __future__ import annotations

import errno
import re
import shutil
import socket
import subprocess

from dnssec_doctor.lab.real.errors import RealLabError


def check_free(addresses: list[str], port: int) -> None:
    """Raise naming the first address:port some other socket holds (UDP or TCP)."""
    for address in addresses:
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            if not _can_bind(address, port, kind):
                proto = "udp" if kind == socket.SOCK_DGRAM else "tcp"
                raise RealLabError(
                    f"{address}:{port} ({proto}) is already in use{_holder(address, port, proto)}: "
                    "stop whatever listens there (another lab? `lab down`) or choose another port"
                )


def _can_bind(address: str, port: int, kind: socket.SocketKind) -> bool:
    with socket.socket(socket.AF_INET, kind) as sock:
        if kind == socket.SOCK_STREAM:
            # as the servers do: TIME_WAIT leftovers of an earlier lab must not count as busy
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise RealLabError(f"cannot bind {address}:{port}: {exc.strerror}") from exc
        if kind == socket.SOCK_STREAM:
            try:
                sock.listen(1)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return False
                raise
    return True


def _holder(address: str, port: int, proto: str) -> str:
    """' (held by named pid 123)' when ss can tell, else ''."""
    ss = shutil.which("ss")
    if ss is None:
        return ""
    flag = "-u" if proto == "udp" else "-t"
    result = subprocess.run(
        [ss, "-H", "-l", "-n", "-p", flag], capture_output=True, text=True, check=False
    )
    for line in result.stdout.splitlines():
        fields = line.split()
        local = next((f for f in fields if f.endswith(f":{port}")), None)
        if local is None:
            continue
        host = local.rsplit(":", 1)[0]
        if host not in (address, "0.0.0.0", "*", "[::]"):
            continue
        found = re.search(r'\(\("([^"]+)",pid=(\d+)', line)
        if found:
            return f" (held by {found.group(1)} pid {found.group(2)})"
        return f" (held by a socket on {local})"
    return ""
