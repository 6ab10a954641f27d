"""A loopback Mastodon that behaves as Mastodon documents (and as its source does).

- Every API route needs `Authorization: Bearer <token>`; otherwise 401
  `{"error": "The access token is invalid"}`.
- `POST /api/v1/statuses` (form or JSON): the Idempotency-Key is looked up first (per
  account, kept 1 hour; a repeat answers 200 with the ORIGINAL status, whatever its
  text), and recorded only once the status exists, as Mastodon does: with a slow write
  (`write_delay`), a repeat arriving meanwhile is NOT recognised and makes a second status;
  then the reply target (404 with Mastodon's `in_reply_not_found` text); then the
  length by Mastodon's rule (`composer.text.count(..., "mastodon")`, spoiler included)
  against this instance's `max_characters` (422 "Validation failed: ...").
- Statuses are listed as Mastodon lists them: HTML `content`, `text` null; the typed text
  is at `/api/v1/statuses/:id/source`.
- `POST /api/v2/media` (multipart: `file`, `description`): 200 with a `url` when processed
  at once; with `processing_seconds` > 0, 202 with `url` null, and `GET /api/v1/media/:id`
  answers 206 (url null) until that time has passed, then 200 with a `url`, as Mastodon
  does for media processed in the background. A file over `image_size_limit` is 422, and so
  is a `description` longer than `description_limit`. A status with more `media_ids` than
  `max_media_attachments` is 422 ("Cannot attach more than N files"); one whose
  `media_ids` include unprocessed media is 422 ("Cannot attach files that have not finished
  processing. Try again in a moment!"); an unknown id is 422 too.
- `DELETE /api/v1/statuses/:id` answers the deleted status with its source `text`; an
  unknown id is 404 `{"error": "Record not found"}` (`deleted` lists what was deleted).
- Every answer of a route carries `X-RateLimit-Limit/-Remaining/-Reset` (Reset ISO 8601,
  the end of the current 5-minute window); the injected 429 has them and no Retry-After.

`statuses` (id -> {"id", "text", "in_reply_to_id", "visibility", "language", ...}) and
`idempotency` are there for tests to inspect; `clock` can be replaced to pin time.
"""

from __future__ import annotations

import email.parser
import email.policy
import html
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from composer.text import count
from tests.fakes.server import FakePlatform, Later, Request, Response

TOKEN = "fake-mastodon-token"
RATE_LIMIT = 300
RATE_PERIOD = 300  # seconds
IDEMPOTENCY_TTL = timedelta(hours=1)
UNPROCESSED = "Cannot attach files that have not finished processing. Try again in a moment!"
REPLY_NOT_FOUND = "The post you are trying to reply to does not appear to exist."
VISIBILITIES = ("public", "unlisted", "private", "direct")


class FakeMastodon(FakePlatform):
    def __init__(
        self,
        *,
        token: str = TOKEN,
        max_characters: int = 500,
        domain: str = "fake.social",
        username: str = "monitor",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self._settings = (token, max_characters, clock)
        self.domain = domain
        self.username = username
        self.account_id = "109000000000000001"
        self._next_id = 110_000_000_000_000_000
        self.reset()
        self.route("GET", "/api/v1/accounts/verify_credentials", self._api(self.verify))
        self.route("GET", "/api/v2/instance", self._api(self.instance))
        self.route("POST", "/api/v1/statuses", self._api(self.create_status))
        self.route("GET", "/api/v1/statuses/", self._api(self.get_status))
        self.route("DELETE", "/api/v1/statuses/", self._api(self.delete_status))
        self.route("GET", "/api/v1/accounts/", self._api(self.account_statuses))
        self.route("POST", "/api/v2/media", self._api(self.upload_media))
        self.route("GET", "/api/v1/media/", self._api(self.get_media))

    def reset(self) -> None:
        """Forget every status, key, request and fault (one server can serve many tests)."""
        token, max_characters, clock = self._settings
        with self.lock:
            self.token = token
            self.max_characters = max_characters
            self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
            self.STALL_SECONDS = type(self).STALL_SECONDS
            self.statuses: dict[str, dict[str, Any]] = {}
            # id -> {"id", "data", "mime", "description", "ready_at"}
            self.media: dict[str, dict[str, Any]] = {}
            self.processing_seconds = 0.0
            self.image_size_limit = 16 * 1024 * 1024
            self.image_matrix_limit = 33_177_600
            self.max_media_attachments = 4  # /api/v2/instance, as Mastodon's defaults
            self.description_limit = 1500
            self.idempotency: dict[tuple[str, str], tuple[str, datetime]] = {}
            self.requests.clear()
            self.deleted.clear()
            self._faults.clear()
            self._window: int | None = None
            self._used = 0

    # --- plumbing -----------------------------------------------------------------------
    def _api(
        self, handler: Callable[[Request], Response | Later]
    ) -> Callable[[Request], Response | Later]:
        def wrapped(request: Request) -> Response | Later:
            if request.headers.get("authorization") != f"Bearer {self.token}":
                answer: Response | Later = Response(401, {"error": "The access token is invalid"})
            else:
                answer = handler(request)
            if isinstance(answer, Later):
                finish = answer.finish
                return Later(answer.seconds, lambda: self._with_rate_headers(finish()))
            return self._with_rate_headers(answer)

        return wrapped

    def _with_rate_headers(self, response: Response) -> Response:
        response.headers.update(self._rate_headers(spend=True))
        return response

    def _rate_headers(self, *, spend: bool) -> dict[str, str]:
        now = self.clock()
        window = int(now.timestamp()) // RATE_PERIOD
        if window != self._window:
            self._window, self._used = window, 0
        if spend:
            self._used += 1
        reset = datetime.fromtimestamp((window + 1) * RATE_PERIOD, UTC)
        return {
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": str(max(0, RATE_LIMIT - self._used)),
            # Mastodon writes `reset.iso8601(6)`: microseconds and a Z.
            "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }

    def rate_limited(self, request: Request) -> Response:
        headers = self._rate_headers(spend=False)
        headers["X-RateLimit-Remaining"] = "0"
        return Response(429, {"error": "Too many requests"}, headers)

    @staticmethod
    def _params(request: Request) -> dict[str, Any]:
        if request.headers.get("content-type", "").startswith("application/json"):
            data = request.json()
            return data if isinstance(data, dict) else {}
        return request.form()

    def _render(self, status: dict[str, Any]) -> dict[str, Any]:
        paragraphs = status["text"].split("\n\n")
        content = "".join(
            "<p>" + html.escape(part).replace("\n", "<br />") + "</p>" for part in paragraphs
        )
        return {
            "id": status["id"],
            "created_at": status["created_at"],
            "in_reply_to_id": status["in_reply_to_id"],
            "in_reply_to_account_id": self.account_id if status["in_reply_to_id"] else None,
            "visibility": status["visibility"],
            "language": status["language"],
            "spoiler_text": status["spoiler_text"],
            "uri": f"https://{self.domain}/users/{self.username}/statuses/{status['id']}",
            "url": status["url"],
            "content": content,
            "text": None,  # Mastodon returns the source text only from DELETE
            "reblog": None,
            "account": self._account(),
        }

    def _account(self) -> dict[str, Any]:
        return {
            "id": self.account_id,
            "username": self.username,
            "acct": self.username,
            "display_name": "Monitor",
            "url": f"https://{self.domain}/@{self.username}",
        }

    # --- routes -------------------------------------------------------------------------
    def verify(self, request: Request) -> Response:
        return Response(200, {**self._account(), "source": {"privacy": "public"}})

    def instance(self, request: Request) -> Response:
        return Response(
            200,
            {
                "domain": self.domain,
                "title": "Fake Social",
                "version": "4.3.0",
                "configuration": {
                    "statuses": {
                        "max_characters": self.max_characters,
                        "max_media_attachments": self.max_media_attachments,
                        "characters_reserved_per_url": 23,
                    },
                    "media_attachments": {
                        "supported_mime_types": ["image/jpeg", "image/png"],
                        "image_size_limit": self.image_size_limit,
                        "image_matrix_limit": self.image_matrix_limit,
                        "description_limit": self.description_limit,
                    },
                },
            },
        )

    def create_status(self, request: Request) -> Response | Later:
        params = self._params(request)
        now = self.clock()
        key = request.headers.get("idempotency-key")
        if key:
            seen = self.idempotency.get((self.account_id, key))
            if seen is not None and now - seen[1] < IDEMPOTENCY_TTL and seen[0] in self.statuses:
                return Response(200, self._render(self.statuses[seen[0]]))
        reply_to = params.get("in_reply_to_id") or None
        if reply_to is not None and str(reply_to) not in self.statuses:
            return Response(404, {"error": REPLY_NOT_FOUND})
        text = str(params.get("status") or "")
        spoiler = str(params.get("spoiler_text") or "")
        if not text.strip():
            return Response(422, {"error": "Validation failed: Text can't be blank"})
        length = count(text, "mastodon") + (count(spoiler, "mastodon") if spoiler else 0)
        if length > self.max_characters:
            return Response(
                422,
                {
                    "error": "Validation failed: Text character limit of "
                    f"{self.max_characters} exceeded"
                },
            )
        visibility = str(params.get("visibility") or "public")
        if visibility not in VISIBILITIES:
            return Response(422, {"error": "Validation failed: Visibility is not included"})
        media_ids = [str(m) for m in params.get("media_ids") or []]
        if len(media_ids) > self.max_media_attachments:
            error = f"Cannot attach more than {self.max_media_attachments} files"
            return Response(422, {"error": error})
        for media_id in media_ids:
            media = self.media.get(media_id)
            if media is None:
                return Response(422, {"error": "Validation failed: media not found"})
            if not self._processed(media):
                return Response(422, {"error": UNPROCESSED})
        params = {**params, "media_ids": media_ids}

        def store() -> Response:
            return self._store(params, key, text, spoiler, reply_to, visibility)

        return Later(self.write_delay, store) if self.write_delay else store()

    def _store(
        self,
        params: dict[str, Any],
        key: str | None,
        text: str,
        spoiler: str,
        reply_to: Any,
        visibility: str,
    ) -> Response:
        now = self.clock()
        self._next_id += 1
        status_id = str(self._next_id)
        status = {
            "id": status_id,
            "text": text,
            "spoiler_text": spoiler,
            "in_reply_to_id": str(reply_to) if reply_to is not None else None,
            "visibility": visibility,
            # Mastodon keeps a language it knows (ISO 639), else falls back to none.
            "language": _language(params.get("language")),
            "created_at": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            "url": f"https://{self.domain}/@{self.username}/{status_id}",
            "idempotency_key": key,
            "media_ids": params.get("media_ids") or [],
        }
        self.statuses[status_id] = status
        if key:  # Mastodon records the key only once the status exists
            self.idempotency[(self.account_id, key)] = (status_id, now)
        self.notify_stored(status)
        return Response(200, self._render(status))

    def get_status(self, request: Request) -> Response:
        parts = request.path.removeprefix("/api/v1/statuses/").split("/")
        status = self.statuses.get(parts[0])
        if status is None or len(parts) > 2 or (len(parts) == 2 and parts[1] != "source"):
            return Response(404, {"error": "Record not found"})
        if len(parts) == 2:
            source = {"id": status["id"], "text": status["text"], "spoiler_text": ""}
            return Response(200, {**source, "spoiler_text": status["spoiler_text"]})
        return Response(200, self._render(status))

    def delete_status(self, request: Request) -> Response:
        """`DELETE /api/v1/statuses/:id`: the deleted status, with its source `text` (to
        redraft it), as Mastodon answers; 404 `Record not found` for one it does not have."""
        status_id = request.path.removeprefix("/api/v1/statuses/")
        status = self.statuses.pop(status_id, None)
        if status is None:
            return Response(404, {"error": "Record not found"})
        self.notify_deleted(status_id)
        return Response(200, {**self._render(status), "text": status["text"]})

    def account_statuses(self, request: Request) -> Response:
        parts = request.path.removeprefix("/api/v1/accounts/").split("/")
        if len(parts) != 2 or parts[1] != "statuses" or parts[0] != self.account_id:
            return Response(404, {"error": "Record not found"})
        try:
            limit = min(40, max(1, int(request.query.get("limit", ["20"])[-1])))
        except ValueError:
            limit = 20
        newest = sorted(self.statuses.values(), key=lambda s: int(s["id"]), reverse=True)
        return Response(200, [self._render(s) for s in newest[:limit]])

    def upload_media(self, request: Request) -> Response:
        fields = _multipart(request)
        if "file" not in fields:
            return Response(422, {"error": "Validation failed: File can't be blank"})
        data, mime = fields["file"]
        if len(data) > self.image_size_limit:
            return Response(422, {"error": "Validation failed: File file size must be less"})
        description = fields.get("description", (b"", ""))[0].decode()
        if len(description) > self.description_limit:
            most = self.description_limit
            error = f"Validation failed: Description is too long (maximum is {most} characters)"
            return Response(422, {"error": error})
        self._next_id += 1
        media_id = str(self._next_id)
        self.media[media_id] = {
            "id": media_id,
            "data": data,
            "mime": mime,
            "description": description,
            "ready_at": time.monotonic() + self.processing_seconds,
        }
        processed = self.processing_seconds <= 0
        return Response(200 if processed else 202, self._render_media(self.media[media_id]))

    def get_media(self, request: Request) -> Response:
        media = self.media.get(request.path.removeprefix("/api/v1/media/"))
        if media is None:
            return Response(404, {"error": "Record not found"})
        return Response(200 if self._processed(media) else 206, self._render_media(media))

    @staticmethod
    def _processed(media: dict[str, Any]) -> bool:
        return bool(time.monotonic() >= media["ready_at"])

    def _render_media(self, media: dict[str, Any]) -> dict[str, Any]:
        done = self._processed(media)
        url = f"https://{self.domain}/media/{media['id']}.jpg" if done else None
        return {
            "id": media["id"],
            "type": "image",
            "url": url,
            "preview_url": url,
            "description": media["description"],
        }

    def thread(self) -> list[dict[str, Any]]:
        """The statuses in creation order (for assertions)."""
        return sorted(self.statuses.values(), key=lambda s: int(s["id"]))


def _multipart(request: Request) -> dict[str, tuple[bytes, str]]:
    """The fields of a multipart/form-data body: name -> (bytes, content type)."""
    head = f"Content-Type: {request.headers.get('content-type', '')}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    fields: dict[str, tuple[bytes, str]] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if isinstance(name, str):
            fields[name] = (payload, part.get_content_type())
    return fields


def _language(value: object) -> str | None:
    return value if isinstance(value, str) and re.fullmatch(r"[a-z]{2,3}", value) else None
