"""The history database opened for reading with the standard library's sqlite3, for the
commands a person waits for (`history`): importing SQLAlchemy and SQLModel costs more than
the whole search.

Only a SQLite file that is already there and up to date (at HEAD_REVISION) is opened so;
anything else (PostgreSQL, a new file, one to migrate, a URL with options, a file that is no
database of ours) is left to `open_database`, which creates, migrates and reports.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

from composer import locations
from composer.store.errors import DatabaseFailure, redact
from composer.store.migrations import FTS_TABLE, HEAD_REVISION

DB_FILENAME = "history.sqlite3"
BUSY_TIMEOUT_MS = 5000  # how long a read or write waits for another process's lock


def default_database_path() -> Path:
    """The history file in the data folder (composer.locations: COMPOSER_DATA_DIR moves it)."""
    return locations.data_folder() / DB_FILENAME


@dataclass(slots=True)
class QuickHistory:
    """An up-to-date SQLite history open for reading, closed on leaving a `with` block."""

    connection: sqlite3.Connection
    has_fts: bool
    location: str  # the file, for error messages

    def rows(self, sql: str, params: dict[str, object]) -> list[dict[str, Any]]:
        """The rows `sql` selects, by column name; a failing read (a lock held too long, a
        disk error) is a DatabaseFailure naming the file, as from open_database."""
        try:
            cursor = self.connection.execute(sql, params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        except sqlite3.Error as error:
            reason = redact(str(error).splitlines()[0] if str(error) else type(error).__name__)
            raise DatabaseFailure(f"database {self.location} failed: {reason}") from None

    def __enter__(self) -> QuickHistory:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.connection.close()


def open_for_reading(url_or_path: str | None) -> QuickHistory | None:
    """The database `url_or_path` names (as `open_database` reads it), opened with sqlite3
    when it is a SQLite file already at HEAD_REVISION; else None."""
    path = sqlite_file(url_or_path)
    if path is None or not path.is_file():
        return None
    try:
        # mode=rw: never create a file (a missing one is open_database's to make, privately).
        connection = sqlite3.connect(
            f"file:{quote(str(path))}?mode=rw",
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
    except sqlite3.Error:
        return None
    try:
        version = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        fts = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (FTS_TABLE,)
        ).fetchone()
    except sqlite3.Error:  # not a database, not ours, locked too long: open_database says
        connection.close()
        return None
    if version != [(HEAD_REVISION,)]:
        connection.close()
        return None
    return QuickHistory(connection, has_fts=fts is not None, location=str(path))


def sqlite_file(url_or_path: str | None) -> Path | None:
    """The SQLite file `url_or_path` names: None (the data folder's), a path, or a plain
    `sqlite:///` URL. None for anything else, which only SQLAlchemy reads right."""
    if url_or_path is None:
        return default_database_path()
    if "://" not in url_or_path:
        return Path(url_or_path).expanduser().resolve()
    prefix = "sqlite:///"
    rest = url_or_path.removeprefix(prefix)
    if rest == url_or_path or not rest or rest.startswith(":") or "?" in rest or "%" in rest:
        return None
    return Path(rest).resolve()  # sqlite:///relative or sqlite:////absolute, as SQLAlchemy
