"""`/metrics` (Prometheus text format, the official prometheus_client) and `/healthz`.

The names are a public interface, documented in docs/monitor.md#metrics. The gauges
are built from the zones' last results at each scrape (a custom collector), so a zone
removed from the config disappears from the scrape.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from dnssec_doctor.monitor import config as cfg
from dnssec_doctor.monitor.results import ZoneResult

P = "dnssec_monitor_"
VERDICTS = ("secure", "insecure", "bogus", "indeterminate")


class MetricsError(Exception):
    pass


class Health(Protocol):
    config: cfg.Config
    stopping: threading.Event


class AlertSource(Protocol):
    """What the alert-state metrics read (monitor.alerts.Alerter)."""

    states: dict[tuple[str, str], Any]  # (zone, channel) -> AlertState (.state: a name)
    sent: int
    failures: int


STATE_CODES = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}


class Metrics:
    def __init__(self, config: cfg.Config) -> None:
        assert config.metrics is not None
        self.results: dict[str, tuple[cfg.Zone, ZoneResult]] = {}
        self.rounds = 0
        self.last_round = 0.0
        self.round_seconds = 0.0
        self.started = time.time()
        self.health: Health | None = None
        self.alerts: AlertSource | None = None
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_Collector(self))
        self.lock = threading.Lock()
        handler = _handler(self)
        try:
            self.server = ThreadingHTTPServer(
                (config.metrics.address, config.metrics.port), handler
            )
        except OSError as error:
            raise MetricsError(
                f"metrics: cannot listen on {config.metrics.address}:{config.metrics.port}: "
                f"{error.strerror}"
            ) from None
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def update(self, zone: cfg.Zone, result: ZoneResult) -> None:
        with self.lock:
            self.results[zone.name] = (zone, result)

    def round_done(self, seconds: float) -> None:
        with self.lock:
            self.rounds += 1
            self.last_round = time.time()
            self.round_seconds = seconds

    def healthy(self) -> tuple[bool, str]:
        if self.health is not None and self.health.stopping.is_set():
            return False, "stopping"
        if not self.rounds:
            return True, "starting: no round finished yet"
        longest = max((z.interval for z in (self.health.config.zones if self.health else ())),
                      default=3600)  # fmt: skip
        age = time.time() - self.last_round
        if age > 3 * longest + 60:
            return False, f"no round finished for {age:.0f}s"
        return True, f"ok: last round {age:.0f}s ago"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Collector:
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        m = self.metrics
        with m.lock:
            items = list(m.results.values())
            rounds, last_round, round_seconds = m.rounds, m.last_round, m.round_seconds
        now = time.time()
        state = GaugeMetricFamily(
            P + "zone_state", "0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN", labels=["zone"]
        )
        verdict = GaugeMetricFamily(
            P + "zone_verdict", "1 for the zone's verdict", labels=["zone", "verdict"]
        )
        cause = GaugeMetricFamily(P + "zone_cause_info", "the cause code", labels=["zone", "cause"])
        expiry = GaugeMetricFamily(
            P + "rrsig_earliest_expiration_timestamp_seconds",
            "earliest RRSIG expiration per zone, server and RRset type",
            labels=["zone", "server", "type"],
        )
        inception = GaugeMetricFamily(
            P + "rrsig_inception_timestamp_seconds",
            "inception of that earliest-expiring RRSIG",
            labels=["zone", "server", "type"],
        )
        left = GaugeMetricFamily(
            P + "zone_seconds_to_expiry", "seconds to the zone's earliest expiry", labels=["zone"]
        )
        checked = GaugeMetricFamily(
            P + "last_check_timestamp_seconds", "when the zone was last checked", labels=["zone"]
        )
        duration = GaugeMetricFamily(
            P + "check_duration_seconds", "how long the zone's last check took", labels=["zone"]
        )
        success = GaugeMetricFamily(
            P + "check_success", "1 when the last check could decide", labels=["zone"]
        )
        keys = GaugeMetricFamily(
            P + "dnskey_info",
            "1 per DNSKEY served",
            labels=["zone", "key_tag", "algorithm", "flags"],
        )
        stale = GaugeMetricFamily(
            P + "server_stale", "1 for a server whose serial lags", labels=["zone", "server"]
        )
        for zone, r in items:
            labels = [zone.name]
            state.add_metric(labels, r.code)
            for v in VERDICTS:
                verdict.add_metric([zone.name, v], 1.0 if r.verdict == v else 0.0)
            cause.add_metric([zone.name, r.cause], 1)
            for sig in r.observation.signatures:
                expiry.add_metric([zone.name, sig.server, sig.rrtype], sig.expiration)
                inception.add_metric([zone.name, sig.server, sig.rrtype], sig.inception)
            first = r.observation.earliest
            if first is not None:
                left.add_metric(labels, first.expiration - now)
            checked.add_metric(labels, r.checked_at)
            duration.add_metric(labels, r.duration)
            success.add_metric(labels, 0 if r.code == 3 else 1)
            for tag, algorithm, flags in r.observation.dnskeys:
                keys.add_metric([zone.name, str(tag), str(algorithm), str(flags)], 1)
            for server in r.observation.stale_servers():
                stale.add_metric([zone.name, server], 1)
        yield from (state, verdict, cause, expiry, inception, left, checked, duration, success)
        yield from (keys, stale)
        yield from _alert_metrics(m.alerts)
        total = CounterMetricFamily(P + "rounds", "rounds finished")
        total.add_metric([], rounds)
        yield total
        last = GaugeMetricFamily(P + "last_round_timestamp_seconds", "when the last round ended")
        last.add_metric([], last_round)
        yield last
        took = GaugeMetricFamily(P + "round_duration_seconds", "how long the last round took")
        took.add_metric([], round_seconds)
        yield took


def _alert_metrics(alerts: AlertSource | None) -> Iterator[Metric]:
    """The alert state per zone and channel (what the channel was last told, 0-3), and
    the deliveries made and failed."""
    if alerts is None:
        return
    states = dict(alerts.states)  # one copy: the round may change it meanwhile
    gauge = GaugeMetricFamily(
        P + "alert_state",
        "the state a channel was last told of, per zone: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN",
        labels=["zone", "channel"],
    )
    for (zone, channel), state in sorted(states.items()):
        gauge.add_metric([zone, channel], STATE_CODES.get(state.state, 3))
    yield gauge
    sent = CounterMetricFamily(P + "alerts_sent", "alerts delivered")
    sent.add_metric([], alerts.sent)
    yield sent
    failed = CounterMetricFamily(P + "alert_failures", "alert deliveries that failed (each try)")
    failed.add_metric([], alerts.failures)
    yield failed


def _handler(metrics: Metrics) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._reply(200, CONTENT_TYPE_LATEST, generate_latest(metrics.registry))
            elif path == "/healthz":
                ok, why = metrics.healthy()
                self._reply(200 if ok else 503, "text/plain; charset=utf-8", why.encode() + b"\n")
            else:
                self._reply(404, "text/plain; charset=utf-8", b"not found: /metrics, /healthz\n")

        def _reply(self, code: int, kind: str, data: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # scrapes are not news

    return Handler
