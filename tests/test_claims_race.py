"""One process per edition, whatever the front end: races against a slow platform.

The fakes here write slowly (`write_delay`) and their idempotency is as weak as the real
platform's: Mastodon records an Idempotency-Key only once the status exists, so a copy sent
during the first one's write is a second status. Without one claim taken by every front end,
each of these races published a post twice.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from composer.store import (
    Database,
    EditionStatus,
    PostStatus,
    edition_posts,
)
from composer.store.editions import find_edition
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Request
from tests.helpers import mastodon_account, scheduled_edition, start_composer, write_accounts

TOKEN = "tok-race"
BUSY = re.compile(
    r"thread-composer: edition (\d+) is being published by [\w-]+ on \S+ \(pid \d+\) "
    r"since \d\d:\d\d:\d\d; it will resume if that stops"
)
DRAFT = "\n\n---\n\n".join(f"Statement part {n}: the count was slow." for n in (1, 2, 3))


@pytest.fixture(scope="module", autouse=True)
def warm_byte_code() -> None:
    """Compile what the commands import once, so that processes started together do not
    each compile (tests/conftest.py keeps the cache)."""
    warm = "import composer.cli, composer.daemon, composer.publishing, composer.platforms.mastodon"
    subprocess.run([sys.executable, "-c", warm], env=os.environ, check=True, timeout=120)


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    fake = FakeMastodon(token=TOKEN)
    fake.write_delay = 4.0  # as slow as the Mastodon
    with fake.running():
        yield fake


@pytest.fixture
def folder(tmp_path: Path, mastodon: FakeMastodon) -> Path:
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "report.md").write_text(DRAFT, encoding="utf-8")
    write_accounts(tmp_path, {"m": mastodon_account(mastodon.url, "TOK", max_characters=500)})
    return tmp_path


def start(folder: Path, *args: str) -> subprocess.Popen[str]:
    """The command in `folder`, on the `db` fixture's database (conftest's db_path)."""
    return start_composer(*args, cwd=folder, db=folder / "history.sqlite3", env={"TOK": TOKEN})


def finish(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def assert_thread_once(fake: FakeMastodon, texts: list[str]) -> None:
    statuses = fake.thread()
    assert [s["text"] for s in statuses] == texts, "each post once, in order"
    assert statuses[0]["in_reply_to_id"] is None
    assert all(b["in_reply_to_id"] == a["id"] for a, b in itertools.pairwise(statuses))


def texts_of(db: Database, edition_id: int) -> list[str]:
    return [post.text for post in edition_posts(db, edition_id)]


def assert_ledger_agrees(db: Database, edition_id: int, fake: FakeMastodon) -> None:
    posts = edition_posts(db, edition_id)
    assert find_edition(db, edition_id).status is EditionStatus.PUBLISHED
    assert all(p.status is PostStatus.SENT for p in posts)
    assert [p.remote_id for p in posts] == [s["id"] for s in fake.thread()]


def test_two_publish_runs_of_one_draft_on_a_slow_mastodon_publish_each_post_once(
    folder: Path, db: Database, mastodon: FakeMastodon
) -> None:
    first = start(folder, "publish", "report", "--account", "m")
    time.sleep(0.05)
    second = start(folder, "publish", "report", "--account", "m")
    results = [finish(first), finish(second)]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], results
    loser = next(err for code, _, err in results if code == 2)
    assert len(loser.strip().splitlines()) == 1 and BUSY.fullmatch(loser.strip()), loser
    assert "Traceback" not in "".join(err for _, _, err in results)
    edition_id = int(BUSY.fullmatch(loser.strip()).group(1))  # type: ignore[union-attr]
    assert_thread_once(mastodon, texts_of(db, edition_id))
    assert_ledger_agrees(db, edition_id, mastodon)


def test_publish_with_wait_waits_for_the_other_run_and_says_it_got_published(
    folder: Path, db: Database, mastodon: FakeMastodon
) -> None:
    first = start(folder, "publish", "report", "--account", "m")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(r.method == "POST" for r in mastodon.requests):
        time.sleep(0.02)
    waiting = start(folder, "publish", "report", "--account", "m", "--wait")
    (code, _, err), (waited, out, wait_err) = finish(first), finish(waiting)
    assert code == 0, err
    assert waited == 0, wait_err
    assert wait_err.startswith("waiting: edition ") and "Traceback" not in wait_err
    assert "was published meanwhile" in out
    edition_id = int(wait_err.split()[2])
    assert_thread_once(mastodon, texts_of(db, edition_id))


TEXTS = [f"Statement part {n} of 3: the count was slow." for n in (1, 2, 3)]


def statement(db: Database, at: datetime) -> int:
    """The statement of TEXTS, scheduled for `at` on the account `m`."""
    return scheduled_edition(db, at, posts=TEXTS, title="Statement")


def test_publish_now_while_a_daemon_runs_sends_each_post_once(
    folder: Path, db: Database, mastodon: FakeMastodon
) -> None:
    mastodon.write_delay = 2.0
    edition_id = statement(db, datetime.now(UTC) + timedelta(hours=1))
    daemon = start(folder, "daemon", "--interval", "0.2")
    try:
        time.sleep(1.0)  # the daemon is looking at the schedule
        now = start(folder, "queue", "publish-now", str(edition_id))
        code, out, err = finish(now)
        assert code == 0, err
        assert f"published edition {edition_id}: 3 posts" in out
        time.sleep(1.0)  # a daemon that took it too would be sending by now
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, daemon_err = daemon.communicate(timeout=60)
    assert '"event": "publishing"' not in daemon_err, daemon_err
    assert_thread_once(mastodon, TEXTS)
    assert_ledger_agrees(db, edition_id, mastodon)


def test_two_publish_now_runs_one_sends_the_other_says_who(
    folder: Path, db: Database, mastodon: FakeMastodon
) -> None:
    edition_id = statement(db, datetime.now(UTC) + timedelta(hours=1))
    first = start(folder, "queue", "publish-now", str(edition_id))
    time.sleep(0.05)
    second = start(folder, "queue", "publish-now", str(edition_id))
    results = [finish(first), finish(second)]
    assert sorted(code for code, _, _ in results) == [0, 2], results
    loser = next(err for code, _, err in results if code == 2).strip()
    assert BUSY.fullmatch(loser) and f"edition {edition_id} " in loser, loser
    assert_thread_once(mastodon, TEXTS)


def test_publish_now_with_wait_waits_and_says_it_got_published(
    folder: Path, db: Database, mastodon: FakeMastodon
) -> None:
    mastodon.write_delay = 1.0
    edition_id = statement(db, datetime.now(UTC) + timedelta(hours=1))
    first = start(folder, "queue", "publish-now", str(edition_id))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(r.method == "POST" for r in mastodon.requests):
        time.sleep(0.02)
    waiting = start(folder, "queue", "publish-now", str(edition_id), "--wait")
    (code, _, err), (waited, out, wait_err) = finish(first), finish(waiting)
    assert code == 0, err
    assert waited == 0, wait_err
    assert wait_err.startswith(f"waiting: edition {edition_id} is being published by ")
    assert f"edition {edition_id} was published meanwhile" in out
    assert_thread_once(mastodon, TEXTS)


def test_a_daemon_killed_mid_request_is_finished_by_the_next_within_a_minute(
    folder: Path, db: Database, mastodon: FakeMastodon
) -> None:
    """SIGKILL while post 2's (slow) write is in the platform's hands: the write still
    lands. The restarted daemon takes the dead holder's claim at once (same host, pid gone),
    lets that write settle before asking for it, and finishes: each post once."""
    mastodon.write_delay = 1.0
    edition_id = statement(db, datetime.now(UTC))
    victim: list[subprocess.Popen[str]] = []

    def kill_on_second_post(request: Request) -> None:
        posts = [r for r in mastodon.requests if r.method == "POST"]
        if request.method == "POST" and len(posts) == 1 and victim:
            os.kill(victim[0].pid, signal.SIGKILL)

    mastodon.on_request = kill_on_second_post
    victim.append(start(folder, "daemon", "--interval", "0.2"))
    victim[0].communicate(timeout=60)
    assert victim[0].returncode == -signal.SIGKILL
    mastodon.on_request = None
    killed_at = time.monotonic()
    left = find_edition(db, edition_id)
    assert left.status is EditionStatus.PUBLISHING and left.claimed_by is not None

    restarted = start(folder, "daemon", "--interval", "0.2")
    try:
        while time.monotonic() - killed_at < 60:
            if find_edition(db, edition_id).status is EditionStatus.PUBLISHED:
                break
            time.sleep(0.2)
        took = time.monotonic() - killed_at
        print(f"finished {took:.1f} s after the SIGKILL")
    finally:
        restarted.send_signal(signal.SIGTERM)
        _, err = restarted.communicate(timeout=60)
    assert took < 60, err
    assert_thread_once(mastodon, TEXTS)
    assert_ledger_agrees(db, edition_id, mastodon)


def test_sigterm_stops_daemon_once_after_its_post_and_releases_the_claim(
    folder: Path, db: Database, mastodon: FakeMastodon
) -> None:
    mastodon.write_delay = 2.0
    edition_id = statement(db, datetime.now(UTC))
    once = start(folder, "daemon", "--once")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(r.method == "POST" for r in mastodon.requests):
        time.sleep(0.02)
    once.send_signal(signal.SIGTERM)  # during post 1's write
    code, _, err = finish(once, timeout=60)
    assert code in (0, 1) and "Traceback" not in err, err
    left = find_edition(db, edition_id)
    assert left.status is EditionStatus.PUBLISHING, err
    assert left.claimed_by is None and left.claimed_until is not None
    assert left.claimed_until <= datetime.now(UTC)
    assert [s["text"] for s in mastodon.thread()] == TEXTS[:1]  # its post, finished; no more
    # The next run resumes it at once.
    code, _, err = finish(start(folder, "daemon", "--once"))
    assert code == 0, err
    assert_thread_once(mastodon, TEXTS)
    assert_ledger_agrees(db, edition_id, mastodon)
