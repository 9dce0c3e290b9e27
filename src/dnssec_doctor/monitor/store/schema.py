"""The store's tables (SQLAlchemy Core) and their migrations. A public interface:
docs/monitor-store.md describes every table and column; change both together.

Timestamps are POSIX seconds (float for the monitor's own clock, integer for RRSIG
fields); JSON columns are text holding JSON, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", Float, nullable=False),
)

rounds = Table(
    "rounds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float),  # NULL: the round did not finish (killed, stopped)
    Column("zones", Integer, nullable=False),
    Column("worst", Integer),  # the worst zone's exit code
)

results = Table(
    "results",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", Integer, ForeignKey("rounds.id", ondelete="CASCADE")),
    Column("zone", String(255), nullable=False),
    Column("checked_at", Float, nullable=False),
    Column("trigger", String(16), nullable=False),  # interval | change | once
    Column("state", String(16), nullable=False),  # OK | WARNING | CRITICAL | UNKNOWN
    Column("exit_code", Integer, nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("cause", String(64), nullable=False),
    Column("headline", Text, nullable=False),
    Column("reasons", Text, nullable=False),  # JSON list of lines
    Column("findings", Text, nullable=False),  # JSON list (check --json's findings)
    Column("steps", Text, nullable=False),  # JSON list of {"title", "lines"}
    Column("earliest_expiration", BigInteger),
    Column("earliest_expiration_server", String(64)),
    Column("earliest_expiration_type", String(16)),
    Column("earliest_expiration_ttl", Integer),
    Column("stale_servers", Text, nullable=False),  # JSON list of addresses
    Column("duration", Float, nullable=False),
    Index("results_zone_time", "zone", "checked_at"),
)

signatures = Table(
    "signatures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("result_id", Integer, ForeignKey("results.id", ondelete="CASCADE"), nullable=False),
    Column("server", String(64), nullable=False),
    Column("rrtype", String(16), nullable=False),
    Column("expiration", BigInteger, nullable=False),
    Column("inception", BigInteger, nullable=False),
    Column("ttl", BigInteger, nullable=False),
    Column("key_tag", Integer, nullable=False),
    Column("algorithm", Integer, nullable=False),
    Index("signatures_result", "result_id"),
)

rrsets = Table(
    "rrsets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("result_id", Integer, ForeignKey("results.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # DNSKEY | DS | CDS | CDNSKEY
    Column("server", String(64), nullable=False),
    Column("records", Text, nullable=False),  # JSON list of rdata texts, sorted
    Index("rrsets_result", "result_id"),
)

serials = Table(
    "serials",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("result_id", Integer, ForeignKey("results.id", ondelete="CASCADE"), nullable=False),
    Column("server", String(64), nullable=False),
    Column("serial", BigInteger, nullable=False),
    Index("serials_result", "result_id"),
)

evidence = Table(
    "evidence",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("result_id", Integer, ForeignKey("results.id", ondelete="CASCADE"), nullable=False),
    Column("target", String(300), nullable=False),  # "NAME TYPE" the check asked
    Column("data", LargeBinary, nullable=False),  # zlib of the dnssec-evidence/1 JSON
    Index("evidence_result", "result_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("zone", String(255), nullable=False),
    Column("at", Float, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("summary", Text, nullable=False),
    Column("detail", Text, nullable=False),  # JSON object
    Index("events_zone_time", "zone", "at"),
)

alert_state = Table(
    "alert_state",
    metadata,
    Column("zone", String(255), primary_key=True),
    Column("channel", String(100), primary_key=True),
    Column("state", String(16), nullable=False),  # the state last told (or recorded)
    Column("since", Float, nullable=False),
    Column("last_sent", Float),  # NULL: never sent (a state this channel is not told)
    Column("cause", String(64), nullable=False),
)


pending_alerts = Table(
    "pending_alerts",
    metadata,
    Column("key", String(64), primary_key=True),  # the alerter's id for the delivery
    Column("zone", String(255), nullable=False),
    Column("channel", String(100), nullable=False),
    Column("alert", Text, nullable=False),  # JSON: the dnssec-doctor/monitor-alert/1 object
    Column("queued_at", Float, nullable=False),
)


def _v1(connection: Connection) -> None:
    """The first schema (a later migration alters what it made: keep this list as is)."""
    v1 = [rounds, results, signatures, rrsets, serials, evidence, events, alert_state]
    metadata.create_all(connection, tables=v1)


def _v2(connection: Connection) -> None:
    """Alerts not delivered yet, kept across rounds and restarts (retried until sent)."""
    metadata.create_all(connection, tables=[pending_alerts])


#: (version, migration): applied in order on start, each in its own transaction
MIGRATIONS: tuple[tuple[int, Callable[[Connection], None]], ...] = ((1, _v1), (2, _v2))
LATEST = MIGRATIONS[-1][0]
