"""The monitor's store on SQLite: created on first run (WAL), migrated, written one
result per transaction, read back; a store it cannot write is one log line."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event

from dnssec_doctor.monitor.observe import Observation, Signature
from dnssec_doctor.monitor.results import Event, ZoneResult
from dnssec_doctor.monitor.store import Store, StoreError, engine_url
from dnssec_doctor.monitor.store.schema import LATEST


def result(zone: str = "a.example.", code: int = 0, at: float = 1000.0) -> ZoneResult:
    sig = Signature("127.0.0.1", "SOA", 2_000_000, 1_000_000, 3600, 12345, 13)
    observation = Observation(
        zone,
        (sig,),
        {"DNSKEY": {"127.0.0.1": ("257 3 13 AAAA",)}},
        {"127.0.0.1": 7},
        ((12345, 13),),
        (),
    )
    return ZoneResult(zone, at, "once", code, "secure", "OK", "fine", (), (), (), observation, 0.1)


def test_engine_url_reads_the_issue_form_as_an_absolute_path(tmp_path: Path) -> None:
    assert engine_url("sqlite:///var/lib/x.db") == "sqlite:////var/lib/x.db"
    assert engine_url("sqlite:////var/lib/x.db") == "sqlite:////var/lib/x.db"
    assert engine_url("sqlite:///./x.db", tmp_path) == f"sqlite:///{tmp_path}/x.db"
    assert engine_url("postgresql://u@h/db").startswith("postgresql+psycopg://")


def test_created_on_first_run_in_wal_mode_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "monitor.db"
    store = Store.open(f"sqlite:///{path}")
    assert store.version() == LATEST
    round_id = store.begin_round(1)
    event = Event("a.example.", 1000.0, "state", "a.example. is OK", {"to": "OK"})
    assert store.record(result(), [event], round_id)
    store.finish_round(round_id, 0)
    store.close()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = Store.open(f"sqlite:///{path}", migrate=False)
    (status,) = again.status()
    assert (status.zone, status.state, status.earliest_expiration) == (
        "a.example.",
        "OK",
        2_000_000,
    )
    assert status.last_change == 1000.0
    assert [e.summary for e in again.history("a.example.")] == ["a.example. is OK"]
    previous = again.last_observation("a.example.")
    assert previous is not None and previous.serials == {"127.0.0.1": 7}
    assert previous.sets["DNSKEY"] == {"127.0.0.1": ("257 3 13 AAAA",)}


def test_a_missing_store_is_one_line_for_the_readers(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        Store.open(f"sqlite:///{tmp_path}/none.db", migrate=False)


def test_a_read_only_store_is_one_log_line_and_kept_in_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "monitor.db"
    Store.open(f"sqlite:///{path}").close()
    store = Store.open(f"sqlite:///{path}")
    store.engine.dispose()
    # read-only as SQLite itself refuses writes (root writes a file whatever its mode)
    event.listen(store.engine, "connect", lambda c, _: c.execute("PRAGMA query_only=ON"))
    with caplog.at_level(logging.ERROR):
        assert not store.record(result(), [], None)
        assert store.begin_round(1) is None
    assert len(store.pending) == 1
    lines = [r.getMessage() for r in caplog.records]
    assert any("store: cannot write" in line and "readonly" in line for line in lines), lines
    assert all("\n" not in line for line in lines)


def test_a_full_store_is_one_log_line_and_the_records_wait(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "monitor.db"
    store = Store.open(f"sqlite:///{path}")
    store.record(result(), [], None)
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
    store.engine.dispose()
    full = f"PRAGMA max_page_count={pages}"
    event.listen(store.engine, "connect", lambda c, _: c.execute(full))
    big = result()._replace(headline="x" * 200_000)
    with caplog.at_level(logging.ERROR):
        assert not store.record(big, [], None)
    assert any("full" in r.getMessage() for r in caplog.records)
    assert len(store.pending) == 1


def test_a_locked_store_is_one_log_line_and_written_later(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "monitor.db"
    store = Store.open(f"sqlite:///{path}")
    store.engine.dispose()
    locker = sqlite3.connect(path, timeout=0)
    locker.execute("BEGIN EXCLUSIVE")
    event.listen(store.engine, "connect", lambda c, _: c.execute("PRAGMA busy_timeout=50"))
    with caplog.at_level(logging.ERROR):
        assert not store.record(result(), [], None)
    assert any("store: cannot write" in r.getMessage() for r in caplog.records)
    locker.rollback()
    locker.close()
    assert store.record(result(at=2000.0), [], None)  # the kept one first, then this one
    assert not store.pending
    assert store.counts()["results"] == 2


def test_a_newer_schema_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    Store.open(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_version VALUES (99, 0)")
    with pytest.raises(StoreError, match="version 99, newer"):
        Store.open(f"sqlite:///{path}")


def test_retention_keeps_each_zones_latest_result(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path}/m.db")
    store.record(result(at=1000.0), [], None)
    store.record(result(at=2000.0), [], None)
    store.record(result("b.example.", at=1000.0), [], None)
    assert store.prune(1, now=1000.0 + 5 * 86400) == 1
    assert store.counts()["results"] == 2
