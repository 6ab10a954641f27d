"""The daemon: claims, grace and missed editions, --once, and the foreground loop."""

from __future__ import annotations

import itertools
import json
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from composer.store import Database, EditionStatus, open_database
from composer.store.claims import claim_due, mark_missed
from composer.store.editions import find_edition
from tests.fakes.mastodon import FakeMastodon
from tests.helpers import (
    composer,
    mastodon_account,
    scheduled_edition,
    start_composer,
    write_accounts,
)

NOW = datetime(2030, 1, 10, 4, 0, tzinfo=UTC)
TOKENS = {"TOK": "tok"}  # the token of the account `m` of workspace()


def test_late_editions_within_grace_are_due_older_ones_missed(db: Database) -> None:
    on_time = scheduled_edition(db, NOW - timedelta(minutes=5))
    too_late = scheduled_edition(db, NOW - timedelta(hours=2))
    future = scheduled_edition(db, NOW + timedelta(minutes=5))
    assert mark_missed(db, NOW, timedelta(minutes=15)) == [too_late]
    missed = find_edition(db, too_late)
    assert missed.status is EditionStatus.MISSED and "missed" in (missed.last_error or "")
    claimed = claim_due(db, NOW, "w1", timedelta(minutes=30))
    assert [c.edition_id for c in claimed] == [on_time]
    assert find_edition(db, future).status is EditionStatus.SCHEDULED


def test_two_daemons_never_claim_the_same_edition(db: Database) -> None:
    ids = [scheduled_edition(db, NOW - timedelta(seconds=n)) for n in range(40)]
    results: dict[str, list[int]] = {}

    def worker(name: str) -> None:
        results[name] = [c.edition_id for c in claim_due(db, NOW, name, timedelta(minutes=30))]

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = results["w0"] + results["w1"]
    assert sorted(taken) == sorted(ids)  # every edition claimed exactly once
    assert len(set(taken)) == len(taken)


def test_a_dead_daemons_claim_expires(db: Database) -> None:
    edition_id = scheduled_edition(db, NOW - timedelta(minutes=1))
    assert claim_due(db, NOW, "dead", timedelta(minutes=30))
    assert claim_due(db, NOW + timedelta(minutes=10), "alive", timedelta(minutes=30)) == []
    later = claim_due(db, NOW + timedelta(minutes=31), "alive", timedelta(minutes=30))
    assert [c.edition_id for c in later] == [edition_id]
    assert find_edition(db, edition_id).claimed_by == "alive"


# --- the command ---------------------------------------------------------------------------
def workspace(tmp_path: Path, url: str) -> Path:
    (tmp_path / "drafts").mkdir(exist_ok=True)
    (tmp_path / "drafts" / "report.md").write_text("The count was slow. " * 40, encoding="utf-8")
    write_accounts(tmp_path, {"m": mastodon_account(url, "TOK")})
    return tmp_path


def test_once_publishes_what_is_due(tmp_path: Path) -> None:
    fake = FakeMastodon(token="tok")
    with fake.running():
        cwd = workspace(tmp_path, fake.url)
        run = lambda *a: composer(*a, cwd=cwd, db=cwd / "h.sqlite3", env=TOKENS)  # noqa: E731
        edition = json.loads(
            run("schedule", "report", "--account", "m", "--in", "1d", "--json").stdout
        )
        assert run("daemon", "--once").returncode == 0
        assert fake.statuses == {}  # not due yet
        db = open_database(str(cwd / "h.sqlite3"))
        try:
            edition_id = edition["editions"][0]["id"]
            from composer.store.queue import mark_due_now

            mark_due_now(db, edition_id, datetime.now(UTC))
        finally:
            db.close()
        result = run("daemon", "--once")
        assert result.returncode == 0, result.stderr
        logs = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
        assert any(e["event"] == "edition" and e["status"] == "published" for e in logs)
        thread = fake.thread()
        assert len(thread) >= 2
        assert all(b["in_reply_to_id"] == a["id"] for a, b in itertools.pairwise(thread))
        assert "tok" not in result.stderr.replace("token", "")


def test_the_foreground_daemon_publishes_on_time_and_stops_on_sigterm(tmp_path: Path) -> None:
    fake = FakeMastodon(token="tok")
    with fake.running():
        cwd = workspace(tmp_path, fake.url)
        daemon = start_composer(
            "daemon", "--interval", "0.5", cwd=cwd, db=cwd / "h.sqlite3", env=TOKENS
        )
        try:
            scheduled_run = composer(
                "schedule", "report", "--account", "m", "--in", "5s", "--json",
                cwd=cwd, db=cwd / "h.sqlite3", env=TOKENS,
            )  # fmt: skip
            assert scheduled_run.returncode == 0, scheduled_run.stderr
            at = datetime.fromisoformat(
                json.loads(scheduled_run.stdout)["editions"][0]["at"].replace("Z", "+00:00")
            )
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and len(fake.statuses) < 2:
                time.sleep(0.1)
            first = min(fake.statuses.values(), key=lambda s: int(s["id"]))
            assert len(fake.statuses) >= 2
            assert datetime.now(UTC) >= at  # not before its time
        finally:
            daemon.send_signal(signal.SIGTERM)
            _, stderr = daemon.communicate(timeout=30)
        assert daemon.returncode == 0, stderr
        assert '"event": "stopping"' in stderr
        assert first["text"]


def test_claims_skip_the_accounts_asked_to(db: Database) -> None:
    """A round skips the accounts another round of its daemon is publishing to: their due
    editions stay scheduled for a later round, the others are claimed."""
    mine = scheduled_edition(db, NOW - timedelta(minutes=1), account="m")
    busy = scheduled_edition(db, NOW - timedelta(minutes=1), account="busy")
    claimed = claim_due(db, NOW, "w", timedelta(minutes=30), skip_accounts={"busy"})
    assert [c.edition_id for c in claimed] == [mine]
    assert find_edition(db, busy).status is EditionStatus.SCHEDULED
    later = claim_due(db, NOW, "w", timedelta(minutes=30))  # no longer busy
    assert [c.edition_id for c in later] == [busy]
