"""Chaos: every front end at once on one edition, random SIGKILLs, slow writes.

For X, Mastodon and Threads (loopback fakes) and Bluesky (the real PDS, tests/pds.py), one
edition of a four-post thread is left publishing and unclaimed (as a daemon stopped by
SIGTERM leaves it), and a wave of processes mixing `publish DRAFT`, `queue publish-now ID`,
`daemon --once` and a foreground daemon start at random moments; some are SIGKILLed at
random moments (mid-request among them). The fakes' writes are slow, and their duplicate
protection as weak as the platforms' own. The PDS cannot be slowed (a thread takes it half a
second), so on Bluesky the kills go to whichever process holds the edition, at a random
moment once it has started sending: they still land mid-run. Then a clean run finishes
whatever is left. Every post must be on the platform exactly once, each replying to the one
before (on Bluesky, the thread's root too, as the records say), and the ledger must say the
same.

The randomness is seeded; the seed is printed (`pytest -s`), and CHAOS_SEED=N replays it.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack, closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col

from composer.store import Edition, EditionStatus, PostStatus, edition_posts, open_database
from composer.store.editions import find_edition
from composer.store.workers import Worker
from tests.pds import PdsAccount
from tests.publishing.test_crash import (
    ACCOUNT,
    SECRETS,
    Target,
    bluesky_target,
    linkedin_target,
    mastodon_target,
    threads_target,
    x_target,
)

POSTS = 4
PROCESSES = 4  # started in the wave
KILLS = 2  # SIGKILLed in the wave, at random moments
START_WITHIN = 1.5  # seconds: the wave's processes start within this, overlapping
KILL_WITHIN = (1.0, 6.0)  # seconds after its start a process may be killed
WRITE_DELAY = (0.5, 1.5)  # seconds a slow write takes (X and Mastodon fakes; not the PDS)
SENDER_KILL_WITHIN = 0.5  # Bluesky: seconds after the holder starts sending it may be killed
DRAFT = "\n\n---\n\n".join(
    f"Observation {n} of the mission: polling station {n} opened late." for n in range(1, 5)
)


def real_pds(stack: ExitStack, request: pytest.FixtureRequest) -> Target:
    """Bluesky: straight against the PDS, a fresh account per run (skipped without the PDS
    unless CI requires it: tests/pds.py)."""
    pds_url: str = request.getfixturevalue("pds")
    new_account: Callable[[], PdsAccount] = request.getfixturevalue("make_account")
    return bluesky_target(stack, pds_url, new_account(), proxied=False)


TARGETS: dict[str, Callable[[ExitStack, pytest.FixtureRequest], Target]] = {
    "x": lambda stack, _: x_target(stack),
    "mastodon": lambda stack, _: mastodon_target(stack),
    "threads": lambda stack, _: threads_target(stack),
    "linkedin": lambda stack, _: linkedin_target(stack),
    "bluesky": real_pds,
}


@pytest.fixture(scope="module", autouse=True)
def warm_byte_code() -> None:
    warm = (
        "import composer.cli, composer.daemon, composer.publishing, composer.platforms.x, "
        "composer.platforms.mastodon, composer.platforms.threads, composer.platforms.bluesky, "
        "composer.platforms.linkedin, apscheduler.schedulers.blocking"
    )
    subprocess.run([sys.executable, "-c", warm], env=os.environ, check=True, timeout=120)


class Folder:
    def __init__(self, path: Path, target: Target) -> None:
        self.path = path
        (path / "drafts").mkdir()
        (path / "drafts" / "report.md").write_text(DRAFT, encoding="utf-8")
        (path / "accounts.toml").write_text(f"[accounts.{ACCOUNT}]{target.config}", "utf-8")
        self.env = {
            **os.environ,
            **SECRETS,
            **target.env,
            "COMPOSER_DB": str(path / "h.sqlite3"),
            "NO_COLOR": "1",
        }
        self.env.pop("COMPOSER_CONFIG", None)

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "composer", *args],
            cwd=self.path,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "composer", *args],
            cwd=self.path,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )


def left_publishing(folder: Folder) -> int:
    """The draft's edition, scheduled by the CLI, then as a daemon stopped by SIGTERM leaves
    it: publishing, due, unclaimed (so every front end may take it)."""
    done = folder.run("schedule", "report", "--account", ACCOUNT, "--in", "1h")
    assert done.returncode == 0, done.stderr
    with open_database(str(folder.path / "h.sqlite3")) as db, db.session() as session:
        now = datetime.now(UTC)
        edition_id = session.connection().execute(sa.select(sa.func.max(col(Edition.id)))).scalar()
        session.connection().execute(
            sa.update(Edition)
            .where(col(Edition.id) == edition_id)
            .values(status=EditionStatus.PUBLISHING, scheduled_at=now - timedelta(seconds=1))
            .values(claimed_by=None, claimed_until=now)
        )
    assert isinstance(edition_id, int)
    return edition_id


def sender(database: Path, edition_id: int) -> tuple[bool, int | None]:
    """(whether the edition is published, the pid of the process that holds it and has
    started sending it: a post past `pending`), read beside the wave (WAL)."""
    query = (
        "SELECT e.status, e.claimed_by, "
        "(SELECT count(*) FROM posts p WHERE p.edition_id = e.id AND p.status != 'pending') "
        "FROM editions e WHERE e.id = ?"
    )
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)) as db:
            row = db.execute(query, (edition_id,)).fetchone()
    except sqlite3.Error:
        return False, None
    if row is None or row[0] != EditionStatus.PUBLISHING.value or not row[2]:
        return row is not None and row[0] == EditionStatus.PUBLISHED.value, None
    worker = Worker.parse(row[1])
    return False, worker.pid if worker else None


def kill_senders(
    database: Path,
    edition_id: int,
    running: list[subprocess.Popen[str] | None],
    delays: list[float],
) -> threading.Thread:
    """Kill the wave's process that is sending the edition, `delay` after it is seen sending,
    once per delay (the next holder in turn); stops once the edition is published or the
    wave has ended."""

    def killer() -> None:
        for delay in delays:
            process = None
            while process is None:
                published, pid = sender(database, edition_id)
                ended = all(p is not None and p.poll() is not None for p in running)
                if published or ended:
                    return
                alive = (p for p in running if p is not None and p.poll() is None)
                process = next((p for p in alive if p.pid == pid), None)
                time.sleep(0.005)
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            print(f"killed the sender, pid {process.pid}, {delay:.2f} s in")
            process.wait()

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    return thread


COMMANDS = (
    ("publish", "report", "--account", ACCOUNT),
    ("queue", "publish-now", "{id}"),
    ("daemon", "--once"),
    ("daemon", "--interval", "0.2"),
)


@pytest.mark.parametrize("platform", sorted(TARGETS))
def test_every_front_end_at_once_with_random_kills_publishes_each_post_once(
    tmp_path: Path, platform: str, request: pytest.FixtureRequest
) -> None:
    seed = int(os.environ.get("CHAOS_SEED", time.time_ns() % 1_000_000))
    print(f"chaos seed {seed} ({platform}): CHAOS_SEED={seed} replays it")
    chance = random.Random(f"{seed}-{platform}")
    with ExitStack() as stack:
        target = TARGETS[platform](stack, request)
        delay = chance.uniform(*WRITE_DELAY)  # drawn for every platform: seeds replay alike
        if platform != "bluesky":  # the PDS answers as fast as it writes
            target.hooks.write_delay = delay
        folder = Folder(tmp_path, target)
        edition_id = left_publishing(folder)

        # The wave: each process starts at a random moment; KILLS of them die at random ones.
        commands = [chance.choice(COMMANDS) for _ in range(PROCESSES)]
        starts = sorted(chance.uniform(0, START_WITHIN) for _ in commands)
        kills = sorted(chance.sample(range(PROCESSES), KILLS))
        kill_at = {i: starts[i] + chance.uniform(*KILL_WITHIN) for i in kills}
        running: list[subprocess.Popen[str] | None] = [None] * PROCESSES
        killer = None
        if platform == "bluesky":  # the senders, mid-run, instead of random processes
            delays = [chance.uniform(0, SENDER_KILL_WITHIN) for _ in range(KILLS)]
            killer = kill_senders(folder.path / "h.sqlite3", edition_id, running, delays)
            kill_at = {}
        print(f"wave: {list(zip(starts, commands, strict=True))}, kills {kill_at}")
        began = time.monotonic()
        events = sorted(
            [(at, "start", i) for i, at in enumerate(starts)]
            + [(at, "kill", i) for i, at in kill_at.items()]
        )
        for at, kind, i in events:
            time.sleep(max(0.0, at - (time.monotonic() - began)))
            if kind == "start":
                running[i] = folder.start(*(a.format(id=edition_id) for a in commands[i]))
            elif (process := running[i]) is not None and process.poll() is None:
                process.send_signal(signal.SIGKILL)
        if killer is not None:
            killer.join(timeout=120)
        # Foreground daemons are stopped as systemd stops them, once the rest have ended.
        for i, process in enumerate(running):
            assert process is not None
            if commands[i][-1] != "0.2":
                process.wait(timeout=120)
        for process in running:
            assert process is not None
            if process.poll() is None:
                time.sleep(1.0)
                process.send_signal(signal.SIGTERM)
        outputs = [(commands[i], p.communicate(timeout=120)) for i, p in enumerate(running) if p]
        for command, (_, err) in outputs:
            assert "Traceback" not in err, (command, err)

        # The clean run: whatever is left is finished, from the ledger.
        with open_database(str(folder.path / "h.sqlite3")) as db:
            if find_edition(db, edition_id).status is not EditionStatus.PUBLISHED:
                clean = folder.run("publish", "report", "--account", ACCOUNT)
                assert clean.returncode == 0, clean.stderr
            edition = find_edition(db, edition_id)
            posts = edition_posts(db, edition_id)
            editions = db.engine.connect().execute(sa.select(sa.func.count(col(Edition.id))))
            assert editions.scalar() == 1, "one edition, resumed by every front end"
        assert edition.status is EditionStatus.PUBLISHED
        posted = target.posted()
        texts = [p.text for p in posts]
        counts = Counter(p.text for p in posted)
        assert all(counts[text] == 1 for text in texts), counts  # each post exactly once
        assert len(posted) == POSTS == len(posts)
        by_id = {p.id: p for p in posted}
        assert all(p.status is PostStatus.SENT for p in posts)
        assert [by_id[str(p.remote_id)].text for p in posts] == texts  # the ledger agrees
        parents = [by_id[str(p.remote_id)].parent for p in posts]
        assert parents == [None, *(str(p.remote_id) for p in posts[:-1])]  # chained
        if platform == "bluesky":  # every reply names the thread's root, and the ledger its cid
            roots = [by_id[str(p.remote_id)].root for p in posts]
            assert roots == [None, *[str(posts[0].remote_id)] * (POSTS - 1)]
            assert [p.remote_cid for p in posts] == [by_id[str(p.remote_id)].cid for p in posts]
