"""collect/shared.py's parts that need no server: the per-server limit across threads
and event loops (and a waiter that gives up), and the evidence field a derived referral
carries (written only when set, read back, refused when malformed)."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

import pytest

from dnssec_doctor.collect.shared import ServerLimiter
from dnssec_doctor.model.evidence import (
    Evidence,
    EvidenceError,
    Exchange,
    Query,
    from_json,
    to_dict,
    to_json,
)


def test_the_limit_holds_across_threads_each_with_its_own_loop() -> None:
    limiter = ServerLimiter(per_server=2)
    in_flight = 0
    most = 0
    lock = threading.Lock()

    async def one() -> None:
        nonlocal in_flight, most
        async with limiter.slot("192.0.2.1"):
            with lock:
                in_flight += 1
                most = max(most, in_flight)
            await asyncio.sleep(0.01)
            with lock:
                in_flight -= 1

    async def many() -> None:
        await asyncio.gather(*(one() for _ in range(10)))

    threads = [threading.Thread(target=asyncio.run, args=(many(),)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert most == 2 and limiter.peak == {"192.0.2.1": 2}
    assert limiter._busy == {"192.0.2.1": 0} and not limiter._waiting["192.0.2.1"]


def test_a_waiter_that_gives_up_does_not_keep_a_slot() -> None:
    limiter = ServerLimiter(per_server=1)

    async def scenario() -> None:
        async with limiter.slot("192.0.2.1"):
            waiter = asyncio.create_task(limiter._acquire("192.0.2.1"))
            await asyncio.sleep(0)
            waiter.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiter
        async with asyncio.timeout(1):  # the slot is free again
            async with limiter.slot("192.0.2.1"):
                pass

    asyncio.run(scenario())
    assert limiter._busy == {"192.0.2.1": 0}


def test_no_limit_below_one() -> None:
    with pytest.raises(ValueError):
        ServerLimiter(per_server=0)


def _evidence(derived: str | None) -> Evidence:
    return Evidence(
        at=datetime(2026, 12, 3, tzinfo=UTC),
        query=Query("www.b.test.", "A", "IN"),
        exchanges=(
            Exchange(server="192.0.2.1", qname="www.b.test.", qtype="A", error="timeout",
                     derived_from=derived),
        ),
    )  # fmt: skip


def test_derived_from_is_written_only_when_set_and_read_back() -> None:
    plain = to_dict(_evidence(None))
    assert "derived_from" not in plain["exchanges"][0]  # files without sharing unchanged
    derived = _evidence("www.a.test. A")
    assert to_dict(derived)["exchanges"][0]["derived_from"] == "www.a.test. A"
    assert from_json(to_json(derived)) == derived


def test_a_malformed_derived_from_is_named() -> None:
    text = to_json(_evidence("www.a.test. A")).replace('"www.a.test. A"', "42")
    with pytest.raises(EvidenceError, match=r"exchanges\[0\]\.derived_from"):
        from_json(text)
