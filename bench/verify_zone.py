"""Time `dnssec-doctor verify` against BIND, ldns and Knot on zones signed by BIND.

    .venv/bin/python bench/verify_zone.py [N ...] [--rsa-nsec] [--skip TOOL ...] [--pure]
    .venv/bin/python bench/verify_zone.py [N ...] [--rsa-nsec] --sign-only

N names (default 10000; 10000 100000 1000000 for the issue's table).  The zone is
bench/zone_reader.py's (A and AAAA per name, TXT and MX every 10th), signed by
`dnssec-signzone` with ECDSAP256SHA256 and NSEC3 (`-3 -`), cached under
/tmp/dnssec-doctor-bench/; with --rsa-nsec the same names are signed with RSASHA256
(2048-bit keys) and NSEC, cached under /tmp/verify-bench/.

Each verifier runs as a child process.  Printed per tool: wall time, peak memory of the
whole process tree (the sum of every process's PSS, sampled every 0.2 s, so our worker
processes count and the pages they share with their parent count once), the exit code
and the ratio of our time and memory to the tool's.  Before that the machine's raw
signature verification rate: `cryptography` verifying the zone's algorithm in one
process per core, and from it the zone's raw limit (its signatures / the rate on all
cores), the floor no verifier can go under on this machine.

``--pure`` also times ``--jobs <cores>`` without the reader's C extension
(``DNSSEC_DOCTOR_PURE_PYTHON=1``); ``--sign-only`` only makes the cached zones, so
that a timed run (under ``flock``, on a shared machine) does not include signing.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

sys.path.insert(0, str(Path(__file__).parent))

from zone_reader import ORIGIN, make_zone, signed_zone

SAMPLE_SECONDS = 0.2  # memory sampling: cheap enough not to slow the tool measured
RESCAN_SECONDS = 1.0  # how often new child processes are looked for


def rsa_nsec_zone(n: int) -> Path:
    """The bench names signed with RSASHA256 (2048-bit) keys and NSEC."""
    key = ("-a", "RSASHA256", "-b", "2048")
    return signed_zone(n, Path(f"/tmp/verify-bench/rsa-{n}"), key, nsec3=False)


# --- raw verification rate ----------------------------------------------------------


def _signed_samples(algorithm: str, count: int = 500) -> tuple[object, list[tuple[bytes, bytes]]]:
    data = [os.urandom(120) + i.to_bytes(4, "big") for i in range(count)]
    if algorithm == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        sign = [(m, key.sign(m, padding.PKCS1v15(), hashes.SHA256())) for m in data]
    else:
        key = ec.generate_private_key(ec.SECP256R1())
        sign = [(m, key.sign(m, ec.ECDSA(hashes.SHA256()))) for m in data]
    return key.public_key(), sign


def _verify_for(args: tuple[str, float]) -> int:
    """Verifications one process does in ``seconds``."""
    algorithm, seconds = args
    public, samples = _signed_samples(algorithm)
    done = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        for message, signature in samples:
            if algorithm == "rsa":
                public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[attr-defined]
            else:
                public.verify(signature, message, ec.ECDSA(hashes.SHA256()))  # type: ignore[attr-defined]
        done += len(samples)
    return done


def raw_rate(algorithm: str, cores: int, seconds: float = 2.0) -> tuple[float, float]:
    """(verifications per second on one core, on all cores at once)."""
    one = _verify_for((algorithm, seconds)) / seconds
    with multiprocessing.Pool(cores) as pool:
        total = sum(pool.map(_verify_for, [(algorithm, seconds)] * cores)) / seconds
    return one, total


def count_signatures(path: Path) -> int:
    """RRSIG records in the file (read with our reader, which the tests hold to dnspython)."""
    from dnssec_doctor.zonefile.reader import read_records

    return sum(1 for r in read_records(path, ORIGIN) if r.rdtype == 46)


# --- running one tool ---------------------------------------------------------------


def _descendants(root: int) -> list[int]:
    """``root`` and every process below it (a scan of /proc: done about once a second)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _pss(pids: list[int]) -> int:
    """Proportional set size (KiB) of ``pids``: pages shared by forked workers are
    counted once in total, not once per process."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[int, float, float, str]:
    """Exit code, wall seconds, peak memory (PSS of the process tree) in MiB, and the
    first line of output, of one child."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        pids, scanned = [proc.pid], 0.0
        while not stop.is_set():
            now = time.perf_counter()
            if now - scanned > RESCAN_SECONDS:
                pids, scanned = _descendants(proc.pid), now
            peak = max(peak, _pss(pids))
            stop.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status = os.waitpid(proc.pid, 0)
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    lines = [line for line in out.splitlines() if line.strip()]
    first = (lines or [""])[0]
    return os.waitstatus_to_exitcode(status), wall, peak / 1024, first


#: our runs with this in the environment read without the C extension (reader.py alone)
PURE = {**os.environ, "DNSSEC_DOCTOR_PURE_PYTHON": "1"}


def bench(path: Path, algorithm: str, skip: set[str], pure: bool = False) -> None:
    doctor = str(Path(sys.executable).with_name("dnssec-doctor"))
    cores = os.cpu_count() or 1
    size = path.stat().st_size
    signatures = count_signatures(path)
    one, total = raw_rate(algorithm, cores)
    limit = signatures / total
    print(f"\n{path} ({size / 2**20:.1f} MiB, {signatures} signatures), {cores} core(s)")
    name = "RSASHA256 2048" if algorithm == "rsa" else "ECDSAP256SHA256"
    print(
        f"raw {name} verification (cryptography): {one:,.0f}/s on one core, "
        f"{total:,.0f}/s on {cores}; this zone's raw limit {limit:.2f}s"
    )
    runs: list[tuple[str, list[str]]] = [
        ("doctor --jobs 1", [doctor, "verify", "--jobs", "1", str(path)]),
        (f"doctor --jobs {cores}", [doctor, "verify", "--jobs", str(cores), str(path)]),
    ]
    if pure:
        runs.append((f"doctor --jobs {cores} (pure Python)", runs[-1][1]))
    runs += [
        ("dnssec-verify", ["dnssec-verify", "-q", "-o", ORIGIN, str(path)]),
        ("ldns-verify-zone", ["ldns-verify-zone", str(path)]),
        ("kzonecheck", ["kzonecheck", "-o", ORIGIN, "--dnssec", "on", str(path)]),
        ("validns", ["validns", "-q", "-z", ORIGIN, "-p", "all", str(path)]),
    ]
    times: dict[str, float] = {}
    memory: dict[str, float] = {}
    for label, argv in runs:
        if argv[0] in skip or label in skip:
            print(f"{label:>18}: skipped")
            continue
        if shutil.which(argv[0]) is None:
            print(f"{label:>18}: not installed")
            continue
        code, wall, tree, first = run(argv, PURE if "pure Python" in label else None)
        times[label], memory[label] = wall, tree
        print(f"{label:>18}: {wall:7.2f}s  peak memory {tree:6.0f} MiB  exit {code}  {first[:60]}")
    ours = f"doctor --jobs {cores}"
    if ours in times:
        print(f"{ours}: {times[ours] / limit:.1f}x the raw limit")
        for label, wall in times.items():
            if not label.startswith("doctor"):
                print(
                    f"{ours} / {label}: time {times[ours] / wall:.2f}x, "
                    f"memory {memory[ours] / memory[label]:.2f}x"
                )


def main() -> None:
    args = sys.argv[1:]
    skip: set[str] = set()
    while "--skip" in args:
        at = args.index("--skip")
        skip.add(args[at + 1])
        del args[at : at + 2]
    sizes = [int(a) for a in args if not a.startswith("--")] or [10_000]
    if "--sign-only" in args:  # make the cached zones (slow), e.g. outside a lock
        for n in sizes:
            print(rsa_nsec_zone(n) if "--rsa-nsec" in args else make_zone(n))
        return
    pure = "--pure" in args
    for n in sizes:
        if "--rsa-nsec" in args:
            bench(rsa_nsec_zone(n), "rsa", skip, pure)
        else:
            bench(make_zone(n), "ecdsa", skip, pure)


if __name__ == "__main__":
    main()
