"""Sign the test zone with BIND's dnssec-signzone and with ldns-signzone, at test time.

Each signed zone is rewritten one record per line (absolute names) so that defect
tests can edit it line by line; the reference verifiers read the rewritten file too.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import dns.zone

from helpers import ZONEFILES

ORIGIN = "example.test."
UNSIGNED = ZONEFILES / "example.test.zone.in"


@dataclass(frozen=True)
class Signed:
    path: Path
    keydir: Path
    dsset: Path | None = None


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def one_per_line(src: Path, dst: Path) -> Path:
    zone = dns.zone.from_file(str(src), origin=ORIGIN, relativize=False)
    dst.write_text(zone.to_text(relativize=False, want_origin=False))
    return dst


def bind_keys(keydir: Path, *, ksk_flags: tuple[str, ...] = ("-f", "KSK")) -> None:
    keydir.mkdir(parents=True, exist_ok=True)
    for extra in ((), ksk_flags):
        done = run("dnssec-keygen", "-q", "-a", "ECDSAP256SHA256", *extra, "-K", keydir, ORIGIN)
        assert done.returncode == 0, done.stderr


def bind_sign(
    workdir: Path,
    name: str,
    *options: str,
    keydir: Path | None = None,
    unsigned: Path = UNSIGNED,
) -> Signed:
    """Sign *unsigned* with dnssec-signzone -S (smart signing from keydir)."""
    keydir = keydir or workdir / "keys"
    if not keydir.exists():
        bind_keys(keydir)
    raw = workdir / f"{name}.raw"
    done = run(
        "dnssec-signzone", "-q", "-o", ORIGIN, "-K", keydir, "-S", "-d", workdir,
        "-f", raw, *options, unsigned,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    dsset = workdir / f"dsset-{ORIGIN}"
    return Signed(one_per_line(raw, workdir / f"{name}.zone"), keydir, dsset)


def ldns_sign(workdir: Path, name: str, *options: str) -> Signed:
    keydir = workdir / "ldns-keys"
    keydir.mkdir(parents=True, exist_ok=True)
    bases = []
    for extra in ((), ("-k",)):
        done = run("ldns-keygen", "-a", "ECDSAP256SHA256", *extra, ORIGIN, cwd=keydir)
        assert done.returncode == 0, done.stderr
        bases.append(str(keydir / done.stdout.strip()))
    raw = workdir / f"{name}.raw"
    done = run("ldns-signzone", "-o", ORIGIN, "-f", raw, *options, UNSIGNED, *bases)
    assert done.returncode == 0, done.stderr
    return Signed(one_per_line(raw, workdir / f"{name}.zone"), keydir)


def dnssec_verify(path: Path) -> subprocess.CompletedProcess[str]:
    return run("dnssec-verify", "-q", "-o", ORIGIN, path)


def ldns_verify(path: Path) -> subprocess.CompletedProcess[str]:
    return run("ldns-verify-zone", path)
