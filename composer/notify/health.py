"""What `thread-composer check` reports: the problems a person must know of, for cron or a
monitoring system. No daemon seen within the allowed silence (the one way a team learns
that none runs at all), editions overdue or left half-sent by a process that stopped, and
editions that failed, stopped or were missed lately, and retractions that stopped with
posts still up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from composer.notify.events import LOOK_BACK, SILENT, deliver_due, record_events
from composer.notify.messages import plain
from composer.store import (
    Database,
    EditionStatus,
    last_daemon_seen,
    last_event,
    record_notice,
    upcoming,
)
from composer.workspace.config import Config

OVERDUE_AFTER = timedelta(minutes=2)  # a daemon takes a due edition within a round or two
_ENDED = {
    EditionStatus.FAILED: "failed",
    EditionStatus.PARTIAL: "stopped",
    EditionStatus.MISSED: "missed",
}


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str  # "silent", "overdue", "interrupted", "failed", "stopped", "missed"
    edition_id: int | None
    text: str  # one line, safe to print


def problems(db: Database, now: datetime, *, max_silence: timedelta) -> list[Problem]:
    found: list[Problem] = []
    seen = last_daemon_seen(db)
    if seen is None or now - seen > max_silence:
        since = f"since {seen:%Y-%m-%d %H:%M} UTC" if seen else "ever, on this database"
        found.append(Problem(SILENT, None, f"no daemon seen {since}: nothing scheduled is sent"))
    for entry in upcoming(db, include_done=True, done_limit=1000, now=now):
        about = (
            f'edition {entry.edition_id} ({plain(entry.account, 100)}, "{plain(entry.title, 80)}")'
        )
        reason = f": {plain(entry.last_error)}" if entry.last_error else ""
        if entry.status is EditionStatus.SCHEDULED and entry.scheduled_at is not None:
            if now - entry.scheduled_at > OVERDUE_AFTER:
                late = int((now - entry.scheduled_at).total_seconds() // 60)
                found.append(Problem("overdue", entry.edition_id, f"{about}: {late} min overdue"))
        elif entry.status is EditionStatus.PUBLISHING and entry.claim_free:
            resume = entry.resume_command() or "a daemon resumes it"
            text = f"{about}: left half-sent by a process that stopped; resume: {resume}"
            found.append(Problem("interrupted", entry.edition_id, text))
        elif entry.status is EditionStatus.RETRACTING and entry.claim_free:
            text = (
                f"{about}: its retraction stopped with posts still up{reason}; resume: "
                f"thread-composer retract {entry.edition_id}"
            )
            found.append(Problem("interrupted", entry.edition_id, text))
        elif entry.status in _ENDED and now - entry.updated_at <= LOOK_BACK:
            kind = _ENDED[entry.status]
            found.append(Problem(kind, entry.edition_id, f"{about}: {kind}{reason}"))
    return found


def notify_problems(db: Database, config: Config, now: datetime, found: list[Problem]) -> None:
    """`check --notify`: the editions' events recorded (each once, as a daemon would) and
    the silence once per silent spell; then everything due delivered."""
    record_events(db, config, now)
    silent = next((p for p in found if p.kind == SILENT), None)
    if silent is not None:
        told = last_event(db, SILENT)
        seen = last_daemon_seen(db)
        if told is None or (seen is not None and told < seen):
            record_notice(db, SILENT, now, silent.text)
    deliver_due(db, config, now)
