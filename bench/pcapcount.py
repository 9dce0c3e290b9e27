"""Count DNS queries in a pcap file, per time window: what each tool really sent.

A query is a UDP datagram to port 53, or a DNS message in a TCP stream to port 53 (each
one behind its two-byte length, RFC 1035 4.2.2: the stream is put back together in
sequence order, retransmitted bytes counted once). Plain Python; reads the classic pcap
format (microsecond or nanosecond time stamps, either byte order) with Ethernet (what
``tcpdump -i lo`` writes), Linux cooked (v1, v2) or raw IP link headers.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

DNS_PORT = 53
_LINK_ETHERNET = 1
_LINK_RAW = 101
_LINK_SLL = 113
_LINK_SLL2 = 276
_LINK_IPV4 = 228
_LINK_IPV6 = 229
_SYN = 0x02


@dataclass(frozen=True)
class Packet:
    time: float  # seconds since the epoch, as tcpdump stamped it
    src: str
    dst: str
    proto: str  # udp | tcp
    sport: int
    dport: int
    seq: int  # TCP sequence number (0 for UDP)
    payload: bytes
    flags: int = 0  # TCP flags (0 for UDP)


@dataclass
class Window:
    """One tool run: [start, end) in epoch seconds; the counts are filled in by count()."""

    label: str
    start: float
    end: float
    udp_queries: int = 0
    tcp_queries: int = 0
    tcp_connections: int = 0
    destinations: set[str] = field(default_factory=set)

    @property
    def queries(self) -> int:
        return self.udp_queries + self.tcp_queries


def _ip(data: bytes) -> tuple[str, str, int, bytes] | None:
    """(src, dst, protocol number, layer-4 bytes) of an IPv4 or IPv6 packet."""
    if not data:
        return None
    version = data[0] >> 4
    if version == 4 and len(data) >= 20:
        header = (data[0] & 0x0F) * 4
        total = struct.unpack_from("!H", data, 2)[0]
        src = ".".join(str(b) for b in data[12:16])
        dst = ".".join(str(b) for b in data[16:20])
        return src, dst, data[9], data[header : max(header, min(total, len(data)))]
    if version == 6 and len(data) >= 40:
        length = struct.unpack_from("!H", data, 4)[0]
        src = _ipv6_text(data[8:24])
        dst = _ipv6_text(data[24:40])
        return src, dst, data[6], data[40 : 40 + length]  # no extension headers expected
    return None


def _ipv6_text(raw: bytes) -> str:
    import ipaddress

    return str(ipaddress.IPv6Address(raw))


def _network_layer(link: int, frame: bytes) -> bytes | None:
    if link == _LINK_ETHERNET:
        if len(frame) < 14:
            return None
        ether_type = struct.unpack_from("!H", frame, 12)[0]
        offset = 14
        while ether_type == 0x8100 and len(frame) >= offset + 4:  # VLAN tags
            ether_type = struct.unpack_from("!H", frame, offset + 2)[0]
            offset += 4
        return frame[offset:] if ether_type in (0x0800, 0x86DD) else None
    if link == _LINK_SLL:
        return frame[16:] if len(frame) > 16 else None
    if link == _LINK_SLL2:
        return frame[20:] if len(frame) > 20 else None
    if link in (_LINK_RAW, _LINK_IPV4, _LINK_IPV6):
        return frame
    return None


def read_packets(path: Path) -> Iterator[Packet]:
    """Every UDP and TCP packet of a pcap file (other packets are skipped)."""
    data = path.read_bytes()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        order = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        order = ">"
    else:
        raise ValueError(f"{path}: not a pcap file (pcapng is not read)")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    link = struct.unpack_from(order + "I", data, 20)[0] & 0x0FFFFFFF
    record = struct.Struct(order + "IIII")
    offset = 24
    while offset + record.size <= len(data):
        seconds, fraction, captured, _ = record.unpack_from(data, offset)
        offset += record.size
        frame = data[offset : offset + captured]
        offset += captured
        stamp = seconds + fraction / (1e9 if nano else 1e6)
        network = _network_layer(link, frame)
        parsed = _ip(network) if network is not None else None
        if parsed is None:
            continue
        src, dst, proto, l4 = parsed
        if proto == 17 and len(l4) >= 8:
            sport, dport = struct.unpack_from("!HH", l4)
            yield Packet(stamp, src, dst, "udp", sport, dport, 0, l4[8:])
        elif proto == 6 and len(l4) >= 20:
            sport, dport, seq = struct.unpack_from("!HHI", l4)
            header = (l4[12] >> 4) * 4
            flags = l4[13]
            payload = b"" if flags & _SYN else l4[header:]  # data starts at the SYN's seq + 1
            yield Packet(stamp, src, dst, "tcp", sport, dport, seq, payload, flags)


def _tcp_messages(segments: Sequence[tuple[int, bytes]], syn_seq: int | None) -> int:
    """DNS messages in one client-to-server TCP stream, from (seq, payload) pairs."""
    if not segments:
        return 0
    base = (syn_seq + 1) if syn_seq is not None else min(s for s, _ in segments)
    stream = bytearray()
    for seq, payload in sorted(segments, key=lambda s: (s[0] - base) % 2**32):
        start = (seq - base) % 2**32
        if start > len(stream):
            break  # a gap in the capture: count what is complete
        stream.extend(payload[len(stream) - start :])
    messages = 0
    offset = 0
    while offset + 2 <= len(stream):
        length = struct.unpack_from("!H", stream, offset)[0]
        if offset + 2 + length > len(stream):
            break
        messages += 1
        offset += 2 + length
    return messages


def count(packets: Sequence[Packet], windows: Sequence[Window]) -> list[Packet]:
    """Fill in each window's counts from the packets sent to port 53 inside it; return
    the packets to port 53 that fall in no window."""
    ordered = sorted(windows, key=lambda w: w.start)
    outside: list[Packet] = []
    streams: dict[tuple[int, tuple[str, int, str, int]], list[tuple[int, bytes]]] = {}
    syns: dict[tuple[int, tuple[str, int, str, int]], int] = {}
    for packet in packets:
        if packet.dport != DNS_PORT:
            continue
        index = next((i for i, w in enumerate(ordered) if w.start <= packet.time < w.end), None)
        if index is None:
            outside.append(packet)
            continue
        window = ordered[index]
        window.destinations.add(packet.dst)
        if packet.proto == "udp":
            window.udp_queries += 1
            continue
        key = (index, (packet.src, packet.sport, packet.dst, packet.dport))
        if packet.flags & _SYN:
            if key not in syns:  # a retransmitted SYN is the same connection
                syns[key] = packet.seq
                window.tcp_connections += 1
        elif packet.payload:
            streams.setdefault(key, []).append((packet.seq, packet.payload))
    for key, segments in streams.items():
        unique = list({seq: payload for seq, payload in segments}.items())
        ordered[key[0]].tcp_queries += _tcp_messages(unique, syns.get(key))
    return outside
