"""LinkedIn end to end: `schedule`, `publish` and `daemon --once` as a user runs them (real
subprocesses), against the loopback FakeLinkedIn and a file database.

A report longer than one post is refused with its length (`overflow = "refuse"`, the
default), or published as a post and numbered comments (`overflow = "comments"`); a lost
answer is found, never sent twice; a scheduled edition is published by the daemon.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from composer.store import open_database
from composer.store.queue import mark_due_now
from tests.fakes.linkedin import AUTHOR, FakeLinkedIn
from tests.fakes.server import Fault
from tests.helpers import composer, linkedin_account, write_accounts

TOKEN = "li-SECRET-5e4d3c"
SHORT = "The count in Almaty (district 4) was slow; observers @ODIHR were let in.\n"
REPORT = "".join(
    f"Station {i} (Almaty, district {i % 7}): the count [{i * 37} ballots] was slow; "
    f"observers of @ODIHR were let in ~ at {8 + i % 9}:00 *after* the seals were cut.\n\n"
    for i in range(1, 41)
)


@pytest.fixture
def fake() -> Iterator[FakeLinkedIn]:
    linkedin = FakeLinkedIn(token=TOKEN)
    with linkedin.running():
        yield linkedin


@pytest.fixture
def workspace(tmp_path: Path, fake: FakeLinkedIn) -> Path:
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "report.md").write_text(REPORT, encoding="utf-8")
    (tmp_path / "drafts" / "short.md").write_text(SHORT, encoding="utf-8")
    account = linkedin_account(AUTHOR, "LI_TOKEN", base_url=fake.url)
    write_accounts(tmp_path, {"li": account, "li-more": {**account, "overflow": "comments"}})
    return tmp_path


def run(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return composer(*args, cwd=workspace, db=workspace / "h.sqlite3", env={"LI_TOKEN": TOKEN})


def edition_count(workspace: Path) -> int:
    path = workspace / "h.sqlite3"
    if not path.exists():
        return 0
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        if "editions" not in tables:
            return 0
        return int(connection.execute("SELECT count(*) FROM editions").fetchone()[0])


def planned_texts(workspace: Path, account: str, draft: str = "report") -> list[str]:
    """The posts `publish --dry-run` shows: what must reach LinkedIn, in order."""
    shown = run(workspace, "publish", draft, "--account", account, "--dry-run", "--json")
    assert shown.returncode == 0, shown.stderr
    [edition] = json.loads(shown.stdout)["editions"]
    return [post["text"] for post in edition["posts"]]


@pytest.mark.parametrize("command", [("publish",), ("schedule", "--in", "1h")])
def test_a_report_longer_than_a_post_is_refused_with_its_length(
    command: tuple[str, ...], workspace: Path, fake: FakeLinkedIn
) -> None:
    result = run(workspace, command[0], "report", "--account", "li", *command[1:])
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = [x for x in result.stderr.splitlines() if not x.startswith(("note:", "warning:"))]
    assert "li: the report is " in line and "a LinkedIn post takes 3,000" in line
    assert 'overflow = "comments"' in line
    assert edition_count(workspace) == 0
    assert fake.requests == []


def test_a_short_report_is_one_post_whole(workspace: Path, fake: FakeLinkedIn) -> None:
    result = run(workspace, "publish", "short", "--account", "li")
    assert result.returncode == 0, result.stderr
    assert fake.thread() == [SHORT.strip()]
    assert [c for c in fake.comments.values() if c] == []


def test_a_long_report_is_a_post_and_numbered_comments(workspace: Path, fake: FakeLinkedIn) -> None:
    texts = planned_texts(workspace, "li-more")
    assert len(texts) > 2 and texts[0].startswith("1/") and texts[-1].startswith(f"{len(texts)}/")
    result = run(workspace, "publish", "report", "--account", "li-more")
    assert result.returncode == 0, result.stderr
    assert len(fake.posts) == 1
    [(post, comments)] = fake.comments.items()
    assert fake.thread() == texts
    assert all(comment["object"] == post for comment in comments)
    assert TOKEN not in result.stdout + result.stderr
    assert TOKEN.encode() not in (workspace / "h.sqlite3").read_bytes()


def test_a_lost_answer_is_found_and_never_posted_twice(workspace: Path, fake: FakeLinkedIn) -> None:
    texts = planned_texts(workspace, "li-more")
    fake.inject("POST", "/rest/posts", Fault.DROP_AFTER)
    fake.inject("POST", "/rest/socialActions/", Fault.DROP_AFTER)
    result = run(workspace, "publish", "report", "--account", "li-more")
    assert result.returncode == 0, result.stderr
    assert fake.thread() == texts  # each once, in order


def test_without_read_permission_an_unclear_post_stops_resumable(
    workspace: Path, fake: FakeLinkedIn
) -> None:
    texts = planned_texts(workspace, "li-more")
    fake.can_read = False
    fake.inject("POST", "/rest/socialActions/", Fault.DROP_AFTER)
    first = run(workspace, "publish", "report", "--account", "li-more")
    assert first.returncode == 1
    assert "Traceback" not in first.stderr
    assert fake.thread() == texts[:2]  # the post, the comment whose answer was lost
    fake.can_read = True  # the token gets the permission: the next run finds comment 2
    again = run(workspace, "publish", "report", "--account", "li-more")
    assert again.returncode == 0, again.stderr
    assert fake.thread() == texts


def test_the_daemon_publishes_a_scheduled_linkedin_edition(
    workspace: Path, fake: FakeLinkedIn
) -> None:
    texts = planned_texts(workspace, "li-more")
    scheduled = run(workspace, "schedule", "report", "--account", "li-more", "--in", "1d", "--json")
    assert scheduled.returncode == 0, scheduled.stderr
    [edition] = json.loads(scheduled.stdout)["editions"]
    db = open_database(str(workspace / "h.sqlite3"))
    try:
        mark_due_now(db, edition["id"], datetime.now(UTC))
    finally:
        db.close()
    result = run(workspace, "daemon", "--once")
    assert result.returncode == 0, result.stderr
    assert fake.thread() == texts


def test_a_follow_up_is_comments_on_the_post_each_within_a_comments_limit(
    workspace: Path, fake: FakeLinkedIn
) -> None:
    first = run(workspace, "publish", "short", "--account", "li", "--json")
    assert first.returncode == 0, first.stderr
    [post] = fake.posts
    update = "Update: the commission (CEC) published the protocols late. " * 30  # 1,829 sent
    (workspace / "drafts" / "update.md").write_text(update, encoding="utf-8")
    follow = run(workspace, "publish", "update", "--follows", "1")
    assert follow.returncode == 0, follow.stderr
    comments = [c["message"]["text"] for c in fake.comments[post]]
    assert len(fake.posts) == 1 and len(comments) == 2
    assert all(len(text) <= 1250 for text in comments)  # a comment's limit, not a post's
    # Numbered on from the post (1 of 1): the conversation's posts 2 and 3.
    assert [c["shown"][:4] for c in fake.comments[post]] == ["2/3 ", "3/3 "]
