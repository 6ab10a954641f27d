"""Recurring rules and their occurrences, as small typed functions over a Database.

An occurrence becomes an edition in the same transaction that moves the rule's `next_at` on,
and only if `next_at` still holds the occurrence's time (a conditional UPDATE). Two daemons
racing on one occurrence: one UPDATE changes the row, the other changes none (PostgreSQL
re-reads the row after the first commits; SQLite runs one writer at a time) and makes
nothing; the unique index on (recurrence_id, scheduled_at) backs this up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from composer.store.database import Database, existing
from composer.store.errors import StoreError, redact
from composer.store.history import DraftText, NewEdition, add_edition, snapshot_id
from composer.store.models import Recurrence
from composer.store.statuses import EditionStatus, utc_now


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
        return existing(session, Recurrence, recurrence_id, "recurring rule")


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
        found = existing(session, Recurrence, recurrence_id, "recurring rule", fresh=True)
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


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence of a rule, as the daemon is about to record it: the rule's time it
    expects (`expected`, its `next_at` now), where the rule goes on to (`next_at`, None when it
    has ended), and whose edition it makes."""

    recurrence_id: int
    expected: datetime
    next_at: datetime | None
    account: str
    platform: str
    zone: str
    draft_path: str

    @property
    def name(self) -> str:
        """The draft's file name, the title of an edition that could not read its draft."""
        path = self.draft_path
        return path.replace("\\", "/").rpartition("/")[2].removesuffix(".md") or path


def record_occurrence(
    db: Database, occurrence: Occurrence, text: DraftText, edition: NewEdition
) -> int | None:
    """The occurrence as a scheduled edition with its ledger (each post's images, its
    options: `edition`, composed from the draft `text` now), the rule moved on; None when
    another process made this occurrence first."""
    if not edition.posts:
        raise StoreError("an edition needs at least one post")
    snapshot = _Snapshot(text, replace(edition, status=EditionStatus.SCHEDULED))
    made = _occurrences(db, occurrence, snapshot, [occurrence.expected], [None], rule_error=None)
    return None if made is None else made[0]


def record_failed(db: Database, occurrence: Occurrence, reason: str) -> int | None:
    """An occurrence whose draft could not be composed: a failed edition with no posts and
    the reason, on the edition and the rule; the rule goes on."""
    snapshot = _ended(occurrence, EditionStatus.FAILED)
    made = _occurrences(
        db, occurrence, snapshot, [occurrence.expected], [reason], rule_error=reason
    )
    return None if made is None else made[0]


def record_missed(
    db: Database,
    occurrence: Occurrence,
    times: Sequence[datetime],
    reason: str,
    *,
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
    snapshot = _ended(occurrence, EditionStatus.MISSED)
    return _occurrences(db, occurrence, snapshot, times, reasons, rule_error=note)


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """What each edition of an occurrence holds: the draft as it was, and the edition (its
    status, posts, images and options; its time and rule are the occurrence's)."""

    text: DraftText
    edition: NewEdition


def _ended(occurrence: Occurrence, status: EditionStatus) -> _Snapshot:
    """An occurrence that will never be sent (failed, missed): no posts, the draft's name."""
    text = DraftText(occurrence.name, "", occurrence.draft_path)
    return _Snapshot(text, NewEdition(occurrence.account, occurrence.platform, (), status=status))


def _occurrences(
    db: Database,
    occurrence: Occurrence,
    snapshot: _Snapshot,
    times: Sequence[datetime],
    reasons: Sequence[str | None],
    *,
    rule_error: str | None,
) -> list[int] | None:
    try:
        with db.session() as session:
            if not _advance(session, occurrence, rule_error):
                return None
            return [
                _edition(session, occurrence, snapshot, at, reason)
                for at, reason in zip(times, reasons, strict=True)
            ]
    except IntegrityError:
        # The unique (recurrence_id, scheduled_at) index: this occurrence exists already.
        return None


def _advance(session: Session, occurrence: Occurrence, error: str | None) -> bool:
    """Move the rule from `expected` to `next_at`, if it is still at `expected`; `error`
    (None once an occurrence went well) is the rule's last error."""
    next_at = occurrence.next_at
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
            col(Recurrence.id) == occurrence.recurrence_id,
            col(Recurrence.active),
            col(Recurrence.next_at) == occurrence.expected,
        )
        .values(**values)
    )
    return session.connection().execute(statement).rowcount == 1


def _edition(
    session: Session, occurrence: Occurrence, snapshot: _Snapshot, at: datetime, reason: str | None
) -> int:
    text = replace(snapshot.text, draft_path=occurrence.draft_path)
    new = replace(
        snapshot.edition,
        scheduled_at=at,
        timezone=occurrence.zone,
        recurrence_id=occurrence.recurrence_id,
        last_error=reason,
    )
    edition = add_edition(session, snapshot_id(session, text), new)
    assert edition.id is not None  # flushed by add_edition
    return edition.id
