"""Each post's link card in the ledger: written with the edition (the card fetched when it
was planned), read by the sender, so a resumed or scheduled post sends that same card and
no page is fetched again."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from composer.store.database import Database
from composer.store.driver import LedgerConnection
from composer.store.editions import per_post
from composer.store.models import PostCard, PostRecord
from composer.text.link_cards import LinkCard


def add_post_cards(
    session: Session, posts: Sequence[PostRecord], cards: Sequence[LinkCard | None]
) -> None:
    """The card rows of an edition's new posts (`cards[i]` belongs to `posts[i]`, None for
    none), in the caller's transaction."""
    for post_id, card in per_post(session, posts, cards, "link cards"):
        if card is None:
            continue
        session.add(
            PostCard(
                post_id=post_id,
                uri=card.uri,
                title=card.title,
                description=card.description,
                thumb=card.thumb,
                thumb_mime=card.thumb_mime if card.thumb else None,
            )
        )


def edition_cards(db: Database, edition_id: int) -> dict[int, LinkCard]:
    """An edition's link cards by post id (posts without one are absent)."""
    with db.read_engine.connect() as connection:
        return cards_in(connection, edition_id)


_cards = SQLModel.metadata.tables[PostCard.__tablename__]
_posts = SQLModel.metadata.tables[PostRecord.__tablename__]
_EDITION_CARDS = (
    sa.select(
        _cards.c.post_id,
        _cards.c.uri,  # then LinkCard's fields, in its order
        _cards.c.title,
        _cards.c.description,
        _cards.c.thumb,
        _cards.c.thumb_mime,
    )
    .join(_posts, _posts.c.id == _cards.c.post_id)
    .where(_posts.c.edition_id == sa.bindparam("edition"))
)


def cards_in(connection: LedgerConnection, edition_id: int) -> dict[int, LinkCard]:
    """`edition_cards` in the caller's transaction (the publisher's one read of the
    ledger)."""
    rows = connection.execute(_EDITION_CARDS, {"edition": edition_id})
    return {post_id: LinkCard(*card) for post_id, *card in rows}
