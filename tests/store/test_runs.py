"""The start and the end of a publisher's run, one transaction each (store/runs.py): the
ledger is read as it was before the run marked the edition publishing (a post found
`sending` is asked about once SENDING_SETTLE has passed since that earlier write), and an
edition that cannot start is left untouched. On SQLite, and on PostgreSQL when
COMPOSER_TEST_POSTGRES is set."""

from __future__ import annotations

from dataclasses import fields
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col

from composer.store import (
    Database,
    Edition,
    EditionStatus,
    LedgerPost,
    PostRecord,
    PostStatus,
    StoreError,
    edition_posts,
    find_edition,
    finish_publishing,
    mark_post_sending,
    mark_post_sent,
    start_publishing,
)
from tests.helpers import recorded_edition
from tests.store.conftest import T0, publish
from tests.store.test_postgres import pg  # noqa: F401 - the PostgreSQL fixture

POSTS = ["1/3 First post.", "2/3 Second post.", "3/3 Last post."]


def test_a_ledger_post_has_every_column_of_the_posts_table() -> None:
    """LedgerPost copies PostRecord's fields (a frozen row read without the ORM, for speed):
    a column added to one and not the other fails here, not in a resumed edition."""
    assert [field.name for field in fields(LedgerPost)] == list(PostRecord.model_fields)


@pytest.fixture(params=["db", "pg"])
def database(request: pytest.FixtureRequest) -> Database:
    found: Database = request.getfixturevalue(request.param)
    return found


def new_edition(db: Database, **fields: object) -> int:
    return recorded_edition(
        db,
        POSTS,
        title="Report",
        account="ank-x",
        platform="x",
        status=EditionStatus.SCHEDULED,
        scheduled_at=T0,
        **fields,
    )


def last_written(db: Database, edition_id: int, when: object) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(Edition).where(col(Edition.id) == edition_id).values(updated_at=when)
        )


def test_the_ledger_is_read_as_it_was_then_the_edition_is_marked_publishing(
    database: Database,
) -> None:
    edition_id = new_edition(database)
    first = edition_posts(database, edition_id)[0]
    mark_post_sending(database, first.id)  # a run stopped mid-request
    last_written(database, edition_id, T0)

    start = start_publishing(database, edition_id)

    assert start.attached is None
    assert start.ledger.updated_at == T0  # the write before this run, not this run's own
    assert [post.text for post in start.ledger.posts] == POSTS
    assert [post.status for post in start.ledger.posts] == [
        PostStatus.SENDING,
        PostStatus.PENDING,
        PostStatus.PENDING,
    ]
    assert all(isinstance(post, LedgerPost) for post in start.ledger.posts)
    assert start.ledger.images == {} and start.ledger.cards == {}
    edition = find_edition(database, edition_id)
    assert edition.status is EditionStatus.PUBLISHING
    assert edition.updated_at > T0


def test_a_follow_up_of_an_unpublished_edition_starts_nothing(database: Database) -> None:
    parent = new_edition(database)
    follow_up = new_edition(database, follows_edition_id=parent)
    last_written(database, follow_up, T0)

    start = start_publishing(database, follow_up)

    assert isinstance(start.attached, StoreError)
    assert f"it follows edition {parent}, which is scheduled" in str(start.attached)
    edition = find_edition(database, follow_up)
    assert edition.status is EditionStatus.SCHEDULED  # left as it was
    assert edition.updated_at == T0


def test_a_follow_up_attaches_to_the_last_post_of_the_conversation(database: Database) -> None:
    original = publish(database, ["a", "b"])
    parent = new_edition(database, follows_edition_id=original)
    for position, post in enumerate(edition_posts(database, parent), start=1):
        mark_post_sent(database, post.id, remote_id=f"p{position}", sent_at=T0)
    finish_publishing(database, parent)
    follow_up = new_edition(database, follows_edition_id=parent)

    start = start_publishing(database, follow_up)

    assert start.attached is not None and not isinstance(start.attached, StoreError)
    assert start.attached.follows == parent
    assert start.attached.reply_to.remote_id == "p3"  # the parent's last post
    assert start.attached.root.remote_id == f"{original}-1"  # the original's first
    assert start.attached.offset == 2 + 3
    assert find_edition(database, follow_up).status is EditionStatus.PUBLISHING


def test_finishing_marks_published_and_reads_the_posts_back(database: Database) -> None:
    edition_id = new_edition(database)
    start_publishing(database, edition_id)
    for post in edition_posts(database, edition_id):
        url = f"https://x.example/{post.position}"
        mark_post_sent(database, post.id, remote_id=str(post.position), remote_url=url)

    posts = finish_publishing(database, edition_id)

    assert [post.remote_url for post in posts] == [f"https://x.example/{i}" for i in (1, 2, 3)]
    assert find_edition(database, edition_id).status is EditionStatus.PUBLISHED


def test_no_such_edition(database: Database) -> None:
    with pytest.raises(StoreError, match="no edition 999"):
        start_publishing(database, 999)
    with pytest.raises(StoreError, match="no edition 999"):
        finish_publishing(database, 999)


def test_an_edition_s_last_write_is_kept_to_the_microsecond(database: Database) -> None:
    """The settle time is counted from it: read back through Core as it was written."""
    edition_id = new_edition(database)
    written = T0 + timedelta(microseconds=123456)
    last_written(database, edition_id, written)
    assert start_publishing(database, edition_id).ledger.updated_at == written
