"""Finding editions: to resume, and the one that says an account already has a thread."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from composer.store.database import Database, existing
from composer.store.driver import LedgerConnection
from composer.store.errors import StoreError
from composer.store.models import DraftSnapshot, Edition, PostRecord
from composer.store.statuses import HOLDING, RESUMABLE, EditionStatus, PostStatus


class AlreadyHeld(StoreError):
    """An account already has this thread (scheduled, being published or published)."""

    def __init__(self, account: str, edition: Edition) -> None:
        super().__init__(f"{account} already has this thread (edition {edition.id})")
        self.account = account
        self.edition = edition


def held_edition(
    session: Session,
    draft_path: str,
    account: str,
    texts: Sequence[str],
    *,
    resuming: bool = False,
) -> Edition | None:
    """The newest edition of this draft on this account with exactly these posts that the
    account already has (HOLDING), or None. The one rule for `publish` and `schedule`.

    With `resuming` (publish), an edition being published is the one to resume, not a copy.
    Call it in the transaction that writes the new edition, after `lock_thread`, so that
    two processes cannot both find nothing and both write one.
    """
    statuses = [s for s in HOLDING if not (resuming and s is EditionStatus.PUBLISHING)]
    statement = editions_of_thread(draft_path, account, statuses)
    wanted = list(texts)
    for edition in session.exec(statement):
        posts = session.exec(
            select(PostRecord.text)
            .where(PostRecord.edition_id == edition.id)
            .order_by(col(PostRecord.position))
        )
        if list(posts) == wanted:
            return edition
    return None


def refuse_held(
    session: Session,
    draft_path: str,
    account: str,
    texts: Sequence[str],
    *,
    resuming: bool = False,
) -> None:
    """Raise AlreadyHeld when the account has this thread (`held_edition`): the check
    `schedule` and `publish` make in the transaction that would write another edition."""
    held = held_edition(session, draft_path, account, texts, resuming=resuming)
    if held is not None:
        session.expunge(held)  # kept readable after the rollback
        raise AlreadyHeld(account, held)


def lock_thread(session: Session, draft_path: str, account: str) -> None:
    """Hold, until the transaction ends, the right to add an edition of this draft on this
    account. SQLite needs nothing more (a writing transaction there holds the one write lock
    from its start); PostgreSQL takes a transaction-level advisory lock on the pair."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"{account}\0{draft_path}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def editions_of_thread(
    draft_path: str, account: str, statuses: Iterable[EditionStatus]
) -> SelectOfScalar[Edition]:
    """The editions of the draft at `draft_path` on `account` in one of `statuses`, newest
    first: what "this account's edition of this thread" means everywhere."""
    return (
        select(Edition)
        .join(DraftSnapshot, col(DraftSnapshot.id) == col(Edition.thread_id))
        .where(col(DraftSnapshot.draft_path) == draft_path)
        .where(col(Edition.account) == account)
        .where(col(Edition.status).in_(list(statuses)))
        .order_by(col(Edition.created_at).desc(), col(Edition.id).desc())
    )


@dataclass(frozen=True, slots=True)
class LedgerPost:
    """One post of the ledger as it was read: PostRecord's fields, in a frozen copy read
    through SQLAlchemy Core (no session, no identity map: the publisher reads an edition's
    posts at each start and end, thousands a minute in a daemon's round). It is written
    through the ledger's functions (`mark_post_sending`, `mark_post_sent`...), never itself."""

    id: int
    edition_id: int
    position: int
    text: str
    status: PostStatus
    idempotency_key: str
    remote_id: str | None
    remote_uri: str | None
    remote_cid: str | None
    remote_url: str | None
    remote_container: str | None
    sent_at: datetime | None
    retracted_at: datetime | None
    created_at: datetime


_posts = SQLModel.metadata.tables[PostRecord.__tablename__]
# Built once: the columns in LedgerPost's order, so a row is its fields.
_POSTS_IN_THREAD_ORDER = (
    sa.select(*(_posts.c[field.name] for field in fields(LedgerPost)))
    .where(_posts.c.edition_id == sa.bindparam("edition"))
    .order_by(_posts.c.position)
)


def posts_in_thread_order(connection: LedgerConnection, edition_id: int) -> list[LedgerPost]:
    """The posts of one edition, first post first, in the caller's transaction."""
    rows = connection.execute(_POSTS_IN_THREAD_ORDER, {"edition": edition_id})
    return [LedgerPost(*row) for row in rows]


def resumable_edition(db: Database, draft_path: str, account: str) -> Edition | None:
    """The newest edition of this draft on this account that was started and not finished."""
    with db.read_session() as session:
        return session.exec(editions_of_thread(draft_path, account, RESUMABLE).limit(1)).first()


def published_edition(db: Database, draft_path: str, account: str) -> Edition | None:
    """The newest edition of this draft that was published on this account."""
    statement = editions_of_thread(draft_path, account, [EditionStatus.PUBLISHED])
    with db.read_session() as session:
        return session.exec(statement.limit(1)).first()


def find_edition(db: Database, edition_id: int) -> Edition:
    """The edition with this id; StoreError if there is none."""
    with db.read_session() as session:
        return existing(session, Edition, edition_id, "edition")


_Value = TypeVar("_Value")


def per_post(
    session: Session, posts: Sequence[PostRecord], values: Sequence[_Value], what: str
) -> list[tuple[int, _Value]]:
    """Each of an edition's new `posts` with its value (`values[i]` belongs to `posts[i]`;
    `what` names them in the error), the posts' ids flushed; [] when no value holds
    anything (no row to write)."""
    if not any(values):
        return []
    if len(values) != len(posts):
        raise StoreError(f"{len(values)} posts' {what} given for {len(posts)} posts")
    session.flush()  # the posts' ids
    paired = []
    for post, value in zip(posts, values, strict=True):
        assert post.id is not None
        paired.append((post.id, value))
    return paired
