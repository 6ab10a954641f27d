"""Daemon heartbeats: which daemons run, and when one was last seen.

A daemon writes its row when it starts and, at most every few seconds, at its rounds (one
UPDATE); `daemon --once` writes it too. Nothing here decides what "too long ago" is: that
is `composer.daemon_note`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col

from composer.store.database import Database
from composer.store.models import DaemonWorker

# Rows of daemons not seen for this long are dropped when a daemon starts (it is seen now,
# so the newest time stays right).
FORGET_AFTER = timedelta(days=30)


def daemon_started(db: Database, worker: str, *, host: str, pid: int, now: datetime) -> None:
    """This daemon's row, (re)written as started and seen `now`."""
    with db.session() as session:
        session.execute(
            sa.delete(DaemonWorker).where(
                (col(DaemonWorker.worker) == worker)
                | (col(DaemonWorker.seen_at) < now - FORGET_AFTER)
            )
        )
        session.add(DaemonWorker(worker=worker, host=host, pid=pid, started_at=now, seen_at=now))


def daemon_seen(db: Database, worker: str, *, host: str, pid: int, now: datetime) -> None:
    """This daemon was alive `now` (its row is made if it has none: `daemon --once`)."""
    with db.session() as session:
        statement = (
            sa.update(DaemonWorker).where(col(DaemonWorker.worker) == worker).values(seen_at=now)
        )
        if session.connection().execute(statement).rowcount == 0:
            session.add(
                DaemonWorker(worker=worker, host=host, pid=pid, started_at=now, seen_at=now)
            )
