"""Claims on due editions, so that two daemons on one database never publish the same one.

A claim is one conditional UPDATE (works the same on SQLite and PostgreSQL): it succeeds for
exactly one daemon. A claim has a lease; a daemon that dies leaves an edition `publishing`
with an expired lease, which another daemon may claim again and resume from the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import col, select

from composer.store.database import Database
from composer.store.errors import StoreError
from composer.store.follow_ups import fail_stranded, ready_to_publish
from composer.store.models import Edition, EditionStatus, Recurrence, UTCDateTime, utc_now


@dataclass(frozen=True, slots=True)
class Claimed:
    edition_id: int
    account: str
    platform: str
    scheduled_at: datetime | None


class ClaimLost(StoreError):
    """Another daemon holds the edition now (our lease ran out): stop, send nothing more."""


@dataclass(frozen=True, slots=True)
class Holder:
    """A daemon publishing under a claim: who it is, and how far each renewal extends it."""

    worker: str
    lease: timedelta
    clock: Callable[[], datetime] = field(default=utc_now)

    def renew_on(self, connection: Connection, edition_id: int) -> None:
        """Extend the claim in the caller's transaction, or raise ClaimLost (nothing else is
        written then: the transaction is rolled back)."""
        values = {"edition": edition_id, "worker": self.worker, "until": self.clock() + self.lease}
        if connection.execute(_RENEW, values).rowcount != 1:
            raise ClaimLost(
                f"edition {edition_id}: another daemon took it over (the claim of "
                f"{self.worker} ran out); it resumes there from the ledger"
            )


_RENEW = (
    sa.update(Edition)
    .where(
        col(Edition.id) == sa.bindparam("edition"),
        col(Edition.claimed_by) == sa.bindparam("worker"),
        col(Edition.status) == EditionStatus.PUBLISHING,
    )
    .values(claimed_until=sa.bindparam("until", type_=UTCDateTime()))
)


def renew(db: Database, edition_id: int, holder: Holder) -> None:
    """Extend `holder`'s claim on the edition (a heartbeat during a long wait); ClaimLost
    when another daemon took it over."""
    with db.engine.begin() as connection:
        holder.renew_on(connection, edition_id)


def next_due(db: Database) -> datetime | None:
    """The earliest time something becomes due: a scheduled edition's time, the end of a
    claim (a daemon that died leaves one to be resumed), or a recurring rule's next
    occurrence (made into an edition when it comes due)."""
    with db.read_session() as session:
        scheduled = session.exec(
            select(sa.func.min(col(Edition.scheduled_at), type_=UTCDateTime())).where(
                col(Edition.status) == EditionStatus.SCHEDULED
            )
        ).one()
        expiring = session.exec(
            select(sa.func.min(col(Edition.claimed_until), type_=UTCDateTime())).where(
                col(Edition.status) == EditionStatus.PUBLISHING
            )
        ).one()
        recurring = session.exec(
            select(sa.func.min(col(Recurrence.next_at), type_=UTCDateTime())).where(
                col(Recurrence.active)
            )
        ).one()
    return min((t for t in (scheduled, expiring, recurring) if t is not None), default=None)


def mark_missed(db: Database, now: datetime, grace: timedelta) -> list[int]:
    """Scheduled editions later than `grace` become `missed` (never posted hours late)."""
    cutoff = now - grace
    with db.session() as session:
        ids = list(
            session.exec(
                select(Edition.id)
                .where(col(Edition.status) == EditionStatus.SCHEDULED)
                .where(col(Edition.scheduled_at) < cutoff)
            )
        )
        if ids:
            session.connection().execute(
                sa.update(Edition)
                .where(col(Edition.id).in_(ids), col(Edition.status) == EditionStatus.SCHEDULED)
                .values(
                    status=EditionStatus.MISSED,
                    updated_at=utc_now(),
                    last_error=f"missed: not published within {_minutes(grace)} of its time "
                    "(the daemon was not running); schedule it again or publish it now",
                )
            )
    return [i for i in ids if i is not None]


def claim_due(
    db: Database,
    now: datetime,
    worker: str,
    lease: timedelta,
    *,
    skip_accounts: Collection[str] = (),
) -> list[Claimed]:
    """Claim every edition due by `now` (and every one whose claim expired), for `worker`,
    except those of `skip_accounts` (accounts this daemon is publishing to already: one
    account's editions never interleave). A follow-up waits until the edition it follows is
    published (and fails if that one never will be)."""
    fail_stranded(db)
    skipped = col(Edition.account).not_in(list(skip_accounts)) if skip_accounts else sa.true()
    with db.read_session() as session:
        candidates = list(
            session.exec(
                select(Edition)
                .where(skipped)
                .where(
                    sa.or_(
                        sa.and_(
                            col(Edition.status) == EditionStatus.SCHEDULED,
                            col(Edition.scheduled_at) <= now,
                            ready_to_publish(),
                        ),
                        sa.and_(
                            col(Edition.status) == EditionStatus.PUBLISHING,
                            col(Edition.claimed_until) < now,
                        ),
                    )
                )
                .order_by(col(Edition.scheduled_at))
            )
        )
    claimed: list[Claimed] = []
    for edition in candidates:
        assert edition.id is not None
        condition = (
            col(Edition.status) == EditionStatus.SCHEDULED
            if edition.status is EditionStatus.SCHEDULED
            else sa.and_(
                col(Edition.status) == EditionStatus.PUBLISHING,
                col(Edition.claimed_until) < now,
            )
        )
        statement = (
            sa.update(Edition)
            .where(col(Edition.id) == edition.id, condition)
            .values(
                status=EditionStatus.PUBLISHING,
                claimed_by=worker,
                claimed_until=now + lease,
                updated_at=utc_now(),
            )
        )
        with db.session() as session:
            if session.connection().execute(statement).rowcount == 1:
                claimed.append(
                    Claimed(edition.id, edition.account, edition.platform, edition.scheduled_at)
                )
    return claimed


def release(db: Database, edition_id: int, worker: str) -> None:
    """Drop `worker`'s claim (the publisher has set the edition's status). An edition left
    publishing (the daemon is stopping mid-thread) gets a claim that has just expired, so
    the next daemon resumes it at once instead of after the lease."""
    with db.session() as session:
        session.connection().execute(
            sa.update(Edition)
            .where(col(Edition.id) == edition_id, col(Edition.claimed_by) == worker)
            .values(
                claimed_by=None,
                claimed_until=sa.case(
                    (
                        col(Edition.status) == EditionStatus.PUBLISHING,
                        sa.literal(utc_now(), UTCDateTime()),
                    ),
                    else_=sa.null(),
                ),
            )
        )


def _minutes(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
