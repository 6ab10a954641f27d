"""Claims on editions: one process publishes an edition at a time, whatever its front end.

Every front end (CLI `publish` and `queue publish-now`, the TUI, the daemon) claims an
edition here before sending any of it. A claim is one conditional UPDATE (the same on SQLite
and PostgreSQL): it succeeds for exactly one process. `may_take` is the one rule for who may
take an edition; `claim` takes one edition, `claim_draft_edition` resumes or creates a
draft's edition already claimed (one transaction), `claim_due` takes a daemon's batch.

A claim is short (LEASE, 30 s) and kept alive by a heartbeat (`Holder.heartbeat`, every
HEARTBEAT seconds, whatever the publisher is doing): a holder that dies loses it within the
lease. The holder's id names its host, pid and boot, so a process on the same host takes over
at once from a holder whose pid is gone (or that ran before a reboot).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from composer.store.database import Database, existing, ledger_step
from composer.store.driver import LedgerConnection
from composer.store.editions import editions_of_thread, lock_thread, refuse_held
from composer.store.errors import StoreError
from composer.store.follow_ups import fail_stranded, ready_to_publish
from composer.store.models import Edition, PostRecord, Recurrence, UTCDateTime, is_one_of
from composer.store.statuses import (
    HELD,
    RESUMABLE,
    RETRACTABLE,
    STOPPED,
    WENT_OUT,
    EditionStatus,
    utc_now,
)
from composer.store.workers import Worker
from composer.text.display import terminal_safe

LEASE = timedelta(seconds=30)  # a claim not renewed for this long is free to take
HEARTBEAT = 10.0  # seconds between renewals of a claim, whatever the publisher is doing


@dataclass(frozen=True, slots=True)
class Claimed:
    edition_id: int
    account: str
    platform: str
    scheduled_at: datetime | None


class ClaimLost(StoreError):
    """Another process holds the edition now (our lease ran out): stop, send nothing more."""


class EditionBusy(StoreError):
    """Another live process is publishing the edition: the one line a front end shows."""

    def __init__(self, edition_id: int, holder: str | None, *, doing: str = "published") -> None:
        self.edition_id = edition_id
        self.holder = holder
        worker = Worker.parse(holder)
        who = terminal_safe(worker.describe() if worker else (holder or "another process"))
        since = f" since {worker.since.astimezone():%H:%M:%S}" if worker else ""
        super().__init__(
            f"edition {edition_id} is being {doing} by {who}{since}; it will resume if that stops"
        )


@dataclass(frozen=True, slots=True)
class Holder:
    """A process publishing under a claim: who it is, and how far each renewal extends it."""

    worker: str
    lease: timedelta = LEASE
    clock: Callable[[], datetime] = field(default=utc_now)

    @classmethod
    def for_this_process(cls, kind: str) -> Holder:
        return cls(str(Worker.this_process(kind)))

    def renew_on(
        self, connection: LedgerConnection, edition_id: int, *, touched: datetime | None = None
    ) -> None:
        """Extend the claim in the caller's transaction, or raise ClaimLost (nothing else is
        written then: the transaction is rolled back). With `touched`, the same UPDATE sets
        the edition's updated_at (a ledger write: one statement, not two)."""
        values = {"edition": edition_id, "worker": self.worker, "until": self.clock() + self.lease}
        statement = _RENEW
        if touched is not None:
            statement, values["touched"] = _RENEW_TOUCHING, touched
        if connection.execute(statement, values).rowcount != 1:
            raise ClaimLost(
                f"edition {edition_id}: another process took it over (the claim of "
                f"{self.worker} ran out); it resumes there from the ledger"
            )

    async def heartbeat(self, db: Database, edition_id: int, lost: asyncio.Event) -> None:
        """Renew the claim every HEARTBEAT seconds (at least three times a lease) until
        cancelled; set `lost` and return when it is lost. Runs beside the publisher, so a
        slow request or a long rate-limit wait never lets the claim run out."""
        step = min(HEARTBEAT, self.lease.total_seconds() / 3)
        while True:
            await asyncio.sleep(step)
            try:
                await ledger_step(db, renew, edition_id, self)
            except ClaimLost:
                lost.set()
                return
            except Exception:
                continue


_RENEW = (
    sa.update(Edition)
    .where(
        col(Edition.id) == sa.bindparam("edition"),
        col(Edition.claimed_by) == sa.bindparam("worker"),
        is_one_of(col(Edition.status), HELD),
    )
    .values(claimed_until=sa.bindparam("until", type_=UTCDateTime()))
)
_RENEW_TOUCHING = _RENEW.values(updated_at=sa.bindparam("touched", type_=UTCDateTime()))


def renew(db: Database, edition_id: int, holder: Holder) -> None:
    """Extend `holder`'s claim on the edition (a heartbeat during a long wait); ClaimLost
    when another daemon took it over."""
    with db.transaction() as connection:
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
            select(sa.func.min(col(Edition.claimed_until), type_=UTCDateTime()))
            .where(col(Edition.status) == EditionStatus.PUBLISHING)
            .where(col(Edition.scheduled_at).is_not(None))  # what a daemon may resume
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


def may_take(
    now: datetime,
    dead: Collection[str],
    *,
    stopped: bool = False,
    due_by: datetime | None = None,
) -> sa.ColumnElement[bool]:
    """SQL: the one rule for who may take an edition. A scheduled one (with `due_by`, only if
    it is due and what it follows is published: the daemon's rule); one publishing whose
    claim is free, ran out, or is held by a `dead` holder; with `stopped`, a partial or failed
    one (resumed from its ledger)."""
    scheduled = col(Edition.status) == EditionStatus.SCHEDULED
    if due_by is not None:
        scheduled = sa.and_(scheduled, col(Edition.scheduled_at) <= due_by, ready_to_publish())
    publishing = sa.and_(col(Edition.status) == EditionStatus.PUBLISHING, free_claim(now, dead))
    if due_by is not None:
        # The daemon resumes what was scheduled; an edition `publish` started is resumed by
        # running `publish` again (its user may have stopped it on purpose).
        publishing = sa.and_(publishing, col(Edition.scheduled_at).is_not(None))
    if stopped:
        return sa.or_(scheduled, publishing, col(Edition.status).in_(STOPPED))
    return sa.or_(scheduled, publishing)


def free_claim(now: datetime, dead: Collection[str]) -> sa.ColumnElement[bool]:
    """SQL: nobody live holds the edition's claim: none, run out, or held by a `dead`
    holder. The same rule in Python, for showing it: `workers.claim_is_free` (a test holds
    the two to agreeing)."""
    return sa.or_(
        col(Edition.claimed_by).is_(None),
        col(Edition.claimed_until).is_(None),
        col(Edition.claimed_until) < now,
        col(Edition.claimed_by).in_(list(dead)) if dead else sa.false(),
    )


def dead_holders(
    connection: Connection | Session,
    now: datetime,
    status: EditionStatus = EditionStatus.PUBLISHING,
) -> list[str]:
    """The holders of live-looking claims on editions in `status` that are surely gone
    (see Worker.is_dead)."""
    holders = connection.execute(
        sa.select(col(Edition.claimed_by))
        .where(col(Edition.status) == status)
        .where(col(Edition.claimed_until) >= now)
        .distinct()
    ).scalars()
    return [h for h in holders if h and (worker := Worker.parse(h)) and worker.is_dead()]


def _taking(holder: Holder, now: datetime, *, due_now: bool = False) -> dict[str, object]:
    # A taken-over edition keeps its updated_at: the time of its last ledger write, which
    # says how long ago a post found `sending` was sent (see publishing).
    values: dict[str, object] = {
        "status": EditionStatus.PUBLISHING,
        "claimed_by": holder.worker,
        "claimed_until": now + holder.lease,
        "updated_at": sa.case(
            (col(Edition.status) == EditionStatus.PUBLISHING, col(Edition.updated_at)),
            else_=sa.literal(utc_now(), UTCDateTime()),
        ),
    }
    if due_now:  # published now: a scheduled edition's time becomes now
        values["scheduled_at"] = sa.case(
            (col(Edition.status) == EditionStatus.SCHEDULED, sa.literal(now, UTCDateTime())),
            else_=col(Edition.scheduled_at),
        )
    return values


def claim(
    db: Database,
    edition_id: int,
    holder: Holder,
    *,
    resume: bool = False,
    now: datetime | None = None,
) -> Edition:
    """Take one edition for `holder` before sending any of it: a scheduled one (made due
    now), one publishing that nobody live holds, and with `resume` a partial or failed one.
    EditionBusy when another live process holds it; StoreError naming its status when it
    cannot be published. Release it with `release` once done."""
    now = now or holder.clock()
    with db.session() as session:
        connection = session.connection()
        rule = may_take(now, dead_holders(connection, now), stopped=resume)
        changed = connection.execute(
            sa.update(Edition)
            .where(col(Edition.id) == edition_id, rule)
            .values(**_taking(holder, now, due_now=True))
        ).rowcount
        edition = session.get(Edition, edition_id, populate_existing=True)
        if edition is None:
            raise StoreError(f"no edition {edition_id}")
        if changed == 1:
            return edition
        if edition.status is EditionStatus.PUBLISHING:
            raise EditionBusy(edition_id, edition.claimed_by)
        wanted, verb = (
            ("partial or failed", "resumed") if resume else ("scheduled", "published now")
        )
        raise StoreError(
            f"edition {edition_id} is {edition.status.value}, not {wanted}: "
            f"only a {wanted} edition can be {verb}"
        )


def claim_retraction(
    db: Database, edition_id: int, holder: Holder, *, now: datetime | None = None
) -> Edition:
    """Take one edition for `holder` to take it back (`retracting`): a published, partial
    or failed one, or one whose retraction stopped (nobody live holds it), and only if a post
    of it went out. One conditional UPDATE, as every claim: a daemon never publishes it
    meanwhile (it takes no `retracting` edition), and no second front end retracts it.
    EditionBusy when another live process holds it; StoreError naming why it cannot be
    taken back. Release it with `release` once done."""
    now = now or holder.clock()
    a_post_went_out = (
        sa.select(col(PostRecord.id))
        .where(col(PostRecord.edition_id) == col(Edition.id))
        .where(col(PostRecord.status).in_(WENT_OUT))
        .exists()
    )
    with db.session() as session:
        connection = session.connection()
        dead = dead_holders(connection, now, EditionStatus.RETRACTING)
        rule = sa.and_(
            col(Edition.status).in_(RETRACTABLE),
            sa.or_(col(Edition.status) != EditionStatus.RETRACTING, free_claim(now, dead)),
            a_post_went_out,
        )
        changed = connection.execute(
            sa.update(Edition)
            .where(col(Edition.id) == edition_id, rule)
            .values(
                status=EditionStatus.RETRACTING,
                claimed_by=holder.worker,
                claimed_until=now + holder.lease,
                updated_at=utc_now(),
            )
        ).rowcount
        edition = existing(session, Edition, edition_id, "edition", fresh=True)
        if changed == 1:
            return edition
        if edition.status in HELD:
            doing = "retracted" if edition.status is EditionStatus.RETRACTING else "published"
            raise EditionBusy(edition_id, edition.claimed_by, doing=doing)
        went_out = session.exec(_went_out(edition_id)).first() is not None
        raise StoreError(_not_retractable(edition, went_out) or f"edition {edition_id}: retracted")


def check_retractable(db: Database, edition_id: int) -> bool:
    """Before anything is read or claimed: True when the edition has posts to take back (or
    a retraction to finish), False when it was retracted already (nothing to do);
    StoreError (one line) when there is no such edition or it cannot be taken back."""
    with db.read_session() as session:
        edition = existing(session, Edition, edition_id, "edition")
        if edition.status is EditionStatus.RETRACTED:
            return False
        went_out = session.exec(_went_out(edition_id)).first() is not None
    if edition.status is EditionStatus.PUBLISHING:
        raise EditionBusy(edition_id, edition.claimed_by)
    reason = _not_retractable(edition, went_out)
    if reason is not None:
        raise StoreError(reason)
    return True


def _went_out(edition_id: int) -> SelectOfScalar[int] | SelectOfScalar[None]:
    return (
        select(PostRecord.id)
        .where(col(PostRecord.edition_id) == edition_id, col(PostRecord.status).in_(WENT_OUT))
        .limit(1)
    )


def _not_retractable(edition: Edition, went_out: bool) -> str | None:
    if edition.status not in RETRACTABLE and edition.status is not EditionStatus.RETRACTED:
        return (
            f"edition {edition.id} is {edition.status.value}: only an edition that was "
            "published (or partly) can be retracted"
        )
    if not went_out:
        return f"edition {edition.id} was never published: no post of it was sent"
    return None


def claim_draft_edition(
    db: Database,
    holder: Holder,
    *,
    draft_path: str,
    account: str,
    follows_edition_id: int | None,
    create: Callable[[Session], Edition],
    texts: Sequence[str] | None = None,
    now: datetime | None = None,
) -> tuple[Edition, bool]:
    """The draft's unfinished edition on `account` (continuing the same edition) claimed for
    `holder`, or a new one `create` adds, claimed in the same transaction: two processes
    publishing one draft at once get one edition and one sender. (edition, created); raises
    EditionBusy when a live process publishes the unfinished one.

    With `texts` (publishing not `--again`), raises AlreadyHeld instead of creating when the
    account has an edition of exactly these posts (`held_edition`), checked here, in the
    writing transaction: a check made before it is stale once another process finishes the
    edition in between, and the thread would be sent twice."""
    now = now or holder.clock()
    with db.session() as session:
        connection = session.connection()
        lock_thread(session, draft_path, account)  # the lock `schedule` takes too
        existing = session.exec(editions_of_thread(draft_path, account, RESUMABLE).limit(1)).first()
        if existing is not None and existing.follows_edition_id == follows_edition_id:
            assert existing.id is not None
            rule = may_take(now, dead_holders(connection, now), stopped=True)
            changed = connection.execute(
                sa.update(Edition)
                .where(col(Edition.id) == existing.id, rule)
                .values(**_taking(holder, now))
            ).rowcount
            if changed != 1:
                raise EditionBusy(existing.id, existing.claimed_by)
            session.refresh(existing)
            return existing, False
        if texts is not None:
            refuse_held(session, draft_path, account, texts, resuming=True)
        edition = create(session)
        edition.status = EditionStatus.PUBLISHING
        edition.claimed_by = holder.worker
        edition.claimed_until = now + holder.lease
        session.add(edition)
        session.flush()
        return edition, True


def claim_due(
    db: Database,
    now: datetime,
    worker: str,
    lease: timedelta = LEASE,
    *,
    skip_accounts: Collection[str] = (),
) -> list[Claimed]:
    """Claim every edition due by `now` (and every one whose holder is gone), for `worker`,
    except those of `skip_accounts` (accounts this daemon is publishing to already: one
    account's editions never interleave). A follow-up waits until the edition it follows is
    published (and fails if that one never will be)."""
    fail_stranded(db)
    holder = Holder(worker, lease, lambda: now)
    skipped = col(Edition.account).not_in(list(skip_accounts)) if skip_accounts else sa.true()
    with db.read_session() as session:
        dead = dead_holders(session, now)
    # One conditional UPDATE takes them all, in one transaction: each row is taken only if
    # the rule holds for it as it is written (a claim per edition, made in one statement:
    # a transaction each cost more than the round's first posts waited for).
    statement = (
        sa.update(Edition)
        .where(skipped, may_take(now, dead, due_by=now))
        .values(**_taking(holder, now))
        .returning(
            col(Edition.id), col(Edition.account), col(Edition.platform), col(Edition.scheduled_at)
        )
    )
    with db.session() as session:
        rows = session.connection().execute(statement).all()
    claimed = [Claimed(row.id, row.account, row.platform, row.scheduled_at) for row in rows]
    claimed.sort(key=lambda claim: (claim.scheduled_at or now, claim.edition_id))
    return claimed


def live_holder(db: Database, edition_id: int, now: datetime | None = None) -> str | None:
    """Who publishes the edition now: its claim's holder, unless the edition may be taken
    (see `may_take`) or is no longer publishing. For a front end waiting its turn."""
    now = now or utc_now()
    with db.read_session() as session:
        edition = session.get(Edition, edition_id)
        if edition is None or edition.status is not EditionStatus.PUBLISHING:
            return None
        free = session.exec(
            select(Edition.id).where(
                col(Edition.id) == edition_id,
                may_take(now, dead_holders(session, now), stopped=True),
            )
        ).first()
    return None if free is not None else (edition.claimed_by or "another process")


_RELEASE = (
    sa.update(Edition)
    .where(
        col(Edition.id) == sa.bindparam("edition"),
        col(Edition.claimed_by) == sa.bindparam("worker"),
    )
    .values(
        claimed_by=None,
        claimed_until=sa.case(
            (
                col(Edition.status) == EditionStatus.PUBLISHING,
                sa.bindparam("now", type_=UTCDateTime()),
            ),
            else_=sa.null(),
        ),
    )
)


def release(db: Database, edition_id: int, worker: str) -> None:
    """Drop `worker`'s claim (the publisher has set the edition's status). An edition left
    publishing (the daemon is stopping mid-thread) gets a claim that has just expired, so
    the next daemon resumes it at once instead of after the lease."""
    with db.transaction() as connection:
        connection.execute(_RELEASE, {"edition": edition_id, "worker": worker, "now": utc_now()})


def _minutes(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
