"""Each post's link card in the ledger: written with the edition (the card fetched when it
was planned), read by the sender, so a resumed or scheduled post sends that same card and
no page is fetched again."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from composer.store.database import Database
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
    with db.read_session() as session:
        return cards_in(session, edition_id)


def cards_in(session: Session, edition_id: int) -> dict[int, LinkCard]:
    """`edition_cards` in the caller's session (the publisher's one read of the ledger)."""
    rows = session.exec(
        select(PostCard)
        .join(PostRecord, col(PostRecord.id) == col(PostCard.post_id))
        .where(PostRecord.edition_id == edition_id)
    )
    return {
        row.post_id: LinkCard(row.uri, row.title, row.description, row.thumb, row.thumb_mime)
        for row in rows
    }
