"""What publishing costs the ledger: two committed transactions a post, none of them on the
event loop's thread (a commit there would stall every other account's requests)."""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa

from composer.store import Database, EditionStatus, PostStatus, edition_posts
from tests.fakes.mastodon import FakeMastodon
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
