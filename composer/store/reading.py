"""Reads written once as SQL text, run on either kind of source: a `QuickHistory` (sqlite3,
for commands that must start without SQLAlchemy) or a `Database` (its engine: the TUI,
PostgreSQL). Used by `searching` and `queue_view`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from composer.store.quick import QuickHistory

if TYPE_CHECKING:
    from composer.store.database import Database

    Source = Database | QuickHistory


def rows(source: Source, sql: str, params: dict[str, object]) -> Sequence[Mapping[str, Any]]:
    """The rows `sql` selects, by column name. SQLAlchemy is imported only for a Database,
    which has already imported it."""
    if isinstance(source, QuickHistory):
        return source.rows(sql, params)
    import sqlalchemy as sa

    with source.read_session() as session:
        return [dict(row) for row in session.execute(sa.text(sql), params).mappings()]


def utc(value: datetime | str | None) -> datetime | None:
    """A stored time as an aware UTC datetime: SQLite keeps naive UTC text (models.UTCDateTime),
    PostgreSQL hands back datetimes."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def in_list(values: Sequence[str]) -> str:
    """`(...)` of constant strings of ours (statuses), for an IN in SQL text."""
    return "(" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + ")"
