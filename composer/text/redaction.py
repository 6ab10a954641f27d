"""How credentials are blanked out of text: pure functions, given the secrets to hide.

Two nets, applied together by `redact`:

- the exact values of the secrets given, and the forms they travel in (`secret_forms`:
  URL-encoded, Base64, HTTP Basic `id:secret`). Values of 4 characters or more count, so a
  short token is caught too;
- patterns for what a platform may echo without us knowing the value: Authorization and
  Cookie headers, `Bearer …`, OAuth 1.0a `oauth_token="…"`, `token=…` fields, JWTs.

Which secrets this process has read is state, so it lives a layer up, in
`composer.redaction` (the registry every layer's messages pass through); nothing here
keeps state or does I/O.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

from composer.text.patterns import compile_on_use

REDACTED = "[REDACTED]"
MAX_ERROR_CHARS = 2000
"""What a stored or logged error text keeps at most."""
MAX_REASON_CHARS = 300
"""What a platform's own words (an error body) keep: enough to read, never a megabyte."""
MIN_SECRET_CHARS = 4
"""Shorter values are not hidden: blanking every "abc" would hide the message itself."""


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


def secret_forms(value: str, *, user: str | None = None) -> frozenset[str]:
    """`value` as it may travel (plain, URL-encoded, Base64); with `user`, also the HTTP
    Basic credentials `user:value`. Forms too short to hide safely are left out."""
    forms = _forms(value) if len(value) >= MIN_SECRET_CHARS else set()
    if user is not None and value:
        forms |= _forms(f"{user}:{value}") - {user}
    return frozenset(form for form in forms if len(form) >= MIN_SECRET_CHARS)


_SECRET_NAMES = (
    r"access[_-]?token|refresh[_-]?token|id[_-]?token|token|access[_-]?jwt|refresh[_-]?jwt"
    r"|app[_-]?password|password|passwd|secret|client[_-]?secret|consumer[_-]?secret"
    r"|api[_-]?key|oauth[_-]?token|oauth[_-]?token[_-]?secret|oauth[_-]?signature|session"
)
_SECRET_KEY = compile_on_use(_SECRET_NAMES, re.IGNORECASE)
# `access_token_env: environment variable X is not set`: where a secret comes from (the
# accounts file's keys), not a secret.
_SOURCE_KEY = compile_on_use(r"_(?:env|cmd)$", re.IGNORECASE)
# key=value, key: value, "key": "value". The key is matched whole (lookbehind, possessive)
# and tested separately, so a long run of word characters costs linear time. A line number
# after a file name (`token:12:`) is not a value, nor a placeholder (`export TOKEN=...`).
_KEY_VALUE = compile_on_use(
    r"""(?<![\w-])([\w-]++)(["']?\s*[:=]\s*["']?)(?!\d+:|\.\.\.(?:\s|$))([^\s"'&,;}]+)"""
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # A whole Authorization / Cookie header value: a quoted string, or the rest of the line.
    (
        compile_on_use(
            r"""(?i)\b((?:proxy-)?authorization|cookie|set-cookie)(["']?\s*[:=]\s*)"""
            r"""("[^"\r\n]*"|'[^'\r\n]*'|[^\r\n]*)"""
        ),
        rf"\1\2{REDACTED}",
    ),
    # An OAuth 1.0a header value without its name: every `oauth_…="…"` parameter.
    (
        compile_on_use(r"""(?i)\b(oauth)\s+[\w-]+="[^"\r\n]*"(?:\s*,\s*[\w-]+="[^"\r\n]*")*"""),
        rf"\1 {REDACTED}",
    ),
    (compile_on_use(r"(?i)\b(bearer|basic|oauth|dpop)\s+[\w.~+/=-]{8,}"), rf"\1 {REDACTED}"),
    # JSON Web Tokens (Bluesky access and refresh JWTs) wherever they appear.
    (compile_on_use(r"\beyJ[\w-]+\.[\w-]+\.[\w-]*"), REDACTED),
    # The shape of a Bluesky app password, wherever it appears.
    (
        compile_on_use(r"(?i)(?<![\w-])[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}(?![\w-])"),
        REDACTED,
    ),
    # A token quoted in free text ("token abc... revoked"): 32+ token characters mixing
    # letters and digits. URLs survive (no / or . in the run); a CID may not, at no cost.
    (
        compile_on_use(r"(?<![\w~+=-])(?=[\w~+=-]*\d)(?=[\w~+=-]*[A-Za-z])[\w~+=-]{32,}+"),
        REDACTED,
    ),
)


def redact(text: str, secrets: Iterable[str] = (), *, limit: int = MAX_ERROR_CHARS) -> str:
    """`text` with credentials blanked out, cut to `limit` characters.

    The `secrets` given go first (longest first, so a secret inside another goes last);
    then the patterns catch what an HTTP error may echo back of credentials never given.
    """
    known = sorted({s for s in secrets if len(s) >= MIN_SECRET_CHARS}, key=len, reverse=True)
    for secret in known:
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
