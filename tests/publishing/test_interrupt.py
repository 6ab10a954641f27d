"""Ctrl-C during `publish` (composer/cli/interrupt.py): SIGINT while post 2 of 4 is being
written to a slow Mastodon. The first Ctrl-C lets the post in flight finish and starts no
next one; a second stops at once, the post in flight unconfirmed. Either way: exit 130, one
line on stderr saying what was sent and how to resume (no traceback), the claim released on
the way out (the next run does not wait for a lease, nor for the dead pid to be noticed),
and the next run sends each remaining post exactly once, never the one in flight again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from composer.store import Edition, EditionStatus, PostStatus, Worker, edition_posts, open_database
from tests.fakes.server import Request
from tests.publishing.test_crash import ACCOUNT, SECRETS, Publisher, Target, mastodon_target

WRITE_DELAY = 2.0  # seconds each status takes to be written
DRAFT = "\n\n---\n\n".join(f"Finding {n}: the polling station opened late." for n in range(1, 5))


@pytest.fixture
def slow_mastodon() -> Iterator[Target]:
    with ExitStack() as stack:
        target = mastodon_target(stack)
        target.hooks.write_delay = WRITE_DELAY
        yield target


def workspace_for(folder: Path, target: Target) -> Publisher:
    (folder / "drafts").mkdir()
    (folder / "drafts" / "report.md").write_text(DRAFT, encoding="utf-8")
    (folder / "accounts.toml").write_text(f"[accounts.{ACCOUNT}]{target.config}", "utf-8")
    env = {**os.environ, **SECRETS, "NO_COLOR": "1", "COMPOSER_DB": str(folder / "h.sqlite3")}
    env.pop("COMPOSER_CONFIG", None)
    return Publisher(folder, env)


def interrupt_while_post_2_is_written(
    target: Target, publisher: Publisher, presses: int
) -> threading.Event:
    """Ctrl-C (`presses` times, 0.3 s apart) as the second status arrives; the event is set
    once the fake has stored it (the write goes on whether the client waits or not)."""
    arrived = 0
    stored = threading.Event()

    def on_request(request: Request) -> None:
        nonlocal arrived
        if request.method == "POST" and request.path == "/api/v1/statuses":
            arrived += 1
            if arrived == 2:
                threading.Thread(target=press, daemon=True).start()

    def press() -> None:
        for press in range(presses):
            if press:
                time.sleep(0.3)  # well within the write: post 2 is still in flight
            if (process := publisher.process) is not None:
                process.send_signal(signal.SIGINT)

    def on_store(post: dict[str, Any]) -> None:
        if len(target.posted()) >= 2:
            stored.set()

    target.hooks.on_request = on_request
    target.hooks.on_store = on_store
    return stored


def composer(publisher: Publisher, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "composer", *args],
        cwd=publisher.workspace,
        env=publisher.env,
        capture_output=True,
        text=True,
        timeout=90,
    )


def ledger(folder: Path) -> tuple[Edition, list[PostStatus]]:
    with open_database(str(folder / "h.sqlite3")) as db:
        with db.read_session() as session:
            (edition,) = session.exec(select(Edition)).all()
        assert edition.id is not None
        return edition, [p.status for p in edition_posts(db, edition.id)]


def resume_and_check(target: Target, publisher: Publisher, folder: Path) -> None:
    target.hooks.on_request = target.hooks.on_store = None
    resumed = publisher.run()
    assert resumed.returncode == 0, resumed.stderr
    posted = target.posted()
    counts = Counter(p.text for p in posted)
    assert len(posted) == 4 and set(counts.values()) == {1}, counts  # each post once
    assert [p.parent for p in posted] == [None, *(p.id for p in posted[:-1])]  # chained
    with open_database(str(folder / "h.sqlite3")) as db:
        edition, _ = ledger(folder)
        assert edition.id is not None
        rows = edition_posts(db, edition.id)
    assert [r.status for r in rows] == [PostStatus.SENT] * 4
    assert [r.remote_id for r in rows] == [p.id for p in posted]  # the ledger agrees


def test_ctrl_c_finishes_the_post_in_flight_and_stops_there(
    slow_mastodon: Target, tmp_path: Path
) -> None:
    publisher = workspace_for(tmp_path, slow_mastodon)
    interrupt_while_post_2_is_written(slow_mastodon, publisher, presses=1)

    run = publisher.run()

    assert run.returncode == 130, run.stderr
    assert run.stderr.splitlines() == [
        f"interrupted: {ACCOUNT}: 2 of 4 posts sent (edition 1); "
        "run the same command again to resume"
    ]
    assert len(slow_mastodon.posted()) == 2  # post 2 answered, no post 3 started
    edition, statuses = ledger(tmp_path)
    assert statuses == [PostStatus.SENT, PostStatus.SENT, PostStatus.PENDING, PostStatus.PENDING]
    assert edition.claimed_by is None  # released on the way out: the next run goes at once

    # No daemon resumes what `publish` started (its user may have stopped it on purpose):
    # `queue` says it is interrupted and how to resume it.
    assert composer(publisher, "daemon", "--once").returncode == 0
    assert len(slow_mastodon.posted()) == 2
    shown = composer(publisher, "queue")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].split()[:2] == ["1", "interrupted"], lines
    draft = tmp_path / "drafts" / "report.md"
    assert lines[1].split() == [
        "stopped",
        "mid-thread;",
        "resume:",
        *f"thread-composer publish {draft.resolve()} --account {ACCOUNT}".split(),
    ]
    (row,) = json.loads(composer(publisher, "queue", "--json").stdout)
    assert (row["status"], row["interrupted"]) == ("publishing", True)
    assert row["resume"] == f"thread-composer publish {draft.resolve()} --account {ACCOUNT}"
    resume_and_check(slow_mastodon, publisher, tmp_path)


def test_a_second_ctrl_c_stops_at_once_and_the_post_in_flight_is_never_sent_twice(
    slow_mastodon: Target, tmp_path: Path
) -> None:
    publisher = workspace_for(tmp_path, slow_mastodon)
    stored = interrupt_while_post_2_is_written(slow_mastodon, publisher, presses=2)

    run = publisher.run()

    assert run.returncode == 130, run.stderr
    assert run.stderr.splitlines() == [
        f"interrupted: {ACCOUNT}: 1 of 4 posts sent, post 2 unconfirmed (edition 1); "
        "run the same command again to resume "
        "(it asks the platform about an unconfirmed post before sending it again)"
    ]
    edition, statuses = ledger(tmp_path)
    assert statuses == [PostStatus.SENT, PostStatus.SENDING, PostStatus.PENDING, PostStatus.PENDING]
    assert edition.claimed_by is None
    assert stored.wait(10), "the fake never finished writing post 2"
    resume_and_check(slow_mastodon, publisher, tmp_path)


def test_ctrl_c_while_waiting_for_another_process_exits_130_in_one_line(
    slow_mastodon: Target, tmp_path: Path
) -> None:
    """`publish --wait` waiting its turn (another live process holds the edition): Ctrl-C
    says so in one line and exits 130 (click's own handling said `aborted`, exit 1)."""
    publisher = workspace_for(tmp_path, slow_mastodon)
    env = publisher.env
    scheduled = subprocess.run(
        [
            sys.executable,
            "-m",
            "composer",
            "schedule",
            "report",
            "--account",
            ACCOUNT,
            "--in",
            "1h",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert scheduled.returncode == 0, scheduled.stderr
    with open_database(str(tmp_path / "h.sqlite3")) as db, db.session() as session:
        (edition,) = session.exec(select(Edition)).all()
        edition.status = EditionStatus.PUBLISHING  # held by this test process, alive
        edition.claimed_by = str(Worker.this_process("publish"))
        edition.claimed_until = datetime.now(UTC) + timedelta(hours=1)
        session.add(edition)
    waiting = subprocess.Popen(
        [sys.executable, "-m", "composer", "publish", "report", "--account", ACCOUNT, "--wait"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert waiting.stderr is not None
        assert waiting.stderr.readline().startswith("waiting: edition 1 is being published by")
        shown = composer(publisher, "queue")  # held by a live process: publishing, not stopped
        assert shown.stdout.split()[:2] == ["1", "publishing"], shown.stdout
        assert "resume" not in shown.stdout
        waiting.send_signal(signal.SIGINT)
        _, err = waiting.communicate(timeout=60)
    finally:
        if waiting.poll() is None:
            waiting.kill()
    assert waiting.returncode == 130, err
    assert err.split() == ["interrupted"]  # and click's blank line closing the ^C echo
    assert slow_mastodon.posted() == []


def test_ctrl_c_during_queue_publish_now_leaves_the_edition_to_the_daemon(
    slow_mastodon: Target, tmp_path: Path
) -> None:
    publisher = workspace_for(tmp_path, slow_mastodon)
    assert (
        composer(publisher, "schedule", "report", "--account", ACCOUNT, "--in", "1h").returncode
        == 0
    )
    interrupt_while_post_2_is_written(slow_mastodon, publisher, presses=1)
    publisher.process = subprocess.Popen(
        [sys.executable, "-m", "composer", "queue", "publish-now", "1"],
        cwd=tmp_path,
        env=publisher.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _, err = publisher.process.communicate(timeout=90)
    finally:
        publisher.process.kill()
    assert publisher.process.returncode == 130, err
    assert err.splitlines() == [
        f"interrupted: {ACCOUNT}: 2 of 4 posts sent (edition 1); "
        "a daemon resumes it, or run the same command again"
    ]
    edition, statuses = ledger(tmp_path)
    assert statuses == [PostStatus.SENT, PostStatus.SENT, PostStatus.PENDING, PostStatus.PENDING]
    assert edition.claimed_by is None
    slow_mastodon.hooks.on_request = slow_mastodon.hooks.on_store = None
    resumed = composer(publisher, "daemon", "--once")  # it was scheduled: the daemon's to resume
    assert resumed.returncode == 0, resumed.stderr
    posted = slow_mastodon.posted()
    assert len(posted) == 4 and len({p.text for p in posted}) == 4
    assert [p.parent for p in posted] == [None, *(p.id for p in posted[:-1])]


def test_the_line_names_an_account_without_an_unfinished_edition_and_is_terminal_safe(
    tmp_path: Path,
) -> None:
    from composer.cli.interrupt import interrupted_line

    with open_database(str(tmp_path / "h.sqlite3")) as db:
        line = interrupted_line(db, [("ank\x1b[2Jx", None)], "run it again")
    assert line == "interrupted: ank\\u001b[2Jx: nothing left unfinished; run it again"
