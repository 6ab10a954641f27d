"""Finding the events to notify, and delivering them: what a daemon round and `check`
call (`notify_round`). Never raises: a notification that cannot be delivered is logged
(redacted) and retried with backoff by a later round; publishing never waits on it.

Which events: an edition that ended failed (refused, nothing sent), stopped (some posts
sent, then an error: resumable), missed (its time passed beyond the grace period), or
published (if asked for), in the last `LOOK_BACK`; and one still scheduled or being
published more than `LATE_AFTER` past its time (`retrying`). A daemon killed mid-edition
leaves it publishing: the next daemon takes it over within seconds and finishes it
(`published`), or it ends stopped (`stopped`), or it stays late (`retrying`); if no daemon
runs at all, `check` says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from composer.notify.delivery import TargetResult, send
from composer.notify.messages import Message, edition_message, silence_message
from composer.store import (
    Database,
    Pending,
    edition_events,
    edition_facts,
    forget_old,
    mark_delivered,
    mark_undelivered,
    record_event,
    take_due,
    target_key,
)
from composer.workspace.config import Config, ConfigError
from composer.workspace.notify_config import NotifyUrl

LATE_AFTER = timedelta(minutes=10)
LOOK_BACK = timedelta(days=1)  # ended editions older than this are not notified
HOLD = timedelta(minutes=5)  # a delivery taken by a process is left to it this long
SILENT = "silent"  # the edition-less event of `check`: no daemon seen

log = logging.getLogger("composer.daemon.notify")

Send = Callable[[list[NotifyUrl], Message], list[TargetResult]]


@dataclass(slots=True)
class Delivered:
    """What one `deliver_due` did."""

    delivered: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def record_events(db: Database, config: Config, now: datetime) -> list[tuple[int, str]]:
    """Record the events the accounts' [notify] tables ask for; the (edition, event) pairs
    recorded now (none twice, whichever process looks)."""
    recorded: list[tuple[int, str]] = []
    for found in edition_events(db, now, since=now - LOOK_BACK, late_after=LATE_AFTER):
        settings = config.notify_for(found.account)
        if settings is None or not settings.wants(found.event):
            continue
        if record_event(db, found, now):
            recorded.append((found.edition_id, found.event))
    return recorded


def _targets(config: Config, pending: Pending, account: str | None) -> list[NotifyUrl]:
    if account is not None:
        settings = config.notify_for(account)
        return settings.urls() if settings is not None else []
    urls: dict[str, NotifyUrl] = {}
    for settings in config.all_notify():
        for url in settings.urls():
            urls.setdefault(url.url, url)
    return list(urls.values())


def deliver_due(db: Database, config: Config, now: datetime, *, sender: Send = send) -> Delivered:
    """Send every notification due (taken first, so one process sends each); each target
    that took it is remembered, and a retry goes to the others only."""
    done = Delivered()
    for pending in take_due(db, now, HOLD):
        account: str | None = None
        message: Message
        if pending.edition_id is None:
            message = silence_message(pending.detail or "")
        else:
            facts = edition_facts(db, pending.edition_id)
            if facts is None:  # the edition was deleted
                mark_delivered(db, pending.id, now)
                continue
            account = facts.account
            message = edition_message(pending.event, facts, now)
        try:
            urls = _targets(config, pending, account)
        except ConfigError as error:  # the variable unset, the command failing
            _failed(db, pending, now, str(error), pending.delivered_to, done)
            continue
        left = [url for url in urls if target_key(url.url) not in pending.delivered_to]
        results = sender(left, message) if left else []
        took = pending.delivered_to | {target_key(r.url.url) for r in results if r.ok}
        errors = [f"{r.shown}: {r.error}" for r in results if not r.ok]
        if errors:
            _failed(db, pending, now, "; ".join(errors), took, done)
        else:
            mark_delivered(db, pending.id, now)
            done.delivered.append(pending.id)
            fields = {"notification": pending.id, "notice": pending.event, "targets": len(left)}
            log.info("notified", extra={"fields": {**fields, "edition": pending.edition_id}})
    return done


def _failed(
    db: Database,
    pending: Pending,
    now: datetime,
    error: str,
    took: frozenset[str],
    done: Delivered,
) -> None:
    attempts = mark_undelivered(db, pending.id, now, error, took)
    done.failed.append(pending.id)
    fields = {
        "notification": pending.id,
        "edition": pending.edition_id,
        "notice": pending.event,
        "attempts": attempts,
        "error": error,
    }
    log.warning("notification not delivered", extra={"fields": fields})


def notify_round(db: Database, config: Config, now: datetime, *, sender: Send = send) -> None:
    """Record the new events and deliver what is due; never raises (logged instead)."""
    try:
        if not config.all_notify():
            return
        if record_events(db, config, now):
            forget_old(db, now)  # now and then: when something new was recorded
        deliver_due(db, config, now, sender=sender)
    except Exception as error:  # the database away, say: the next round tries again
        log.error("notifications", extra={"fields": {"error": str(error)}})
