"""The one place that removes credentials from text leaving the process: error messages,
log records, stored reasons, screens.

It keeps the registry of every secret this process has read (`register_secret`): an
accounts file secret when it is read, a token a platform issued or refreshed. `redact`
blanks them, and whatever the patterns of `composer.text.redaction` recognise, out of a
text. The registry is process-wide on purpose: a secret read in one layer (workspace) must
be blanked out of a message written in another (platforms, store, daemon logs). It holds
strings only and does no I/O; it lives here, not in `composer.text`, because text is pure.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from composer.text import redaction as pure
from composer.text.redaction import MAX_ERROR_CHARS, MAX_REASON_CHARS, REDACTED

__all__ = [
    "MAX_ERROR_CHARS",
    "MAX_REASON_CHARS",
    "REDACTED",
    "forget_secrets",
    "redact",
    "register_secret",
]

_lock = threading.Lock()
_known: frozenset[str] = frozenset()


def register_secret(value: str, *, user: str | None = None) -> None:
    """Blank `value` (and its URL and Base64 forms) out of every text `redact` sees from now
    on; with `user`, also the HTTP Basic credentials `user:value`."""
    forms = pure.secret_forms(value, user=user)
    global _known
    with _lock:
        _known = _known | forms


def forget_secrets() -> None:
    """Empty the registry (tests)."""
    global _known
    with _lock:
        _known = frozenset()


def redact(text: str, secrets: Iterable[str] = (), *, limit: int = MAX_ERROR_CHARS) -> str:
    """`text` with every registered secret, any given here, and whatever the patterns
    recognise blanked out, cut to `limit` characters."""
    return pure.redact(text, [*secrets, *_known], limit=limit)
