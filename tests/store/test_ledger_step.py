"""`ledger_step`: a transaction of the ledger runs on the event loop's own thread when
SQLite's write lock is free; while another connection holds the lock, the loop goes on
serving (it never sleeps in SQLite's busy handler), the transaction waits its turn, and it
is written once, not once a try."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import func, select

from composer.store import (
    Attempt,
    AttemptOutcome,
    Database,
    DatabaseFailure,
    LockBusy,
    edition_posts,
    ledger_step,
    open_database,
    record_attempt,
)
from composer.store import database as database_module
from tests.helpers import hold_write_lock, scheduled_edition


def a_post(db: Database) -> int:
    post_id = edition_posts(db, scheduled_edition(db, datetime.now(UTC)))[0].id
    assert post_id is not None
    return post_id


def attempts(db: Database) -> int:
    with db.read_session() as session:
        return session.exec(select(func.count()).select_from(Attempt)).one()


def logging_attempt(threads: list[str]) -> Callable[[Database, int], None]:
    """A one-transaction call (an attempt's row inserted) that notes the thread of each try."""

    def call(db: Database, post_id: int) -> None:
        threads.append(threading.current_thread().name)
        record_attempt(db, post_id, outcome=AttemptOutcome.OK, started_at=datetime.now(UTC))

    return call


async def with_ticks(work: asyncio.Future[None] | asyncio.Task[None]) -> float:
    """The longest the event loop went without running another task while `work` ran."""
    longest, last = 0.0, time.perf_counter()
    while not work.done():
        await asyncio.sleep(0.002)
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    await work
    return longest


def test_a_free_lock_is_taken_on_the_loop_thread(db: Database) -> None:
    post_id, threads = a_post(db), list[str]()

    async def main() -> str:
        await ledger_step(db, logging_attempt(threads), post_id)
        return threading.current_thread().name

    loop_thread = asyncio.run(main())
    assert threads == [loop_thread]
    assert attempts(db) == 1


@pytest.mark.parametrize("held_for", [0.1, 0.6])
def test_a_held_lock_never_stops_the_loop_and_the_write_happens_once(
    db: Database, db_path: Path, held_for: float
) -> None:
    """Held shorter than the loop's retries (0.1 s), the write is made on the loop once the
    lock is free; held longer (0.6 s), in the SQLite thread, which waits out the holder. In
    both, the tries that found the lock taken wrote nothing, and the loop kept serving."""
    post_id, threads = a_post(db), list[str]()
    other = hold_write_lock(db_path)

    async def main() -> tuple[float, str]:
        asyncio.get_running_loop().call_later(held_for, other.commit)
        step = asyncio.ensure_future(ledger_step(db, logging_attempt(threads), post_id))
        return await with_ticks(step), threading.current_thread().name

    started = time.perf_counter()
    longest_stall, loop_thread = asyncio.run(main())
    took = time.perf_counter() - started
    other.close()
    assert attempts(db) == 1  # once, however many tries found the lock taken
    assert len(threads) > 1  # it did find it taken
    assert took >= held_for
    assert longest_stall < 0.05  # SQLite's busy handler would have slept up to 100 ms a try
    if held_for < database_module._ON_LOOP_FOR:
        assert threads[-1] == loop_thread
    else:
        assert threads[-1].startswith("composer-sqlite")


def test_the_waiting_free_connections_say_busy_and_leave_the_rest_as_it_is(
    db: Database, db_path: Path
) -> None:
    """LockBusy only from `without_waiting`; the ordinary connections wait (here, for the
    lock, then fail as before after the busy timeout: one line, a DatabaseFailure)."""
    post_id = a_post(db)
    fast = db.without_waiting
    assert fast is not None and fast.location == db.location
    other = hold_write_lock(db_path)
    try:
        with pytest.raises(LockBusy):
            record_attempt(fast, post_id, outcome=AttemptOutcome.OK, started_at=datetime.now(UTC))
        started = time.perf_counter()
        threading.Timer(0.3, other.commit).start()
        record_attempt(db, post_id, outcome=AttemptOutcome.OK, started_at=datetime.now(UTC))
        assert time.perf_counter() - started >= 0.25  # it waited for the lock
    finally:
        other.close()
    assert attempts(db) == 1
    assert not issubclass(LockBusy, DatabaseFailure)  # never mistaken for a failed database


def test_a_database_in_memory_gets_no_second_engine() -> None:
    """A new engine on `sqlite://` would open another, empty database: such a database (and
    a URI, which may name one) is never written through `without_waiting`."""
    with open_database("sqlite://") as db:
        assert db.is_sqlite
        assert db.without_waiting is None
