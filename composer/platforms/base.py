"""What every platform client offers the publisher, and the errors it raises.

The publisher (composer.publishing) sends a thread one post at a time through
`PlatformClient.create_post`, each replying to the previous one, and resolves an unclear
outcome with `find_post` before it ever sends again. The error tree tells it what to do:

    PlatformError                 anything a platform or the network did
    ├── Retryable                 try again after `retry_after` (capped backoff otherwise)
    │   ├── RateLimited           429, or a quota header at zero
    │   ├── Unavailable           5xx, or the connection failed BEFORE the request was sent
    │   └── ReplyTargetMissing    404 on the post replied to, right after it was created
    ├── Unclear                   sent, but no answer (timeout, dropped connection, 5xx after
    │                             sending): call find_post before anything else
    └── Refused                   401/403/422 and the like: stop the edition, resumable later
        └── Duplicate             X's "duplicate content": find the existing post instead

Messages hold the platform's own words (`reason`), which front ends must escape before
showing. Every message and reason is redacted (composer.redaction: every secret the
process has read, and the shapes of credentials) and cut to a few hundred characters here,
when the error is made: no client has to remember to.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Generic, Protocol, Self, TypedDict, TypeVar, Unpack

import httpx

from composer.errors import ComposerError
from composer.redaction import MAX_REASON_CHARS, redact
from composer.text.platform_facts import FACTS

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


@dataclass(frozen=True, slots=True)
class PublishedPost:
    """Where a post went: enough to reply to it and to link to it."""

    remote_id: str  # X/Mastodon/Threads id; Bluesky at:// URI
    url: str | None = None  # the post's web address, for people
    uri: str | None = None  # Bluesky at:// URI
    cid: str | None = None  # Bluesky record CID (replies need uri + cid)


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """What an account's platform takes for one image (FACTS, or the instance's own)."""

    max_bytes: int
    max_pixels: int | None = None


@dataclass(frozen=True, slots=True)
class MediaUpload:
    """An image prepared for upload (composer.media: upright, no metadata, within limits)."""

    data: bytes = field(repr=False)
    mime: str
    width: int
    height: int
    alt: str


@dataclass(frozen=True, slots=True)
class AttachedMedia:
    """An uploaded image a post carries: the platform's reference (a media id; a Bluesky
    blob ref as JSON), its alt text and upright size."""

    ref: str
    alt: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class PostRequest:
    """One post of a thread, as the publisher asks for it."""

    text: str
    index: int  # 1-based position in the thread
    idempotency_key: str  # the same for every attempt at this post of this edition
    reply_to: PublishedPost | None = None  # the previous post (None for the first)
    root: PublishedPost | None = None  # the first post of the thread (None for the first)
    language: str | None = None  # ISO 639-1, e.g. "en", "ru", "kk"
    # Posts of the conversation before this edition's first: a follow-up's post 1 is the
    # conversation's post offset + 1 (`root` is then the original thread's first post).
    offset: int = 0
    media: tuple[AttachedMedia, ...] = ()  # uploaded before the post, in order


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """What a harmless authenticated call tells about an account."""

    handle: str  # as the platform spells it
    max_characters: int | None = None  # the instance's own limit (Mastodon)
    daily_quota: int | None = None  # posts a day, when the platform tells
    remaining_quota: int | None = None


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


class Unclear(PlatformError):
    """The request may or may not have created the post: resolve with find_post first."""


class Refused(PlatformError):
    """Authentication, permission or validation failure: stop, fix, resume."""


class Duplicate(Refused):
    """The platform already has this text (X): look for it with find_post."""


class PlatformClient(Protocol):
    """One account on one platform. Clients are async and own no global state."""

    platform: str

    async def verify(self) -> AccountInfo:
        """A harmless authenticated call: who the account is, and its limits."""
        ...

    async def create_post(self, request: PostRequest) -> PublishedPost:
        """Publish one post (replying to `request.reply_to` when given)."""
        ...

    async def find_post(self, request: PostRequest) -> PublishedPost | None:
        """After an unclear outcome: the post if the platform has it, else None."""
        ...

    async def aclose(self) -> None:
        """Release connections (and end a session where there is one)."""
        ...


class MediaClient(PlatformClient, Protocol):
    """A client that can attach images to posts (`PostRequest.media`)."""

    async def image_limits(self) -> ImageLimits:
        """The account's limits for one image (the platform's, or its instance's)."""
        ...

    async def upload_media(self, upload: MediaUpload) -> str:
        """Upload one image with its alt text; the reference a post attaches it by."""
        ...


class Hidden:
    """Holds a secret so that no repr, str or debugger view of its holder shows it."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<hidden>"

    __str__ = __repr__


# Loopback hosts are reached directly, never through HTTP_PROXY / ALL_PROXY: a proxy would
# receive a loopback account's bearer token in clear (a mount of None means "no proxy").
# Plain http is allowed to these hosts alone (another 127.x address could be proxied).
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
_DIRECT = ("all://localhost", "all://127.0.0.1", "all://[::1]")


def new_http(**options: Any) -> httpx.AsyncClient:
    """Every httpx client the platforms (and the daemon, for them) use: loopback hosts are
    never proxied, and no request goes over plain http to any other host (Refused before a
    byte is sent; the accounts file refuses such a URL too)."""
    hooks = options.pop("event_hooks", {})
    hooks = {**hooks, "request": [*hooks.get("request", ()), _refuse_plain_http]}
    return httpx.AsyncClient(
        mounts={pattern: None for pattern in _DIRECT}, event_hooks=hooks, **options
    )


async def _refuse_plain_http(request: httpx.Request) -> None:
    if request.url.scheme == "http" and request.url.host.lower() not in _LOOPBACK_HOSTS:
        raise Refused(
            f"refused to send a request to {request.url.host} over plain http: "
            "credentials would travel in clear; use its https:// address"
        )


DEFAULT_TIMEOUT = 30.0
"""Seconds a request may take, unless a client is given another `timeout`."""


class HttpOptions(TypedDict, total=False):
    """How a client reaches its platform: the keyword arguments every client takes."""

    http: httpx.AsyncClient | None  # borrowed (the daemon's, kept open); else made here
    timeout: float  # for every request, also on a borrowed client


_Account = TypeVar("_Account", bound="AccountLike")


class HttpClient(Generic[_Account]):
    """What the four platform clients share: the account (of the platform's own kind) and
    its API address, an httpx client they own (made here) or borrow (`HttpOptions`), `async
    with`, and a repr that names the account's endpoint and never a secret."""

    platform: str  # each client's class sets it

    def __init__(self, account: _Account, **options: Unpack[HttpOptions]) -> None:
        http = options.get("http")
        self._account = account
        self._base = account.api_url.rstrip("/")
        self._timeout = options.get("timeout", DEFAULT_TIMEOUT)
        self._owns_http = http is None
        self._http = http if http is not None else new_http(timeout=self._timeout)
        self._token: Hidden | None = None

    def _access_token(self) -> str:
        """The account's `access_token`, read once and kept Hidden. One that cannot be read
        refuses the request; the message names the key, never a value."""
        if self._token is None:
            try:
                self._token = Hidden(self._account.secret("access_token"))
            except Exception as error:  # ConfigError: its message names no secret value
                label = FACTS[self.platform].label
                raise Refused(f"{label}: cannot read the access token: {error}") from None
        return self._token.value

    def _described(self) -> str:
        """The repr's arguments: what tells this client apart, never a secret."""
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._described()})"

    __str__ = __repr__

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the httpx client if this client made it; a borrowed one stays open."""
        if self._owns_http:
            await self._http.aclose()


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


def same_text(stored: object, sent: str) -> bool:
    """Whether a post found on the platform holds the text sent: exact, except for what a
    server may normalise on the way in (CRLF, the whitespace around the text)."""
    if not isinstance(stored, str):
        return False
    return stored.replace("\r\n", "\n").strip() == sent.replace("\r\n", "\n").strip()


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The response's JSON object; {} when it holds none (a proxy's page, a list...)."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def str_or_none(value: object) -> str | None:
    """A platform's id or text field as a string: a number becomes one, empty is None."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


class AccountLike(Protocol):
    """What every client needs of an account; each platform's Protocol adds its own keys.

    Protocols rather than an import: platforms and workspace are sibling I/O layers, and
    composer.workspace.config.Account fits them all.
    """

    @property
    def name(self) -> str: ...
    @property
    def api_url(self) -> str: ...
    def secret(self, key: str) -> str: ...
