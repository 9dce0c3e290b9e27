"""`monitor` against the built-in lab: rounds, exit codes, status and history, change
detection, the store on SQLite and a real PostgreSQL, kill -9 and signals on a real
daemon process, alerts delivered to a real webhook receiver, SMTP server and command,
and the Prometheus scrape parsed with prometheus_client's own parser."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from dnssec_doctor.monitor.config import load
from dnssec_doctor.monitor.engine import Monitor
from dnssec_doctor.monitor.store import Store
from dnssec_doctor.monitor.store.schema import LATEST
from helpers.check_fixtures import TIMEOUT, BuiltinLab
from helpers.cli_helpers import invoke
from helpers.monitor_fixtures import Mailbox, Webhook, wait_for
from helpers.ports import free_port

TOP = Path(__file__).resolve().parents[2]


def zone_of(lab: BuiltinLab, scenario: str) -> str:
    return lab.manifest.scenario(scenario).qname.removeprefix("www.").removeprefix("nonexistent.")


def write_config(
    lab: BuiltinLab, tmp_path: Path, zones: str, store: str | None = None, extra: str = ""
) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        f"""
trust_anchor = "{lab.directory / "root.key"}"
root_hints = "{lab.directory / "root.hints"}"
port = {lab.port}
timeout = {TIMEOUT}
store = "{store or f"sqlite:///{tmp_path}/monitor.db"}"
{extra}
{zones}
"""
    )
    return path


def zones_toml(lab: BuiltinLab, *scenarios: str, settings: str = "") -> str:
    return "".join(f'[[zones]]\nname = "{zone_of(lab, s)}"\n{settings}\n' for s in scenarios)


def test_once_exits_with_the_worst_zones_code_and_status_tells_it(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    zones = zones_toml(builtin_lab, "healthy-ecdsap256", "rrsig-expiring-soon")
    healthy = zone_of(builtin_lab, "healthy-ecdsap256")
    zones = zones.replace(
        f'name = "{healthy}"\n', f'name = "{healthy}"\nnames = ["www.{healthy} A"]\n'
    )
    config = write_config(builtin_lab, tmp_path, zones)
    assert invoke(["monitor", "once", "--config", str(config)]).exit_code == 1
    status = invoke(["monitor", "status", "--config", str(config), "--json"])
    assert status.exit_code == 0
    rows = {z["zone"]: z for z in json.loads(status.stdout)["zones"]}
    soon = rows[zone_of(builtin_lab, "rrsig-expiring-soon")]
    assert (soon["state"], soon["verdict"], soon["cause"]) == (
        "WARNING",
        "secure",
        "RRSIG_EXPIRING_SOON",
    )
    assert soon["earliest_expiration"].endswith("Z") and soon["earliest_expiration_server"]
    assert 0 < soon["days_left"] < 7
    assert any("re-sign before" in r for r in soon["reasons"])
    assert rows[healthy]["state"] == "OK"
    text = invoke(["monitor", "status", "--config", str(config)])
    assert "RRSIG_EXPIRING_SOON" in text.stdout and "ZONE" in text.stdout
    history = invoke(["monitor", "history", healthy, "--config", str(config), "--json"])
    events = json.loads(history.stdout)["events"]
    assert [e["kind"] for e in events] == ["state"] and events[0]["detail"]["to"] == "OK"


def test_a_bogus_zone_is_critical_with_its_cause_and_a_shorter_threshold_too(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    zones = zones_toml(builtin_lab, "ds-digest-mismatch") + zones_toml(
        builtin_lab, "rrsig-expiring-soon", settings="critical_days = 5"
    )
    config = write_config(builtin_lab, tmp_path, zones)
    assert invoke(["monitor", "once", "--config", str(config)]).exit_code == 2
    store = Store.open(f"sqlite:///{tmp_path}/monitor.db", migrate=False)
    states = {s.zone: s for s in store.status()}
    bogus = states[zone_of(builtin_lab, "ds-digest-mismatch")]
    assert (bogus.state, bogus.cause) == ("CRITICAL", "DS_DIGEST_MISMATCH")
    soon = states[zone_of(builtin_lab, "rrsig-expiring-soon")]
    assert soon.state == "CRITICAL" and any(r.startswith("CRITICAL:") for r in soon.reasons)
    with sqlite3.connect(tmp_path / "monitor.db") as db:
        kept = db.execute("SELECT count(*) FROM evidence").fetchone()[0]
    assert kept >= 2  # the evidence of each zone that is not OK, to analyse again offline


def test_a_stale_secondary_is_named(builtin_lab: BuiltinLab, tmp_path: Path) -> None:
    config = write_config(builtin_lab, tmp_path, zones_toml(builtin_lab, "stale-secondary"))
    invoke(["monitor", "once", "--config", str(config)])
    (status,) = json.loads(invoke(["monitor", "status", "--config", str(config), "--json"]).stdout)[
        "zones"
    ]
    assert status["stale_servers"] and status["state"] != "OK"
    assert any("stale secondary" in r for r in status["reasons"])


def test_a_key_change_is_an_event_and_the_zone_is_checked_again_at_once(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    config = write_config(builtin_lab, tmp_path, zones_toml(builtin_lab, "healthy-ed25519"))
    zone = zone_of(builtin_lab, "healthy-ed25519")
    invoke(["monitor", "once", "--config", str(config)])
    # what the store remembers of the last round now differs from what is served:
    # one DNSKEY and the serial, as after a rollover step and a re-signing
    with sqlite3.connect(tmp_path / "monitor.db") as db:
        db.execute("UPDATE rrsets SET records = '[\"257 3 15 b2xka2V5\"]' WHERE kind='DNSKEY'")
        db.execute("UPDATE serials SET serial = serial - 1")
        db.execute("UPDATE signatures SET inception = inception - 3600")
    invoke(["monitor", "once", "--config", str(config)])
    events = json.loads(
        invoke(["monitor", "history", zone, "--config", str(config), "--json"]).stdout
    )["events"]
    kinds = [e["kind"] for e in events]
    assert "dnskey" in kinds and "serial" in kinds
    serial = next(e for e in events if e["kind"] == "serial")
    assert serial["detail"]["new_signatures"] is True
    with sqlite3.connect(tmp_path / "monitor.db") as db:
        triggers = [row[0] for row in db.execute("SELECT trigger FROM results ORDER BY id")]
    assert triggers == ["once", "once", "change"]


def test_bad_config_and_a_missing_store_are_one_line_exit_3(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    config = write_config(builtin_lab, tmp_path, "[[zones]]\nname = 'a.test'\nwarn = 3\n")
    result = invoke(["monitor", "once", "--config", str(config)])
    assert result.exit_code == 3 and result.stderr.count("\n") == 1
    assert f"{config}:" in result.stderr and "zones[0].warn: unknown key" in result.stderr
    good = write_config(builtin_lab, tmp_path, zones_toml(builtin_lab, "healthy-ed25519"))
    result = invoke(["monitor", "status", "--config", str(good)])
    assert result.exit_code == 3 and "no store at" in result.stderr
    result = invoke(["monitor", "history", "a..b", "--config", str(good)])
    assert result.exit_code == 3 and result.stderr.count("\n") == 1


def test_the_store_on_a_real_postgresql_server(
    builtin_lab: BuiltinLab, tmp_path: Path, postgres: str
) -> None:
    zones = zones_toml(builtin_lab, "healthy-ecdsap256", "ds-digest-mismatch")
    config = write_config(builtin_lab, tmp_path, zones, store=postgres)
    assert invoke(["monitor", "once", "--config", str(config)]).exit_code == 2
    assert invoke(["monitor", "once", "--config", str(config)]).exit_code == 2
    rows = json.loads(invoke(["monitor", "status", "--config", str(config), "--json"]).stdout)
    causes = {z["zone"]: z["cause"] for z in rows["zones"]}
    assert causes[zone_of(builtin_lab, "ds-digest-mismatch")] == "DS_DIGEST_MISMATCH"
    store = Store.open(postgres)
    assert store.version() == LATEST and store.counts()["results"] >= 4
    store.close()


# -- the daemon, as a real process -------------------------------------------------------


def daemon(config: Path, tmp_path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "dnssec_doctor", "monitor", "run", "--config", str(config)],
        stderr=(tmp_path / "daemon.log").open("wb"),
        stdout=subprocess.DEVNULL,
        cwd=TOP,
    )


def results(tmp_path: Path) -> int:
    try:
        with sqlite3.connect(tmp_path / "monitor.db", timeout=5) as db:
            return int(db.execute("SELECT count(*) FROM results").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


ALL = (
    "healthy-rsasha256", "healthy-ecdsap256", "healthy-ecdsap384", "healthy-ed25519",
    "ds-digest-mismatch", "ds-stale-rekey", "dnskey-missing", "rrsig-expired",
    "rrsig-expiring-soon", "stale-secondary", "silent-nameserver", "ksk-rollover-done",
)  # fmt: skip


def test_kill_9_mid_round_loses_nothing_recorded_and_the_store_opens(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    zones = zones_toml(builtin_lab, *ALL)
    config = write_config(builtin_lab, tmp_path, zones, extra="[defaults]\nconcurrency = 1\n")
    process = daemon(config, tmp_path)
    try:
        wait_for(lambda: results(tmp_path) >= 3, 60)
    finally:
        process.kill()  # SIGKILL, mid-round
        process.wait()
    recorded = results(tmp_path)
    assert recorded >= 3
    with sqlite3.connect(tmp_path / "monitor.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = Store.open(f"sqlite:///{tmp_path}/monitor.db")
    assert store.counts()["results"] >= recorded and len(store.status()) >= 3
    store.close()
    assert invoke(["monitor", "status", "--config", str(config)]).exit_code == 0


def test_sigterm_finishes_the_round_and_sighup_reloads_the_config(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    first = zones_toml(builtin_lab, "healthy-ecdsap256", settings='interval = "1h"')
    config = write_config(builtin_lab, tmp_path, first)
    process = daemon(config, tmp_path)
    try:
        wait_for(lambda: results(tmp_path) >= 1, 60)
        write_config(builtin_lab, tmp_path, first + zones_toml(builtin_lab, "ds-digest-mismatch"))
        process.send_signal(signal.SIGHUP)
        wait_for(lambda: results(tmp_path) >= 2, 60)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    log = (tmp_path / "daemon.log").read_text()
    assert "config reloaded (2 zones)" in log and "monitor: stopped" in log
    assert "Traceback" not in log


# -- alerts and metrics ----------------------------------------------------------------


def mail_text(message: Message) -> str:
    parts = [p for p in message.walk() if not p.is_multipart()]
    payloads = [p.get_payload(decode=True) for p in parts]
    return "\n".join(p.decode("utf-8", "replace") for p in payloads if isinstance(p, bytes))


def test_alerts_reach_a_webhook_an_smtp_server_and_a_command_once_per_change(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    hook, mailbox = Webhook(), Mailbox()
    received = tmp_path / "alerts.jsonl"
    script = tmp_path / "alert.sh"
    script.write_text(f"#!/bin/sh\ncat >> {received}\necho >> {received}\n")
    script.chmod(0o755)
    channels = f"""
[channels.hook]
url = "{hook.url}"
[channels.mail]
url = "{mailbox.url}"
[channels.page]
command = ["{script}"]
"""
    zone = zone_of(builtin_lab, "rrsig-expiring-soon")
    try:
        config = write_config(
            builtin_lab, tmp_path, zones_toml(builtin_lab, "rrsig-expiring-soon"), extra=channels
        )
        for _ in range(2):  # the second round holds the state: no second alert
            assert invoke(["monitor", "once", "--config", str(config)]).exit_code == 1
        assert len(hook.bodies) == 1 and len(mailbox.messages) == 1
        (first,) = hook.bodies
        assert first["title"] == f"DNSSEC WARNING - {zone}: RRSIG_EXPIRING_SOON"
        assert "re-sign before" in first["message"] and "Fix:" in first["message"]
        assert first["type"] == "warning"
        mail = mailbox.messages[0]
        assert "RRSIG_EXPIRING_SOON" in mail["Subject"] and mail["To"] == "dns@example.test"
        assert "Fix:" in mail_text(mail)
        (alert,) = [json.loads(line) for line in received.read_text().splitlines() if line]
        assert alert["schema"] == "dnssec-doctor/monitor-alert/1"
        assert (alert["kind"], alert["state"], alert["cause"]) == (
            "alert",
            "WARNING",
            "RRSIG_EXPIRING_SOON",
        )
        assert alert["steps"] and alert["earliest_expiration_server"]
        # the thresholds move below the expiry: OK again, one recovery notice each
        config = write_config(
            builtin_lab,
            tmp_path,
            zones_toml(builtin_lab, "rrsig-expiring-soon", settings="warn_days = 1"),
            extra=channels,
        )
        assert invoke(["monitor", "once", "--config", str(config)]).exit_code == 0
        wait_for(lambda: len(hook.bodies) == 2 and len(mailbox.messages) == 2)
        assert hook.bodies[1]["type"] == "success"
        assert hook.bodies[1]["title"].startswith(f"DNSSEC RECOVERED - {zone}")
        kinds = [json.loads(line)["kind"] for line in received.read_text().splitlines() if line]
        assert kinds == ["alert", "recovery"]
    finally:
        hook.close()
        mailbox.close()


def test_a_channel_that_is_down_is_retried_and_the_round_goes_on(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    dead = free_port(("127.0.0.1",))
    config = load(
        write_config(
            builtin_lab,
            tmp_path,
            zones_toml(builtin_lab, "ds-digest-mismatch", "healthy-ed25519"),
            extra=f'[channels.down]\nurl = "json://127.0.0.1:{dead}/hook?cto=0.5&rto=0.5"\n',
        )
    )
    from dnssec_doctor.monitor.alerts import Alerter

    store = Store.open(config.store, config.path.parent)
    alerter = Alerter(config, store)
    began = time.monotonic()
    assert Monitor(config, store, alerter).round() == 2
    assert time.monotonic() - began < 10  # the round did not wait for the channel
    wait_for(lambda: alerter.failures >= 1)
    assert len(store.status()) == 2
    alerter.close()
    store.close()


def test_metrics_scrape_parses_with_prometheus_own_parser(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    from dnssec_doctor.monitor.metrics import Metrics

    config = load(
        write_config(
            builtin_lab,
            tmp_path,
            zones_toml(builtin_lab, "healthy-ecdsap256", "ds-digest-mismatch"),
            extra='[metrics]\nlisten = "127.0.0.1:0"\n',
        )
    )
    store = Store.open(config.store, config.path.parent)
    metrics = Metrics(config)
    try:
        Monitor(config, store, None, metrics).round()
        base = f"http://127.0.0.1:{metrics.port}"
        with urllib.request.urlopen(base + "/metrics", timeout=5) as reply:
            text = reply.read().decode()
        families = {f.name: f for f in text_string_to_metric_families(text)}
        bogus = zone_of(builtin_lab, "ds-digest-mismatch")
        state = {s.labels["zone"]: s.value for s in families["dnssec_monitor_zone_state"].samples}
        assert state[bogus] == 2
        verdicts = {
            (s.labels["zone"], s.labels["verdict"]): s.value
            for s in families["dnssec_monitor_zone_verdict"].samples
        }
        assert verdicts[(bogus, "bogus")] == 1
        expiries = families["dnssec_monitor_rrsig_earliest_expiration_timestamp_seconds"]
        assert {s.labels["type"] for s in expiries.samples} >= {"SOA", "DNSKEY"}
        assert all(s.value > time.time() for s in expiries.samples)
        keys = families["dnssec_monitor_dnskey_info"].samples
        assert {s.labels["flags"] for s in keys} >= {"257"}
        for name in ("zone_seconds_to_expiry", "last_check_timestamp_seconds",
                     "check_duration_seconds", "check_success", "rounds"):  # fmt: skip
            assert "dnssec_monitor_" + name in families, name
        with urllib.request.urlopen(base + "/healthz", timeout=5) as reply:
            assert reply.status == 200
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(base + "/nope", timeout=5)
    finally:
        metrics.close()
        store.close()


def test_the_example_systemd_unit_runs_the_daemon_in_the_foreground() -> None:
    unit = (TOP / "scripts" / "dnssec-doctor-monitor.service").read_text()
    assert "ExecStart=/usr/local/bin/dnssec-doctor monitor run --config" in unit
    assert "ExecReload=/bin/kill -HUP $MAINPID" in unit
    assert os.path.exists(TOP / "docs" / "monitor.md")


def test_a_zone_that_vanished_is_critical_and_named(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    config = write_config(builtin_lab, tmp_path, '[[zones]]\nname = "vanished.test"\n')
    assert invoke(["monitor", "once", "--config", str(config)]).exit_code == 2
    (status,) = json.loads(invoke(["monitor", "status", "--config", str(config), "--json"]).stdout)[
        "zones"
    ]
    assert status["cause"] == "ZONE_NOT_FOUND" and "not a zone" in status["headline"]


def test_an_alert_repeats_at_its_interval_while_the_state_holds(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    from dnssec_doctor.monitor.alerts import Alerter

    received = tmp_path / "alerts.jsonl"
    script = tmp_path / "alert.sh"
    script.write_text(f"#!/bin/sh\ncat >> {received}\necho >> {received}\n")
    script.chmod(0o755)
    config = load(
        write_config(
            builtin_lab,
            tmp_path,
            zones_toml(builtin_lab, "ds-digest-mismatch"),
            extra=f'[channels.page]\ncommand = ["{script}"]\nrepeat = 1\n',
        )
    )
    store = Store.open(config.store, config.path.parent)
    alerter = Alerter(config, store)
    monitor = Monitor(config, store, alerter)
    monitor.round()
    monitor.round()  # within the repeat interval: nothing
    time.sleep(1.1)
    monitor.round()  # past it: one repeat
    assert alerter.drain(10)
    kinds = [json.loads(line)["kind"] for line in received.read_text().splitlines() if line]
    assert kinds == ["alert", "repeat"]
    alerter.close()
    store.close()
