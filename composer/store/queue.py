"""The schedule: editions waiting for their time, and the changes a user may make to them.

The database is the truth about what is scheduled (docs/DESIGN.md, "Scheduling"). Every change
here is one short transaction with a conditional UPDATE (`... WHERE status = 'scheduled'`),
so it cannot race a daemon that claims the same edition: whichever commits first wins, and
the other is told what the edition's status now is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

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
from composer.store.models import Edition
from composer.store.statuses import EditionStatus, utc_now


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
