"""The store's one exception, and the redaction applied to every error text it keeps."""

from __future__ import annotations

import re
from collections.abc import Iterable


class StoreError(Exception):
    """The history database cannot be used: unopenable, newer than this code, or misused."""


class DatabaseFailure(StoreError):
    """The database refused a read or a write once open (a read-only file or folder, a full
    disk, a lock held too long, a server gone): a runtime failure, not bad input."""


REDACTED = "[REDACTED]"
MAX_ERROR_CHARS = 2000

_SECRET_NAMES = (
    r"access[_-]?token|refresh[_-]?token|id[_-]?token|token|access[_-]?jwt|refresh[_-]?jwt"
    r"|app[_-]?password|password|passwd|secret|client[_-]?secret|consumer[_-]?secret"
    r"|api[_-]?key|oauth[_-]?token|oauth[_-]?token[_-]?secret|oauth[_-]?signature|session"
)
_SECRET_KEY = re.compile(_SECRET_NAMES, re.IGNORECASE)
# key=value, key: value, "key": "value". The key is matched whole (lookbehind, possessive)
# and tested separately, so a long run of word characters costs linear time.
_KEY_VALUE = re.compile(r"""(?<![\w-])([\w-]++)(["']?\s*[:=]\s*["']?)([^\s"'&,;}]+)""")
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # A whole Authorization / Cookie header value: a quoted string, or the rest of the line.
    (
        re.compile(
            r"""(?i)\b((?:proxy-)?authorization|cookie|set-cookie)(["']?\s*[:=]\s*)"""
            r"""("[^"\r\n]*"|'[^'\r\n]*'|[^\r\n]*)"""
        ),
        rf"\1\2{REDACTED}",
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


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with credentials blanked out, cut to a length worth keeping.

    Known secret values (when the caller has them) go first; the patterns catch what an
    HTTP error may echo back: Authorization headers, bearer tokens, JWTs, token= fields.
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = text[: 4 * MAX_ERROR_CHARS]  # bounds the work; the rest is cut below anyway
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    text = _KEY_VALUE.sub(_redact_value, text)
    if len(text) > MAX_ERROR_CHARS:
        text = text[: MAX_ERROR_CHARS - 1] + "…"
    return text


def _redact_value(match: re.Match[str]) -> str:
    key, separator, _value = match.groups()
    return f"{key}{separator}{REDACTED}" if _SECRET_KEY.search(key) else match.group(0)
