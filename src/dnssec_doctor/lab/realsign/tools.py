"""Running a signer's programs, and reading what they write."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import dns.dnssec
import dns.dnssectypes
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.DNSKEY
import dns.rdtypes.ANY.DS
import dns.zone

from dnssec_doctor.lab.realsign.recipe import Signer

DNSKEY = dns.rdtypes.ANY.DNSKEY.DNSKEY
DS = dns.rdtypes.ANY.DS.DS
RdataType = dns.rdatatype.RdataType
SEP = 0x0001
TOOL_TIMEOUT = 30.0  # seconds; a small zone signs in well under a second

#: The programs each signer needs, all of them on PATH for its scenarios to be built.
PROGRAMS: dict[Signer, tuple[str, ...]] = {
    Signer.BIND: ("dnssec-keygen", "dnssec-settime", "dnssec-signzone"),
    Signer.LDNS: ("ldns-keygen", "ldns-signzone"),
    Signer.KNOT: ("kzonesign",),
    Signer.BIND_POLICY: ("named",),
}

#: The Debian package that ships them (README's list, scripts/install-system-packages).
PACKAGES = {
    Signer.BIND: "bind9-utils",
    Signer.LDNS: "ldnsutils",
    Signer.KNOT: "knot-dnssecutils",
    Signer.BIND_POLICY: "bind9",
}


class SignerError(RuntimeError):
    """A signer program failed; the message is one line naming the command."""


def available(signer: Signer) -> bool:
    """True when every program *signer* needs is on PATH (the lab's own is always there)."""
    return all(shutil.which(program) for program in PROGRAMS.get(signer, ()))


def find_program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SignerError(f"`{name}` not found on PATH")
    return path


def run(argv: Sequence[str], cwd: Path, log: Path | None = None) -> str:
    """Run one signer command in *cwd*; its stdout, or SignerError with its last words.

    Every command is appended to *log* (the zone's ``commands.sh``), so a reader can see
    exactly how the lab made the zone."""
    program = find_program(argv[0])
    if log is not None:
        with log.open("a") as out:
            out.write(" ".join(_quote(a) for a in argv) + "\n")
    try:
        done = subprocess.run(
            [program, *argv[1:]], cwd=cwd, capture_output=True, text=True,
            timeout=TOOL_TIMEOUT, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise SignerError(f"{argv[0]} took longer than {TOOL_TIMEOUT:g} s") from exc
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        raise SignerError(f"{argv[0]} failed (exit {done.returncode}): {last}")
    return done.stdout


def _quote(arg: str) -> str:
    return arg if arg and all(c.isalnum() or c in "-_.+/=:," for c in arg) else f"'{arg}'"


def key_file_dnskey(path: Path) -> DNSKEY:
    """The DNSKEY record of a BIND-format ``K*.key`` file (BIND and ldns write them)."""
    for line in path.read_text().splitlines():
        fields = line.split(";", 1)[0].split()
        if "DNSKEY" in fields:
            rdata = " ".join(fields[fields.index("DNSKEY") + 1 :])
            key = dns.rdata.from_text(dns.rdataclass.IN, RdataType.DNSKEY, rdata)
            assert isinstance(key, DNSKEY)
            return key
    raise SignerError(f"{path.name}: no DNSKEY record")


def sha256_ds(origin: dns.name.Name, key: DNSKEY) -> DS:
    ds = dns.dnssec.make_ds(origin, key, dns.dnssectypes.DSDigest.SHA256)
    assert isinstance(ds, DS)
    return ds


def read_signed(text: str, origin: dns.name.Name) -> dns.zone.Zone:
    return dns.zone.from_text(text, origin=origin, relativize=False, check_origin=True)


def signing_ksks(zone: dns.zone.Zone) -> list[DNSKEY]:
    """The published SEP keys that sign the zone's DNSKEY RRset: the ones a DS should name."""
    origin = zone.origin
    assert origin is not None
    keys = zone.get_rdataset(origin, RdataType.DNSKEY)
    sigs = zone.get_rdataset(origin, RdataType.RRSIG, covers=RdataType.DNSKEY)
    if keys is None or sigs is None:
        return []
    signers = {(sig.key_tag, sig.algorithm) for sig in sigs}
    return [
        key
        for key in keys
        if key.flags & SEP and (dns.dnssec.key_id(key), key.algorithm) in signers
    ]
