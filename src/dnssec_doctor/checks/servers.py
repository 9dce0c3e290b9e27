"""Each authoritative server against its peers: silent, lame, or out of step."""

from __future__ import annotations

from collections import defaultdict

import dns.name

from dnssec_doctor.analyze import messages as M
from dnssec_doctor.checks.context import ChainContext, T
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.checks import register
from dnssec_doctor.model.collection import Reply
from dnssec_doctor.model.findings import Finding


@register(
    "servers.reachable",
    set="servers",
    codes=(F.SERVER_UNREACHABLE, F.SERVER_LAME, F.SERVERS_DISAGREE),
    rfc="RFC 1034 4.2.2",
    summary="servers that do not answer, answer without authority, or serve another "
    "SOA serial or DNSKEY set than their peers",
)
def server_findings(context: ChainContext) -> list[Finding]:
    collection = context.collection
    found: list[Finding] = []
    for cut in collection.zones.values():
        zone = cut.name.to_text()
        replies: dict[str, list[Reply]] = defaultdict(list)
        for table in (cut.dnskey, cut.soa, cut.ns):
            for server, reply in table.items():
                replies[server].append(reply)
        silent = sorted(s for s, rs in replies.items() if rs and all(r.message is None for r in rs))
        if silent:
            errors = sorted({r.exchange.error or "?" for s in silent for r in replies[s]})
            found.append(
                Finding.of(
                    F.SERVER_UNREACHABLE,
                    zone,
                    servers=tuple(silent),
                    silent=", ".join(silent),
                    errors=", ".join(errors),
                )
            )
        lame = sorted(
            s
            for s, rs in replies.items()
            if s not in silent and any(r.message is not None and not M.answered(r) for r in rs)
        )
        if lame:
            found.append(
                Finding.of(
                    F.SERVER_LAME, zone, servers=tuple(lame), lame=", ".join(lame), zone=zone
                )
            )
        serials = {s: M.soa_serial(r, cut.name) for s, r in cut.soa.items() if M.answered(r)}
        distinct = {v for v in serials.values() if v is not None}
        if len(distinct) > 1:
            listing = ", ".join(f"{s}: {v}" for s, v in sorted(serials.items()))
            found.append(
                Finding.of(
                    F.SERVERS_DISAGREE,
                    zone,
                    servers=tuple(sorted(serials)),
                    variant="soa",
                    serials=listing,
                )
            )
        found += dnskey_disagreement(cut.name, cut.dnskey)
    return found


def dnskey_disagreement(zone: dns.name.Name, replies: dict[str, Reply]) -> list[Finding]:
    """Servers that publish different DNSKEY sets (a key change not yet everywhere)."""
    tags: dict[str, tuple[int, ...]] = {}
    for server, reply in replies.items():
        keys = M.answer_rrset(reply, zone, T.DNSKEY)
        if keys is not None:
            tags[server] = tuple(sorted(k.key_id() for k in keys))
    if len(set(tags.values())) < 2:
        return []
    listing = "; ".join(f"{s}: {', '.join(map(str, t))}" for s, t in sorted(tags.items()))
    return [
        Finding.of(
            F.SERVERS_DISAGREE,
            zone.to_text(),
            servers=tuple(sorted(tags)),
            variant="dnskey",
            tags=listing,
        )
    ]
