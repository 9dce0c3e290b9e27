"""Time the zone-file reader against dnspython and BIND on a generated signed zone.

    .venv/bin/python bench/zone_reader.py [N]      # N names, default 100000

"ours" is the reader with its C extension when built, "ours-pure" without it.
The zone (N names with A, AAAA and every 10th with TXT and MX; ECDSAP256SHA256,
NSEC3) is signed once with dnssec-signzone and cached under /tmp. Each parser
runs in a child process so its peak RSS is its own (os.wait4's rusage).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ORIGIN = "bench.example."


def make_zone(n: int) -> Path:
    """N names signed with ECDSAP256SHA256 and NSEC3 (cached)."""
    return signed_zone(n, Path(f"/tmp/dnssec-doctor-bench/zone-{n}"))


def signed_zone(
    n: int, work: Path, key: tuple[str, ...] = ("-a", "ECDSAP256SHA256"), nsec3: bool = True
) -> Path:
    """N names (A and AAAA, every 10th also TXT and MX) signed by dnssec-signzone in
    ``work`` with a KSK and a ZSK made by ``dnssec-keygen KEY``; cached there."""
    signed = work / "zone.signed"
    if signed.exists():
        return signed
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob("K*"):
        old.unlink()
    for flags in (["-f", "KSK"], []):
        subprocess.run(
            ["dnssec-keygen", "-q", "-K", str(work), *key, *flags, ORIGIN],
            check=True,
            capture_output=True,
        )
    lines = [
        "$TTL 3600",
        f"$ORIGIN {ORIGIN}",
        "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300",
        "  NS ns1",
        "  NS ns2",
        "ns1 A 192.0.2.1",
        "ns2 A 192.0.2.2",
    ]
    for i in range(n):
        lines.append(f"host{i} A 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}")
        lines.append(f"       AAAA 2001:db8::{i & 0xFFFF:x}:{i >> 16:x}")
        if i % 10 == 0:
            lines.append(f'       TXT "host number {i}" "v=spf1 -all"')
            lines.append(f"       MX 10 mail{i}")
    lines += [f"$INCLUDE {k}" for k in sorted(str(p) for p in work.glob("K*.key"))]
    (work / "zone").write_text("\n".join(lines) + "\n")
    chain = ["-3", "-"] if nsec3 else []
    subprocess.run(
        [
            *("dnssec-signzone", "-q", "-K", str(work), "-S", *chain, "-o", ORIGIN),
            *("-f", str(signed), str(work / "zone")),
        ],
        check=True,
        capture_output=True,
        cwd=work,
    )
    return signed


def child(kind: str, path: str) -> None:
    start = time.perf_counter()
    if kind in ("ours", "ours-pure"):
        from dnssec_doctor.zonefile import reader

        if kind == "ours-pure":
            reader._CZONE = None  # reader.py alone, without the C extension
        count = sum(1 for _ in reader.read_records(path, ORIGIN))
    else:
        import dns.zone

        zone = dns.zone.from_file(path, ORIGIN, relativize=False, check_origin=False)
        count = sum(len(rds) for _, rds in zone.iterate_rdatasets())
    print(count, time.perf_counter() - start)


def run(argv: list[str]) -> tuple[str, float, float]:
    """stdout, wall seconds, peak RSS in MiB of one child."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{argv[0]} failed: {out}")
    return out, wall, usage.ru_maxrss / 1024


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    t0 = time.perf_counter()
    path = make_zone(n)
    made = time.perf_counter() - t0
    size = path.stat().st_size
    with path.open() as f:
        nlines = sum(1 for _ in f)
    print(f"zone: {n} names, {nlines} lines, {size / 2**20:.1f} MiB ({path}, ready in {made:.1f}s)")
    results: dict[str, float] = {}
    for kind in ("ours", "ours-pure", "dnspython"):
        out, wall, rss = run([sys.executable, __file__, "--child", kind, str(path)])
        count, seconds = out.split()
        results[kind] = float(seconds)
        print(
            f"{kind:>10}: {int(count):>9} records {float(seconds):7.2f}s parse "
            f"({int(count) / float(seconds):,.0f} records/s), "
            f"{wall:.2f}s with start-up, peak RSS {rss:.0f} MiB"
        )
    for name, argv in (
        ("checkzone", ["named-checkzone", "-i", "none", "-q", ORIGIN, str(path)]),
        ("verify", ["dnssec-verify", "-q", "-o", ORIGIN, str(path)]),
    ):
        try:
            _, wall, rss = run(argv)
        except (OSError, SystemExit) as exc:
            print(f"{name:>10}: not run ({exc})")
            continue
        results[name] = wall
        print(f"{name:>10}: {wall:7.2f}s whole run, peak RSS {rss:.0f} MiB ({argv[0]})")
    ours = results["ours"]
    print(f"dnspython / ours: {results['dnspython'] / ours:.1f}x")
    for name in ("checkzone", "verify"):
        if name in results:
            print(f"ours / {name}: {ours / results[name]:.2f}x")


if __name__ == "__main__":
    main()
