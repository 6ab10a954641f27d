"""The errors a platform client raises, and the rules that map HTTP failures onto them.

The publisher (composer.publishing) resolves an unclear outcome with `find_post` before it
ever sends again. The error tree tells it what to do:

    PlatformError                 anything a platform or the network did
    ├── Retryable                 try again after `retry_after` (capped backoff otherwise)
    │   ├── RateLimited           429, or a quota header at zero
    │   ├── Unavailable           5xx, or the connection failed BEFORE the request was sent
    │   ├── ReplyTargetMissing    404 on the post replied to, right after it was created
    │   └── MediaExpired          the post's uploaded images are no longer usable (X's ids
    │                             expire after 24 h): upload them again, then retry
    ├── Unclear                   sent, but no answer (timeout, dropped connection, 5xx after
    │                             sending): call find_post before anything else
    └── Refused                   401/403/422 and the like: stop the edition, resumable later
        ├── Duplicate             X's "duplicate content": find the existing post instead
        └── Gone                  the platform has no such post (a retraction: deleted already)

Messages hold the platform's own words (`reason`), which front ends must escape before
showing. Every message and reason is redacted (composer.redaction: every secret the
process has read, and the shapes of credentials) and cut to a few hundred characters here,
when the error is made: no client has to remember to.

The rules every client applies alike live here too: what a request without an answer
became (`no_answer_kind`), what a status every platform means alike stands for
(`failed_status_kind`), a success without the expected answer (`without_answer`), and the
rate-limit headers (`retry_after`, `reset_after`, `header_count`).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from composer.errors import ComposerError
from composer.redaction import MAX_REASON_CHARS, redact

# httpx failures that happen before a byte of the request reached the server: whatever the
# request was, the platform certainly did not act on it.
NOT_SENT: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
    httpx.ProxyError,
)


class PlatformError(ComposerError):
    """Anything a platform or the network did to a request."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        reason: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(redact(message, limit=2 * MAX_REASON_CHARS))
        self.status = status
        # The platform's own words, to be escaped before display.
        self.reason = None if reason is None else redact(reason, limit=MAX_REASON_CHARS)
        self.retry_after = bounded_wait(retry_after)  # seconds, when the platform said


# --- rate-limit headers: the one place that reads them -----------------------------------
# Whatever a platform (or a proxy, or an attacker in between) writes in these headers, the
# publisher gets a finite wait in [0, MAX_WAIT] or None (unreadable: its own backoff then),
# never nan, inf, a negative wait, an overflow or a traceback.

MAX_WAIT = 24 * 3600.0
"""Seconds: a longer wait asked for is read as this (the publisher stops long before)."""
EPOCH_FROM = 1e9
"""A reset value above this is a Unix time (2001 on); below, seconds to go."""
MAX_COUNT = 10**9
"""A count header (a quota, what remains) larger than this is read as this."""
_DIGITS = re.compile(r"[0-9]{1,40}")
_NUMBER = re.compile(r"[0-9]{1,40}(?:\.[0-9]{1,40})?")  # ASCII digits only: not `²`, `٣`, nan


def bounded_wait(seconds: float | None) -> float | None:
    """`seconds` in [0, MAX_WAIT]; None for None or nan."""
    if seconds is None or math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), MAX_WAIT)


def header_number(value: str | None) -> float | None:
    """A header's non-negative decimal number, ASCII digits only; None for anything else
    (`-5`, `nan`, `inf`, `1e9`, `1_000`, `²`, a blank)."""
    if value is None:
        return None
    text = value.strip()
    return float(text) if _NUMBER.fullmatch(text) else None


def header_count(value: str | None) -> int | None:
    """A count header (a limit, what remains): ASCII digits, at most MAX_COUNT; or None."""
    text = value.strip() if value is not None else ""
    return min(int(text), MAX_COUNT) if _DIGITS.fullmatch(text) else None


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait, from a `Retry-After` header (RFC 9110 10.2.3): delta-seconds or an
    HTTP-date, compared with `now` (Unix time); bounded; None when absent or unreadable."""
    number = header_number(value)
    if number is not None:
        return bounded_wait(number)
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return _until(when, now)


def reset_after(value: str | None, now: float) -> float | None:
    """Seconds until a rate-limit window resets, from its `*-Reset` header: a Unix time
    (X, Bluesky), an ISO 8601 time (Mastodon) or, a number too small to be a time, seconds
    to go; compared with `now` (Unix time); bounded; None when absent or unreadable."""
    number = header_number(value)
    if number is not None:
        # A Unix time, unless too small to be one (2001, or a day before `now` if earlier).
        is_time = number > min(EPOCH_FROM, now - MAX_WAIT)
        return bounded_wait(number - now if is_time else number)
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return _until(when, now)


def _until(when: datetime, now: float) -> float | None:
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)  # HTTP dates are GMT
    try:
        return bounded_wait(aware.timestamp() - now)
    except (OverflowError, OSError, ValueError):  # a year the platform cannot mean
        return None


class Retryable(PlatformError):
    """Try again later; nothing was created."""


class RateLimited(Retryable):
    """Over a rate limit: wait `retry_after` seconds."""


class Unavailable(Retryable):
    """5xx before acting, or no connection: the request certainly created nothing."""


class ReplyTargetMissing(Retryable):
    """The post replied to is not visible yet (or was deleted)."""


class MediaExpired(Retryable):
    """The platform no longer takes the post's uploaded images (expired or unknown media
    ids): nothing was created; upload the images again, then send the post."""


class Unclear(PlatformError):
    """The request may or may not have created the post: resolve with find_post first."""


class Refused(PlatformError):
    """Authentication, permission or validation failure: stop, fix, resume."""


class Duplicate(Refused):
    """The platform already has this text (X): look for it with find_post."""


class Gone(Refused):
    """The platform has no such post: deleted already (what `delete_post` answers False for)."""


# What a request without an answer means, in words a person reads (most specific first).
_NO_ANSWER_WORDS: tuple[tuple[type[httpx.TransportError], str], ...] = (
    (httpx.ConnectTimeout, "no connection within the time limit"),
    (httpx.TimeoutException, "no answer within the time limit"),
    (httpx.ProxyError, "the proxy refused the connection"),
    (httpx.ConnectError, "no connection (no network, a wrong address, or the server is down)"),
    (httpx.RemoteProtocolError, "the connection broke off before the answer"),
)


def no_answer(
    error: httpx.TransportError, message: str, label: str, *, creates: bool
) -> PlatformError:
    """The error for a request to platform `label` that got no answer: `no_answer_kind`'s
    kind, `message` for the log (where, and the transport's own words), and as its reason
    the plain words a person reads ("could not reach Bluesky: no answer within ...")."""
    words = next((w for kind, w in _NO_ANSWER_WORDS if isinstance(error, kind)), None)
    kind = no_answer_kind(error, creates=creates)
    return kind(message, reason=f"could not reach {label}: {words or 'the connection failed'}")


def plain(error: PlatformError) -> str:
    """What went wrong, in plain words, with the platform's own reason: what a person is
    told when an edition stops (the message, with methods and endpoints, is for the log)."""
    reason = error.reason
    status = error.status
    if reason is None:
        return str(error)
    if status is None:
        return reason  # no answer: no_answer's words already
    # The platform's reason first: a narrow column (history) still shows it.
    if status == 401:
        return f"{reason} (login refused, HTTP 401)"
    if status == 403:
        return f"{reason} (not allowed, HTTP 403)"
    if isinstance(error, RateLimited):
        return f"{reason} (too many requests for now, HTTP {status})"
    if status >= 500:
        return f"{reason} (the platform's server failed, HTTP {status})"
    return f"{reason} (HTTP {status})"


def no_answer_kind(error: httpx.TransportError, *, creates: bool) -> type[PlatformError]:
    """What a request that got no answer became: Unavailable if it never left (`NOT_SENT`:
    safe to send again); once sent, Unclear if it may have created something (look for it
    before sending again), else Unavailable."""
    return Unclear if creates and not isinstance(error, NOT_SENT) else Unavailable


def failed_status_kind(status: int, *, creates: bool) -> type[PlatformError] | None:
    """The error an HTTP status that every platform means alike stands for, or None when
    the platform's own rules decide (429, 401, 404...): 408, the server gave up waiting
    for the request, so nothing was done; 503, what a proxy says when it could not reach
    the platform at all; any other 5xx to a request that creates may come after it acted."""
    if status == 408 or status == 503 or (status >= 500 and not creates):
        return Unavailable
    if status >= 500:
        return Unclear
    return None


def without_answer(
    where: str, response: httpx.Response, what: str, *, creates: bool
) -> PlatformError:
    """A success status without what it should carry (a proxy's page?): a request that
    creates may have acted (Unclear: look before sending again); a read did nothing."""
    kind = Unclear if creates else Unavailable
    status = response.status_code
    return kind(f"{where}: HTTP {status} without {what}", status=status)


def describe(error: BaseException) -> str:
    """`Type: message` of a transport error. httpx messages name the host and the socket
    error, never headers (where secrets are); a URL parameter is the client's to mask."""
    detail = str(error)
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__
