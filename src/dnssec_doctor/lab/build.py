"""Build a lab: sign the root, the TLDs and one zone per scenario, inject the faults, and
write zone files, root hints, trust anchors and the manifest into a directory.

The tree is built in two passes: first every zone's keys and faults are prepared (the
DS a parent publishes depends only on the child's keys), then each parent gets its
delegations and every zone is signed and damaged as its faults say.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.DS
import dns.zone

from dnssec_doctor.lab import signer
from dnssec_doctor.lab.catalog import entry
from dnssec_doctor.lab.faults import Fault, ZoneBuild, healthy_window
from dnssec_doctor.lab.keys import LabKey, generate_key
from dnssec_doctor.lab.manifest import (
    SOFTWARE,
    LabManifest,
    LabServer,
    ScenarioRecord,
    ServedZone,
)
from dnssec_doctor.lab.realsign.recipe import RealSigning
from dnssec_doctor.lab.realsign.zone import SignedZone, sign_with
from dnssec_doctor.lab.scenarios import (
    ROOT_ALGORITHM,
    SCENARIOS,
    TLDS,
    Scenario,
    Tld,
)

RdataType = dns.rdatatype.RdataType
TTL = 3600
NEGATIVE_TTL = 300
MAX_SCENARIOS = 250  # scenario k uses 127.53.k.1 and 127.53.k.2; 127.53.255.x are resolvers

SIGNERS_DIR = "signers"  # real signers' keys, work files and commands, one directory per zone

ROOT_SERVERS = (("a.root-servers.test.", "127.53.0.1"), ("b.root-servers.test.", "127.53.0.2"))


@dataclass
class LabZone:
    """A zone of the lab tree with where it is served."""

    build: ZoneBuild
    faults: tuple[Fault, ...]
    nameservers: list[tuple[dns.name.Name, str]]  # (NS name, address), ns1 first
    software: tuple[str, str]
    parent: dns.name.Name | None
    signed_by: RealSigning | None = None  # a real signer signs it, not lab/signer.py
    signed: SignedZone | None = None  # what the real signer wrote

    @property
    def origin(self) -> dns.name.Name:
        return self.build.origin


def _tld_addresses(index: int) -> list[str]:
    return [f"127.53.0.{10 * (index + 1) + 1}", f"127.53.0.{10 * (index + 1) + 2}"]


def _base_zone(origin: dns.name.Name, ns_names: Sequence[dns.name.Name], now: int) -> dns.zone.Zone:
    zone = dns.zone.Zone(origin, relativize=False)
    hostmaster = dns.name.from_text("hostmaster", origin)
    # serial: the lab's build time, so a rebuilt lab is always "newer"
    _add(
        zone,
        origin,
        "SOA",
        f"{ns_names[0]} {hostmaster} {now % 2**32} 3600 900 1209600 {NEGATIVE_TTL}",
    )
    for ns in ns_names:
        _add(zone, origin, "NS", ns.to_text())
    return zone


def _add(
    zone: dns.zone.Zone, name: dns.name.Name | str, rdtype: str, text: str, ttl: int = TTL
) -> None:
    owner = name if isinstance(name, dns.name.Name) else dns.name.from_text(name, zone.origin)

    rdata = dns.rdata.from_text(
        dns.rdataclass.IN, rdtype, text, origin=zone.origin, relativize=False
    )
    zone.find_rdataset(owner, rdata.rdtype, create=True).add(rdata, ttl)


def _scenario_content(
    zone: dns.zone.Zone, scenario: Scenario, index: int, addresses: list[str]
) -> None:
    _add(zone, "@", "MX", "10 mail")
    _add(zone, "@", "TXT", f'"dnssec-doctor lab scenario {scenario.id}"')
    _add(zone, "ns1", "A", addresses[0])
    _add(zone, "ns2", "A", addresses[1])
    _add(zone, "www", "A", f"192.0.2.{index}")
    _add(zone, "www", "AAAA", f"2001:db8::{index:x}")
    _add(zone, "mail", "A", f"192.0.2.{index}")
    # a name under an empty non-terminal, so that NSEC3 chains carry an ENT (RFC 5155 7.1)
    _add(zone, "a.deep", "TXT", '"below an empty non-terminal"')


def _new_build(
    origin: dns.name.Name,
    algorithm: int,
    denial: str,
    now: int,
    zone: dns.zone.Zone,
    lab_keys: bool = True,
) -> ZoneBuild:
    """A zone to build; *lab_keys* False: a real signer makes its keys, the lab none."""
    ksks = [generate_key(algorithm, ksk=True)] if lab_keys else []
    zsks = [generate_key(algorithm, ksk=False)] if lab_keys else []
    plan = signer.SigningPlan(
        published=[*ksks, *zsks],
        dnskey_signers=list(ksks),
        data_signers=list(zsks),
        window=healthy_window(now),
        denial=denial,
    )
    return ZoneBuild(
        origin=origin, algorithm=algorithm, now=now, zone=zone, ksks=ksks, zsks=zsks,
        plan=plan, ds_keys=list(ksks),
    )  # fmt: skip


def _prepare(build: ZoneBuild, faults: tuple[Fault, ...]) -> None:
    for fault in faults:
        fault.prepare(build)
    for key in build.cds_keys:
        _add(build.zone, build.origin, "CDS", key.ds(build.origin).to_text())
        _add(build.zone, build.origin, "CDNSKEY", key.dnskey.to_text())


def _parent_ds(lab_zone: LabZone) -> list[dns.rdtypes.ANY.DS.DS]:
    build = lab_zone.build
    if lab_zone.signed is not None:
        return list(lab_zone.signed.parent_ds)
    ds = [key.ds(build.origin) for key in build.ds_keys]
    for fault in lab_zone.faults:
        ds = fault.parent_ds(build, ds)
    return ds


def _delegate(parent: dns.zone.Zone, child: LabZone) -> None:
    for ns_name, address in child.nameservers:
        _add(parent, child.origin, "NS", ns_name.to_text())
        if ns_name.is_subdomain(child.origin) or ns_name.is_subdomain(parent.origin):  # type: ignore[arg-type]
            _add(parent, ns_name, "A", address)
    for ds in _parent_ds(child):
        parent.find_rdataset(child.origin, RdataType.DS, create=True).add(ds, TTL)


def _finish(build: ZoneBuild, faults: tuple[Fault, ...]) -> None:
    if build.signed:
        signer.sign_zone(build.zone, build.plan)
    for fault in faults:
        fault.after_sign(build)


def _sign_for_real(lab_zone: LabZone, workdir: Path) -> None:
    """A real signer signs the zone now: its content is final (a leaf zone; delegating
    only adds to parents), and the DS the parent publishes comes from its keys."""
    assert lab_zone.signed_by is not None and not lab_zone.faults
    build = lab_zone.build
    text = build.zone.to_text(sorted=True, relativize=False, want_origin=True)
    stem = build.origin.to_text(omit_final_dot=True)
    lab_zone.signed = sign_with(
        lab_zone.signed_by, build.origin, build.algorithm, build.plan.denial, build.now, text,
        workdir / stem,
    )  # fmt: skip
    build.signed = False  # not by lab/signer.py
    build.zone = lab_zone.signed.zone


def correct_ds(lab_zone: LabZone) -> list[str]:
    """The DS RRset (SHA-256) that makes the chain hold for the zone as served: one per
    published KSK that signs the DNSKEY RRset (when no KSK does, per published key that
    signs it: a CSK without the SEP flag works as well, RFC 4034 2.1.1)."""
    build = lab_zone.build
    if lab_zone.signed is not None:
        return [f"{build.origin} {TTL} IN DS {ds.to_text()}" for ds in lab_zone.signed.correct_ds]
    if not build.signed:
        return []
    published = [k for k in build.plan.published if k in build.plan.dnskey_signers]
    signing = [k for k in published if k.is_ksk] or published
    return [f"{build.origin} {TTL} IN DS {k.ds(build.origin).to_text()}" for k in signing]


class LabTree:
    """The zones of a lab, keyed by origin."""

    def __init__(self, now: int, scenarios: Sequence[Scenario], tlds: Sequence[Tld]) -> None:
        if len(scenarios) > MAX_SCENARIOS:
            raise ValueError(f"a lab holds at most {MAX_SCENARIOS} scenarios")
        self.now = now
        self.scenarios = list(scenarios)
        self.zones: dict[dns.name.Name, LabZone] = {}
        root = dns.name.root
        root_ns = [(dns.name.from_text(n), a) for n, a in ROOT_SERVERS]
        self._add_zone(root, ROOT_ALGORITHM, "nsec", (), root_ns, ("named", "named"), None)
        for index, tld in enumerate(tlds):
            origin = dns.name.from_text(tld.name)
            names = [dns.name.from_text(f"ns{i}.nic", origin) for i in (1, 2)]
            ns = list(zip(names, _tld_addresses(index), strict=True))
            self._add_zone(
                origin, tld.algorithm, tld.denial, tld.faults, ns, ("named", "named"), root
            )
            for name, address in ns:
                _add(self.zones[origin].build.zone, name, "A", address)
        # the root servers' names live in test.; the root zone carries their glue
        test_zone = self.zones[dns.name.from_text("test.")].build.zone
        for server, address in ROOT_SERVERS:
            _add(test_zone, server, "A", address)
            _add(self.zones[root].build.zone, server, "A", address)
        for index, scenario in enumerate(scenarios, start=1):
            origin = dns.name.from_text(scenario.zone)
            addresses = [f"127.53.{index}.1", f"127.53.{index}.2"]
            ns = [
                (dns.name.from_text(f"ns{i}", origin), a)
                for i, a in zip((1, 2), addresses, strict=True)
            ]
            software = scenario.software or (SOFTWARE[index % 3],) * 2
            self._add_zone(origin, scenario.algorithm, scenario.denial, scenario.faults, ns,
                           (software[0], software[1]), dns.name.from_text(scenario.tld),
                           content=(scenario, index, addresses),
                           signed_by=scenario.signed_by)  # fmt: skip

    def _add_zone(
        self,
        origin: dns.name.Name,
        algorithm: int,
        denial: str,
        faults: tuple[Fault, ...],
        nameservers: list[tuple[dns.name.Name, str]],
        software: tuple[str, str],
        parent: dns.name.Name | None,
        content: tuple[Scenario, int, list[str]] | None = None,
        signed_by: RealSigning | None = None,
    ) -> None:
        if origin in self.zones:
            raise ValueError(f"two scenarios use the zone {origin}")
        zone = _base_zone(origin, [n for n, _ in nameservers], self.now)
        if content is not None:
            _scenario_content(zone, *content)
        build = _new_build(origin, algorithm, denial, self.now, zone, signed_by is None)
        self.zones[origin] = LabZone(build, faults, nameservers, software, parent, signed_by)

    def build(self, workdir: Path) -> None:
        """Sign every zone; real signers keep their keys and commands under *workdir*."""
        real = [z for z in self.zones.values() if z.signed_by is not None]
        if real:
            # the signers are separate processes: run a few at once (each zone its own dir)
            with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
                list(pool.map(lambda z: _sign_for_real(z, workdir), real))
        for lab_zone in self.zones.values():
            if lab_zone.signed_by is None:
                _prepare(lab_zone.build, lab_zone.faults)
        for lab_zone in self.zones.values():
            if lab_zone.parent is not None:
                _delegate(self.zones[lab_zone.parent].build.zone, lab_zone)
        for lab_zone in self.zones.values():
            _finish(lab_zone.build, lab_zone.faults)

    def root_ksks(self) -> list[LabKey]:
        return self.zones[dns.name.root].build.ksks


def _zone_file_name(origin: dns.name.Name, label: str | None = None) -> str:
    stem = "root" if origin == dns.name.root else origin.to_text(omit_final_dot=True)
    return f"zones/{stem}.{label}.zone" if label else f"zones/{stem}.zone"


def _write_zone(directory: Path, relative: str, zone: dns.zone.Zone) -> None:
    path = directory / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    zone.to_file(str(path), sorted=True, relativize=False, want_origin=True)


def _record(scenario: Scenario, tree: LabTree) -> ScenarioRecord:
    listed = entry(scenario)
    ds_zone = dns.name.from_text(listed.break_at or listed.qname)
    while ds_zone not in tree.zones:  # the zone that holds the name
        ds_zone = ds_zone.parent()
    return ScenarioRecord(
        id=listed.id,
        description=listed.description,
        zone=scenario.zone,
        qname=listed.qname,
        qtype=listed.qtype,
        outcome=scenario.outcome,
        cause=listed.cause,
        break_at=listed.break_at,
        correct_ds=correct_ds(tree.zones[ds_zone]),
        warn=listed.warn,
        signer=scenario.signer.value,
    )


def write_lab(tree: LabTree, directory: Path, now: datetime) -> LabManifest:
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    zones: dict[str, str] = {}
    servers: list[LabServer] = []
    for origin, lab_zone in tree.zones.items():
        canonical = _zone_file_name(origin)
        if lab_zone.signed is not None:
            (directory / canonical).parent.mkdir(parents=True, exist_ok=True)
            (directory / canonical).write_text(lab_zone.signed.text)  # the signer's own file
        else:
            _write_zone(directory, canonical, lab_zone.build.zone)
        zones[origin.to_text()] = canonical
        for label, copy in lab_zone.build.copies.items():
            _write_zone(directory, _zone_file_name(origin, label), copy)
        for index, (ns_name, address) in enumerate(lab_zone.nameservers):
            copy_label = lab_zone.build.copy_at.get(index)
            served = _zone_file_name(origin, copy_label) if copy_label else canonical
            servers.append(
                LabServer(
                    address=address,
                    names=[ns_name.to_text()],
                    software=lab_zone.software[index],
                    silent=index in lab_zone.build.silent,
                    zones=[ServedZone(origin=origin.to_text(), file=served)],
                )
            )
    root_ds = [f". {TTL} IN DS {k.ds(dns.name.root).to_text()}" for k in tree.root_ksks()]
    root_dnskey = [f". {TTL} IN DNSKEY {k.dnskey.to_text()}" for k in tree.root_ksks()]
    manifest = LabManifest(
        now=now.isoformat(),
        directory=str(directory),
        root_hints=list(ROOT_SERVERS),
        trust_anchor_ds=root_ds,
        trust_anchor_dnskey=root_dnskey,
        servers=servers,
        scenarios=[_record(s, tree) for s in tree.scenarios],
        zones=zones,
    )
    write_trust_files(manifest)
    manifest.write()
    return manifest


def write_trust_files(manifest: LabManifest) -> None:
    """root.hints (named.root format), root.key (DS and DNSKEY lines, as Unbound's
    trust-anchor-file and our --trust-anchor take them) and trust-anchors.conf (BIND)."""
    hints = []
    for name, address in manifest.root_hints:
        hints.append(f".                        3600000      NS    {name}")
        hints.append(f"{name:<24} 3600000      A     {address}")
    manifest.path("root.hints").write_text(
        "; dnssec-doctor lab root hints\n" + "\n".join(hints) + "\n"
    )
    key_lines = [
        "; dnssec-doctor lab root trust anchor",
        *manifest.trust_anchor_ds,
        *manifest.trust_anchor_dnskey,
    ]
    manifest.path("root.key").write_text("\n".join(key_lines) + "\n")
    clauses = []
    for line in manifest.trust_anchor_ds:
        _, _, _, _, tag, alg, digest_type, digest = line.split(maxsplit=7)
        clauses.append(f'  . static-ds {tag} {alg} {digest_type} "{digest.replace(" ", "")}";')
    manifest.path("trust-anchors.conf").write_text(
        "trust-anchors {\n" + "\n".join(clauses) + "\n};\n"
    )


def build_lab(
    directory: Path,
    now: datetime | None = None,
    scenarios: Sequence[Scenario] = SCENARIOS,
    tlds: Sequence[Tld] = TLDS,
) -> LabManifest:
    """Build a lab into *directory* (created if needed) and return its manifest."""
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    tree = LabTree(int(moment.timestamp()), scenarios, tlds)
    tree.build(directory.resolve() / SIGNERS_DIR)
    return write_lab(tree, directory, moment)
