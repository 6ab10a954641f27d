"""Finished editions post by post."""

from __future__ import annotations

from datetime import timedelta

from composer.store import (
    Database,
    DraftText,
    EditionStatus,
    PostStatus,
    edition_posts,
    mark_post_sent,
    record_thread,
    set_edition_status,
)
from composer.store.finished import recent_finished
from composer.store.queue import cancel, schedule_edition
from tests.store.conftest import T0, publish


def stopped_at_second_post(db: Database) -> int:
    thread = record_thread(db, DraftText(title="Stopped", body="a b c"))
    assert thread.id is not None
    edition = schedule_edition(
        db, thread.id, account="m", platform="mastodon", posts=["a", "b", "c"], at_utc=T0,
        zone="Asia/Almaty",
    )  # fmt: skip
    assert edition.id is not None
    first = edition_posts(db, edition.id)[0]
    assert first.id is not None
    mark_post_sent(db, first.id, remote_id="1", remote_url="https://m.example/1")
    set_edition_status(db, edition.id, EditionStatus.PARTIAL, last_error="401: token revoked")
    return edition.id


def test_outcomes_list_each_posts_status_newest_first(db: Database) -> None:
    published = publish(db, ["one", "two"], title="Full")
    stopped = stopped_at_second_post(db)
    outcomes = recent_finished(db)
    assert [o.edition_id for o in outcomes] == [stopped, published]
    partial = outcomes[0]
    assert partial.status is EditionStatus.PARTIAL and partial.resumable
    assert partial.sent == 1 and partial.last_error == "401: token revoked"
    assert [p.status for p in partial.posts] == [
        PostStatus.SENT,
        PostStatus.PENDING,
        PostStatus.PENDING,
    ]
    assert partial.posts[0].url == "https://m.example/1" and partial.timezone == "Asia/Almaty"
    full = outcomes[1]
    assert full.sent == 2 and not full.resumable and full.title == "Full"


def test_outcomes_leave_out_scheduled_and_cancelled_editions(db: Database) -> None:
    stopped = stopped_at_second_post(db)
    thread = record_thread(db, DraftText(title="Later", body="x"))
    assert thread.id is not None
    schedule_edition(
        db, thread.id, account="m", platform="mastodon", posts=["x"], at_utc=T0, zone="UTC"
    )
    assert [o.edition_id for o in recent_finished(db)] == [stopped]
    assert recent_finished(db, statuses=(EditionStatus.PUBLISHED,)) == []
    assert recent_finished(db, account="other") == []


def test_outcomes_name_what_each_follows_and_its_follow_ups_but_not_cancelled_ones(
    db: Database,
) -> None:
    original = publish(db, ["one", "two"], title="Original")

    def follow_up(title: str) -> int:
        thread = record_thread(db, DraftText(title=title, body="x"))
        assert thread.id is not None
        edition = schedule_edition(
            db, thread.id, account="m", platform="mastodon", posts=["x"],
            at_utc=T0 + timedelta(days=1), zone="UTC", follows_edition_id=original,
        )  # fmt: skip
        assert edition.id is not None
        return edition.id

    waiting, dropped = follow_up("Waiting"), follow_up("Dropped")
    cancel(db, dropped)
    [outcome] = recent_finished(db)
    assert outcome.edition_id == original and outcome.follows_edition_id is None
    assert outcome.continued_by == (waiting,)
    [cancelled] = recent_finished(db, statuses=[EditionStatus.CANCELLED])
    assert cancelled.follows_edition_id == original and cancelled.continued_by == ()
