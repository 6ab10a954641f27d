"""The notifications ledger: each event recorded once, delivered by one process, retried
with backoff."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from composer.store import (
    Database,
    EditionEvent,
    EditionStatus,
    edition_events,
    edition_facts,
    forget_old,
    mark_delivered,
    mark_undelivered,
    open_database,
    record_event,
    set_edition_status,
    take_due,
)
from composer.store.notifications import FIRST_RETRY, MAX_ATTEMPTS
from tests.store.conftest import publish

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def happened(edition_id: int, event: str = "published") -> EditionEvent:
    return EditionEvent(edition_id, "ank-x", event, NOW)


def test_events_found_once_and_recorded_once(db: Database) -> None:
    published = publish(db, ["one", "two"], title="Report")
    stopped = publish(db, ["a", "b"], title="Half")
    set_edition_status(db, stopped, EditionStatus.PARTIAL, last_error="HTTP 503")
    now = datetime.now(UTC)
    found = {
        e.edition_id: e
        for e in edition_events(db, now, since=now - DAY, late_after=timedelta(minutes=10))
    }
    assert {(e.edition_id, e.event) for e in found.values()} == {
        (published, "published"),
        (stopped, "stopped"),
    }
    assert record_event(db, found[stopped], now)
    assert not record_event(db, found[stopped], now)  # a second daemon: not again
    events = {
        (e.edition_id, e.event)
        for e in edition_events(db, now, since=now - DAY, late_after=timedelta(minutes=10))
    }
    assert events == {(published, "published")}
    assert (
        edition_events(db, now + 2 * DAY, since=now + DAY, late_after=timedelta(minutes=10)) == []
    )
    facts = edition_facts(db, stopped)
    assert facts is not None and facts.title == "Half" and facts.last_error == "HTTP 503"
    assert [post.position for post in facts.sent] == [1, 2]
    assert facts.resume == "thread-composer publish DRAFT --account ank-x"


def test_two_processes_take_a_notification_once(db_path: object, db: Database) -> None:
    edition = publish(db, ["one"])
    assert record_event(db, happened(edition), NOW)
    other = open_database(str(db_path))
    taken: list[int] = []
    barrier = threading.Barrier(2)

    def take(database: Database) -> None:
        barrier.wait()
        taken.extend(p.id for p in take_due(database, NOW, timedelta(minutes=5)))

    threads = [threading.Thread(target=take, args=(d,)) for d in (db, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == 1
    assert take_due(db, NOW + timedelta(minutes=4), timedelta(minutes=5)) == []
    # the taker died: after its hold, another process takes it
    assert len(take_due(db, NOW + timedelta(minutes=6), timedelta(minutes=5))) == 1
    mark_delivered(db, taken[0], NOW)
    assert take_due(db, NOW + DAY, timedelta(minutes=5)) == []
    other.close()


def test_failed_delivery_is_retried_with_backoff_then_given_up(db: Database) -> None:
    edition = publish(db, ["one"])
    record_event(db, happened(edition), NOW)
    at = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        (pending,) = take_due(db, at, timedelta(minutes=5))
        assert pending.attempts == attempt - 1
        assert mark_undelivered(db, pending.id, at, "connection refused") == attempt
        assert take_due(db, at + FIRST_RETRY - timedelta(seconds=1), timedelta(minutes=5)) == []
        at += timedelta(hours=2)
    assert take_due(db, at + DAY, timedelta(minutes=5)) == []  # given up


def test_old_notifications_are_forgotten(db: Database) -> None:
    edition = publish(db, ["one"])
    record_event(db, happened(edition), NOW)
    forget_old(db, NOW + timedelta(days=89))
    assert not record_event(db, happened(edition), NOW)  # still there
    forget_old(db, NOW + timedelta(days=91))
    assert record_event(db, happened(edition), NOW)  # gone: recorded anew


def test_an_edition_that_stops_again_after_a_resume_is_a_new_event(db: Database) -> None:
    edition = publish(db, ["a", "b"])
    set_edition_status(db, edition, EditionStatus.PARTIAL, last_error="HTTP 503")

    def events() -> list[EditionEvent]:
        now = datetime.now(UTC)
        return edition_events(db, now, since=now - DAY, late_after=timedelta(minutes=10))

    (first,) = events()
    assert record_event(db, first, NOW)
    assert events() == []
    set_edition_status(db, edition, EditionStatus.PUBLISHING)  # resumed ...
    set_edition_status(db, edition, EditionStatus.PARTIAL, last_error="HTTP 503")  # ... stopped
    (second,) = events()
    assert (second.event, second.edition_id) == ("stopped", edition)
    assert second.occurred_at > first.occurred_at
    assert record_event(db, second, NOW) and events() == []
