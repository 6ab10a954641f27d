"""The publishing ledger: rows before requests, keys, order, attempts, timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from composer.store import (
    Attempt,
    AttemptOutcome,
    Database,
    DraftText,
    Edition,
    EditionStatus,
    PostStatus,
    StoreError,
    create_edition,
    edition_posts,
    find_edition,
    idempotency_key,
    mark_post_sent,
    record_attempt,
    record_thread,
    set_edition_status,
    set_post_status,
)
from tests.store.conftest import T0

POSTS = ["1/3 First post.", "2/3 Second post.", "3/3 Last post."]


def new_edition(db: Database, **kwargs: object) -> int:
    thread = record_thread(
        db, DraftText(title="OSCE statement", body="First. Second. Last.", language="en")
    )
    assert thread.id is not None
    edition = create_edition(
        db, thread.id, account="ank-masto", platform="mastodon", posts=POSTS, **kwargs
    )
    assert edition.id is not None
    return edition.id


def test_ledger_round_trip(db: Database) -> None:
    almaty = timezone(timedelta(hours=5))
    edition_id = new_edition(
        db, scheduled_at=datetime(2026, 12, 1, 9, 0, tzinfo=almaty), timezone="Asia/Almaty"
    )
    posts = edition_posts(db, edition_id)
    assert [(p.position, p.text, p.status) for p in posts] == [
        (1, POSTS[0], PostStatus.PENDING),
        (2, POSTS[1], PostStatus.PENDING),
        (3, POSTS[2], PostStatus.PENDING),
    ]
    first = posts[0]
    assert first.id is not None
    set_post_status(db, first.id, PostStatus.SENDING)
    record_attempt(
        db, first.id, outcome=AttemptOutcome.UNCLEAR, started_at=T0, error="read timeout"
    )
    mark_post_sent(
        db,
        first.id,
        remote_id="111",
        remote_uri="at://did:plc:x/app.bsky.feed.post/3k",
        remote_cid="bafy",
        remote_url="https://mastodon.social/@x/111",
        sent_at=T0,
    )
    record_attempt(db, first.id, outcome=AttemptOutcome.OK, started_at=T0, http_status=200)

    reread = edition_posts(db, edition_id)[0]
    assert reread.status is PostStatus.SENT
    assert (reread.remote_id, reread.remote_cid, reread.sent_at) == ("111", "bafy", T0)
    assert reread.sent_at is not None and reread.sent_at.tzinfo is not None
    with db.read_session() as session:
        edition = session.get_one(Edition, edition_id)
        attempts = list(session.exec(select(Attempt).where(Attempt.post_id == first.id)))
    assert edition.scheduled_at == datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    assert edition.scheduled_at is not None and edition.scheduled_at.utcoffset() == timedelta(0)
    assert edition.status is EditionStatus.SCHEDULED
    assert edition.timezone == "Asia/Almaty"
    assert sorted(a.outcome for a in attempts) == [AttemptOutcome.OK, AttemptOutcome.UNCLEAR]


def test_posts_are_sent_in_order_and_stay_sent(db: Database) -> None:
    posts = edition_posts(db, new_edition(db))
    second = posts[1].id
    assert second is not None and posts[0].id is not None
    with pytest.raises(StoreError, match="before post 1"):
        mark_post_sent(db, second, remote_id="2")
    mark_post_sent(db, posts[0].id, remote_id="1")
    mark_post_sent(db, posts[0].id, remote_id="1")  # a replayed confirmation is fine
    with pytest.raises(StoreError, match="already sent"):
        mark_post_sent(db, posts[0].id, remote_id="other")
    with pytest.raises(StoreError, match="already sent"):
        set_post_status(db, posts[0].id, PostStatus.FAILED)
    mark_post_sent(db, second, remote_id="2")


def test_a_sent_post_and_its_attempt_are_one_write_and_a_refusal_writes_nothing(
    db: Database,
) -> None:
    posts = edition_posts(db, new_edition(db))
    first, second = posts[0].id, posts[1].id
    assert first is not None and second is not None

    def ok_attempts(post_id: int) -> int:
        with db.read_session() as session:
            found = session.exec(select(Attempt).where(Attempt.post_id == post_id))
            return sum(a.outcome is AttemptOutcome.OK for a in found)

    with pytest.raises(StoreError, match="before post 1"):
        mark_post_sent(db, second, remote_id="2", attempt_started_at=T0)
    assert ok_attempts(second) == 0 and edition_posts(db, posts[0].edition_id)[1].remote_id is None
    mark_post_sent(
        db, first, remote_id="1", remote_url="https://m.example/1", attempt_started_at=T0
    )
    with pytest.raises(StoreError, match="already sent as 1"):
        mark_post_sent(db, first, remote_id="other", attempt_started_at=T0)
    assert ok_attempts(first) == 1
    mark_post_sent(db, first, remote_id="1", attempt_started_at=T0)  # a replayed confirmation
    assert ok_attempts(first) == 2
    sent = edition_posts(db, posts[0].edition_id)[0]
    assert (sent.status, sent.remote_id, sent.remote_url) == (
        PostStatus.SENT,
        "1",
        "https://m.example/1",
    )
    with pytest.raises(StoreError, match="no post 999"):
        mark_post_sent(db, 999, remote_id="x")


def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive"):
        new_edition(db, scheduled_at=datetime(2026, 12, 1, 9, 0))


def test_edition_status_and_redacted_error(db: Database) -> None:
    edition_id = new_edition(db)
    reason = "401 for Authorization: Bearer abcdef123456"
    set_edition_status(db, edition_id, EditionStatus.FAILED, last_error=reason)
    edition = find_edition(db, edition_id)
    assert edition.status is EditionStatus.FAILED
    assert edition.last_error == "401 for Authorization: [REDACTED]"


def test_an_edition_needs_posts(db: Database) -> None:
    thread = record_thread(db, DraftText(title="t", body="b"))
    assert thread.id is not None
    with pytest.raises(StoreError):
        create_edition(db, thread.id, account="a", platform="x", posts=[])


def test_idempotency_keys_are_deterministic_and_unique(db: Database) -> None:
    created = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    key = idempotency_key(7, created, 3)
    assert key == idempotency_key(7, created.astimezone(timezone(timedelta(hours=5))), 3)
    assert len(key) == 64 and int(key, 16) >= 0
    keys = {idempotency_key(e, created, p) for e in range(1, 50) for p in range(1, 30)}
    assert len(keys) == 49 * 29
    # A database started afresh numbers editions from 1 again: the keys must still differ.
    assert idempotency_key(1, created, 1) != idempotency_key(1, created + timedelta(seconds=1), 1)

    editions = [new_edition(db) for _ in range(3)]
    stored = [post for edition in editions for post in edition_posts(db, edition)]
    assert len({post.idempotency_key for post in stored}) == len(stored) == 9
    with db.read_session() as session:
        for post in stored:
            edition = session.get_one(Edition, post.edition_id)
            assert post.idempotency_key == idempotency_key(
                post.edition_id, edition.created_at, post.position
            )
