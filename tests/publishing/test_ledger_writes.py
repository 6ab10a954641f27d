"""What publishing costs the ledger: two committed transactions a post, none of them on the
event loop's thread (a commit there would stall every other account's requests); two
statements to mark a post sending under a claim, and one to claim a round's due editions."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from composer.store import Database, EditionStatus, PostStatus, edition_posts, mark_post_sent
from composer.store.claims import ClaimLost, Holder, claim_due
from composer.store.history import mark_post_sending
from tests.fakes.mastodon import FakeMastodon
from tests.helpers import scheduled_edition, statements
from tests.publishing.test_publisher import TEXTS, TOKEN, assert_chain, new_edition, publish


def test_two_transactions_a_post_none_on_the_event_loop(db: Database) -> None:
    edition_id = new_edition(db)
    commits: list[int] = []  # the thread of each commit

    def on_commit(connection: Any) -> None:
        commits.append(threading.get_ident())

    fake = FakeMastodon(token=TOKEN)
    sa.event.listen(db.engine, "commit", on_commit)
    try:
        with fake.running():
            outcome = publish(db, fake.url, edition_id)
    finally:
        sa.event.remove(db.engine, "commit", on_commit)
    assert outcome.status is EditionStatus.PUBLISHED, outcome.error
    assert_chain(fake)
    assert all(p.status is PostStatus.SENT for p in edition_posts(db, edition_id))
    # Per post: "sending" before the request, "sent" with its attempt's log after it; per
    # edition: reading the ledger, whether it continues another thread (a follow-up), and
    # the edition's status, before and after.
    assert len(commits) <= 2 * len(TEXTS) + 5, len(commits)
    # asyncio.run ran the event loop on this thread: no commit was made on it.
    assert threading.get_ident() not in commits


NOW = datetime(2030, 1, 10, 4, 0, tzinfo=UTC)


def test_a_post_marked_sending_under_a_claim_is_two_statements(db: Database) -> None:
    edition_id = scheduled_edition(db, NOW)
    claim_due(db, NOW, "daemon", timedelta(seconds=30))
    post = edition_posts(db, edition_id)[0]
    assert post.id is not None
    with statements(db) as seen:
        mark_post_sending(db, post.id, holder=Holder("daemon", clock=lambda: NOW))
    assert seen == ["UPDATE", "UPDATE"]  # the post; the claim renewed and the edition touched
    assert edition_posts(db, edition_id)[0].status is PostStatus.SENDING


def test_a_sent_post_whose_claim_was_lost_says_the_claim_was_lost(db: Database) -> None:
    edition_id = scheduled_edition(db, NOW)
    claim_due(db, NOW, "daemon", timedelta(seconds=30))
    post = edition_posts(db, edition_id)[0]
    assert post.id is not None
    mark_post_sent(db, post.id, remote_id="1")  # by the daemon that took it over
    with pytest.raises(ClaimLost):
        mark_post_sending(db, post.id, holder=Holder("someone else", clock=lambda: NOW))
    assert edition_posts(db, edition_id)[0].status is PostStatus.SENT  # the ledger keeps it


def test_a_round_claims_its_due_editions_in_one_update(db: Database) -> None:
    due = [scheduled_edition(db, NOW - timedelta(seconds=n), account=f"a{n}") for n in range(5)]
    later = scheduled_edition(db, NOW + timedelta(minutes=1))
    with statements(db) as seen:
        claimed = claim_due(db, NOW, "daemon", timedelta(seconds=30))
    assert [c.edition_id for c in claimed] == due[::-1]  # the earliest due first
    assert seen.count("UPDATE") == 1
    assert later not in [c.edition_id for c in claimed]
    assert claim_due(db, NOW, "another daemon", timedelta(seconds=30)) == []  # all taken
