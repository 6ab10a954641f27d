"""The one place that removes credentials from text leaving the process: error messages,
log records, stored reasons, screens.

Two nets, applied together by `redact`:

- the exact values of every secret this process has read (`register_secret`): an accounts
  file secret when it is read, a token a platform issued or refreshed, and the forms they
  travel in (URL-encoded, Base64, HTTP Basic `id:secret`). Values of 4 characters or more
  are registered, so a short token is caught too;
- patterns for what a platform may echo without us knowing the value: Authorization and
  Cookie headers, `Bearer …`, OAuth 1.0a `oauth_token="…"`, `token=…` fields, JWTs.

The registry is process-wide on purpose: a secret read in one layer (workspace) must be
blanked out of a message written in another (platforms, store, daemon logs). It holds
strings only; nothing here does I/O.
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REDACTED = "[REDACTED]"
MAX_ERROR_CHARS = 2000
"""What a stored or logged error text keeps at most."""
MAX_REASON_CHARS = 300
"""What a platform's own words (an error body) keep: enough to read, never a megabyte."""
MIN_SECRET_CHARS = 4
"""Shorter values are not registered: blanking every "abc" would hide the message itself."""

_lock = threading.Lock()
_known: frozenset[str] = frozenset()
_ordered: tuple[str, ...] = ()  # longest first, so a secret inside another goes last


def _forms(value: str) -> set[str]:
    raw = value.encode()
    return {
        value,
        quote(value, safe=""),
        quote_plus(value),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode(),
        base64.b64encode(raw).decode().rstrip("="),
    }


def register_secret(value: str, *, user: str | None = None) -> None:
    """Blank `value` (and its URL and Base64 forms) out of every text `redact` sees from now
    on; with `user`, also the HTTP Basic credentials `user:value`."""
    forms = _forms(value) if len(value) >= MIN_SECRET_CHARS else set()
    if user is not None and value:
        forms |= _forms(f"{user}:{value}") - {user}
    forms = {form for form in forms if len(form) >= MIN_SECRET_CHARS}
    global _known, _ordered
    with _lock:
        if forms <= _known:
            return
        _known = _known | forms
        _ordered = tuple(sorted(_known, key=len, reverse=True))


def forget_secrets() -> None:
    """Empty the registry (tests)."""
    global _known, _ordered
    with _lock:
        _known, _ordered = frozenset(), ()


_SECRET_NAMES = (
    r"access[_-]?token|refresh[_-]?token|id[_-]?token|token|access[_-]?jwt|refresh[_-]?jwt"
    r"|app[_-]?password|password|passwd|secret|client[_-]?secret|consumer[_-]?secret"
    r"|api[_-]?key|oauth[_-]?token|oauth[_-]?token[_-]?secret|oauth[_-]?signature|session"
)
_SECRET_KEY = re.compile(_SECRET_NAMES, re.IGNORECASE)
# `access_token_env: environment variable X is not set`: where a secret comes from (the
# accounts file's keys), not a secret.
_SOURCE_KEY = re.compile(r"_(?:env|cmd)$", re.IGNORECASE)
# key=value, key: value, "key": "value". The key is matched whole (lookbehind, possessive)
# and tested separately, so a long run of word characters costs linear time. A line number
# after a file name (`token:12:`) is not a value, nor a placeholder (`export TOKEN=...`).
_KEY_VALUE = re.compile(
    r"""(?<![\w-])([\w-]++)(["']?\s*[:=]\s*["']?)(?!\d+:|\.\.\.(?:\s|$))([^\s"'&,;}]+)"""
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # A whole Authorization / Cookie header value: a quoted string, or the rest of the line.
    (
        re.compile(
            r"""(?i)\b((?:proxy-)?authorization|cookie|set-cookie)(["']?\s*[:=]\s*)"""
            r"""("[^"\r\n]*"|'[^'\r\n]*'|[^\r\n]*)"""
        ),
        rf"\1\2{REDACTED}",
    ),
    # An OAuth 1.0a header value without its name: every `oauth_…="…"` parameter.
    (
        re.compile(r"""(?i)\b(oauth)\s+[\w-]+="[^"\r\n]*"(?:\s*,\s*[\w-]+="[^"\r\n]*")*"""),
        rf"\1 {REDACTED}",
    ),
    (re.compile(r"(?i)\b(bearer|basic|oauth|dpop)\s+[\w.~+/=-]{8,}"), rf"\1 {REDACTED}"),
    # JSON Web Tokens (Bluesky access and refresh JWTs) wherever they appear.
    (re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]*"), REDACTED),
    # The shape of a Bluesky app password, wherever it appears.
    (
        re.compile(r"(?i)(?<![\w-])[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}(?![\w-])"),
        REDACTED,
    ),
    # A token quoted in free text ("token abc... revoked"): 32+ token characters mixing
    # letters and digits. URLs survive (no / or . in the run); a CID may not, at no cost.
    (
        re.compile(r"(?<![\w~+=-])(?=[\w~+=-]*\d)(?=[\w~+=-]*[A-Za-z])[\w~+=-]{32,}+"),
        REDACTED,
    ),
)


def redact(text: str, secrets: Iterable[str] = (), *, limit: int = MAX_ERROR_CHARS) -> str:
    """`text` with credentials blanked out, cut to `limit` characters.

    Every registered secret (and any given here) goes first; then the patterns catch what
    an HTTP error may echo back of credentials this process never read.
    """
    extra = [secret for secret in secrets if len(secret) >= MIN_SECRET_CHARS]
    for secret in sorted(extra, key=len, reverse=True) + list(_ordered):
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = text[: 4 * limit]  # bounds the work; the rest is cut below anyway
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    text = _KEY_VALUE.sub(_redact_value, text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _redact_value(match: re.Match[str]) -> str:
    key, separator, _value = match.groups()
    if _SECRET_KEY.search(key) and not _SOURCE_KEY.search(key):
        return f"{key}{separator}{REDACTED}"
    return match.group(0)
