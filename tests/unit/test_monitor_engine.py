"""The monitor's judgements on recorded facts: what counts as a change, when re-signing
appears to have stopped, which exit code is worse."""

from __future__ import annotations

from dnssec_doctor.monitor.engine import changes, resigning_stopped
from dnssec_doctor.monitor.observe import Observation, Signature
from dnssec_doctor.monitor.results import worse

DAY = 86400


def seen(keys: tuple[str, ...], serial: int, inception: int, tag: int = 1) -> Observation:
    sig = Signature("127.0.0.1", "SOA", inception + 30 * DAY, inception, 3600, tag, 13)
    return Observation(
        "a.example.",
        (sig,),
        {"DNSKEY": {"127.0.0.1": keys}, "DS": {"127.0.0.2": ("1 13 2 AB",)}},
        {"127.0.0.1": serial},
        ((tag, 13),),
        (),
    )


def test_nothing_changed_is_no_event() -> None:
    assert changes("a.example.", seen(("k1",), 1, 0), seen(("k1",), 1, 0), 5.0) == []
    assert changes("a.example.", None, seen(("k1",), 1, 0), 5.0) == []


def test_a_new_key_a_new_signer_and_a_resigned_serial_are_events() -> None:
    events = changes("a.example.", seen(("k1",), 1, 0), seen(("k1", "k2"), 2, DAY, tag=2), 5.0)
    kinds = {e.kind: e for e in events}
    assert set(kinds) == {"dnskey", "signing_key", "serial"}
    assert kinds["dnskey"].detail == {"added": ["k2"], "removed": []}
    assert kinds["serial"].detail["new_signatures"] is True
    assert "with new signatures" in kinds["serial"].summary


def test_a_serial_without_new_signatures_says_so() -> None:
    (event,) = changes("a.example.", seen(("k1",), 1, 0), seen(("k1",), 2, 0), 5.0)
    assert event.kind == "serial" and event.detail["new_signatures"] is False


def test_resigning_stopped_needs_history_and_compares_with_the_zones_own_rhythm() -> None:
    week = 7 * DAY
    trend = [(float(i * DAY), i * DAY + 30 * DAY, (i // 7) * week) for i in range(22)]
    assert resigning_stopped(trend[:3], 3 * DAY, 3600) is None  # one inception: no rhythm
    assert resigning_stopped(trend, 22 * DAY, 3600) is None  # within 1.5 x the week
    message = resigning_stopped(trend, 21 * DAY + 11 * DAY, 3600)
    assert message is not None and "re-signing appears to have stopped" in message
    assert "every 7.0 days" in message


def test_worse_orders_critical_unknown_warning_ok() -> None:
    assert worse(0, 1) == 1 and worse(1, 3) == 3 and worse(3, 2) == 2 and worse(2, 0) == 2
