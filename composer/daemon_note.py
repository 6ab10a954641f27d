"""Whether to say that scheduled threads are going nowhere: something waits for a daemon and
none has been seen lately. Said by `queue`, `schedule`, the queue screen and the schedule
dialog; reads through `store.queue_view`, so `queue` asks it without SQLAlchemy."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from composer.store import last_daemon_seen, waiting_for_a_daemon
from composer.workspace.when import humanize

if TYPE_CHECKING:
    from composer.store import Database, QuickHistory

# A daemon looks at the schedule every second by default and records it every few seconds;
# `daemon --once` from a timer every few minutes is seen less often. Longer than this
# without one, and scheduled threads are said to be going nowhere.
DAEMON_SILENT_AFTER = timedelta(minutes=10)
START_A_DAEMON = "scheduled threads will not be sent; start one with thread-composer daemon"


def daemon_note(
    db: Database | QuickHistory, now: datetime, *, scheduling: bool = False
) -> str | None:
    """What `queue`, `schedule`, the queue screen and the schedule dialog say when something
    waits for a daemon (a scheduled edition, an active rule; with `scheduling`, what is being
    scheduled) and none has been seen lately; None when one has, or when nothing waits."""
    if not scheduling and not waiting_for_a_daemon(db):
        return None
    seen = last_daemon_seen(db)
    if seen is None:
        return f"no daemon has run yet: {START_A_DAEMON}"
    if now - seen <= DAEMON_SILENT_AFTER:
        return None
    return f"no daemon has run for {humanize(now - seen)}: {START_A_DAEMON}"
