"""The ledger's hot transactions on SQLite's own driver (sqlite3), for the daemon's loop.

A daemon's round makes about a dozen ledger transactions an edition (its run begun and
ended, each post marked sending and sent, the claim released). Through SQLAlchemy's
Connection a statement costs some 40 us of Python above SQLite's own few (execution
context, result metadata, pool checkout and reset, events): most of the daemon's CPU. So
the transactions `ledger_step` runs on the event loop run here: the same Core statements,
compiled once by SQLAlchemy for SQLite, their parameters and results converted by their
own SQLAlchemy types, on a sqlite3 connection kept for each thread. Written by hand: no
library executes compiled SQLAlchemy statements without its execution layer.

Only statements built once belong here (the compiled SQL is kept per statement object),
and only what the ledger's functions use of a result: rows by position or column name,
`one_or_none`, `scalar_one_or_none`, `mappings`, `rowcount`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeAlias

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler

from composer.store.errors import DatabaseFailure, LockBusy, redact

_Processor = Callable[[Any], Any] | None

# A compiled statement kept per statement object: the ledger's are module constants, so a
# few dozen; anything else is compiled again once this many are kept.
_MOST_KEPT = 256


def set_up_connection(connection: sqlite3.Connection, busy_timeout_ms: int) -> None:
    """Every SQLite connection of the history database, SQLAlchemy's or the driver's: the
    transactions begun by the caller, write-ahead logging, foreign keys enforced."""
    connection.isolation_level = None
    # The timeout first: switching to WAL itself may have to wait for a lock.
    connection.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA foreign_keys = ON")


def is_busy(error: BaseException) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED (or one of their extended codes): another connection
    holds the lock."""
    code = getattr(error, "sqlite_errorcode", None) or 0
    busy = code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return busy and isinstance(error, sqlite3.OperationalError)


def failure(location: str, error: BaseException) -> DatabaseFailure:
    """The database failing once open, in one line naming it and the driver's reason: never
    the SQL (it holds posts' text) nor a traceback."""
    reason = redact(str(error).splitlines()[0] if str(error) else "")
    return DatabaseFailure(f"database {location} failed: {reason or type(error).__name__}")


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    compiled: SQLCompiler  # for its parameters: the statement's own and the caller's
    names: tuple[str, ...]  # the parameters in the order of the SQL's question marks
    binds: tuple[_Processor, ...]
    keys: tuple[str, ...]
    row: type[tuple[Any, ...]]  # a named tuple of the result's columns
    results: tuple[_Processor, ...]


def _compile(statement: Executable, dialect: Dialect) -> _Compiled:
    assert isinstance(statement, ClauseElement)  # every Core statement is
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    if compiled.positiontup is None or "__[POSTCOMPILE_" in compiled.string:
        raise TypeError("the driver runs statements with plain positional parameters only")
    names = tuple(compiled.positiontup)
    binds = tuple(
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    columns = list(getattr(statement, "exported_columns", ()))
    keys = tuple(str(column.key) for column in columns)
    results = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
    )
    row = namedtuple("Row", keys, rename=True)  # type: ignore[misc]
    return _Compiled(compiled.string, compiled, names, binds, keys, row, results)


class DriverResult:
    """A statement's rows, all fetched (SQLite runs an UPDATE ... RETURNING to its end only
    as its rows are read), and how many rows it changed."""

    __slots__ = ("_keys", "_rows", "rowcount")

    def __init__(self, rows: list[tuple[Any, ...]], keys: Sequence[str], rowcount: int) -> None:
        self._rows, self._keys, self.rowcount = rows, keys, rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def one_or_none(self) -> Any:
        if len(self._rows) > 1:
            raise sa.exc.MultipleResultsFound(
                "Multiple rows were found when one or none was required"
            )
        return self._rows[0] if self._rows else None

    def scalar_one_or_none(self) -> Any:
        row = self.one_or_none()
        return None if row is None else row[0]

    def mappings(self) -> list[dict[str, Any]]:
        return [dict(zip(self._keys, row, strict=True)) for row in self._rows]


class DriverConnection:
    """One transaction on the driver (`LedgerDriver.begin`): `execute` as a SQLAlchemy
    Connection's, for statements built once."""

    __slots__ = ("_driver", "_raw")

    def __init__(self, raw: sqlite3.Connection, driver: LedgerDriver) -> None:
        self._raw, self._driver = raw, driver

    def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> DriverResult:
        known = self._driver.compiled(statement)
        values = known.compiled.construct_params(parameters)
        ordered = map(values.__getitem__, known.names)
        arguments = [
            value if process is None else process(value)
            for value, process in zip(ordered, known.binds, strict=True)
        ]
        try:
            cursor = self._raw.execute(known.sql, arguments)
            rows = cursor.fetchall()
        except sqlite3.Error as error:
            raise self._driver.translate(error, known.sql, arguments) from None
        if any(known.results):
            rows = [
                tuple(v if p is None else p(v) for v, p in zip(row, known.results, strict=True))
                for row in rows
            ]
        row = known.row
        return DriverResult([row(*values) for values in rows], known.keys, cursor.rowcount)


# What the ledger's functions are given to execute their statements on.
LedgerConnection: TypeAlias = Connection | DriverConnection


class LedgerDriver:
    """The history database's SQLite file on the driver: a connection for each thread that
    uses it (made when first used; `close` closes them all), never waiting for another's
    write lock (LockBusy at once: `ledger_step` tries again)."""

    def __init__(self, path: str, location: str, dialect: Dialect) -> None:
        self._path, self._location, self._dialect = path, location, dialect
        self._compiled: dict[Executable, _Compiled] = {}
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._generation = 0  # one more at each `close`: every thread opens anew

    def compiled(self, statement: Executable) -> _Compiled:
        known = self._compiled.get(statement)
        if known is None:
            known = _compile(statement, self._dialect)
            if len(self._compiled) >= _MOST_KEPT:
                self._compiled.clear()
            self._compiled[statement] = known
        return known

    @contextmanager
    def begin(self) -> Iterator[DriverConnection]:
        """One transaction, begun IMMEDIATE (the write lock taken at once, or LockBusy),
        committed when the block ends without error and rolled back otherwise."""
        raw = self._connection()
        self._run(raw, "BEGIN IMMEDIATE")
        try:
            yield DriverConnection(raw, self)
            self._run(raw, "COMMIT")
        except BaseException:
            if raw.in_transaction:
                self._roll_back(raw)
            raise

    def translate(
        self, error: sqlite3.Error, sql: str | None = None, arguments: Sequence[Any] = ()
    ) -> Exception:
        """The driver's error as SQLAlchemy's engine would have made it for the ledger:
        LockBusy, a one-line DatabaseFailure, or SQLAlchemy's wrapper (a constraint broken
        is an IntegrityError, as it always was)."""
        if is_busy(error):
            return LockBusy(str(error))
        if isinstance(error, sqlite3.OperationalError | sqlite3.InternalError):
            return failure(self._location, error)
        return sa.exc.DBAPIError.instance(sql, list(arguments), error, sqlite3.Error)

    def close(self) -> None:
        """Close every thread's connection; a thread that uses the driver again opens one."""
        with self._lock:
            opened, self._open = self._open, []
            self._generation += 1
        for _thread, connection in opened:
            connection.close()

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "generation", None) == self._generation:
            connection: sqlite3.Connection = local.connection
            return connection
        try:
            # Closed by `close`, or by the thread opening the next one, from their threads.
            raw = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as error:
            raise self.translate(error) from None
        try:
            set_up_connection(raw, busy_timeout_ms=0)  # WAL's switch may find the lock taken
        except sqlite3.Error as error:
            raw.close()
            raise self.translate(error) from None
        with self._lock:
            # A thread that ended left its connection (a publish run in a worker thread).
            ended = [pair for pair in self._open if not pair[0].is_alive()]
            self._open = [pair for pair in self._open if pair[0].is_alive()]
            self._open.append((threading.current_thread(), raw))
            local.connection, local.generation = raw, self._generation
        for _thread, connection in ended:
            connection.close()
        return raw

    def _run(self, raw: sqlite3.Connection, sql: str) -> None:
        try:
            raw.execute(sql)
        except sqlite3.Error as error:
            raise self.translate(error) from None

    def _roll_back(self, raw: sqlite3.Connection) -> None:
        """Roll back; a connection that cannot is closed, and the next use opens another."""
        try:
            raw.execute("ROLLBACK")
        except sqlite3.Error:
            with self._lock:
                self._open = [pair for pair in self._open if pair[1] is not raw]
            self._local.generation = None
            raw.close()
