"""The resolver's own words (issue 12 class 8): its Extended DNS Errors (RFC 8914) are
read, shown, and compared with the failures found at the authoritative servers.

A signed root on one loopback address delegates ``ex.`` with a DS for a key ``ex.`` does
not publish (bogus: the DS names no key); a scripted "resolver" answers SERVFAIL with
whatever EDE the case gives (or none), and answers with CD set.
"""

from __future__ import annotations

import asyncio
import json

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import dns.zone
import pytest

from dnssec_doctor.analyze.core import analyze
from dnssec_doctor.collect import Collection
from dnssec_doctor.diagnose import diagnose
from dnssec_doctor.lab.keys import generate_key
from dnssec_doctor.lab.responder import Responder
from dnssec_doctor.lab.signer import SigningPlan, Window, sign_zone
from dnssec_doctor.lab.zoneindex import ZoneIndex
from dnssec_doctor.model import findings as F
from dnssec_doctor.model.analysis import Analysis, Status
from dnssec_doctor.model.report import Report
from dnssec_doctor.render import check_json, check_text
from helpers.collect_fixtures import run_walk, zone

NOW = 1767225600  # 2026-01-01, what run_walk collects at
WINDOW = Window(NOW - 86400, NOW + 30 * 86400)
ROOT_ADDRESS, CHILD, RESOLVER = "127.79.2.1", "127.79.2.2", "127.79.2.9"
EDE = tuple[int, str] | None


def _zones() -> tuple[Responder, str]:
    """The root (its DS for ex. names a key ex. does not have) and ex. (signed)."""
    ex = zone(
        "ex.",
        "@ 3600 IN SOA ns.ex. h.ex. 1 7200 3600 1209600 300\n@ 3600 IN NS ns.ex.\n"
        f"ns 3600 IN A {CHILD}\nwww 300 IN A 192.0.2.1\n",
    )
    ksk, zsk, other = (generate_key(15, ksk=k) for k in (True, False, True))
    sign_zone(ex, SigningPlan([ksk, zsk], [ksk], [zsk], WINDOW))
    root = zone(
        ".",
        f"@ 3600 IN SOA a.root. h.root. 1 7200 3600 1209600 300\n@ 3600 IN NS a.root.\n"
        f"a.root. 3600 IN A {ROOT_ADDRESS}\nex. 3600 IN NS ns.ex.\nns.ex. 3600 IN A {CHILD}\n"
        f"ex. 3600 IN DS {other.ds(dns.name.from_text('ex.')).to_text()}\n",
    )
    rksk, rzsk = generate_key(15, ksk=True), generate_key(15, ksk=False)
    sign_zone(root, SigningPlan([rksk, rzsk], [rksk], [rzsk], WINDOW))
    anchor = f". 3600 IN DS {rksk.ds(dns.name.root).to_text()}"
    origins: dict[dns.name.Name | str, dns.zone.Zone | ZoneIndex] = {dns.name.root: root, "ex.": ex}
    return Responder(origins), anchor


def resolved(ede: EDE, *, servfail: bool = True) -> tuple[Analysis, Report]:
    responder, anchor = _zones()

    def handler(address: str, transport: str, wire: bytes) -> bytes | None:
        query = dns.message.from_wire(wire)
        if address != RESOLVER:
            return responder.respond(query).to_wire()
        response = dns.message.make_response(query)
        response.flags |= dns.flags.RA
        if query.flags & dns.flags.CD or not servfail:
            rrset = dns.rrset.from_text(query.question[0].name, 300, "IN", "A", "192.0.2.1")
            response.answer.append(rrset)
            if not servfail:
                response.flags |= dns.flags.AD
        else:
            response.set_rcode(dns.rcode.SERVFAIL)
            if ede is not None:
                option = dns.edns.EDEOption(dns.edns.EDECode.make(ede[0]), ede[1] or None)
                response.use_edns(0, dns.flags.DO, 1232, options=[option])
        return response.to_wire()

    async def walk() -> Collection:
        found, _ = await run_walk(
            [ROOT_ADDRESS, CHILD, RESOLVER],
            handler,
            "www.ex.",
            trust_anchors=[anchor],
            hints=[ROOT_ADDRESS],
            timeout=0.5,
            resolver=RESOLVER,
        )
        return found

    found = asyncio.run(walk())
    analysis = analyze(found, NOW)
    return analysis, Report(found, analysis, diagnose(analysis, found), 0.0)


def codes(analysis: Analysis) -> list[str]:
    return [f.code for f in analysis.findings]


def test_an_ede_that_names_our_failure_is_shown_and_agrees() -> None:
    analysis, report = resolved((9, "no DNSKEY matches DS"))
    assert analysis.verdict is Status.BOGUS
    assert F.RESOLVER_EDE in codes(analysis)
    assert F.RESOLVER_EDE_DISAGREES not in codes(analysis)
    ede = next(f for f in analysis.findings if f.code == F.RESOLVER_EDE)
    assert ede.message == f"{RESOLVER} reports EDE 9 (DNSKEY Missing): no DNSKEY matches DS"
    shown = json.loads(check_json.render(report))["resolver"]["extended_errors"]
    assert shown == [{"info_code": 9, "label": "DNSKEY Missing", "text": "no DNSKEY matches DS"}]


@pytest.mark.parametrize(
    ("ede", "meaning"),
    [
        ((7, "signature expired"), "expired signatures"),
        ((8, ""), "signatures not yet valid"),
        ((12, "no NSEC"), "a missing or broken denial of existence"),
        ((27, ""), "NSEC3 iterations above its limit"),
    ],
)
def test_an_ede_that_names_another_failure_is_a_finding(ede: EDE, meaning: str) -> None:
    analysis, _ = resolved(ede)
    disagree = [f for f in analysis.findings if f.code == F.RESOLVER_EDE_DISAGREES]
    assert len(disagree) == 1 and disagree[0].severity.label == "WARNING"
    assert meaning in disagree[0].message
    assert "DS_NO_KEY_WITH_TAG" in disagree[0].message  # what the servers show
    assert disagree[0].servers == (RESOLVER,)


def test_generic_and_unknown_edes_are_shown_not_compared() -> None:
    for ede in ((6, "validation failure"), (5, ""), (3, "stale"), (49152, "private")):
        analysis, _ = resolved(ede)
        assert F.RESOLVER_EDE in codes(analysis)
        assert F.RESOLVER_EDE_DISAGREES not in codes(analysis)


def test_a_resolver_without_ede_is_said_so() -> None:
    analysis, report = resolved(None)
    assert F.RESOLVER_EDE not in codes(analysis)
    assert F.DNSSEC_IS_THE_CAUSE in codes(analysis)
    assert json.loads(check_json.render(report))["resolver"]["extended_errors"] == []
    from rich.console import Console

    console = Console(record=True, width=160)
    check_text.render(report, console)
    assert "gives no Extended DNS Error" in console.export_text()


def test_an_ede_is_in_the_text_report() -> None:
    _, report = resolved((7, "signature expired"))
    from rich.console import Console

    console = Console(record=True, width=160)
    check_text.render(report, console)
    text = console.export_text()
    assert "Resolver says: EDE 7 (Signature Expired): signature expired" in text
    assert "RESOLVER_EDE_DISAGREES" in text
