"""A daemon round with a broken account: its editions fail with the reason (once, not every
round), and the other accounts' editions in the same round are published untouched."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from composer import daemon
from composer.store import Database, EditionStatus, open_database
from composer.store.editions import find_edition
from composer.workspace.config import Config, load_config
from tests.fakes.mastodon import FakeMastodon
from tests.helpers import scheduled_edition, start_composer

ACCOUNTS = """
[accounts.good]
platform = "mastodon"
instance = "{url}"
access_token_env = "DAEMON_PREFLIGHT_TOKEN"

[accounts.unset]
platform = "x"
consumer_key_env = "DAEMON_PREFLIGHT_UNSET"
consumer_secret_env = "DAEMON_PREFLIGHT_TOKEN"
access_token_env = "DAEMON_PREFLIGHT_TOKEN"
access_token_secret_env = "DAEMON_PREFLIGHT_TOKEN"

[accounts.failing-cmd]
platform = "x"
consumer_key_cmd = "false"
consumer_secret_env = "DAEMON_PREFLIGHT_TOKEN"
access_token_env = "DAEMON_PREFLIGHT_TOKEN"
access_token_secret_env = "DAEMON_PREFLIGHT_TOKEN"

[accounts.li]
platform = "linkedin"
author = "urn:li:organization:2414183"
access_token_cmd = "false"

[accounts.also-good]
platform = "mastodon"
instance = "{url}"
access_token_env = "DAEMON_PREFLIGHT_TOKEN"
"""


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    mastodon = FakeMastodon(token="tok")
    with mastodon.running():
        yield mastodon


@pytest.fixture
def setup(
    tmp_path: Path, fake: FakeMastodon, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Database, Config]]:
    monkeypatch.setenv("DAEMON_PREFLIGHT_TOKEN", "tok")
    monkeypatch.delenv("DAEMON_PREFLIGHT_UNSET", raising=False)
    path = tmp_path / "accounts.toml"
    path.write_text(ACCOUNTS.format(url=fake.url), encoding="utf-8")
    db = open_database(str(tmp_path / "h.sqlite3"))
    yield db, load_config(path)
    db.close()


def due(db: Database, account: str, platform: str, now: datetime) -> int:
    posts = [f"{account}: one.", f"{account}: two."]
    at = now - timedelta(minutes=1)
    return scheduled_edition(db, at, account=account, platform=platform, posts=posts, title=account)


def test_broken_accounts_fail_their_editions_once_and_the_others_publish(
    setup: tuple[Database, Config], fake: FakeMastodon
) -> None:
    db, config = setup
    now = datetime.now(UTC)
    good = due(db, "good", "mastodon", now)
    broken = {
        due(db, "unset", "x", now): "DAEMON_PREFLIGHT_UNSET is not set",
        due(db, "failing-cmd", "x", now): "command 'false' failed",
        due(db, "li", "linkedin", now): "command 'false' failed",
        due(db, "gone", "mastodon", now): "unknown account 'gone'",
        due(db, "good", "x", now): "was written for x, but account good is a mastodon account",
    }
    result = asyncio.run(daemon.run_round(db, config, now=now, worker="w"))

    assert find_edition(db, good).status is EditionStatus.PUBLISHED
    assert [status["text"] for status in fake.thread()] == ["good: one.", "good: two."]
    for edition_id, cause in broken.items():
        edition = find_edition(db, edition_id)
        assert edition.status is EditionStatus.FAILED, cause
        assert cause in (edition.last_error or ""), edition.last_error
        assert edition.claimed_by is None
    assert {o.edition_id for o in result.outcomes} == {good, *broken}

    # Failed is final until someone resumes it: the next rounds do not claim them again.
    later = asyncio.run(daemon.run_round(db, config, now=now + timedelta(seconds=1), worker="w"))
    assert later.outcomes == []


def test_an_edition_failing_mid_round_does_not_stop_the_other_accounts(
    setup: tuple[Database, Config], fake: FakeMastodon, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, config = setup
    now = datetime.now(UTC)
    unlucky = due(db, "also-good", "mastodon", now)  # passes the pre-flight, then fails
    good = due(db, "good", "mastodon", now)
    publish = daemon.publish_existing

    async def failing_for_one(db: Database, edition_id: int, *args: Any, **kwargs: Any) -> Any:
        if edition_id == unlucky:
            raise OSError("disk I/O error")  # the unexpected, in one edition
        return await publish(db, edition_id, *args, **kwargs)

    monkeypatch.setattr(daemon, "publish_existing", failing_for_one)
    result = asyncio.run(daemon.run_round(db, config, now=now, worker="w"))
    assert find_edition(db, good).status is EditionStatus.PUBLISHED
    assert len(fake.thread()) == 2
    failed = [o for o in result.outcomes if o.edition_id == unlucky]
    assert len(failed) == 1 and not failed[0].finished
    assert "disk I/O error" in (failed[0].error or "")


def test_the_foreground_daemon_fails_a_broken_edition_once_and_publishes_the_rest(
    tmp_path: Path, fake: FakeMastodon
) -> None:
    """A real daemon process: the broken account's edition is failed with its reason in one
    log line, never retried round after round; the good account's edition is published."""
    (tmp_path / "accounts.toml").write_text(ACCOUNTS.format(url=fake.url), encoding="utf-8")
    db = open_database(str(tmp_path / "h.sqlite3"))
    soon = datetime.now(UTC) + timedelta(seconds=2, minutes=1)  # due 2 s from now
    try:
        broken = due(db, "unset", "x", soon)
        good = due(db, "good", "mastodon", soon)
    finally:
        db.close()
    tokens = {"DAEMON_PREFLIGHT_TOKEN": "tok", "DAEMON_PREFLIGHT_UNSET": None}
    process = start_composer(
        "daemon", "--interval", "0.3", cwd=tmp_path, db=tmp_path / "h.sqlite3", env=tokens
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(fake.statuses) < 2:
            time.sleep(0.1)
        time.sleep(2)  # several more rounds: none may take the failed edition again
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr, stderr
    logs = [json.loads(line) for line in stderr.splitlines()]
    ended = [e for e in logs if e["event"] == "edition"]
    assert {e["edition"]: e["status"] for e in ended} == {good: "published", broken: "failed"}
    [failure] = [e for e in ended if e["edition"] == broken]
    assert "DAEMON_PREFLIGHT_UNSET is not set" in failure["error"]
    db = open_database(str(tmp_path / "h.sqlite3"))
    try:
        assert find_edition(db, broken).status is EditionStatus.FAILED
        assert find_edition(db, good).status is EditionStatus.PUBLISHED
    finally:
        db.close()
