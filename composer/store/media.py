"""Each post's images in the ledger: written with the edition, marked uploaded before the
post that carries them is created.

The sender uploads an image only when its row has no `remote_ref`, and records the ref
(`mark_media_uploaded`, committed) before it creates the post: a crash or a lost answer
after that never uploads the image again for the same post, and a post is never created
without its images. A crash between the upload's answer and that commit leaves an orphan
upload on the platform (no post uses it); the image is uploaded once more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from composer.store.cards import cards_in
from composer.store.database import Database
from composer.store.driver import LedgerConnection
from composer.store.editions import LedgerPost, per_post, posts_in_thread_order
from composer.store.errors import StoreError
from composer.store.models import Edition, PostMedia, PostRecord
from composer.store.statuses import utc_now
from composer.text.link_cards import LinkCard


@dataclass(frozen=True, slots=True)
class NewMedia:
    """An image of a post as the plan knows it: its file and alt text."""

    source_path: str
    alt: str


def add_post_media(
    session: Session, posts: Sequence[PostRecord], media: Sequence[Sequence[NewMedia]]
) -> None:
    """The image rows of an edition's new posts (`media[i]` belongs to `posts[i]`), in the
    caller's transaction."""
    for post_id, images in per_post(session, posts, media, "images"):
        session.add_all(
            PostMedia(post_id=post_id, position=i, source_path=image.source_path, alt=image.alt)
            for i, image in enumerate(images, start=1)
        )


def post_media(db: Database, post_id: int) -> list[PostMedia]:
    """One post's images, in order."""
    with db.read_session() as session:
        statement = (
            select(PostMedia).where(PostMedia.post_id == post_id).order_by(col(PostMedia.position))
        )
        return list(session.exec(statement))


@dataclass(frozen=True, slots=True)
class EditionLedger:
    """What the publisher starts from, read at once: the edition's recorded options (JSON,
    for `edition_options`), its last write, what it follows, its posts in thread order, and
    their images and link cards by post id."""

    options: str | None
    updated_at: datetime
    follows_edition_id: int | None
    posts: list[LedgerPost]
    images: dict[int, list[PostMedia]]
    cards: dict[int, LinkCard]  # by post id: the link card each post is sent with


_editions = SQLModel.metadata.tables[Edition.__tablename__]
_posts = SQLModel.metadata.tables[PostRecord.__tablename__]
_media = SQLModel.metadata.tables[PostMedia.__tablename__]
_EDITION = sa.select(
    _editions.c.options, _editions.c.updated_at, _editions.c.follows_edition_id
).where(_editions.c.id == sa.bindparam("edition"))
_EDITION_MEDIA = (
    sa.select(_media)
    .join(_posts, _posts.c.id == _media.c.post_id)
    .where(_posts.c.edition_id == sa.bindparam("edition"))
    .order_by(_media.c.post_id, _media.c.position)
)


def edition_ledger(connection: LedgerConnection, edition_id: int) -> EditionLedger:
    """An edition, its posts and their images in one read, in the caller's transaction (an
    edition's images are not read again once a post). Core statements built once: no
    session, no identity map (PostMedia objects only for the images there are)."""
    edition = connection.execute(_EDITION, {"edition": edition_id}).one_or_none()
    if edition is None:
        raise StoreError(f"no edition {edition_id}")
    images: dict[int, list[PostMedia]] = {}
    for row in connection.execute(_EDITION_MEDIA, {"edition": edition_id}).mappings():
        images.setdefault(row["post_id"], []).append(PostMedia(**row))
    return EditionLedger(
        edition.options,
        edition.updated_at,
        edition.follows_edition_id,
        posts_in_thread_order(connection, edition_id),
        images,
        cards_in(connection, edition_id),
    )


def mark_media_uploaded(
    db: Database,
    media_id: int,
    *,
    remote_ref: str,
    sha256: str,
    width: int,
    height: int,
    uploaded_at: datetime | None = None,
) -> PostMedia:
    """Record an image's upload (committed when this returns), before its post is created."""
    with db.session() as session:
        row = session.get(PostMedia, media_id)
        if row is None:
            raise StoreError(f"no image {media_id}")
        row.remote_ref = remote_ref
        row.sha256 = sha256
        row.width = width
        row.height = height
        row.uploaded_at = uploaded_at or utc_now()
        session.flush()
        session.expunge(row)
    return row
