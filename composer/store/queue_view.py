"""What `queue` and the queue screen show: the editions waiting or being sent (and, asked,
those finished), whether a daemon is needed and when one was last seen.

Written once as SQL text (`reading`), so `queue` reads an up-to-date SQLite file through
sqlite3 and starts without SQLAlchemy; the TUI and PostgreSQL run the same SQL through the
engine. Whether a claim is free is `workers.claim_is_free`, asked per row.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from composer.store.reading import in_list, rows, utc
from composer.store.statuses import ACTIVE, DONE, HELD, EditionStatus, utc_now
from composer.store.workers import claim_is_free

if TYPE_CHECKING:
    from composer.store.reading import Source

DONE_LIMIT = 20


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One edition as `queue` shows it."""

    edition_id: int
    account: str
    platform: str
    status: EditionStatus
    scheduled_at: datetime | None  # aware UTC; None for an edition published without a time
    timezone: str | None
    title: str
    post_count: int
    updated_at: datetime
    last_error: str | None  # already redacted
    follows_edition_id: int | None = None  # the edition a follow-up continues
    draft_path: str | None = None  # the draft it was made from (None: added without one)
    # Publishing (or retracting), and nobody live holds it (claims.may_take): left so by a
    # process that stopped.
    claim_free: bool = False

    @property
    def interrupted(self) -> bool:
        """Left publishing by a `publish` (or the TUI's publish now) that stopped: Ctrl-C, a
        kill, a crash. Nobody is sending it, and no daemon will (a daemon resumes only what
        was scheduled): running `publish` on its draft and account again resumes it."""
        return (
            self.status is EditionStatus.PUBLISHING
            and self.claim_free
            and self.scheduled_at is None
        )

    def state(self, now: datetime) -> str:
        """The one word `queue` and the queue screen show: "interrupted", "overdue", or the
        status."""
        if self.interrupted:
            return "interrupted"
        return "overdue" if self.overdue(now) else self.status.value

    def resume_command(self) -> str | None:
        """For an interrupted edition, the command that resumes it (`publish` claims it
        again); None for any other."""
        if not self.interrupted:
            return None
        return resume_command(self.draft_path, self.account, self.follows_edition_id)

    def overdue(self, now: datetime) -> bool:
        """Scheduled and past its time: no daemon has taken it (or one holds it for the
        edition it follows)."""
        return (
            self.status is EditionStatus.SCHEDULED
            and self.scheduled_at is not None
            and self.scheduled_at < now
        )


def resume_command(draft_path: str | None, account: str, follows_edition_id: int | None) -> str:
    """The command that resumes an edition from the ledger (`publish` claims it again)."""
    draft = draft_path or "DRAFT"  # an edition made without a draft file (the API)
    words = ["thread-composer", "publish", draft, "--account", account]
    if follows_edition_id is not None:
        words += ["--follows", str(follows_edition_id)]
    return shlex.join(words)


def upcoming(
    source: Source,
    *,
    account: str | None = None,
    include_done: bool = False,
    done_limit: int = DONE_LIMIT,
    now: datetime | None = None,
) -> list[QueueEntry]:
    """Scheduled (and publishing) editions, soonest first; with `include_done`, followed by
    the `done_limit` most recently finished ones (published, partial, failed, missed,
    cancelled), newest first. `account` keeps one account's editions only. Whether nobody
    holds a publishing one is decided as of `now`."""
    now = now or utc_now()
    params: dict[str, object] = {} if account is None else {"account": account}
    mine = " AND editions.account = :account" if account is not None else ""
    active = (
        f"{_ENTRIES} WHERE editions.status IN {in_list(ACTIVE)}{mine} "
        "ORDER BY editions.scheduled_at IS NULL, editions.scheduled_at, editions.id"
    )
    found = rows(source, active, params)
    if include_done:
        done = (
            f"{_ENTRIES} WHERE editions.status IN {in_list(DONE)}{mine} "
            "ORDER BY editions.updated_at DESC, editions.id DESC LIMIT :done_limit"
        )
        found = [*found, *rows(source, done, {**params, "done_limit": done_limit})]
    return [_entry(row, now) for row in found]


def waiting_for_a_daemon(source: Source) -> bool:
    """Whether anything is left for a daemon to send: a scheduled edition or an active
    recurring rule."""
    sql = (
        "SELECT EXISTS (SELECT 1 FROM editions WHERE status = :scheduled) "
        "OR EXISTS (SELECT 1 FROM recurrences WHERE active) AS waiting"
    )
    return bool(rows(source, sql, {"scheduled": EditionStatus.SCHEDULED.value})[0]["waiting"])


def has_active_rules(source: Source, *, account: str | None = None) -> bool:
    """Whether a recurring rule (of `account`) is active."""
    mine = " AND account = :account" if account is not None else ""
    sql = f"SELECT EXISTS (SELECT 1 FROM recurrences WHERE active{mine}) AS found"
    params: dict[str, object] = {} if account is None else {"account": account}
    return bool(rows(source, sql, params)[0]["found"])


def last_daemon_seen(source: Source) -> datetime | None:
    """When any daemon was last seen (aware UTC), or None if none ever ran here."""
    return utc(rows(source, "SELECT max(seen_at) AS seen FROM daemon_workers", {})[0]["seen"])


_ENTRIES = (
    "SELECT editions.id AS edition_id, editions.account, editions.platform, editions.status, "
    "editions.scheduled_at, editions.timezone, threads.title, "
    "(SELECT count(posts.id) FROM posts WHERE posts.edition_id = editions.id) AS post_count, "
    "editions.updated_at, editions.last_error, editions.follows_edition_id, "
    "threads.draft_path, editions.claimed_by, editions.claimed_until "
    "FROM editions JOIN threads ON threads.id = editions.thread_id"
)


def _entry(row: Mapping[str, Any], now: datetime) -> QueueEntry:
    status = EditionStatus(row["status"])
    updated_at = utc(row["updated_at"])
    assert updated_at is not None  # the column is NOT NULL
    return QueueEntry(
        edition_id=row["edition_id"],
        account=row["account"],
        platform=row["platform"],
        status=status,
        scheduled_at=utc(row["scheduled_at"]),
        timezone=row["timezone"],
        title=row["title"],
        post_count=row["post_count"],
        updated_at=updated_at,
        last_error=row["last_error"],
        follows_edition_id=row["follows_edition_id"],
        draft_path=row["draft_path"],
        claim_free=status in HELD
        and claim_is_free(status, row["claimed_by"], utc(row["claimed_until"]), now),
    )
