"""A small real DNS tree for ``ds push``: one BIND ``named`` on two loopback addresses
and a high port, and a validating Unbound started on demand.

- ``.`` (the parent) on PARENT: signed by named itself (``dnssec-policy``), dynamic,
  ``allow-update { key push-key; }``: the DS of the child is what ``ds push`` replaces;
- ``pushchild.`` on CHILD: signed beforehand with dnssec-signzone by two KSKs (A1, A2)
  and a ZSK, with a third KSK (A3) published but not signing; its CDS and CDNSKEY name
  A1 and A2 (the double-DS step of a KSK rollover).

The parent starts with the DS of A1. The trust anchor is the root's KSK as named made it.
Started once per test module; stopped by PID.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers.cds_corpus import Key, keygen, run
from helpers.ports import free_port

PARENT = "127.0.0.81"
CHILD = "127.0.0.82"
UNBOUND = "127.0.0.83"
NOBODY = "127.0.0.84"  # nothing listens there
ZONE = "pushchild."
KEY_NAME = "push-key"
OTHER_KEY_NAME = "other-key"
OPERATOR = "operator."  # a signed zone holding the nameserver of the RFC 9615 children
BOOT = "bootchild."  # unsigned delegation, the signal under ns.operator. matches its apex
BOOT_BAD = "bootbad."  # unsigned delegation, the signal differs from its apex


def signal(zone: str) -> str:
    """RFC 9615's signalling name for *zone* under ns.operator."""
    return f"_dsboot.{zone}_signal.ns.{OPERATOR}"


def _at(record: str, owner: str) -> str:
    """*record* (a zone-file line) moved to *owner*."""
    return " ".join([owner, *record.split()[1:]])


PROGRAMS = ("named", "unbound", "dnssec-keygen", "dnssec-signzone", "tsig-keygen", "nsupdate")


@dataclass
class PushLab:
    directory: Path
    port: int
    keys: dict[str, Key]  # a1, a2 (sign), a3 (published only), z
    tsig: Path
    named: subprocess.Popen[bytes]

    @property
    def hints(self) -> Path:
        return self.directory / "root.hints"

    @property
    def anchor(self) -> Path:
        return self.directory / "root.key"

    def walk_args(self) -> list[str]:
        return [
            "--root-hints", str(self.hints), "--trust-anchor", str(self.anchor),
            "--port", str(self.port), "--timeout", "1",
        ]  # fmt: skip

    def ds_file(self, name: str, *keys: str) -> Path:
        path = self.directory / name
        path.write_text("".join(self.keys[k].ds() + "\n" for k in keys))
        return path

    def served_ds(self) -> set[str]:
        done = run("dig", f"@{PARENT}", "-p", str(self.port), "+norec", "+noall", "+answer",
                   ZONE, "DS")  # fmt: skip
        return {" ".join(line.split()[4:7]) for line in done.stdout.splitlines() if " DS " in line
                or "\tDS\t" in line}  # fmt: skip

    def unbound_secure(self, zone: str = ZONE) -> bool:
        """A fresh validating Unbound (no cache from before): is *zone*'s SOA secure?"""
        work = self.directory / "unbound"
        work.mkdir(exist_ok=True)
        config = work / "unbound.conf"
        stubs = "".join(
            f'stub-zone:\n    name: "{z}"\n    stub-addr: {CHILD}@{self.port}\n'
            for z in (ZONE, OPERATOR, BOOT, BOOT_BAD)
        )
        config.write_text(f"""server:
    interface: {UNBOUND}
    port: {self.port}
    do-ip6: no
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    chroot: ""
    username: ""
    directory: "{work}"
    pidfile: "{work}/unbound.pid"
    logfile: "{work}/unbound.log"
    use-syslog: no
    module-config: "validator iterator"
    trust-anchor-file: "{self.anchor}"
    num-threads: 1
    so-reuseport: no
# Unbound asks authoritative servers on port 53: stub zones name the lab's port
stub-zone:
    name: "."
    stub-addr: {PARENT}@{self.port}
{stubs}
remote-control:
    control-enable: no
""")
        proc = subprocess.Popen(["unbound", "-d", "-c", str(config)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            for _ in range(50):
                done = run("dig", f"@{UNBOUND}", "-p", str(self.port), "+dnssec", "+time=1",
                           "+tries=1", zone, "SOA")  # fmt: skip
                if "status:" in done.stdout:
                    flags = re.search(r"flags:([^;]*);", done.stdout)
                    secured = flags is not None and " ad" in flags[1]
                    return "status: NOERROR" in done.stdout and secured
                time.sleep(0.1)
            raise AssertionError(f"Unbound did not answer: {done.stdout} {done.stderr}")
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def have_programs() -> bool:
    return all(shutil.which(p) for p in PROGRAMS)


def _conf(lab: Path, port: int, secret_file: Path) -> str:
    children = "\n".join(
        f'    zone "{z}" {{ type primary; file "{lab}/{z}signed"; dnssec-policy none; }};'
        for z in (ZONE, OPERATOR, BOOT, BOOT_BAD)
    )
    return f"""
include "{secret_file}";
include "{lab}/other-key.conf";
options {{
    directory "{lab}";
    pid-file "{lab}/named.pid";
    lock-file "{lab}/named.lock";
    session-keyfile "{lab}/session.key";
    managed-keys-directory "{lab}";
    bindkeys-file "/dev/null";
    listen-on port {port} {{ {PARENT}; {CHILD}; }};
    listen-on-v6 {{ none; }};
    reuseport no;
    recursion no;
    notify no;
    dnssec-validation no;
    minimal-responses yes;
    empty-zones-enable no;
}};
controls {{ }};
dnssec-policy "push" {{ keys {{ csk lifetime unlimited algorithm 13; }}; }};
view "parent" {{
    match-destinations {{ {PARENT}; }};
    zone "." {{ type primary; file "{lab}/root.db"; key-directory "{lab}/rootkeys";
               dnssec-policy "push"; allow-update {{ key "{KEY_NAME}"; }}; }};
}};
view "child" {{
    match-destinations {{ {CHILD}; }};
{children}
}};
"""


def _wait_signed(port: int) -> str:
    """The root's DNSKEY RRset once named has signed the zone (and the child's DS)."""
    for _ in range(150):
        keys = run("dig", f"@{PARENT}", "-p", str(port), "+norec", "+dnssec", "+noall",
                   "+answer", ".", "DNSKEY")  # fmt: skip
        ds = run("dig", f"@{PARENT}", "-p", str(port), "+norec", "+dnssec", "+noall", "+answer",
                 ZONE, "DS")  # fmt: skip
        if "RRSIG" in keys.stdout and "RRSIG" in ds.stdout:
            return keys.stdout
        time.sleep(0.2)
    raise AssertionError("named did not sign the parent zone")


def _aliases(addresses: list[str]) -> list[str]:
    """named listens only on configured addresses: add the missing ones to lo as /32
    (root), return those added (only they are removed afterwards)."""
    shown = subprocess.run(["ip", "-o", "-4", "addr", "show", "dev", "lo"], capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    present = {f.split("/")[0] for f in shown.split() if f.startswith("127.")}
    added = []
    for address in addresses:
        if address not in present:
            subprocess.run(["ip", "addr", "add", f"{address}/32", "dev", "lo"], check=True)
            added.append(address)
    return added


@pytest.fixture(scope="module")
def push_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PushLab]:
    if not have_programs() or not shutil.which("ip"):
        pytest.skip(f"ds push's lab needs {', '.join(PROGRAMS)} and ip")
    if os.geteuid() != 0:
        pytest.skip("ds push's lab adds loopback addresses for named: root needed")
    added = _aliases([PARENT, CHILD])
    try:
        yield from _running(tmp_path_factory)
    finally:
        for address in added:
            subprocess.run(["ip", "addr", "del", f"{address}/32", "dev", "lo"], check=False)


def _signed(lab: Path, zone: str, records: list[str], signing: list[Key],
            published: Sequence[Key] = ()) -> Path:  # fmt: skip
    """*zone* with *records*, signed by dnssec-signzone with *signing* (their private
    files alone given), *published* keys only published; the signed file's path."""
    signdir = lab / f"signing-{zone}"
    signdir.mkdir()
    for key in signing:
        for ext in (".key", ".private"):
            shutil.copy(key.directory / f"{key.base}{ext}", signdir)
    unsigned = lab / f"{zone}db"
    unsigned.write_text("\n".join([
        "$TTL 300",
        f"{zone} IN SOA ns.{zone} hostmaster.{zone} 1 3600 600 86400 300",
        *records,
        *(k.public for k in [*signing, *published]),
    ]) + "\n")  # fmt: skip
    signed = lab / f"{zone}signed"
    done = run("dnssec-signzone", "-P", "-x", "-o", zone, "-K", signdir, "-d", lab,
               "-s", "now-3600", "-e", "now+2592000", "-f", signed, unsigned,
               *(k.base for k in signing), cwd=signdir)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return signed


def _running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PushLab]:
    lab = tmp_path_factory.mktemp("push-lab")
    port = free_port([PARENT, CHILD, UNBOUND])
    keydir = lab / "childkeys"
    keydir.mkdir()

    def gen(zone: str, *, ksk: bool) -> Key:
        return keygen(keydir, "ECDSAP256SHA256", ksk=ksk, zone=zone)

    keys = {
        "a1": gen(ZONE, ksk=True), "a2": gen(ZONE, ksk=True), "a3": gen(ZONE, ksk=True),
        "z": gen(ZONE, ksk=False),
        "o1": gen(OPERATOR, ksk=True), "oz": gen(OPERATOR, ksk=False),
        "b1": gen(BOOT, ksk=True), "bz": gen(BOOT, ksk=False),
        "c1": gen(BOOT_BAD, ksk=True), "cz": gen(BOOT_BAD, ksk=False),
    }  # fmt: skip
    _signed(lab, ZONE, [
        f"{ZONE} IN NS ns.{ZONE}", f"ns.{ZONE} IN A {CHILD}",
        # the double-DS step of a KSK rollover, signalled to the parent (cds parent)
        *(k.cds() for k in (keys["a1"], keys["a2"])),
        *(k.cdnskey() for k in (keys["a1"], keys["a2"])),
    ], [keys["a1"], keys["a2"], keys["z"]], [keys["a3"]])  # fmt: skip
    # RFC 9615: the operator's signed zone carries the signals for two unsigned children;
    # bootbad's signal (SHA-384) differs from its apex CDS (SHA-256)
    _signed(lab, OPERATOR, [
        f"{OPERATOR} IN NS ns.{OPERATOR}", f"ns.{OPERATOR} IN A {CHILD}",
        _at(keys["b1"].cds(), signal(BOOT)), _at(keys["b1"].cdnskey(), signal(BOOT)),
        _at(keys["c1"].cds("SHA-384"), signal(BOOT_BAD)),
        _at(keys["c1"].cdnskey(), signal(BOOT_BAD)),
    ], [keys["o1"], keys["oz"]])  # fmt: skip
    for zone, ksk, zsk in ((BOOT, "b1", "bz"), (BOOT_BAD, "c1", "cz")):
        _signed(lab, zone, [
            f"{zone} IN NS ns.{OPERATOR}", keys[ksk].cds(), keys[ksk].cdnskey(),
        ], [keys[ksk], keys[zsk]])  # fmt: skip
    (lab / "rootkeys").mkdir()
    (lab / "root.db").write_text("\n".join([
        "$TTL 300",
        ". IN SOA ns.root. hostmaster.root. 1 3600 600 86400 300",
        ". IN NS ns.root.",
        f"ns.root. IN A {PARENT}",
        f"{ZONE} IN NS ns.{ZONE}",
        f"ns.{ZONE} IN A {CHILD}",
        keys["a1"].ds(),
        f"{OPERATOR} IN NS ns.{OPERATOR}",
        f"ns.{OPERATOR} IN A {CHILD}",
        keys["o1"].ds(),
        f"{BOOT} IN NS ns.{OPERATOR}",  # unsigned delegations: no DS
        f"{BOOT_BAD} IN NS ns.{OPERATOR}",
    ]) + "\n")  # fmt: skip
    tsig = lab / "push-key.conf"
    made = run("tsig-keygen", "-a", "hmac-sha256", KEY_NAME)
    assert made.returncode == 0, made.stderr
    tsig.write_text(made.stdout)
    # a key named knows but allow-update does not name: REFUSED
    other = run("tsig-keygen", "-a", "hmac-sha256", OTHER_KEY_NAME)
    assert other.returncode == 0, other.stderr
    (lab / "other-key.conf").write_text(other.stdout)
    config = lab / "named.conf"
    config.write_text(_conf(lab, port, tsig))
    log = (lab / "named.log").open("wb")
    named = subprocess.Popen(["named", "-4", "-g", "-c", str(config)], stdout=log, stderr=log)
    try:
        dnskeys = _wait_signed(port)
        anchors = [line for line in dnskeys.splitlines() if line.split()[3:4] == ["DNSKEY"]]
        (lab / "root.key").write_text("\n".join(anchors) + "\n")
        (lab / "root.hints").write_text(f". 3600 IN NS ns.root.\nns.root. 3600 IN A {PARENT}\n")
        yield PushLab(lab, port, keys, tsig, named)
    finally:
        named.terminate()
        try:
            named.wait(timeout=15)
        except subprocess.TimeoutExpired:
            named.kill()
        log.close()


__all__ = [
    "BOOT", "BOOT_BAD", "CHILD", "KEY_NAME", "NOBODY", "OPERATOR", "PARENT", "ZONE", "PushLab",
    "push_lab", "signal",
]  # fmt: skip
