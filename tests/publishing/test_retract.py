"""`thread-composer retract`: a published 10-post thread taken back on every platform
(Bluesky's real PDS included), last post first, with the retraction killed (SIGKILL) right
after the platform deleted post K and before the answer reached it: the second run
finishes, every post is deleted once and none twice, the third run sends nothing.

The platforms and the publisher subprocess are those of tests/publishing/test_crash.py.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlmodel

from composer.store import (
    Database,
    Edition,
    EditionStatus,
    PostRecord,
    PostStatus,
    cancel,
    edition_posts,
    open_database,
    set_edition_status,
)
from tests.fakes.server import Hangup
from tests.helpers import composer, scheduled_edition
from tests.pds import PdsAccount
from tests.publishing.test_crash import (
    ACCOUNT,
    POSTS,
    Publisher,
    Target,
    bluesky_target,
    mastodon_target,
    threads_target,
    write_workspace,
    x_target,
)

KILL_AFTER = 4  # deletions the platform has made when the retraction is killed
RETRACT = ("retract", "1", "--yes")


@pytest.fixture(params=["x", "mastodon", "threads", "bluesky"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    with ExitStack() as stack:
        if request.param == "x":
            yield x_target(stack)
        elif request.param == "mastodon":
            yield mastodon_target(stack)
        elif request.param == "threads":
            yield threads_target(stack)
        else:
            pds_url: str = request.getfixturevalue("pds")
            new_account: Callable[[], PdsAccount] = request.getfixturevalue("make_account")
            yield bluesky_target(stack, pds_url, new_account(), proxied=True)


@pytest.fixture
def published(target: Target, tmp_path: Path, publisher_env: dict[str, str]) -> Publisher:
    return publish(target, tmp_path, publisher_env)


@pytest.fixture
def on_mastodon(
    tmp_path: Path, publisher_env: dict[str, str]
) -> Iterator[tuple[Target, Publisher]]:
    """A Mastodon with the thread published on it, and the publisher of its workspace."""
    with ExitStack() as stack:
        target = mastodon_target(stack)
        yield target, publish(target, tmp_path, publisher_env)


def publish(target: Target, folder: Path, publisher_env: dict[str, str]) -> Publisher:
    """The workspace's 10-post thread published (edition 1) by `publish`; the publisher,
    to run more commands in that workspace."""
    workspace = write_workspace(folder, target)
    env = {
        **publisher_env,
        **target.env,
        "COMPOSER_DB": str(workspace / "history.sqlite3"),
        "COMPOSER_DATA_DIR": str(workspace / "data"),
    }
    publisher = Publisher(workspace, env)
    run = publisher.run()
    assert run.returncode == 0, run.stderr
    assert len(target.posted()) == POSTS
    return publisher


def test_a_killed_retraction_resumes_and_deletes_each_post_once(
    target: Target, published: Publisher
) -> None:
    posts = ledger(published.workspace)
    ids = [post.remote_id for post in posts]
    up = {p.id: p for p in target.posted()}
    assert set(up) == set(ids)

    deleted: list[str] = []

    def kill_after_deletion(post_id: str) -> None:
        deleted.append(post_id)
        if len(deleted) == KILL_AFTER:
            published.kill_now()
            raise Hangup  # deleted, but the retraction never hears of it

    target.hooks.on_delete = kill_after_deletion
    first = published.run(command=RETRACT)
    assert first.killed, f"not killed: exit {first.returncode}\n{first.stderr}"
    # Last post first: the first six are still up, in thread order.
    assert sorted(p.id for p in target.posted()) == sorted(ids[: POSTS - KILL_AFTER])
    assert deleted == [ids[9], ids[8], ids[7], ids[6]]

    second = published.run(command=RETRACT)
    assert second.returncode == 0, second.stderr
    assert target.posted() == []
    # Each post deleted once on the platform, last first; the one deleted as the first run
    # died was found gone, not deleted twice.
    assert deleted == ids[::-1]
    assert f"retracted edition 1 on {ACCOUNT}: {POSTS} posts" in second.stdout
    after = ledger(published.workspace)
    assert [p.status for p in after] == [PostStatus.RETRACTED] * POSTS
    assert all(p.retracted_at is not None for p in after)
    assert [p.text for p in after] == [p.text for p in posts]  # the record stays
    assert edition_status(published.workspace) is EditionStatus.RETRACTED

    requests = len(target.hooks.requests)
    third = published.run(command=RETRACT)
    assert third.returncode == 0, third.stderr
    assert "nothing to retract" in third.stdout
    assert len(target.hooks.requests) == requests  # not one request

    shown = published.run(command=("history", "--json"))
    rows = json.loads(shown.stdout)
    assert sorted(row["status"] for row in rows) == ["retracted"] * POSTS
    if target.platform == "bluesky":
        assert_gone_from_pds(target, ids)


def assert_gone_from_pds(target: Target, uris: list[str | None]) -> None:
    """The records are really gone: the PDS's getRecord says RecordNotFound."""
    upstream = target.hooks.upstream  # type: ignore[attr-defined]
    for uri in uris:
        assert uri is not None
        did, collection, rkey = uri.removeprefix("at://").split("/")
        response = httpx.get(
            f"{upstream}/xrpc/com.atproto.repo.getRecord",
            params={"repo": did, "collection": collection, "rkey": rkey},
            timeout=30,
        )
        assert response.status_code == 400 and response.json()["error"] == "RecordNotFound"


def test_a_refusal_stops_with_the_reason_and_the_links_left_up(
    tmp_path: Path, publisher_env: dict[str, str]
) -> None:
    """Threads without the threads_delete permission: one line with Meta's reason and the
    posts still up, exit 1, the edition retracting; once allowed, the same command ends it."""
    with ExitStack() as stack:
        target = threads_target(stack)
        publisher = publish(target, tmp_path, publisher_env)
        workspace = publisher.workspace
        fake = target.hooks
        fake.may_delete = False  # type: ignore[attr-defined]
        refused = publisher.run(command=RETRACT)
        assert refused.returncode == 1
        assert "does not have permission" in refused.stderr
        assert "still up: https://" in refused.stderr
        assert refused.stderr.count("\n") == 1
        assert len(target.posted()) == POSTS
        assert edition_status(workspace) is EditionStatus.RETRACTING
        fake.may_delete = True  # type: ignore[attr-defined]
        done = publisher.run(command=RETRACT)
        assert done.returncode == 0, done.stderr
        assert target.posted() == []


def ledger(workspace: Path) -> list[PostRecord]:
    with open_database(str(workspace / "history.sqlite3")) as db:
        return list(edition_posts(db, 1))


def edition_status(workspace: Path) -> EditionStatus:
    with open_database(str(workspace / "history.sqlite3")) as db, db.read_session() as session:
        (edition,) = session.exec(sqlmodel.select(Edition))
        return edition.status


def test_without_a_terminal_and_without_yes_it_refuses(
    on_mastodon: tuple[Target, Publisher],
) -> None:
    target, publisher = on_mastodon
    requests = len(target.hooks.requests)
    run = publisher.run(command=("retract", "1"))  # its output is a pipe: no terminal
    assert run.returncode == 2
    assert "add --yes" in run.stderr and run.stderr.count("\n") == 1
    assert len(target.hooks.requests) == requests
    assert len(target.posted()) == POSTS


def test_ctrl_c_stops_after_the_deletion_in_flight_and_the_same_command_goes_on(
    on_mastodon: tuple[Target, Publisher],
) -> None:
    target, publisher = on_mastodon

    def interrupt(post_id: str) -> None:
        target.hooks.on_delete = None
        assert publisher.process is not None
        publisher.process.send_signal(signal.SIGINT)

    target.hooks.on_delete = interrupt
    stopped = publisher.run(command=RETRACT)
    assert stopped.returncode == 130, stopped.stderr
    assert "interrupted: 1 of 10 posts retracted; run the same command again" in stopped.stderr
    assert len(target.posted()) == POSTS - 1
    assert edition_status(publisher.workspace) is EditionStatus.RETRACTING
    done = publisher.run(command=RETRACT)
    assert done.returncode == 0, done.stderr
    assert target.posted() == []


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("unknown", "no edition 1"),
        ("scheduled", "edition 1 is scheduled"),
        ("cancelled", "edition 1 is cancelled"),
        ("never sent", "edition 1 was never published: no post of it was sent"),
    ],
)
def test_what_cannot_be_retracted_is_one_line_and_exit_2(
    db: Database, db_path: Path, case: str, words: str
) -> None:
    if case != "unknown":
        at = datetime.now(UTC) + timedelta(days=1)
        edition = scheduled_edition(db, at)
        if case == "cancelled":
            cancel(db, edition)
        elif case == "never sent":
            set_edition_status(db, edition, EditionStatus.FAILED, last_error="refused")
    run = composer("retract", "1", "--yes", db=db_path)
    assert run.returncode == 2, run.stderr
    assert words in run.stderr and run.stderr.count("\n") == 1


def answer_on_a_terminal(publisher: Publisher, answer: bytes) -> tuple[int, str]:
    """`retract 1` on a terminal (a pty): waits for its question, types `answer`; the exit
    code and everything it showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "composer", "retract", "1"],
        cwd=publisher.workspace,
        env=publisher.env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        close_fds=True,
    )
    os.close(follower)
    seen = b""
    try:
        while b"[y/N]" not in seen and process.poll() is None:
            if select.select([leader], [], [], 0.5)[0]:
                seen += os.read(leader, 65536)
        os.write(leader, answer + b"\n")
        while process.poll() is None or select.select([leader], [], [], 0.1)[0]:
            if select.select([leader], [], [], 0.5)[0]:
                try:
                    seen += os.read(leader, 65536)
                except OSError:  # the terminal closed with the process
                    break
        return process.wait(timeout=60), seen.decode("utf-8", "replace")
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)


def test_on_a_terminal_it_asks_naming_the_account_platform_and_posts(
    on_mastodon: tuple[Target, Publisher],
) -> None:
    target, publisher = on_mastodon
    code, shown = answer_on_a_terminal(publisher, b"n")
    assert code == 0, shown
    assert f"Delete 10 posts of edition 1 from {ACCOUNT} (Mastodon)?" in shown
    assert "nothing retracted" in shown
    assert len(target.posted()) == POSTS and target.hooks.deleted == []
    code, shown = answer_on_a_terminal(publisher, b"y")
    assert code == 0, shown
    assert target.posted() == []
    plain = publisher.run(command=("history",))
    assert plain.stdout.count("(retracted)") == POSTS
