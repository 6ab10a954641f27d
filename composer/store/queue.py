"""The schedule: editions waiting for their time, and the changes a user may make to them.

The database is the truth about what is scheduled (docs/DESIGN.md, "Scheduling"). Every change
here is one short transaction with a conditional UPDATE (`... WHERE status = 'scheduled'`),
so it cannot race a daemon that claims the same edition: whichever commits first wins, and
the other is told what the edition's status now is.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from composer.store.claims import dead_holders, may_take
from composer.store.database import Database, existing
from composer.store.editions import lock_thread, refuse_held
from composer.store.errors import StoreError
from composer.store.history import (
    DraftText,
    NewEdition,
    add_edition,
    create_edition,
    snapshot_id,
)
from composer.store.models import DraftSnapshot, Edition, PostRecord, Recurrence
from composer.store.statuses import ACTIVE, DONE, EditionStatus, utc_now

DONE_LIMIT = 20


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One edition as `queue` shows it."""

    edition_id: int
    account: str
    platform: str
    status: EditionStatus
    scheduled_at: datetime | None  # aware UTC; None for an edition published without a time
    timezone: str | None
    title: str
    post_count: int
    updated_at: datetime
    last_error: str | None  # already redacted
    follows_edition_id: int | None = None  # the edition a follow-up continues
    draft_path: str | None = None  # the draft it was made from (None: added without one)
    # Publishing (or retracting), and nobody live holds it (claims.may_take): left so by a
    # process that stopped.
    claim_free: bool = False

    @property
    def interrupted(self) -> bool:
        """Left publishing by a `publish` (or the TUI's publish now) that stopped: Ctrl-C, a
        kill, a crash. Nobody is sending it, and no daemon will (a daemon resumes only what
        was scheduled): running `publish` on its draft and account again resumes it."""
        return (
            self.status is EditionStatus.PUBLISHING
            and self.claim_free
            and self.scheduled_at is None
        )

    def state(self, now: datetime) -> str:
        """The one word `queue` and the queue screen show: "interrupted", "overdue", or the
        status."""
        if self.interrupted:
            return "interrupted"
        return "overdue" if self.overdue(now) else self.status.value

    def resume_command(self) -> str | None:
        """For an interrupted edition, the command that resumes it (`publish` claims it
        again); None for any other."""
        if not self.interrupted:
            return None
        return resume_command(self.draft_path, self.account, self.follows_edition_id)

    def overdue(self, now: datetime) -> bool:
        """Scheduled and past its time: no daemon has taken it (or one holds it for the
        edition it follows)."""
        return (
            self.status is EditionStatus.SCHEDULED
            and self.scheduled_at is not None
            and self.scheduled_at < now
        )


def resume_command(draft_path: str | None, account: str, follows_edition_id: int | None) -> str:
    """The command that resumes an edition from the ledger (`publish` claims it again)."""
    draft = draft_path or "DRAFT"  # an edition made without a draft file (the API)
    words = ["thread-composer", "publish", draft, "--account", account]
    if follows_edition_id is not None:
        words += ["--follows", str(follows_edition_id)]
    return shlex.join(words)


def schedule_edition(
    db: Database,
    thread_id: int,
    *,
    account: str,
    platform: str,
    posts: Sequence[str],
    at_utc: datetime,
    zone: str,
    follows_edition_id: int | None = None,
    numbering_start: int | None = None,
) -> Edition:
    """A scheduled edition of a recorded thread, its ledger rows written at once (a follow-up
    names the edition it continues)."""
    _require_aware(at_utc, "at_utc")
    return create_edition(
        db,
        thread_id,
        account=account,
        platform=platform,
        posts=posts,
        scheduled_at=at_utc,
        timezone=zone,
        status=EditionStatus.SCHEDULED,
        follows_edition_id=follows_edition_id,
        numbering_start=numbering_start,
    )


@dataclass(frozen=True, slots=True)
class DraftEdition:
    """One account's edition of a draft to write (scheduled: its `scheduled_at` and
    `timezone` set), with its own snapshot of the draft's text."""

    text: DraftText
    edition: NewEdition

    @property
    def draft_path(self) -> str:
        return self.text.draft_path or ""


def schedule_new(db: Database, editions: Sequence[DraftEdition], *, again: bool) -> list[Edition]:
    """Each edition written as scheduled, with its own snapshot of the draft, all or none in
    one transaction. Unless `again`, an account that already has the thread (`held_edition`)
    is refused with AlreadyHeld: the check and the writes are one transaction under
    `lock_thread`, so two `schedule` runs at once cannot both write it."""
    for new in editions:
        if new.edition.scheduled_at is None:
            raise StoreError("a scheduled edition needs its time")
        _require_aware(new.edition.scheduled_at, "at_utc")
    made: list[Edition] = []
    with db.session() as session:
        # Locks in one order: two runs for the same accounts cannot wait for each other.
        for new in sorted(editions, key=lambda e: (e.edition.account, e.draft_path)):
            lock_thread(session, new.draft_path, new.edition.account)
            if not again:
                refuse_held(session, new.draft_path, new.edition.account, new.edition.posts)
        for new in editions:
            edition = replace(new.edition, status=EditionStatus.SCHEDULED)
            made.append(add_edition(session, snapshot_id(session, new.text), edition))
    return made


def upcoming(
    db: Database,
    *,
    account: str | None = None,
    include_done: bool = False,
    done_limit: int = DONE_LIMIT,
    now: datetime | None = None,
) -> list[QueueEntry]:
    """Scheduled (and publishing) editions, soonest first; with `include_done`, followed by
    the `done_limit` most recently finished ones (published, partial, failed, missed,
    cancelled), newest first. `account` keeps one account's editions only. Whether nobody
    holds a publishing one is decided as of `now`."""
    now = now or utc_now()
    with db.read_session() as session:
        publishing = sa.and_(
            col(Edition.status) == EditionStatus.PUBLISHING,
            may_take(now, dead_holders(session, now)),
        )
        retracting = sa.and_(
            col(Edition.status) == EditionStatus.RETRACTING,
            sa.or_(
                col(Edition.claimed_by).is_(None),
                col(Edition.claimed_until) < now,
                col(Edition.claimed_by).in_(
                    dead_holders(session, now, EditionStatus.RETRACTING) or [""]
                ),
            ),
        )
        free = sa.or_(publishing, retracting)
        active = _entries_select(account, free).where(col(Edition.status).in_(ACTIVE))
        active = active.order_by(
            col(Edition.scheduled_at).is_(None), col(Edition.scheduled_at), col(Edition.id)
        )
        entries = _entries(session, active)
        if include_done:
            done = (
                _entries_select(account, free)
                .where(col(Edition.status).in_(DONE))
                .order_by(col(Edition.updated_at).desc(), col(Edition.id).desc())
                .limit(done_limit)
            )
            entries += _entries(session, done)
    return entries


def waiting_for_a_daemon(db: Database) -> bool:
    """Whether anything is left for a daemon to send: a scheduled edition or an active
    recurring rule."""
    editions = sa.select(col(Edition.id)).where(col(Edition.status) == EditionStatus.SCHEDULED)
    rules = sa.select(col(Recurrence.id)).where(col(Recurrence.active))
    with db.read_session() as session:
        return any(
            session.execute(statement.limit(1)).first() is not None
            for statement in (editions, rules)
        )


def cancel(db: Database, edition_id: int) -> Edition:
    """Cancel a scheduled edition; any other status is refused with a StoreError naming it."""
    return _change_scheduled(db, edition_id, "cancelled", status=EditionStatus.CANCELLED)


def move(db: Database, edition_id: int, at_utc: datetime, zone: str) -> Edition:
    """Give a scheduled edition a new time (and the zone it was entered in)."""
    _require_aware(at_utc, "at_utc")
    return _change_scheduled(db, edition_id, "moved", scheduled_at=at_utc, timezone=zone)


def mark_due_now(db: Database, edition_id: int, now: datetime) -> Edition:
    """Make a scheduled edition due at `now`, for `queue publish-now` (the daemon sends it)."""
    _require_aware(now, "now")
    return _change_scheduled(db, edition_id, "published now", scheduled_at=now)


def _change_scheduled(db: Database, edition_id: int, verb: str, **values: Any) -> Edition:
    statement = (
        sa.update(Edition)
        .where(col(Edition.id) == edition_id, col(Edition.status) == EditionStatus.SCHEDULED)
        .values(updated_at=utc_now(), **values)
    )
    with db.session() as session:
        changed = session.connection().execute(statement).rowcount
        edition = existing(session, Edition, edition_id, "edition", fresh=True)
        if changed != 1:
            raise StoreError(
                f"edition {edition_id} is {edition.status.value}, not scheduled: "
                f"only a scheduled edition can be {verb}"
            )
    return edition


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise StoreError(f"{name} is a naive datetime {value.isoformat()}; pass an aware one")


_QueueSelect = sa.Select[*tuple[Any, ...]]


def _entries_select(account: str | None, free: sa.ColumnElement[bool]) -> _QueueSelect:
    post_count = (
        sa.select(sa.func.count(col(PostRecord.id)))
        .where(col(PostRecord.edition_id) == col(Edition.id))
        .correlate(Edition)
        .scalar_subquery()
    )
    statement = (
        sa.select(  # a column's key is its name; labelled where the row's differs
            col(Edition.id).label("edition_id"),
            col(Edition.account),
            col(Edition.platform),
            col(Edition.status),
            col(Edition.scheduled_at),
            col(Edition.timezone),
            col(DraftSnapshot.title),
            post_count.label("post_count"),
            col(Edition.updated_at),
            col(Edition.last_error),
            col(Edition.follows_edition_id),
            col(DraftSnapshot.draft_path),
            sa.case(
                (free, True),
                else_=False,
            ).label("claim_free"),
        )
        .select_from(Edition)
        .join(DraftSnapshot, col(DraftSnapshot.id) == col(Edition.thread_id))
    )
    if account is not None:
        statement = statement.where(col(Edition.account) == account)
    return statement


def _entries(session: Session, statement: _QueueSelect) -> list[QueueEntry]:
    rows = session.execute(statement).mappings()
    return [QueueEntry(**{**row, "claim_free": bool(row["claim_free"])}) for row in rows]
