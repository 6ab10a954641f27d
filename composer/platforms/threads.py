"""Threads (Meta): one account through the Threads Graph API with async httpx.

A post is made in two steps: `POST /{user-id}/threads` (`media_type=TEXT`, `text`, and
`reply_to_id` for every post after the first) creates a media CONTAINER, and
`POST /{user-id}/threads_publish` (`creation_id`) publishes it and answers the post id.

Why a resend never posts twice: a container is published at most once. The client
remembers the container made for each idempotency key (`containers`, which the publisher
can persist in its ledger) and, before it publishes a container again, reads its status
(`GET /{container-id}?fields=status,error_message`):

    IN_PROGRESS   wait `poll_interval` and read again (a few times)
    FINISHED      not published yet: publish it
    PUBLISHED     the post exists: find its id in the account's threads (or the replies
                  of the post replied to); never publish again
    ERROR/EXPIRED nothing was published: make a new container

A container that was created but never published is invisible and expires after 24 hours,
so an unclear container creation (no container id known) is resolved by making a new one.

Images (https://developers.facebook.com/docs/threads/posts): Threads fetches each image
from a public `image_url`, so `upload_media` puts the prepared image there with the
account's `media_upload_cmd` (composer.workspace.media_upload) and answers its URL, which
the publisher records as the image's reference before the post is made (a resume never
runs the command again). A post with one image is an IMAGE container (`image_url`,
`alt_text`, `text`, `reply_to_id`); with several, each image is an item container
(`is_carousel_item=true`) and the post a CAROUSEL container (`children`, `text`,
`reply_to_id`), up to FACTS' images_per_post. Meta processes an image container before it
can be published ("wait on average 30 seconds"), so its status is read until FINISHED,
at growing intervals up to a deadline (`media_wait`: Meta's troubleshooting page says to
query "once per minute, for no more than 5 minutes",
https://developers.facebook.com/docs/threads/troubleshooting); ERROR says why (its
`error_message`) and nothing is published. Only the post's container (the CAROUSEL one
for several images) is recorded and published; an item container left behind by a crash
is never published and expires.

The access token goes as the `access_token` parameter, as Meta documents: in the form body
of a POST and, as a GET has no body, in the query of a GET. It is read from the account on
the first request and kept in an object that never prints; no message of this module holds
a URL with a query, and the `httpx` logger (which logs request URLs at INFO) gets a filter
that masks the parameter.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Protocol, TypedDict, Unpack
from urllib.parse import quote

import httpx

from composer.platforms import base, errors
from composer.redaction import redact
from composer.text.options import platform_replies
from composer.text.platform_facts import FACTS

__all__ = ["RateLimit", "ThreadsAccount", "ThreadsClient"]

STATUS_POLLS: Final = 5  # status reads of an IN_PROGRESS text container before giving up
MEDIA_WAIT: Final = 300.0  # seconds an image container may stay IN_PROGRESS (Meta: 5 minutes)
LONGEST_POLL: Final = 30.0  # seconds between two status reads of an image container, at most
LIST_LIMIT: Final = 25  # posts read back when looking for one
LIST_FIELDS: Final = "id,text,timestamp,permalink,is_reply,replied_to,username"
# A read-back accepts posts this long before the container was made (clock skew).
CLOCK_SKEW: Final = 300.0

# Graph API error codes (https://developers.facebook.com/docs/graph-api/guides/error-handling).
_RATE_LIMIT_CODES: Final = frozenset({4, 17, 32, 613})
_TOKEN_CODES: Final = frozenset({102, 190})
_PERMISSION_CODES: Final = frozenset({10, *range(200, 300)})
_MISSING_OBJECT_SUBCODE: Final = 33  # "Object with ID ... does not exist"

_REACHABLE = "can anyone open the URL its media_upload_cmd printed?"


class ThreadsAccount(base.AccountLike, Protocol):
    """What the Threads client needs of an account beyond every client's needs."""

    @property
    def user_id(self) -> str | None: ...
    def upload_media_file(self, path: str) -> str:
        """The public URL of the image file at `path`, uploaded by `media_upload_cmd`."""
        ...


@dataclass(frozen=True, slots=True)
class RateLimit:
    """Meta's usage headers (`X-App-Usage`, `X-Business-Use-Case-Usage`) last seen.

    `usage` is the highest percentage among call count, total time and CPU time; Meta
    throttles at 100. `regain_after` is seconds until access returns, when Meta said.
    """

    usage: int | None
    regain_after: float | None


@dataclass(frozen=True, slots=True)
class PublishingQuota:
    """`threads_publishing_limit`: posts and replies used in the last 24 hours."""

    posts_used: int | None
    posts_total: int | None
    replies_used: int | None
    replies_total: int | None


class _MaskTokens(logging.Filter):
    """Masks `access_token=...` in the records of the `httpx` logger (it logs URLs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(
            "access_token=" in str(arg) for arg in record.args
        ):
            record.args = tuple(
                redact(str(arg)) if "access_token=" in str(arg) else arg for arg in record.args
            )
        if isinstance(record.msg, str) and "access_token=" in record.msg:
            record.msg = redact(record.msg)
        return True


def _install_log_filter() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _MaskTokens) for f in logger.filters):
        logger.addFilter(_MaskTokens())


class _RequestBody(TypedDict, total=False):
    """What a request to the Threads API carries: query parameters or a form."""

    params: dict[str, str] | None
    form: dict[str, str] | None


class ThreadsClient(base.HttpClient[ThreadsAccount]):
    """A PlatformClient for one Threads account. Use `async with` or call `aclose()`."""

    platform = "threads"
    image_setting = "media_upload_cmd"  # the account setting images are uploaded with

    def __init__(
        self,
        account: ThreadsAccount,
        *,
        poll_interval: float = 1.0,
        media_wait: float = MEDIA_WAIT,
        **options: Unpack[base.HttpOptions],
    ) -> None:
        _install_log_filter()
        super().__init__(account, **options)
        self._poll_interval = poll_interval
        self._media_wait = media_wait
        self._user_id: str | None = account.user_id or None
        self._username: str | None = None
        self.containers: dict[str, str] = {}
        # Called with (idempotency key, container id) as soon as a container exists, so the
        # publisher can keep it in the ledger before asking Threads to publish it.
        self.on_container: Callable[[str, str], None] | None = None
        """Idempotency key -> the container made for that post (persist it to resume)."""
        self._made_at: dict[str, float] = {}  # idempotency key -> when its container was made
        self.last_rate_limit: RateLimit | None = None
        self.last_quota: PublishingQuota | None = None

    def _described(self) -> str:
        return f"account={self._account.name!r}, api_url={self._base!r}"

    # --- PlatformClient ---------------------------------------------------------------
    async def verify(self) -> base.AccountInfo:
        me = await self._get_json("/me", {"fields": "id,username"})
        user_id = base.str_or_none(me.get("id"))
        username = base.str_or_none(me.get("username"))
        if user_id is None or username is None:
            raise errors.Unavailable("Threads GET /me: no id or username in the answer")
        configured = self._account.user_id
        if configured and configured != user_id:
            raise errors.Refused(
                f"Threads: the access token belongs to user {user_id} (@{username}), "
                f"not to the configured user_id {configured}"
            )
        self._user_id, self._username = user_id, username
        quota = await self.publishing_quota()
        total = quota.posts_total if quota else None
        used = quota.posts_used if quota else None
        remaining = max(0, total - used) if total is not None and used is not None else None
        return base.AccountInfo(
            handle="@" + username,
            max_characters=500,
            daily_quota=total,
            remaining_quota=remaining,
        )

    # --- MediaClient ----------------------------------------------------------------------
    async def image_limits(self) -> base.ImageLimits:
        media = FACTS[self.platform].media
        assert media is not None
        return base.ImageLimits(media.max_bytes, media.max_pixels)

    async def upload_media(self, upload: base.MediaUpload) -> str:
        """The image put where Threads can fetch it: the account's `media_upload_cmd` run on a
        private temporary copy of the prepared bytes (named by their hash, so a command that
        names objects after the file names each image apart); the public URL it printed."""
        name = hashlib.sha256(upload.data).hexdigest()[:32]
        name += ".png" if upload.mime == "image/png" else ".jpg"

        def run() -> str:
            with tempfile.TemporaryDirectory(prefix="composer-upload-") as folder:  # mode 0700
                path = os.path.join(folder, name)
                with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
                    f.write(upload.data)
                return self._account.upload_media_file(path)

        try:
            return await asyncio.to_thread(run)
        except Exception as error:  # ConfigError or OSError: one line, never the output
            raise errors.Refused(f"Threads: {error}") from None

    async def publishing_quota(self) -> PublishingQuota | None:
        """Posts and replies used in the last 24 hours; None when Meta will not say."""
        user_id = await self._me()
        try:
            data = await self._get_json(
                f"/{user_id}/threads_publishing_limit",
                {"fields": "quota_usage,config,reply_quota_usage,reply_config"},
            )
        except errors.Refused:  # an older token without the permission: not worth failing over
            return None
        rows = data.get("data")
        row = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else {}
        config = _dict(row.get("config"))
        reply_config = _dict(row.get("reply_config"))
        self.last_quota = PublishingQuota(
            posts_used=_int(row.get("quota_usage")),
            posts_total=_int(config.get("quota_total")),
            replies_used=_int(row.get("reply_quota_usage")),
            replies_total=_int(reply_config.get("quota_total")),
        )
        return self.last_quota

    async def create_post(self, request: base.PostRequest) -> base.PublishedPost:
        key = request.idempotency_key
        container = self.containers.get(key)
        if container is not None:
            # A container was made for this post before: never make a second one while
            # it can still be published (or has been).
            status, message = await self._settled_status(container, media=bool(request.media))
            if status == "PUBLISHED":
                return await self._published(request, container)
            if status == "FINISHED":
                return await self._publish(request, container)
            # ERROR or EXPIRED (or unknown): nothing was published; start again.
            del self.containers[key]
        container = await self._create_container(request)
        status, message = await self._settled_status(container, media=bool(request.media))
        if status == "FINISHED":
            return await self._publish(request, container)
        if status == "PUBLISHED":  # not by us, but it is there
            return await self._published(request, container)
        del self.containers[key]
        said = f"(container {status}): {message or 'no reason given'}"
        if request.media:  # the platform's word alone (UNKNOWN) would not tell what to do
            said = f"could not take the post's images {said}; {_REACHABLE}"
            raise errors.Refused(f"Threads {said}", reason=said)
        raise errors.Refused(f"Threads could not prepare the post {said}", reason=message)

    async def find_post(self, request: base.PostRequest) -> base.PublishedPost | None:
        """The post if Threads has it, else None.

        Only a container this client made (or was given in `containers`) can say: if it is
        PUBLISHED the post is looked up; FINISHED, IN_PROGRESS, ERROR or EXPIRED mean that
        nothing was published, so None. Without a container nothing was published by this
        client (an unclear container creation publishes nothing), so None as well.
        Raises Unclear when the container is PUBLISHED but the post cannot be found yet.
        """
        container = self.containers.get(request.idempotency_key)
        if container is None:
            return None
        status, _ = await self._status(container)
        if status != "PUBLISHED":
            return None
        return await self._published(request, container)

    async def delete_post(self, post: base.PublishedPost, *, root: bool = False) -> bool:
        """`DELETE /{threads-media-id}` (permission `threads_delete`; 100 deletes a day per
        account), answered `{"success": true, "deleted_id": ...}`; a post Meta does not have
        (404, or error subcode 33 "does not exist") is gone already."""
        path = f"/{quote(post.remote_id, safe='')}"
        try:
            response = await self._request("DELETE", path)
        except errors.Gone:
            return False
        if base.json_object(response).get("success") is False:
            raise errors.Refused(f"Threads did not delete post {post.remote_id}", status=200)
        return True

    # --- posting ----------------------------------------------------------------------
    async def _create_container(self, request: base.PostRequest) -> str:
        user_id = await self._me()
        form = {"text": request.text, **await self._media_form(user_id, request.media)}
        if request.reply_to is not None:
            form["reply_to_id"] = request.reply_to.remote_id
        replies = platform_replies(self.platform, request.options)
        if replies and request.reply_to is None:  # the thread's first post (its root)
            form["reply_control"] = replies
        made_at = self._clock()
        try:
            data = await self._post_json(
                f"/{user_id}/threads", form, replying=request.reply_to is not None
            )
        except errors.Unclear as error:
            raise errors.Unclear(
                f"{error} (a container may exist, but nothing was published: an unpublished "
                "container is invisible and expires in 24 hours, so a retry makes a new one)",
                status=error.status,
                reason=error.reason,
            ) from None
        container = base.str_or_none(data.get("id"))
        if container is None:
            raise errors.Unavailable(
                f"Threads POST /{user_id}/threads: no container id in the answer"
            )
        self.containers[request.idempotency_key] = container
        self._made_at[request.idempotency_key] = made_at
        if self.on_container is not None:
            self.on_container(request.idempotency_key, container)  # persisted before publishing
        return container

    async def _media_form(
        self, user_id: str, media: tuple[base.AttachedMedia, ...]
    ) -> dict[str, str]:
        """The container's media: none (TEXT), one IMAGE, or a CAROUSEL of item containers
        made (and processed) here first."""
        if not media:
            return {"media_type": "TEXT"}
        facts = FACTS[self.platform].media
        if len(media) > facts.images_per_post:
            raise errors.Refused(
                f"Threads takes at most {facts.images_per_post} images a post, not {len(media)}"
            )
        if len(media) == 1:
            return _image_form(media[0])
        children = []
        for number, image in enumerate(media, start=1):
            form = {**_image_form(image), "is_carousel_item": "true"}
            try:
                data = await self._post_json(f"/{user_id}/threads", form)
            except errors.Unclear as error:  # an item container is never published by itself
                raise errors.Unavailable(
                    f"{error} (an item container; nothing was published)"
                ) from None
            item = base.str_or_none(data.get("id"))
            if item is None:
                raise errors.Unavailable(
                    f"Threads POST /{user_id}/threads: no container id (image)"
                )
            status, message = await self._settled_status(item, media=True)
            if status != "FINISHED":
                said = (
                    f"could not take image {number} (container {status}): "
                    f"{message or 'no reason given'}; {_REACHABLE}"
                )
                raise errors.Refused(f"Threads {said}", reason=said)
            children.append(item)
        return {"media_type": "CAROUSEL", "children": ",".join(children)}

    async def _publish(self, request: base.PostRequest, container: str) -> base.PublishedPost:
        user_id = await self._me()
        try:
            data = await self._post_json(f"/{user_id}/threads_publish", {"creation_id": container})
        except errors.Refused as refused:
            # Published meanwhile (by an attempt whose answer was lost)? Then find it.
            try:
                status, _ = await self._status(container)
            except errors.PlatformError:
                raise refused from None
            if status == "PUBLISHED":
                return await self._published(request, container)
            raise
        post_id = base.str_or_none(data.get("id"))
        if post_id is None:
            raise errors.Unclear(
                f"Threads POST /{user_id}/threads_publish: no post id in the answer; "
                "check the container before publishing again"
            )
        return base.PublishedPost(remote_id=post_id, url=await self._permalink(post_id))

    async def _status(self, container: str) -> tuple[str, str | None]:
        data = await self._get_json(f"/{container}", {"fields": "status,error_message"})
        status = base.str_or_none(data.get("status"))
        if status is None:
            raise errors.Unavailable(f"Threads GET /{container}: no status in the answer")
        return status.upper(), base.str_or_none(data.get("error_message"))

    async def _settled_status(
        self, container: str, *, media: bool = False
    ) -> tuple[str, str | None]:
        """The container's status, waiting while it is IN_PROGRESS: a few reads for text;
        for images (which Meta fetches and processes) reads at growing intervals until
        `media_wait` seconds have passed."""
        deadline = time.monotonic() + self._media_wait
        wait = self._poll_interval
        poll = 0
        while True:
            status, message = await self._status(container)
            if status != "IN_PROGRESS":
                return status, message
            poll += 1
            left = deadline - time.monotonic()
            gave_up = left <= 0 if media else poll >= STATUS_POLLS
            if gave_up:
                break
            await asyncio.sleep(min(wait, left) if media else self._poll_interval)
            wait = min(wait * 2, LONGEST_POLL)
        # Still processing: nothing is published yet, and the container is remembered.
        raise errors.Unavailable(
            f"Threads: container {container} is still IN_PROGRESS; try again later",
            retry_after=self._poll_interval * STATUS_POLLS,
        )

    async def _published(self, request: base.PostRequest, container: str) -> base.PublishedPost:
        """The post of a PUBLISHED container (Unclear if it cannot be found yet)."""
        found = await self._look_up(request)
        if found is None:
            raise errors.Unclear(
                f"Threads: container {container} is PUBLISHED but its post is not listed yet; "
                "look again before doing anything else"
            )
        return found

    async def _look_up(self, request: base.PostRequest) -> base.PublishedPost | None:
        """The account's post with this text (and reply target), made after the container."""
        user_id = await self._me()
        parent = request.reply_to.remote_id if request.reply_to is not None else None
        made_at = self._made_at.get(request.idempotency_key)
        not_before = made_at - CLOCK_SKEW if made_at is not None else None
        data = await self._get_json(
            f"/{user_id}/threads", {"fields": LIST_FIELDS, "limit": str(LIST_LIMIT)}
        )
        found = _match(data.get("data"), request.text, parent, not_before, username=None)
        if found is not None or parent is None:
            return found
        # Whether replies show in the account's threads is not documented: also read the
        # replies to the post replied to (needs threads_read_replies; skipped without it).
        try:
            data = await self._get_json(
                f"/{parent}/replies", {"fields": LIST_FIELDS, "limit": str(LIST_LIMIT)}
            )
        except errors.Refused:
            return None
        # Anyone may reply there: keep to this account's replies.
        username = self._username or await self._whoami()
        return _match(data.get("data"), request.text, parent, not_before, username=username)

    async def _permalink(self, post_id: str) -> str | None:
        """The post's web address; None if Meta does not answer (the post exists anyway)."""
        try:
            data = await self._get_json(f"/{post_id}", {"fields": "permalink"})
        except errors.PlatformError:
            return None
        return base.str_or_none(data.get("permalink"))

    async def _me(self) -> str:
        """The Threads user id: configured, or from `GET /me` (cached)."""
        if self._user_id is None:
            await self._whoami()
        if self._user_id is None:  # _whoami sets it or raises
            raise errors.Unavailable("Threads GET /me: no id in the answer")
        return self._user_id

    async def _whoami(self) -> str | None:
        """Reads `GET /me`: sets the user id (unless configured) and the username."""
        me = await self._get_json("/me", {"fields": "id,username"})
        user_id = base.str_or_none(me.get("id"))
        if user_id is None:
            raise errors.Unavailable("Threads GET /me: no id in the answer")
        self._user_id = self._user_id or user_id
        self._username = base.str_or_none(me.get("username"))
        return self._username

    # --- HTTP -------------------------------------------------------------------------
    async def _get_json(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        response = await self._request("GET", path, params=dict(params))
        return base.json_object(response)

    async def _post_json(
        self, path: str, form: Mapping[str, str], *, replying: bool = False
    ) -> dict[str, Any]:
        response = await self._request("POST", path, form=dict(form), replying=replying)
        data = base.json_object(response)
        if not data:
            raise errors.without_answer(f"Threads POST {path}", response, "an answer", creates=True)
        return data

    async def _request(
        self, method: str, path: str, *, replying: bool = False, **body: Unpack[_RequestBody]
    ) -> httpx.Response:
        # The token goes in the query of a GET (and a DELETE) and in the form of a POST, as
        # Meta documents.
        params, form = body.get("params"), body.get("form")
        token = self._access_token()
        if method in ("GET", "DELETE"):  # no body: in the query, as Meta's examples do
            params = {**(params or {}), "access_token": token}
        else:
            form = {**(form or {}), "access_token": token}
        response = await self._exchange(
            method, path, creates=method == "POST", params=params, data=form
        )
        self._note_usage(response.headers)  # a refusal's too: it says how long to wait
        return self._checked(method, path, response, replying=replying)

    def _status_error(
        self, method: str, path: str, response: httpx.Response, *, replying: bool
    ) -> errors.PlatformError:
        status = response.status_code
        error = _graph_error(response)
        code = _int(error.get("code"))
        subcode = _int(error.get("error_subcode"))
        reason = self._reason(error, response)
        numbers = f"HTTP {status}" + (f", code {code}" if code is not None else "")
        numbers += f"/{subcode}" if subcode is not None else ""
        message = f"Threads {method} {path}: {numbers}: {reason}"
        if status == 429 or code in _RATE_LIMIT_CODES:
            return errors.RateLimited(
                message, status=status, reason=reason, retry_after=self._retry_after(response)
            )
        if status == 401 or code in _TOKEN_CODES:
            return errors.Refused(message, status=status, reason=reason)
        if code in _PERMISSION_CODES or status == 403:
            return errors.Refused(message, status=status, reason=reason)
        if method == "DELETE" and (status == 404 or subcode == _MISSING_OBJECT_SUBCODE):
            return errors.Gone(message, status=status, reason=reason)
        if replying and self._reply_missing(status, code, subcode, reason):
            return errors.ReplyTargetMissing(message, status=status, reason=reason)
        kind = errors.failed_status_kind(status, creates=method == "POST")
        if kind is None:
            return errors.Refused(message, status=status, reason=reason)
        wait = errors.retry_after(response.headers.get("retry-after"), self._clock())
        return kind(message, status=status, reason=reason, retry_after=wait)

    def _reply_missing(
        self, status: int, code: int | None, subcode: int | None, reason: str
    ) -> bool:
        """Meta's "Object with ID '...' does not exist" about the post replied to."""
        lowered = reason.lower()
        missing = subcode == _MISSING_OBJECT_SUBCODE or "does not exist" in lowered
        if status == 404:
            missing = True
        # The same words about the user id would mean a wrong account, not a reply target.
        about_user = self._user_id is not None and f"'{self._user_id}'" in reason
        return missing and not about_user and (code in (None, 100) or status == 404)

    def _note_usage(self, headers: httpx.Headers) -> None:
        usage: int | None = None
        regain: float | None = None
        app = _json_header(headers.get("x-app-usage"))
        if isinstance(app, dict):
            usage = _max_percent(app)
        business = _json_header(headers.get("x-business-use-case-usage"))
        if isinstance(business, dict):
            for entries in business.values():
                for entry in entries if isinstance(entries, list) else []:
                    if not isinstance(entry, dict):
                        continue
                    percent = _max_percent(entry)
                    if percent is not None:
                        usage = max(usage or 0, percent)
                    minutes = _int(entry.get("estimated_time_to_regain_access"))
                    if minutes:
                        regain = max(regain or 0.0, minutes * 60.0)
        if usage is not None or regain is not None:
            self.last_rate_limit = RateLimit(usage=usage, regain_after=regain)

    def _retry_after(self, response: httpx.Response) -> float | None:
        seconds = errors.retry_after(response.headers.get("retry-after"), self._clock())
        if seconds is not None:
            return seconds
        if self.last_rate_limit is not None and self.last_rate_limit.regain_after:
            return self.last_rate_limit.regain_after
        return None

    def _scrub(self, text: str) -> str:
        # The token travels in the URL: `access_token=…` is one of redact's patterns, and
        # the value itself is a registered secret once read.
        return redact(text)

    def _reason(self, error: Mapping[str, Any], response: httpx.Response) -> str:
        """The platform's own words (user message first), never holding the token."""
        text = base.str_or_none(error.get("error_user_msg")) or base.str_or_none(
            error.get("message")
        )
        title = base.str_or_none(error.get("error_user_title"))
        if text and title and title not in text:
            text = f"{title}: {text}"
        return self._scrub(text or response.reason_phrase or "no reason given")


# --- helpers ----------------------------------------------------------------------------
def _image_form(image: base.AttachedMedia) -> dict[str, str]:
    """An IMAGE container's fields: the URL recorded as the image's reference, its alt text."""
    form = {"media_type": "IMAGE", "image_url": image.ref}
    if image.alt:
        form["alt_text"] = image.alt
    return form


def _match(
    posts: object,
    text: str,
    parent: str | None,
    not_before: float | None,
    *,
    username: str | None,
) -> base.PublishedPost | None:
    for post in posts if isinstance(posts, list) else []:  # newest first
        if not isinstance(post, dict):
            continue
        post_id = base.str_or_none(post.get("id"))
        if post_id is None or not base.same_text(post.get("text"), text):
            continue
        if username is not None and post.get("username") not in (None, username):
            continue  # someone else's reply with the same words
        replied_to = post.get("replied_to")
        replied_id = (
            base.str_or_none(replied_to.get("id")) if isinstance(replied_to, dict) else None
        )
        if parent is None and (post.get("is_reply") is True or replied_id is not None):
            continue
        if parent is not None and replied_id is not None and replied_id != parent:
            continue
        if parent is not None and replied_id is None and post.get("is_reply") is False:
            continue
        when = _timestamp(post.get("timestamp"))
        if not_before is not None and when is not None and when < not_before:
            continue  # an older post with the same text (an earlier edition, say)
        return base.PublishedPost(remote_id=post_id, url=base.str_or_none(post.get("permalink")))
    return None


def _timestamp(value: object) -> float | None:
    """Meta's `2024-07-01T12:00:00+0000` as Unix seconds."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").timestamp()
    except ValueError:
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return None


def _graph_error(response: httpx.Response) -> dict[str, Any]:
    error = base.json_object(response).get("error")
    return error if isinstance(error, dict) else {}


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _json_header(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _max_percent(entry: Mapping[str, Any]) -> int | None:
    values = [_int(entry.get(k)) for k in ("call_count", "total_time", "total_cputime")]
    known = [v for v in values if v is not None]
    return max(known) if known else None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None
