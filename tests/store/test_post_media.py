"""Each post's images in the ledger: written with the edition, marked uploaded once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from composer.store import (
    Database,
    DraftText,
    NewMedia,
    StoreError,
    create_edition,
    edition_posts,
    mark_media_uploaded,
    post_media,
    record_thread,
    schedule_new,
)
from tests.helpers import draft_edition, recorded_edition


def _ids(db: Database, edition_id: int) -> list[int]:
    return [post.id for post in edition_posts(db, edition_id) if post.id is not None]


def test_an_edition_keeps_each_posts_images_in_order(db: Database) -> None:
    thread = record_thread(db, DraftText(title="Report", body="b"))
    assert thread.id is not None
    media = [
        [NewMedia("/d/akimat.jpg", "Police detain a protester"), NewMedia("/d/b.png", "Chart")],
        [],
        [NewMedia("/d/court.jpg", "The court's decision")],
    ]
    edition = create_edition(
        db, thread.id, account="a", platform="bluesky", posts=["1", "2", "3"], media=media
    )
    assert edition.id is not None
    first, second, third = _ids(db, edition.id)
    rows = post_media(db, first)
    assert [(r.position, r.source_path, r.alt) for r in rows] == [
        (1, "/d/akimat.jpg", "Police detain a protester"),
        (2, "/d/b.png", "Chart"),
    ]
    assert all(r.remote_ref is None and r.uploaded_at is None for r in rows)
    assert post_media(db, second) == []
    assert [r.source_path for r in post_media(db, third)] == ["/d/court.jpg"]


def test_an_upload_is_recorded_with_its_hash_and_size(db: Database) -> None:
    edition_id = recorded_edition(
        db, ["1"], account="a", platform="mastodon", media=[[NewMedia("/d/a.jpg", "alt")]]
    )
    [row] = post_media(db, _ids(db, edition_id)[0])
    assert row.id is not None
    when = datetime(2026, 12, 3, 22, 0, tzinfo=UTC)
    mark_media_uploaded(
        db, row.id, remote_ref="1234", sha256="ab" * 32, width=4, height=3, uploaded_at=when
    )
    [again] = post_media(db, _ids(db, edition_id)[0])
    assert (again.remote_ref, again.sha256, again.width, again.height, again.uploaded_at) == (
        "1234",
        "ab" * 32,
        4,
        3,
        when,
    )
    with pytest.raises(StoreError):
        mark_media_uploaded(db, 999, remote_ref="x", sha256="", width=1, height=1)


def test_media_for_another_number_of_posts_is_refused_and_nothing_written(db: Database) -> None:
    thread = record_thread(db, DraftText(title="Report", body="b"))
    assert thread.id is not None
    with pytest.raises(StoreError):
        create_edition(
            db,
            thread.id,
            account="a",
            platform="x",
            posts=["1", "2"],
            media=[[NewMedia("/d/a.jpg", "alt")]],
        )
    from composer.store import upcoming

    assert upcoming(db, include_done=True) == []


def test_a_scheduled_edition_keeps_its_images(db: Database) -> None:
    new = draft_edition(
        "/d/r.md",
        ["1", "2"],
        datetime(2030, 1, 1, tzinfo=UTC),
        platform="bluesky",
        media=[[], [NewMedia("/d/a.jpg", "alt")]],
    )
    [edition] = schedule_new(db, [new], again=False)
    assert edition.id is not None
    first, second = _ids(db, edition.id)
    assert post_media(db, first) == []
    assert [r.alt for r in post_media(db, second)] == ["alt"]
