"""The store's one exception; the redaction applied to every error text it keeps lives in
composer.redaction (one place for every layer) and is re-exported here."""

from __future__ import annotations

from composer.errors import ComposerError
from composer.redaction import MAX_ERROR_CHARS, REDACTED, redact

__all__ = ["MAX_ERROR_CHARS", "REDACTED", "DatabaseFailure", "StoreError", "redact"]


class StoreError(ComposerError):
    """The history database cannot be used: unopenable, newer than this code, or misused."""


class DatabaseFailure(StoreError):
    """The database refused a read or a write once open (a read-only file or folder, a full
    disk, a lock held too long, a server gone): a runtime failure, not bad input."""
