"""Parent-side CDS/CDNSKEY cases made with the real BIND tools, run through
``cds parent`` and through BIND's ``dnssec-cds`` on the same files.

Keys come from dnssec-keygen, CDS from dnssec-dsfromkey -C, the DS sets from
dnssec-dsfromkey, the signatures from dnssec-signzone (-s/-e for their times); the
child file is what ``dig +dnssec +noall +answer`` prints (named-checkzone -D's lines).
A case that needs what no signer makes (a signature dropped, one corrupted) edits the
child file afterwards, and says so.

Each case names the action we expect and, where we deliberately differ from
dnssec-cds, why (docs/cds.md has the same table). ``build_corpus`` makes them all once;
``run_ours`` and ``run_bind`` give each tool's verdict as (action, DS set).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dns.zone
import pytest

from helpers import TOP

ZONE = "child.test."
UNSIGNED = f"""$TTL 3600
{ZONE} IN SOA ns1.{ZONE} hostmaster.{ZONE} 1 3600 600 86400 300
{ZONE} IN NS ns1.{ZONE}
ns1.{ZONE} IN A 127.0.0.1
"""
DOCTOR = TOP / ".venv" / "bin" / "dnssec-doctor"
APEX_TYPES = ("DNSKEY", "CDS", "CDNSKEY")
HOUR = 3600
DAY = 86400


def run(*args: str | Path, cwd: Path | None = None, stdin: str | None = None
        ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=60,
        check=False, input=stdin,
    )  # fmt: skip


def have_bind() -> bool:
    return all(shutil.which(t) for t in ("dnssec-keygen", "dnssec-signzone", "dnssec-cds"))


# --------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class Key:
    base: str  # K<zone>+<alg>+<tag>
    tag: int
    directory: Path

    @property
    def public(self) -> str:
        text = (self.directory / f"{self.base}.key").read_text()
        return next(line for line in text.splitlines() if line and not line.startswith(";"))

    def cdnskey(self) -> str:
        return self.public.replace(" DNSKEY ", " CDNSKEY ")

    def cds(self, digest: str = "SHA-256") -> str:
        done = run("dnssec-dsfromkey", "-C", "-a", digest, self.directory / f"{self.base}.key")
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def ds(self, digest: str = "SHA-256") -> str:
        done = run("dnssec-dsfromkey", "-a", digest, self.directory / f"{self.base}.key")
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()


def keygen(directory: Path, algorithm: str, *, ksk: bool, zone: str = ZONE) -> Key:
    flags = ["-f", "KSK"] if ksk else []
    size = ["-b", "2048"] if algorithm.startswith("RSA") else []
    done = run("dnssec-keygen", "-q", "-a", algorithm, *size, *flags, "-K", directory, zone)
    assert done.returncode == 0, done.stderr
    base = done.stdout.strip()
    return Key(base, int(base.rsplit("+", 1)[1]), directory)


@dataclass(frozen=True)
class Keys:
    a1: Key  # the KSK the current DS names (ECDSAP256SHA256)
    a2: Key  # the next KSK
    z: Key  # the ZSK
    r1: Key  # an RSASHA256 KSK (the algorithm rollover)
    rz: Key  # its ZSK


def make_keys(directory: Path) -> Keys:
    directory.mkdir(parents=True, exist_ok=True)
    return Keys(
        a1=keygen(directory, "ECDSAP256SHA256", ksk=True),
        a2=keygen(directory, "ECDSAP256SHA256", ksk=True),
        z=keygen(directory, "ECDSAP256SHA256", ksk=False),
        r1=keygen(directory, "RSASHA256", ksk=True),
        rz=keygen(directory, "RSASHA256", ksk=False),
    )


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    name: str
    what: str
    expect: str  # our action: update, unchanged, reject, delete
    signing: Callable[[Keys], list[Key]]  # keys that sign (their private files given)
    ds: Callable[[Keys], list[str]]  # the current DS set's lines
    records: Callable[[Keys], list[str]] = lambda k: []  # CDS/CDNSKEY lines at the apex
    published: Callable[[Keys], list[Key]] = lambda k: []  # DNSKEYs published, not signing
    start: int = -HOUR  # signature inception, seconds from now
    end: int = 30 * DAY
    dsset_age: int = DAY  # the dsset file's modification time, seconds before now
    edit: Callable[[list[str], Keys], list[str]] | None = None  # child-file edit (said why)
    options: tuple[str, ...] = ()
    differs: str = ""  # why dnssec-cds decides otherwise, when it does (docs/cds.md)
    directory: Path = field(default=Path())

    @property
    def child(self) -> Path:
        return self.directory / "child.txt"

    @property
    def dsset(self) -> Path:
        return self.directory / f"dsset-{ZONE}"


def _drop_sigs(rdtype: str, tag: int | None = None) -> Callable[[list[str], Keys], list[str]]:
    """Remove the RRSIGs over *rdtype* (by key *tag*, or all): what no signer makes."""

    def edit(lines: list[str], _: Keys) -> list[str]:
        def doomed(line: str) -> bool:
            f = line.split()
            return f[3] == "RRSIG" and f[4] == rdtype and (tag is None or int(f[10]) == tag)

        return [line for line in lines if not doomed(line)]

    return edit


def _corrupt_sigs(rdtype: str) -> Callable[[list[str], Keys], list[str]]:
    """Flip a byte in every RRSIG over *rdtype*: bad signatures."""

    def edit(lines: list[str], _: Keys) -> list[str]:
        out = []
        for line in lines:
            f = line.split()
            if f[3] == "RRSIG" and f[4] == rdtype:
                sig = bytearray(base64.b64decode("".join(f[12:])))
                sig[len(sig) // 2] ^= 0xFF
                line = " ".join([*f[:12], base64.b64encode(bytes(sig)).decode()])
            out.append(line)
        return out

    return edit


PARTIAL = (
    "dnssec-cds 9.18 skips the delete record (digest type 0 is not accepted) and follows "
    "the other signal, which here names the current key (unchanged); we reject: one signal "
    "asks to go insecure, the other to stay, and only both together remove the DS (RFC 8078 4)"
)


def _wrong_digest(k: Keys) -> list[str]:
    fields = k.a2.cds().split()
    fields[-1] = "".join("0" if c != "0" else "1" for c in fields[-1])
    return [" ".join(fields)]


CASES: list[Case] = [
    Case("ksk-rollover", "DS names A1; the child publishes CDS and CDNSKEY for A2", "update",
         lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()],
         lambda k: [k.a2.cds(), k.a2.cdnskey()]),
    Case("both-keys", "the double-DS step: CDS for A1 and A2", "update",
         lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()],
         lambda k: [k.a1.cds(), k.a2.cds()]),
    Case("digest-filter-default", "CDS in SHA-256 and SHA-384, default -a: SHA-256 only",
         "update", lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()],
         lambda k: [k.a2.cds("SHA-256"), k.a2.cds("SHA-384")]),
    Case("digest-filter-sha384", "the same with -a SHA-384: the SHA-384 DS only", "update",
         lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()],
         lambda k: [k.a2.cds("SHA-256"), k.a2.cds("SHA-384")], options=("-a", "SHA-384")),
    Case("digest-filter-two", "-a SHA-256 -a SHA-384 from a CDNSKEY: two DS", "update",
         lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()],
         lambda k: [k.a2.cdnskey()], options=("-a", "SHA-256", "-a", "SHA-384")),
    Case("cdnskey-only", "only a CDNSKEY for A2", "update",
         lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()], lambda k: [k.a2.cdnskey()]),
    Case("prefer-cdnskey", "CDS in SHA-384, CDNSKEY, -D: SHA-256 from the CDNSKEY", "update",
         lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()],
         lambda k: [k.a2.cds("SHA-384"), k.a2.cdnskey()], options=("-D",)),
    Case("inconsistent", "CDS names A2, CDNSKEY is A1", "reject",
         lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()],
         lambda k: [k.a2.cds(), k.a1.cdnskey()],
         differs="dnssec-cds uses the CDS and ignores the CDNSKEY; we require the two to "
         "agree (draft-ietf-dnsop-ds-automation): which one did the operator mean?"),
    Case("signed-by-unknown-key", "the CDS is signed only by A2, which the DS does not name "
         "(A1's RRSIG over the CDS removed from the child file)", "reject",
         lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()], lambda k: [k.a2.cds()],
         edit=lambda lines, k: _drop_sigs("CDS", k.a1.tag)(lines, k)),
    Case("unsigned-cds", "every RRSIG over the CDS removed", "reject",
         lambda k: [k.a1, k.z], lambda k: [k.a1.ds()], lambda k: [k.a1.cds()],
         edit=_drop_sigs("CDS")),
    Case("bad-signature", "the RRSIG over the CDS corrupted", "reject",
         lambda k: [k.a1, k.z], lambda k: [k.a1.ds()], lambda k: [k.a2.cds()],
         published=lambda k: [k.a2], edit=_corrupt_sigs("CDS")),
    Case("replayed", "signatures made two days ago, the dsset changed one day ago", "reject",
         lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()], lambda k: [k.a2.cds()],
         start=-2 * DAY, dsset_age=DAY),
    Case("replay-window-s", "the same signatures, -s three days ago: accepted", "update",
         lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()], lambda k: [k.a2.cds()],
         start=-2 * DAY, dsset_age=DAY, options=("-s", "-172800")),
    Case("delete", "CDS 0 0 0 00 and CDNSKEY 0 3 0 AA==", "delete",
         lambda k: [k.a1, k.z], lambda k: [k.a1.ds()],
         lambda k: [f"{ZONE} IN CDS 0 0 0 00", f"{ZONE} IN CDNSKEY 0 3 0 AA=="],
         differs="dnssec-cds 9.18 does not know the RFC 8078 delete form: the CDS 0 0 0 00 has "
         "no accepted digest type, so it falls back to the CDNSKEY and prints a DS of "
         "algorithm 0 (a DS no validator can use); we remove the DS set"),
    Case("delete-cds-only", "CDS 0 0 0 00 alone", "delete",
         lambda k: [k.a1, k.z], lambda k: [k.a1.ds()], lambda k: [f"{ZONE} IN CDS 0 0 0 00"],
         differs="dnssec-cds 9.18 does not know the RFC 8078 delete form and fails (no CDS of "
         "an accepted digest type); we remove the DS set"),
    Case("partial-delete", "CDS is the delete form, CDNSKEY names A1", "reject",
         lambda k: [k.a1, k.z], lambda k: [k.a1.ds()],
         lambda k: [f"{ZONE} IN CDS 0 0 0 00", k.a1.cdnskey()],
         differs=PARTIAL),
    Case("partial-delete-cdnskey", "CDNSKEY is the delete form, CDS names A1", "reject",
         lambda k: [k.a1, k.z], lambda k: [k.a1.ds()],
         lambda k: [k.a1.cds(), f"{ZONE} IN CDNSKEY 0 3 0 AA=="], differs=PARTIAL),
    Case("identical", "CDS equal to the current DS", "unchanged",
         lambda k: [k.a1, k.z], lambda k: [k.a1.ds()], lambda k: [k.a1.cds()]),
    Case("none", "no CDS and no CDNSKEY", "unchanged",
         lambda k: [k.a1, k.z], lambda k: [k.a1.ds()]),
    Case("digest-matches-no-key", "a CDS with A2's tag and a wrong digest", "reject",
         lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()], _wrong_digest),
    Case("algorithm-rollover-early", "CDS for A1 and R1 (RSASHA256) before R1 signs the "
         "DNSKEY RRset", "reject",
         lambda k: [k.a1, k.z], lambda k: [k.a1.ds()], lambda k: [k.a1.cds(), k.r1.cds()],
         published=lambda k: [k.r1]),
    Case("algorithm-rollover-signed", "the same once the zone is signed with both "
         "algorithms", "update",
         lambda k: [k.a1, k.z, k.r1, k.rz], lambda k: [k.a1.ds()],
         lambda k: [k.a1.cds(), k.r1.cds()]),
    Case("algorithm-rollover-last", "DS for A1 and R1, CDS for R1 only", "update",
         lambda k: [k.a1, k.z, k.r1, k.rz], lambda k: [k.a1.ds(), k.r1.ds()],
         lambda k: [k.r1.cds()]),
    Case("expired", "signatures expired an hour ago", "reject",
         lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()], lambda k: [k.a2.cds()],
         start=-10 * DAY, end=-HOUR, dsset_age=20 * DAY),
    Case("not-yet-valid", "signatures valid from tomorrow", "reject",
         lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()], lambda k: [k.a2.cds()],
         start=DAY, end=30 * DAY),
    Case("unknown-digest-type", "CDS for A2 in SHA-256 and in digest type 200", "update",
         lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()],
         lambda k: [k.a2.cds(), f"{ZONE} IN CDS {k.a2.tag} 13 200 " + "AB" * 32]),
    Case("unknown-algorithm", "CDS for A2 and a CDS of algorithm 253 (PRIVATEOID)", "reject",
         lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()],
         lambda k: [k.a2.cds(), f"{ZONE} IN CDS 4711 253 2 " + "AB" * 32]),
    Case("mixed-delete", "the delete CDS and a CDS for A2 in one RRset", "reject",
         lambda k: [k.a1, k.a2, k.z], lambda k: [k.a1.ds()],
         lambda k: [f"{ZONE} IN CDS 0 0 0 00", k.a2.cds()],
         differs="dnssec-cds skips the delete record (digest type 0 is not accepted) and "
         "follows the other CDS; we reject an RRset that asks for both (RFC 8078 4)"),
    Case("unsigned-delegation", "no current DS (an empty dsset file), a CDS for A1: only "
         "RFC 9615 bootstrapping could start the chain", "reject",
         lambda k: [k.a1, k.z], lambda k: [], lambda k: [k.a1.cds()]),
    Case("ds-matches-nothing", "the current DS names no key of the DNSKEY RRset", "reject",
         lambda k: [k.a2, k.z], lambda k: [k.a1.ds()], lambda k: [k.a2.cds()]),
]  # fmt: skip


# --------------------------------------------------------------------------- building


def _stamp(offset: int) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(time.time() + offset))


def build_case(case: Case, keys: Keys, root: Path) -> Case:
    """Sign the case's zone and write its child file and dsset file under *root*."""
    case.directory = root / case.name
    keydir = case.directory / "keys"
    keydir.mkdir(parents=True)
    signing = case.signing(keys)
    for key in signing:
        for ext in (".key", ".private"):
            shutil.copy(key.directory / f"{key.base}{ext}", keydir)
    public = [k.public for k in [*signing, *case.published(keys)]]
    zone = [UNSIGNED, *public, *case.records(keys)]
    (case.directory / "zone.db").write_text("\n".join(zone) + "\n")
    signed = case.directory / "zone.signed"
    done = run(
        "dnssec-signzone", "-P", "-x", "-o", ZONE, "-K", keydir, "-d", case.directory,
        "-s", _stamp(case.start), "-e", _stamp(case.end), "-f", signed,
        case.directory / "zone.db", *(k.base for k in signing), cwd=keydir,
    )  # fmt: skip
    assert done.returncode == 0, f"{case.name}: {done.stderr}"
    lines = [line for line in _dump(signed) if _apex(line)]
    if case.edit is not None:
        lines = case.edit(lines, keys)
    case.child.write_text("\n".join(lines) + "\n")
    case.dsset.write_text("\n".join(case.ds(keys)) + "\n")
    when = time.time() - case.dsset_age
    os.utime(case.dsset, (when, when))
    return case


def _dump(signed: Path) -> list[str]:
    """One record a line, absolute names, as dig prints them (named-checkzone -D would
    do, but refuses the zones whose CDS names no DNSKEY, which some cases are)."""
    zone = dns.zone.from_file(str(signed), origin=ZONE, relativize=False, check_origin=False)
    return [
        line
        for name, node in zone.nodes.items()
        for rdataset in node.rdatasets
        for line in rdataset.to_text(name).splitlines()
    ]


def _apex(line: str) -> bool:
    f = line.split()
    return (
        len(f) > 4
        and f[0] == ZONE
        and (f[3] in APEX_TYPES or (f[3] == "RRSIG" and f[4] in APEX_TYPES))
    )


def build_corpus(root: Path) -> list[Case]:
    keys = make_keys(root / "keystore")
    return [build_case(Case(**{**c.__dict__}), keys, root) for c in CASES]


# --------------------------------------------------------------------------- the two tools


@dataclass(frozen=True)
class Verdict:
    action: str
    ds: frozenset[str]  # "tag alg digest-type DIGEST"
    detail: str = ""


def _ds_rdata(lines: str) -> frozenset[str]:
    out = set()
    for line in lines.splitlines():
        f = line.split(";", 1)[0].split()
        if "DS" in f:
            i = f.index("DS")
            out.add(" ".join([*f[i + 1 : i + 4], "".join(f[i + 4 :]).upper()]))
    return frozenset(out)


def current_ds(case: Case) -> frozenset[str]:
    return _ds_rdata(case.dsset.read_text())


def run_ours(case: Case, *extra: str) -> Verdict:
    """``cds parent --json`` on the case, in this process (the command's main())."""
    from helpers.cli_helpers import invoke

    done = invoke(["cds", "parent", "-f", str(case.child), "-d", str(case.dsset),
                   *case.options, "--json", *extra, ZONE])  # fmt: skip
    assert done.exit_code in (0, 1), f"{case.name}: {done.exit_code} {done.stderr}"
    report = json.loads(done.stdout)
    assert (report["action"] == "reject") == (done.exit_code == 1), done.stdout
    return Verdict(report["action"], _ds_rdata("\n".join(report["ds"])), report["reason"])


def run_bind(case: Case) -> Verdict:
    """dnssec-cds on the same files: a failure is a rejection; otherwise the DS set it
    prints is the same (unchanged), empty (delete) or new (update)."""
    done = run("dnssec-cds", "-f", case.child, "-d", case.dsset, *case.options, ZONE)
    if done.returncode != 0:
        return Verdict("reject", current_ds(case), " ".join(done.stderr.split())[:300])
    printed = _ds_rdata(done.stdout)
    if not printed:
        return Verdict("delete", printed)
    if printed == current_ds(case):
        return Verdict("unchanged", printed)
    return Verdict("update", printed)


__all__ = [
    "CASES", "Case", "Verdict", "build_corpus", "cds_corpus", "have_bind", "run_bind", "run_ours",
]  # fmt: skip


@pytest.fixture(scope="session")
def cds_corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    """Every case built once per session (keys, signatures, files); skipped without BIND."""
    if not have_bind():
        pytest.skip("BIND's dnssec-keygen, dnssec-signzone and dnssec-cds are needed")
    return {case.name: case for case in build_corpus(tmp_path_factory.mktemp("cds-corpus"))}
