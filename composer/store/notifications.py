"""The notifications ledger: which events a person must be told about, each recorded once
and delivered once (`composer.notify` decides what is said and sends it).

Events are found by looking at the editions (`edition_events`), not by hooks in every code
path that changes an edition: whatever ended an edition (a daemon, `publish`, the TUI, a
crash followed by a takeover), the next look finds it. The unique (edition_id, event) index
makes recording idempotent across processes; delivery is taken by moving
`next_attempt_at` on with a conditional UPDATE, so two daemons never send one twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from composer.store.claims import dead_holders, may_take
from composer.store.database import Database
from composer.store.editions import posts_in_thread_order
from composer.store.errors import redact
from composer.store.models import DraftSnapshot, Edition, Notification
from composer.store.queue_view import resume_command
from composer.store.statuses import ACTIVE, EditionStatus, PostStatus

MAX_ATTEMPTS = 8  # then it is given up (logged); ~4 hours of backoff in all
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)
FORGET_AFTER = timedelta(days=90)  # rows older than this go (long past LOOK_BACK: never resent)

# The event an edition that ended in each status is notified as.
_ENDED_EVENTS = {
    EditionStatus.FAILED: "failed",  # refused before any post went out
    EditionStatus.PARTIAL: "stopped",  # some posts went out, then it stopped on an error
    EditionStatus.MISSED: "missed",
    EditionStatus.PUBLISHED: "published",
}


@dataclass(frozen=True, slots=True)
class EditionEvent:
    edition_id: int
    account: str
    event: str
    occurred_at: datetime  # which occurrence: see Notification.occurred_at


@dataclass(frozen=True, slots=True)
class SentPost:
    position: int
    url: str | None


@dataclass(frozen=True, slots=True)
class EditionFacts:
    """What a notification about one edition says (remote and file text not yet made safe)."""

    edition_id: int
    account: str
    platform: str
    status: EditionStatus
    title: str
    scheduled_at: datetime | None
    timezone: str | None
    last_error: str | None  # redacted
    total: int
    sent: tuple[SentPost, ...]
    resume: str  # the command that resumes it


@dataclass(frozen=True, slots=True)
class Pending:
    """A notification taken for delivery."""

    id: int
    edition_id: int | None
    event: str
    detail: str | None
    attempts: int
    delivered_to: frozenset[str]  # the targets that took it already (see `target_key`)


def edition_events(
    db: Database, now: datetime, *, since: datetime, late_after: timedelta
) -> list[EditionEvent]:
    """Events not recorded yet: editions that ended (failed, stopped, missed, published)
    since `since`; editions still waiting more than `late_after` past their time
    ("retrying"); and editions a `publish` left half-sent more than `late_after` ago, which
    no daemon resumes ("stopped": its process was killed, crashed or stopped by Ctrl-C).
    An edition that ends again after a resume is a new occurrence, notified again."""
    ended = sa.and_(col(Edition.status).in_(list(_ENDED_EVENTS)), col(Edition.updated_at) >= since)
    late = sa.and_(
        col(Edition.status).in_(ACTIVE),
        col(Edition.scheduled_at).is_not(None),
        col(Edition.scheduled_at) <= now - late_after,
    )
    events: list[EditionEvent] = []
    with db.read_session() as session:
        left = sa.and_(
            col(Edition.status) == EditionStatus.PUBLISHING,
            col(Edition.scheduled_at).is_(None),
            col(Edition.updated_at) <= now - late_after,
            col(Edition.updated_at) >= since,
            may_take(now, dead_holders(session, now)),  # publishing, and nobody holds it
        )
        statement = sa.select(
            col(Edition.id),
            col(Edition.account),
            col(Edition.status),
            col(Edition.scheduled_at),
            col(Edition.updated_at),
        ).where(sa.or_(ended, late, left))
        rows = session.execute(statement).all()
        done = {
            tuple(row)
            for row in session.execute(
                sa.select(
                    col(Notification.edition_id),
                    col(Notification.event),
                    col(Notification.occurred_at),
                ).where(col(Notification.edition_id).in_([row[0] for row in rows]))
            )
        }
    for edition_id, account, status, scheduled_at, updated_at in rows:
        if status in _ENDED_EVENTS:
            event, occurred_at = _ENDED_EVENTS[status], updated_at
        elif scheduled_at is None:
            event, occurred_at = "stopped", updated_at
        else:
            event, occurred_at = "retrying", scheduled_at
        if (edition_id, event, occurred_at) not in done:
            events.append(EditionEvent(edition_id, account, event, occurred_at))
    return events


def record_event(db: Database, found: EditionEvent, now: datetime) -> bool:
    """Record that an edition came to an event (once per occurrence: False if it was
    recorded already, by this process or another)."""
    return _record(db, found.edition_id, found.event, now, occurred_at=found.occurred_at)


def record_notice(db: Database, event: str, now: datetime, detail: str) -> None:
    """Record an event about no edition (`check`: no daemon seen)."""
    _record(db, None, event, now, detail=detail)


def _record(
    db: Database,
    edition_id: int | None,
    event: str,
    now: datetime,
    *,
    occurred_at: datetime | None = None,
    detail: str | None = None,
) -> bool:
    try:
        with db.session() as session:
            session.add(
                Notification(
                    edition_id=edition_id,
                    event=event,
                    occurred_at=occurred_at,
                    detail=None if detail is None else redact(detail),
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


def last_event(db: Database, event: str) -> datetime | None:
    """When an edition-less `event` was last recorded (`check`: no daemon seen)."""
    with db.read_session() as session:
        found: datetime | None = session.execute(
            sa.select(sa.func.max(col(Notification.created_at))).where(
                col(Notification.event) == event, col(Notification.edition_id).is_(None)
            )
        ).scalar_one()
    return found


def take_due(db: Database, now: datetime, hold: timedelta) -> list[Pending]:
    """The notifications due for a delivery attempt, taken for `hold` (no other process
    takes them meanwhile; one that dies holding them leaves them to the next look)."""
    due = sa.select(Notification).where(
        col(Notification.delivered_at).is_(None),
        col(Notification.next_attempt_at) <= now,
        col(Notification.attempts) < MAX_ATTEMPTS,
    )
    with db.read_session() as session:  # most rounds find none: no write lock for them
        rows = session.execute(due.order_by(col(Notification.id))).scalars().all()
    taken: list[Pending] = []
    if not rows:
        return taken
    with db.session() as session:
        for row in rows:
            won = session.connection().execute(
                sa.update(Notification)
                .where(
                    col(Notification.id) == row.id,
                    col(Notification.next_attempt_at) == row.next_attempt_at,
                    col(Notification.delivered_at).is_(None),
                )
                .values(next_attempt_at=now + hold)
            )
            if won.rowcount == 1 and row.id is not None:
                taken.append(
                    Pending(
                        row.id,
                        row.edition_id,
                        row.event,
                        row.detail,
                        row.attempts,
                        frozenset(row.delivered_to.split()),
                    )
                )
    return taken


def mark_delivered(db: Database, notification_id: int, now: datetime) -> None:
    with db.session() as session:
        session.execute(
            sa.update(Notification)
            .where(col(Notification.id) == notification_id)
            .values(delivered_at=now, attempts=Notification.attempts + 1, last_error=None)
        )


def target_key(url: str) -> str:
    """How the ledger names a target that took a notification: a short hash, not the URL."""
    return hashlib.sha256(url.encode()).hexdigest()[:12]


def mark_undelivered(
    db: Database,
    notification_id: int,
    now: datetime,
    error: str,
    delivered_to: frozenset[str] = frozenset(),
) -> int:
    """A delivery attempt failed (for some targets: those in `delivered_to` took it):
    retried later with backoff. The attempts made so far."""
    with db.session() as session:
        attempts: int = (
            session.execute(
                sa.select(col(Notification.attempts)).where(col(Notification.id) == notification_id)
            ).scalar_one()
            + 1
        )
        delay = min(FIRST_RETRY * 2 ** (attempts - 1), MAX_RETRY)
        session.execute(
            sa.update(Notification)
            .where(col(Notification.id) == notification_id)
            .values(
                attempts=attempts,
                next_attempt_at=now + delay,
                last_error=redact(error),
                delivered_to=" ".join(sorted(delivered_to)),
            )
        )
    return attempts


def edition_facts(db: Database, edition_id: int) -> EditionFacts | None:
    """What a notification says about the edition; None if it was deleted."""
    with db.read_session() as session:
        row = session.execute(
            sa.select(Edition, DraftSnapshot)
            .join(DraftSnapshot, col(DraftSnapshot.id) == col(Edition.thread_id))
            .where(col(Edition.id) == edition_id)
        ).first()
        if row is None:
            return None
        edition, snapshot = row
        posts = posts_in_thread_order(session.connection(), edition_id)
    sent = tuple(
        SentPost(post.position, post.remote_url) for post in posts if post.status is PostStatus.SENT
    )
    return EditionFacts(
        edition_id=edition_id,
        account=edition.account,
        platform=edition.platform,
        status=edition.status,
        title=snapshot.title,
        scheduled_at=edition.scheduled_at,
        timezone=edition.timezone,
        last_error=None if edition.last_error is None else redact(edition.last_error),
        total=len(posts),
        sent=sent,
        resume=resume_command(snapshot.draft_path, edition.account, edition.follows_edition_id),
    )


def forget_old(db: Database, now: datetime) -> None:
    """Drop notifications recorded more than `FORGET_AFTER` ago (delivered or given up:
    their editions ended long before any look-back, so they are not recorded again)."""
    with db.session() as session:
        session.execute(
            sa.delete(Notification).where(col(Notification.created_at) < now - FORGET_AFTER)
        )
