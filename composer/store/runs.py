"""The start and the end of a publisher's run on an edition, one transaction each.

A daemon's round starts and ends a thousand editions a minute: each is one trip to the
ledger's thread and one transaction of Core statements built once (no session, no identity
map), not the three reads and two writes, each in its own session, they were.
"""

from __future__ import annotations

from dataclasses import dataclass

from composer.store.database import Database
from composer.store.editions import LedgerPost, posts_in_thread_order
from composer.store.errors import StoreError
from composer.store.follow_ups import Continuation, continuation
from composer.store.history import edition_status_on
from composer.store.media import EditionLedger, edition_ledger
from composer.store.statuses import EditionStatus


@dataclass(frozen=True, slots=True)
class PublishingStart:
    """What the publisher starts from: the edition's ledger (read before it was marked
    publishing: its last write is the one before this run's), and what its first post
    attaches to (a follow-up's; None for one that follows nothing), or why it cannot
    (the edition was then left as it was)."""

    ledger: EditionLedger
    attached: Continuation | StoreError | None


def start_publishing(db: Database, edition_id: int) -> PublishingStart:
    """The edition's ledger and what it continues, and, unless that failed, the edition
    marked publishing: one transaction (StoreError for an edition that does not exist)."""
    with db.transaction() as connection:
        ledger = edition_ledger(connection, edition_id)
        try:
            attached = continuation(connection, ledger.follows_edition_id)
        except StoreError as error:
            return PublishingStart(ledger, error)
        edition_status_on(connection, edition_id, EditionStatus.PUBLISHING)
        return PublishingStart(ledger, attached)


def finish_publishing(db: Database, edition_id: int) -> list[LedgerPost]:
    """The edition marked published, and its posts read back: one transaction."""
    with db.transaction() as connection:
        edition_status_on(connection, edition_id, EditionStatus.PUBLISHED)
        return posts_in_thread_order(connection, edition_id)
