"""Hold every packet of a netfilter queue for a fixed time, then accept it: a stand-in for
``tc qdisc add dev lo root netem delay 20ms`` on kernels built without sch_netem.

Run it inside the benchmark's network namespace, with a rule that sends the namespace's
loopback packets to the queue (the benchmark adds it)::

    iptables -A OUTPUT -o lo -j NFQUEUE --queue-num 53
    python nfqueue_delay.py --queue 53 --delay-ms 20 --ready-file F

Every packet between two local sockets passes OUTPUT once, so, like netem on ``lo``, a
query and its answer are each delayed once: the round trip grows by twice the delay.
Packets leave in the order they came (one fixed delay: a FIFO is a schedule). Plain
Python over a netlink socket (nfnetlink_queue, ``linux/netfilter/nfnetlink_queue.h``),
no library needed. It runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import collections
import os
import select
import signal
import socket
import struct
import sys
import time
from pathlib import Path
from types import FrameType

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NLMSG_ERROR = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NF_ACCEPT = 1
QUEUE_MAXLEN = 8192

_NLMSGHDR = struct.Struct("=IHHII")  # len, type, flags, seq, pid (host order)
_NFGENMSG = struct.Struct("!BBH")  # family, version, res_id (network order)
_NLATTR = struct.Struct("=HH")


def _attr(kind: int, payload: bytes) -> bytes:
    data = _NLATTR.pack(_NLATTR.size + len(payload), kind) + payload
    return data + b"\0" * (-len(data) % 4)


def _message(msg_type: int, flags: int, seq: int, queue: int, attrs: bytes) -> bytes:
    body = _NFGENMSG.pack(socket.AF_UNSPEC, 0, queue) + attrs
    return _NLMSGHDR.pack(_NLMSGHDR.size + len(body), msg_type, flags, seq, 0) + body


def _attributes(data: bytes) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    offset = 0
    while offset + _NLATTR.size <= len(data):
        length, kind = _NLATTR.unpack_from(data, offset)
        if length < _NLATTR.size:
            break
        found[kind & 0x3FFF] = data[offset + _NLATTR.size : offset + length]
        offset += (length + 3) & ~3
    return found


def packet_ids(datagram: bytes) -> list[int]:
    """The packet ids of the NFQNL_MSG_PACKET messages in one netlink datagram."""
    ids = []
    offset = 0
    while offset + _NLMSGHDR.size <= len(datagram):
        length, msg_type, _, _, _ = _NLMSGHDR.unpack_from(datagram, offset)
        if length < _NLMSGHDR.size:
            break
        if msg_type == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
            start = offset + _NLMSGHDR.size + _NFGENMSG.size
            header = _attributes(datagram[start : offset + length]).get(NFQA_PACKET_HDR)
            if header is not None and len(header) >= 4:
                ids.append(struct.unpack_from("!I", header)[0])
        offset += (length + 3) & ~3
    return ids


class Delayer:
    """One bound queue: read packet ids, accept each *delay* seconds after it arrived."""

    def __init__(self, queue: int, delay: float) -> None:
        self.queue = queue
        self.delay = delay
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        self.sock.bind((0, 0))
        for option in (33, socket.SO_RCVBUF):  # SO_RCVBUFFORCE (root), else the plain one
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, option, 8 * 1024 * 1024)
                break
            except OSError:
                continue
        self.seq = 0
        self.pending: collections.deque[tuple[float, int]] = collections.deque()
        self.accepted = 0
        self.overruns = 0

    def _config(self, attrs: bytes) -> None:
        self.seq += 1
        msg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_CONFIG
        self.sock.send(_message(msg_type, NLM_F_REQUEST | NLM_F_ACK, self.seq, self.queue, attrs))
        reply = self.sock.recv(65536)
        _, reply_type, _, _, _ = _NLMSGHDR.unpack_from(reply)
        if reply_type == NLMSG_ERROR:
            (error,) = struct.unpack_from("=i", reply, _NLMSGHDR.size)
            if error != 0:
                raise OSError(-error, f"nfqueue config: {os.strerror(-error)}")

    def bind(self) -> None:
        self._config(_attr(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, 0)))
        self._config(_attr(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META)))
        self._config(_attr(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", QUEUE_MAXLEN)))

    def _accept(self, packet_id: int) -> None:
        msg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_VERDICT
        attrs = _attr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet_id))
        self.sock.send(_message(msg_type, NLM_F_REQUEST, 0, self.queue, attrs))
        self.accepted += 1

    def run(self, stop: list[bool]) -> None:
        while not stop[0]:
            now = time.monotonic()
            while self.pending and self.pending[0][0] <= now:
                self._accept(self.pending.popleft()[1])
            timeout = max(0.0, self.pending[0][0] - now) if self.pending else 0.5
            try:
                readable, _, _ = select.select([self.sock], [], [], timeout)
            except InterruptedError:
                continue
            if not readable:
                continue
            arrived = time.monotonic()
            while True:
                try:
                    datagram = self.sock.recv(65536, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                except OSError as error:  # ENOBUFS: the kernel dropped queue messages
                    self.overruns += 1
                    print(f"nfqueue_delay: {error}", file=sys.stderr)
                    break
                for packet_id in packet_ids(datagram):
                    self.pending.append((arrived + self.delay, packet_id))
        while self.pending:  # let nothing hang in the queue on the way out
            self._accept(self.pending.popleft()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queue", type=int, default=53)
    parser.add_argument("--delay-ms", type=float, default=20.0)
    parser.add_argument("--ready-file", type=Path)
    args = parser.parse_args(argv)
    stop = [False]

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop[0] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    delayer = Delayer(args.queue, args.delay_ms / 1000.0)
    delayer.bind()
    if args.ready_file is not None:
        args.ready_file.write_text(f"{os.getpid()}\n")
    delayer.run(stop)
    print(
        f"nfqueue_delay: accepted {delayer.accepted} packets, {delayer.overruns} overruns",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
