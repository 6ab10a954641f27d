"""A loopback Threads Graph API (graph.threads.net/v1.0) that answers as Meta documents.

    fake = FakeThreads(token="...", user_id="...", username="ankreports")
    with fake.running():
        ...  # account base_url = fake.url + "/v1.0"
    fake.containers  # id -> {"id", "text", "reply_to_id", "status", "post_id", ...}
    fake.posts       # id -> {"id", "text", "reply_to_id", "timestamp", "permalink", ...}

- Every request needs the `access_token` parameter (query, or form body of a POST); a
  missing or wrong one gets HTTP 400 with a Graph API OAuthException, code 190.
- `POST /{user-id}/threads` (media_type=TEXT, text[, reply_to_id]) checks the text
  (`composer.text.count(text, "threads")` <= 500, at most 5 distinct links) and the reply
  target (Graph's "Object with ID '...' does not exist", code 100/33), then answers a
  container id. A container stays IN_PROGRESS for `in_progress_polls` status reads, then is
  FINISHED (or ERROR with `processing_error` as its error_message, when that is set).
- Images (https://developers.facebook.com/docs/threads/posts): `media_type=IMAGE` with an
  `image_url` (https only here; Meta fetches it from its public server) and an optional
  `alt_text`; with `is_carousel_item=true` it is a carousel item (never published by
  itself). `media_type=CAROUSEL` takes `children` (2 to MAX_CHILDREN item container ids,
  each FINISHED, else a code 100 error), `text` and `reply_to_id`. An image or carousel
  container stays IN_PROGRESS for `image_polls` status reads (Meta processes it; it says
  to wait about 30 seconds), then is FINISHED, or ERROR with error_message `UNKNOWN` (one
  of the messages Meta documents, https://developers.facebook.com/docs/threads/
  troubleshooting) when its URL is in `bad_urls` (a URL Meta could not fetch). `fetched`
  counts the URLs "fetched"; a published post keeps its `images` (url, alt_text).
- `POST /{user-id}/threads_publish` (creation_id) publishes a FINISHED container once and
  answers the post id; an IN_PROGRESS container gets Meta's "media is not ready" error
  (code 9007/2207027); a PUBLISHED, ERROR or EXPIRED one a code 100 error. (Meta does not
  document the words for republishing; the fake's are an assumption.)
- `GET /{container-id}?fields=status,error_message`, `GET /{post-id}?fields=...`,
  `GET /me`, `GET /{user-id}/threads` (newest first, `limit`; replies included unless
  `replies_in_threads` is False, as Meta does not say),
  `GET /{post-id}/replies`, `GET /{user-id}/threads_publishing_limit`.
- `DELETE /{post-id}` deletes a post: `{"success": true, "deleted_id": ...}`; one it does
  not have is "does not exist" (code 100/33); `may_delete = False` (a token without the
  threads_delete permission) is Graph's code 10, HTTP 403. `deleted` lists what went.
- Every answer carries `X-App-Usage`; the injected RATE_LIMIT fault is HTTP 429 with
  Graph's code 4 ("Application request limit reached") and no Retry-After.

Error bodies are Graph's `{"error": {"message", "type", "code", "error_subcode",
"fbtrace_id"}}`.
A container's `reply_control` (REPLY_CONTROLS; another value is 400) is kept on the post
it publishes (absent: "everyone").
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from typing import Any

from composer.text import count
from composer.text.entities import extract_urls
from tests.fakes.server import FakePlatform, Request, Response

TOKEN = "fake-threads-token"
USER_ID = "17841400000000001"
VERSION = "/v1.0"
MAX_LENGTH = 500
MAX_LINKS = 5
MAX_CHILDREN = 20
FETCH_FAILED = "UNKNOWN"
QUOTA_TOTAL = 250
REPLY_QUOTA_TOTAL = 1000
DAY_SECONDS = 86400
INVALID_TOKEN = "Invalid OAuth access token - Cannot parse access token"
NOT_READY = "The media is not ready for publishing, please wait for a moment"
ALREADY_PUBLISHED = "The media has already been published"  # assumed words
TOO_LONG = f"Param text must be at most {MAX_LENGTH} characters long."
TOO_MANY_LINKS = f"Posts can have at most {MAX_LINKS} links."


def graph_error(
    message: str, *, code: int, kind: str = "OAuthException", subcode: int | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "message": message,
        "type": kind,
        "code": code,
        "fbtrace_id": "A" + secrets.token_hex(10),
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def missing_object(object_id: str) -> dict[str, Any]:
    return graph_error(
        f"Unsupported post request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation. Please "
        "read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
        code=100,
        kind="GraphMethodException",
        subcode=33,
    )


# A container's `reply_control`; another value is a 400 (Graph API error code 100).
REPLY_CONTROLS = (
    "everyone",
    "accounts_you_follow",
    "mentioned_only",
    "parent_post_author_only",
    "followers_only",
)


class FakeThreads(FakePlatform):
    def __init__(
        self,
        *,
        token: str = TOKEN,
        user_id: str = USER_ID,
        username: str = "ankreports",
    ) -> None:
        super().__init__()
        self._token_setting = token
        self.user_id = user_id
        self.username = username
        base = f"{VERSION}/{user_id}"
        self.route("GET", f"{VERSION}/me", self._api(self.me))
        self.route("GET", f"{base}/threads_publishing_limit", self._api(self.publishing_limit))
        self.route("GET", f"{base}/threads", self._api(self.user_threads))
        self.route("POST", f"{base}/threads", self._api(self.create_container))
        self.route("POST", f"{base}/threads_publish", self._api(self.publish))
        self.route("GET", f"{VERSION}/", self._api(self.get_object))
        self.route("DELETE", f"{VERSION}/", self._api(self.delete_object))
        self.reset()

    def reset(self) -> None:
        """Forget every post, container, request and fault (one server, many tests)."""
        with self.lock:
            self.token = self._token_setting
            self.in_progress_polls = 0  # status reads a new container stays IN_PROGRESS
            self.processing_error: str | None = None  # set: processing ends in ERROR
            self.image_polls = 2  # status reads an image or carousel container is IN_PROGRESS
            self.bad_urls: set[str] = set()  # image URLs "Meta" cannot fetch: ERROR
            self.fetched: list[str] = []
            # Whether /{user-id}/threads lists replies is not documented; both can be tried.
            self.replies_in_threads = True
            self.STALL_SECONDS = type(self).STALL_SECONDS
            self.containers: dict[str, dict[str, Any]] = {}
            self.posts: dict[str, dict[str, Any]] = {}
            self.requests.clear()
            self.deleted.clear()
            self.may_delete = True  # whether the token has the threads_delete permission
            self._faults.clear()
            self._ids = itertools.count(18_000_000_000_000_001)
            self.publish_calls = 0

    # --- test controls ------------------------------------------------------------------
    def set_status(self, container_id: str, status: str, error_message: str | None = None) -> None:
        """Force a container's status (ERROR with a message, EXPIRED...)."""
        with self.lock:
            container = self.containers[container_id]
            container["status"] = status
            container["error_message"] = error_message

    def chain(self, last_id: str) -> list[str]:
        """The ids of a thread, first post first, walking back from `last_id`."""
        ids = [last_id]
        while (parent := self.posts[ids[-1]]["reply_to_id"]) is not None:
            ids.append(parent)
        return ids[::-1]

    def thread(self) -> list[dict[str, Any]]:
        """The posts in publishing order."""
        return sorted(self.posts.values(), key=lambda p: int(p["id"]))

    # --- plumbing -----------------------------------------------------------------------
    def _api(self, handler: Any) -> Any:
        def wrapped(request: Request) -> Response:
            params = self._params(request)
            if params.get("access_token") != self.token:
                response = Response(
                    400,
                    graph_error(INVALID_TOKEN, code=190),
                    {"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token"'},
                )
            else:
                response = handler(request, params)
            response.headers.update(self._usage())
            return response

        return wrapped

    @staticmethod
    def _params(request: Request) -> dict[str, str]:
        params = {k: v[-1] for k, v in request.query.items()}
        if request.method == "POST" and request.body:
            params.update(request.form())
        return params

    @staticmethod
    def _usage(percent: int = 1) -> dict[str, str]:
        usage = {"call_count": percent, "total_cputime": 1, "total_time": 1}
        return {"X-App-Usage": json.dumps(usage)}

    def rate_limited(self, request: Request) -> Response:
        body = graph_error("(#4) Application request limit reached", code=4)
        return Response(429, body, self._usage(100))

    def _next_id(self) -> str:
        return str(next(self._ids))

    @staticmethod
    def _fields(params: dict[str, str], default: str) -> list[str]:
        return [f for f in (params.get("fields") or default).split(",") if f]

    def _render(self, post: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        shown: dict[str, Any] = {"id": post["id"]}
        for name in fields:
            if name == "is_reply":
                shown[name] = post["reply_to_id"] is not None
            elif name == "replied_to":
                if post["reply_to_id"] is not None:
                    shown[name] = {"id": post["reply_to_id"]}
            elif name in ("root_post",):
                shown[name] = {"id": self.chain(post["id"])[0]}
            elif name in post and name != "container_id":
                shown[name] = post[name]
        return shown

    # --- routes -------------------------------------------------------------------------
    def me(self, request: Request, params: dict[str, str]) -> Response:
        if request.path != f"{VERSION}/me":
            return self.get_object(request, params)
        data = {"id": self.user_id, "username": self.username}
        fields = self._fields(params, "id")
        return Response(200, {k: v for k, v in data.items() if k in fields or k == "id"})

    def publishing_limit(self, request: Request, params: dict[str, str]) -> Response:
        now = time.time()
        recent = [p for p in self.posts.values() if now - p["created"] < DAY_SECONDS]
        replies = sum(1 for p in recent if p["reply_to_id"] is not None)
        row: dict[str, Any] = {}
        fields = self._fields(params, "quota_usage")
        if "quota_usage" in fields:
            row["quota_usage"] = len(recent) - replies
        if "config" in fields:
            row["config"] = {"quota_total": QUOTA_TOTAL, "quota_duration": DAY_SECONDS}
        if "reply_quota_usage" in fields:
            row["reply_quota_usage"] = replies
        if "reply_config" in fields:
            row["reply_config"] = {"quota_total": REPLY_QUOTA_TOTAL, "quota_duration": DAY_SECONDS}
        return Response(200, {"data": [row]})

    def user_threads(self, request: Request, params: dict[str, str]) -> Response:
        if request.path != f"{VERSION}/{self.user_id}/threads":
            return self.get_object(request, params)
        try:
            limit = min(100, max(1, int(params.get("limit", "25"))))
        except ValueError:
            limit = 25
        fields = self._fields(params, "id")
        listed = [
            p for p in self.posts.values() if self.replies_in_threads or p["reply_to_id"] is None
        ]
        newest = sorted(listed, key=lambda p: int(p["id"]), reverse=True)
        return Response(200, {"data": [self._render(p, fields) for p in newest[:limit]]})

    def create_container(self, request: Request, params: dict[str, str]) -> Response:
        if request.path != f"{VERSION}/{self.user_id}/threads":
            return Response(404, graph_error("Unknown path components", code=2500))
        media_type = params.get("media_type", "")
        if media_type not in ("TEXT", "IMAGE", "CAROUSEL"):
            return Response(
                400,
                graph_error(
                    f"Param media_type must be one of {{TEXT, IMAGE, VIDEO, CAROUSEL}}: "
                    f"{media_type}",
                    code=100,
                ),
            )
        item = params.get("is_carousel_item") == "true"
        text = params.get("text", "")
        if media_type == "TEXT" and not text.strip():
            return Response(400, graph_error("Param text is required for TEXT posts", code=100))
        if count(text, "threads") > MAX_LENGTH:
            return Response(400, graph_error(TOO_LONG, code=100))
        links = {text[u.start : u.end] for u in extract_urls(text)}
        if len(links) > MAX_LINKS:
            return Response(400, graph_error(TOO_MANY_LINKS, code=100))
        reply_control = params.get("reply_control")
        if reply_control is not None and reply_control not in REPLY_CONTROLS:
            return Response(
                400,
                graph_error(
                    "Param reply_control must be one of {" + ", ".join(REPLY_CONTROLS) + "}",
                    code=100,
                ),
            )
        reply_to = None if item else (params.get("reply_to_id") or None)
        if reply_to is not None and reply_to not in self.posts:
            return Response(400, missing_object(reply_to))
        images: list[dict[str, Any]] = []
        url = params.get("image_url", "")
        if media_type == "IMAGE":
            if not url.startswith("https://"):
                return Response(400, graph_error("Param image_url must be a valid URL", code=100))
            images = [{"url": url, "alt_text": params.get("alt_text")}]
        elif media_type == "CAROUSEL":
            ids = [c for c in params.get("children", "").split(",") if c]
            children = [self.containers.get(c) for c in ids]
            if not 2 <= len(ids) <= MAX_CHILDREN or any(
                c is None or not c["item"] or c["status"] != "FINISHED" for c in children
            ):
                return Response(
                    400,
                    graph_error(
                        "Param children must be 2 to 20 finished carousel item containers",
                        code=100,
                    ),
                )
            images = [image for c in children if c is not None for image in c["images"]]
        polls = self.image_polls if media_type != "TEXT" else self.in_progress_polls
        polls = max(polls, self.in_progress_polls)
        container_id = self._next_id()
        self.containers[container_id] = {
            "id": container_id,
            "media_type": media_type,
            "item": item,
            "images": images,
            "text": text,
            "reply_control": reply_control or "everyone",
            "reply_to_id": reply_to,
            "status": "IN_PROGRESS" if polls > 0 else "FINISHED",
            "polls_left": polls,
            "error_message": None,
            "post_id": None,
            "created": time.time(),
        }
        if polls <= 0:
            self._processed(self.containers[container_id])
        return Response(200, {"id": container_id})

    def _processed(self, container: dict[str, Any]) -> None:
        """Processing ends: the image fetched (ERROR if it cannot be), or the fault set."""
        fetches = container["media_type"] == "IMAGE"  # a carousel's items fetched theirs
        urls = [image["url"] for image in container["images"]] if fetches else []
        self.fetched.extend(urls)
        error = self.processing_error
        if any(url in self.bad_urls for url in urls):
            error = FETCH_FAILED
        container["status"] = "ERROR" if error else "FINISHED"
        container["error_message"] = error

    def publish(self, request: Request, params: dict[str, str]) -> Response:
        container = self.containers.get(params.get("creation_id", ""))
        if container is None:
            return Response(400, missing_object(params.get("creation_id", "")))
        self.publish_calls += 1
        if container["item"]:
            return Response(400, graph_error("A carousel item cannot be published", code=100))
        status = container["status"]
        if status == "IN_PROGRESS":
            return Response(
                400, graph_error(NOT_READY, code=9007, subcode=2207027, kind="OAuthException")
            )
        if status != "FINISHED":
            words = ALREADY_PUBLISHED if status == "PUBLISHED" else f"The media is {status}"
            return Response(400, graph_error(words, code=100, subcode=2207051))
        post_id = self._next_id()
        now = time.time()
        shortcode = "C" + secrets.token_urlsafe(8).replace("-", "x").replace("_", "y")
        self.posts[post_id] = {
            "id": post_id,
            "text": container["text"],
            "reply_to_id": container["reply_to_id"],
            "reply_control": container["reply_control"],
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(now)),
            "created": now,
            "permalink": f"https://www.threads.net/@{self.username}/post/{shortcode}",
            "shortcode": shortcode,
            "username": self.username,
            "media_type": {"TEXT": "TEXT_POST", "CAROUSEL": "CAROUSEL_ALBUM"}.get(
                container["media_type"], container["media_type"]
            ),
            "images": container["images"],
            "media_product_type": "THREADS",
            "container_id": container["id"],
        }
        container["status"] = "PUBLISHED"
        container["post_id"] = post_id
        self.notify_stored(self.posts[post_id])
        return Response(200, {"id": post_id})

    def delete_object(self, request: Request, params: dict[str, str]) -> Response:
        """`DELETE /{threads-media-id}` (https://developers.facebook.com/docs/threads/posts/
        delete-posts): `{"success": true, "deleted_id": ...}`; without the threads_delete
        permission Graph's code 10; a post it does not have, "does not exist" (100/33)."""
        post_id = request.path.removeprefix(f"{VERSION}/").strip("/")
        if not self.may_delete:
            words = "(#10) Application does not have permission for this action"
            return Response(403, graph_error(words, code=10))
        if self.posts.pop(post_id, None) is None:
            return Response(400, missing_object(post_id))
        self.notify_deleted(post_id)
        return Response(200, {"success": True, "deleted_id": post_id})

    def get_object(self, request: Request, params: dict[str, str]) -> Response:
        parts = request.path.removeprefix(f"{VERSION}/").strip("/").split("/")
        object_id = parts[0]
        if len(parts) == 2 and parts[1] == "replies" and object_id in self.posts:
            fields = self._fields(params, "id")
            replies = [p for p in self.posts.values() if p["reply_to_id"] == object_id]
            replies.sort(key=lambda p: int(p["id"]))
            return Response(200, {"data": [self._render(p, fields) for p in replies]})
        if len(parts) != 1:
            return Response(404, graph_error("Unknown path components", code=2500))
        container = self.containers.get(object_id)
        if container is not None:
            if container["status"] == "IN_PROGRESS":
                container["polls_left"] -= 1
                if container["polls_left"] <= 0:
                    self._processed(container)
                return Response(200, {"id": object_id, "status": "IN_PROGRESS"})
            data: dict[str, Any] = {"id": object_id, "status": container["status"]}
            if container["error_message"] and "error_message" in self._fields(params, ""):
                data["error_message"] = container["error_message"]
            return Response(200, data)
        post = self.posts.get(object_id)
        if post is not None:
            return Response(200, self._render(post, self._fields(params, "id")))
        return Response(400, missing_object(object_id))
