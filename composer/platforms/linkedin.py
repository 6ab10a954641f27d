"""LinkedIn: one member or organization (page) through the Posts and Comments APIs, async httpx.

LinkedIn has no reply chains. A thread is ONE post, `POST /rest/posts` (answered 201 with
the post's URN in the `x-restli-id` header), and, for an account with `overflow =
"comments"`, the rest of a long report as the author's own comments on it, in order:
`POST /rest/socialActions/{post URN}/comments` (`actor`, `object`, `message.text`). A
follow-up is more comments on the thread's post. Every request carries `LinkedIn-Version`
(the account's `api_version`, else API_VERSION) and `X-Restli-Protocol-Version: 2.0.0`.

The text goes in LinkedIn's "little" format: `composer.text.measures.little_escape`, the one
place that escapes (and counts the escapes), so that a `(` or an `@` never cuts a post short.

Why a resend never posts twice: LinkedIn has no idempotency key. After an unclear outcome,
`find_post` reads the author's latest posts (`GET /rest/posts?q=author`, newest first) or the
post's comments (`GET /rest/socialActions/{post URN}/comments`) and matches the text (and,
for a post, that it was made after the first attempt). Reading needs a read permission
(`r_organization_social` for a page; `r_member_social`, which LinkedIn grants few apps, for a
member): without it LinkedIn answers 403, the outcome stays unknown and the edition stops,
resumable, rather than post blind (docs/PLATFORMS.md says what to do then).

The bearer token is read from the account on the first request and goes only into the
Authorization header: no message, repr or log line of this module holds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Protocol
from urllib.parse import quote

import httpx

from composer.platforms import base, errors
from composer.text.measures import little_escape, little_unescape

__all__ = ["API_VERSION", "LinkedInAccount", "LinkedInClient"]

API_VERSION: Final = "202610"
"""The LinkedIn-Version sent when the account names none (YYYYMM; LinkedIn keeps each
version at least a year: set `api_version` to move on)."""
READ_BACK: Final = 20  # posts read back when looking for one (newest first)
COMMENTS_PAGE: Final = 100  # comments read a page when looking for one
COMMENTS_READ: Final = 1000  # comments read at most (a thread is far shorter)
CLOCK_SKEW: Final = 300.0  # seconds a read-back accepts before the first attempt
POST_URL: Final = "https://www.linkedin.com/feed/update/{urn}/"
_NO_READ = (
    "LinkedIn will not let this token read the account's posts (HTTP 403; it needs "
    "r_member_social for a member, r_organization_social for a page), so whether post {index} "
    "went out is unknown: look at the page on linkedin.com"
)


class LinkedInAccount(base.AccountLike, Protocol):
    """What the LinkedIn client needs of an account beyond every client's needs."""

    @property
    def author(self) -> str | None: ...
    @property
    def api_version(self) -> str | None: ...


class LinkedInClient(base.HttpClient[LinkedInAccount]):
    """A PlatformClient for one LinkedIn author (a member or a page)."""

    platform = "linkedin"
    comments_page = COMMENTS_PAGE  # a test may set a smaller one on its client

    @property
    def _author(self) -> str:
        return self._account.author or ""

    @property
    def _version(self) -> str:
        return self._account.api_version or API_VERSION

    def _described(self) -> str:
        return f"account={self._account.name!r}, author={self._author!r}, api_url={self._base!r}"

    # --- PlatformClient ---------------------------------------------------------------
    async def verify(self) -> base.AccountInfo:
        """A harmless authenticated read: a member's `/v2/userinfo` (whose `sub` must be the
        author's id), a page's latest post. A 401 (a bad or expired token) refuses; a 403
        says the token lacks a read permission, which posting does not need."""
        kind, _, member = self._author.removeprefix("urn:li:").partition(":")
        try:
            if kind == "person":
                data = base.json_object(await self._request("GET", "/v2/userinfo"))
                sub = base.str_or_none(data.get("sub"))
                if sub is not None and sub != member:
                    raise errors.Refused(
                        f"LinkedIn: the access token belongs to member {sub}, "
                        f"not to the configured author {self._author}"
                    )
                return base.AccountInfo(handle=base.str_or_none(data.get("name")) or self._author)
            await self._latest_posts(1)
        except errors.Refused as error:
            if error.status != 403:
                raise
        return base.AccountInfo(handle=self._author)

    async def create_post(self, request: base.PostRequest) -> base.PublishedPost:
        self._first_sent.setdefault(request.idempotency_key, self._clock())
        post = _the_post(request)
        if post is None:
            body: dict[str, Any] = {
                "author": self._author,
                "commentary": little_escape(request.text),
                "visibility": "PUBLIC",
                "distribution": {
                    "feedDistribution": "MAIN_FEED",
                    "targetEntities": [],
                    "thirdPartyDistributionChannels": [],
                },
                "lifecycleState": "PUBLISHED",
                "isReshareDisabledByAuthor": False,
            }
            response = await self._request("POST", "/rest/posts", json=body)
            urn = response.headers.get("x-restli-id") or base.str_or_none(
                base.json_object(response).get("id")
            )
            if not urn:
                raise errors.without_answer(
                    "LinkedIn POST /rest/posts", response, "the post's id", creates=True
                )
            return base.PublishedPost(remote_id=urn, url=POST_URL.format(urn=urn))
        comment = {
            "actor": self._author,
            "object": post.remote_id,
            "message": {"text": little_escape(request.text)},
        }
        path = _comments_path(post.remote_id)
        response = await self._request("POST", path, json=comment, replying=True)
        urn = response.headers.get("x-restli-id") or _comment_urn(base.json_object(response))
        if not urn:
            raise errors.without_answer(
                "LinkedIn POST comments", response, "the comment's id", creates=True
            )
        return base.PublishedPost(remote_id=urn, url=post.url)

    async def find_post(self, request: base.PostRequest) -> base.PublishedPost | None:
        """The post (or comment) if LinkedIn has it, else None; Refused when this token may
        not read the account's posts (nothing can be said: the edition stops)."""
        first = self._first_sent.get(request.idempotency_key)
        not_before = (first - CLOCK_SKEW) * 1000 if first is not None else None
        post = _the_post(request)
        try:
            if post is None:
                return _match_post(await self._latest_posts(READ_BACK), request.text, not_before)
            return await self._find_comment(post, request.text)
        except errors.Refused as error:
            if error.status == 403:
                said = _NO_READ.format(index=request.index)
                raise errors.Refused(said, status=403, reason=error.reason) from None
            raise

    # --- reading ----------------------------------------------------------------------
    async def _find_comment(self, post: base.PublishedPost, text: str) -> base.PublishedPost | None:
        """The author's comment with `text` on `post`, reading every page of its comments
        (in whatever order LinkedIn lists them) up to COMMENTS_READ; Unavailable past that."""
        path = _comments_path(post.remote_id)
        for start in range(0, COMMENTS_READ, self.comments_page):
            page = {"start": str(start), "count": str(self.comments_page)}
            comments = _elements(await self._get_json(path, page))
            for comment in comments:
                actor = comment.get("actor")
                if actor in (None, self._author) and _same(
                    _dig(comment, "message").get("text"), text
                ):
                    urn = _comment_urn(comment)
                    if urn:
                        return base.PublishedPost(remote_id=urn, url=post.url)
            if len(comments) < self.comments_page:
                return None
        raise errors.Unavailable(
            f"LinkedIn: more than {COMMENTS_READ} comments on {post.remote_id}"
        )

    async def _latest_posts(self, count: int) -> list[dict[str, Any]]:
        params = {"q": "author", "author": self._author, "count": str(count), "sortBy": "CREATED"}
        return _elements(await self._get_json("/rest/posts", params))

    async def _get_json(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        response = await self._request("GET", path, params=dict(params))
        data = base.json_object(response)
        if not data:
            raise errors.without_answer(f"LinkedIn GET {path}", response, "JSON", creates=False)
        return data

    # --- HTTP -------------------------------------------------------------------------
    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        replying: bool = False,
    ) -> httpx.Response:
        creates = method == "POST"
        headers = {
            "Authorization": f"Bearer {self._access_token()}",
            "LinkedIn-Version": self._version,
            "X-Restli-Protocol-Version": "2.0.0",
        }
        response = await self._exchange(
            method, path, creates=creates, params=params, json=json, headers=headers
        )
        return self._checked(method, path, response, replying=replying)

    def _status_error(
        self, method: str, path: str, response: httpx.Response, *, replying: bool
    ) -> errors.PlatformError:
        status = response.status_code
        body = base.json_object(response)
        reason = base.str_or_none(body.get("message")) or response.reason_phrase or "no reason"
        code = base.str_or_none(body.get("serviceErrorCode"))
        numbers = f"HTTP {status}" + (f", serviceErrorCode {code}" if code else "")
        message = f"LinkedIn {method} {path}: {numbers}: {reason}"
        if status == 429:
            wait = errors.retry_after(response.headers.get("retry-after"), self._clock())
            return errors.RateLimited(message, status=status, reason=reason, retry_after=wait)
        if status == 426:  # NONEXISTENT_VERSION: LinkedIn retires a version after a year
            return errors.Refused(
                f"{message}: set api_version (YYYYMM) in the account to a version LinkedIn "
                "serves now",
                status=status,
                reason=reason,
            )
        if status == 404 and replying:
            return errors.ReplyTargetMissing(message, status=status, reason=reason)
        kind = errors.failed_status_kind(status, creates=method == "POST") or errors.Refused
        wait = errors.retry_after(response.headers.get("retry-after"), self._clock())
        return kind(message, status=status, reason=reason, retry_after=wait)


# --- helpers ----------------------------------------------------------------------------
def _the_post(request: base.PostRequest) -> base.PublishedPost | None:
    """The thread's post that this request comments on; None when it is the post itself."""
    if request.reply_to is None:
        return None
    return request.root or request.reply_to


def _comments_path(post_urn: str) -> str:
    return f"/rest/socialActions/{quote(post_urn, safe='')}/comments"


def _comment_urn(data: Mapping[str, Any]) -> str | None:
    return base.str_or_none(data.get("$URN")) or base.str_or_none(data.get("commentUrn"))


def _same(stored: object, sent: str) -> bool:
    """Whether LinkedIn's text (little format, or plain) is the text sent."""
    if not isinstance(stored, str):
        return False
    return base.same_text(little_unescape(stored), sent) or base.same_text(stored, sent)


def _match_post(
    posts: list[dict[str, Any]], text: str, not_before: float | None
) -> base.PublishedPost | None:
    for post in posts:  # newest first
        urn = base.str_or_none(post.get("id"))
        if urn is None or not _same(post.get("commentary"), text):
            continue
        created = post.get("createdAt")
        if not_before is not None and isinstance(created, int) and created < not_before:
            continue  # an older post with the same text (an earlier edition, say)
        return base.PublishedPost(remote_id=urn, url=POST_URL.format(urn=urn))
    return None


def _elements(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    listed = data.get("elements")
    return [e for e in listed if isinstance(e, dict)] if isinstance(listed, list) else []


def _dig(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}
