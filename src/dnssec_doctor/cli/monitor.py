"""`monitor`: keep watch over zones (run, once, status, history)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dnssec_doctor.cli.common import (
    Parser,
    Subcommands,
    add_command,
    fail,
    print_help,
    write_stdout,
)
from dnssec_doctor.exitcodes import ExitCode

if TYPE_CHECKING:
    from dnssec_doctor.monitor.config import Config
    from dnssec_doctor.monitor.store import Store

DEFAULT_CONFIG = Path("/etc/dnssec-doctor/monitor.toml")


def register(commands: Subcommands) -> None:
    monitor = add_command(
        commands, "monitor", "keep watch over zones: expiry alerts, a check after every key change"
    )
    sub = monitor.add_subparsers(metavar="COMMAND", parser_class=Parser)
    monitor.set_defaults(run=lambda _: print_help(monitor))

    run = add_command(sub, "run", "the daemon, in the foreground (logs to stderr; SIGHUP reloads)")
    _config(run)
    run.set_defaults(run=_run)
    once = add_command(sub, "once", "one round over every zone; exit code: the worst zone's")
    _config(once)
    once.set_defaults(run=_once)
    status = add_command(sub, "status", "each zone's state, cause and earliest expiry")
    _config(status)
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(run=_status)
    history = add_command(sub, "history", "a zone's events: state, key, DS and serial changes")
    _config(history)
    history.add_argument("zone", metavar="ZONE")
    history.add_argument("--json", action="store_true", help="print JSON")
    history.set_defaults(run=_history)
    evidence = add_command(
        sub, "evidence", "export a zone's stored evidence, for offline check --evidence"
    )
    _config(evidence)
    evidence.add_argument("zone", metavar="ZONE")
    evidence.add_argument(
        "--at", metavar="TIME", help="the last result at or before TIME (ISO 8601, -12h, ...)"
    )
    evidence.add_argument(
        "--target",
        metavar="'NAME TYPE'",
        help="which of the zone's checks [default: the first, the zone's SOA]",
    )
    evidence.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE [default: stdout]"
    )
    evidence.set_defaults(run=_evidence)


def _config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        metavar="FILE",
        help=f"the monitor's TOML config [default: {DEFAULT_CONFIG}]",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every zone's result")


def _load(args: argparse.Namespace) -> Config:
    from dnssec_doctor.monitor.config import ConfigError, load

    try:
        return load(args.config)
    except ConfigError as error:
        fail(str(error))


def _store(config: Config, *, migrate: bool) -> Store:
    from dnssec_doctor.monitor.store import Store, StoreError

    try:
        return Store.open(config.store, config.path.parent, migrate=migrate)
    except StoreError as error:
        fail(str(error))


def _logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger = logging.getLogger("dnssec_doctor.monitor")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False


def _parts(config: Config, store: Store) -> tuple[Any, Any]:
    from dnssec_doctor.monitor.alerts import Alerter

    alerter = Alerter(config, store) if config.channels else None
    metrics = None
    if config.metrics is not None:
        from dnssec_doctor.monitor.metrics import Metrics, MetricsError

        try:
            metrics = Metrics(config)
        except MetricsError as error:
            fail(str(error))
    return alerter, metrics


def _once(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.monitor.engine import Monitor

    _logging(args.verbose)
    config = _load(args)
    store = _store(config, migrate=True)
    alerter, metrics = _parts(config, store)
    try:
        worst = Monitor(config, store, alerter, metrics).round(trigger="once")
        if alerter is not None:
            alerter.drain()
    finally:
        if metrics is not None:
            metrics.close()
        store.close()
    return ExitCode(worst)


def _run(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.monitor.config import load
    from dnssec_doctor.monitor.engine import Monitor

    _logging(True)
    config = _load(args)
    store = _store(config, migrate=True)
    alerter, metrics = _parts(config, store)
    monitor = Monitor(config, store, alerter, metrics)
    if metrics is not None:
        metrics.health = monitor
    try:
        monitor.run(reload=lambda: load(args.config))
        if alerter is not None:
            alerter.drain(10)
    finally:
        if metrics is not None:
            metrics.close()
        store.close()
    return ExitCode.OK


def _status(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.monitor.views import STATUS_SCHEMA, status_items

    config = _load(args)
    store = _store(config, migrate=False)
    try:
        rows = store.status()
    finally:
        store.close()
    items = status_items(rows, time.time())
    if args.json:
        write_stdout(json.dumps({"schema": STATUS_SCHEMA, "zones": items}, indent=2) + "\n")
        return ExitCode.OK
    header = ("ZONE", "STATE", "VERDICT", "CAUSE", "EARLIEST EXPIRY", "AT", "DAYS", "LAST CHECK",
              "LAST CHANGE")  # fmt: skip
    table = [header] + [
        (
            i["zone"],
            i["state"],
            i["verdict"],
            i["cause"],
            i["earliest_expiration"] or "-",
            i["earliest_expiration_server"] or "-",
            "-" if i["days_left"] is None else f"{i['days_left']:.1f}",
            i["last_check"],
            i["last_change"] or "-",
        )
        for i in items
    ]
    widths = [max(len(str(row[c])) for row in table) for c in range(len(header))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
             for row in table]  # fmt: skip
    write_stdout("\n".join(lines) + "\n")
    return ExitCode.OK


def _history(args: argparse.Namespace) -> ExitCode:
    from dnssec_doctor.monitor.config import _canonical
    from dnssec_doctor.monitor.engine import iso
    from dnssec_doctor.services.check import CheckError, parse_name

    try:
        parse_name(args.zone)
    except CheckError as error:
        fail(str(error))
    zone = _canonical(args.zone)
    config = _load(args)
    store = _store(config, migrate=False)
    try:
        events = store.history(zone)
        trend = store.expiry_trend(zone)
    finally:
        store.close()
    if not events and not trend:
        fail(f"no history for {zone} in the store")
    if args.json:
        from dnssec_doctor.monitor.views import history_dict

        data = history_dict(zone, events, trend)
        write_stdout(json.dumps(data, indent=2) + "\n")
        return ExitCode.OK
    lines = [f"{iso(e.at)}  {e.kind:<12} {e.summary}" for e in events]
    if trend:
        first, last = trend[0], trend[-1]
        lines.append(
            f"expiry trend: {len(trend)} checks, earliest expiration {iso(first[1])} "
            f"-> {iso(last[1])}"
        )
    write_stdout("\n".join(lines) + "\n")
    return ExitCode.OK


def _evidence(args: argparse.Namespace) -> ExitCode:
    from datetime import UTC, datetime

    from dnssec_doctor.monitor.config import _canonical
    from dnssec_doctor.monitor.engine import iso
    from dnssec_doctor.services.check import CheckError, parse_at, parse_name

    try:
        parse_name(args.zone)
        at = parse_at(args.at, datetime.now(UTC)).timestamp() if args.at else None
    except CheckError as error:
        fail(str(error))
    zone = _canonical(args.zone)
    store = _store(_load(args), migrate=False)
    try:
        found = store.evidence(zone, at)
    finally:
        store.close()
    when = f" at or before {iso(at)}" if at is not None else ""
    if found is None:
        fail(f"no evidence of {zone} in the store{when} (only results that are not OK keep it)")
    checked_at, items = found
    targets = [target for target, _ in items]
    chosen = items[0]
    if args.target is not None:
        match = [i for i in items if _same_target(i[0], args.target)]
        if not match:
            fail(f"--target {args.target!r}: the result of {iso(checked_at)} holds {targets}")
        chosen = match[0]
    text = chosen[1].decode()
    if args.output is None:
        write_stdout(text)
    else:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as error:
            fail(f"cannot write {args.output}: {error.strerror}")
    print(f"{chosen[0]}: evidence of the check at {iso(checked_at)}", file=sys.stderr)
    return ExitCode.OK


def _same_target(stored: str, given: str) -> bool:
    """'www.a.test A' names the stored 'www.a.test. A' (names compare as DNS names)."""
    import dns.exception
    import dns.name

    try:
        name, _, kind = given.strip().rpartition(" ")
        stored_name, _, stored_kind = stored.rpartition(" ")
        return (
            dns.name.from_text(name) == dns.name.from_text(stored_name)
            and kind.upper() == stored_kind.upper()
        )
    except (dns.exception.DNSException, ValueError):
        return False
