"""Opening, migrating and configuring the history database."""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from composer.store import DraftText, StoreError, open_database
from composer.store.database import database_url
from composer.store.migrations import include_name
from composer.store.models import metadata
from tests.helpers import upgraded_from_before_retracting

TABLES = {
    "threads",
    "editions",
    "posts",
    "attempts",
    "posts_fts",
    "recurrences",
    "daemon_workers",
    "post_media",
    "post_cards",
    "alembic_version",
}


def _head() -> str:

    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("composer.store") / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


HEAD = _head()  # the newest revision, whatever its number


def test_migrates_an_empty_file_to_head(db_path: Path) -> None:
    assert not db_path.exists()
    db = open_database(str(db_path))
    db.close()
    with sqlite3.connect(db_path) as raw:
        names = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
        version = raw.execute("SELECT version_num FROM alembic_version").fetchall()
    assert names >= TABLES
    assert {"posts_fts_after_insert", "posts_fts_after_update", "posts_fts_after_delete"} <= names
    assert version == [(HEAD,)]


def test_a_database_from_the_first_version_is_upgraded_with_its_data(db_path: Path) -> None:
    """0001 -> 0002 keeps the rows and the FTS triggers (an ADD COLUMN, not a table copy)."""
    import sqlalchemy as sa

    from composer.store import create_edition, record_thread, search
    from composer.store.database import upgrade

    engine = sa.create_engine(f"sqlite:///{db_path}")
    upgrade(engine, revision="0001")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO threads (title, body, created_at) "
                "VALUES ('T', 'B', '2026-11-28 00:00:00+00:00')"
            )
        )
    engine.dispose()
    db = open_database(str(db_path))
    try:
        thread = record_thread(db, DraftText(title="After", body="x"))
        assert thread.id == 2
        edition = create_edition(db, thread.id, account="a", platform="x", posts=["Zhanaozen vote"])
        assert edition.id is not None
        from composer.store import edition_posts, mark_post_sent

        post = edition_posts(db, edition.id)[0]
        assert post.id is not None and post.remote_container is None
        mark_post_sent(db, post.id, remote_id="1")
        assert [hit.text for hit in search(db, "zhanaozen")] == ["Zhanaozen vote"]
    finally:
        db.close()


def at_revision_with_edition_7(
    db_path: Path, revision: str, account: str, platform: str
) -> sa.Engine:
    """A database migrated to `revision` only, holding one scheduled edition (id 7) of a
    thread "Report" on `account`, as that version wrote it."""
    from composer.store.database import upgrade

    engine = sa.create_engine(f"sqlite:///{db_path}")
    upgrade(engine, revision=revision)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO threads (id, title, body, created_at) "
                "VALUES (1, 'Report', 'B', '2026-11-28 00:00:00')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO editions (id, thread_id, account, platform, status, scheduled_at, "
                "timezone, created_at, updated_at) VALUES (7, 1, :account, :platform, "
                "'scheduled', '2030-01-01 09:00:00', 'UTC', '2026-11-28 00:00:00', "
                "'2026-11-28 00:00:00')"
            ),
            {"account": account, "platform": platform},
        )
    return engine


def test_a_database_at_0003_gets_the_daemon_table_and_keeps_its_schedule(
    db_path: Path,
) -> None:
    """0003 -> 0004 adds daemon_workers; the scheduled editions and rules stay as they were."""
    from datetime import UTC, datetime

    from composer.daemon_note import daemon_note
    from composer.store.daemons import daemon_started
    from composer.store.queue_view import last_daemon_seen, upcoming

    engine = at_revision_with_edition_7(db_path, "0003", "ank-x", "x")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO recurrences (draft_path, account, rule, timezone, next_at, active, "
                "created_at, updated_at) VALUES ('/d.md', 'ank-x', '0 9 * * 1', 'UTC', "
                "'2030-01-07 09:00:00', 1, '2026-11-28 00:00:00', '2026-11-28 00:00:00')"
            )
        )
        assert "daemon_workers" not in sa.inspect(connection).get_table_names()
    engine.dispose()
    db = open_database(str(db_path))
    try:
        now = datetime(2026, 12, 3, tzinfo=UTC)
        [entry] = upcoming(db)
        assert (entry.edition_id, entry.title, entry.status.value) == (7, "Report", "scheduled")
        assert entry.scheduled_at == datetime(2030, 1, 1, 9, tzinfo=UTC)
        assert last_daemon_seen(db) is None
        assert (daemon_note(db, now) or "").startswith("no daemon has run yet")
        daemon_started(db, "h:1", host="h", pid=1, now=now)
        assert last_daemon_seen(db) == now and daemon_note(db, now) is None
    finally:
        db.close()
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]


def test_editions_from_before_options_upgrade_to_none_and_new_ones_keep_theirs(
    db_path: Path,
) -> None:
    """0006 -> head adds editions.options: an edition made before it has none (it is sent
    with the platforms' defaults); a new one keeps what it was given, exactly."""
    from composer.store import create_edition, edition_options, find_edition, record_thread
    from composer.text.options import NO_OPTIONS, PostOptions

    at_revision_with_edition_7(db_path, "0006", "ank-m", "mastodon").dispose()
    db = open_database(str(db_path))
    try:
        assert edition_options(find_edition(db, 7)) == NO_OPTIONS
        options = PostOptions(
            language="kk", visibility="unlisted", content_warning="Задержания", replies="nobody"
        )
        thread = record_thread(db, DraftText(title="After", body="x"))
        assert thread.id is not None
        made = create_edition(
            db, thread.id, account="a", platform="mastodon", posts=["x"], options=options
        )
        assert made.id is not None
        assert edition_options(find_edition(db, made.id)) == options
    finally:
        db.close()


def test_migrated_schema_matches_the_models(db_path: Path) -> None:
    db = open_database(str(db_path))
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        diff = compare_metadata(context, metadata)
    db.close()
    assert diff == []


def test_a_database_from_before_retracting_keeps_every_row_and_its_search(
    db_path: Path,
) -> None:
    """The revision that adds `retracted` copies `editions` and `posts` on SQLite (to change
    their CHECKs): every row that belongs to them (posts, attempts, images, notifications)
    survives, the FTS index still finds the posts, and the new statuses are taken."""
    from composer.store import search

    db = upgraded_from_before_retracting(f"sqlite:///{db_path}")
    try:
        assert [hit.text for hit in search(db, "zhanaozen")] == ["Zhanaozen vote"]
    finally:
        db.close()


def test_reopening_is_a_no_op(db_path: Path) -> None:
    open_database(str(db_path)).close()
    db = open_database(str(db_path))
    assert db.has_fts
    db.close()


def test_the_head_revision_known_without_alembic_is_the_scripts_head() -> None:
    """HEAD_REVISION lets an up-to-date database open without importing Alembic: it must be
    the newest migration, or a database would skip one."""
    from composer.store.migrations import HEAD_REVISION

    assert HEAD_REVISION == HEAD


def test_an_up_to_date_database_opens_without_alembic(db_path: Path) -> None:
    """Start-up speed (issue 16): Alembic (and its half-second of imports) only when a
    migration is due. A new database is migrated; reopened, Alembic is not imported."""
    import subprocess
    import sys

    probe = (
        "import sys; from composer.store import open_database; "
        f"open_database({str(db_path)!r}).close(); print('alembic' in sys.modules)"
    )
    run = lambda: subprocess.run(  # noqa: E731
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert run() == "True"  # made: migrated by Alembic
    assert run() == "False"  # at the head: one query


def test_sqlite_pragmas_on_every_connection(db_path: Path) -> None:
    db = open_database(str(db_path))
    with db.read_engine.connect() as first, db.read_engine.connect() as second:
        for connection in (first, second):
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA busy_timeout").scalar() == 5000
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL
    db.close()


def test_foreign_keys_are_enforced(db_path: Path) -> None:
    db = open_database(str(db_path))
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO editions (thread_id, account, platform, status, created_at, updated_at)"
            " VALUES (999, 'a', 'x', 'draft', '2026-01-01', '2026-01-01')"
        )
    db.close()


def test_a_database_newer_than_the_code_is_refused(db_path: Path) -> None:
    open_database(str(db_path)).close()
    with sqlite3.connect(db_path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(StoreError, match="newer") as caught:
        open_database(str(db_path))
    assert str(db_path) in str(caught.value)


def test_an_unopenable_path_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "missing-dir" / "history.sqlite3"
    with pytest.raises(StoreError) as caught:
        open_database(str(path))
    assert str(path) in str(caught.value)


def test_a_directory_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open"):
        open_database(str(tmp_path))


def test_a_url_password_never_shows_in_errors() -> None:
    with pytest.raises(StoreError) as caught:
        open_database("nosuchdialect://user:s3cr3t-pw@localhost/db")
    assert "s3cr3t-pw" not in str(caught.value)


def test_urls_and_paths(tmp_path: Path) -> None:
    assert database_url("sqlite:///x.db").database == "x.db"
    url = database_url(str(tmp_path / "h.db"))
    assert url.drivername == "sqlite"
    assert url.database == str(tmp_path / "h.db")


def test_default_path_is_in_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COMPOSER_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = database_url(None)
    assert url.database == str(tmp_path / "data" / "thread-composer" / "history.sqlite3")
    assert (tmp_path / "data" / "thread-composer").is_dir()


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not sqlite " * 200)
    with pytest.raises(StoreError, match="cannot open") as caught:
        open_database(str(path))
    assert str(path) in str(caught.value)


POSIX_ONLY = pytest.mark.skipif(__import__("os").name != "posix", reason="file modes are POSIX")


@POSIX_ONLY
def test_the_default_database_is_private_and_lives_in_composer_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    data = tmp_path / "data" / "composer"
    monkeypatch.setenv("COMPOSER_DATA_DIR", str(data))
    old_umask = os.umask(0o022)
    try:
        db = open_database(None)
        from composer.store import record_thread

        record_thread(db, DraftText(title="t", body="b"))  # writes the -wal too
        assert db.location == str(data / "history.sqlite3")
        assert (data.stat().st_mode & 0o777) == 0o700
        for name in ("history.sqlite3", "history.sqlite3-wal", "history.sqlite3-shm"):
            assert ((data / name).stat().st_mode & 0o777) == 0o600, name
        db.close()
    finally:
        os.umask(old_umask)


@POSIX_ONLY
def test_an_older_readable_default_database_and_folder_are_made_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    monkeypatch.setenv("COMPOSER_DATA_DIR", str(data))
    open_database(None).close()
    (data / "history.sqlite3").chmod(0o644)
    open_database(None).close()
    assert (data.stat().st_mode & 0o777) == 0o700
    assert ((data / "history.sqlite3").stat().st_mode & 0o777) == 0o600


@POSIX_ONLY
def test_a_new_database_file_at_a_given_path_is_private(db_path: Path) -> None:
    import os

    old_umask = os.umask(0o022)
    try:
        open_database(str(db_path)).close()
    finally:
        os.umask(old_umask)
    assert (db_path.stat().st_mode & 0o777) == 0o600


def test_a_database_at_0006_does_not_tell_again_what_it_told(db_path: Path) -> None:
    """0006 -> 0007 keys notifications by occurrence; the rows already there get the
    occurrence they were about, so an upgrade re-sends nothing."""
    from datetime import UTC, datetime, timedelta

    from composer.store import edition_events
    from composer.store.database import upgrade

    engine = sa.create_engine(f"sqlite:///{db_path}")
    upgrade(engine, revision="0006")
    ended = "2026-12-01 08:00:00"
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO threads (id, title, body, created_at) "
                "VALUES (1, 'Report', 'B', '2026-11-28 00:00:00')"
            )
        )
        for edition_id, status in ((7, "failed"), (8, "partial")):
            connection.execute(
                sa.text(
                    "INSERT INTO editions (id, thread_id, account, platform, status, "
                    "scheduled_at, timezone, created_at, updated_at) VALUES (:id, 1, 'ank-x', "
                    "'x', :status, '2026-12-01 07:00:00', 'UTC', '2026-11-28 00:00:00', :ended)"
                ),
                {"id": edition_id, "status": status, "ended": ended},
            )
        connection.execute(  # edition 7's failure was told; edition 8's stop was not yet
            sa.text(
                "INSERT INTO notifications (edition_id, event, created_at, next_attempt_at, "
                "attempts, delivered_at, delivered_to) VALUES (7, 'failed', :at, :at, 1, :at, '')"
            ),
            {"at": ended},
        )
    engine.dispose()
    db = open_database(str(db_path))
    try:
        now = datetime(2026, 12, 1, 9, tzinfo=UTC)
        found = edition_events(db, now, since=now - timedelta(days=1), late_after=timedelta(0))
        assert [(e.edition_id, e.event) for e in found] == [(8, "stopped")]
    finally:
        db.close()
