"""Rounds: every zone checked as `check` does (through services.check), its facts
recorded, changes detected (a change is checked again at once), alerts and metrics fed.
"""

from __future__ import annotations

import itertools
import json
import logging
import random
import signal
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import dns.name

from dnssec_doctor.model import evidence as ev
from dnssec_doctor.monitor import config as cfg
from dnssec_doctor.monitor.observe import Observation, observe
from dnssec_doctor.monitor.results import STATE_NAMES, Event, ZoneResult, worse
from dnssec_doctor.monitor.store import Store
from dnssec_doctor.services.check import CheckError, CheckOptions, run_check
from dnssec_doctor.services.scan import SharedWalks

if TYPE_CHECKING:
    from dnssec_doctor.model.report import Report
    from dnssec_doctor.monitor.alerts import Alerter
    from dnssec_doctor.monitor.metrics import Metrics

log = logging.getLogger("dnssec_doctor.monitor")
_SEVERITY = {"INFO": 0, "WARNING": 1, "CRITICAL": 2}


def iso(posix: float) -> str:
    return datetime.fromtimestamp(posix, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _options(
    config: cfg.Config, zone: cfg.Zone, target: cfg.Target, shared: SharedWalks | None
) -> CheckOptions:
    return CheckOptions(
        name=target.name,
        qtype=target.qtype,
        trust_anchor_file=config.trust_anchor,
        root_hints_file=config.root_hints,
        resolver=config.resolver,
        warn_days=zone.warn_days,
        port=config.port,
        timeout=config.timeout,
        shared=shared,
    )


def check_zone(
    config: cfg.Config, zone: cfg.Zone, trigger: str, shared: SharedWalks | None = None
) -> ZoneResult:
    """The zone's SOA and its configured names, each checked in full; the zone's state is
    the worst of them and of the expiry thresholds.  *shared*: the round's answers about
    the zones above and its per-server limits."""
    began = time.monotonic()
    now = time.time()
    reports: list[tuple[cfg.Target, Report]] = []
    errors: list[str] = []
    for target in zone.targets:
        try:
            reports.append((target, run_check(_options(config, zone, target, shared))))
        except CheckError as error:
            errors.append(f"{target.name} {target.qtype}: {error}")
    observation = observe(dns.name.from_text(zone.name), (r.collection for _, r in reports))
    code, verdict, cause, headline = (3, "indeterminate", "CHECK_FAILED", "")
    reasons: list[str] = list(errors)
    findings: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    worst: Report | None = None
    for _target, report in reports:
        if worst is None or worse(int(report.exit_code), int(worst.exit_code)) != int(
            worst.exit_code
        ):
            worst = report
        for finding in report.analysis.findings:
            item = finding.as_dict()
            if _SEVERITY.get(str(item["severity"]), 0) >= 1 and item not in findings:
                findings.append(item)
    if worst is not None:
        code = int(worst.exit_code) if not errors else worse(int(worst.exit_code), 3)
        verdict = worst.analysis.verdict.value
        cause = worst.diagnosis.cause.value
        headline = worst.diagnosis.headline
        steps = [{"title": s.title, "lines": list(s.lines)} for s in worst.diagnosis.steps]
        if code:
            reasons.insert(0, headline)
    elif errors:
        headline = errors[0]
    apex = dns.name.from_text(zone.name)
    if reports and not any(apex in r.collection.zones for _, r in reports):
        # the walk found no zone cut at the name: the zone vanished (or was never delegated)
        code, cause = 2, "ZONE_NOT_FOUND"
        kind = worst.analysis.answers[0].kind if worst and worst.analysis.answers else "none"
        headline = f"{zone.name} is not a zone: the walk found no delegation to it ({kind})"
        reasons.insert(0, headline)
    first = observation.earliest
    if first is not None:
        days = (first.expiration - now) / 86400
        safe = iso(first.expiration - first.ttl)
        where = f"{first.rrtype} at {first.server}"
        if days <= zone.critical_days:
            code = worse(code, 2)
            reasons.append(
                f"CRITICAL: signatures expire in {days:.1f} days ({iso(first.expiration)}, "
                f"{where}; re-sign before {safe})"
            )
            if cause in ("OK", "INSECURE_DELEGATION"):
                cause, headline = "RRSIG_EXPIRING_SOON", reasons[-1]
        elif days <= zone.warn_days:
            code = worse(code, 1)
            reasons.append(
                f"WARNING: signatures expire in {days:.1f} days ({iso(first.expiration)}, "
                f"{where}; re-sign before {safe})"
            )
    stale = observation.stale_servers()
    if stale:
        newest = max(observation.serials.values())
        lagging = ", ".join(f"{s} (serial {observation.serials[s]})" for s in stale)
        reasons.append(f"stale secondary: {lagging} behind serial {newest}")
    evidence = tuple(
        (
            f"{target.name} {target.qtype}",
            zlib.compress(ev.to_json(report.collection.evidence).encode()),
        )
        for target, report in reports
        if code != 0
    )
    return ZoneResult(
        zone=zone.name,
        checked_at=now,
        trigger=trigger,
        code=code,
        verdict=verdict,
        cause=cause,
        headline=headline or "the chain of trust holds",
        reasons=tuple(reasons),
        findings=tuple(findings),
        steps=tuple(steps),
        observation=observation,
        duration=time.monotonic() - began,
        evidence=evidence,
    )


def changes(zone: str, before: Observation | None, after: Observation, at: float) -> list[Event]:
    """What changed since the zone's last result: the DNSKEY, DS, CDS and CDNSKEY sets,
    the signing keys, and a new serial served with new signatures."""
    if before is None:
        return []
    found: list[Event] = []
    for kind in ("DNSKEY", "DS", "CDS", "CDNSKEY"):
        old, new = set(before.merged(kind)), set(after.merged(kind))
        if old != new and (new or old):
            found.append(
                Event(
                    zone,
                    at,
                    kind.lower(),
                    f"{kind} set changed: {len(new - old)} added, {len(old - new)} removed",
                    {"added": sorted(new - old), "removed": sorted(old - new)},
                )
            )
    old_keys, new_keys = set(before.signing_keys), set(after.signing_keys)
    if new_keys and old_keys != new_keys:
        found.append(
            Event(
                zone,
                at,
                "signing_key",
                "signing keys changed: now "
                + ", ".join(f"{tag}/alg {alg}" for tag, alg in sorted(new_keys)),
                {
                    "added": [list(k) for k in sorted(new_keys - old_keys)],
                    "removed": [list(k) for k in sorted(old_keys - new_keys)],
                },
            )
        )
    old_serial = max(before.serials.values(), default=None)
    new_serial = max(after.serials.values(), default=None)
    if old_serial is not None and new_serial is not None and old_serial != new_serial:
        old_inception = max((s.inception for s in before.signatures), default=0)
        new_inception = max((s.inception for s in after.signatures), default=0)
        resigned = new_inception != old_inception
        found.append(
            Event(
                zone,
                at,
                "serial",
                f"serial {old_serial} -> {new_serial}"
                + (" with new signatures" if resigned else ""),
                {"from": old_serial, "to": new_serial, "new_signatures": resigned},
            )
        )
    return found


def state_event(previous: str | None, result: ZoneResult) -> Event | None:
    if previous == result.state:
        return None
    return Event(
        result.zone,
        result.checked_at,
        "state",
        f"{previous or 'new'} -> {result.state}: {result.cause}",
        {
            "from": previous,
            "to": result.state,
            "verdict": result.verdict,
            "cause": result.cause,
            "reasons": list(result.reasons),
        },
    )


def resigning_stopped(
    trend: Sequence[tuple[float, int, int | None]], now: float, interval: float
) -> str | None:
    """ "Automatic re-signing appears to have stopped": the newest inception has not
    moved for longer than the zone's own observed refresh period allows (1.5 times the
    longest gap seen between new inceptions, plus one check interval). Needs at least
    three distinct inceptions in the history."""
    inceptions: list[int] = []
    for _at, _expiry, inception in trend:
        if inception is not None and (not inceptions or inception > inceptions[-1]):
            inceptions.append(inception)
    if len(inceptions) < 3:
        return None
    period = max(b - a for a, b in itertools.pairwise(inceptions))
    quiet = now - inceptions[-1]
    if quiet > 1.5 * period + interval:
        return (
            f"automatic re-signing appears to have stopped: no new signatures since "
            f"{iso(inceptions[-1])} ({quiet / 86400:.1f} days; the zone re-signed every "
            f"{period / 86400:.1f} days)"
        )
    return None


class Monitor:
    """The resident engine: one round at a time, every zone concurrently."""

    def __init__(
        self,
        config: cfg.Config,
        store: Store,
        alerter: Alerter | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.alerter = alerter
        self.metrics = metrics
        if metrics is not None:
            metrics.alerts = alerter  # dnssec_monitor_alert_state
        self.states: dict[str, str] = {z: r["state"] for z, r in _safe_latest(store).items()}
        self.observations: dict[str, Observation] = {}
        self.due: dict[str, float] = {}
        self.stopping = threading.Event()
        self.reload_requested = threading.Event()

    def check(self, zone: cfg.Zone, trigger: str) -> tuple[ZoneResult, list[Event]]:
        result = check_zone(self.config, zone, trigger, self.shared)
        before = self.observations.get(zone.name) or _safe(
            lambda: self.store.last_observation(zone.name)
        )
        events = changes(zone.name, before, result.observation, result.checked_at)
        if events and trigger != "change":
            log.info(
                "%s: %s; checking again at once", zone.name, "; ".join(e.summary for e in events)
            )
            self.store.record(result, events, self._round)
            self.observations[zone.name] = result.observation
            return self.check(zone, "change")
        trend = _safe(lambda: self.store.expiry_trend(zone.name)) or []
        stopped = resigning_stopped(trend, result.checked_at, zone.interval)
        if stopped:
            result = result._replace(
                code=worse(result.code, 1), reasons=(*result.reasons, f"WARNING: {stopped}")
            )
            if result.cause == "OK":
                result = result._replace(cause="RESIGNING_STOPPED", headline=stopped)
        change = state_event(self.states.get(zone.name), result)
        if change is not None:
            events.append(change)
        self.store.record(result, events, self._round)
        self.states[zone.name] = result.state
        self.observations[zone.name] = result.observation
        return result, events

    _round: int | None = None
    #: the round's answers about the zones above: new each round, so a change at the
    #: root or a TLD is seen the next round (and never carried over).
    shared: SharedWalks | None = None

    def round(self, zones: list[cfg.Zone] | None = None, trigger: str = "interval") -> int:
        """Check *zones* (all by default) concurrently; returns the worst exit code."""
        todo = list(self.config.zones if zones is None else zones)
        began = time.monotonic()
        self._round = self.store.begin_round(len(todo))
        self.shared = SharedWalks(per_server=self.config.per_server)
        if self.alerter is not None:
            self.alerter.resume()  # what earlier rounds (or runs) could not deliver
        worst = 0
        with ThreadPoolExecutor(max_workers=self.config.concurrency) as pool:
            futures = [(z, pool.submit(self.check, z, trigger)) for z in todo]
            for zone, future in futures:
                try:
                    result, _events = future.result()
                except Exception as error:  # a bug in one zone's check: the round goes on
                    log.error("%s: internal error: %s: %s", zone.name, type(error).__name__, error)
                    worst = worse(worst, 3)
                    continue
                worst = worse(worst, result.code)
                log.info(
                    "%s: %s %s (%s)%s",
                    zone.name,
                    result.state,
                    result.verdict,
                    result.cause,
                    "".join(f"; {r}" for r in result.reasons[:3]),
                )
                if self.alerter is not None:
                    self.alerter.consider(zone, result)
                if self.metrics is not None:
                    self.metrics.update(zone, result)
        self.store.finish_round(self._round, worst)
        if self.metrics is not None:
            self.metrics.round_done(time.monotonic() - began)
        self.store.prune(self.config.retention_days)
        return worst

    # -- the daemon ------------------------------------------------------------------------

    def run(self, reload: Callable[[], cfg.Config] | None = None) -> None:
        """Rounds until SIGTERM/SIGINT (the round in progress finishes); SIGHUP reloads."""
        wake = threading.Event()  # a signal ends the wait between rounds at once

        def stop(*_: object) -> None:
            self.stopping.set()
            wake.set()

        def reload_config(*_: object) -> None:
            self.reload_requested.set()
            wake.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGHUP, reload_config)
        log.info("monitor: watching %d zone(s)", len(self.config.zones))
        while not self.stopping.is_set():
            if self.reload_requested.is_set():
                self.reload_requested.clear()
                if reload is not None:
                    try:
                        self.config = reload()
                        self.due = {z: t for z, t in self.due.items() if self.config.zone(z)}
                        log.info("monitor: config reloaded (%d zones)", len(self.config.zones))
                    except cfg.ConfigError as error:
                        log.error("monitor: config not reloaded, the old one stays: %s", error)
            now = time.monotonic()
            due = [z for z in self.config.zones if self.due.get(z.name, 0) <= now]
            if due:
                self.round(due)
                for zone in due:
                    jitter = 1 + random.uniform(-self.config.jitter, self.config.jitter)
                    self.due[zone.name] = time.monotonic() + zone.interval * jitter
            if self.alerter is not None:
                self.alerter.retry_due()
            wait = min(self.due.values(), default=time.monotonic() + 60) - time.monotonic()
            wake.wait(max(0.2, min(wait, 5.0)))
            wake.clear()
        log.info("monitor: stopped")


def _safe(read: Callable[[], Any]) -> Any:
    try:
        return read()
    except Exception as error:  # the store unreadable: carry on without history
        log.error("store: cannot read (%s)", " ".join(str(error).split())[:200])
        return None


def _safe_latest(store: Store) -> dict[str, dict[str, Any]]:
    return dict(_safe(store.latest) or {})


def round_summary(result: ZoneResult) -> str:
    return json.dumps({"zone": result.zone, "state": STATE_NAMES[result.code]})
