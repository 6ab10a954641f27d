"""SIGTERM while an edition waits out a rate limit: the daemon stops at once, leaving the
edition to the next daemon, which resumes it without waiting for the lease to expire."""

from __future__ import annotations

import itertools
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from composer.store import (
    DraftText,
    EditionStatus,
    PostStatus,
    edition_posts,
    open_database,
    record_thread,
)
from composer.store.editions import find_edition
from composer.store.queue import schedule_edition
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Fault, Request, Response
from tests.helpers import composer, mastodon_account, start_composer, write_accounts

TEXTS = [f"Statement, part {n} of 3." for n in (1, 2, 3)]


class LongResetMastodon(FakeMastodon):
    """A Mastodon whose rate-limit window ends ten minutes from now: under the publisher's
    15-minute ceiling, so a daemon would wait it out."""

    def rate_limited(self, request: Request) -> Response:
        response = super().rate_limited(request)
        reset = datetime.now(UTC) + timedelta(minutes=10)
        response.headers["X-RateLimit-Reset"] = reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return response


def test_sigterm_during_a_rate_limit_wait_stops_now_and_the_next_daemon_resumes(
    tmp_path: Path,
) -> None:
    fake = LongResetMastodon(token="tok")
    fake.inject("POST", "/api/v1/statuses", Fault.RATE_LIMIT)
    with fake.running():
        write_accounts(tmp_path, {"m": mastodon_account(fake.url, "TOK")})
        db = open_database(str(tmp_path / "h.sqlite3"))
        try:
            thread = record_thread(db, DraftText(title="Statement", body="\n\n".join(TEXTS)))
            assert thread.id is not None
            edition = schedule_edition(
                db, thread.id, account="m", platform="mastodon", posts=TEXTS,
                at_utc=datetime.now(UTC), zone="UTC",
            )  # fmt: skip
            assert edition.id is not None
            log = (tmp_path / "daemon.log").open("w")
            daemon = start_composer(
                "daemon", "--interval", "0.5", cwd=tmp_path, db=tmp_path / "h.sqlite3",
                env={"TOK": "tok"}, stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and not fake.requests:
                    time.sleep(0.05)
                assert any(r.method == "POST" for r in fake.requests), "never posted"
                time.sleep(0.5)  # into the ten-minute wait
                daemon.send_signal(signal.SIGTERM)
                # Without ending the wait, the daemon would live on for ten minutes.
                returncode = daemon.wait(timeout=60)
            finally:
                if daemon.poll() is None:
                    daemon.kill()
                log.close()
            logs = (tmp_path / "daemon.log").read_text()
            assert returncode == 0, logs
            assert fake.statuses == {} or not fake.thread()  # nothing was stored
            left = find_edition(db, edition.id)
            assert left.status is EditionStatus.PUBLISHING and left.claimed_by is None, logs
            assert left.claimed_until is not None and left.claimed_until <= datetime.now(UTC)
            assert "stopped during a wait" in logs

            # The next daemon takes it at once (the claim has expired) and finishes it.
            finishing = composer(
                "daemon", "--once", cwd=tmp_path, db=tmp_path / "h.sqlite3", env={"TOK": "tok"}
            )
            assert finishing.returncode == 0, finishing.stderr
            statuses = fake.thread()
            assert [s["text"] for s in statuses] == TEXTS  # each once, in order
            assert all(b["in_reply_to_id"] == a["id"] for a, b in itertools.pairwise(statuses))
            assert find_edition(db, edition.id).status is EditionStatus.PUBLISHED
            assert all(p.status is PostStatus.SENT for p in edition_posts(db, edition.id))
        finally:
            db.close()
