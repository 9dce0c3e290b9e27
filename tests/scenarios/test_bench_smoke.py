"""Smoke test of the benchmark's pure parts (bench/): counting queries in a packet
capture, reading DNSViz's verdict, reading netfilter queue messages. No root, no
network, no DNSViz: the inputs are made here."""

from __future__ import annotations

import importlib.util
import socket
import struct
import sys
from pathlib import Path
from types import ModuleType

from helpers import TOP

BENCH = TOP / "bench"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


pcapcount = _load("pcapcount")
dnsviz_status = _load("dnsviz_status")
nfqueue_delay = _load("nfqueue_delay")


def _frame(src: str, dst: str, proto: int, l4: bytes) -> bytes:
    ip = struct.pack(
        "!BBHHHBBH4s4s",
        0x45, 0, 20 + len(l4), 0, 0, 64, proto, 0,
        socket.inet_aton(src), socket.inet_aton(dst),
    )  # fmt: skip
    return b"\0" * 12 + b"\x08\x00" + ip + l4  # Ethernet, as tcpdump -i lo writes


def _udp(sport: int, dport: int, payload: bytes) -> bytes:
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def _tcp(sport: int, dport: int, seq: int, flags: int, payload: bytes = b"") -> bytes:
    return struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0) + payload


def _pcap(path: Path, packets: list[tuple[float, bytes]]) -> None:
    data = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for stamp, frame in packets:
        seconds, micros = int(stamp), round((stamp % 1) * 1e6)
        data += struct.pack("<IIII", seconds, micros, len(frame), len(frame)) + frame
    path.write_bytes(data)


def test_pcap_counts_udp_and_tcp_queries_per_window(tmp_path: Path) -> None:
    client, server = "127.0.0.1", "127.53.0.1"
    query = b"Q" * 30
    stream = struct.pack("!H", len(query)) + query
    stream += struct.pack("!H", len(query)) + query  # two queries on one connection
    packets = [
        (10.1, _frame(client, server, 17, _udp(40000, 53, query))),
        (10.2, _frame(server, client, 17, _udp(53, 40000, query))),  # an answer: not counted
        (10.3, _frame(client, server, 6, _tcp(40001, 53, 1000, 0x02))),  # SYN
        (10.4, _frame(client, server, 6, _tcp(40001, 53, 1001, 0x18, stream[:10]))),
        (10.5, _frame(client, server, 6, _tcp(40001, 53, 1011, 0x18, stream[10:]))),
        (10.6, _frame(client, server, 6, _tcp(40001, 53, 1011, 0x18, stream[10:]))),  # again
        (20.1, _frame(client, "127.53.1.1", 17, _udp(40002, 53, query))),
        (30.0, _frame(client, "127.0.0.9", 17, _udp(40003, 53, query))),  # in no window
    ]
    capture = tmp_path / "capture.pcap"
    _pcap(capture, packets)
    first = pcapcount.Window("first", 10.0, 11.0)
    second = pcapcount.Window("second", 20.0, 21.0)
    outside = pcapcount.count(list(pcapcount.read_packets(capture)), [second, first])
    assert (first.udp_queries, first.tcp_queries, first.tcp_connections) == (1, 2, 1)
    assert first.queries == 3 and first.destinations == {server}
    assert second.queries == 1 and second.destinations == {"127.53.1.1"}
    assert [p.dst for p in outside] == ["127.0.0.9"]


def test_dnsviz_status_from_grok_follows_cnames() -> None:
    doc = {
        "www.a.test.": {
            "queries": {
                "www.a.test./IN/A": {
                    "answer": [{"type": "CNAME", "status": "SECURE", "rdata": ["www.b.test."]}]
                }
            }
        },
        "www.b.test.": {
            "queries": {"www.b.test./IN/A": {"answer": [{"type": "A", "status": "BOGUS"}]}}
        },
        "x.a.test.": {
            "queries": {"x.a.test./IN/A": {"nxdomain": [{"status": "SECURE", "proof": []}]}}
        },
    }
    assert dnsviz_status.from_grok(doc, "www.a.test", "A") == "BOGUS"
    assert dnsviz_status.from_grok(doc, "x.a.test.", "A") == "SECURE"
    assert dnsviz_status.from_grok(doc, "y.a.test.", "A") == "NONE"
    assert dnsviz_status.verdict("BOGUS") == "bogus"


def test_dnsviz_status_from_print() -> None:
    text = "\n".join(
        [
            "a.test [.] [.]",
            "  [.]  DS: 13/1/2 [.]",
            "www.a.test",
            "  [.]  A: CNAME www.b.test.",
            "  [.]    RRSIG: a.test/13/2 (2026-11-25 - 2026-12-25) [.]",
            "www.b.test",
            "  [!!] A: 192.0.2.1",
            "        E:MISSING_RRSIG",
            "www.c.test",
            "  [-]  A: 192.0.2.2",
        ]
    )
    assert dnsviz_status.from_print(text, "www.a.test.", "A") == "BOGUS"
    assert dnsviz_status.from_print(text, "www.c.test.", "A") == "INSECURE"


def test_nfqueue_packet_ids() -> None:
    header = struct.pack("!IHB", 77, 0x0800, 3) + b"\0"
    attrs = nfqueue_delay._attr(nfqueue_delay.NFQA_PACKET_HDR, header)
    msg_type = nfqueue_delay.NFNL_SUBSYS_QUEUE << 8 | nfqueue_delay.NFQNL_MSG_PACKET
    one = nfqueue_delay._message(msg_type, 0, 0, 53, attrs)
    other = nfqueue_delay._message(nfqueue_delay.NLMSG_ERROR, 0, 0, 53, b"")
    assert nfqueue_delay.packet_ids(one + other + one) == [77, 77]


def test_repeats_report_the_median_run() -> None:
    sys.path.insert(0, str(BENCH))  # the benchmark imports its sibling modules
    try:
        bench = _load("check_vs_dnsviz")
    finally:
        sys.path.remove(str(BENCH))
    runs = [bench.OurRun(wall=w, cpu=w, exit_code=0, verdict=v) for w, v in
            [(0.30, "a"), (0.21, "b"), (0.25, "c"), (0.90, "d")]]  # fmt: skip
    chosen, index = bench.median_run(runs)
    assert (chosen.verdict, index) == ("c", 2)  # the lower middle of an even count
    assert bench.median_run(runs[:1]) == (runs[0], 0)


def test_hostile_bench_runs_a_case_and_measures_it() -> None:
    hostile = _load("hostile")
    cases = hostile.cases()
    assert "test_collect_hostile.test_max_ns_lookups" in cases
    assert "test_check_hostile.test_max_rsa_exponent_bits_at_32_servers" in cases
    wall, cpu, mib, code = hostile.run("test_collect_hostile.test_a_cname_loop")
    assert code == 0 and wall > 0 and cpu > 0 and mib > 10
