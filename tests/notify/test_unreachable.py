"""A notification target that never answers does not delay publishing: the round publishes
every due edition first, then notifies in a thread, waiting at most the send timeout; the
undelivered notification is kept (redacted error) and retried by a later round."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from composer import daemon
from composer.notify import delivery
from composer.store import EditionStatus, Notification, open_database
from composer.store.editions import find_edition
from composer.workspace.config import load_config
from tests.fakes.mastodon import FakeMastodon
from tests.helpers import mastodon_account, scheduled_edition, write_accounts
from tests.notify.webhook import HOOK_TOKEN, BlackHole


def test_an_unreachable_target_does_not_delay_publishing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(delivery, "SEND_TIMEOUT", 3.0)
    caplog.set_level(logging.INFO, logger="composer.daemon")
    monkeypatch.setenv("TOK", "tok")
    fake = FakeMastodon(token="tok")
    with fake.running(), BlackHole().running() as hole:
        path = write_accounts(tmp_path, {"m": mastodon_account(fake.url, "TOK")})
        path.write_text(path.read_text() + f'\n[notify]\nurls = ["{hole.url}"]\n')
        path.chmod(0o600)
        config = load_config(path)
        db = open_database(str(tmp_path / "h.sqlite3"))
        now = datetime.now(UTC)
        missed = scheduled_edition(db, now - timedelta(hours=2))  # something to notify
        due = [scheduled_edition(db, now - timedelta(minutes=1), account="m") for _ in range(2)]
        published_at: list[float] = []
        sending_at: list[float] = []
        target = delivery._target

        def timed_target(url: str) -> object:
            sending_at.append(time.monotonic())
            return target(url)

        monkeypatch.setattr(delivery, "_target", timed_target)
        delivery._apprise()  # imported before the round (it is, at the daemon's start)

        class Published(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if record.getMessage() == "edition":
                    published_at.append(time.monotonic())

        handler = Published()
        logging.getLogger("composer.daemon").addHandler(handler)
        try:
            result = asyncio.run(daemon.run_round(db, config, now=now, worker="w"))
        finally:
            logging.getLogger("composer.daemon").removeHandler(handler)
        ended = time.monotonic()
        assert result.missed == [missed]
        assert [find_edition(db, e).status for e in due] == [EditionStatus.PUBLISHED] * 2
        assert len(fake.statuses) == 4
        # Every edition had been published before the notification was sent, and the round
        # waited for the target no longer than the send timeout (plus a thread's start).
        assert len(published_at) == 2 and len(sending_at) == 1
        assert max(published_at) < sending_at[0]
        assert ended - sending_at[0] < delivery.SEND_TIMEOUT + 5
        hole.wait_accepted()  # it was the black hole that did not answer
        with db.read_session() as session:
            (row,) = session.execute(sa.select(Notification)).scalars().all()
        assert row.edition_id == missed and row.event == "missed"
        assert row.delivered_at is None and row.attempts == 1
        assert "no answer within 3 s" in (row.last_error or "")
        assert HOOK_TOKEN not in (row.last_error or "") and HOOK_TOKEN not in caplog.text
        db.close()
