"""The shared part of a run (collect/shared.py) against the built-in lab: the root and
the TLD are asked once per run however many names are checked, every name's evidence
still replays alone to the same report, no server gets more than its share of queries
in flight, and a monitor round never reuses the last round's answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from dnssec_doctor.lab.manifest import ScenarioRecord
from dnssec_doctor.model.evidence import load, save
from dnssec_doctor.model.scan import Target
from dnssec_doctor.monitor.config import ConfigError
from dnssec_doctor.monitor.config import load as load_config
from dnssec_doctor.monitor.engine import Monitor
from dnssec_doctor.monitor.store import Store
from dnssec_doctor.render import check_json
from dnssec_doctor.services.check import check_evidence, run_check
from dnssec_doctor.services.scan import SharedWalks, check_many
from helpers.check_fixtures import BuiltinLab


def names_under_test(lab: BuiltinLab) -> list[ScenarioRecord]:
    return [s for s in lab.manifest.scenarios if s.qname.endswith(".test.")]


def root_servers(lab: BuiltinLab) -> set[str]:
    lines = (lab.directory / "root.hints").read_text().splitlines()
    return {line.split()[-1] for line in lines if line.split()[2:3] == ["A"]}


def tld_servers(lab: BuiltinLab) -> set[str]:
    report = run_check(lab.options(lab.manifest.scenario("healthy-ed25519")))
    return set(
        report.collection.zones[
            next(z for z in report.collection.zones if str(z) == "test.")
        ].addresses
    )


def sent_to(shared: SharedWalks, servers: set[str]) -> int:
    return sum(count for server, count in shared.asked.items() if server in servers)


def test_the_root_and_the_tld_are_asked_once_per_run(builtin_lab: BuiltinLab) -> None:
    records = names_under_test(builtin_lab)
    assert len(records) > 20
    base = builtin_lab.options(records[0])
    root, tld = root_servers(builtin_lab), tld_servers(builtin_lab)
    few, many = SharedWalks(), SharedWalks()
    check_many([Target(r.qname, r.qtype) for r in records[:2]], base, jobs=1, shared=few)
    outcomes = check_many([Target(r.qname, r.qtype) for r in records], base, jobs=1, shared=many)
    # one name after another: every root question of the later names is answered from
    # the run (the same questions, and the root's referral to test.)
    assert sent_to(many, root) == sent_to(few, root) > 0
    # test.'s own questions (DNSKEY, SOA, NS, CDS, CDNSKEY, its DS at the root) once;
    # each zone's referral and DS are asked per zone, two questions per name and server
    per_zone_at_tld = (sent_to(many, tld) - sent_to(few, tld)) / (len(records) - 2)
    alone = sum(
        1 for e in outcomes[5].report.collection.evidence.exchanges if e.server in tld
    ) if outcomes[5].report else 0  # fmt: skip
    assert per_zone_at_tld < alone / 2, (per_zone_at_tld, alone)
    assert many.reused > 0 and many.derived >= len(records) - 2


def test_each_names_evidence_replays_alone_to_the_same_report(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    records = names_under_test(builtin_lab)[:12]
    base = builtin_lab.options(records[0], at=builtin_lab.manifest.now)
    shared = SharedWalks()
    outcomes = check_many([Target(r.qname, r.qtype) for r in records], base, jobs=4, shared=shared)
    assert shared.derived > 0
    derived_seen = 0
    for record, outcome in zip(records, outcomes, strict=True):
        assert outcome.report is not None, outcome.error
        path = tmp_path / f"{record.id}.json"
        save(outcome.report.collection.evidence, path)
        saved = load(path)
        derived_seen += sum(1 for e in saved.exchanges if e.derived_from is not None)
        options = base._replace(name=record.qname, qtype=record.qtype)
        again = check_json.to_dict(check_evidence(path, options))
        live = check_json.to_dict(outcome.report)
        for report in (again, live):
            report.pop("stats")
        assert again == live, record.id
        assert live["cause"]["code"] == record.cause, record.id  # and the right one
    assert derived_seen > 0  # the derived referrals are in the files, marked


@pytest.mark.parametrize("per_server", [1, 2])
def test_no_server_gets_more_than_its_share_in_flight(
    builtin_lab: BuiltinLab, per_server: int
) -> None:
    records = names_under_test(builtin_lab)[:10]
    shared = SharedWalks(per_server=per_server)
    outcomes = check_many(
        [Target(r.qname, r.qtype) for r in records],
        builtin_lab.options(records[0]),
        jobs=8,
        shared=shared,
    )
    assert all(o.report is not None for o in outcomes)
    assert max(shared.limiter.peak.values()) == per_server  # reached, never passed
    assert [o.report.diagnosis.cause.value for o in outcomes if o.report] == [
        r.cause for r in records
    ]


def test_a_monitor_round_never_reuses_the_last_rounds_answers(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    zones = ["healthy-ed25519.test", "ds-digest-mismatch.test", "healthy-ecdsap256.test"]
    config_path = tmp_path / "monitor.toml"
    config_path.write_text(
        f'trust_anchor = "{builtin_lab.directory / "root.key"}"\n'
        f'root_hints = "{builtin_lab.directory / "root.hints"}"\n'
        f"port = {builtin_lab.port}\ntimeout = 0.3\n"
        f'store = "sqlite:///{tmp_path}/monitor.db"\n'
        "[defaults]\nper_server = 2\n" + "".join(f'[[zones]]\nname = "{z}"\n' for z in zones)
    )
    config = load_config(config_path)
    assert config.per_server == 2
    monitor = Monitor(config, Store.open(config.store))
    root = root_servers(builtin_lab)
    seen: list[SharedWalks] = []
    for _ in range(2):
        assert monitor.round() == 2
        assert monitor.shared is not None and monitor.shared not in seen
        seen.append(monitor.shared)
        assert sent_to(monitor.shared, root) > 0  # asked again: a new round sees changes
        assert monitor.shared.reused > 0  # and shared within the round
        assert max(monitor.shared.limiter.peak.values()) <= 2


def test_per_server_must_be_a_positive_integer(tmp_path: Path) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text('[defaults]\nper_server = 0\n[[zones]]\nname = "a.test"\n')
    with pytest.raises(ConfigError, match=r"monitor.toml:2: defaults.per_server"):
        load_config(path)


def test_the_alert_state_is_a_metric(builtin_lab: BuiltinLab, tmp_path: Path) -> None:
    """dnssec_monitor_alert_state{zone,channel}: what each channel was last told, with
    the deliveries counted; the alert really reaches a local webhook receiver."""
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    from dnssec_doctor.monitor.alerts import Alerter
    from dnssec_doctor.monitor.metrics import Metrics
    from helpers.monitor_fixtures import Webhook, wait_for

    hook = Webhook()
    config_path = tmp_path / "monitor.toml"
    config_path.write_text(
        f'trust_anchor = "{builtin_lab.directory / "root.key"}"\n'
        f'root_hints = "{builtin_lab.directory / "root.hints"}"\n'
        f"port = {builtin_lab.port}\ntimeout = 0.3\n"
        f'store = "sqlite:///{tmp_path}/monitor.db"\n'
        f'[channels.hook]\nurl = "{hook.url}"\n'
        '[metrics]\nlisten = "127.0.0.1:0"\n'
        '[[zones]]\nname = "healthy-ed25519.test"\n'
        '[[zones]]\nname = "ds-digest-mismatch.test"\n'
    )
    config = load_config(config_path)
    store = Store.open(config.store)
    alerter, metrics = Alerter(config, store), Metrics(config)
    try:
        assert Monitor(config, store, alerter, metrics).round() == 2
        assert alerter.drain()
        wait_for(lambda: len(hook.bodies) == 1)
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics.port}/metrics", timeout=5) as r:
            families = {f.name: f for f in text_string_to_metric_families(r.read().decode())}
        states = {
            (s.labels["zone"], s.labels["channel"]): s.value
            for s in families["dnssec_monitor_alert_state"].samples
        }
        assert states == {
            ("ds-digest-mismatch.test.", "hook"): 2,
            ("healthy-ed25519.test.", "hook"): 0,
        }
        sent = families["dnssec_monitor_alerts_sent"].samples
        assert [s.value for s in sent if s.name.endswith("_total")] == [1]
    finally:
        metrics.close()
        alerter.close()
        store.close()
        hook.close()
