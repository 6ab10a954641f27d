"""The scheduler daemon: publishes scheduled editions on time, with the database as the truth.

Each round marks editions too late to post as missed, claims the due ones (one conditional
UPDATE, its rule checked on each row, so two daemons never take the same edition) and
publishes them from the ledger under a short lease (claims.LEASE) that a heartbeat renews
whatever the edition is doing, so an edition that takes longer than the lease is never taken
over while it is going well, and one whose daemon died is taken over within seconds (claims:
the same claim and rule as every other front end).
`run_round` is one such round (`daemon --once`); `serve` runs one at the earliest due time
it knows and at least every `interval` seconds (to notice schedules changed by other
processes), on an APScheduler 3 scheduler, until SIGTERM or SIGINT, finishing the rounds in
flight. Rounds overlap (an account waiting out a rate limit holds up no other account), but
never on one account: `BusyAccounts`. Each round ends by pruning the cache of prepared
images if it was not pruned in the last day (`composer.media.cache`), then recording the
events a person is to be told about and delivering the notifications due (`composer.notify`).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import signal
import socket
import ssl
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from composer.notify import notify_round
from composer.platforms.base import new_http
from composer.publishing import (
    Event,
    PreflightError,
    PublishResult,
    Sleep,
    preflight_claimed,
    prune_media,
    publish_existing,
    refuse_edition,
    stoppable_sleep,
)
from composer.recurring import materialize_due
from composer.redaction import redact
from composer.store import (
    LEASE,
    Claimed,
    Database,
    EditionStatus,
    Holder,
    Worker,
    claim_due,
    daemon_seen,
    daemon_started,
    ledger_step,
    mark_missed,
    next_due,
    off_loop,
    release,
)
from composer.text.display import terminal_safe
from composer.workspace.config import Config

HTTP_TIMEOUT = 30.0
DEFAULT_GRACE = timedelta(minutes=15)
ROUND_THREADS = 64  # rounds in flight at once, at most (most end in milliseconds)
HEARTBEAT_EVERY = timedelta(seconds=5)  # a round writes the heartbeat at most this often
log = logging.getLogger("composer.daemon")


@dataclass(slots=True)
class Round:
    """What one round did."""

    missed: list[int] = field(default_factory=list)
    outcomes: list[PublishResult] = field(default_factory=list)


class BusyAccounts:
    """The accounts this process's rounds are publishing to. Rounds may overlap (one
    account's long wait must not hold up another's due edition), but a round claims only
    editions of accounts no other round of this process holds, so one account's editions
    still go one after the other. (Other daemons are kept out by the claims themselves.)"""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy: set[str] = set()
        self._passed_over: set[str] = set()  # busy when a round claimed: maybe skipped

    def claim(self, take: Callable[[frozenset[str]], list[Claimed]]) -> list[Claimed]:
        """`take` claims editions, skipping the busy accounts; theirs become busy. Under the
        lock: two rounds claiming at once never take one account each."""
        with self._lock:
            skip = frozenset(self._busy)
            claimed = take(skip)
            self._passed_over |= skip
            self._busy.update(claim.account for claim in claimed)
        return claimed

    def release(self, account: str) -> bool:
        """Free the account; True if a round passed it over meanwhile (an edition of it
        may be due now)."""
        with self._lock:
            self._busy.discard(account)
            passed_over = account in self._passed_over
            self._passed_over.discard(account)
        return passed_over


def worker_name() -> str:
    """This daemon's name in its claims: host, pid, boot and start (see claims.Worker)."""
    return str(Worker.this_process("daemon"))


class Heartbeat:
    """This daemon's row in the database (`composer.store.daemons`): written when it starts
    and at its rounds, at most every `every` (one UPDATE), on the wall clock. A heartbeat
    that cannot be written is logged; it never stops a round."""

    def __init__(
        self,
        db: Database,
        worker: str,
        *,
        every: timedelta = HEARTBEAT_EVERY,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.worker = worker
        self.every = every
        self.clock = clock
        self._lock = threading.Lock()  # rounds overlap: one writes, the others skip
        self._last: datetime | None = None

    def start(self) -> None:
        now = self.clock()
        with self._lock:
            self._last = now
        self._write(daemon_started, now)

    def beat(self) -> None:
        now = self.clock()
        with self._lock:
            if self._last is not None and now - self._last < self.every:
                return
            self._last = now
        self._write(daemon_seen, now)

    def _write(self, write: Callable[..., None], now: datetime) -> None:
        try:
            write(self.db, self.worker, host=socket.gethostname(), pid=os.getpid(), now=now)
        except Exception:  # the database is away or locked: the round says so if it matters
            log.exception("heartbeat")


async def run_round(
    db: Database,
    config: Config,
    *,
    now: datetime | None = None,
    grace: timedelta = DEFAULT_GRACE,
    worker: str | None = None,
    lease: timedelta = LEASE,
    busy: BusyAccounts | None = None,
    on_claimed: Callable[[], None] | None = None,
    on_freed: Callable[[], None] | None = None,
    stopping: threading.Event | None = None,
    heartbeat: Heartbeat | None = None,
) -> Round:
    """Mark missed editions, claim the due ones and publish them, accounts concurrently.
        With `busy`, skip the accounts other rounds of this process are publishing to (and hold
        this round's until their editions are done). With `stopping`, a wait (a rate limit, a
    retry) ends when it is set, leaving the edition to the next daemon. `on_claimed` runs once
    the claims are made,
        before publishing; `on_freed` each time an account's editions are done. The round
    records that a daemon was seen (through `heartbeat`, which `serve` keeps for its
    rounds)."""
    now = now or datetime.now(UTC)
    worker = worker or worker_name()
    (heartbeat or Heartbeat(db, worker)).beat()  # `daemon --once` is a daemon seen too
    materialize_due(db, config, now=now, grace=grace)  # due occurrences of rules -> editions
    result = Round(missed=mark_missed(db, now, grace))
    for edition_id in result.missed:
        log.warning("missed", extra={"fields": {"edition": edition_id}})
    if busy is None:
        busy = BusyAccounts()
    due_by, name = now, worker
    claimed = busy.claim(lambda skip: claim_due(db, due_by, name, lease, skip_accounts=skip))
    try:
        if on_claimed is not None:
            on_claimed()
        result.outcomes = await _publish_claimed(
            db, config, claimed, worker, lease, busy, on_freed, _sleep_until(stopping)
        )
    finally:
        for claim in claimed:  # idempotent: each account is freed as its editions end
            busy.release(claim.account)
    await prune_media(daily=True)  # a daemon that publishes nothing still prunes, once a day
    # Last, after every due edition was published: a slow or unreachable notification
    # target holds up only this round's end, in a thread (never a post, nor the next round).
    if config.all_notify():
        await asyncio.to_thread(notify_round, db, config, datetime.now(UTC))
    return result


async def _publish_claimed(
    db: Database,
    config: Config,
    claimed: list[Claimed],
    worker: str,
    lease: timedelta,
    busy: BusyAccounts,
    on_freed: Callable[[], None] | None,
    sleep: Sleep,
) -> list[PublishResult]:
    holder = Holder(worker, lease)

    async def publish(claim: Claimed, http: httpx.AsyncClient) -> PublishResult:
        edition_id, account = claim.edition_id, claim.account
        log.info("publishing", extra={"fields": {"edition": edition_id, "account": account}})

        def listener(event: Event) -> None:
            if event.kind == "sent":
                fields = {"edition": edition_id, "post": event.index, "url": event.url}
                log.info("sent", extra={"fields": fields})

        try:
            client = await preflight_claimed(claim, config, http)  # not read again
        except PreflightError as error:
            # An account that cannot be published to (a secret unreadable, the account gone):
            # the edition fails with the reason, shown in the queue, and is not claimed again
            # every round; nothing was sent. A person fixes the account and resumes it.
            outcome = await off_loop(db, refuse_edition, db, edition_id, str(error))
            await ledger_step(db, release, edition_id, holder.worker)
        else:
            outcome = await publish_existing(  # released when it ends, however it ends
                db, edition_id, config, listener, holder=holder, sleep=sleep, client=client
            )
        fields: dict[str, Any] = {
            "edition": edition_id,
            "account": account,
            "status": outcome.status.value,
            "sent": outcome.sent,
            "total": outcome.total,
        }
        if outcome.error:
            fields["error"] = outcome.error
        if outcome.status is EditionStatus.PUBLISHING:  # another daemon took it over
            log.warning("claim lost", extra={"fields": fields})
            return outcome
        level = logging.INFO if outcome.finished else logging.ERROR
        log.log(level, "edition", extra={"fields": fields})
        return outcome

    # Accounts publish concurrently; one account's editions go one after the other, so its
    # followers never see two threads interleaved. Each account has one HTTP client for the
    # round: one TLS setup and connection instead of one per edition, and a pool of its own
    # (one pool for 50 accounts would keep at most 20 of their connections idle, and open
    # the others again and again: composer.platforms.transport.MAX_IDLE).
    by_account: dict[str, list[Claimed]] = {}
    for claim in claimed:
        by_account.setdefault(claim.account, []).append(claim)

    async def account_editions(account: str, claims: list[Claimed]) -> list[PublishResult]:
        outcomes: list[PublishResult] = []
        try:
            async with new_http(timeout=HTTP_TIMEOUT, verify=tls_context()) as http:
                for claim in claims:
                    edition_id = claim.edition_id
                    try:
                        outcomes.append(await publish(claim, http))
                    except Exception as error:  # one edition's failure stays its own
                        # The database failing mid-edition, say: logged in one line; the
                        # claim is released and a later round resumes the edition from the
                        # ledger. This account's next editions and the other accounts' go on.
                        fields = {"edition": edition_id, "account": account, "error": str(error)}
                        log.error("edition failed", extra={"fields": fields})
                        left = PublishResult(
                            edition_id, EditionStatus.PUBLISHING, 0, 0, error=str(error)
                        )
                        outcomes.append(left)
            return outcomes
        finally:
            if busy.release(account) and on_freed is not None:  # one of its editions
                await off_loop(db, on_freed)  # came due meanwhile, perhaps: look now

    groups = await asyncio.gather(
        *(account_editions(account, claims) for account, claims in by_account.items())
    )
    return [outcome for group in groups for outcome in group]


def run_once(db: Database, config: Config, *, grace: timedelta) -> Round:
    """One round (`daemon --once`). SIGTERM or SIGINT stop it as they stop `serve`: the post
    in flight is finished, no next one starts, waits end at once, and every claim is
    released (an edition left publishing is resumed at once by the next daemon)."""
    stopping = threading.Event()

    def stop(signum: int, frame: object) -> None:
        log.info("stopping", extra={"fields": {"signal": signum}})
        stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return asyncio.run(run_round(db, config, grace=grace, stopping=stopping))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _sleep_until(stopping: threading.Event | None) -> Sleep:
    """asyncio.sleep, ended early by `stopping`: a daemon told to stop must not sit out a
    15-minute rate limit first (systemd would kill it; the ledger would survive, but the
    stop should be clean)."""
    if stopping is None:
        return asyncio.sleep
    return stoppable_sleep(stopping, "the daemon stopped during a wait: resumed at its next start")


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The CA bundle, loaded once a process (~70 ms of CPU each time: not per client, nor
    per round, which would delay every edition's start)."""
    return httpx.create_ssl_context()


def next_round(
    now: datetime, interval: float, due: datetime | None, looked_at: datetime
) -> datetime:
    """When to run the next round: at the earliest due time the database holds, if it comes
    before the next look at the schedule (`interval` from now). Something already due when
    the last round looked (`looked_at`) and still there was left for a reason (a claim of
    another daemon, an account no longer configured): look again after the interval rather
    than spin on it."""
    look = now + timedelta(seconds=interval)
    if due is None or due >= look or due <= looked_at:
        return look
    return max(due, now)


def serve(db: Database, config: Config, *, interval: float, grace: timedelta) -> None:
    """Run a round at each due time and at least every `interval` seconds until
    SIGTERM/SIGINT; the rounds in flight end first (their current post is finished; the
    rest stays resumable in the ledger)."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler

    worker = worker_name()
    heartbeat = Heartbeat(db, worker)
    heartbeat.start()
    # Rounds overlap (one publishing through an account's 15-minute rate limit wait while the
    # next publishes another account's due edition), each in a pool thread with its own event
    # loop; threads start only as rounds need them.
    rounds = ThreadPoolExecutor(max_workers=ROUND_THREADS)
    scheduler = BlockingScheduler(timezone=UTC, executors={"default": rounds})
    busy = BusyAccounts()
    stopping = threading.Event()  # set on SIGTERM: waits end, posts in flight finish
    lock = threading.Lock()
    # The one round planned and not started yet: (its token, its time). There is always at
    # most one, so rounds never multiply; a plan for sooner replaces it.
    pending: list[tuple[object, datetime]] = []

    def one_round(token: object) -> None:
        with lock:
            if not pending or pending[0][0] is not token:
                return  # replaced by a round planned for sooner
            pending.clear()
        looked_at = datetime.now(UTC)
        planned = False

        def plan_next() -> None:
            nonlocal planned
            planned = True
            plan(looked_at)

        try:
            asyncio.run(
                run_round(
                    db,
                    config,
                    now=looked_at,
                    grace=grace,
                    worker=worker,
                    busy=busy,
                    on_claimed=plan_next,
                    on_freed=lambda: plan_at(datetime.now(UTC)),
                    stopping=stopping,
                    heartbeat=heartbeat,
                )
            )
        except Exception as error:  # the database away: the next round tries
            log.error("round failed", extra={"fields": {"error": str(error)}})
        finally:
            if not planned:  # the round failed before it claimed
                plan(looked_at)

    def plan(looked_at: datetime) -> None:
        # Each round plans the one after it as soon as it has claimed (so the next one runs
        # at the next due time or the next look, even while this one still publishes).
        try:
            due = next_due(db)
        except Exception:  # the database is away: look again after the interval
            log.exception("planning")
            due = None
        plan_at(next_round(datetime.now(UTC), interval, due, looked_at))

    def plan_at(at: datetime) -> None:
        # A one-off job of its own each time (the scheduler removes a started one whenever
        # it gets to it, so an id could not be reused safely).
        with lock:
            if pending and pending[0][1] <= at:
                return  # a round comes sooner already
            token = object()
            pending[:] = [(token, at)]
            if scheduler.running:
                scheduler.add_job(
                    one_round,
                    "date",
                    run_date=at,
                    args=[token],
                    misfire_grace_time=None,  # a round late (pool threads all busy) still runs
                )

    token = object()
    pending.append((token, datetime.now(UTC)))
    scheduler.add_job(
        one_round, "date", run_date=pending[0][1], args=[token], misfire_grace_time=None
    )

    def stop(signum: int, frame: object) -> None:
        log.info("stopping", extra={"fields": {"signal": signum}})
        stopping.set()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("started", extra={"fields": {"worker": worker, "interval": interval}})
    scheduler.start()
    # Stopped: the rounds in flight end their posts (their waits end at once) and release
    # their claims while the ledger is still open; only then does the process exit.
    rounds.shutdown(wait=True)
    log.info("stopped", extra={"fields": {"worker": worker}})


class JsonLines(logging.Formatter):
    """One JSON object a line: time, level, event, and the event's fields.

    Every string is redacted (composer.redaction) and every line is terminal-safe: C1
    and bidi controls are written as JSON escapes (`\\u009b`), which keep the line valid
    JSON that decodes to the same text, but never reach a terminal raw (`journalctl`,
    `tail -f`). An exception is its type and redacted message, never a traceback.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            line.setdefault("error", f"{type(error).__name__}: {error}")
        line = {key: _redacted(value) for key, value in line.items()}
        # json.dumps escapes C0 controls itself; terminal_safe writes the rest (DEL, C1,
        # bidi) as \\uXXXX, which inside a JSON string is the same character.
        return terminal_safe(json.dumps(line, ensure_ascii=False, default=str))


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _redacted(item) for key, item in value.items()}
    return value


def configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
