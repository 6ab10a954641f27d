"""X (API v2) client: post a thread as a chain of replies, and find a post after an unclear send.

Auth is OAuth 1.0a user context (HMAC-SHA1 signed by oauthlib) or an OAuth 2.0 user token
(Bearer), refreshed once on a 401 when a refresh token is configured. X has no idempotency
key, so `find_post` reads the account's recent posts and matches the text and reply target.

Secrets are read from the account only when a request needs them and are never stored in
anything that is printed: not in errors, not in the client's repr.
"""

from __future__ import annotations

import asyncio
import html
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol, Unpack
from urllib.parse import quote, urlencode

import httpx
from oauthlib.oauth1 import SIGNATURE_TYPE_AUTH_HEADER
from oauthlib.oauth1 import Client as OAuth1Client

from composer.platforms import base, errors
from composer.platforms.x_media import MediaSession, RequestParts, upload_image
from composer.redaction import register_secret
from composer.text.entities import extract_urls
from composer.text.options import platform_replies
from composer.text.platform_facts import FACTS

__all__ = ["RateLimit", "XAccount", "XClient"]

TIMELINE_FIELDS = "referenced_tweets,created_at,text"
TIMELINE_SIZE = 20
# X answers "reply target not visible" in these words (v2 detail, or v1.1-style error 385).
_REPLY_MISSING_WORDS = ("deleted or not visible", "does not exist", "not found")
_REPLY_MISSING_CODE = 385
# X ends the text of a post with images with one more t.co link, to them.
_MEDIA_LINK = re.compile(r"\s*https://t\.co/[A-Za-z0-9]+\s*\Z")


class XAccount(base.AccountLike, Protocol):
    """What the X client needs of an account beyond every client's needs."""

    @property
    def handle(self) -> str | None: ...
    @property
    def x_auth(self) -> Literal["oauth1", "oauth2"] | None: ...
    @property
    def client_id(self) -> str | None: ...
    @property
    def daily_post_quota(self) -> int | None: ...
    def has_secret(self, key: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class RateLimit:
    """One rate-limit window as X reported it; `reset` is Unix seconds."""

    limit: int | None
    remaining: int | None
    reset: float | None


TokensRefreshed = Callable[[str, str], None]


class TokenStore(Protocol):
    """Keeps an account's refreshed OAuth 2.0 tokens ({access, refresh}) between runs."""

    def load(self) -> Mapping[str, str] | None: ...

    def save(self, tokens: Mapping[str, str] | None) -> None: ...


class XClient(base.HttpClient[XAccount]):
    """One X account. Use `async with` or call `aclose()`."""

    platform = "x"

    def __init__(
        self,
        account: XAccount,
        *,
        on_tokens_refreshed: TokensRefreshed | None = None,
        token_store: TokenStore | None = None,
        **options: Unpack[base.HttpOptions],
    ) -> None:
        super().__init__(account, **options)
        self.on_tokens_refreshed = on_tokens_refreshed
        # OAuth 2.0 tokens after a refresh (this run's or a stored one); until then the
        # account's own are used. X rotates the refresh token: the old one stops working.
        self._token_store = token_store
        stored = token_store.load() if token_store is not None else None
        self._oauth2_access: str | None = stored.get("access") if stored else None
        self._oauth2_refresh: str | None = stored.get("refresh") if stored else None
        self._refresh_lock: asyncio.Lock | None = None
        self._user_id: str | None = None
        self._username: str | None = None
        self.last_rate_limit: RateLimit | None = None
        """The `x-rate-limit-*` headers of the last response that had them."""
        self.last_user_limit: RateLimit | None = None
        """The `x-user-limit-24hour-*` headers (posts a day) of the last response with them."""
        self.media = MediaSession(self._request)
        """How images are uploaded (segment size, processing deadline): see x_media."""

    def _described(self) -> str:
        return (
            f"account={self._account.name!r}, api_url={self._base!r}, auth={self._account.x_auth!r}"
        )

    # --- the PlatformClient interface -------------------------------------------------------
    async def verify(self) -> base.AccountInfo:
        response = await self._request("GET", "/2/users/me")
        data = base.json_object(response).get("data")
        if not isinstance(data, dict) or not data.get("id") or not data.get("username"):
            raise errors.Unavailable(
                "X answered /2/users/me without a user", status=response.status_code
            )
        self._user_id = str(data["id"])
        self._username = str(data["username"])
        quota = self.last_user_limit
        daily = quota.limit if quota and quota.limit is not None else None
        return base.AccountInfo(
            handle="@" + self._username,
            daily_quota=daily if daily is not None else self._account.daily_post_quota,
            remaining_quota=quota.remaining if quota else None,
        )

    async def create_post(self, request: base.PostRequest) -> base.PublishedPost:
        body: dict[str, Any] = {"text": request.text}
        if request.reply_to is not None:
            body["reply"] = {"in_reply_to_tweet_id": request.reply_to.remote_id}
        if request.media:
            body["media"] = {"media_ids": [image.ref for image in request.media]}
        replies = platform_replies(self.platform, request.options)
        if replies and request.reply_to is None:  # the thread's first post, as X's apps do
            body["reply_settings"] = replies
        response = await self._request(
            "POST", "/2/tweets", json=body, replying=request.reply_to is not None
        )
        data = base.json_object(response).get("data")
        if not isinstance(data, dict) or not data.get("id"):
            # A 2xx without an id: the post may well exist, so never resend blindly.
            raise errors.Unclear(
                "X accepted the post but returned no id", status=response.status_code
            )
        post_id = str(data["id"])
        return base.PublishedPost(remote_id=post_id, url=await self._post_url(post_id))

    async def image_limits(self) -> base.ImageLimits:
        """X's own figures (FACTS): 5 MB an image, no pixel limit (X scales images down)."""
        media = FACTS["x"].media
        return base.ImageLimits(media.max_bytes, media.max_pixels)

    async def upload_media(self, upload: base.MediaUpload) -> str:
        """Chunked upload, processing, then the alt text (composer.platforms.x_media)."""
        return await upload_image(self.media, upload)

    async def find_post(self, request: base.PostRequest) -> base.PublishedPost | None:
        if self._user_id is None:
            await self.verify()
        params = {
            "max_results": str(TIMELINE_SIZE),
            "tweet.fields": TIMELINE_FIELDS,
        }
        response = await self._request("GET", f"/2/users/{self._user_id}/tweets", params=params)
        posts = (
            base.json_object(response).get("data") or []
        )  # no "data" key when there are no posts
        wanted_reply = request.reply_to.remote_id if request.reply_to else None
        exact, loose = _text_keys(request.text)
        fallback: str | None = None
        for post in posts if isinstance(posts, list) else []:
            if not isinstance(post, dict) or not post.get("id"):
                continue
            if _replied_to(post) != wanted_reply:
                continue
            shown = html.unescape(str(post.get("text", "")))
            if request.media:
                shown = _MEDIA_LINK.sub("", shown, count=1)
            got_exact, got_loose = _text_keys(shown)
            if got_exact == exact:
                return base.PublishedPost(
                    str(post["id"]), url=await self._post_url(str(post["id"]))
                )
            # X shows links as t.co: match the text around them, after any exact match.
            if fallback is None and got_loose == loose:
                fallback = str(post["id"])
        if fallback is not None:
            return base.PublishedPost(fallback, url=await self._post_url(fallback))
        return None

    async def delete_post(self, post: base.PublishedPost, *, root: bool = False) -> bool:
        """`DELETE /2/tweets/:id`, answered `{"data": {"deleted": true}}`; 404 when X has no
        such post. `deleted: false` is checked with `GET /2/tweets/:id`: a post X reports
        not found (`resource-not-found`) is gone; one it still has is Refused."""
        path = f"/2/tweets/{quote(post.remote_id, safe='')}"
        try:
            response = await self._request("DELETE", path, harmless=True)
        except errors.Refused as error:
            if error.status == 404:
                return False
            raise
        data = base.json_object(response).get("data")
        if isinstance(data, dict) and data.get("deleted") is True:
            return True
        try:
            found = base.json_object(await self._request("GET", path))
        except errors.Refused as error:
            if error.status == 404:
                return False
            raise
        if not found.get("data") and any(
            str(e.get("type", "")).endswith("/resource-not-found") for e in _errors(found)
        ):
            return False
        raise errors.Refused(
            f"X did not delete post {post.remote_id} ({_reason(found) or 'it still has it'})",
            status=response.status_code,
            reason=_reason(found),
        )

    # --- helpers ------------------------------------------------------------------------------
    async def _post_url(self, post_id: str) -> str:
        if self._username is None:
            handle = (self._account.handle or "").removeprefix("@")
            if handle:
                self._username = handle
            else:
                await self.verify()
        return f"https://x.com/{self._username}/status/{post_id}"

    async def _request(
        self,
        method: str,
        path: str,
        *,
        replying: bool = False,
        harmless: bool = False,
        **parts: Unpack[RequestParts],
    ) -> httpx.Response:
        """One signed request; `harmless` for one that publishes nothing (a media upload),
        whose 5xx answer is Unavailable, never Unclear."""
        # The exact URL is both sent and signed, so query parameters are covered by OAuth 1.0a.
        url = self._base + path
        params = parts.get("params")
        if params:
            url += "?" + urlencode(params, quote_via=quote)
        refreshed = False
        while True:
            token = self._current_access_token()
            response = await self._send(
                method,
                url,
                json=parts.get("json"),
                files=parts.get("files"),
                data=parts.get("data"),
                token=token,
            )
            self._note_limits(response.headers)
            if (
                response.status_code == 401
                and not refreshed
                and self._account.x_auth == "oauth2"
                and self._has_refresh_token()
            ):
                await self._refresh(token)
                refreshed = True
                continue  # once: a second 401 is a real refusal
            if response.is_success:
                return response
            raise self._error(method, response, replying=replying, harmless=harmless)

    async def _send(
        self,
        method: str,
        url: str,
        *,
        json: Any,
        files: Mapping[str, tuple[str, bytes, str]] | None,
        data: Mapping[str, str] | None,
        token: str | None,
    ) -> httpx.Response:
        authorization = f"Bearer {token}" if token is not None else self._sign(method, url)
        headers = {"Accept": "application/json", "Authorization": authorization}
        try:
            return await self._http.request(
                method,
                url,
                json=json,
                files=files,
                data=data,
                headers=headers,
                timeout=self._timeout,
            )
        except httpx.TransportError as error:
            message = f"X {method} {url}: {errors.describe(error)}"
            raise errors.no_answer(error, message, "X", creates=method != "GET") from None

    def _sign(self, method: str, url: str) -> str:
        """An OAuth 1.0a Authorization header for this request."""
        secret = self._account.secret
        client = OAuth1Client(
            secret("consumer_key"),
            client_secret=secret("consumer_secret"),
            resource_owner_key=secret("access_token"),
            resource_owner_secret=secret("access_token_secret"),
            signature_type=SIGNATURE_TYPE_AUTH_HEADER,
        )
        # Neither a JSON nor a multipart body is part of the signature base string (RFC 5849
        # 3.4.1.3.1: only a form-urlencoded one is): sign method and URL only.
        _, headers, _ = client.sign(url, http_method=method)
        value = headers["Authorization"]
        return value.decode() if isinstance(value, bytes) else str(value)

    def _current_access_token(self) -> str | None:
        if self._account.x_auth != "oauth2":
            return None
        if self._oauth2_access is None:
            return self._account.secret("oauth2_access_token")
        return self._oauth2_access

    def _has_refresh_token(self) -> bool:
        return self._oauth2_refresh is not None or self._account.has_secret("oauth2_refresh_token")

    async def _refresh(self, used_token: str | None) -> None:
        if self._refresh_lock is None:
            self._refresh_lock = asyncio.Lock()
        async with self._refresh_lock:
            if used_token != self._current_access_token():
                return  # another request refreshed meanwhile (X rotates refresh tokens)
            refresh = self._oauth2_refresh or self._account.secret("oauth2_refresh_token")
            client_id = self._account.client_id or ""
            auth = None
            if self._account.has_secret("client_secret"):
                client_secret = self._account.secret("client_secret")
                register_secret(client_secret, user=client_id)  # as Basic credentials
                auth = httpx.BasicAuth(client_id, client_secret)
            form = {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": client_id}
            try:
                response = await self._http.post(
                    self._base + "/2/oauth2/token",
                    data=form,
                    auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                    headers={"Accept": "application/json"},
                    timeout=self._timeout,
                )
            except httpx.TransportError as error:
                raise errors.Unavailable(
                    f"cannot refresh the X token: {errors.describe(error)}"
                ) from None
            body = base.json_object(response)
            access = body.get("access_token")
            if not response.is_success or not isinstance(access, str) or not access:
                words = body.get("error_description") or body.get("error") or _reason(body)
                raise errors.Refused(
                    f"X refused to refresh the OAuth 2.0 token ({response.status_code}): "
                    f"{words or 'no reason given'}; authorise the account again",
                    status=response.status_code,
                    reason=str(words) if words else None,
                )
            new_refresh = body.get("refresh_token")
            register_secret(access)
            if isinstance(new_refresh, str):
                register_secret(new_refresh)
            self._oauth2_access = access
            self._oauth2_refresh = new_refresh if isinstance(new_refresh, str) else refresh
            if self._token_store is not None:
                self._token_store.save(
                    {"access": self._oauth2_access, "refresh": self._oauth2_refresh}
                )
            if self.on_tokens_refreshed is not None:
                self.on_tokens_refreshed(self._oauth2_access, self._oauth2_refresh)

    def _note_limits(self, headers: httpx.Headers) -> None:
        window = _limits(headers, "x-rate-limit-", self._clock())
        if window is not None:
            self.last_rate_limit = window
        daily = _limits(headers, "x-user-limit-24hour-", self._clock())
        if daily is not None:
            self.last_user_limit = daily

    def _error(
        self, method: str, response: httpx.Response, *, replying: bool, harmless: bool = False
    ) -> errors.PlatformError:
        status = response.status_code
        body = base.json_object(response)
        reason = _reason(body)
        said = f": {reason}" if reason else ""
        if status == 429:
            return errors.RateLimited(
                f"X rate limit reached (429){said}",
                status=status,
                reason=reason,
                retry_after=self._retry_after(response.headers),
            )
        if replying and (status == 404 or (status in (400, 403) and _reply_missing(body))):
            return errors.ReplyTargetMissing(
                f"X cannot see the post replied to ({status}){said}", status=status, reason=reason
            )
        if status == 400 and _names_media_ids(body):
            return errors.MediaExpired(
                f"X no longer takes this post's images ({status}){said}: uploading them again",
                status=status,
                reason=reason,
            )
        if status == 403 and "duplicate content" in (reason or "").lower():
            return errors.Duplicate(
                f"X already has this text (403){said}", status=status, reason=reason
            )
        if 400 <= status < 500:
            return errors.Refused(
                f"X refused the request ({status}){said}", status=status, reason=reason
            )
        if status == 503 or method == "GET" or harmless:
            # 503 is "over capacity": X did nothing. A failed read created nothing either,
            # nor did a failed media upload (an unused media id expires unseen).
            return errors.Unavailable(
                f"X is unavailable ({status}){said}",
                status=status,
                reason=reason,
                retry_after=errors.retry_after(response.headers.get("retry-after"), self._clock()),
            )
        return errors.Unclear(
            f"X failed after the post was sent ({status}){said}: look for it before resending",
            status=status,
            reason=reason,
        )

    def _retry_after(self, headers: httpx.Headers) -> float | None:
        """The later of the resets that apply (Unix times), else Retry-After."""
        now = self._clock()
        waits = [errors.reset_after(headers.get("x-rate-limit-reset"), now)]
        if errors.header_count(headers.get("x-user-limit-24hour-remaining")) == 0:
            waits.append(errors.reset_after(headers.get("x-user-limit-24hour-reset"), now))
        known = [wait for wait in waits if wait is not None]
        if not known:
            return errors.retry_after(headers.get("retry-after"), now)
        return max(known)


def _errors(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    listed = body.get("errors")
    return [e for e in listed if isinstance(e, dict)] if isinstance(listed, list) else []


def _reason(body: Mapping[str, Any]) -> str | None:
    """The platform's own words: problem details, then the `errors` list's (X's 400 says
    "One or more parameters ... invalid" in `detail`, and which and why in `errors`)."""
    words = []
    for key in ("detail", "title"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            words.append(value.strip())
            break
    messages = [str(e.get("message") or e.get("detail") or "").strip() for e in _errors(body)]
    words += [m for m in messages if m and m not in words]
    return "; ".join(words) or None


def _reply_missing(body: Mapping[str, Any]) -> bool:
    texts = [str(body.get("detail") or ""), str(body.get("title") or "")]
    for error in _errors(body):
        if error.get("code") == _REPLY_MISSING_CODE:
            return True
        texts += [str(error.get("message") or ""), str(error.get("detail") or "")]
    lowered = " ".join(texts).lower()
    return any(words in lowered for words in _REPLY_MISSING_WORDS) and (
        "repl" in lowered or "tweet" in lowered or "post" in lowered
    )


def _names_media_ids(body: Mapping[str, Any]) -> bool:
    """X's 400 for a post whose `media.media_ids` it cannot use (expired, unknown)."""
    for error in _errors(body):
        parameters = error.get("parameters")
        if isinstance(parameters, dict) and "media.media_ids" in parameters:
            return True
    return False


def _replied_to(post: Mapping[str, Any]) -> str | None:
    for reference in post.get("referenced_tweets") or []:
        if isinstance(reference, dict) and reference.get("type") == "replied_to":
            return str(reference.get("id"))
    return None


def _text_keys(text: str) -> tuple[str, str]:
    """The text as X compares it (NFC), and the same with every link masked."""
    exact = unicodedata.normalize("NFC", text)
    loose = exact
    for url in reversed(extract_urls(exact)):
        loose = loose[: url.start] + "\x00" + loose[url.end :]
    return exact, loose


def _limits(headers: httpx.Headers, prefix: str, now: float) -> RateLimit | None:
    limit = errors.header_count(headers.get(prefix + "limit"))
    remaining = errors.header_count(headers.get(prefix + "remaining"))
    wait = errors.reset_after(headers.get(prefix + "reset"), now)
    if limit is None and remaining is None and wait is None:
        return None
    return RateLimit(limit, remaining, None if wait is None else now + wait)
