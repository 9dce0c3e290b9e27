"""Alerts: on a state change (OK → WARNING → CRITICAL and back), with the cause and the
fix steps, repeated while the state holds, a recovery notice, one alert per zone and
channel per change (never a flood).

Channels are Apprise URLs (json:// webhook, mailto:// SMTP, slack://, matrix://, ...)
or a command that reads the alert as JSON on stdin. Delivery runs in a thread of its
own: a channel that is down is retried with backoff and the round goes on.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import subprocess
import threading
import time
import uuid
from typing import Any, NamedTuple

from dnssec_doctor.monitor import config as cfg
from dnssec_doctor.monitor.results import ZoneResult
from dnssec_doctor.monitor.store import AlertState, Store

log = logging.getLogger("dnssec_doctor.monitor")
SCHEMA = "dnssec-doctor/monitor-alert/1"
BACKOFF = (5.0, 15.0, 60.0, 300.0, 900.0)  # seconds before each retry; then dropped
COMMAND_TIMEOUT = 30.0


class Delivery(NamedTuple):
    channel: cfg.Channel
    alert: dict[str, Any]
    attempt: int
    key: str = ""  # its row in the store's pending_alerts until delivered


def _iso(posix: float) -> str:
    from dnssec_doctor.monitor.engine import iso

    return iso(posix)


def alert_for(
    zone: cfg.Zone, result: ZoneResult, previous: str | None, kind: str
) -> dict[str, Any]:
    first = result.observation.earliest
    return {
        "schema": SCHEMA,
        "kind": kind,  # alert | repeat | recovery
        "zone": result.zone,
        "state": result.state,
        "previous_state": previous,
        "verdict": result.verdict,
        "cause": result.cause,
        "headline": result.headline,
        "reasons": list(result.reasons),
        "steps": list(result.steps),
        "findings": [
            {"code": f["code"], "severity": f["severity"], "message": f["message"]}
            for f in result.findings
        ],
        "earliest_expiration": _iso(first.expiration) if first else None,
        "earliest_expiration_server": first.server if first else None,
        "last_safe_resign": _iso(first.expiration - first.ttl) if first else None,
        "stale_servers": result.observation.stale_servers(),
        "labels": dict(zone.labels),
        "checked_at": _iso(result.checked_at),
    }


def title(alert: dict[str, Any]) -> str:
    if alert["kind"] == "recovery":
        return f"DNSSEC RECOVERED - {alert['zone']}: OK (was {alert['previous_state']})"
    again = " (still)" if alert["kind"] == "repeat" else ""
    return f"DNSSEC {alert['state']}{again} - {alert['zone']}: {alert['cause']}"


def body(alert: dict[str, Any]) -> str:
    lines = [alert["headline"], ""]
    lines += [f"- {reason}" for reason in alert["reasons"] if reason != alert["headline"]]
    if alert["earliest_expiration"]:
        lines.append(
            f"Earliest signature expiry: {alert['earliest_expiration']} at "
            f"{alert['earliest_expiration_server']} (re-sign before {alert['last_safe_resign']})"
        )
    if alert["steps"] and alert["kind"] != "recovery":
        lines += ["", "Fix:"]
        for number, step in enumerate(alert["steps"], 1):
            lines.append(f"{number}. {step['title']}")
            lines += [f"     {line}" for line in step["lines"]]
    if alert["findings"]:
        lines += ["", "Findings:"]
        lines += [f"- {f['severity']} {f['code']}: {f['message']}" for f in alert["findings"]]
    lines += ["", f"Checked at {alert['checked_at']} by dnssec-doctor monitor."]
    return "\n".join(lines)


class Alerter:
    def __init__(self, config: cfg.Config, store: Store) -> None:
        self.config = config
        self.store = store
        self.channels = {c.name: c for c in config.channels}
        try:
            self.states: dict[tuple[str, str], AlertState] = store.alert_states()
        except Exception as error:
            log.error("store: cannot read the alert state (%s); starting afresh", error)
            self.states = {}
        self.sent = 0
        self.failures = 0
        self._queue: list[tuple[float, int, Delivery]] = []
        self._order = itertools.count()
        self._cv = threading.Condition()
        self._busy = 0
        self._in_flight: set[str] = set()
        self._stop = False
        self._thread = threading.Thread(target=self._work, name="alerts", daemon=True)
        self._thread.start()

    # -- deciding --------------------------------------------------------------------------

    def consider(self, zone: cfg.Zone, result: ZoneResult) -> None:
        now = result.checked_at
        for name in zone.alerts:
            channel = self.channels.get(name)
            if channel is None:
                continue
            key = (zone.name, name)
            before = self.states.get(key)
            kind: str | None = None
            if before is None or before.state != result.state:
                previous = before.state if before else None
                if result.state == "OK":
                    kind = "recovery" if previous not in (None, "OK") else None
                else:
                    kind = "alert"
                told = kind is not None and result.state in channel.states
                state = AlertState(result.state, now, now if told else None, result.cause)
                if not told:
                    kind = None
            else:
                previous = before.state
                state = before
                if (
                    result.state != "OK"
                    and result.state in channel.states
                    and channel.repeat > 0
                    and now - (before.last_sent or before.since) >= channel.repeat
                ):
                    kind = "repeat"
                    state = before._replace(last_sent=now)
            if state != before:
                self.states[key] = state
                self.store.set_alert_state(zone.name, name, state)
            if kind is not None:
                self._new(Delivery(channel, alert_for(zone, result, previous, kind), 0))

    def _new(self, delivery: Delivery) -> None:
        """Queue a new alert, kept in the store until it is delivered."""
        key = uuid.uuid4().hex
        alert = delivery.alert
        self.store.keep_pending(
            key, alert["zone"], delivery.channel.name, json.dumps(alert), time.time()
        )
        self._enqueue(delivery._replace(key=key), 0)

    def resume(self) -> int:
        """Queue again the stored alerts not delivered (a restart, a channel that was down
        past its retries); the count queued.  Called at the start of each round."""
        try:
            stored = self.store.pending_alerts()
        except Exception as error:  # the store unreadable: the next round tries again
            log.error("store: cannot read the pending alerts (%s)", error)
            return 0
        with self._cv:
            queued = {d.key for _due, _n, d in self._queue} | self._in_flight
        count = 0
        for key, channel_name, alert in stored:
            channel = self.channels.get(channel_name)
            if channel is None or key in queued:
                continue  # a channel no longer configured keeps its row (and is not told)
            self._enqueue(Delivery(channel, alert, 0, key), 0)
            count += 1
        if count:
            log.info("alerts: %d undelivered alert(s) queued again", count)
        return count

    # -- delivering ------------------------------------------------------------------------

    def _enqueue(self, delivery: Delivery, delay: float) -> None:
        with self._cv:
            heapq.heappush(self._queue, (time.monotonic() + delay, next(self._order), delivery))
            self._cv.notify_all()

    def _work(self) -> None:
        while True:
            with self._cv:
                while not self._stop and (not self._queue or self._queue[0][0] > time.monotonic()):
                    wait = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._cv.wait(wait)
                if self._stop:
                    return
                _due, _n, delivery = heapq.heappop(self._queue)
                self._busy += 1
                self._in_flight.add(delivery.key)
            try:
                ok, why = self._deliver(delivery)
            except Exception as error:  # a channel's bug must not stop the others
                ok, why = False, f"{type(error).__name__}: {error}"
            if ok and delivery.key:
                self.store.delivered(delivery.key)
            with self._cv:
                self._busy -= 1
                self._in_flight.discard(delivery.key)
                if ok:
                    self.sent += 1
                else:
                    self.failures += 1
                self._cv.notify_all()
            if not ok:
                zone, channel = delivery.alert["zone"], delivery.channel.name
                if delivery.attempt < len(BACKOFF):
                    delay = BACKOFF[delivery.attempt]
                    log.warning(
                        "alert %s -> %s failed (%s); retry in %gs", zone, channel, why, delay
                    )
                    self._enqueue(delivery._replace(attempt=delivery.attempt + 1), delay)
                else:
                    log.error("alert %s -> %s not delivered after %d tries (%s); kept, "
                              "tried again next round", zone, channel, delivery.attempt + 1,
                              why)  # fmt: skip

    def _deliver(self, delivery: Delivery) -> tuple[bool, str]:
        alert, channel = delivery.alert, delivery.channel
        if channel.command:
            try:
                done = subprocess.run(
                    list(channel.command),
                    input=json.dumps(alert).encode(),
                    capture_output=True,
                    timeout=COMMAND_TIMEOUT,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as error:
                return False, f"command: {error}"
            if done.returncode != 0:
                tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
                return False, f"command exited {done.returncode} {tail[0][:200]}"
        if channel.urls:
            import apprise

            sender = apprise.Apprise()
            for url in channel.urls:
                if not sender.add(url):
                    return False, f"Apprise does not take the URL {url.split('://')[0]}://..."
            kind = {
                "recovery": apprise.NotifyType.SUCCESS,
                "CRITICAL": apprise.NotifyType.FAILURE,
                "UNKNOWN": apprise.NotifyType.FAILURE,
            }.get(alert["kind"] if alert["kind"] == "recovery" else alert["state"],
                  apprise.NotifyType.WARNING)  # fmt: skip
            if not sender.notify(title=title(alert), body=body(alert), notify_type=kind):
                return False, "the notification service did not take it"
        return True, ""

    def retry_due(self) -> None:
        """Deliveries retry on their own thread; nothing to do (kept for the daemon loop)."""

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until every queued delivery is sent (or *timeout*): `monitor once` exits
        after its alerts are out, not before."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while self._queue or self._busy:
                pending_now = not self._busy and all(d > deadline for d, _n, _x in self._queue)
                left = deadline - time.monotonic()
                if left <= 0 or pending_now:
                    if self._queue:
                        log.error("alerts: %d not delivered before exit", len(self._queue))
                    return False
                self._cv.wait(min(left, 0.5))
        return True

    def close(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify_all()
