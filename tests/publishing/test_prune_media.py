"""The cache of prepared images is pruned without anyone asking: after `publish`, and by
the daemon's rounds at most once a day (whether or not they publish)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from composer import locations
from composer.daemon import run_round
from composer.media.cache import MAX_AGE_SECONDS
from composer.store import Database
from composer.workspace.config import load_config
from tests.fakes.mastodon import FakeMastodon
from tests.helpers import composer, mastodon_account, write_accounts

DAY = 24 * 3600.0


def stale_entry(name: str) -> Path:
    """An entry of the data folder's cache last used 31 days ago."""
    folder = locations.media_cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"\xff\xd8\xff" + b"x" * 100)
    used = time.time() - MAX_AGE_SECONDS - DAY
    os.utime(path, (used, used))
    return path


def test_publish_prunes_the_cache(tmp_path: Path) -> None:
    stale = stale_entry("a" * 64 + "-1.old")
    fake = FakeMastodon(token="tok")
    with fake.running():
        (tmp_path / "drafts").mkdir()
        (tmp_path / "drafts" / "report.md").write_text("The count was slow.", encoding="utf-8")
        write_accounts(tmp_path, {"m": mastodon_account(fake.url, "TOK")})
        result = composer(
            "publish", "report", "--account", "m", cwd=tmp_path, db=tmp_path / "h.sqlite3",
            env={"TOK": "tok"},
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(fake.statuses) == 1
    assert not stale.exists()


def test_daemon_rounds_prune_at_most_once_a_day(db: Database, tmp_path: Path) -> None:
    config = load_config(
        write_accounts(tmp_path, {"m": mastodon_account("http://127.0.0.1:9", "NO_TOKEN")})
    )
    first = stale_entry("b" * 64 + "-1.old")
    asyncio.run(run_round(db, config))  # nothing due: it prunes all the same
    assert not first.exists()
    second = stale_entry("c" * 64 + "-1.old")
    asyncio.run(run_round(db, config))  # the same day: not again
    assert second.exists()
