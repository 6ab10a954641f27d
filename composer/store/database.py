"""Opening the history database: URL or file path, SQLite pragmas, migrations to head."""

from __future__ import annotations

import asyncio
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlmodel import Session, SQLModel

from composer.locations import private_data_folder
from composer.store.driver import (
    LedgerConnection,
    LedgerDriver,
    failure,
    is_busy,
    set_up_connection,
)
from composer.store.errors import DatabaseFailure, LockBusy, StoreError, redact
from composer.store.migrations import FTS_TABLE, HEAD_REVISION
from composer.store.quick import BUSY_TIMEOUT_MS, default_database_path

if TYPE_CHECKING:
    from alembic.config import Config

# Execution option read by the "begin" listener: which BEGIN a SQLite transaction uses.
_BEGIN_OPTION = "composer_sqlite_begin"


@dataclass(frozen=True)
class Database:
    """An engine on a migrated database, and the sessions to use it with.

    On SQLite every transaction of `engine` starts with BEGIN IMMEDIATE (one writer at a
    time, waiting up to the busy timeout); use `read_engine` / `read_session` to only read.
    """

    engine: Engine
    location: str  # the file path, or the URL with any password hidden: safe to show
    has_fts: bool
    driver: LedgerDriver | None = None  # `without_waiting`'s: the ledger's hot path

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for writing, committed when the block ends without error.

        On SQLite it starts with BEGIN IMMEDIATE: the write lock is taken (or waited for, up
        to the busy timeout) at once, so a transaction that reads and then writes cannot fail
        with "database is locked" when another process wrote in between.
        """
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def transaction(self) -> AbstractContextManager[LedgerConnection]:
        """One transaction of the ledger's Core statements built once, committed when the
        block ends without error: on the SQLite driver where there is one (`driver.py`: the
        daemon's loop), else on the engine (BEGIN IMMEDIATE on SQLite, as `session`)."""
        return self.driver.begin() if self.driver is not None else self.engine.begin()

    @property
    def read_engine(self) -> Engine:
        """The engine for read-only work: deferred transactions that never wait for writers."""
        return self.engine.execution_options(**{_BEGIN_OPTION: "DEFERRED"})

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reading only (see `read_engine`)."""
        with Session(self.read_engine, expire_on_commit=False) as session, session.begin():
            yield session

    @cached_property
    def without_waiting(self) -> Database | None:
        """On SQLite, this database on connections that never wait for another's write
        lock (their transactions fail at once with LockBusy instead): for `ledger_step`
        to write on the event loop's own thread. Made when first used."""
        url = self.engine.url
        if not self.is_sqlite or url.database in (None, "", ":memory:") or _is_uri(url):
            return None  # one in memory (or a URI) is another database on a new engine
        engine = sa.create_engine(url)
        _configure_sqlite(engine, busy_timeout_ms=0)
        _busy_fails_at_once(engine)
        _fail_in_one_line(engine, self.location)
        driver = LedgerDriver(url.database, self.location, engine.dialect)
        return replace(self, engine=engine, driver=driver)

    def close(self) -> None:
        self.engine.dispose()
        if self.driver is not None:
            self.driver.close()
        waiting_free = self.__dict__.get("without_waiting")
        if waiting_free is not None:
            waiting_free.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_P = ParamSpec("_P")
_T = TypeVar("_T")
_Row = TypeVar("_Row", bound=SQLModel)


def existing(
    session: Session, model: type[_Row], key: int, what: str, *, fresh: bool = False
) -> _Row:
    """The `model` row with id `key`; StoreError "no {what} {key}" when there is none.
    `fresh` reads it again rather than the session's copy (after a Core UPDATE)."""
    row = session.get(model, key, populate_existing=fresh)
    if row is None:
        raise StoreError(f"no {what} {key}")
    return row


# SQLite takes one writer at a time, and threads of one process waiting for its lock sleep
# in its busy handler (up to 100 ms a try): one thread making every call goes faster.
_SQLITE_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="composer-sqlite")


async def off_loop(db: Database, call: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """`call(*args, **kwargs)` in a worker thread, awaited: the event loop serves other
    accounts' requests meanwhile. On SQLite, one thread takes every such call in turn."""
    executor = _SQLITE_THREAD if db.is_sqlite else None
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, functools.partial(call, *args, **kwargs))


_POSTGRES = "postgresql+psycopg"
POSTGRES_DRIVER_MISSING = (
    "PostgreSQL needs the driver: pip install 'thread-composer[postgres]' (or pipx inject"
    " thread-composer 'psycopg[binary]'; a uv tool: uv tool install again with"
    " --with 'psycopg[binary]')"
)


def database_url(url_or_path: str | None) -> URL:
    """A SQLAlchemy URL for a URL, a SQLite file path, or None (the user data dir)."""
    if url_or_path is None:
        path = default_database_path()
        try:
            private_data_folder()
            _tighten(path)
        except OSError as error:
            raise StoreError(f"cannot create {path.parent}: {error.strerror}") from None
        return URL.create("sqlite", database=str(path))
    if "://" in url_or_path:
        try:
            url = make_url(url_or_path)
        except ArgumentError:
            # The message would echo the URL, password included.
            raise StoreError("the database URL is not a valid SQLAlchemy URL") from None
        # SQLAlchemy's own default is psycopg2; the `postgres` extra installs psycopg (3).
        return url.set(drivername=_POSTGRES) if url.drivername == "postgresql" else url
    return URL.create("sqlite", database=str(Path(url_or_path).expanduser().resolve()))


# How long `ledger_step` retries on the event loop before it waits in the SQLite thread, and
# its first and longest pause between tries.
_ON_LOOP_FOR = 0.25
_FIRST_PAUSE, _LONGEST_PAUSE = 0.001, 0.02


async def ledger_step(
    db: Database, call: Callable[Concatenate[Database, _P], _T], *args: _P.args, **kwargs: _P.kwargs
) -> _T:
    """`call(db, *args, **kwargs)`, one transaction of the ledger (a post marked sending or
    sent, an edition's run begun or ended, a claim renewed or released), awaited.

    On SQLite it runs on the event loop's own thread when the write lock is free: the
    transaction takes a fraction of a millisecond, less than handing it to a thread and back
    (bench_daemon: about a quarter of the daemon's CPU). While another connection holds the
    lock, the loop serves other accounts between short pauses, never sleeping in SQLite's
    busy handler (which sleeps up to 100 ms a try, for every account at once); after
    `_ON_LOOP_FOR` it waits its turn in the SQLite thread, as `off_loop` does. So `call`
    must be one transaction: a try that found the lock taken wrote nothing, and runs again.
    Elsewhere (PostgreSQL), it is `off_loop`.
    """
    fast = db.without_waiting
    if fast is None:
        return await off_loop(db, call, db, *args, **kwargs)
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + _ON_LOOP_FOR
    pause = _FIRST_PAUSE
    while loop.time() < give_up_at:
        try:
            return call(fast, *args, **kwargs)
        except LockBusy:
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)
    return await off_loop(db, call, db, *args, **kwargs)


def _busy_fails_at_once(engine: Engine) -> None:
    """SQLITE_BUSY (and its extended codes) raised as LockBusy: the caller tries again. It
    is registered before `_fail_in_one_line`, which would make it a DatabaseFailure."""

    @sa.event.listens_for(engine, "handle_error")
    def on_error(context: sa.engine.ExceptionContext) -> None:
        original = context.original_exception
        if is_busy(original):
            raise LockBusy(str(original)) from None


def open_database(url_or_path: str | None) -> Database:
    """Open (creating if needed) and migrate the history database; raise StoreError."""
    url = database_url(url_or_path)
    location = _safe_location(url)
    try:
        engine = sa.create_engine(url)
    except ImportError as error:
        if url.drivername == _POSTGRES:  # installed without the `postgres` extra
            raise StoreError(POSTGRES_DRIVER_MISSING) from None
        raise StoreError(f"cannot use database {location}: {type(error).__name__}") from None
    except ArgumentError as error:
        raise StoreError(f"cannot use database {location}: {type(error).__name__}") from None
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
        if url.database and url.database != ":memory:" and not _is_uri(url):
            _create_private(Path(url.database), location)
    try:
        if _revision(engine) != HEAD_REVISION:  # new, older, or newer: Alembic decides
            upgrade(engine, location=location)
        has_fts = engine.dialect.name == "sqlite" and _has_table(engine, FTS_TABLE)
    except DBAPIError as error:
        engine.dispose()
        reason = redact(str(error.orig).splitlines()[0] if error.orig else type(error).__name__)
        # Unopenable or unwritable (a read-only file or folder) is a runtime failure.
        kind = DatabaseFailure if isinstance(error, sa.exc.OperationalError) else StoreError
        raise kind(f"cannot open database {location}: {reason}") from None
    except StoreError:
        engine.dispose()
        raise
    _fail_in_one_line(engine, location)
    return Database(engine=engine, location=location, has_fts=has_fts)


def _fail_in_one_line(engine: Engine, location: str) -> None:
    """Once open, the database failing (a read-only file, a full disk, a server gone) is a
    DatabaseFailure: one line naming the database and the driver's reason, never the SQL
    (it holds posts' text) nor a traceback. Constraint violations stay what they are."""

    @sa.event.listens_for(engine, "handle_error")
    def on_error(context: sa.engine.ExceptionContext) -> None:
        error = context.sqlalchemy_exception
        if isinstance(error, sa.exc.OperationalError | sa.exc.InternalError):
            raise failure(location, context.original_exception) from None


def _is_uri(url: URL) -> bool:
    """A SQLite URI filename (`file:...?mode=ro&uri=true`): SQLite opens it as it says,
    so nothing is created beside it."""
    uri = str(url.query.get("uri", "")).lower() == "true"
    return uri or (url.database or "").startswith("file:")


def _create_private(path: Path, location: str) -> None:
    """Create a new SQLite file readable by its owner alone (SQLite would make it 0644 by
    the umask; its -wal and -shm files take the main file's mode)."""
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as error:
        raise StoreError(f"cannot create database {location}: {error.strerror}") from None
    os.close(descriptor)  # an empty file is an empty SQLite database


def _tighten(path: Path) -> None:
    """The default history file (and its -wal, -shm) made private if an older version left
    it readable by others."""
    if os.name != "posix":
        return
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


def _revision(engine: Engine) -> str | None:
    """The schema revision the database is at, by one query (None: no schema yet, or
    more than one head: Alembic sorts that out)."""
    reader = engine.execution_options(**{_BEGIN_OPTION: "DEFERRED"})
    try:
        with reader.connect() as connection:
            rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):  # no table: a new database
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


def _has_table(engine: Engine, name: str) -> bool:
    reader = engine.execution_options(**{_BEGIN_OPTION: "DEFERRED"})
    if engine.dialect.name == "sqlite":  # one query, not the inspector's machinery
        with reader.connect() as connection:
            found = connection.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
            ).first()
        return found is not None
    return name in sa.inspect(reader).get_table_names()


def _safe_location(url: URL) -> str:
    if url.get_backend_name() == "sqlite" and url.database:
        return url.database
    return url.render_as_string(hide_password=True)


def _configure_sqlite(engine: Engine, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # SQLAlchemy, not the driver, decides when a transaction begins (see "begin").
        set_up_connection(dbapi_connection, busy_timeout_ms)

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def _alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files(__package__) / "migrations"))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, *, location: str | None = None, revision: str = "head") -> None:
    """Migrate the database to the newest schema (or `revision`, for tests of migrations);
    refuse one written by newer code. Alembic is imported here only: most runs find the
    database at HEAD_REVISION and never need it."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.begin() as connection:  # on SQLite: BEGIN IMMEDIATE, one migrator at a time
        config = _alembic_config(connection)
        script = ScriptDirectory.from_config(config)
        known = {revision.revision for revision in script.walk_revisions()}
        current = MigrationContext.configure(connection).get_current_heads()
        unknown = [revision for revision in current if revision not in known]
        if unknown:
            where = location or _safe_location(engine.url)
            raise StoreError(
                f"database {where} has schema revision {', '.join(unknown)}, newer than this "
                "version of thread-composer knows; upgrade thread-composer to use it"
            )
        command.upgrade(config, revision)
