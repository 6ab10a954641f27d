"""One account's long wait does not hold up another account's due edition (issue 5).

A foreground daemon (`python -m composer daemon`, a subprocess) and two loopback
FakeMastodon servers, one an account. Account a's first post meets a 429 whose reset is 20 s
ahead, so the daemon waits it out; account b's edition, due 2 s after that 429, must not
wait with it: b's posts are stored before a's retry. The order is asserted, never a time.
"""

from __future__ import annotations

import itertools
import signal
import subprocess
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from composer.store import EditionStatus, PostStatus, edition_posts, open_database, record_thread
from composer.store.editions import find_edition
from composer.store.queue import schedule_edition
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Fault, Request, Response
from tests.test_daemon import command, env_for

RESET_IN = timedelta(seconds=20)


class SoonResetMastodon(FakeMastodon):
    """A Mastodon whose current rate-limit window ends `RESET_IN` from now (as a real one's
    does at some point of every window), so its 429 says: try again in 20 s."""

    def rate_limited(self, request: Request) -> Response:
        response = super().rate_limited(request)
        reset = datetime.now(UTC) + RESET_IN
        response.headers["X-RateLimit-Reset"] = reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return response


def test_an_accounts_rate_limit_wait_does_not_delay_another_accounts_edition(
    tmp_path: Path,
) -> None:
    fakes = {"a": SoonResetMastodon(token="tok-a"), "b": FakeMastodon(token="tok-b")}
    stored: list[tuple[str, str]] = []  # (account, text), in the order the fakes stored them
    order = threading.Lock()

    def noting(account: str) -> Any:
        def note(post: dict[str, Any]) -> None:
            with order:
                stored.append((account, post["text"]))

        return note

    for name, fake in fakes.items():
        fake.on_store = noting(name)
    fakes["a"].inject("POST", "/api/v1/statuses", Fault.RATE_LIMIT)
    with fakes["a"].running(), fakes["b"].running():
        (tmp_path / "accounts.toml").write_text(
            "".join(
                f'[accounts.{name}]\nplatform = "mastodon"\ninstance = "{fake.url}"\n'
                f'access_token_env = "TOK_{name.upper()}"\n'
                for name, fake in fakes.items()
            ),
            encoding="utf-8",
        )
        env = {**env_for(tmp_path), "TOK_A": "tok-a", "TOK_B": "tok-b"}
        db = open_database(str(tmp_path / "h.sqlite3"))
        texts: dict[str, list[str]] = {}
        editions: dict[str, int] = {}

        def schedule(account: str, at: datetime) -> None:
            texts[account] = [f"Account {account}, part {n} of 3." for n in (1, 2, 3)]
            thread = record_thread(db, title=account, body="\n\n".join(texts[account]))
            assert thread.id is not None
            edition = schedule_edition(
                db, thread.id, account=account, platform="mastodon", posts=texts[account],
                at_utc=at, zone="UTC",
            )  # fmt: skip
            assert edition.id is not None
            editions[account] = edition.id

        schedule("a", datetime.now(UTC))
        log = (tmp_path / "daemon.log").open("w")
        daemon = subprocess.Popen(
            command(tmp_path, "daemon", "--interval", "0.5"),
            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not any(
                r.method == "POST" for r in fakes["a"].requests
            ):
                time.sleep(0.05)
            assert any(r.method == "POST" for r in fakes["a"].requests), "a never posted"
            assert stored == []  # a's first post met the 429: the daemon waits 20 s now
            schedule("b", datetime.now(UTC) + timedelta(seconds=2))
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and len(stored) < 6:
                time.sleep(0.1)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=60)
            log.close()
        logs = (tmp_path / "daemon.log").read_text()
        assert daemon.returncode == 0, logs
        try:
            # b went while a waited: all of b's posts stored before a's retry.
            assert [account for account, _ in stored] == ["b"] * 3 + ["a"] * 3, logs
            assert Counter(text for _, text in stored) == Counter(texts["a"] + texts["b"])
            for name, fake in fakes.items():
                chain = fake.thread()
                assert [s["text"] for s in chain] == texts[name]
                assert chain[0]["in_reply_to_id"] is None
                assert all(b["in_reply_to_id"] == a["id"] for a, b in itertools.pairwise(chain))
                edition = find_edition(db, editions[name])
                assert edition.status is EditionStatus.PUBLISHED and edition.claimed_by is None
                rows = edition_posts(db, editions[name])
                assert [r.status for r in rows] == [PostStatus.SENT] * 3
        finally:
            db.close()
