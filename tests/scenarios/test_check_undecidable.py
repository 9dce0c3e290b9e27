"""Undecidable is not OK (issue 12 class 7): when no server of a zone gives a usable
answer the diagnosis names why (all silent, all lame, a mix), never ``OK``.

A signed root on one loopback address delegates ``ex.`` (unsigned, no DS) to two more;
those two are made silent, refusing, or answering without authority.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import dns.flags
import dns.message
import dns.name
import dns.rcode
import pytest

from dnssec_doctor.analyze.core import analyze
from dnssec_doctor.collect import Collection
from dnssec_doctor.diagnose import diagnose
from dnssec_doctor.lab.keys import generate_key
from dnssec_doctor.lab.responder import Responder
from dnssec_doctor.lab.signer import SigningPlan, Window, sign_zone
from dnssec_doctor.model.analysis import Status
from dnssec_doctor.model.causes import Cause
from dnssec_doctor.model.diagnosis import Diagnosis
from helpers.collect_fixtures import run_walk, zone

ROOT_ADDRESS = "127.79.1.1"
CHILD = ["127.79.1.2", "127.79.1.3"]
NOW = 1767225600  # 2026-01-01, what run_walk collects at
Behaviour = Callable[[dns.message.Message], dns.message.Message | None]


def _root() -> tuple[Responder, str]:
    text = (
        "@ 3600 IN SOA a.root. h.root. 1 7200 3600 1209600 300\n"
        "@ 3600 IN NS a.root.\n"
        f"a.root. 3600 IN A {ROOT_ADDRESS}\n"
        "ex. 3600 IN NS ns1.ex.\nex. 3600 IN NS ns2.ex.\n"
        f"ns1.ex. 3600 IN A {CHILD[0]}\nns2.ex. 3600 IN A {CHILD[1]}\n"
    )
    root = zone(".", text)
    ksk, zsk = generate_key(15, ksk=True), generate_key(15, ksk=False)
    plan = SigningPlan(
        published=[ksk, zsk],
        dnskey_signers=[ksk],
        data_signers=[zsk],
        window=Window(NOW - 86400, NOW + 30 * 86400),
    )
    sign_zone(root, plan)
    anchor = f". 3600 IN DS {ksk.ds(dns.name.root).to_text()}"
    return Responder({dns.name.root: root}), anchor


EX = (
    "@ 3600 IN SOA ns1.ex. h.ex. 1 7200 3600 1209600 300\n"
    "@ 3600 IN NS ns1.ex.\n@ 3600 IN NS ns2.ex.\n"
    f"ns1 3600 IN A {CHILD[0]}\nns2 3600 IN A {CHILD[1]}\nwww 300 IN A 192.0.2.1\n"
)


def silent(query: dns.message.Message) -> dns.message.Message | None:
    return None


def refusing(query: dns.message.Message) -> dns.message.Message | None:
    response = dns.message.make_response(query)
    response.set_rcode(dns.rcode.REFUSED)
    return response


def not_authoritative(query: dns.message.Message) -> dns.message.Message | None:
    response = dns.message.make_response(query)  # NOERROR, empty, no AA: a lame server
    response.flags &= ~dns.flags.AA
    return response


def checked(
    first: Behaviour, second: Behaviour, root: Behaviour | None = None
) -> tuple[Status, Diagnosis]:
    responder, anchor = _root()
    behaviours = {CHILD[0]: first, CHILD[1]: second}

    def handler(address: str, transport: str, wire: bytes) -> bytes | None:
        query = dns.message.from_wire(wire)
        if address == ROOT_ADDRESS:
            answer = responder.respond(query) if root is None else root(query)
            return None if answer is None else answer.to_wire()
        answer = behaviours[address](query)
        return None if answer is None else answer.to_wire()

    async def walk() -> Collection:
        found, _ = await run_walk(
            [ROOT_ADDRESS, *CHILD],
            handler,
            "www.ex.",
            trust_anchors=[anchor],
            hints=[ROOT_ADDRESS],
            timeout=0.3,
        )
        return found

    found = asyncio.run(walk())
    analysis = analyze(found, NOW)
    return analysis.verdict, diagnose(analysis, found)


@pytest.mark.parametrize(
    ("first", "second", "cause"),
    [
        (silent, silent, Cause.ALL_NAMESERVERS_SILENT),
        (refusing, refusing, Cause.ALL_NAMESERVERS_LAME),
        (not_authoritative, refusing, Cause.ALL_NAMESERVERS_LAME),
        (silent, refusing, Cause.NO_NAMESERVER_USABLE),
    ],
    ids=["all-silent", "all-refusing", "all-lame", "mixed"],
)
def test_no_usable_server_is_named_not_ok(
    first: Behaviour, second: Behaviour, cause: Cause
) -> None:
    verdict, diagnosis = checked(first, second)
    assert verdict is Status.INDETERMINATE
    assert diagnosis.cause is cause
    assert diagnosis.zone == "ex."
    assert diagnosis.headline.startswith("Cannot decide")
    assert diagnosis.steps


def test_silent_root_servers_are_named_not_ok() -> None:
    verdict, diagnosis = checked(silent, silent, root=silent)
    assert verdict is Status.INDETERMINATE
    assert diagnosis.cause is Cause.ALL_NAMESERVERS_SILENT
    assert diagnosis.zone == "."


def test_one_good_server_is_still_a_verdict() -> None:
    """The zone is unsigned (no DS): one authoritative server is enough for a verdict."""
    responder = Responder({dns.name.from_text("ex."): zone("ex.", EX)})

    def good(query: dns.message.Message) -> dns.message.Message | None:
        return responder.respond(query)

    verdict, diagnosis = checked(silent, good)
    assert verdict is Status.INSECURE
    assert diagnosis.cause is Cause.INSECURE_DELEGATION
