"""Mastodon: one account on one instance, through the REST API with async httpx.

A thread is a chain of `POST /api/v1/statuses`, each `in_reply_to_id` the previous status.
Every post carries the publisher's `Idempotency-Key` (the same on every attempt): Mastodon
keeps it for an hour per account and answers a repeat with the original status.

What an unclear outcome means here, and why `find_post` reads back before it re-sends:
Mastodon records the key only AFTER it has created the status, so a re-send that overtakes
an original still being processed creates a second status. Reading the account's recent
statuses first (a harmless GET) finds every post that has landed; only then is the request
re-sent, and only when the replay is still guaranteed (this client sent the key itself,
within the hour).

The bearer token is read from the account on the first request and goes only into the
Authorization header: no message, repr or log line of this module holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Protocol, TypedDict, Unpack
from urllib.parse import quote

import httpx

from composer.instances import InstanceFigures, remember
from composer.platforms import base, errors

DEFAULT_MAX_CHARACTERS: Final = 500
DEFAULT_URL_LENGTH: Final = 23
REPLAY_WINDOW: Final = timedelta(hours=1)  # how long Mastodon keeps an Idempotency-Key
# Re-send only well inside the window: our clock, the server's and the request's own
# travel time all eat into it.
REPLAY_MARGIN: Final = timedelta(minutes=10)
# A read-back accepts statuses created this long before our first attempt (clock skew).
CLOCK_SKEW: Final = timedelta(minutes=5)
READ_BACK_LIMIT: Final = 40  # the most /api/v1/accounts/:id/statuses returns at once
# Mastodon's defaults for one image, when the instance does not say (/api/v2/instance).
DEFAULT_IMAGE_SIZE_LIMIT: Final = 16 * 1024 * 1024
DEFAULT_IMAGE_MATRIX_LIMIT: Final = 33_177_600
# An upload answered 202 is processed in the background: polled this often, this long.
# Past the deadline the id is kept anyway: a status naming it is answered 422 until it
# is processed, and that 422 is retried (Retryable), never taken as a refusal.
MEDIA_POLL_SECONDS: Final = 1.0
MEDIA_DEADLINE_SECONDS: Final = 60.0
_UNPROCESSED = "not finished processing"  # Mastodon's 422 for a status with such media


class MastodonAccount(base.AccountLike, Protocol):
    """What the Mastodon client needs of an account beyond every client's needs."""

    # The account's defaults, for an edition recorded before options were kept (none).
    @property
    def visibility(self) -> str | None: ...
    @property
    def reply_visibility(self) -> str | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def max_characters(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class RateLimit:
    """The last `X-RateLimit-*` headers seen, for the publisher's pacing."""

    limit: int | None
    remaining: int | None
    reset: datetime | None  # aware, UTC


class _RequestBody(TypedDict, total=False):
    """What a request to the Mastodon API carries besides its headers."""

    params: Mapping[str, Any] | None
    json: Any
    files: Mapping[str, tuple[str, bytes, str]] | None
    data: Mapping[str, str] | None
    headers: Mapping[str, str]  # besides the Authorization this client adds


class MastodonClient(base.HttpClient[MastodonAccount]):
    """A PlatformClient for one Mastodon account."""

    platform = "mastodon"

    def __init__(
        self,
        account: MastodonAccount,
        **options: Unpack[base.HttpOptions],
    ) -> None:
        super().__init__(account, **options)
        self._account_id: str | None = None
        self._acct: str | None = None
        self._limits: tuple[int, int] | None = None
        self._image_limits = base.ImageLimits(DEFAULT_IMAGE_SIZE_LIMIT, DEFAULT_IMAGE_MATRIX_LIMIT)
        # The instance's media figures, once read (and remembered for the preview).
        self.instance_figures: InstanceFigures | None = None
        self.media_poll_seconds = MEDIA_POLL_SECONDS
        self.media_deadline_seconds = MEDIA_DEADLINE_SECONDS
        self._domain: str | None = None
        self._in_flight: set[str] = set()
        self.last_rate_limit: RateLimit | None = None

    def _described(self) -> str:
        return f"api_url={self._base!r}"

    # --- PlatformClient ---------------------------------------------------------------
    async def verify(self) -> base.AccountInfo:
        await self._credentials()
        max_characters, _ = await self.instance_limits()
        if self._account.max_characters:
            max_characters = self._account.max_characters
        acct = self._acct or ""
        # A local account's acct is its bare username: add the instance's domain.
        handle = f"@{acct}@{self._domain}" if self._domain and "@" not in acct else f"@{acct}"
        # Mastodon reports no daily quota; its rate limits are in `last_rate_limit`.
        return base.AccountInfo(handle=handle, max_characters=max_characters)

    async def instance_limits(self) -> tuple[int, int]:
        """(max_characters, characters_reserved_per_url) of the instance, cached; its media
        figures are kept in `instance_figures` and remembered (`composer.instances`)."""
        if self._limits is None:
            try:
                data = await self._get_json("/api/v2/instance")
                statuses = _dig(data, "configuration", "statuses")
            except errors.Refused as error:
                if error.status != 404:
                    raise
                # Older Mastodon and some other servers only have v1.
                data = await self._get_json("/api/v1/instance")
                statuses = _dig(data, "configuration", "statuses")
                if "max_toot_chars" in data:  # Pleroma / Akkoma
                    statuses = {"max_characters": data["max_toot_chars"], **statuses}
            self._domain = base.str_or_none(data.get("domain") or data.get("uri"))
            media = _dig(data, "configuration", "media_attachments")
            figures = InstanceFigures.from_json({**statuses, **media})
            self._image_limits = base.ImageLimits(
                figures.image_size_limit or DEFAULT_IMAGE_SIZE_LIMIT,
                figures.image_matrix_limit or DEFAULT_IMAGE_MATRIX_LIMIT,
            )
            self._limits = (
                _positive_int(statuses.get("max_characters"), DEFAULT_MAX_CHARACTERS),
                _positive_int(statuses.get("characters_reserved_per_url"), DEFAULT_URL_LENGTH),
            )
            self.instance_figures = figures
            # For the preview and the checks before publishing (composer.instances); the
            # file only saves them a fetch, so a data folder that cannot be written is no error.
            with contextlib.suppress(OSError):
                await asyncio.to_thread(remember, self._base, figures)
        return self._limits

    async def create_post(self, request: base.PostRequest) -> base.PublishedPost:
        return await self._send(request)

    async def image_limits(self) -> base.ImageLimits:
        """The instance's `image_size_limit` and `image_matrix_limit` (Mastodon's defaults
        when it does not say)."""
        await self.instance_limits()
        return self._image_limits

    async def upload_media(self, upload: base.MediaUpload) -> str:
        """`POST /api/v2/media` with the alt text as `description`; a 202 (still being
        processed) is polled with `GET /api/v1/media/:id` until it has a `url`, or until
        the deadline. The file is named by its type alone: the draft's file name stays
        on this machine."""
        name = "image.png" if upload.mime == "image/png" else "image.jpg"
        response = await self._request(
            "POST",
            "/api/v2/media",
            files={"file": (name, upload.data, upload.mime)},
            data={"description": upload.alt},
        )
        data, media_id = _created(response, "/api/v2/media", "a media id")
        waited = 0.0
        while data.get("url") is None and waited < self.media_deadline_seconds:
            await asyncio.sleep(self.media_poll_seconds)
            waited += self.media_poll_seconds
            polled = await self._request("GET", f"/api/v1/media/{media_id}")
            data = _json_object(polled) or {}  # 206: still processing
        return media_id

    async def find_post(self, request: base.PostRequest) -> base.PublishedPost | None:
        """The post if Mastodon has it, else None.

        Reads the account's recent statuses first; if the post is not there and this
        client sent the key less than REPLAY_WINDOW - REPLAY_MARGIN ago, re-sends it with
        the same key, which answers with the original status if there is one and
        otherwise creates it (so a non-None answer may be a post created just now).
        Raises a PlatformError when Mastodon cannot be asked.
        """
        found = await self._read_back(request)
        if found is not None or not self._replay_is_safe(request.idempotency_key):
            return found
        try:
            return await self._send(request)
        except (errors.Unclear, errors.Unavailable):
            return await self._read_back(request)  # no answer again: look once more

    async def delete_post(self, post: base.PublishedPost, *, root: bool = False) -> bool:
        """`DELETE /api/v1/statuses/:id`: Mastodon answers the deleted status; 404 (`Record
        not found`) when it has no such status (deleted already)."""
        try:
            await self._request("DELETE", f"/api/v1/statuses/{quote(post.remote_id, safe='')}")
        except errors.Refused as error:
            if error.status == 404:
                return False
            raise
        return True

    # --- posting ----------------------------------------------------------------------
    async def _send(self, request: base.PostRequest) -> base.PublishedPost:
        key = request.idempotency_key
        options, account = request.options, self._account
        # The thread's first post takes `visibility`, the later ones `reply_visibility`
        # ("unlisted" keeps a long thread from flooding followers' public timelines).
        if request.reply_to is None:
            visibility = options.visibility or account.visibility
        else:
            visibility = options.reply_visibility or account.reply_visibility
        body: dict[str, Any] = {"status": request.text, "visibility": visibility or "public"}
        if options.content_warning:
            body["spoiler_text"] = options.content_warning  # counted in the post's room
        if request.reply_to is not None:
            body["in_reply_to_id"] = request.reply_to.remote_id
        if request.media:
            body["media_ids"] = [image.ref for image in request.media]
        language = options.language or account.language
        if language:
            # Mastodon takes an ISO 639 code: a tag's language, without its subtags.
            body["language"] = language.split("-", 1)[0]
        self._first_sent.setdefault(key, self._clock())
        self._in_flight.add(key)
        try:
            response = await self._request(
                "POST",
                "/api/v1/statuses",
                json=body,
                headers={"Idempotency-Key": key},
                replying=request.reply_to is not None,
            )
        except errors.Refused as error:
            if error.status == 422 and _UNPROCESSED in (error.reason or ""):
                # Its images are still being processed: nothing was created; try again.
                raise errors.Unavailable(
                    str(error), status=422, reason=error.reason, retry_after=2.0
                ) from None
            raise
        finally:
            self._in_flight.discard(key)
        data, status_id = _created(response, "/api/v1/statuses", "a status")
        return base.PublishedPost(remote_id=status_id, url=base.str_or_none(data.get("url")))

    def _replay_is_safe(self, key: str) -> bool:
        first = self._first_sent.get(key)
        if first is None or key in self._in_flight:
            return False  # sent by another process, or at an unknown time: no guarantee
        return self._clock() - first < (REPLAY_WINDOW - REPLAY_MARGIN).total_seconds()

    async def _read_back(self, request: base.PostRequest) -> base.PublishedPost | None:
        account_id = await self._credentials()
        statuses = await self._get_json(
            f"/api/v1/accounts/{account_id}/statuses",
            params={"limit": READ_BACK_LIMIT, "exclude_reblogs": "true"},
            list_ok=True,
        )
        if not isinstance(statuses, list):
            raise errors.Unavailable("Mastodon: the statuses list is not a list")
        parent = request.reply_to.remote_id if request.reply_to is not None else None
        first = self._first_sent.get(request.idempotency_key)
        not_before = None if first is None else datetime.fromtimestamp(first, UTC) - CLOCK_SKEW
        for status in statuses:  # newest first
            if not isinstance(status, dict) or status.get("reblog"):
                continue
            status_id = base.str_or_none(status.get("id"))
            if status_id is None or base.str_or_none(status.get("in_reply_to_id")) != parent:
                continue
            created = _parse_time(status.get("created_at"))
            if not_before is not None and created is not None and created < not_before:
                continue  # an older post with the same text (an earlier edition, say)
            if base.same_text(await self._source_text(status_id, status), request.text):
                return base.PublishedPost(
                    remote_id=status_id, url=base.str_or_none(status.get("url"))
                )
        return None

    async def _source_text(self, status_id: str, status: Mapping[str, Any]) -> str | None:
        # Mastodon lists statuses as rendered HTML (`content`); the typed text comes from
        # /source. Some servers (GoToSocial) include `text` for one's own statuses.
        text = status.get("text")
        if isinstance(text, str):
            return text
        source = await self._get_json(f"/api/v1/statuses/{status_id}/source")
        return base.str_or_none(source.get("text"))

    async def _credentials(self) -> str:
        """The account id (cached), from verify_credentials."""
        if self._account_id is None:
            data = await self._get_json("/api/v1/accounts/verify_credentials")
            account_id = base.str_or_none(data.get("id"))
            if account_id is None:
                raise errors.Unavailable("Mastodon: verify_credentials returned no account id")
            self._acct = base.str_or_none(data.get("acct")) or base.str_or_none(
                data.get("username")
            )
            self._account_id = account_id
        return self._account_id

    # --- HTTP -------------------------------------------------------------------------
    async def _get_json(
        self, path: str, *, params: Mapping[str, Any] | None = None, list_ok: bool = False
    ) -> Any:
        response = await self._request("GET", path, params=params)
        data = _json_object(response, list_ok=list_ok)
        if data is None:
            raise errors.without_answer(f"Mastodon GET {path}", response, "JSON", creates=False)
        return data

    async def _request(
        self, method: str, path: str, *, replying: bool = False, **body: Unpack[_RequestBody]
    ) -> httpx.Response:
        creates = method == "POST"  # only a POST can leave something behind
        headers = {"Authorization": f"Bearer {self._access_token()}", **body.get("headers", {})}
        sent: _RequestBody = {**body, "headers": headers}
        response = await self._exchange(method, path, creates=creates, **sent)
        self._note_rate_limit(response.headers)
        status = response.status_code
        if status < 300:
            return response
        reason = _reason(response)
        message = f"Mastodon {method} {path}: HTTP {status}: {reason}"
        if status == 429:
            raise errors.RateLimited(
                message, status=status, reason=reason, retry_after=self._retry_after(response)
            )
        if status == 404 and replying:
            raise errors.ReplyTargetMissing(message, status=status, reason=reason)
        kind = errors.failed_status_kind(status, creates=creates) or errors.Refused
        raise kind(message, status=status, reason=reason)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def _note_rate_limit(self, headers: httpx.Headers) -> None:
        if "x-ratelimit-limit" not in headers and "x-ratelimit-remaining" not in headers:
            return
        now = self._now()
        reset = errors.reset_after(headers.get("x-ratelimit-reset"), now.timestamp())
        self.last_rate_limit = RateLimit(
            limit=errors.header_count(headers.get("x-ratelimit-limit")),
            remaining=errors.header_count(headers.get("x-ratelimit-remaining")),
            reset=None if reset is None else now + timedelta(seconds=reset),
        )

    def _retry_after(self, response: httpx.Response) -> float | None:
        """Retry-After if given (seconds or a date), else X-RateLimit-Reset (ISO 8601 on
        Mastodon; a Unix time or seconds to go behind some proxies)."""
        now = self._clock()
        wait = errors.retry_after(response.headers.get("retry-after"), now)
        if wait is None:
            wait = errors.reset_after(response.headers.get("x-ratelimit-reset"), now)
        return wait


# --- helpers ----------------------------------------------------------------------------
def _reason(response: httpx.Response) -> str:
    """The server's own words: Mastodon's `{"error": ...}`, else the status phrase."""
    data = _json_object(response)
    text: str | None = None
    if data is not None:
        text = base.str_or_none(data.get("error"))
        description = base.str_or_none(data.get("error_description"))
        if text and description:
            text = f"{text}: {description}"
    text = text or response.reason_phrase or "no reason given"
    return text  # cut to size (and redacted) by PlatformError


def _created(response: httpx.Response, path: str, what: str) -> tuple[dict[str, Any], str]:
    """What a POST created, and its id."""
    data = _json_object(response)
    created_id = base.str_or_none(data.get("id")) if data is not None else None
    if data is None or created_id is None:
        raise errors.without_answer(f"Mastodon POST {path}", response, what, creates=True)
    return data, created_id


def _json_object(response: httpx.Response, *, list_ok: bool = False) -> Any:
    try:
        data = response.json()
    except ValueError:
        return None
    if isinstance(data, dict) or (list_ok and isinstance(data, list)):
        return data
    return None


def _dig(data: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    node: Any = data
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _positive_int(value: object, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return default
