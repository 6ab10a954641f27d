"""The store's one exception; the redaction applied to every error text it keeps lives in
composer.redaction (one place for every layer) and is re-exported here."""

from __future__ import annotations

from composer.errors import ComposerError
from composer.redaction import MAX_ERROR_CHARS, REDACTED, redact

__all__ = ["MAX_ERROR_CHARS", "REDACTED", "DatabaseFailure", "LockBusy", "StoreError", "redact"]


class StoreError(ComposerError):
    """The history database cannot be used: unopenable, newer than this code, or misused."""


class DatabaseFailure(StoreError):
    """The database refused a read or a write once open (a read-only file or folder, a full
    disk, a lock held too long, a server gone): a runtime failure, not bad input."""


class LockBusy(Exception):
    """Another connection holds SQLite's write lock (raised only on the connections that
    never wait for it, `Database.without_waiting`'s: every other connection waits for the
    lock up to the busy timeout)."""
