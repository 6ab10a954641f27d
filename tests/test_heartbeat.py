"""Daemon heartbeats, `overdue` editions and the note that no daemon will send them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from composer.daemon import Heartbeat, run_round
from composer.daemon_note import daemon_note
from composer.store import (
    Database,
    EditionStatus,
    cancel,
    create_recurrence,
    daemon_seen,
    daemon_started,
    last_daemon_seen,
    open_database,
    stop_recurrence,
    upcoming,
)
from composer.store.models import DaemonWorker
from composer.workspace.config import load_config
from tests.helpers import mastodon_account, scheduled_edition, write_accounts

T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def workers(db: Database) -> list[DaemonWorker]:
    with db.read_session() as session:
        return list(session.exec(select(DaemonWorker).order_by(DaemonWorker.worker)))


def test_last_seen_is_the_newest_of_every_daemon(db: Database) -> None:
    assert last_daemon_seen(db) is None
    daemon_started(db, "a:1", host="a", pid=1, now=T0)
    daemon_seen(db, "b:2", host="b", pid=2, now=T0 + timedelta(minutes=3))  # --once: no row yet
    daemon_seen(db, "a:1", host="a", pid=1, now=T0 + timedelta(minutes=1))
    assert last_daemon_seen(db) == T0 + timedelta(minutes=3)
    rows = workers(db)
    assert [(w.worker, w.host, w.pid) for w in rows] == [("a:1", "a", 1), ("b:2", "b", 2)]
    assert rows[0].started_at == T0 and rows[0].seen_at == T0 + timedelta(minutes=1)


def test_a_start_restarts_its_row_and_forgets_long_gone_daemons(db: Database) -> None:
    daemon_started(db, "old:1", host="old", pid=1, now=T0 - timedelta(days=60))
    daemon_started(db, "a:1", host="a", pid=1, now=T0 - timedelta(days=1))
    daemon_started(db, "a:1", host="a", pid=1, now=T0)  # the same pid again, on a reboot
    assert [(w.worker, w.started_at) for w in workers(db)] == [("a:1", T0)]


def test_overdue_is_a_scheduled_edition_past_its_time(db: Database) -> None:
    late = scheduled_edition(db, T0 - timedelta(minutes=1))
    later = scheduled_edition(db, T0 + timedelta(minutes=1))
    by_id = {e.edition_id: e for e in upcoming(db)}
    assert by_id[late].overdue(T0) and not by_id[later].overdue(T0)
    cancel(db, late)
    [cancelled] = [e for e in upcoming(db, include_done=True) if e.edition_id == late]
    assert cancelled.status is EditionStatus.CANCELLED and not cancelled.overdue(T0)


def test_the_note_says_when_no_daemon_will_send_what_waits(db: Database) -> None:
    assert daemon_note(db, T0) is None  # nothing waits: nothing to say
    assert daemon_note(db, T0, scheduling=True) == (
        "no daemon has run yet: scheduled threads will not be sent; "
        "start one with thread-composer daemon"
    )
    scheduled_edition(db, T0 + timedelta(hours=1))
    assert (daemon_note(db, T0) or "").startswith("no daemon has run yet: ")
    daemon_seen(db, "a:1", host="a", pid=1, now=T0 - timedelta(hours=3, minutes=5))
    assert daemon_note(db, T0) == (
        "no daemon has run for 3 hours 5 minutes: scheduled threads will not be sent; "
        "start one with thread-composer daemon"
    )
    daemon_seen(db, "a:1", host="a", pid=1, now=T0 - timedelta(minutes=2))
    assert daemon_note(db, T0) is None


def test_an_active_rule_waits_for_a_daemon_too(db: Database) -> None:
    rule = create_recurrence(
        db,
        draft_path="/d/weekly.md",
        account="m",
        rule="0 9 * * 1",
        zone="UTC",
        next_at=T0 + timedelta(days=3),
    )
    assert daemon_note(db, T0) is not None
    assert rule.id is not None
    stop_recurrence(db, rule.id)
    assert daemon_note(db, T0) is None


def test_a_round_records_the_daemon_and_beats_at_most_every_few_seconds(
    db: Database, tmp_path: Path
) -> None:
    config_file = write_accounts(
        tmp_path, {"m": mastodon_account("http://127.0.0.1:9", "NO_SUCH_TOKEN")}
    )
    config = load_config(config_file)
    asyncio.run(run_round(db, config, now=T0, worker="host:1"))  # as `daemon --once`
    [row] = workers(db)
    assert row.worker == "host:1" and row.seen_at > T0  # the wall clock, not the round's
    clock = iter([T0, T0 + timedelta(seconds=2), T0 + timedelta(seconds=6)])
    heartbeat = Heartbeat(db, "host:2", clock=lambda: next(clock))
    heartbeat.start()
    asyncio.run(run_round(db, config, now=T0, worker="host:2", heartbeat=heartbeat))
    seen = {w.worker: w.seen_at for w in workers(db)}
    assert seen["host:2"] == T0  # 2 s after the start: not written again
    asyncio.run(run_round(db, config, now=T0, worker="host:2", heartbeat=heartbeat))
    seen = {w.worker: w.seen_at for w in workers(db)}
    assert seen["host:2"] == T0 + timedelta(seconds=6)


def test_a_heartbeat_that_cannot_be_written_does_not_stop_the_daemon(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "h.sqlite3"))
    db.close()
    Path(tmp_path / "h.sqlite3").unlink()
    (tmp_path / "h.sqlite3").mkdir()  # the file is gone: every write fails
    Heartbeat(db, "host:1").beat()  # logged, not raised
