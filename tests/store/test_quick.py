"""Reading the history without SQLAlchemy (`history` starts in a tenth of the time): only a
SQLite file already there and up to date is opened so; anything else goes to open_database."""

from __future__ import annotations

import sqlite3
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from composer.store import Database, open_for_reading, search
from composer.store.migrations import HEAD_REVISION
from composer.store.quick import default_database_path, sqlite_file
from tests.helpers import loaded_by_command
from tests.store.conftest import T0, publish

ROOT = Path(__file__).resolve().parents[2]


def test_an_up_to_date_file_opens_and_finds_what_the_engine_finds(
    db: Database, db_path: Path
) -> None:
    publish(db, ["Observers saw ballot stuffing."], title="Report", account="ank-x", sent_at=T0)
    with open_for_reading(str(db_path)) as quick:  # type: ignore[union-attr]
        assert quick.has_fts
        hits = search(quick, "ballot")
    assert hits == search(db, "ballot")
    sent_at = hits[0].sent_at
    assert sent_at is not None and sent_at.tzinfo is UTC and sent_at - T0 < timedelta(minutes=1)
    assert hits[0].thread_title == "Report"


def test_a_missing_file_is_left_to_open_database_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    assert open_for_reading(str(path)) is None
    assert open_for_reading(f"sqlite:///{path}") is None
    assert not path.exists()


def test_a_database_at_another_revision_is_left_to_open_database(
    db: Database, db_path: Path
) -> None:
    db.close()
    for revision in ("0010", "9999"):  # to migrate; newer than this code (refused there)
        with sqlite3.connect(db_path) as connection:
            connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        assert open_for_reading(str(db_path)) is None, revision
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (HEAD_REVISION,))
    quick = open_for_reading(str(db_path))
    assert quick is not None
    quick.connection.close()


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100])
def test_a_file_that_is_no_database_of_ours_is_left_to_open_database(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "other.sqlite3"
    path.write_bytes(content)
    assert open_for_reading(str(path)) is None
    assert path.read_bytes() == content


def test_which_names_are_sqlite_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPOSER_DATA_DIR", str(tmp_path / "data"))
    assert sqlite_file(None) == default_database_path() == tmp_path / "data" / "history.sqlite3"
    assert sqlite_file("h.sqlite3") == tmp_path / "h.sqlite3"
    assert sqlite_file("sqlite:///h.sqlite3") == tmp_path / "h.sqlite3"  # relative, as SQLAlchemy
    assert sqlite_file(f"sqlite:///{tmp_path}/h.sqlite3") == tmp_path / "h.sqlite3"
    for other in (
        "postgresql+psycopg://u:p@localhost/db",
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///file:h.sqlite3?mode=ro&uri=true",
        "sqlite:///h%20.sqlite3",
        "sqlite+pysqlite:///h.sqlite3",
    ):
        assert sqlite_file(other) is None, other


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        (["history", "ballot"], "Observers saw ballot stuffing."),
        (["queue", "--all"], "published"),
        (["queue", "--json"], "[]"),
    ],
)
def test_reading_commands_read_an_up_to_date_file_without_sqlalchemy(
    db: Database, db_path: Path, command: list[str], shown: str
) -> None:
    publish(db, ["Observers saw ballot stuffing."], title="Report", account="ank-x", sent_at=T0)
    db.close()
    heavy = ["sqlalchemy", "sqlmodel", "alembic", "composer.text.splitting", "apscheduler"]
    result, loaded = loaded_by_command(["--db", str(db_path), *command], heavy)
    assert shown in result.stdout, result.stderr
    assert loaded == [], result.stderr
