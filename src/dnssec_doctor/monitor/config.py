"""The monitor's configuration: one TOML file (docs/monitor.md lists every key).

Every error is one line that names the file, the line and the key
(``monitor.toml:12: zones[2].warn_days: ...``); the command exits 3 with it. Unknown
keys are errors too: a typo must not silently turn a threshold back to its default.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from dnssec_doctor import defaults

DEFAULT_STORE = "sqlite:///var/lib/dnssec-doctor/monitor.db"
DEFAULT_INTERVAL = 3600.0
DEFAULT_CRITICAL_DAYS = 2.0
DEFAULT_CONCURRENCY = 4
DEFAULT_JITTER = 0.1
DEFAULT_PER_SERVER = 8  # as collect.transport.PER_SERVER_LIMIT (not imported: start-up)
DEFAULT_REPEAT = 86400.0
DEFAULT_RETENTION_DAYS = 90.0
#: the states an alert route can ask for (the exit codes' names)
STATES = ("OK", "WARNING", "CRITICAL", "UNKNOWN")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class ConfigError(Exception):
    """One line: ``FILE:LINE: KEY: what is wrong``."""


class Target(NamedTuple):
    """One check of a zone: the zone's own SOA, or a configured name and type."""

    name: str
    qtype: str


class Channel(NamedTuple):
    name: str
    urls: tuple[str, ...]  # Apprise URLs (json://, mailto://, slack://, ...)
    command: tuple[str, ...]  # argv of a program that reads the alert as JSON on stdin
    states: tuple[str, ...]  # the states this channel is told about (recovery: OK)
    repeat: float  # seconds between repeats while a state holds (0: never)


class Zone(NamedTuple):
    name: str
    names: tuple[Target, ...]
    interval: float
    warn_days: float
    critical_days: float
    labels: tuple[tuple[str, str], ...]
    alerts: tuple[str, ...]  # channel names

    @property
    def targets(self) -> tuple[Target, ...]:
        return (Target(self.name, "SOA"), *self.names)


class Metrics(NamedTuple):
    address: str
    port: int


class Config(NamedTuple):
    path: Path
    trust_anchor: Path | None
    root_hints: Path | None
    resolver: str | None
    port: int
    timeout: float
    store: str
    retention_days: float
    concurrency: int
    jitter: float
    zones: tuple[Zone, ...]
    channels: tuple[Channel, ...]
    metrics: Metrics | None
    per_server: int = DEFAULT_PER_SERVER  # queries in flight to one server address, per round

    def zone(self, name: str) -> Zone | None:
        wanted = _canonical(name)
        return next((z for z in self.zones if z.name == wanted), None)


# -- locating a key in the file ----------------------------------------------------------


class _Lines:
    """Where each key of the file is: tomllib gives values, not line numbers."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")

    def __init__(self, text: str) -> None:
        self.lines: dict[str, int] = {}
        counts: dict[str, int] = {}
        table = ""
        for number, line in enumerate(text.splitlines(), 1):
            header = self._HEADER.match(line)
            if header:
                name = header.group(2).replace('"', "").replace("'", "")
                if header.group(1) == "[[":
                    index = counts.get(name, 0)
                    counts[name] = index + 1
                    table = f"{name}[{index}]"
                else:
                    table = name
                self.lines.setdefault(table, number)
                continue
            key = self._KEY.match(line)
            if key:
                name = key.group(1).strip().replace('"', "").replace("'", "")
                self.lines.setdefault(f"{table}.{name}" if table else name, number)

    def line(self, key: str) -> int:
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rsplit(".", 1)[0] if "." in key else ""
        return 1


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.file = path
        self.where = _Lines(text)

    def fail(self, key: str, why: str) -> ConfigError:
        return ConfigError(f"{self.file}:{self.where.line(key)}: {key}: {why}")

    def table(self, value: Any, key: str, allowed: set[str] | None) -> Mapping[str, Any]:
        """*value* as a table whose keys are in *allowed* (None: any key)."""
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        for name in value:
            if allowed is not None and name not in allowed:
                full = f"{key}.{name}" if key else name
                raise self.fail(full, f"unknown key (known: {', '.join(sorted(allowed))})")
        return value

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a non-empty string")
        if any(ord(c) < 0x20 for c in value):
            raise self.fail(key, "must not contain control characters")
        return value

    def number(self, value: Any, key: str, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, "must be a number")
        if not math.isfinite(value) or not low <= value <= high:
            raise self.fail(key, f"{value!r} is out of range ({low:g}-{high:g})")
        return float(value)

    def integer(self, value: Any, key: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "must be an integer")
        if not low <= value <= high:
            raise self.fail(key, f"{value!r} is out of range ({low}-{high})")
        return value

    def duration(self, value: Any, key: str, low: float, high: float) -> float:
        """Seconds, as a number or a string with a unit: 90, "30m", "1h", "7d"."""
        if isinstance(value, str):
            match = _DURATION.match(value.strip())
            if not match:
                raise self.fail(key, f"{value!r} is not a duration (a number of seconds, 30m, 1h)")
            value = float(match.group(1)) * _UNITS[match.group(2)]
        return self.number(value, key, low, high)

    def strings(self, value: Any, key: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(key, "must be a list of strings")
        return tuple(self.string(v, key) for v in value)

    def path(self, value: Any, key: str) -> Path:
        path = Path(self.string(value, key)).expanduser()
        return path if path.is_absolute() else self.file.parent / path


def _canonical(name: str) -> str:
    name = name.strip().lower()
    return name if name.endswith(".") else name + "."


def _check_name(reader: _Reader, text: str, key: str) -> str:
    from dnssec_doctor.services.check import CheckError, parse_name

    try:
        parse_name(text)
    except CheckError as error:
        raise reader.fail(key, str(error)) from None
    return _canonical(text)


def _check_type(reader: _Reader, text: str, key: str) -> str:
    from dnssec_doctor.services.check import CheckError, parse_type

    try:
        parse_type(text)
    except CheckError as error:
        raise reader.fail(key, str(error)) from None
    return text.upper()


TOP_KEYS = {
    "trust_anchor", "root_hints", "resolver", "port", "timeout", "store", "retention_days",
    "defaults", "zones", "channels", "metrics",
}  # fmt: skip
DEFAULT_KEYS = {
    "interval", "warn_days", "critical_days", "concurrency", "per_server", "jitter", "alerts",
    "repeat",
}  # fmt: skip
ZONE_KEYS = {"name", "names", "interval", "warn_days", "critical_days", "labels", "alerts"}
CHANNEL_KEYS = {"url", "urls", "command", "states", "repeat"}
METRICS_KEYS = {"listen"}


def load(path: Path) -> Config:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    try:
        text = raw.decode()
    except UnicodeDecodeError as error:
        bad_line = raw[: error.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{bad_line}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # "Expected '=' after a key in a key/value pair (at line 3, column 5)"
        message = str(error)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = match.group(1) if match else "1"
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        message = re.sub(r"\s*\(at end of document\)", " (at the end)", message)
        raise ConfigError(f"{path}:{line}: TOML syntax: {message}") from None
    except RecursionError:  # tomllib recurses per nested inline table or array
        raise ConfigError(f"{path}: TOML nested too deeply") from None
    return parse(data, path, text)


def parse(data: Mapping[str, Any], path: Path, text: str) -> Config:
    r = _Reader(path, text)
    top = r.table(data, "", TOP_KEYS)
    resolver = r.string(top["resolver"], "resolver") if "resolver" in top else None
    store = r.string(top.get("store", DEFAULT_STORE), "store")
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", store):
        raise r.fail("store", f"{store!r}: want sqlite:///PATH or postgresql://...")
    d = r.table(top.get("defaults", {}), "defaults", DEFAULT_KEYS)
    interval = r.duration(d.get("interval", DEFAULT_INTERVAL), "defaults.interval", 1, 7 * 86400)
    warn = r.number(d.get("warn_days", defaults.WARN_DAYS), "defaults.warn_days", 0, 3650)
    crit = r.number(
        d.get("critical_days", min(DEFAULT_CRITICAL_DAYS, warn)), "defaults.critical_days", 0, warn
    )
    repeat = r.duration(d.get("repeat", DEFAULT_REPEAT), "defaults.repeat", 0, 365 * 86400)
    channels = _channels(r, top.get("channels", {}), repeat)
    known = {c.name for c in channels}
    default_routes = (
        _routes(r, d["alerts"], "defaults.alerts", known) if "alerts" in d else tuple(sorted(known))
    )
    zones = tuple(
        _zone(r, z, f"zones[{i}]", interval, warn, known, default_routes, crit)
        for i, z in enumerate(_array(r, top.get("zones", []), "zones"))
    )
    if not zones:
        raise r.fail("zones", "no [[zones]] to watch")
    seen: set[str] = set()
    for index, zone in enumerate(zones):
        if zone.name in seen:
            raise r.fail(f"zones[{index}].name", f"{zone.name} is listed twice")
        seen.add(zone.name)
    metrics = None
    if "metrics" in top:
        m = r.table(top["metrics"], "metrics", METRICS_KEYS)
        metrics = _listen(r, m.get("listen", "127.0.0.1:9153"), "metrics.listen")
    return Config(
        path=path,
        trust_anchor=r.path(top["trust_anchor"], "trust_anchor") if "trust_anchor" in top else None,
        root_hints=r.path(top["root_hints"], "root_hints") if "root_hints" in top else None,
        resolver=resolver,
        port=r.integer(top.get("port", 53), "port", 1, 65535),
        timeout=r.number(top.get("timeout", defaults.QUERY_TIMEOUT), "timeout", 0.05, 60),
        store=store,
        retention_days=r.number(
            top.get("retention_days", DEFAULT_RETENTION_DAYS), "retention_days", 1, 36500
        ),
        concurrency=r.integer(
            d.get("concurrency", DEFAULT_CONCURRENCY), "defaults.concurrency", 1, 256
        ),
        jitter=r.number(d.get("jitter", DEFAULT_JITTER), "defaults.jitter", 0, 0.5),
        per_server=r.integer(
            d.get("per_server", DEFAULT_PER_SERVER), "defaults.per_server", 1, 256
        ),
        zones=zones,
        channels=channels,
        metrics=metrics,
    )


def _array(r: _Reader, value: Any, key: str) -> list[Any]:
    if not isinstance(value, list):
        raise r.fail(key, f"must be an array of tables ([[{key}]])")
    return value


def _routes(r: _Reader, value: Any, key: str, known: set[str]) -> tuple[str, ...]:
    routes = r.strings(value, key)
    for route in routes:
        if route not in known:
            raise r.fail(
                key, f"no channel {route!r} (channels: {', '.join(sorted(known)) or 'none'})"
            )
    return routes


def _zone(
    r: _Reader,
    value: Any,
    key: str,
    interval: float,
    warn: float,
    known: set[str],
    routes: tuple[str, ...],
    crit: float,
) -> Zone:
    z = r.table(value, key, ZONE_KEYS)
    if "name" not in z:
        raise r.fail(key, "a zone needs a name")
    name = _check_name(r, r.string(z["name"], f"{key}.name"), f"{key}.name")
    names: list[Target] = []
    for text in r.strings(z.get("names", []), f"{key}.names"):
        words = text.split()
        if len(words) not in (1, 2):
            raise r.fail(f"{key}.names", f"{text!r}: want 'NAME' or 'NAME TYPE'")
        names.append(
            Target(
                _check_name(r, words[0], f"{key}.names"),
                _check_type(r, words[1], f"{key}.names") if len(words) == 2 else "A",
            )
        )
    warn_days = r.number(z.get("warn_days", warn), f"{key}.warn_days", 0, 3650)
    critical = r.number(
        z.get("critical_days", min(crit, warn_days)), f"{key}.critical_days", 0, warn_days
    )
    labels = r.table(z.get("labels", {}), f"{key}.labels", None)
    for label, text in labels.items():
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", label):
            raise r.fail(f"{key}.labels", f"{label!r} is not a label name ([A-Za-z_][A-Za-z0-9_]*)")
        r.string(text, f"{key}.labels.{label}")
    return Zone(
        name=name,
        names=tuple(names),
        interval=r.duration(z.get("interval", interval), f"{key}.interval", 1, 7 * 86400),
        warn_days=warn_days,
        critical_days=critical,
        labels=tuple(sorted(labels.items())),
        alerts=_routes(r, z["alerts"], f"{key}.alerts", known) if "alerts" in z else routes,
    )


def _channels(r: _Reader, value: Any, repeat: float) -> tuple[Channel, ...]:
    tables = r.table(value, "channels", set(value) if isinstance(value, dict) else set())
    channels = []
    for name, raw in tables.items():
        key = f"channels.{name}"
        c = r.table(raw, key, CHANNEL_KEYS)
        urls = r.strings(c.get("urls", []), f"{key}.urls")
        if "url" in c:
            urls = (r.string(c["url"], f"{key}.url"), *urls)
        command = r.strings(c["command"], f"{key}.command") if "command" in c else ()
        if not urls and not command:
            raise r.fail(key, "a channel needs url, urls or command")
        for url in urls:
            if "://" not in url:
                raise r.fail(f"{key}.url", f"{url[:60]!r} is not a notification URL (json://...)")
        states = tuple(s.upper() for s in r.strings(c.get("states", list(STATES)), f"{key}.states"))
        for state in states:
            if state not in STATES:
                raise r.fail(f"{key}.states", f"{state!r}: states are {', '.join(STATES)}")
        channels.append(
            Channel(
                name=name,
                urls=urls,
                command=command,
                states=states,
                repeat=r.duration(c.get("repeat", repeat), f"{key}.repeat", 0, 365 * 86400),
            )
        )
    return tuple(channels)


def _listen(r: _Reader, value: Any, key: str) -> Metrics:
    text = r.string(value, key)
    address, _, port = text.rpartition(":")
    if not address or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise r.fail(key, f"{text!r}: want ADDRESS:PORT (127.0.0.1:9153)")
    return Metrics(address.strip("[]"), int(port))
