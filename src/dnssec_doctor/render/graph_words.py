"""The words of the chain-of-trust graph: how keys, DS records, signatures, proofs and
zones are named in its labels, each DNS-derived string cut to MAX_TEXT characters.
Plain text; render/graph.py escapes it when it writes DOT."""

from __future__ import annotations

import dns.exception
import dns.name
import dns.rdata
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.DS import DS
from dns.rdtypes.ANY.NSEC import NSEC
from dns.rdtypes.ANY.NSEC3 import NSEC3

from dnssec_doctor.model.analysis import ZoneResult
from dnssec_doctor.validate.algorithms import algorithm_name, digest_name
from dnssec_doctor.validate.ds import DsJudgment
from dnssec_doctor.validate.records import key_tag
from dnssec_doctor.validate.rrsig import RrsigJudgment, RrsigStatus

MAX_TEXT = 64  # characters of any one DNS-derived string (names can be 255 long)
SEP = 0x0001
REVOKE = 0x0080


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """At most *limit* characters: hostile names can be 255 long."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def alg(algorithm: int) -> str:
    return f"{algorithm_name(algorithm)} ({algorithm})"


def role(key: DNSKEY, signs_data: bool) -> str:
    if key.flags & SEP:
        return "CSK" if signs_data else "KSK"
    return "ZSK"


def bits(key: DNSKEY) -> str:
    return f"{len(key.key) * 8} bits of key data"


def subtitle(result: ZoneResult) -> str:
    if result.inherited:
        return f"{result.status.value}, as the zone {result.parent} above: not checked here"
    return f"{result.status.value}: {clip(result.reason, 70)}"


def ds_words(judgment: DsJudgment) -> str:
    words = judgment.status.value.replace("_", " ").lower()
    return clip(f"{words}: {judgment.detail}" if judgment.detail else words, 60)


def sig_words(judgment: RrsigJudgment) -> str:
    days = abs(judgment.seconds_left) / 86400
    if judgment.status is RrsigStatus.EXPIRED:
        return f"expired {days:.1f} d ago"
    if judgment.status is RrsigStatus.NOT_YET_VALID:
        ahead = (judgment.inception - judgment.at) / 86400
        return f"not valid for {ahead:.1f} d"
    return clip(judgment.status.value.replace("_", " ").lower(), 40)


def record_line(rrset: dns.rrset.RRset) -> str:
    first = next(iter(rrset), None)
    more = f" (+{len(rrset) - 1})" if len(rrset) > 1 else ""
    return clip(f"{first.to_text()}{more}" if first is not None else "(empty)", 60)


def denial_line(rrset: dns.rrset.RRset, rdata: object) -> str:
    if isinstance(rdata, NSEC):
        return f"{clip(rrset.name.to_text(), 40)} → {clip(rdata.next.to_text(), 40)}"
    if isinstance(rdata, NSEC3):
        owner = clip(rrset.name.labels[0].decode("ascii", "replace"), 14)
        nxt = clip(rdata.to_text().split()[4], 14)
        out = " (opt-out)" if rdata.flags & 1 else ""
        return f"{owner} → {nxt}{out}"
    return clip(str(rdata), 60)


def anchor_record(line: str) -> tuple[dns.name.Name | None, DS | DNSKEY | None]:
    """A trust anchor line (presentation format) as its owner and DS or DNSKEY."""
    parts = line.split()
    for index, word in enumerate(parts):
        if word.upper() in ("DS", "DNSKEY") and index > 0:
            try:
                owner = dns.name.from_text(parts[0])
                rdata = dns.rdata.from_text("IN", word.upper(), " ".join(parts[index + 1 :]))
            except (dns.exception.DNSException, ValueError):
                return None, None  # an unreadable line is not drawn (the check said so)
            return owner, rdata if isinstance(rdata, (DS, DNSKEY)) else None
    return None, None


def ds_row(record: DS) -> str:
    return f"tag {record.key_tag} · {alg(record.algorithm)} · {digest_name(record.digest_type)}"


def anchor_row(line: str) -> str:
    _, record = anchor_record(line)
    if isinstance(record, DS):
        return "DS " + ds_row(record)
    if isinstance(record, DNSKEY):
        return f"DNSKEY tag {key_tag(record)} · {alg(record.algorithm)}"
    return clip(line, 60)
