"""How finished editions ended, post by post (for the TUI's history screen)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from composer.store.database import Database
from composer.store.models import DraftSnapshot, Edition, PostRecord
from composer.store.statuses import (
    FINISHED,
    RETRACTABLE,
    STOPPED,
    WENT_OUT,
    EditionStatus,
    PostStatus,
)


@dataclass(frozen=True, slots=True)
class PostState:
    position: int
    status: PostStatus
    url: str | None


@dataclass(frozen=True, slots=True)
class FinishedEdition:
    """One edition with the status of each of its posts."""

    edition_id: int
    account: str
    platform: str
    status: EditionStatus
    title: str
    timezone: str | None
    updated_at: datetime
    last_error: str | None  # already redacted
    posts: tuple[PostState, ...]
    follows_edition_id: int | None = None  # the edition this follow-up continues
    continued_by: tuple[int, ...] = ()  # its follow-ups (not cancelled), oldest first

    @property
    def sent(self) -> int:
        return sum(post.status is PostStatus.SENT for post in self.posts)

    @property
    def retracted(self) -> int:
        return sum(post.status is PostStatus.RETRACTED for post in self.posts)

    @property
    def resumable(self) -> bool:
        return self.status in STOPPED

    @property
    def retractable(self) -> bool:
        """Whether `retract` has something to take back (or a retraction to finish)."""
        went_out = any(post.status in WENT_OUT for post in self.posts)
        return self.status in RETRACTABLE and went_out


def recent_finished(
    db: Database,
    *,
    statuses: Sequence[EditionStatus] = FINISHED,
    account: str | None = None,
    limit: int = 50,
) -> list[FinishedEdition]:
    """The most recently changed editions in `statuses`, newest first, with their posts
    and the follow-ups that continue each."""
    statement = (
        select(Edition, DraftSnapshot.title)
        .join(DraftSnapshot, col(DraftSnapshot.id) == col(Edition.thread_id))
        .where(col(Edition.status).in_(statuses))
        .order_by(col(Edition.updated_at).desc(), col(Edition.id).desc())
        .limit(limit)
    )
    if account is not None:
        statement = statement.where(col(Edition.account) == account)
    with db.read_session() as session:
        rows = list(session.exec(statement))
        ids = [edition.id for edition, _ in rows]
        posts: dict[int, list[PostState]] = {}
        continued: dict[int, list[int]] = {}
        if ids:
            ledger = session.exec(
                select(PostRecord)
                .where(col(PostRecord.edition_id).in_(ids))
                .order_by(col(PostRecord.edition_id), col(PostRecord.position))
            )
            for post in ledger:
                posts.setdefault(post.edition_id, []).append(
                    PostState(post.position, post.status, post.remote_url)
                )
            follow_ups = session.exec(
                select(Edition.id, Edition.follows_edition_id)
                .where(col(Edition.follows_edition_id).in_(ids))
                .where(col(Edition.status) != EditionStatus.CANCELLED)
                .order_by(col(Edition.id))
            )
            for follow_up, followed in follow_ups:
                if follow_up is not None and followed is not None:
                    continued.setdefault(followed, []).append(follow_up)
    return [
        FinishedEdition(
            edition_id=edition.id,
            account=edition.account,
            platform=edition.platform,
            status=edition.status,
            title=title,
            timezone=edition.timezone,
            updated_at=edition.updated_at,
            last_error=edition.last_error,
            posts=tuple(posts.get(edition.id, ())),
            follows_edition_id=edition.follows_edition_id,
            continued_by=tuple(continued.get(edition.id, ())),
        )
        for edition, title in rows
        if edition.id is not None
    ]
