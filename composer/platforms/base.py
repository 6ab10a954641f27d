"""What every platform client offers the publisher: the data of a post and its answer, the
`PlatformClient` protocol, and `HttpClient`, the part the four clients share.

The publisher (composer.publishing) sends a thread one post at a time through
`PlatformClient.create_post`, each replying to the previous one, and resolves an unclear
outcome with `find_post` before it ever sends again. The errors a client raises, and the
rules that map HTTP failures onto them, are in composer.platforms.errors (re-exported here
for callers that want one import). A client names both modules as namespaces, `base.X` for
the contract it implements and `errors.X` for what it raises, so every name says where it
comes from.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, Self, TypedDict, TypeVar, Unpack
from urllib.request import getproxies

import httpx

from composer.platforms.errors import (
    MAX_WAIT,
    NOT_SENT,
    Duplicate,
    MediaExpired,
    PlatformError,
    RateLimited,
    Refused,
    ReplyTargetMissing,
    Retryable,
    Unavailable,
    Unclear,
    bounded_wait,
    describe,
    failed_status_kind,
    header_count,
    header_number,
    no_answer,
    no_answer_kind,
    reset_after,
    retry_after,
    without_answer,
)
from composer.platforms.transport import ApiTransport
from composer.text.link_cards import LinkCard
from composer.text.options import NO_OPTIONS, PostOptions
from composer.text.platform_facts import FACTS

__all__ = [  # the errors and rules are composer.platforms.errors', re-exported for clients
    "MAX_WAIT",
    "NOT_SENT",
    "AccountInfo",
    "AccountLike",
    "AttachedMedia",
    "Duplicate",
    "Hidden",
    "HttpClient",
    "HttpOptions",
    "ImageLimits",
    "MediaClient",
    "MediaExpired",
    "MediaUpload",
    "PlatformClient",
    "PlatformError",
    "PostRequest",
    "PublishedPost",
    "RateLimited",
    "Refused",
    "ReplyTargetMissing",
    "Retryable",
    "Unavailable",
    "Unclear",
    "bounded_wait",
    "describe",
    "failed_status_kind",
    "header_count",
    "header_number",
    "json_object",
    "new_http",
    "no_answer",
    "no_answer_kind",
    "reset_after",
    "retry_after",
    "same_text",
    "str_or_none",
    "without_answer",
]


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
    # The edition's publishing options (language, visibility, content warning, who may
    # reply or quote), as recorded with it: the same on every post and every attempt.
    options: PostOptions = NO_OPTIONS
    # Posts of the conversation before this edition's first: a follow-up's post 1 is the
    # conversation's post offset + 1 (`root` is then the original thread's first post).
    offset: int = 0
    media: tuple[AttachedMedia, ...] = ()  # uploaded before the post, in order
    # Its link card, as the ledger recorded it (Bluesky's external embed; a post with media
    # carries none).
    card: LinkCard | None = None


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """What a harmless authenticated call tells about an account."""

    handle: str  # as the platform spells it
    max_characters: int | None = None  # the instance's own limit (Mastodon)
    daily_quota: int | None = None  # posts a day, when the platform tells
    remaining_quota: int | None = None


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

    async def delete_post(self, post: PublishedPost, *, root: bool = False) -> bool:
        """Delete one of the account's posts (`retract`): True once deleted now, False when
        the platform no longer has it (deleted already: it counts as retracted). `root`: the
        first post of its conversation (Bluesky deletes its threadgate and postgate too).
        RateLimited: try again later; Refused: stop, with the platform's reason."""
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
    byte is sent; the accounts file refuses such a URL too). Requests go through
    composer.platforms.transport, unless a proxy is configured: httpx's own transport,
    slower, speaks to proxies."""
    hooks = options.pop("event_hooks", {})
    hooks = {**hooks, "request": [*hooks.get("request", ()), _refuse_plain_http]}
    if "transport" not in options and not _proxy_configured():
        options["transport"] = ApiTransport(verify=options.pop("verify", True))
    return httpx.AsyncClient(
        mounts={pattern: None for pattern in _DIRECT}, event_hooks=hooks, **options
    )


def _proxy_configured() -> bool:
    """Whether httpx would send some request through a proxy: HTTP(S)_PROXY, ALL_PROXY...
    as httpx reads them (NO_PROXY alone names no proxy)."""
    return any(scheme != "no" for scheme in getproxies())


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
    clock: Callable[[], float]  # seconds since the epoch (time.time); tests pin it


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
        self._clock = options.get("clock", time.time)
        # Idempotency key -> when this client first sent the post (Unix seconds): a read-back
        # for an unclear outcome looks no further back (less the clock skew).
        self._first_sent: dict[str, float] = {}
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

    async def _exchange(
        self, method: str, path: str, *, creates: bool, **request: Any
    ) -> httpx.Response:
        """One request to `path` under the API address (httpx `request` keywords), with the
        client's timeout; a request without an answer is `no_answer_kind`'s error, named by
        platform, method and path (`from None`: httpx errors carry the request, and so its
        headers and their secrets)."""
        try:
            return await self._http.request(
                method, self._base + path, timeout=self._timeout, **request
            )
        except httpx.TransportError as error:
            label = FACTS[self.platform].label
            message = f"{label} {method} {path}: {self._scrub(describe(error))}"
            raise no_answer(error, message, label, creates=creates) from None

    def _scrub(self, text: str) -> str:
        """`text` without what this client sends that describe() may show (Threads puts its
        token in the URL); nothing to take out for a client that sends it in a header."""
        return text

    def _checked(
        self, method: str, path: str, response: httpx.Response, *, replying: bool
    ) -> httpx.Response:
        """The response when it succeeded, else the platform's error for it."""
        if response.is_success:
            return response
        raise self._status_error(method, path, response, replying=replying)

    def _status_error(
        self, method: str, path: str, response: httpx.Response, *, replying: bool
    ) -> PlatformError:
        """The error a failed response means, in the platform's own words (each client that
        calls `_checked` says how; `replying`: a 404 may be the reply's missing parent)."""
        raise NotImplementedError(f"{type(self).__name__} maps no status errors")

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
