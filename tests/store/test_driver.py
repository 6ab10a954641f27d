"""The ledger's hot transactions on the SQLite driver (`composer/store/driver.py`): the same
statements, values, results and errors as through SQLAlchemy's engine, none of it through
the engine, and "never twice" kept when the lock is taken or the disk refuses."""

from __future__ import annotations

import dataclasses
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from composer.store import (
    Database,
    DatabaseFailure,
    Holder,
    LockBusy,
    PostStatus,
    claim,
    edition_posts,
    finish_publishing,
    history,
    mark_post_sending,
    mark_post_sent,
    open_database,
    release,
    renew,
    start_publishing,
)
from composer.store import driver as driver_module
from tests.helpers import hold_write_lock, scheduled_edition, statements

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def normal(value: Any) -> Any:
    """`value` with what differs from run to run (times) replaced by what must not differ
    (their kind), and every type kept visible (a StrEnum equals its string)."""
    if isinstance(value, datetime):
        return ("datetime", value.tzinfo is UTC)
    if isinstance(value, Enum):
        return (type(value).__name__, value.value)
    if isinstance(value, BaseException):
        return (type(value).__name__, str(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (type(value).__name__, [normal(getattr(value, f.name)) for f in fields])
    if isinstance(value, list | tuple):
        return [normal(item) for item in value]
    if isinstance(value, dict):
        return {key: normal(item) for key, item in value.items()}
    if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value):
        return "sha-256"  # an idempotency key: it holds the edition's creation time
    if isinstance(value, str):
        return re.sub(r"\d", "9", value) if re.fullmatch(r"[\d :.-]{19,26}", value) else value
    return value


def tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the ledger's tables as SQLite holds them, times as their format."""
    with sqlite3.connect(path) as connection:
        return {
            table: [
                tuple(normal(value) for value in row)
                for row in connection.execute(f"SELECT * FROM {table} ORDER BY id")
            ]
            for table in ("editions", "posts", "attempts")
        }


def outcome(call: Callable[[], Any]) -> Any:
    try:
        return normal(call())
    except Exception as error:
        return normal(error)


def ledger_story(setup: Database, ledger: Database) -> list[Any]:
    """A publisher's run through every hot transaction and each of its refusals, written
    through `ledger` (the engine's or the driver's) on the database `setup` opened."""
    a = scheduled_edition(setup, T0, posts=("One.", "Two.", "Three."))
    unpublished = scheduled_edition(setup, T0, account="other")
    follow_up = scheduled_edition(setup, T0, posts=("Four.",), follows=a)
    stranded = scheduled_edition(setup, T0, account="other", follows=unpublished)
    holder, lost = Holder("w1"), Holder("w2")
    claim(setup, a, holder)
    first, second, third = (post.id for post in edition_posts(setup, a))
    story = [
        outcome(lambda: start_publishing(ledger, a)),
        outcome(lambda: mark_post_sending(ledger, first, holder=holder)),
        outcome(lambda: mark_post_sent(ledger, second, remote_id="r2")),
        outcome(lambda: mark_post_sent(ledger, first, remote_id="r1", attempt_started_at=T0)),
        outcome(lambda: mark_post_sent(ledger, first, remote_id="r1")),
        outcome(lambda: mark_post_sent(ledger, first, remote_id="elsewhere")),
        outcome(lambda: mark_post_sending(ledger, first, holder=holder)),
        outcome(lambda: mark_post_sending(ledger, 9999)),
        outcome(lambda: mark_post_sent(ledger, 9999, remote_id="r")),
        outcome(lambda: mark_post_sending(ledger, second, holder=lost)),
        outcome(lambda: [post.status for post in edition_posts(setup, a)]),
        outcome(lambda: renew(ledger, a, holder)),
        outcome(lambda: renew(ledger, a, lost)),
    ]
    for post in (second, third):
        mark_post_sending(ledger, post, holder=holder)
        mark_post_sent(
            ledger, post, remote_id=f"r{post}", remote_url=f"https://m.example/{post}", sent_at=T0
        )
    story += [
        outcome(lambda: finish_publishing(ledger, a)),
        outcome(lambda: release(ledger, a, "w1")),
        outcome(lambda: start_publishing(ledger, follow_up)),
        outcome(lambda: start_publishing(ledger, stranded)),
        outcome(lambda: start_publishing(ledger, 9999)),
        outcome(lambda: finish_publishing(ledger, 9999)),
    ]
    return story


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Callable[[str], Database]]:
    opened: list[Database] = []

    def open_one(name: str) -> Database:
        opened.append(open_database(str(tmp_path / name)))
        return opened[-1]

    yield open_one
    for db in opened:
        db.close()


def test_the_driver_writes_and_reads_what_the_engine_does(
    fresh: Callable[[str], Database], tmp_path: Path
) -> None:
    by_engine, by_driver = fresh("engine.sqlite3"), fresh("driver.sqlite3")
    fast = by_driver.without_waiting
    assert fast is not None and fast.driver is not None
    engine_story = ledger_story(by_engine, by_engine)
    with statements(fast) as through_engine:
        driver_story = ledger_story(by_driver, fast)

    assert driver_story == engine_story
    assert tables(tmp_path / "driver.sqlite3") == tables(tmp_path / "engine.sqlite3")
    assert through_engine == []  # every hot transaction went through the driver
    # The story is not empty of meaning: it saw each refusal and the rollback.
    said = repr(engine_story)
    for refusal in (
        "cannot be sent before post 1",
        "was already sent as r1",
        "was already sent; the ledger keeps it sent",
        "no post 9999",
        "ClaimLost",
        "no edition 9999",
        "which is scheduled, not published",
    ):
        assert refusal in said
    sent, pending = ("PostStatus", "sent"), ("PostStatus", "pending")
    assert engine_story[10] == [sent, pending, pending]  # a lost claim marked nothing


def test_a_read_through_the_driver_equals_the_engines(fresh: Callable[[str], Database]) -> None:
    db = fresh("history.sqlite3")
    edition = scheduled_edition(db, T0, posts=("Один.", "Екі 🇰🇿.", "Three."))
    first = edition_posts(db, edition)[0].id
    mark_post_sent(db, first, remote_id="r1", remote_url="https://m.example/1", sent_at=T0)
    fast = db.without_waiting
    assert fast is not None

    assert finish_publishing(fast, edition) == finish_publishing(db, edition)
    by_driver, by_engine = start_publishing(fast, edition), start_publishing(db, edition)
    assert by_driver.ledger.posts == by_engine.ledger.posts
    assert by_driver.ledger.posts[0].sent_at == T0
    assert by_driver.ledger.posts[0].status is PostStatus.SENT


def test_a_held_lock_is_lock_busy_and_nothing_is_written(db: Database, db_path: Path) -> None:
    edition = scheduled_edition(db, T0)
    post = edition_posts(db, edition)[0].id
    fast = db.without_waiting
    assert fast is not None
    other = hold_write_lock(db_path)
    try:
        with pytest.raises(LockBusy):
            mark_post_sending(fast, post)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert edition_posts(db, edition)[0].status is PostStatus.PENDING
    mark_post_sending(fast, post)  # the connection was left out of any transaction
    assert edition_posts(db, edition)[0].status is PostStatus.SENDING


def test_a_lock_taken_between_statements_rolls_the_transaction_back(
    db: Database, db_path: Path
) -> None:
    """The second statement finding the lock gone is impossible under BEGIN IMMEDIATE; a
    failing COMMIT is not: it must leave nothing open and nothing written."""
    edition = scheduled_edition(db, T0)
    post = edition_posts(db, edition)[0].id
    fast = db.without_waiting
    assert fast is not None and fast.driver is not None

    class Refused(Exception):
        pass

    with pytest.raises(Refused), fast.transaction() as connection:
        connection.execute(history._MARK_SENDING, {"post": post})
        raise Refused
    assert edition_posts(db, edition)[0].status is PostStatus.PENDING
    mark_post_sending(fast, post)
    assert edition_posts(db, edition)[0].status is PostStatus.SENDING


def test_a_refused_write_is_one_line_naming_the_database(
    db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edition = scheduled_edition(db, T0)
    post = edition_posts(db, edition)[0].id
    set_up = driver_module.set_up_connection

    def read_only(connection: sqlite3.Connection, busy_timeout_ms: int) -> None:
        set_up(connection, busy_timeout_ms)
        connection.execute("PRAGMA query_only = ON")  # as a read-only file or a full disk

    monkeypatch.setattr(driver_module, "set_up_connection", read_only)
    fast = db.without_waiting
    assert fast is not None
    with pytest.raises(DatabaseFailure) as refused:
        mark_post_sent(fast, post, remote_id="r1")
    assert str(refused.value) == f"database {db_path} failed: attempt to write a readonly database"
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert edition_posts(db, edition)[0].status is PostStatus.PENDING


def test_a_broken_constraint_is_sqlalchemys_integrity_error_on_both(db: Database) -> None:
    fast = db.without_waiting
    assert fast is not None
    missing = {"post": 9999, "started": T0, "now": T0}
    for ledger in (db, fast):
        broken = pytest.raises(sa.exc.IntegrityError, match="FOREIGN KEY constraint failed")
        with broken, ledger.transaction() as connection:
            connection.execute(history._OK_ATTEMPT, missing)


def test_each_thread_writes_on_its_own_connection_and_ended_ones_are_closed(db: Database) -> None:
    editions = [scheduled_edition(db, T0, account=f"a{n}") for n in range(4)]
    posts = [post.id for edition in editions for post in edition_posts(db, edition)]
    fast = db.without_waiting
    assert fast is not None and fast.driver is not None
    errors: list[BaseException] = []
    all_alive = threading.Barrier(4)  # each thread has its connection while the others do

    def mark(mine: list[int]) -> None:
        all_alive.wait()
        for post in mine:
            give_up = time.monotonic() + 10
            while True:  # the others hold the lock now and then, as ledger_step would wait
                try:
                    mark_post_sending(fast, post)
                    break
                except LockBusy as busy:
                    if time.monotonic() > give_up:
                        errors.append(busy)
                        break
                    time.sleep(0.001)
                except BaseException as error:
                    errors.append(error)
                    break
        all_alive.wait()

    threads = [threading.Thread(target=mark, args=(posts[n::4],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = {post.status for edition in editions for post in edition_posts(db, edition)}
    assert statuses == {PostStatus.SENDING}
    ended = [connection for _thread, connection in fast.driver._open]
    assert len(ended) == 4  # one connection a thread

    mark_post_sent(fast, posts[0], remote_id="r1", sent_at=T0)  # this thread's first use
    for connection in ended:  # the ended threads' connections were closed
        with pytest.raises(sqlite3.ProgrammingError):
            connection.execute("SELECT 1")
    [(thread, mine)] = fast.driver._open
    assert thread is threading.current_thread()

    db.close()
    with pytest.raises(sqlite3.ProgrammingError):
        mine.execute("SELECT 1")
    mark_post_sent(fast, posts[1], remote_id="after-close", sent_at=T0 + timedelta(seconds=1))
    assert edition_posts(db, editions[0])[1].remote_id == "after-close"


def test_a_connection_whose_set_up_fails_is_closed_and_the_next_try_opens_another(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    edition = scheduled_edition(db, T0)
    post = edition_posts(db, edition)[0].id
    fast = db.without_waiting
    assert fast is not None
    set_up, refused = driver_module.set_up_connection, list[sqlite3.Connection]()

    def busy_once(connection: sqlite3.Connection, busy_timeout_ms: int) -> None:
        if not refused:
            refused.append(connection)
            busy = sqlite3.OperationalError("database is locked")
            busy.sqlite_errorcode = sqlite3.SQLITE_BUSY  # type: ignore[attr-defined]
            raise busy
        set_up(connection, busy_timeout_ms)

    monkeypatch.setattr(driver_module, "set_up_connection", busy_once)
    with pytest.raises(LockBusy):
        mark_post_sending(fast, post)
    with pytest.raises(sqlite3.ProgrammingError):  # closed, not left open
        refused[0].execute("SELECT 1")
    mark_post_sending(fast, post)
    assert edition_posts(db, edition)[0].status is PostStatus.SENDING
