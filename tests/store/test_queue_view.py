"""What `queue` shows, read through sqlite3 (the command) and through the engine (the TUI):
the same entries, and a claim called free exactly when `may_take` would let it be taken."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import col

from composer.store import (
    Database,
    EditionStatus,
    Worker,
    has_active_rules,
    last_daemon_seen,
    open_for_reading,
    upcoming,
    waiting_for_a_daemon,
)
from composer.store.claims import dead_holders, free_claim
from composer.store.models import Edition
from tests.store.test_claims import dead_pid, scheduled

NOW = datetime.now(UTC).replace(microsecond=0)


def test_claim_free_is_may_take_s_rule_for_every_kind_of_claim(db: Database, db_path: Path) -> None:
    here = Worker.this_process("publish")
    gone = Worker(here.kind, here.host, dead_pid(), here.boot, here.since)
    holders = [None, str(here), str(gone), "a-test-holder", str(Worker.this_process("daemon"))]
    untils = [None, NOW - timedelta(seconds=1), NOW + timedelta(minutes=5)]
    statuses = [EditionStatus.PUBLISHING, EditionStatus.RETRACTING, EditionStatus.SCHEDULED]
    for status, holder, until in itertools.product(statuses, holders, untils):
        edition_id = scheduled(db)
        with db.session() as session:
            session.execute(
                sa.update(Edition)
                .where(col(Edition.id) == edition_id)
                .values(status=status, claimed_by=holder, claimed_until=until)
            )
    with db.read_session() as session:
        takeable = set()
        for status in (EditionStatus.PUBLISHING, EditionStatus.RETRACTING):
            rule = sa.and_(
                col(Edition.status) == status, free_claim(NOW, dead_holders(session, NOW, status))
            )
            takeable |= set(session.execute(sa.select(col(Edition.id)).where(rule)).scalars())
    through_engine = upcoming(db, include_done=True, done_limit=1000, now=NOW)
    assert {e.edition_id for e in through_engine if e.claim_free} == takeable
    assert len(takeable) >= 2 * 3  # no claim or run out, for both statuses, at least
    with open_for_reading(str(db_path)) as quick:  # type: ignore[union-attr]
        assert upcoming(quick, include_done=True, done_limit=1000, now=NOW) == through_engine


def test_the_queue_s_other_reads_agree_through_both_paths(db: Database, db_path: Path) -> None:
    with open_for_reading(str(db_path)) as quick:  # type: ignore[union-attr]
        assert not waiting_for_a_daemon(quick) and not waiting_for_a_daemon(db)
        assert last_daemon_seen(quick) is None is last_daemon_seen(db)
        scheduled(db)
        assert waiting_for_a_daemon(quick) and waiting_for_a_daemon(db)
        assert not has_active_rules(quick) and not has_active_rules(db, account="m")
        entries = upcoming(quick, account="m", include_done=True)
        assert entries == upcoming(db, account="m", include_done=True)
        assert [e.status for e in entries] == [EditionStatus.SCHEDULED]
        assert entries[0].scheduled_at is not None and entries[0].scheduled_at.tzinfo is UTC
        assert upcoming(quick, account="nobody") == []
