"""The store on a real PostgreSQL server: where a team outgrowing one machine goes.

`.ci/run` installs Debian's postgresql, starts it and sets COMPOSER_TEST_POSTGRES (a
SQLAlchemy URL) and COMPOSER_REQUIRE_POSTGRES=1; elsewhere these tests skip without a URL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from composer.store import (
    Database,
    DraftText,
    EditionStatus,
    StoreError,
    create_edition,
    edition_posts,
    mark_post_sent,
    open_database,
    record_thread,
    search,
)
from composer.store.claims import claim_due
from composer.store.queue import cancel, schedule_edition
from composer.store.queue_view import upcoming
from tests.helpers import draft_edition, upgraded_from_before_retracting

URL = os.environ.get("COMPOSER_TEST_POSTGRES")
NOW = datetime(2030, 1, 10, 4, 0, tzinfo=UTC)


@pytest.fixture
def pg() -> Iterator[Database]:
    if not URL:
        if os.environ.get("COMPOSER_REQUIRE_POSTGRES") == "1":
            pytest.fail("COMPOSER_REQUIRE_POSTGRES=1 but COMPOSER_TEST_POSTGRES is not set")
        pytest.skip("no PostgreSQL server (set COMPOSER_TEST_POSTGRES to a SQLAlchemy URL)")
    engine = sa.create_engine(URL)
    with engine.begin() as connection:  # an empty database for every test
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    db = open_database(URL)
    yield db
    db.close()


def test_migrates_and_keeps_the_ledger(pg: Database) -> None:
    assert pg.engine.dialect.name == "postgresql" and not pg.has_fts
    assert "***" in pg.location or "@" not in pg.location  # no password shown
    thread = record_thread(pg, DraftText(title="Выборы", body="b"))
    assert thread.id is not None
    edition = create_edition(
        pg, thread.id, account="a", platform="x", posts=["Наблюдатели ЦИК", "Two"]
    )
    assert edition.id is not None
    first, second = edition_posts(pg, edition.id)
    assert first.id is not None and second.id is not None
    with pytest.raises(StoreError):
        mark_post_sent(pg, second.id, remote_id="2")  # never post 2 before post 1
    mark_post_sent(pg, first.id, remote_id="1")
    assert [h.text for h in search(pg, "наблюдатели")] == ["Наблюдатели ЦИК"]  # ILIKE, Cyrillic


def test_queue_changes_only_scheduled_editions(pg: Database) -> None:
    thread = record_thread(pg, DraftText(title="T", body="b"))
    assert thread.id is not None
    edition = schedule_edition(
        pg, thread.id, account="a", platform="x", posts=["x"], at_utc=NOW, zone="UTC"
    )
    assert edition.id is not None
    assert [e.edition_id for e in upcoming(pg)] == [edition.id]
    cancel(pg, edition.id)
    with pytest.raises(StoreError, match="is cancelled, not scheduled"):
        cancel(pg, edition.id)


CLAIMER = """
import json, sys
from datetime import datetime, timedelta
from composer.store import open_database
from composer.store.claims import claim_due
db = open_database(sys.argv[1])
now = datetime.fromisoformat(sys.argv[2])
print(json.dumps([c.edition_id for c in claim_due(db, now, sys.argv[3], timedelta(minutes=30))]))
"""


def test_two_processes_never_claim_the_same_edition(pg: Database) -> None:
    thread = record_thread(pg, DraftText(title="T", body="b"))
    assert thread.id is not None
    ids = []
    for n in range(60):
        edition = schedule_edition(
            pg, thread.id, account=f"a{n % 5}", platform="x", posts=["x"],
            at_utc=NOW - timedelta(seconds=n), zone="UTC",
        )  # fmt: skip
        ids.append(edition.id)
    assert URL is not None
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, URL, NOW.isoformat(), f"w{n}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    claimed = [json.loads(worker.communicate(timeout=120)[0]) for worker in workers]
    taken = claimed[0] + claimed[1]
    assert sorted(taken) == sorted(ids) and len(set(taken)) == len(taken)
    assert claim_due(pg, NOW, "late", timedelta(minutes=30)) == []
    statuses = {e.status for e in upcoming(pg)}
    assert statuses == {EditionStatus.PUBLISHING}


def test_a_thread_is_scheduled_once_and_a_daemon_is_seen(pg: Database) -> None:
    """The advisory lock and the held-thread rule on PostgreSQL; the heartbeat table."""
    from composer.store import AlreadyHeld
    from composer.store.daemons import daemon_seen
    from composer.store.queue import schedule_new
    from composer.store.queue_view import last_daemon_seen

    new = draft_edition("/d/report.md", ["One.", "Two."], NOW + timedelta(hours=1))
    [first] = schedule_new(pg, [new], again=False)
    with pytest.raises(AlreadyHeld) as refused:
        schedule_new(pg, [new], again=False)
    assert refused.value.edition.id == first.id
    assert len(schedule_new(pg, [new], again=True)) == 1
    assert last_daemon_seen(pg) is None
    daemon_seen(pg, "h:1", host="h", pid=1, now=NOW)
    assert last_daemon_seen(pg) == NOW


def test_racing_schedules_write_each_thread_once(pg: Database) -> None:
    """Under READ COMMITTED two checks could both find nothing: the advisory lock orders
    them, so every draft is scheduled once however the threads interleave."""
    import threading

    from composer.store import AlreadyHeld
    from composer.store.queue import schedule_new

    drafts = 30
    start = threading.Barrier(4)
    made: list[int] = []

    def racer() -> None:
        start.wait()
        for n in range(drafts):
            new = draft_edition(f"/d/{n}.md", [f"post of draft {n}"], NOW + timedelta(hours=1))
            try:
                schedule_new(pg, [new], again=False)
                made.append(n)
            except AlreadyHeld:
                pass

    threads = [threading.Thread(target=racer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(made) == list(range(drafts))
    assert len(upcoming(pg)) == drafts


def test_a_notification_is_recorded_and_taken_once(pg: Database) -> None:
    from composer.store import EditionEvent, record_event, set_edition_status, take_due

    thread = record_thread(pg, DraftText(title="T", body="one"))
    assert thread.id is not None
    edition = create_edition(pg, thread.id, account="a", platform="x", posts=["one"])
    assert edition.id is not None
    set_edition_status(pg, edition.id, EditionStatus.FAILED, last_error="HTTP 401")
    failed = EditionEvent(edition.id, "a", "failed", NOW)
    assert record_event(pg, failed, NOW)
    assert not record_event(pg, failed, NOW)  # the unique (edition, event, occurrence)
    other = open_database(URL)
    try:
        first = take_due(pg, NOW, timedelta(minutes=5))
        assert len(first) == 1 and take_due(other, NOW, timedelta(minutes=5)) == []
    finally:
        other.close()


def test_a_database_from_before_retracting_keeps_its_rows(pg: Database) -> None:
    """The revision adding `retracted` changes the CHECKs in place on PostgreSQL, and keeps
    every row."""
    assert URL is not None
    pg.close()
    engine = sa.create_engine(URL)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    upgraded_from_before_retracting(URL).close()
