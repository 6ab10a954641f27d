"""Finding editions to resume."""

from __future__ import annotations

from sqlmodel import col, select

from composer.store.database import Database
from composer.store.errors import StoreError
from composer.store.models import Edition, EditionStatus, ThreadRecord

RESUMABLE = (EditionStatus.PUBLISHING, EditionStatus.PARTIAL, EditionStatus.FAILED)


def resumable_edition(db: Database, draft_path: str, account: str) -> Edition | None:
    """The newest edition of this draft on this account that was started and not finished."""
    statement = (
        select(Edition)
        .join(ThreadRecord, col(ThreadRecord.id) == col(Edition.thread_id))
        .where(col(ThreadRecord.draft_path) == draft_path)
        .where(col(Edition.account) == account)
        .where(col(Edition.status).in_(RESUMABLE))
        .order_by(col(Edition.created_at).desc(), col(Edition.id).desc())
        .limit(1)
    )
    with db.read_session() as session:
        return session.exec(statement).first()


def published_edition(db: Database, draft_path: str, account: str) -> Edition | None:
    """The newest edition of this draft that was published on this account."""
    statement = (
        select(Edition)
        .join(ThreadRecord, col(ThreadRecord.id) == col(Edition.thread_id))
        .where(col(ThreadRecord.draft_path) == draft_path)
        .where(col(Edition.account) == account)
        .where(col(Edition.status) == EditionStatus.PUBLISHED)
        .order_by(col(Edition.created_at).desc(), col(Edition.id).desc())
        .limit(1)
    )
    with db.read_session() as session:
        return session.exec(statement).first()


def find_edition(db: Database, edition_id: int) -> Edition:
    """The edition with this id; StoreError if there is none."""
    with db.read_session() as session:
        edition = session.get(Edition, edition_id)
    if edition is None:
        raise StoreError(f"no edition {edition_id}")
    return edition
