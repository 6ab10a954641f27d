"""One account's long wait does not hold up another account's due edition (issue 5).

A foreground daemon (`python -m composer daemon`, a subprocess) and two loopback
FakeMastodon servers, one an account. Account a's first post meets a 429 whose reset is 20 s
ahead, so the daemon waits it out; account b's edition, due 2 s after that 429, must not
wait with it: b's posts are stored before a's retry. A second edition of a, due then too,
still waits for a's first (one account's threads never interleave). The order is asserted,
never a time.
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

from composer.store import DraftText, EditionStatus, edition_posts, open_database, record_thread
from composer.store.editions import find_edition
from composer.store.queue import schedule_edition
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Fault, Request, Response
from tests.helpers import mastodon_account, start_composer, write_accounts

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
        write_accounts(
            tmp_path,
            {
                name: mastodon_account(fake.url, f"TOK_{name.upper()}")
                for name, fake in fakes.items()
            },
        )
        db = open_database(str(tmp_path / "h.sqlite3"))
        texts: dict[str, list[str]] = {}  # edition name -> its posts
        editions: dict[str, int] = {}

        def schedule(name: str, account: str, at: datetime) -> None:
            texts[name] = [f"Edition {name}, part {n} of 3." for n in (1, 2, 3)]
            thread = record_thread(db, DraftText(title=name, body="\n\n".join(texts[name])))
            assert thread.id is not None
            edition = schedule_edition(
                db, thread.id, account=account, platform="mastodon", posts=texts[name],
                at_utc=at, zone="UTC",
            )  # fmt: skip
            assert edition.id is not None
            editions[name] = edition.id

        schedule("a1", "a", datetime.now(UTC))
        log = (tmp_path / "daemon.log").open("w")
        daemon = start_composer(
            "daemon", "--interval", "0.5", cwd=tmp_path, db=tmp_path / "h.sqlite3",
            env={"TOK_A": "tok-a", "TOK_B": "tok-b"}, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not any(
                r.method == "POST" for r in fakes["a"].requests
            ):
                time.sleep(0.05)
            assert any(r.method == "POST" for r in fakes["a"].requests), "a never posted"
            assert stored == []  # a's first post met the 429: the daemon waits 20 s now
            soon = datetime.now(UTC) + timedelta(seconds=2)
            schedule("b", "b", soon)
            schedule("a2", "a", soon)
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and not all(
                find_edition(db, edition).status is EditionStatus.PUBLISHED
                for edition in editions.values()
            ):  # the ledger has it all, not only the fakes (SIGTERM stops mid-round)
                time.sleep(0.1)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=60)
            log.close()
        logs = (tmp_path / "daemon.log").read_text()
        assert daemon.returncode == 0, logs
        try:
            # b went while a waited: all of b's posts stored before a's retry; a2 after a1.
            assert [text for _, text in stored] == texts["b"] + texts["a1"] + texts["a2"], logs
            assert Counter(text for _, text in stored) == Counter(
                text for posts in texts.values() for text in posts
            )  # each once
            for account, names in {"a": ["a1", "a2"], "b": ["b"]}.items():
                statuses = fakes[account].thread()
                assert [s["text"] for s in statuses] == [t for n in names for t in texts[n]]
                for number, name in enumerate(names):
                    chain = statuses[3 * number : 3 * number + 3]
                    assert chain[0]["in_reply_to_id"] is None
                    assert all(b["in_reply_to_id"] == a["id"] for a, b in itertools.pairwise(chain))
                    edition = find_edition(db, editions[name])
                    assert edition.status is EditionStatus.PUBLISHED
                    assert edition.claimed_by is None
                    rows = edition_posts(db, editions[name])
                    assert [r.remote_id for r in rows] == [s["id"] for s in chain]
        finally:
            db.close()
