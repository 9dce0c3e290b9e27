"""The monitor's TOML config: the issue's minimal file, defaults, and one-line errors
that name the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from dnssec_doctor import defaults
from dnssec_doctor.monitor.config import DEFAULT_STORE, ConfigError, Target, load

MINIMAL = """\
trust_anchor = "root.key"      # optional, as check's --trust-anchor
root_hints = "root.hints"      # optional, as check's --root-hints
resolver = "192.0.2.53"        # optional, as check's --resolver
store = "sqlite:///var/lib/dnssec-doctor/monitor.db"   # optional; this is the default's form

[[zones]]
name = "example.com"
names = ["www.example.com A", "example.com MX"]       # optional
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(text)
    return path


def test_the_minimal_config_of_the_issue_loads(tmp_path: Path) -> None:
    config = load(write(tmp_path, MINIMAL))
    assert config.trust_anchor == tmp_path / "root.key"  # relative to the config file
    assert config.root_hints == tmp_path / "root.hints"
    assert config.resolver == "192.0.2.53"
    assert config.store == "sqlite:///var/lib/dnssec-doctor/monitor.db"
    (zone,) = config.zones
    assert zone.name == "example.com."
    assert zone.targets == (
        Target("example.com.", "SOA"),
        Target("www.example.com.", "A"),
        Target("example.com.", "MX"),
    )
    assert zone.warn_days == defaults.WARN_DAYS
    assert zone.critical_days == 2
    assert zone.interval == 3600
    assert config.channels == () and config.metrics is None


def test_defaults_and_per_zone_values(tmp_path: Path) -> None:
    config = load(
        write(
            tmp_path,
            """
[defaults]
interval = "30m"
warn_days = 10
critical_days = 3
concurrency = 8
alerts = ["ops"]
repeat = "12h"

[channels.ops]
url = "json://127.0.0.1:8080/hook"
[channels.pager]
command = ["/usr/local/bin/page", "--team", "dns"]
states = ["critical", "ok"]

[metrics]
listen = "127.0.0.1:9153"

[[zones]]
name = "a.example"
[[zones]]
name = "b.example."
interval = 60
warn_days = 14
critical_days = 1
labels = { team = "dns", tier = "gold" }
alerts = ["pager"]
""",
        )
    )
    a, b = config.zones
    assert config.store == DEFAULT_STORE
    assert (a.interval, a.warn_days, a.critical_days, a.alerts) == (1800, 10, 3, ("ops",))
    assert (b.interval, b.warn_days, b.critical_days, b.alerts) == (60, 14, 1, ("pager",))
    assert b.labels == (("team", "dns"), ("tier", "gold"))
    ops, pager = config.channels
    assert ops.urls == ("json://127.0.0.1:8080/hook",) and ops.repeat == 43200
    assert pager.command == ("/usr/local/bin/page", "--team", "dns")
    assert pager.states == ("CRITICAL", "OK")
    assert config.metrics is not None and config.metrics.port == 9153
    assert config.concurrency == 8


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[zones]]\nname = "a.example"\nwarn_dayz = 3\n', ":3: zones[0].warn_dayz: unknown key"),
        ('colour = 1\n[[zones]]\nname = "a.example"\n', ":1: colour: unknown key"),
        (
            '[[zones]]\nname = "a.example"\n[[zones]]\nname = "b.example"\ninterval = "soon"\n',
            ":5: zones[1].interval: 'soon' is not a duration",
        ),
        ('[[zones]]\nname = "a.example"\nwarn_days = -1\n', ":3: zones[0].warn_days: -1 is out"),
        (
            '[[zones]]\nname = "a.example"\nwarn_days = 3\ncritical_days = 5\n',
            ":4: zones[0].critical_days: 5 is out of range (0-3)",
        ),
        ('[[zones]]\nname = "a..example"\n', ":2: zones[0].name: not a valid domain name"),
        (
            '[[zones]]\nname = "a.example"\nnames = ["www.a.example NOPE"]\n',
            ":3: zones[0].names: not a DNS record type",
        ),
        (
            '[[zones]]\nname = "a.example"\nalerts = ["ops"]\n',
            ":3: zones[0].alerts: no channel 'ops'",
        ),
        ('store = "mysql://x"\n[[zones]]\nname = "a"\n', ":1: store: 'mysql://x': want sqlite"),
        ("port = 0\n[[zones]]\nname = 'a'\n", ":1: port: 0 is out of range"),
        ("[[zones]]\nname = 'a'\n[channels.x]\nurls = []\n", ":3: channels.x: a channel needs"),
        ("[metrics]\nlisten = 'nowhere'\n[[zones]]\nname = 'a'\n", ":2: metrics.listen:"),
        (
            "[[zones]]\nname = 'a'\n[[zones]]\nname = 'A.'\n",
            ":4: zones[1].name: a. is listed twice",
        ),
        ("", ":1: zones: no [[zones]] to watch"),
        ("[[zones]\nname = 'a'\n", ":1: TOML syntax:"),
        ("timeout = true\n[[zones]]\nname = 'a'\n", ":1: timeout: must be a number"),
        # found by bench/fuzz_inputs.py config: a label table that is not a table
        ("[[zones]]\nname = 'a'\nlabels = 3\n", ":3: zones[0].labels: must be a table"),
    ],
)
def test_a_bad_config_is_one_line_naming_file_line_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load(path)
    message = str(caught.value)
    assert message.startswith(str(path) + ":"), message
    assert expected in message, message
    assert "\n" not in message


def test_a_missing_or_binary_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load(tmp_path / "nope.toml")
    path = tmp_path / "bin.toml"
    path.write_bytes(b"a = 1\n\xff\xfe")
    with pytest.raises(ConfigError, match=r"bin.toml:2: not UTF-8"):
        load(path)


def test_the_example_alerting_rules_use_only_documented_metrics() -> None:
    import re

    from helpers import TOP

    yaml = pytest.importorskip("yaml")  # PyYAML comes with Apprise

    rules = yaml.safe_load((TOP / "docs" / "monitor-alerts.rules.yml").read_text())
    documented = set(
        re.findall(r"`(dnssec_monitor_\w+)`", (TOP / "docs" / "monitor.md").read_text())
    )
    for rule in rules["groups"][0]["rules"]:
        used = set(re.findall(r"dnssec_monitor_\w+", rule["expr"]))
        assert used and used <= documented, rule["alert"]


def test_toml_nested_past_the_recursion_limit_is_one_line(tmp_path: Path) -> None:
    """tomllib recurses once per nested inline table: past the interpreter's limit that
    was a RecursionError (found by bench/fuzz_inputs.py config).  The limit is lowered
    here so the test does not depend on what else raised it in this process."""
    import sys

    depth = 400
    nested = "{ a = " * depth + "1" + " }" * depth
    path = write(tmp_path, f"[[zones]]\nname = 'a'\nlabels = {nested}\n")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(300)
    try:
        with pytest.raises(ConfigError) as caught:
            load(path)
    finally:
        sys.setrecursionlimit(limit)
    assert str(caught.value) == f"{path}: TOML nested too deeply"
