"""Follow-ups: editions that continue an earlier edition's thread.

A follow-up's first post replies to the LAST sent post of the edition it follows, and its
thread root is the root of the whole conversation (for a follow-up of a follow-up, the first
post of the original edition), both read from the ledger. It is published only once the
edition it follows is; if that one ended failed, cancelled or missed, the follow-up fails
with a reason that names it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import SQLModel, col, select

from composer.store.database import Database
from composer.store.driver import LedgerConnection
from composer.store.editions import LedgerPost, posts_in_thread_order
from composer.store.errors import StoreError
from composer.store.history import edition_posts
from composer.store.models import Edition
from composer.store.statuses import ENDED, EditionStatus, PostStatus, utc_now

MAX_DEPTH = 1000  # a chain longer than this is a loop in the data, not a conversation


@dataclass(frozen=True, slots=True)
class Continuation:
    """Where a follow-up attaches: the post it replies to, the conversation's root, and how
    many posts the conversation holds before it."""

    follows: int  # the followed edition's id
    reply_to: LedgerPost  # its last post, sent
    root: LedgerPost  # the first post of the original edition, sent
    offset: int  # posts of the conversation before the follow-up's first


@dataclass(frozen=True, slots=True)
class Link:
    """One edition of a conversation, as the chain reads it."""

    id: int
    status: EditionStatus
    follows_edition_id: int | None
    numbering_start: int | None


_editions = SQLModel.metadata.tables[Edition.__tablename__]
_LINK = sa.select(
    _editions.c.id,  # Link's fields, in its order
    _editions.c.status,
    _editions.c.follows_edition_id,
    _editions.c.numbering_start,
).where(_editions.c.id == sa.bindparam("edition"))


def chain(db: Database, edition_id: int) -> list[Link]:
    """The edition and every edition it continues, back to the original, in that order."""
    with db.read_engine.connect() as connection:
        return _chain(connection, edition_id)


def _chain(connection: LedgerConnection, edition_id: int) -> list[Link]:
    editions: list[Link] = []
    seen: set[int] = set()
    current: int | None = edition_id
    while current is not None:
        if current in seen or len(editions) > MAX_DEPTH:
            raise StoreError(f"edition {edition_id} follows itself through {current}")
        seen.add(current)
        row = connection.execute(_LINK, {"edition": current}).one_or_none()
        if row is None:
            raise StoreError(f"no edition {current}")
        editions.append(Link(*row))
        current = row.follows_edition_id
    return editions


def follow_ups_of(db: Database, edition_id: int) -> list[Edition]:
    """Every edition that continues this one, directly or through another, newest link of
    the conversation first (a follow-up before the edition it follows)."""
    found: list[Edition] = []
    frontier = [edition_id]
    seen = {edition_id}
    with db.read_session() as session:
        while frontier and len(found) <= MAX_DEPTH:
            children = list(
                session.exec(
                    select(Edition)
                    .where(col(Edition.follows_edition_id).in_(frontier))
                    .order_by(col(Edition.id))
                )
            )
            children = [child for child in children if child.id not in seen]
            seen.update(child.id for child in children if child.id is not None)
            found += children
            frontier = [child.id for child in children if child.id is not None]
    return found[::-1]


def last_number(db: Database, edition_id: int) -> int:
    """The number the last post of this edition carries (or would carry): a follow-up that
    continues it starts at this plus one. An update-marked edition continues nobody's
    numbers, so the count goes on from the numbered edition before it."""
    for edition in chain(db, edition_id):
        if edition.follows_edition_id is None or edition.numbering_start is not None:
            return (edition.numbering_start or 1) + len(edition_posts(db, edition.id)) - 1
    raise StoreError(f"edition {edition_id} has no numbered edition before it")  # pragma: no cover


def followable(db: Database, edition_id: int, account: str | None = None) -> Edition:
    """The edition a new follow-up may continue; StoreError (one line) when there is none,
    it is on another account, or it will never be published."""
    with db.read_session() as session:
        edition = session.get(Edition, edition_id)
    if edition is None:
        raise StoreError(f"no edition {edition_id} to follow")
    if account is not None and account != edition.account:
        raise StoreError(
            f"edition {edition_id} is on account {edition.account!r}, not {account!r}: "
            "only the same account can continue its thread"
        )
    if edition.status in ENDED:
        raise StoreError(
            f"edition {edition_id} is {edition.status.value}: a follow-up cannot continue it"
        )
    return edition


def continuation(connection: LedgerConnection, follows: int | None) -> Continuation | None:
    """Where the first post of an edition that `follows` another attaches, in the caller's
    transaction; None when it follows nothing (no query). StoreError when the edition it
    follows is not published (yet, or ever)."""
    if follows is None:
        return None
    editions = _chain(connection, follows)  # the followed edition back to the original
    followed, original = editions[0], editions[-1]
    for earlier in editions:
        if earlier.status is not EditionStatus.PUBLISHED:
            raise StoreError(
                f"it follows edition {earlier.id}, which is {earlier.status.value}, not published"
            )
    ledgers = [posts_in_thread_order(connection, edition.id) for edition in editions]
    last, first = ledgers[0], ledgers[-1]
    if not last or not first or last[-1].status is not PostStatus.SENT:
        raise StoreError(f"it follows edition {followed.id}, whose last post was not sent")
    if first[0].status is not PostStatus.SENT:  # pragma: no cover - published means all sent
        raise StoreError(f"the first post of edition {original.id} was not sent")
    return Continuation(followed.id, last[-1], first[0], sum(len(ledger) for ledger in ledgers))


def ready_to_publish() -> sa.ColumnElement[bool]:
    """SQL: the edition follows nothing, or what it follows is published (for the daemon's
    claim: a follow-up due before its parent waits)."""
    parent = aliased(Edition)
    published_parent = (
        sa.select(col(parent.id))
        .where(col(parent.id) == col(Edition.follows_edition_id))
        .where(col(parent.status) == EditionStatus.PUBLISHED)
        .exists()
    )
    return sa.or_(col(Edition.follows_edition_id).is_(None), published_parent)


def fail_stranded(db: Database) -> list[int]:
    """Scheduled follow-ups of editions that ended failed, cancelled or missed: failed, with
    a reason naming the edition (a chain of follow-ups fails link by link, all at once)."""
    failed: list[int] = []
    while True:
        parent = aliased(Edition)
        statement = (
            select(Edition.id, parent.id, parent.status)
            .join(parent, col(parent.id) == col(Edition.follows_edition_id))
            .where(col(Edition.status) == EditionStatus.SCHEDULED)
            .where(col(parent.status).in_(ENDED))
        )
        with db.session() as session:
            rows = list(session.exec(statement))
            for follow_up, followed, status in rows:
                session.connection().execute(
                    sa.update(Edition)
                    .where(
                        col(Edition.id) == follow_up,
                        col(Edition.status) == EditionStatus.SCHEDULED,
                    )
                    .values(
                        status=EditionStatus.FAILED,
                        updated_at=utc_now(),
                        last_error=f"not published: it follows edition {followed}, which "
                        f"was {EditionStatus(status).value}",
                    )
                )
        if not rows:
            return failed
        failed += [row[0] for row in rows if row[0] is not None]
