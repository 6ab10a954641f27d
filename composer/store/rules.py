"""Recurring rules and their occurrences, as small typed functions over a Database.

An occurrence becomes an edition in the same transaction that moves the rule's `next_at` on,
and only if `next_at` still holds the occurrence's time (a conditional UPDATE). Two daemons
racing on one occurrence: one UPDATE changes the row, the other changes none (PostgreSQL
re-reads the row after the first commits; SQLite runs one writer at a time) and makes
nothing; the unique index on (recurrence_id, scheduled_at) backs this up.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from composer.store.database import Database
from composer.store.errors import StoreError, redact
from composer.store.models import (
    Edition,
    EditionStatus,
    PostRecord,
    Recurrence,
    ThreadRecord,
    idempotency_key,
    utc_now,
)


def create_recurrence(
    db: Database, *, draft_path: str, account: str, rule: str, zone: str, next_at: datetime
) -> Recurrence:
    """A new active rule; the same draft, account, rule and zone twice is refused."""
    with db.session() as session:
        same = session.exec(
            select(Recurrence.id).where(
                col(Recurrence.active),
                col(Recurrence.draft_path) == draft_path,
                col(Recurrence.account) == account,
                col(Recurrence.rule) == rule,
                col(Recurrence.timezone) == zone,
            )
        ).first()
        if same is not None:
            raise StoreError(
                f"{account} already publishes this draft on this rule (rule {same}); "
                f"stop it first with: queue stop {same}"
            )
        recurrence = Recurrence(
            draft_path=draft_path, account=account, rule=rule, timezone=zone, next_at=next_at
        )
        session.add(recurrence)
    return recurrence


def recurrences(
    db: Database, *, account: str | None = None, include_stopped: bool = False
) -> list[Recurrence]:
    """The rules, by next time (stopped ones last)."""
    statement = select(Recurrence)
    if not include_stopped:
        statement = statement.where(col(Recurrence.active))
    if account is not None:
        statement = statement.where(col(Recurrence.account) == account)
    statement = statement.order_by(
        col(Recurrence.next_at).is_(None), col(Recurrence.next_at), col(Recurrence.id)
    )
    with db.read_session() as session:
        return list(session.exec(statement))


def find_recurrence(db: Database, recurrence_id: int) -> Recurrence:
    with db.read_session() as session:
        found = session.get(Recurrence, recurrence_id)
    if found is None:
        raise StoreError(f"no recurring rule {recurrence_id}")
    return found


def stop_recurrence(db: Database, recurrence_id: int) -> Recurrence:
    """Stop a rule: no more occurrences (editions already made stay in the queue)."""
    with db.session() as session:
        changed = (
            session.connection()
            .execute(
                sa.update(Recurrence)
                .where(col(Recurrence.id) == recurrence_id, col(Recurrence.active))
                .values(active=False, next_at=None, updated_at=utc_now())
            )
            .rowcount
        )
        found = session.get(Recurrence, recurrence_id, populate_existing=True)
        if found is None:
            raise StoreError(f"no recurring rule {recurrence_id}")
        if changed != 1:
            raise StoreError(f"recurring rule {recurrence_id} is already stopped")
    return found


def due_recurrences(db: Database, now: datetime) -> list[Recurrence]:
    """Active rules whose next occurrence is at or before `now`."""
    with db.read_session() as session:
        return list(
            session.exec(
                select(Recurrence)
                .where(col(Recurrence.active), col(Recurrence.next_at) <= now)
                .order_by(col(Recurrence.next_at), col(Recurrence.id))
            )
        )


def set_last_error(db: Database, recurrence_id: int, error: str | None) -> None:
    with db.session() as session:
        session.connection().execute(
            sa.update(Recurrence)
            .where(col(Recurrence.id) == recurrence_id)
            .values(last_error=None if error is None else redact(error), updated_at=utc_now())
        )


def record_occurrence(
    db: Database,
    recurrence_id: int,
    *,
    expected: datetime,
    next_at: datetime | None,
    account: str,
    platform: str,
    zone: str,
    title: str,
    body: str,
    draft_path: str,
    language: str | None,
    posts: Sequence[str],
) -> int | None:
    """The occurrence at `expected` as a scheduled edition with its ledger, the rule moved on
    to `next_at`; None when another process made this occurrence first."""
    if not posts:
        raise StoreError("an edition needs at least one post")
    made = _occurrences(
        db,
        recurrence_id,
        expected,
        next_at,
        [expected],
        account=account,
        platform=platform,
        zone=zone,
        title=title,
        body=body,
        draft_path=draft_path,
        language=language,
        posts=posts,
        status=EditionStatus.SCHEDULED,
        reasons=[None],
        rule_error=None,
    )
    return None if made is None else made[0]


def record_failed(
    db: Database,
    recurrence_id: int,
    *,
    expected: datetime,
    next_at: datetime | None,
    account: str,
    platform: str,
    draft_path: str,
    zone: str,
    reason: str,
) -> int | None:
    """An occurrence whose draft could not be composed: a failed edition with no posts and
    the reason, on the edition and the rule; the rule goes on to `next_at`."""
    made = _occurrences(
        db,
        recurrence_id,
        expected,
        next_at,
        [expected],
        account=account,
        platform=platform,
        zone=zone,
        title=_name(draft_path),
        body="",
        draft_path=draft_path,
        language=None,
        posts=(),
        status=EditionStatus.FAILED,
        reasons=[reason],
        rule_error=reason,
    )
    return None if made is None else made[0]


def record_missed(
    db: Database,
    recurrence_id: int,
    *,
    expected: datetime,
    next_at: datetime | None,
    times: Sequence[datetime],
    account: str,
    platform: str,
    draft_path: str,
    zone: str,
    reason: str,
    skipped: int,
    skipped_exact: bool = True,
) -> list[int] | None:
    """Occurrences nobody published in time, as missed editions (no posts) with the reason;
    `skipped` older ones are only counted, on the oldest recorded one and on the rule. None
    when another process did it."""
    note = (
        f"{'' if skipped_exact else 'at least '}{skipped} older "
        f"occurrence{'s' if skipped != 1 else ''} missed while the daemon "
        "was not running were not recorded"
        if skipped
        else None
    )
    reasons = [reason for _ in times]
    if note and reasons:
        reasons[0] = f"{reason}; {note}"
    return _occurrences(
        db,
        recurrence_id,
        expected,
        next_at,
        times,
        account=account,
        platform=platform,
        zone=zone,
        title=_name(draft_path),
        body="",
        draft_path=draft_path,
        language=None,
        posts=(),
        status=EditionStatus.MISSED,
        reasons=reasons,
        rule_error=note,
    )


def _occurrences(
    db: Database,
    recurrence_id: int,
    expected: datetime,
    next_at: datetime | None,
    times: Sequence[datetime],
    *,
    account: str,
    platform: str,
    zone: str,
    title: str,
    body: str,
    draft_path: str,
    language: str | None,
    posts: Sequence[str],
    status: EditionStatus,
    reasons: Sequence[str | None],
    rule_error: str | None,
) -> list[int] | None:
    try:
        with db.session() as session:
            if not _advance(session, recurrence_id, expected, next_at, rule_error):
                return None
            return [
                _edition(
                    session,
                    recurrence_id,
                    at,
                    account=account,
                    platform=platform,
                    zone=zone,
                    title=title,
                    body=body,
                    draft_path=draft_path,
                    language=language,
                    posts=posts,
                    status=status,
                    reason=reason,
                )
                for at, reason in zip(times, reasons, strict=True)
            ]
    except IntegrityError:
        # The unique (recurrence_id, scheduled_at) index: this occurrence exists already.
        return None


def _advance(
    session: Session,
    recurrence_id: int,
    expected: datetime,
    next_at: datetime | None,
    error: str | None,
) -> bool:
    """Move the rule from `expected` to `next_at`, if it is still at `expected`; `error`
    (None once an occurrence went well) is the rule's last error."""
    values: dict[str, object] = {
        "next_at": next_at,
        "updated_at": utc_now(),
        "last_error": None if error is None else redact(error),
    }
    if next_at is None:
        values["active"] = False  # the rule has no occurrence left
    statement = (
        sa.update(Recurrence)
        .where(
            col(Recurrence.id) == recurrence_id,
            col(Recurrence.active),
            col(Recurrence.next_at) == expected,
        )
        .values(**values)
    )
    return session.connection().execute(statement).rowcount == 1


def _edition(
    session: Session,
    recurrence_id: int,
    at: datetime,
    *,
    account: str,
    platform: str,
    zone: str,
    title: str,
    body: str,
    draft_path: str,
    language: str | None,
    posts: Sequence[str],
    status: EditionStatus,
    reason: str | None,
) -> int:
    thread = ThreadRecord(title=title, body=body, draft_path=draft_path, language=language)
    session.add(thread)
    session.flush()
    assert thread.id is not None
    edition = Edition(
        thread_id=thread.id,
        account=account,
        platform=platform,
        status=status,
        scheduled_at=at,
        timezone=zone,
        recurrence_id=recurrence_id,
        last_error=None if reason is None else redact(reason),
    )
    session.add(edition)
    session.flush()  # the edition id goes into every idempotency key; the unique index fires
    assert edition.id is not None
    session.add_all(
        PostRecord(
            edition_id=edition.id,
            position=position,
            text=text,
            idempotency_key=idempotency_key(edition.id, edition.created_at, position),
        )
        for position, text in enumerate(posts, start=1)
    )
    return edition.id


def _name(draft_path: str) -> str:
    return draft_path.replace("\\", "/").rpartition("/")[2].removesuffix(".md") or draft_path
