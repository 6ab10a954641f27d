"""The daemon killed mid-thread, and two daemons on one database: never twice, never half.

Both tests run `python -m composer daemon` as subprocesses against loopback FakeMastodon
servers (tests/fakes/mastodon.py: one token and one account a server, so one fake an
account), with the editions scheduled straight into the store, due now.

- `test_a_daemon_killed_mid_thread_is_finished_by_the_next_one`: SIGKILL the daemon right
  after a fake stored post 3 of one edition (before the daemon heard back), start another
  daemon, and check both editions end up whole, each post once, in order. The dead daemon's
  claim has not run out, but its holder's pid is gone on this host: the next daemon takes it
  at once.
- `test_two_daemons_on_one_database_publish_each_edition_once`: two daemons started together
  on one SQLite file; every edition is published by exactly one of them (their JSON-lines
  logs say which), and once on its account. The same on PostgreSQL (`--db URL`) when
  COMPOSER_TEST_POSTGRES is set (required with COMPOSER_REQUIRE_POSTGRES=1, as in
  tests/store/test_postgres.py).
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from composer.store import (
    DraftText,
    EditionStatus,
    PostStatus,
    edition_posts,
    open_database,
    record_thread,
)
from composer.store.claims import live_holder
from composer.store.editions import find_edition
from composer.store.queue import schedule_edition
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Hangup

STOP_TIMEOUT = 30.0
POSTGRES = os.environ.get("COMPOSER_TEST_POSTGRES")


@pytest.fixture(scope="module", autouse=True)
def warm_byte_code() -> None:
    """Compile what a daemon imports once, into the cache tests/conftest.py set up
    (PYTHONPYCACHEPREFIX), so that daemons started at the same time do not each compile."""
    warm = (
        "import composer.cli, composer.daemon, composer.publishing, composer.store, "
        "composer.platforms.mastodon, apscheduler.schedulers.blocking"
    )
    subprocess.run([sys.executable, "-c", warm], env=os.environ, check=True, timeout=120)


@dataclass
class Account:
    name: str
    fake: FakeMastodon
    token_env: str


@dataclass
class Scheduled:
    edition_id: int
    account: Account
    texts: list[str]


class Workspace:
    """A folder with accounts.toml and the database, one fake Mastodon an account."""

    def __init__(
        self, folder: Path, stack: ExitStack, names: list[str], url: str | None = None
    ) -> None:
        """`url`: a database URL the daemons are given with `--db` (a SQLite file by default)."""
        self.folder = folder
        self.url = url
        self.accounts: dict[str, Account] = {}
        config = []
        for number, name in enumerate(names):
            fake = FakeMastodon(token=f"tok-{name}", username=name)
            fake.account_id = f"10900000000000000{number}"
            stack.enter_context(fake.running())
            token_env = f"DAEMON_CRASH_TOKEN_{number}"
            self.accounts[name] = Account(name, fake, token_env)
            config.append(
                f'[accounts.{name}]\nplatform = "mastodon"\ninstance = "{fake.url}"\n'
                f'access_token_env = "{token_env}"\n'
            )
        (folder / "accounts.toml").write_text("\n".join(config), encoding="utf-8")
        self.database_path = folder / "history.sqlite3"
        self.db = open_database(url or str(self.database_path))
        stack.callback(self.db.close)
        self.env = {**os.environ, "COMPOSER_DB": str(self.database_path), "NO_COLOR": "1"}
        if url:
            del self.env["COMPOSER_DB"]  # the daemons are given --db URL
        self.env.pop("COMPOSER_CONFIG", None)
        self.env.update({a.token_env: f"tok-{a.name}" for a in self.accounts.values()})
        self.daemons: list[subprocess.Popen[bytes]] = []
        stack.callback(self._kill_leftovers)

    def schedule(
        self, account: str, title: str, posts: int, after: timedelta = timedelta(0)
    ) -> Scheduled:
        """An edition of `posts` distinct posts, due `after` from now (due now by default,
        well within the daemon's grace)."""
        texts = [
            f"{title}, part {n} of {posts}: what the monitors saw." for n in range(1, 1 + posts)
        ]
        thread = record_thread(self.db, DraftText(title=title, body="\n\n".join(texts)))
        assert thread.id is not None
        edition = schedule_edition(
            self.db,
            thread.id,
            account=account,
            platform="mastodon",
            posts=texts,
            at_utc=datetime.now(UTC) + after,
            zone="UTC",
        )
        assert edition.id is not None
        return Scheduled(edition.id, self.accounts[account], texts)

    def start_daemon(self, interval: float, log_name: str) -> subprocess.Popen[bytes]:
        # Standard error goes to a file: nothing to drain while the test waits.
        database = ["--db", self.url] if self.url else []
        with (self.folder / log_name).open("wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "composer",
                    *database,
                    "daemon",
                    "--interval",
                    str(interval),
                ],
                cwd=self.folder,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        self.daemons.append(process)
        return process

    def wait_until_started(self, log_names: list[str], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(any(e["event"] == "started" for e in self.log(n)) for n in log_names):
                return
            time.sleep(0.05)
        pytest.fail(f"the daemons did not start within {timeout} s")

    def log(self, log_name: str) -> list[dict[str, Any]]:
        # Only whole lines: the daemon may be writing the last one right now.
        lines = (self.folder / log_name).read_text(encoding="utf-8").split("\n")[:-1]
        return [json.loads(line) for line in lines if line.startswith("{")]

    def wait_until_published(
        self, editions: list[Scheduled], daemons: list[subprocess.Popen[bytes]], timeout: float
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            statuses = [find_edition(self.db, e.edition_id).status for e in editions]
            if all(s is EditionStatus.PUBLISHED for s in statuses):
                return
            if any(daemon.poll() is not None for daemon in daemons):  # died: no use waiting
                break
            time.sleep(0.1)
        statuses = [find_edition(self.db, e.edition_id).status for e in editions]
        logs = "\n".join(
            p.read_text(encoding="utf-8")[-3000:] for p in sorted(self.folder.glob("*.log"))
        )
        pytest.fail(f"not all published within {timeout} s: {statuses}\n{logs}")

    def stop(self, daemon: subprocess.Popen[bytes], log_name: str) -> None:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=STOP_TIMEOUT)
        stderr = (self.folder / log_name).read_text(encoding="utf-8")
        assert daemon.returncode == 0, stderr
        assert '"event": "stopping"' in stderr

    def _kill_leftovers(self) -> None:
        for daemon in self.daemons:
            if daemon.poll() is None:
                daemon.kill()
                daemon.wait()


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as resources:
        yield resources


def check_published(workspace: Workspace, editions: list[Scheduled]) -> None:
    """On each fake: every text exactly once, each edition a chain in order; the ledger has
    every post sent, with the fake's ids."""
    by_fake: dict[str, list[Scheduled]] = {}
    for edition in editions:
        by_fake.setdefault(edition.account.name, []).append(edition)
    for name, mine in by_fake.items():
        fake = workspace.accounts[name].fake
        with fake.lock:
            statuses = fake.thread()
        counts = Counter(s["text"] for s in statuses)
        expected = [text for e in mine for text in e.texts]
        duplicates = {text: n for text, n in counts.items() if n > 1}
        assert not duplicates, f"{name}: posted more than once: {duplicates}"
        assert sorted(counts) == sorted(expected), f"{name}: missing or stray posts"
        by_text = {s["text"]: s for s in statuses}
        for edition in mine:
            chain = [by_text[text] for text in edition.texts]
            assert chain[0]["in_reply_to_id"] is None
            for before, after in itertools.pairwise(chain):
                assert after["in_reply_to_id"] == before["id"], f"{name}: {after['text']!r}"
                assert int(after["id"]) > int(before["id"])  # posted in order
            rows = edition_posts(workspace.db, edition.edition_id)
            assert [row.status for row in rows] == [PostStatus.SENT] * len(edition.texts)
            assert [row.text for row in rows] == edition.texts
            assert [row.remote_id for row in rows] == [s["id"] for s in chain]
            assert find_edition(workspace.db, edition.edition_id).claimed_by is None


def kill_after_store(
    fake: FakeMastodon, texts: list[str], k: int, process: Callable[[], subprocess.Popen[bytes]]
) -> None:
    """Once `fake` has stored the k-th of `texts`, SIGKILL the daemon before it hears back."""

    def on_store(post: dict[str, Any]) -> None:
        if post["text"] == texts[k - 1]:
            fake.on_store = None  # once: the next daemon goes undisturbed
            daemon = process()
            daemon.kill()
            daemon.wait()
            raise Hangup

    fake.on_store = on_store


def test_a_daemon_killed_mid_thread_is_finished_by_the_next_one(
    tmp_path: Path, stack: ExitStack
) -> None:
    workspace = Workspace(tmp_path, stack, ["a", "b"])
    editions = [workspace.schedule("a", "Edition A", 6), workspace.schedule("b", "Edition B", 6)]
    first_daemon: list[subprocess.Popen[bytes]] = []
    kill_after_store(workspace.accounts["a"].fake, editions[0].texts, 3, lambda: first_daemon[0])
    first_daemon.append(workspace.start_daemon(0.5, "first.log"))
    first = first_daemon[0]
    try:
        first.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("the first daemon was never killed\n" + (tmp_path / "first.log").read_text())
    assert first.returncode == -signal.SIGKILL
    assert [s["text"] for s in workspace.accounts["a"].fake.thread()] == editions[0].texts[:3]

    # The dead daemon left edition A `publishing` under a lease that has not run out, but
    # its holder is gone (this host, its pid dead): the next daemon may take it at once.
    killed = find_edition(workspace.db, editions[0].edition_id)
    assert killed.status is EditionStatus.PUBLISHING
    assert killed.claimed_until is not None and killed.claimed_until > datetime.now(UTC)
    assert live_holder(workspace.db, editions[0].edition_id) is None

    second = workspace.start_daemon(0.5, "second.log")
    # The second daemon finds post 3 `sending`, waits until SENDING_SETTLE (10 s) has passed
    # since it was marked, and asks the fake.
    workspace.wait_until_published(editions, [second], timeout=30)
    check_published(workspace, editions)
    workspace.stop(second, "second.log")
    published = [
        e["edition"]
        for e in workspace.log("second.log")
        if e["event"] == "edition" and e["status"] == "published"
    ]
    assert editions[0].edition_id in published


def test_two_daemons_on_one_database_publish_each_edition_once(
    tmp_path: Path, stack: ExitStack
) -> None:
    two_daemons_publish_each_edition_once(Workspace(tmp_path, stack, ["a", "b", "c", "d"]))


@pytest.fixture
def postgres_url() -> str:
    """An empty PostgreSQL database (the schema dropped and made again), as a URL."""
    if not POSTGRES:
        if os.environ.get("COMPOSER_REQUIRE_POSTGRES") == "1":
            pytest.fail("COMPOSER_REQUIRE_POSTGRES=1 but COMPOSER_TEST_POSTGRES is not set")
        pytest.skip("no PostgreSQL server (set COMPOSER_TEST_POSTGRES to a SQLAlchemy URL)")
    engine = sa.create_engine(POSTGRES)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return POSTGRES


def test_two_daemons_on_postgresql_publish_each_edition_once(
    tmp_path: Path, stack: ExitStack, postgres_url: str
) -> None:
    workspace = Workspace(tmp_path, stack, ["a", "b", "c", "d"], url=postgres_url)
    assert workspace.db.engine.dialect.name == "postgresql"
    two_daemons_publish_each_edition_once(workspace)


def two_daemons_publish_each_edition_once(workspace: Workspace) -> None:
    names = list(workspace.accounts)
    # Four editions due before the daemons start, one an account...
    editions = [workspace.schedule(name, f"Edition {name}1", 3) for name in names]
    logs = ["daemon0.log", "daemon1.log"]
    daemons = [workspace.start_daemon(0.3, log) for log in logs]
    # ...and four falling due while both are polling, 0.15 s apart, so that both daemons'
    # rounds (0.3 s each, out of phase) race for them, not just the first one to start.
    workspace.wait_until_started(logs)
    editions += [
        workspace.schedule(name, f"Edition {name}2", 3, after=timedelta(seconds=0.15 * n))
        for n, name in enumerate(names, start=1)
    ]
    workspace.wait_until_published(editions, daemons, timeout=60)
    check_published(workspace, editions)
    for daemon, log in zip(daemons, logs, strict=True):
        workspace.stop(daemon, log)

    publishers: dict[int, list[int]] = {e.edition_id: [] for e in editions}
    for number, log in enumerate(logs):
        for event in workspace.log(log):
            if event["event"] == "edition":
                assert event["status"] == "published", event
                publishers[event["edition"]].append(number)
    twice = {edition: who for edition, who in publishers.items() if len(who) != 1}
    assert not twice, f"editions not published by exactly one daemon: {twice}"
