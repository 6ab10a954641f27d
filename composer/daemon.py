"""The scheduler daemon: publishes scheduled editions on time, with the database as the truth.

Each round marks editions too late to post as missed, claims the due ones (one conditional
UPDATE each, so two daemons never take the same edition) and publishes them from the
ledger. `run_round` is one such round (`daemon --once`); `serve` repeats it every
`interval` seconds on an APScheduler 3 scheduler until SIGTERM or SIGINT, finishing the
round in flight.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from composer.publishing import Event, Outcome, publish_existing
from composer.recurring import materialize_due
from composer.store import Database
from composer.store.claims import claim_due, mark_missed, release
from composer.workspace.config import Config

HTTP_TIMEOUT = 30.0
LEASE = timedelta(minutes=30)  # a claim a dead daemon left expires after this
DEFAULT_GRACE = timedelta(minutes=15)
log = logging.getLogger("composer.daemon")


@dataclass(slots=True)
class Round:
    """What one round did."""

    missed: list[int] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def run_round(
    db: Database,
    config: Config,
    *,
    now: datetime | None = None,
    grace: timedelta = DEFAULT_GRACE,
    worker: str | None = None,
) -> Round:
    """Mark missed editions, claim the due ones and publish them, accounts concurrently."""
    now = now or datetime.now(UTC)
    worker = worker or worker_name()
    materialize_due(db, config, now=now, grace=grace)  # due occurrences of rules -> editions
    result = Round(missed=mark_missed(db, now, grace))
    for edition_id in result.missed:
        log.warning("missed", extra={"fields": {"edition": edition_id}})
    claimed = claim_due(db, now, worker, LEASE)

    async def publish(edition_id: int, account: str, http: httpx.AsyncClient) -> Outcome:
        log.info("publishing", extra={"fields": {"edition": edition_id, "account": account}})

        def listener(event: Event) -> None:
            if event.kind == "sent":
                fields = {"edition": edition_id, "post": event.index, "url": event.url}
                log.info("sent", extra={"fields": fields})

        try:
            outcome = await publish_existing(db, edition_id, config, listener, http=http)
        finally:
            release(db, edition_id, worker)
        fields: dict[str, Any] = {
            "edition": edition_id,
            "account": account,
            "status": outcome.status.value,
            "sent": outcome.sent,
            "total": outcome.total,
        }
        if outcome.error:
            fields["error"] = outcome.error
        level = logging.INFO if outcome.finished else logging.ERROR
        log.log(level, "edition", extra={"fields": fields})
        return outcome

    # Accounts publish concurrently; one account's editions go one after the other, so its
    # followers never see two threads interleaved. One HTTP client serves the whole round:
    # one TLS setup and connection pool instead of one per edition.
    by_account: dict[str, list[int]] = {}
    for claim in claimed:
        by_account.setdefault(claim.account, []).append(claim.edition_id)

    async def account_editions(
        account: str, ids: list[int], http: httpx.AsyncClient
    ) -> list[Outcome]:
        return [await publish(edition_id, account, http) for edition_id in ids]

    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
        groups = await asyncio.gather(
            *(account_editions(account, ids, http) for account, ids in by_account.items())
        )
    result.outcomes = [outcome for group in groups for outcome in group]
    return result


def serve(db: Database, config: Config, *, interval: float, grace: timedelta) -> None:
    """Run rounds every `interval` seconds until SIGTERM/SIGINT; the round in flight ends
    first (its current post is finished; the rest stays resumable in the ledger)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    worker = worker_name()
    scheduler = BlockingScheduler(timezone=UTC)

    def one_round() -> None:
        asyncio.run(run_round(db, config, grace=grace, worker=worker))

    scheduler.add_job(
        one_round,
        "interval",
        seconds=interval,
        next_run_time=datetime.now(UTC),
        max_instances=1,
        coalesce=True,
    )

    def stop(signum: int, frame: object) -> None:
        log.info("stopping", extra={"fields": {"signal": signum}})
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("started", extra={"fields": {"worker": worker, "interval": interval}})
    scheduler.start()


class JsonLines(logging.Formatter):
    """One JSON object a line: time, level, event, and the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        return json.dumps(line, ensure_ascii=False)


def configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
