"""A daemon SIGKILLed in the middle of a thread: what a person is told. The edition is left
`publishing`; `check` reports it, and the next daemon takes it over and finishes it: then
the one notification is `published` (asked for here), never a `stopped` or `failed`."""

from __future__ import annotations

import signal
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from composer.store import EditionStatus, open_database
from composer.store.editions import find_edition
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Hangup
from tests.helpers import mastodon_account, scheduled_edition, start_composer, write_accounts
from tests.notify.test_notify_daemon import ACCOUNT_TOKEN, TITLE, no_secret_anywhere, run
from tests.notify.webhook import Webhook

POSTS = ("One of three.", "Two of three.", "Three of three.")


def test_a_killed_daemons_edition_is_taken_over_and_notified_once(tmp_path: Path) -> None:
    fake = FakeMastodon(token=ACCOUNT_TOKEN)
    with fake.running(), Webhook().running() as hook:
        path = write_accounts(tmp_path, {"m": mastodon_account(fake.url, "TOK")})
        with path.open("a", encoding="utf-8") as file:
            file.write('\n[notify]\nurls_env = "HOOKS"\n')
            file.write('events = ["failed", "missed", "stopped", "retrying", "published"]\n')
        run(tmp_path, hook.url, "queue")
        db = open_database(str(tmp_path / "h.sqlite3"))
        at = datetime.now(UTC) - timedelta(minutes=1)
        edition_id = scheduled_edition(db, at, posts=POSTS, title=TITLE, zone="Asia/Almaty")
        env = {"TOK": ACCOUNT_TOKEN, "HOOKS": hook.url}
        daemon = start_composer(
            "daemon", "--once", cwd=tmp_path, db=tmp_path / "h.sqlite3", env=env
        )

        def on_store(post: dict[str, Any]) -> None:
            if post["text"] == POSTS[1]:
                fake.on_store = None
                daemon.kill()  # SIGKILL once post 2 is stored, before the daemon hears back
                daemon.wait()
                raise Hangup

        fake.on_store = on_store
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            daemon.kill()
            raise
        assert daemon.returncode == -signal.SIGKILL
        assert find_edition(db, edition_id).status is EditionStatus.PUBLISHING

        check = run(tmp_path, hook.url, "check")
        assert check.returncode == 1
        assert f"interrupted: edition {edition_id} (m, " in check.stdout

        for _ in range(2):  # the next daemon finishes it; another finds nothing to tell
            assert run(tmp_path, hook.url, "daemon", "--once").returncode == 0
        assert find_edition(db, edition_id).status is EditionStatus.PUBLISHED
        assert [s["text"] for s in fake.thread()] == list(POSTS)
        hook.wait_for(2, timeout=3)
        assert [b["title"] for b in hook.bodies] == [f"thread-composer: published: {TITLE} (m)"]
        assert hook.bodies[0]["message"].count("https://") == 3
        assert run(tmp_path, hook.url, "check").returncode == 0
        db.close()
        no_secret_anywhere(tmp_path, hook, check.stdout, check.stderr)
