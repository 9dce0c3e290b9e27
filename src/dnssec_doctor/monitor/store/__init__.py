"""The monitor's store: SQLite by default, PostgreSQL by URL, one code path.

SQLAlchemy Core (not the ORM): the same statements on both engines, no objects to
keep in step with rows, and the schema in one module (schema.py) with migrations
applied on start. Every zone result is one transaction, so a daemon killed mid-round
keeps every result it had recorded; SQLite runs in WAL mode (readers such as
`monitor status` never block the daemon, a crash leaves a store that opens).

A write that fails (locked, read-only, disk full, the server gone) is one log line; the
result is kept in memory and written with the next one, so the daemon carries on and
nothing is lost while it runs.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import SQLAlchemyError

from dnssec_doctor.monitor.observe import Observation, Signature
from dnssec_doctor.monitor.results import Event, ZoneResult
from dnssec_doctor.monitor.store import schema as s

log = logging.getLogger("dnssec_doctor.monitor")
#: results kept in memory while the store refuses writes (the oldest dropped beyond)
MAX_PENDING = 10_000


class StoreError(Exception):
    """The store cannot be opened (one line: what and why)."""


def _brief(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error)
    return " ".join(text.split("\n")[0].split())[:200]


def engine_url(url: str, base: Path | None = None) -> str:
    """The SQLAlchemy URL for a store setting. ``sqlite:///var/lib/x.db`` is the file
    /var/lib/x.db (a file URL's reading, the issue's form); ``sqlite:///./x.db`` is
    relative to *base* (the config file's directory); PostgreSQL URLs go to psycopg 3."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path.startswith(("./", "../")):
            full = (base or Path.cwd()) / path
        else:
            full = Path("/" + path.lstrip("/"))
        return f"sqlite:///{full}"
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


class Status(NamedTuple):
    """The last result of a zone, and when its state last changed."""

    zone: str
    state: str
    verdict: str
    cause: str
    headline: str
    earliest_expiration: int | None
    earliest_expiration_server: str | None
    earliest_expiration_type: str | None
    earliest_expiration_ttl: int | None
    stale_servers: list[str]
    last_check: float
    last_change: float | None
    reasons: list[str]


class AlertState(NamedTuple):
    state: str
    since: float
    last_sent: float | None
    cause: str


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pending: list[ZoneResult | Event | tuple[str, Any]] = []
        self.write_errors = 0
        self._lock = threading.Lock()  # the round's workers record concurrently

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str, base: Path | None = None, *, migrate: bool = True) -> Store:
        target = engine_url(url, base)
        try:
            if target.startswith("sqlite:///"):
                path = Path(target.removeprefix("sqlite:///"))
                if migrate:
                    path.parent.mkdir(parents=True, exist_ok=True)
                elif not path.exists():
                    raise StoreError(f"no store at {path} (run `monitor once` or `monitor run`)")
                engine = sa.create_engine(
                    target, connect_args={"timeout": 5, "check_same_thread": False}
                )
                event.listen(engine, "connect", _sqlite_pragmas)
            else:
                engine = sa.create_engine(
                    target, pool_pre_ping=True, connect_args={"connect_timeout": 5}
                )
            store = cls(engine)
            store._migrate(apply=migrate)
        except StoreError:
            raise
        except (SQLAlchemyError, OSError, ValueError) as error:
            raise StoreError(f"store {_redacted(url)}: {_brief(error)}") from None
        return store

    def _migrate(self, *, apply: bool) -> None:
        with self.engine.begin() as connection:
            s.schema_version.create(connection, checkfirst=True)
            current = connection.scalar(sa.select(sa.func.max(s.schema_version.c.version))) or 0
        if current > s.LATEST:
            raise StoreError(
                f"the store's schema is version {current}, newer than this dnssec-doctor's "
                f"({s.LATEST}): upgrade dnssec-doctor"
            )
        for version, migration in s.MIGRATIONS:
            if version <= current:
                continue
            if not apply:
                raise StoreError(f"the store's schema is version {current}: run the monitor once")
            with self.engine.begin() as connection:
                migration(connection)
                connection.execute(
                    s.schema_version.insert().values(version=version, applied_at=time.time())
                )
            log.info("store: schema migrated to version %d", version)

    def version(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.scalar(sa.select(sa.func.max(s.schema_version.c.version))) or 0)

    def close(self) -> None:
        self.engine.dispose()

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def _write(self, what: str) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    def _safely(self, item: ZoneResult | Event | tuple[str, Any]) -> bool:
        """Write *item* after whatever is pending; on failure keep it and log one line."""
        with self._lock:
            return self._locked(item)

    def _locked(self, item: ZoneResult | Event | tuple[str, Any]) -> bool:
        self.pending.append(item)
        try:
            while self.pending:
                self._apply(self.pending[0])
                self.pending.pop(0)
        except (SQLAlchemyError, OSError) as error:
            self.write_errors += 1
            del self.pending[:-MAX_PENDING]
            log.error(
                "store: cannot write (%s); %d record(s) kept in memory, retried with the next",
                _brief(error),
                len(self.pending),
            )
            return False
        return True

    def _apply(self, item: ZoneResult | Event | tuple[str, Any]) -> None:
        if isinstance(item, ZoneResult):
            self._write_result(item, None)
        elif isinstance(item, Event):
            with self._write("event") as c:
                c.execute(s.events.insert().values(_event_row(item)))
        elif item[0] == "result":
            self._write_result(*item[1])
        elif item[0] == "alert":
            zone, channel, state = item[1]
            with self._write("alert") as c:
                c.execute(
                    s.alert_state.delete().where(
                        (s.alert_state.c.zone == zone) & (s.alert_state.c.channel == channel)
                    )
                )
                c.execute(s.alert_state.insert().values(zone=zone, channel=channel, **state))
        elif item[0] == "pending":
            key, zone, channel, alert, queued_at = item[1]
            with self._write("pending alert") as c:
                c.execute(s.pending_alerts.delete().where(s.pending_alerts.c.key == key))
                c.execute(
                    s.pending_alerts.insert().values(
                        key=key, zone=zone, channel=channel, alert=alert, queued_at=queued_at
                    )
                )
        elif item[0] == "delivered":
            with self._write("pending alert") as c:
                c.execute(s.pending_alerts.delete().where(s.pending_alerts.c.key == item[1]))
        elif item[0] == "finish":
            round_id, worst = item[1]
            with self._write("round") as c:
                c.execute(
                    s.rounds.update()
                    .where(s.rounds.c.id == round_id)
                    .values(finished_at=time.time(), worst=worst)
                )

    def begin_round(self, zones: int) -> int | None:
        try:
            with self._write("round") as c:
                row = c.execute(
                    s.rounds.insert().values(started_at=time.time(), zones=zones)
                ).inserted_primary_key
        except (SQLAlchemyError, OSError) as error:
            self.write_errors += 1
            log.error("store: cannot start a round (%s); the round goes on", _brief(error))
            return None
        return int(row[0]) if row else None

    def finish_round(self, round_id: int | None, worst: int) -> None:
        if round_id is not None:
            self._safely(("finish", (round_id, worst)))

    def record(self, result: ZoneResult, events: list[Event], round_id: int | None) -> bool:
        ok = self._safely(("result", (result, round_id)))
        for item in events:
            ok = self._safely(item) and ok
        return ok

    def _write_result(self, r: ZoneResult, round_id: int | None) -> None:
        o = r.observation
        first = o.earliest
        with self._write("result") as c:
            inserted = c.execute(
                s.results.insert().values(
                    round_id=round_id,
                    zone=r.zone,
                    checked_at=r.checked_at,
                    trigger=r.trigger,
                    state=r.state,
                    exit_code=r.code,
                    verdict=r.verdict,
                    cause=r.cause,
                    headline=r.headline,
                    reasons=json.dumps(list(r.reasons)),
                    findings=json.dumps(list(r.findings)),
                    steps=json.dumps(list(r.steps)),
                    earliest_expiration=first.expiration if first else None,
                    earliest_expiration_server=first.server if first else None,
                    earliest_expiration_type=first.rrtype if first else None,
                    earliest_expiration_ttl=first.ttl if first else None,
                    stale_servers=json.dumps(o.stale_servers()),
                    duration=r.duration,
                )
            ).inserted_primary_key
            result_id = int(inserted[0]) if inserted else 0
            if o.signatures:
                c.execute(
                    s.signatures.insert(),
                    [dict(sig._asdict(), result_id=result_id) for sig in o.signatures],
                )
            rows = [
                {"result_id": result_id, "kind": kind, "server": server, "records": json.dumps(rs)}
                for kind, by_server in sorted(o.sets.items())
                for server, rs in sorted(by_server.items())
            ]
            if rows:
                c.execute(s.rrsets.insert(), rows)
            if o.serials:
                c.execute(
                    s.serials.insert(),
                    [
                        {"result_id": result_id, "server": server, "serial": serial}
                        for server, serial in sorted(o.serials.items())
                    ],
                )
            if r.evidence:
                c.execute(
                    s.evidence.insert(),
                    [
                        {"result_id": result_id, "target": target, "data": data}
                        for target, data in r.evidence
                    ],
                )

    def set_alert_state(self, zone: str, channel: str, state: AlertState) -> None:
        self._safely(("alert", (zone, channel, state._asdict())))

    def keep_pending(self, key: str, zone: str, channel: str, alert: str, at: float) -> None:
        """An alert not delivered yet (*alert*: its JSON), until :meth:`delivered`."""
        self._safely(("pending", (key, zone, channel, alert, at)))

    def delivered(self, key: str) -> None:
        self._safely(("delivered", key))

    def pending_alerts(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(key, channel, alert) of every alert not delivered yet, oldest first."""
        with self.engine.connect() as c:
            rows = c.execute(sa.select(s.pending_alerts).order_by(s.pending_alerts.c.queued_at))
            return [(r.key, r.channel, json.loads(r.alert)) for r in rows]

    def prune(self, retention_days: float, now: float | None = None) -> int:
        """Drop results, rounds and events older than the retention; the latest result
        of every zone is kept whatever its age (status must still show it)."""
        cutoff = (now or time.time()) - retention_days * 86400
        try:
            with self._write("prune") as c:
                latest = (
                    sa.select(sa.func.max(s.results.c.id)).group_by(s.results.c.zone).subquery()
                )
                old = sa.select(s.results.c.id).where(
                    (s.results.c.checked_at < cutoff) & s.results.c.id.not_in(sa.select(latest))
                )
                ids = [row[0] for row in c.execute(old)]
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    for table in (s.signatures, s.rrsets, s.serials, s.evidence):
                        c.execute(table.delete().where(table.c.result_id.in_(chunk)))
                    c.execute(s.results.delete().where(s.results.c.id.in_(chunk)))
                c.execute(s.events.delete().where(s.events.c.at < cutoff))
                c.execute(
                    s.rounds.delete().where(
                        (s.rounds.c.started_at < cutoff)
                        & s.rounds.c.id.not_in(
                            sa.select(s.results.c.round_id).where(s.results.c.round_id.is_not(None))
                        )
                    )
                )
        except (SQLAlchemyError, OSError) as error:
            log.error("store: cannot prune (%s)", _brief(error))
            return 0
        return len(ids)

    # -- reading ---------------------------------------------------------------------------

    def alert_states(self) -> dict[tuple[str, str], AlertState]:
        with self.engine.connect() as c:
            return {
                (row.zone, row.channel): AlertState(row.state, row.since, row.last_sent, row.cause)
                for row in c.execute(sa.select(s.alert_state))
            }

    def latest(self) -> dict[str, Mapping[str, Any]]:
        """The last result row of every zone."""
        with self.engine.connect() as c:
            newest = (
                sa.select(sa.func.max(s.results.c.id).label("id"))
                .group_by(s.results.c.zone)
                .subquery()
            )
            rows = c.execute(sa.select(s.results).where(s.results.c.id.in_(sa.select(newest))))
            return {row.zone: dict(row._mapping) for row in rows}

    def last_observation(self, zone: str) -> Observation | None:
        """The facts of the zone's last result (what change detection compares with)."""
        with self.engine.connect() as c:
            result_id = c.scalar(
                sa.select(sa.func.max(s.results.c.id)).where(s.results.c.zone == zone)
            )
            if result_id is None:
                return None
            return self._observation(c, zone, int(result_id))

    def _observation(self, c: Connection, zone: str, result_id: int) -> Observation:
        sigs = tuple(
            Signature(r.server, r.rrtype, r.expiration, r.inception, r.ttl, r.key_tag, r.algorithm)
            for r in c.execute(sa.select(s.signatures).where(s.signatures.c.result_id == result_id))
        )
        sets: dict[str, dict[str, tuple[str, ...]]] = {}
        for row in c.execute(sa.select(s.rrsets).where(s.rrsets.c.result_id == result_id)):
            sets.setdefault(row.kind, {})[row.server] = tuple(json.loads(row.records))
        serials = {
            row.server: int(row.serial)
            for row in c.execute(sa.select(s.serials).where(s.serials.c.result_id == result_id))
        }
        signers = tuple(
            sorted({(sig.key_tag, sig.algorithm) for sig in sigs if sig.rrtype != "DS"})
        )
        return Observation(zone, tuple(sorted(sigs)), sets, serials, signers, ())

    def status(self) -> list[Status]:
        latest = self.latest()
        with self.engine.connect() as c:
            changes = {
                row.zone: row.at
                for row in c.execute(
                    sa.select(s.events.c.zone, sa.func.max(s.events.c.at).label("at")).group_by(
                        s.events.c.zone
                    )
                )
            }
        return [
            Status(
                zone=zone,
                state=row["state"],
                verdict=row["verdict"],
                cause=row["cause"],
                headline=row["headline"],
                earliest_expiration=row["earliest_expiration"],
                earliest_expiration_server=row["earliest_expiration_server"],
                earliest_expiration_type=row["earliest_expiration_type"],
                earliest_expiration_ttl=row["earliest_expiration_ttl"],
                stale_servers=json.loads(row["stale_servers"]),
                last_check=row["checked_at"],
                last_change=changes.get(zone),
                reasons=json.loads(row["reasons"]),
            )
            for zone, row in sorted(latest.items())
        ]

    def history(self, zone: str, limit: int = 1000) -> list[Event]:
        with self.engine.connect() as c:
            rows = c.execute(
                sa.select(s.events)
                .where(s.events.c.zone == zone)
                .order_by(s.events.c.at.desc(), s.events.c.id.desc())
                .limit(limit)
            )
            return [
                Event(row.zone, row.at, row.kind, row.summary, json.loads(row.detail))
                for row in reversed(list(rows))
            ]

    def expiry_trend(self, zone: str, limit: int = 1000) -> list[tuple[float, int, int | None]]:
        """(checked at, earliest expiration, newest inception) of the zone's last results:
        the expiry trend, and what "re-signing has stopped" reads."""
        with self.engine.connect() as c:
            newest = (
                sa.select(
                    s.signatures.c.result_id, sa.func.max(s.signatures.c.inception).label("inc")
                )
                .where(s.signatures.c.rrtype != "DS")
                .group_by(s.signatures.c.result_id)
                .subquery()
            )
            rows = c.execute(
                sa.select(s.results.c.checked_at, s.results.c.earliest_expiration, newest.c.inc)
                .join(newest, newest.c.result_id == s.results.c.id, isouter=True)
                .where((s.results.c.zone == zone) & s.results.c.earliest_expiration.is_not(None))
                .order_by(s.results.c.checked_at.desc())
                .limit(limit)
            )
            return [(r[0], int(r[1]), None if r[2] is None else int(r[2])) for r in rows][::-1]

    def expiry_by_server(self, zone: str, limit: int = 1000) -> list[tuple[float, str, int]]:
        """(checked at, server, its earliest signature expiration) over the zone's last
        *limit* results: the expiry trend per server (the web dashboard's plot)."""
        with self.engine.connect() as c:
            recent = (
                sa.select(s.results.c.id, s.results.c.checked_at)
                .where(s.results.c.zone == zone)
                .order_by(s.results.c.checked_at.desc())
                .limit(limit)
                .subquery()
            )
            rows = c.execute(
                sa.select(recent.c.checked_at, s.signatures.c.server,
                          sa.func.min(s.signatures.c.expiration))
                .join(s.signatures, s.signatures.c.result_id == recent.c.id)
                .where(s.signatures.c.rrtype != "DS")
                .group_by(recent.c.id, recent.c.checked_at, s.signatures.c.server)
                .order_by(recent.c.checked_at, s.signatures.c.server)
            )  # fmt: skip
            return [(float(r[0]), str(r[1]), int(r[2])) for r in rows]

    def evidence(
        self, zone: str, at: float | None = None
    ) -> tuple[float, list[tuple[str, bytes]]] | None:
        """The evidence kept with the zone's latest result that has any, checked at or
        before *at* (POSIX seconds; None: the latest): (checked at, [(target, dnssec-
        evidence/1 JSON)]) in the order the checks ran; None when there is none."""
        with self.engine.connect() as c:
            query = (
                sa.select(s.results.c.id, s.results.c.checked_at)
                .where(s.results.c.zone == zone)
                .where(sa.exists().where(s.evidence.c.result_id == s.results.c.id))
                .order_by(s.results.c.checked_at.desc(), s.results.c.id.desc())
                .limit(1)
            )
            if at is not None:
                query = query.where(s.results.c.checked_at <= at)
            found = c.execute(query).first()
            if found is None:
                return None
            rows = c.execute(
                sa.select(s.evidence.c.target, s.evidence.c.data)
                .where(s.evidence.c.result_id == found.id)
                .order_by(s.evidence.c.id)
            )
            return found.checked_at, [(r.target, zlib.decompress(r.data)) for r in rows]

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as c:
            return {
                table.name: int(c.scalar(sa.select(sa.func.count()).select_from(table)) or 0)
                for table in (s.rounds, s.results, s.signatures, s.rrsets, s.serials, s.events)
            }


def _event_row(item: Event) -> dict[str, Any]:
    return {
        "zone": item.zone,
        "at": item.at,
        "kind": item.kind,
        "summary": item.summary,
        "detail": json.dumps(item.detail, sort_keys=True),
    }


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")  # a read-only file keeps its mode
    except Exception as error:  # a read-only store still opens for reading
        log.debug("store: journal_mode: %s", error)
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a crashed process loses nothing
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _redacted(url: str) -> str:
    """A URL without its password, for messages."""
    head, sep, rest = url.partition("://")
    if "@" in rest and ":" in rest.split("@", 1)[0]:
        user = rest.split("@", 1)[0].split(":", 1)[0]
        return f"{head}{sep}{user}:***@{rest.split('@', 1)[1]}"
    return url
