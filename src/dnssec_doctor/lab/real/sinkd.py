"""The sink process for silent lab addresses (see sink): bind, never read, never accept.

Run as a script (`python -I sinkd.py PORT ADDRESS...`), standard library only, so it starts
in a few milliseconds.
"""

from __future__ import annotations

import signal
import socket
import sys

READY = "sink ready"  # printed once every socket is bound


def main(argv: list[str]) -> None:
    port, addresses = int(argv[0]), argv[1:]
    held = []
    for address in addresses:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # full soon, then drops
        udp.bind((address, port))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind((address, port))
        tcp.listen(1)
        held += [udp, tcp]
    print(READY, flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    main(sys.argv[1:])
