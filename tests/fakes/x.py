"""A loopback X API v2 that checks OAuth the way X does and answers as X documents.

    fake = FakeX(username="ankreports", consumer_secret="...", access_token_secret="...")
    with fake.running():
        ...  # account base_url = fake.url
    fake.tweets  # id -> {"id", "text", "in_reply_to", "author", "created_at"}
    fake.deleted  # the ids `DELETE /2/tweets/:id` deleted, in order (404 for an unknown one)

OAuth 1.0a requests are verified by recomputing the HMAC-SHA1 signature from the
Authorization header, the method, the URL and the query (a JSON body is not signed);
OAuth 2.0 requests need a current Bearer token, which `POST /2/oauth2/token` rotates together
with the refresh token, and `expire_access_token()` makes stale. As on X, the text of a post
comes back with links as t.co and `& < >` HTML-escaped (and, with images, one more t.co link
at its end, to them). A duplicate text is refused (403)
when the first is stored; with a slow write (`write_delay`), a copy arriving meanwhile is not.

Media, as the v2 media documentation describes it (see composer/platforms/x_media.py):
`POST /2/media/upload/initialize` opens an upload of `total_bytes` (over 5 MB for
`tweet_image` is 400), `/2/media/upload/{id}/append` takes segments by `segment_index`
(multipart, at most 5 MB each), `/finalize` assembles them (400 unless they make exactly
`total_bytes`) and, with `processing_seconds` > 0, answers `processing_info` `pending`
until then (`GET /2/media/upload?command=STATUS&media_id=`; `processing_fails` makes it
`failed`). `POST /2/media/metadata` sets the alt text (at most 1000 characters). A media id
expires 24 h after its upload, or at once with `expire_media(id)`; `POST /2/tweets` naming
a media id unknown, unfinished, unprocessed or expired is 400 with X's error body.
`fake.media[id]` holds `data` (the bytes assembled), `alt`, `segments` (their count).
`reply_settings` on `POST /2/tweets` is kept on the tweet; a value X lacks (REPLY_SETTINGS)
is 400.
"""

from __future__ import annotations

import base64
import hmac
import html
import itertools
import time
import unicodedata
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from oauthlib.oauth1.rfc5849 import signature

from composer.text import count
from composer.text.entities import extract_urls
from tests.fakes.mastodon import _multipart  # the one multipart reader of the fakes
from tests.fakes.server import FakePlatform, Later, Request, Response

MAX_WEIGHTED_LENGTH = 280
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."
REPLY_MISSING_DETAIL = "You attempted to reply to a Tweet that is deleted or not visible to you."
WINDOW_SECONDS = 15 * 60
DAY_SECONDS = 24 * 60 * 60
# Requests per 15-minute window, per user and endpoint (roomy, so tests rarely reach them).
WINDOW_LIMITS = {
    "GET /2/users/me": 75,
    "GET /2/users/tweets": 50,
    "POST /2/tweets": 100,
    "DELETE /2/tweets": 50,  # X: 50 requests per 15 minutes per user
    "POST /2/media/upload": 500,
    "GET /2/media/upload": 500,
    "POST /2/media/metadata": 500,
}
MEDIA_MAX_BYTES = 5 * 1000 * 1000  # tweet_image (and one APPEND segment)
MEDIA_LIFETIME_S = DAY_SECONDS
ALT_TEXT_MAX = 1000
INVALID_MEDIA = "Your media IDs are invalid."


def problem(status: int, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """An RFC 7807 problem-details body as X sends it."""
    return {"title": title, "type": "about:blank", "status": status, "detail": detail, **extra}


UNAUTHORIZED = problem(401, "Unauthorized", "Unauthorized")


# POST /2/tweets `reply_settings` (absent: everyone may reply); any other value is a 400.
REPLY_SETTINGS = ("following", "mentionedUsers", "subscribers", "verified")


class FakeX(FakePlatform):
    def __init__(
        self,
        *,
        username: str = "ankreports",
        user_id: str = "1500000000000000001",
        consumer_key: str | None = None,
        consumer_secret: str | None = None,
        access_token: str | None = None,
        access_token_secret: str | None = None,
        oauth2_access_token: str | None = None,
        oauth2_refresh_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        daily_limit: int = 100,
        reply_missing_status: int = 403,
    ) -> None:
        super().__init__()
        self.username = username
        self.user_id = user_id
        self.oauth1 = (consumer_key, consumer_secret, access_token, access_token_secret)
        self.access_token = oauth2_access_token
        self.refresh_token = oauth2_refresh_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.access_token_expired = False
        self.refreshes = 0
        self.reply_missing_status = reply_missing_status
        self.shorten_links = True
        self.tweets: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1860000000000000001)
        self._nonces: set[str] = set()
        self.window_reset = int(time.time()) + WINDOW_SECONDS
        self.day_reset = int(time.time()) + DAY_SECONDS
        self.daily_limit = daily_limit
        self.daily_remaining = daily_limit
        self.window_remaining = dict(WINDOW_LIMITS)
        self.route("GET", "/2/users/me", self.users_me)
        self.route("GET", "/2/users/", self.user_tweets)
        self.route("POST", "/2/tweets", self.create_tweet)
        self.route("DELETE", "/2/tweets/", self.delete_tweet)
        self.route("POST", "/2/oauth2/token", self.token)
        self.media: dict[str, dict[str, Any]] = {}
        self.processing_seconds = 0.0
        self.processing_fails = False
        self.check_after_secs: Any = 1  # what `processing_info` tells the client to wait
        self.route("POST", "/2/media/upload/initialize", self.media_initialize)
        self.route("POST", "/2/media/upload/", self.media_append_or_finalize)
        self.route("GET", "/2/media/upload", self.media_status)
        self.route("POST", "/2/media/metadata", self.media_metadata)

    # --- test controls ------------------------------------------------------------------------
    def expire_access_token(self) -> None:
        """The current OAuth 2.0 access token now gets 401, as after its two hours."""
        self.access_token_expired = True

    def expire_media(self, *media_ids: str) -> None:
        """These media ids are past their 24 hours: a post naming one is refused."""
        for media_id in media_ids:
            self.media[media_id]["expires_at"] = 0.0

    def chain(self, last_id: str) -> list[str]:
        """The ids of a thread, first post first, walking back from `last_id`."""
        ids = [last_id]
        while (parent := self.tweets[ids[-1]]["in_reply_to"]) is not None:
            ids.append(parent)
        return ids[::-1]

    # --- auth ---------------------------------------------------------------------------------
    def authenticate(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if header.startswith("OAuth "):
            return self._check_oauth1(request, header)
        if header.startswith("Bearer "):
            token = header.removeprefix("Bearer ")
            return (
                self.access_token is not None
                and not self.access_token_expired
                and hmac.compare_digest(token, self.access_token)
            )
        return False

    def _check_oauth1(self, request: Request, header: str) -> bool:
        consumer_key, consumer_secret, token, token_secret = self.oauth1
        if consumer_key is None or consumer_secret is None or token_secret is None:
            return False
        # Decoded parameters of the query and the header (oauth_signature kept to compare).
        params = signature.collect_parameters(
            uri_query=urlencode(request.query, doseq=True),
            headers={"Authorization": header},
            exclude_oauth_signature=False,
        )
        oauth = dict(params)
        if (
            oauth.get("oauth_consumer_key") != consumer_key
            or oauth.get("oauth_token") != token
            or oauth.get("oauth_signature_method") != "HMAC-SHA1"
            or oauth.get("oauth_version", "1.0") != "1.0"
            or not oauth.get("oauth_nonce")
            or not oauth.get("oauth_timestamp")
        ):
            return False
        nonce = oauth["oauth_nonce"]
        if nonce in self._nonces:  # a replayed request
            return False
        unsigned = [(k, v) for k, v in params if k != "oauth_signature"]
        uri = signature.base_string_uri(f"http://{request.headers['host']}{request.path}")
        base = signature.signature_base_string(
            request.method, uri, signature.normalize_parameters(unsigned)
        )
        secrets = SimpleNamespace(client_secret=consumer_secret, resource_owner_secret=token_secret)
        expected = signature.sign_hmac_sha1_with_client(base, secrets)
        if not signature.safe_string_equals(expected, oauth.get("oauth_signature", "")):
            return False
        self._nonces.add(nonce)
        return True

    # --- headers ------------------------------------------------------------------------------
    @staticmethod
    def _key(request: Request) -> str:
        if request.path.startswith("/2/media/"):
            name = "metadata" if request.path == "/2/media/metadata" else "upload"
            return f"{request.method} /2/media/{name}"
        if request.method == "POST":
            return "POST /2/tweets"
        if request.method == "DELETE":
            return "DELETE /2/tweets"
        return "GET /2/users/me" if request.path == "/2/users/me" else "GET /2/users/tweets"

    def _window(self, key: str) -> dict[str, str]:
        """Spend one request of the window; `x-rate-limit-remaining: 0` then means 429."""
        self.window_remaining[key] = max(0, self.window_remaining[key] - 1)
        return {
            "x-rate-limit-limit": str(WINDOW_LIMITS[key]),
            "x-rate-limit-remaining": str(self.window_remaining[key]),
            "x-rate-limit-reset": str(self.window_reset),
        }

    def _daily(self) -> dict[str, str]:
        return {
            "x-user-limit-24hour-limit": str(self.daily_limit),
            "x-user-limit-24hour-remaining": str(self.daily_remaining),
            "x-user-limit-24hour-reset": str(self.day_reset),
        }

    def rate_limited(self, request: Request) -> Response:
        key = self._key(request)
        headers = {
            "x-rate-limit-limit": str(WINDOW_LIMITS[key]),
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(self.window_reset),
        }
        if request.method == "POST":
            headers.update(self._daily())
        return Response(429, problem(429, "Too Many Requests", "Too Many Requests"), headers)

    def _shown(self, text: str, media_ids: list[str] | None = None) -> str:
        """The text as X returns it: links as t.co, `& < >` escaped, and a post with images
        ending with one more t.co link, to its media."""
        if self.shorten_links:
            for n, url in enumerate(reversed(extract_urls(text))):
                text = text[: url.start] + f"https://t.co/Fake{n:06d}" + text[url.end :]
        shown = html.escape(text, quote=False)
        return f"{shown} https://t.co/FakeMedia{len(media_ids)}" if media_ids else shown

    def _refuse(self, request: Request) -> Response | None:
        """401 without valid credentials, 429 once the endpoint's window is used up."""
        if not self.authenticate(request):
            return Response(401, UNAUTHORIZED)
        if self.window_remaining[self._key(request)] <= 0:
            return self.rate_limited(request)
        return None

    # --- endpoints ----------------------------------------------------------------------------
    def users_me(self, request: Request) -> Response:
        if (refused := self._refuse(request)) is not None:
            return refused
        data = {"id": self.user_id, "name": "Report Desk", "username": self.username}
        return Response(200, {"data": data}, self._window("GET /2/users/me"))

    def user_tweets(self, request: Request) -> Response:
        if (refused := self._refuse(request)) is not None:
            return refused
        parts = request.path.strip("/").split("/")  # 2, users, :id, tweets
        if len(parts) != 4 or parts[3] != "tweets":
            return Response(404, problem(404, "Not Found", f"No route {request.path}"))
        headers = self._window("GET /2/users/tweets")
        if parts[2] != self.user_id:
            detail = f"Could not find user with id: [{parts[2]}]."
            return Response(200, {"errors": [problem(404, "Not Found Error", detail)]}, headers)
        max_results = int(request.query.get("max_results", ["10"])[-1])
        if not 5 <= max_results <= 100:
            detail = (
                f"The `max_results` query parameter value [{max_results}] is not between 5 and 100"
            )
            return Response(400, problem(400, "Invalid Request", detail), headers)
        fields = set(",".join(request.query.get("tweet.fields", [])).split(","))
        mine = [t for t in self.tweets.values() if t["author"] == self.user_id]
        newest = sorted(mine, key=lambda t: int(t["id"]), reverse=True)[:max_results]
        data = []
        for tweet in newest:
            item: dict[str, Any] = {
                "id": tweet["id"],
                "text": self._shown(tweet["text"], tweet["media_ids"]),
                "edit_history_tweet_ids": [tweet["id"]],
            }
            if "created_at" in fields:
                item["created_at"] = tweet["created_at"]
            if "referenced_tweets" in fields and tweet["in_reply_to"] is not None:
                item["referenced_tweets"] = [{"type": "replied_to", "id": tweet["in_reply_to"]}]
            data.append(item)
        meta: dict[str, Any] = {"result_count": len(data)}
        if data:
            meta.update(newest_id=data[0]["id"], oldest_id=data[-1]["id"])
            return Response(200, {"data": data, "meta": meta}, headers)
        return Response(200, {"meta": meta}, headers)  # X leaves out "data" when empty

    def delete_tweet(self, request: Request) -> Response:
        """`DELETE /2/tweets/:id`: `{"data": {"deleted": true}}`; a post X does not have is
        404 with a `resource-not-found` problem."""
        if (refused := self._refuse(request)) is not None:
            return refused
        headers = self._window("DELETE /2/tweets")
        tweet_id = request.path.removeprefix("/2/tweets/")
        if self.tweets.pop(tweet_id, None) is None:
            detail = f"Could not find tweet with id: [{tweet_id}]."
            body = problem(404, "Not Found Error", detail)
            body["type"] = "https://api.twitter.com/2/problems/resource-not-found"
            return Response(404, body, headers)
        self.notify_deleted(tweet_id)
        return Response(200, {"data": {"deleted": True}}, headers)

    def create_tweet(self, request: Request) -> Response | Later:
        if (refused := self._refuse(request)) is not None:
            return refused
        headers = {**self._window("POST /2/tweets"), **self._daily()}
        try:
            body = request.json()
        except ValueError:
            return Response(400, problem(400, "Invalid Request", "Body is not JSON"), headers)
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text:
            detail = "One or more parameters to your request was invalid: text is required."
            return Response(400, problem(400, "Invalid Request", detail), headers)
        if self.daily_remaining <= 0:
            return Response(429, problem(429, "Too Many Requests", "Too Many Requests"), headers)
        length = count(text, "x")
        if length > MAX_WEIGHTED_LENGTH:
            detail = (
                f"Your Tweet text is too long: weighted length {length} is over "
                f"{MAX_WEIGHTED_LENGTH}."
            )
            return Response(400, problem(400, "Invalid Request", detail), headers)
        media_ids = (body.get("media") or {}).get("media_ids") or []
        if not isinstance(media_ids, list) or any(not self._usable(m) for m in media_ids):
            return Response(400, invalid_media(media_ids), headers)
        reply_settings = body.get("reply_settings")
        if reply_settings is not None and reply_settings not in REPLY_SETTINGS:
            detail = (
                "One or more parameters to your request was invalid: reply_settings must be one "
                f"of [{', '.join(REPLY_SETTINGS)}]."
            )
            return Response(400, problem(400, "Invalid Request", detail), headers)
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if reply_to is not None and str(reply_to) not in self.tweets:
            status = self.reply_missing_status
            title = "Forbidden" if status == 403 else "Invalid Request"
            return Response(status, problem(status, title, REPLY_MISSING_DETAIL), headers)
        normalised = unicodedata.normalize("NFC", text)
        if any(
            t["author"] == self.user_id and unicodedata.normalize("NFC", t["text"]) == normalised
            for t in self.tweets.values()
        ):
            return Response(403, problem(403, "Forbidden", DUPLICATE_DETAIL), headers)

        def store() -> Response:
            stored = self._store(text, reply_to, headers, [str(m) for m in media_ids])
            if reply_settings is not None:
                self.tweets[stored.body["data"]["id"]]["reply_settings"] = reply_settings
            return stored

        # A slow write: a copy arriving meanwhile passes the duplicate check too, and is kept.
        return Later(self.write_delay, store) if self.write_delay else store()

    def _store(
        self, text: str, reply_to: Any, headers: dict[str, str], media_ids: list[str]
    ) -> Response:
        tweet_id = str(next(self._ids))
        self.tweets[tweet_id] = {
            "id": tweet_id,
            "text": text,
            "in_reply_to": str(reply_to) if reply_to is not None else None,
            "author": self.user_id,
            "media_ids": media_ids,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        }
        self.daily_remaining -= 1
        headers.update(self._daily())
        self.notify_stored(self.tweets[tweet_id])
        shown = self._shown(text, media_ids)
        data = {"id": tweet_id, "text": shown, "edit_history_tweet_ids": [tweet_id]}
        return Response(201, {"data": data}, headers)

    def token(self, request: Request) -> Response:
        form = request.form()
        if self.client_secret is not None:
            expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            given = request.headers.get("authorization", "").removeprefix("Basic ")
            if not hmac.compare_digest(given, expected):
                return Response(401, {"error": "invalid_client", "error_description": "bad client"})
        if form.get("grant_type") != "refresh_token" or form.get("client_id") != self.client_id:
            return Response(400, {"error": "invalid_request", "error_description": "bad request"})
        if self.refresh_token is None or not hmac.compare_digest(
            form.get("refresh_token", ""), self.refresh_token
        ):
            description = "Value passed for the token was invalid."
            return Response(400, {"error": "invalid_request", "error_description": description})
        self.refreshes += 1
        self.access_token = f"rotated-access-{self.refreshes}"
        self.refresh_token = f"rotated-refresh-{self.refreshes}"
        self.access_token_expired = False
        return Response(
            200,
            {
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "scope": "tweet.read tweet.write users.read offline.access",
            },
        )

    # --- media --------------------------------------------------------------------------------
    def _usable(self, media_id: Any) -> bool:
        media = self.media.get(str(media_id))
        return (
            media is not None
            and media["data"] is not None
            and self._state(media) == "succeeded"
            and time.time() < media["expires_at"]
        )

    def _state(self, media: dict[str, Any]) -> str:
        if time.monotonic() < media["ready_at"]:
            return "in_progress"
        return "failed" if media["fails"] else "succeeded"

    def _media_data(self, media: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": media["id"],
            "media_key": f"3_{media['id']}",
            "expires_after_secs": max(0, int(media["expires_at"] - time.time())),
        }
        if media["data"] is not None:
            data["size"] = len(media["data"])
            if media["processed"]:
                state = self._state(media)
                info: dict[str, Any] = {"state": state}
                if state == "in_progress":
                    info.update(check_after_secs=self.check_after_secs, progress_percent=50)
                elif state == "failed":
                    info["error"] = {"code": 1, "name": "InvalidMedia", "message": "Bad image"}
                data["processing_info"] = info
        return data

    def media_initialize(self, request: Request) -> Response:
        if (refused := self._refuse(request)) is not None:
            return refused
        headers = self._window("POST /2/media/upload")
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return Response(400, problem(400, "Invalid Request", "Body is not JSON"), headers)
        total = body.get("total_bytes")
        if body.get("media_type") not in ("image/jpeg", "image/png", "image/webp", "image/gif"):
            detail = f"Unsupported media_type: {body.get('media_type')}"
            return Response(400, problem(400, "Invalid Request", detail), headers)
        if not isinstance(total, int) or total <= 0:
            return Response(
                400, problem(400, "Invalid Request", "total_bytes is required"), headers
            )
        if body.get("media_category") == "tweet_image" and total > MEDIA_MAX_BYTES:
            detail = f"File size exceeds {MEDIA_MAX_BYTES} bytes."
            return Response(400, problem(400, "Invalid Request", detail), headers)
        media_id = str(next(self._ids))
        self.media[media_id] = {
            "id": media_id,
            "total_bytes": total,
            "parts": {},
            "segments": 0,
            "data": None,
            "alt": None,
            "processed": self.processing_seconds > 0 or self.processing_fails,
            "ready_at": 0.0,
            "fails": self.processing_fails,
            "expires_at": time.time() + MEDIA_LIFETIME_S,
        }
        return Response(200, {"data": self._media_data(self.media[media_id])}, headers)

    def media_append_or_finalize(self, request: Request) -> Response:
        if (refused := self._refuse(request)) is not None:
            return refused
        headers = self._window("POST /2/media/upload")
        parts = request.path.strip("/").split("/")  # 2, media, upload, :id, append|finalize
        media = self.media.get(parts[3]) if len(parts) == 5 else None
        if media is None or parts[4] not in ("append", "finalize"):
            return Response(400, invalid_media([parts[3] if len(parts) > 3 else ""]), headers)
        if media["data"] is not None:
            detail = "This media has already been finalized."
            return Response(400, problem(400, "Invalid Request", detail), headers)
        if parts[4] == "append":
            fields = _multipart(request)
            index = fields.get("segment_index", (b"", ""))[0].decode()
            chunk = fields.get("media", (None, ""))[0]
            if not index.isdigit() or chunk is None or len(chunk) > MEDIA_MAX_BYTES:
                detail = "segment_index and media (at most 5 MB) are required."
                return Response(400, problem(400, "Invalid Request", detail), headers)
            media["parts"][int(index)] = chunk
            media["segments"] += 1
            return Response(200, {"data": {"expires_at": int(media["expires_at"])}}, headers)
        data = b"".join(media["parts"][i] for i in sorted(media["parts"]))
        if len(data) != media["total_bytes"]:
            detail = f"Segments total {len(data)} bytes, not the {media['total_bytes']} declared."
            return Response(400, problem(400, "Invalid Request", detail), headers)
        media["data"] = data
        media["ready_at"] = time.monotonic() + self.processing_seconds
        return Response(200, {"data": self._media_data(media)}, headers)

    def media_status(self, request: Request) -> Response:
        if (refused := self._refuse(request)) is not None:
            return refused
        headers = self._window("GET /2/media/upload")
        media_id = request.query.get("media_id", [""])[-1]
        media = self.media.get(media_id)
        if request.query.get("command", [""])[-1] != "STATUS" or media is None:
            return Response(400, invalid_media([media_id]), headers)
        return Response(200, {"data": self._media_data(media)}, headers)

    def media_metadata(self, request: Request) -> Response:
        if (refused := self._refuse(request)) is not None:
            return refused
        headers = self._window("POST /2/media/metadata")
        try:
            body = request.json()
        except ValueError:
            body = None
        media_id = str(body.get("id")) if isinstance(body, dict) else ""
        media = self.media.get(media_id)
        if media is None or media["data"] is None:
            return Response(400, invalid_media([media_id]), headers)
        assert isinstance(body, dict)
        alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
        if not isinstance(alt, str) or len(alt) > ALT_TEXT_MAX:
            detail = f"alt_text.text is required and at most {ALT_TEXT_MAX} characters."
            return Response(400, problem(400, "Invalid Request", detail), headers)
        media["alt"] = alt
        metadata = {"alt_text": {"text": alt}}
        return Response(200, {"data": {"id": media_id, "associated_metadata": metadata}}, headers)


def invalid_media(media_ids: Any) -> dict[str, Any]:
    """X's 400 body for a post (or call) naming media ids it cannot use."""
    return {
        "errors": [{"parameters": {"media.media_ids": media_ids}, "message": INVALID_MEDIA}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }
