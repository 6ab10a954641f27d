"""The daemon wakes at the earliest due time it knows, not only at its next look."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from composer.daemon import next_round
from composer.store import (
    Database,
    EditionStatus,
    cancel,
    claim_due,
    create_recurrence,
    edition_posts,
    find_edition,
    next_due,
    open_database,
    stop_recurrence,
)
from tests.fakes.mastodon import FakeMastodon
from tests.helpers import composer, scheduled_edition, start_composer
from tests.test_daemon import NOW, TOKENS, workspace

LOOK = 1.0  # seconds between looks at the schedule


def s(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("name", "due", "looked_at", "expected"),
    [
        ("nothing scheduled: the next look", None, s(0), s(LOOK)),
        ("due before the next look: then", s(0.3), s(0), s(0.3)),
        ("due after the next look: the look", s(5), s(0), s(LOOK)),
        ("due since the round looked: at once", s(-0.1), s(-0.2), s(0)),
        ("due when the round looked and still there: no spinning", s(-3), s(-0.2), s(LOOK)),
    ],
)
def test_next_round(
    name: str, due: datetime | None, looked_at: datetime, expected: datetime
) -> None:
    assert next_round(NOW, LOOK, due, looked_at) == expected, name


def test_next_due_is_the_earliest_scheduled_time_or_claim_end(db: Database) -> None:
    assert next_due(db) is None
    later = scheduled_edition(db, NOW + timedelta(minutes=10))
    assert next_due(db) == NOW + timedelta(minutes=10)
    sooner = scheduled_edition(db, NOW + timedelta(seconds=1.5))
    assert next_due(db) == NOW + timedelta(seconds=1.5)
    cancel(db, sooner)  # another process cancels it: the daemon's next plan drops it
    assert next_due(db) == NOW + timedelta(minutes=10)
    # A claim (a daemon publishing, or one that died) ends at a time a round must look at.
    claimed = claim_due(db, NOW + timedelta(minutes=10), "w", timedelta(minutes=3))
    assert [c.edition_id for c in claimed] == [later]
    assert next_due(db) == NOW + timedelta(minutes=13)


def test_next_due_includes_a_recurring_rules_next_occurrence(db: Database) -> None:
    """A rule's occurrence is not an edition until it comes due: the daemon must wake for
    it all the same, not at its next look."""
    scheduled_edition(db, NOW + timedelta(minutes=10))
    rule = create_recurrence(
        db, draft_path="/d.md", account="m", rule="0 9 * * *", zone="UTC",
        next_at=NOW + timedelta(seconds=30),
    )  # fmt: skip
    assert next_due(db) == NOW + timedelta(seconds=30)
    assert rule.id is not None
    stop_recurrence(db, rule.id)
    assert next_due(db) == NOW + timedelta(minutes=10)


def test_the_daemon_wakes_at_the_due_time_between_its_looks(tmp_path: Path) -> None:
    """With a look at the schedule only every 60 s, an edition due a few seconds after the
    daemon's first look is still published at its time, and never before it."""
    fake = FakeMastodon(token="tok")
    with fake.running():
        cwd = workspace(tmp_path, fake.url)
        scheduling = composer(
            "schedule", "report", "--account", "m", "--in", "8s", "--json",
            cwd=cwd, db=cwd / "h.sqlite3", env=TOKENS,
        )  # fmt: skip
        assert scheduling.returncode == 0, scheduling.stderr
        edition = json.loads(scheduling.stdout)["editions"][0]
        at = datetime.fromisoformat(edition["at"].replace("Z", "+00:00"))
        log = (tmp_path / "daemon.log").open("w")
        daemon = start_composer(
            "daemon", "--interval", "60",
            cwd=cwd, db=cwd / "h.sqlite3", env=TOKENS, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 40  # well before the daemon's second look
            while time.monotonic() < deadline and len(fake.statuses) < 2:
                time.sleep(0.05)
            assert len(fake.statuses) >= 2, (tmp_path / "daemon.log").read_text()
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=30)
            log.close()
        db = open_database(str(cwd / "h.sqlite3"))
        try:
            assert find_edition(db, edition["id"]).status is EditionStatus.PUBLISHED
            first = edition_posts(db, edition["id"])[0]
        finally:
            db.close()
        assert first.sent_at is not None and first.sent_at >= at  # not before its time
        assert daemon.returncode == 0
