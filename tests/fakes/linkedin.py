"""A loopback LinkedIn REST API (api.linkedin.com) that answers as LinkedIn documents.

    fake = FakeLinkedIn(token="...", author="urn:li:organization:2414183")
    with fake.running():
        ...  # account base_url = fake.url
    fake.posts     # urn -> {"id", "author", "commentary", "shown", "createdAt", ...}
    fake.comments  # post urn -> [{"$URN", "actor", "object", "message": {"text"}, "shown", ...}]

Sources (docs/PLATFORMS.md, LinkedIn): the Posts API, the Comments API, the little text
format and the versioning pages of learn.microsoft.com/linkedin.
- Every request needs `Authorization: Bearer <token>` (else 401 `INVALID_ACCESS_TOKEN`),
  `X-Restli-Protocol-Version: 2.0.0` and `LinkedIn-Version: YYYYMM`: a missing version is
  400 (the words are an assumption), one not in `active_versions` 426 `NONEXISTENT_VERSION`
  ("Requested version 202301 is not active", as LinkedIn answers a retired version).
- `POST /rest/posts` takes {author, commentary, visibility, distribution, lifecycleState,
  isReshareDisabledByAuthor}; an author other than the token's is 403 `ACCESS_DENIED`, a
  commentary longer than MAX_POST UTF-16 units 422. It answers 201 with an empty body and
  the post's URN in `x-restli-id`. The commentary is kept as sent; what members see
  (`shown`) is read as the little format does: a backslash escapes the next character, a
  `#` before a word is a hashtag, an http(s) link is left whole, and an unescaped reserved
  character ends the text (LinkedIn cuts the post there, silently).
- `GET /rest/posts?q=author&author=URN&count=N&sortBy=CREATED`: the author's posts, newest
  first, as `{"elements": [...]}`; 403 `ACCESS_DENIED` when `can_read` is False (a token
  without r_member_social / r_organization_social).
- `POST /rest/socialActions/{post URN, URL-encoded}/comments` {actor, object, message:
  {text}}: 404 for a post that does not exist, 422 over MAX_COMMENT; 201 with the comment
  (`$URN`, `commentUrn`, `id`, `actor`, `object`, `message`, `created`) in the body.
  `GET` the same path lists them, oldest first, a page at a time (`start`, `count`: 10 by
  default), with `paging` {start, count, total}; 403 when `can_read` is False.
- A slow write (`write_delay`, tests/fakes/server.py `Later`): a post or comment is checked,
  then stored `write_delay` seconds later; LinkedIn has no idempotency key, so a copy sent
  meanwhile is stored too (what the publisher's settle time before a read-back is for).
- `GET /v2/userinfo` (OpenID): `{"sub", "name"}` of the member whose token it is.
- Errors are `{"status", "serviceErrorCode", "code", "message"}`; the injected RATE_LIMIT
  fault is 429 `TOO_MANY_REQUESTS` without Retry-After (LinkedIn documents none).
"""

from __future__ import annotations

import itertools
import re
import time
from typing import Any
from urllib.parse import unquote

from tests.fakes.server import FakePlatform, Later, Request, Response

TOKEN = "fake-linkedin-token"
AUTHOR = "urn:li:organization:2414183"
MAX_POST = 3000
MAX_COMMENT = 1250
ACTIVE_VERSIONS = frozenset({"202512", "202605", "202610", "202611"})
RESERVED = set("\\|{}@[]()<>*_~#")
_LINK = re.compile(r"https?://\S+")
_COMMENTS = re.compile(r"^/rest/socialActions/([^/]+)/comments$")


def error(
    status: int, message: str, *, code: str | None = None, service: int | None = None
) -> Response:
    body: dict[str, Any] = {"status": status, "message": message}
    if code is not None:
        body["code"] = code
    if service is not None:
        body["serviceErrorCode"] = service
    return Response(status, body)


def shown(little: str) -> str:
    """What LinkedIn shows of little-format text: escapes resolved, hashtags and links kept,
    cut at the first unescaped reserved character."""
    out: list[str] = []
    index = 0
    while index < len(little):
        link = _LINK.match(little, index)
        if link is not None and (index == 0 or little[index - 1].isspace()):
            out.append(link.group())
            index = link.end()
            continue
        ch = little[index]
        if ch == "\\" and index + 1 < len(little):
            out.append(little[index + 1])
            index += 2
            continue
        if ch == "#" and index + 1 < len(little) and (little[index + 1].isalnum()):
            out.append(ch)
            index += 1
            continue
        if ch in RESERVED:
            break  # LinkedIn silently cuts the text here
        out.append(ch)
        index += 1
    return "".join(out)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def text_refused(text: object, field: str, limit: int) -> Response | None:
    """LinkedIn's 422 for a text field that is missing, empty, or longer than `limit`."""
    if not isinstance(text, str) or not text:
        return error(422, f"ERROR :: {field} :: is required", service=100)
    if utf16(text) > limit:
        said = f"ERROR :: {field} :: length {utf16(text)} exceeds maximum length {limit}"
        return error(422, said, service=100)
    return None


class FakeLinkedIn(FakePlatform):
    def __init__(
        self, *, token: str = TOKEN, author: str = AUTHOR, name: str = "Almaty Rights Monitor"
    ) -> None:
        super().__init__()
        self._token_setting = token
        self.author = author
        self.name = name
        self.route("POST", "/rest/posts", self._api(self.create_post))
        self.route("GET", "/rest/posts", self._api(self.find_posts))
        self.route("POST", "/rest/socialActions/", self._api(self.create_comment))
        self.route("GET", "/rest/socialActions/", self._api(self.list_comments))
        self.route("GET", "/v2/userinfo", self._api(self.userinfo))
        self.reset()

    def reset(self) -> None:
        """Forget every post, comment, request and fault (one server, many tests)."""
        with self.lock:
            self.token = self._token_setting
            self.can_read = True
            self.active_versions = set(ACTIVE_VERSIONS)
            self.posts: dict[str, dict[str, Any]] = {}
            self.comments: dict[str, list[dict[str, Any]]] = {}
            self.requests.clear()
            self._faults.clear()
            self._ids = itertools.count(7_100_000_000_000_000_001)

    # --- checks every request passes ----------------------------------------------------
    def _api(self, handler: Any) -> Any:
        def checked(request: Request) -> Response | Later:
            if request.headers.get("authorization") != f"Bearer {self.token}":
                return error(
                    401, "Invalid access token", code="INVALID_ACCESS_TOKEN", service=65600
                )
            if request.path.startswith("/rest/"):
                version = request.headers.get("linkedin-version")
                if not version:
                    return error(
                        400,
                        "A version must be present. Please specify a version "
                        "by adding the LinkedIn-Version header.",
                        code="VERSION_MISSING",
                    )
                if version not in self.active_versions:
                    return error(
                        426,
                        f"Requested version {version} is not active",
                        code="NONEXISTENT_VERSION",
                    )
                if request.headers.get("x-restli-protocol-version") != "2.0.0":
                    return error(
                        400, "Restli protocol version 2.0.0 is required", code="BAD_REQUEST"
                    )
            return handler(request)

        return checked

    def rate_limited(self, request: Request) -> Response:
        return error(
            429,
            "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
            code="TOO_MANY_REQUESTS",
            service=101,
        )

    def _urn(self, kind: str) -> str:
        return f"urn:li:{kind}:{next(self._ids)}"

    # --- posts --------------------------------------------------------------------------
    def create_post(self, request: Request) -> Response | Later:
        body = request.json()
        if body.get("author") != self.author:
            return error(
                403,
                "Unpermitted fields present in REQUEST_BODY: Data Processing "
                "Exception while processing fields [/author]",
                code="ACCESS_DENIED",
                service=100,
            )
        commentary = body.get("commentary")
        if body.get("lifecycleState") != "PUBLISHED":
            return error(422, "ERROR :: /lifecycleState :: is required", service=100)
        if (refused := text_refused(commentary, "/commentary", MAX_POST)) is not None:
            return refused

        def store() -> Response:
            urn = self._urn("share")
            post = {
                "id": urn,
                "author": self.author,
                "commentary": commentary,
                "shown": shown(commentary),
                "visibility": body.get("visibility"),
                "distribution": body.get("distribution"),
                "lifecycleState": "PUBLISHED",
                "createdAt": int(time.time() * 1000),
            }
            self.posts[urn] = post
            self.comments[urn] = []
            self.notify_stored(post)
            return Response(201, b"", {"x-restli-id": urn})

        return Later(self.write_delay, store) if self.write_delay else store()

    def find_posts(self, request: Request) -> Response:
        if not self.can_read:
            return error(
                403,
                "Not enough permissions to access: partnerApiPostsExternal.FINDER-author",
                code="ACCESS_DENIED",
                service=100,
            )
        query = {k: v[-1] for k, v in request.query.items()}
        if query.get("q") != "author" or "author" not in query:
            return error(400, "Invalid query parameters", code="ILLEGAL_ARGUMENT")
        count = int(query.get("count", "10"))
        mine = [p for p in self.posts.values() if p["author"] == query["author"]]
        newest = sorted(mine, key=lambda p: p["createdAt"], reverse=True)[:count]
        public = [{k: v for k, v in p.items() if k != "shown"} for p in newest]
        return Response(200, {"elements": public, "paging": {"start": 0, "count": count}})

    # --- comments -----------------------------------------------------------------------
    def _post_of(self, request: Request) -> str | None:
        match = _COMMENTS.match(request.path)
        return unquote(match.group(1)) if match else None

    def create_comment(self, request: Request) -> Response | Later:
        target = self._post_of(request)
        if target is None or target not in self.posts:
            return error(404, f"Post {target} not found", code="NOT_FOUND")
        body = request.json()
        if body.get("actor") != self.author or body.get("object") != target:
            return error(
                403,
                "Not enough permissions to comment as this actor",
                code="ACCESS_DENIED",
                service=100,
            )
        text = (body.get("message") or {}).get("text")
        if (refused := text_refused(text, "/message/text", MAX_COMMENT)) is not None:
            return refused

        def store() -> Response:
            number = next(self._ids)
            urn = f"urn:li:comment:({target},{number})"
            comment = {
                "$URN": urn,
                "commentUrn": urn,
                "id": str(number),
                "actor": self.author,
                "object": target,
                "message": {"text": text},
                "shown": shown(text),
                "created": {"actor": self.author, "time": int(time.time() * 1000)},
            }
            self.comments[target].append(comment)
            self.notify_stored(comment)
            return Response(201, {k: v for k, v in comment.items() if k != "shown"})

        return Later(self.write_delay, store) if self.write_delay else store()

    def list_comments(self, request: Request) -> Response:
        target = self._post_of(request)
        if target is None or target not in self.posts:
            return error(404, f"Post {target} not found", code="NOT_FOUND")
        if not self.can_read:
            return error(
                403, "Not enough permissions to access comments", code="ACCESS_DENIED", service=100
            )
        query = {k: v[-1] for k, v in request.query.items()}
        start, count = int(query.get("start", "0")), int(query.get("count", "10"))
        every = [{k: v for k, v in c.items() if k != "shown"} for c in self.comments[target]]
        paging = {"start": start, "count": count, "total": len(every)}
        return Response(200, {"elements": every[start : start + count], "paging": paging})

    # --- members ------------------------------------------------------------------------
    def userinfo(self, request: Request) -> Response:
        if not self.author.startswith("urn:li:person:"):
            return error(
                403,
                "Not enough permissions to access: userinfo.GET",
                code="ACCESS_DENIED",
                service=100,
            )
        return Response(200, {"sub": self.author.rsplit(":", 1)[1], "name": self.name})

    # --- for tests ----------------------------------------------------------------------
    def thread(self) -> list[str]:
        """What members see: each post's text, then its comments', in order."""
        shown_texts: list[str] = []
        for urn, post in self.posts.items():
            shown_texts.append(post["shown"])
            shown_texts.extend(c["shown"] for c in self.comments[urn])
        return shown_texts
