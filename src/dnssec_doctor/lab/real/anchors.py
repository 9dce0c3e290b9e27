"""The lab's root hints and trust anchor in the formats Unbound, named and delv read.

The builder may already have written root.hints and root.key; only missing files are
written here.
"""

from __future__ import annotations

import base64
from pathlib import Path

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.DNSKEY
import dns.rdtypes.ANY.DS

from dnssec_doctor.lab.manifest import LabManifest
from dnssec_doctor.lab.real.layout import ROOT_HINTS, ROOT_KEY, TRUST_ANCHORS_CONF

HINT_TTL = 3600000  # as in named.root


def parse_anchor(line: str, rdtype: str) -> tuple[dns.name.Name, dns.rdata.Rdata]:
    """An anchor line, whole RR ("owner [ttl] [class] TYPE rdata") or rdata alone."""
    tokens = line.split()
    upper = [t.upper() for t in tokens]
    if rdtype in upper:
        index = upper.index(rdtype)
        owner = dns.name.from_text(tokens[0]) if index > 0 else dns.name.root
        rdata_text = " ".join(tokens[index + 1 :])
    else:
        owner, rdata_text = dns.name.root, line
    rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), rdata_text)
    return owner, rdata


def root_hints_text(manifest: LabManifest) -> str:
    lines = []
    names = sorted({name for name, _ in manifest.root_hints})
    for name in names:
        lines.append(f".\t{HINT_TTL}\tIN\tNS\t{name}")
    for name, address in manifest.root_hints:
        lines.append(f"{name}\t{HINT_TTL}\tIN\tA\t{address}")
    return "\n".join(lines) + "\n"


def root_key_text(manifest: LabManifest) -> str:
    lines = []
    kinds = (("DS", manifest.trust_anchor_ds), ("DNSKEY", manifest.trust_anchor_dnskey))
    for rdtype, anchors in kinds:
        for line in anchors:
            owner, rdata = parse_anchor(line, rdtype)
            lines.append(f"{owner.to_text()}\tIN\t{rdtype}\t{rdata.to_text()}")
    return "\n".join(lines) + "\n"


def trust_anchors_conf_text(manifest: LabManifest) -> str:
    """A BIND `trust-anchors` statement: static-ds for each DS, else static-key per DNSKEY."""
    entries = []
    for line in manifest.trust_anchor_ds:
        owner, ds = parse_anchor(line, "DS")
        assert isinstance(ds, dns.rdtypes.ANY.DS.DS)
        entries.append(
            f'    "{owner.to_text()}" static-ds {ds.key_tag} {int(ds.algorithm)} '
            f'{ds.digest_type} "{ds.digest.hex().upper()}";'
        )
    if not entries:
        for line in manifest.trust_anchor_dnskey:
            owner, key = parse_anchor(line, "DNSKEY")
            assert isinstance(key, dns.rdtypes.ANY.DNSKEY.DNSKEY)
            key_text = base64.b64encode(key.key).decode()
            entries.append(
                f'    "{owner.to_text()}" static-key {key.flags} {key.protocol} '
                f'{int(key.algorithm)} "{key_text}";'
            )
    if not entries:
        raise ValueError("the lab manifest has no root trust anchor")
    return "trust-anchors {\n" + "\n".join(entries) + "\n};\n"


def write_anchor_files(manifest: LabManifest) -> None:
    lab = Path(manifest.directory)
    if not (lab / ROOT_HINTS).exists():
        (lab / ROOT_HINTS).write_text(root_hints_text(manifest))
    if not (lab / ROOT_KEY).exists():
        (lab / ROOT_KEY).write_text(root_key_text(manifest))
    if not (lab / TRUST_ANCHORS_CONF).exists():
        (lab / TRUST_ANCHORS_CONF).write_text(trust_anchors_conf_text(manifest))
