"""The schedule: scheduling editions, listing the queue, cancel, move and publish-now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from composer.store import (
    Database,
    DraftText,
    Edition,
    EditionStatus,
    StoreError,
    edition_posts,
    open_database,
    record_thread,
    set_edition_status,
)
from composer.store.queue import cancel, mark_due_now, move, schedule_edition
from composer.store.queue_view import QueueEntry, upcoming
from tests.store.conftest import T0, publish

ALMATY = timezone(timedelta(hours=5))
POSTS = ["1/3 First post.", "2/3 Second post.", "3/3 Last post."]


def scheduled(
    db: Database,
    at: datetime,
    *,
    account: str = "ank-x",
    platform: str = "x",
    title: str = "OSCE statement",
    posts: list[str] = POSTS,
    zone: str = "Asia/Almaty",
) -> int:
    thread = record_thread(db, DraftText(title=title, body=" ".join(posts)))
    assert thread.id is not None
    edition = schedule_edition(
        db, thread.id, account=account, platform=platform, posts=posts, at_utc=at, zone=zone
    )
    assert edition.id is not None
    return edition.id


def reread(db: Database, edition_id: int) -> Edition:
    with db.read_session() as session:
        return session.get_one(Edition, edition_id)


def ids(entries: list[QueueEntry]) -> list[int]:
    return [entry.edition_id for entry in entries]


def test_schedule_edition(db: Database) -> None:
    at = datetime(2026, 12, 1, 9, 0, tzinfo=ALMATY)
    edition_id = scheduled(db, at)
    edition = reread(db, edition_id)
    assert edition.status is EditionStatus.SCHEDULED
    assert edition.scheduled_at == datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    assert edition.scheduled_at is not None and edition.scheduled_at.utcoffset() == timedelta(0)
    assert edition.timezone == "Asia/Almaty"
    assert [post.text for post in edition_posts(db, edition_id)] == POSTS


def test_schedule_refuses_naive_times_and_empty_threads(db: Database) -> None:
    with pytest.raises(StoreError, match="naive"):
        scheduled(db, datetime(2026, 12, 1, 9, 0))
    with pytest.raises(StoreError, match="at least one post"):
        scheduled(db, T0, posts=[])


def test_queue_entry_fields(db: Database) -> None:
    edition_id = scheduled(db, T0, account="ank-bsky", platform="bluesky", title="Report")
    assert upcoming(db) == [
        QueueEntry(
            edition_id=edition_id,
            account="ank-bsky",
            platform="bluesky",
            status=EditionStatus.SCHEDULED,
            scheduled_at=T0,
            timezone="Asia/Almaty",
            title="Report",
            post_count=3,
            updated_at=reread(db, edition_id).updated_at,
            last_error=None,
        )
    ]


def test_upcoming_is_ordered_by_time_not_by_creation(db: Database) -> None:
    late = scheduled(db, T0 + timedelta(days=2))
    soon = scheduled(db, T0 + timedelta(hours=1))
    # Same instant, given in another offset: ties keep creation order.
    tie = scheduled(db, (T0 + timedelta(hours=1)).astimezone(ALMATY), posts=["one"])
    middle = scheduled(db, T0 + timedelta(days=1))
    entries = upcoming(db)
    assert ids(entries) == [soon, tie, middle, late]
    assert [entry.post_count for entry in entries] == [3, 1, 3, 3]
    assert all(e.scheduled_at is not None and e.scheduled_at.tzinfo for e in entries)


def test_upcoming_leaves_out_finished_editions_unless_asked(db: Database) -> None:
    waiting = scheduled(db, T0 + timedelta(days=1))
    cancelled = scheduled(db, T0 + timedelta(days=2))
    cancel(db, cancelled)
    failed = scheduled(db, T0 + timedelta(days=3))
    set_edition_status(db, failed, EditionStatus.FAILED, last_error="401 token=abc revoked")
    missed = scheduled(db, T0 - timedelta(days=3))
    set_edition_status(db, missed, EditionStatus.MISSED)
    published = publish(db, ["Already out."])
    publishing = scheduled(db, T0 + timedelta(hours=2))
    set_edition_status(db, publishing, EditionStatus.PUBLISHING)

    assert ids(upcoming(db)) == [publishing, waiting]  # by time, whatever the status
    everything = upcoming(db, include_done=True)
    assert ids(everything)[:2] == [publishing, waiting]
    # Then the finished ones, most recently changed first.
    assert ids(everything)[2:] == [published, missed, failed, cancelled]
    statuses = {entry.edition_id: entry.status for entry in everything}
    assert statuses[published] is EditionStatus.PUBLISHED
    assert statuses[missed] is EditionStatus.MISSED
    failed_entry = next(entry for entry in everything if entry.edition_id == failed)
    assert failed_entry.last_error is not None and "abc" not in failed_entry.last_error
    assert len(upcoming(db, include_done=True, done_limit=2)) == 4


def test_upcoming_filters_by_account(db: Database) -> None:
    x = scheduled(db, T0 + timedelta(hours=3), account="ank-x")
    bsky = scheduled(db, T0 + timedelta(hours=1), account="ank-bsky", platform="bluesky")
    x_done = publish(db, ["Out."], account="ank-x")
    assert ids(upcoming(db, account="ank-x")) == [x]
    assert ids(upcoming(db, account="ank-bsky")) == [bsky]
    assert ids(upcoming(db, account="ank-x", include_done=True)) == [x, x_done]
    assert upcoming(db, account="nobody") == []
    assert ids(upcoming(db)) == [bsky, x]


def test_cancel(db: Database) -> None:
    edition_id = scheduled(db, T0)
    edition = cancel(db, edition_id)
    assert edition.status is EditionStatus.CANCELLED
    assert reread(db, edition_id).status is EditionStatus.CANCELLED
    assert upcoming(db) == []
    with pytest.raises(StoreError, match=f"edition {edition_id} is cancelled, not scheduled"):
        cancel(db, edition_id)


def test_cancelling_a_published_edition_is_refused(db: Database) -> None:
    edition_id = publish(db, POSTS)
    with pytest.raises(StoreError, match="is published, not scheduled") as caught:
        cancel(db, edition_id)
    assert "cancelled" in str(caught.value)
    assert reread(db, edition_id).status is EditionStatus.PUBLISHED


@pytest.mark.parametrize(
    "status", [EditionStatus.PUBLISHING, EditionStatus.PARTIAL, EditionStatus.FAILED]
)
def test_only_scheduled_editions_change(db: Database, status: EditionStatus) -> None:
    edition_id = scheduled(db, T0)
    set_edition_status(db, edition_id, status)
    name = status.value
    with pytest.raises(StoreError, match=f"is {name}, not scheduled"):
        cancel(db, edition_id)
    with pytest.raises(StoreError, match=f"is {name}, not scheduled"):
        move(db, edition_id, T0 + timedelta(days=1), "UTC")
    with pytest.raises(StoreError, match=f"is {name}, not scheduled"):
        mark_due_now(db, edition_id, T0)
    edition = reread(db, edition_id)
    assert (edition.status, edition.scheduled_at) == (status, T0)


def test_unknown_edition(db: Database) -> None:
    for change in (
        lambda: cancel(db, 404),
        lambda: move(db, 404, T0, "UTC"),
        lambda: mark_due_now(db, 404, T0),
    ):
        with pytest.raises(StoreError, match="no edition 404"):
            change()


def test_move(db: Database) -> None:
    first = scheduled(db, T0 + timedelta(hours=1))
    second = scheduled(db, T0 + timedelta(hours=2))
    new_time = datetime(2026, 11, 1, 20, 0, tzinfo=timezone(timedelta(hours=1)))
    edition = move(db, first, new_time, "Europe/Berlin")
    assert edition.scheduled_at == datetime(2026, 11, 1, 19, 0, tzinfo=UTC)
    assert edition.timezone == "Europe/Berlin"
    assert edition.status is EditionStatus.SCHEDULED
    stored = reread(db, first)
    assert (stored.scheduled_at, stored.timezone) == (edition.scheduled_at, "Europe/Berlin")
    assert ids(upcoming(db)) == [second, first]
    with pytest.raises(StoreError, match="naive"):
        move(db, first, datetime(2026, 12, 1), "UTC")


def test_publish_now_makes_it_due_first(db: Database) -> None:
    soon = scheduled(db, T0 + timedelta(hours=1))
    later = scheduled(db, T0 + timedelta(days=30))
    now = T0 - timedelta(minutes=5)
    edition = mark_due_now(db, later, now)
    assert edition.scheduled_at == now
    assert edition.status is EditionStatus.SCHEDULED  # the daemon publishes it
    assert edition.timezone == "Asia/Almaty"  # kept, for display
    assert ids(upcoming(db)) == [later, soon]
    assert upcoming(db)[0].scheduled_at == now
    with pytest.raises(StoreError, match="naive"):
        mark_due_now(db, soon, datetime(2026, 12, 1))


def test_changes_are_seen_by_another_connection(db_path: Path, db: Database) -> None:
    edition_id = scheduled(db, T0)
    other = open_database(str(db_path))
    try:
        move(other, edition_id, T0 + timedelta(days=1), "UTC")
        assert upcoming(db)[0].scheduled_at == T0 + timedelta(days=1)
        cancel(db, edition_id)
        with pytest.raises(StoreError, match="is cancelled"):
            mark_due_now(other, edition_id, T0)
    finally:
        other.close()


@pytest.mark.parametrize(
    ("scheduled_at", "claimed_by", "claimed_until", "interrupted"),
    [
        (None, None, T0, True),  # `publish` stopped (Ctrl-C): claim released
        (None, "publish gone 1 b 2026-11-01T09:00:00Z", T0 - timedelta(seconds=1), True),
        (None, "publish live 1 b 2026-11-01T09:00:00Z", T0 + timedelta(seconds=20), False),
        (T0, None, T0, False),  # scheduled: the daemon resumes it
    ],
)
def test_an_edition_publish_left_is_interrupted_until_someone_holds_it(
    db: Database,
    scheduled_at: datetime | None,
    claimed_by: str | None,
    claimed_until: datetime,
    interrupted: bool,
) -> None:
    edition_id = scheduled(db, T0)
    with db.session() as session:
        edition = session.get_one(Edition, edition_id)
        edition.status = EditionStatus.PUBLISHING
        edition.scheduled_at = scheduled_at
        edition.claimed_by, edition.claimed_until = claimed_by, claimed_until
        session.add(edition)
    (entry,) = upcoming(db, now=T0)
    assert entry.interrupted is interrupted
