"""The history database: what was scheduled and published, and the publishing ledger.

The I/O layer: it may use composer.text, never anything above it.
"""

from composer.store.database import Database, default_database_path, open_database, upgrade
from composer.store.errors import StoreError, redact
from composer.store.history import (
    HistoryHit,
    create_edition,
    edition_posts,
    mark_post_sent,
    record_attempt,
    record_thread,
    remember_container,
    search,
    set_edition_status,
    set_post_status,
)
from composer.store.models import (
    ACTIVE,
    CALLED_OFF,
    DONE,
    ENDED,
    FINISHED,
    HOLDING,
    RESUMABLE,
    STOPPED,
    Attempt,
    AttemptOutcome,
    Edition,
    EditionStatus,
    PostRecord,
    PostStatus,
    ThreadRecord,
    idempotency_key,
)

__all__ = [
    "ACTIVE",
    "CALLED_OFF",
    "DONE",
    "ENDED",
    "FINISHED",
    "HOLDING",
    "RESUMABLE",
    "STOPPED",
    "Attempt",
    "AttemptOutcome",
    "Database",
    "Edition",
    "EditionStatus",
    "HistoryHit",
    "PostRecord",
    "PostStatus",
    "StoreError",
    "ThreadRecord",
    "create_edition",
    "default_database_path",
    "edition_posts",
    "idempotency_key",
    "mark_post_sent",
    "open_database",
    "record_attempt",
    "record_thread",
    "redact",
    "remember_container",
    "search",
    "set_edition_status",
    "set_post_status",
    "upgrade",
]
