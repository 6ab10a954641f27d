"""X (API v2) image uploads: chunked upload, processing, then the alt text.

Source: the X API v2 media documentation (docs.x.com/x-api/media: "Media upload" and
"Create Media metadata", OpenAPI v2.16x; the xdevplatform/samples `media_upload_v2.py`
updated in August 2025 for the dedicated endpoints):

    POST /2/media/upload/initialize        JSON {media_type, total_bytes, media_category}
                                           -> {"data": {"id", "media_key", "expires_after_secs"}}
    POST /2/media/upload/{id}/append       multipart: segment_index, media (<= 5 MB a segment)
    POST /2/media/upload/{id}/finalize     -> {"data": {..., "processing_info"?}}
    GET  /2/media/upload?command=STATUS&media_id={id}   while processing_info.state is
                                           pending or in_progress, after check_after_secs
    POST /2/media/metadata                 JSON {"id", "metadata": {"alt_text": {"text"}}}

then `POST /2/tweets` with `{"media": {"media_ids": [...]}}`. OAuth 2.0 tokens need the
`media.write` scope; OAuth 1.0a signs the method and URL only (neither a JSON nor a
multipart body is part of the signature base string). A media id can be attached for 24 h
(FACTS' `media_id_lifetime_s`; composer.publishing.uploads uploads an older one again).

The alt text is set before the upload is reported done: if the metadata call fails, the
whole upload fails and nothing is recorded, so the next attempt uploads the image again
(the unused media id expires on its own). A recorded media id therefore always carries its
alt text, and the ledger needs no half-done state.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, TypedDict, Unpack

import httpx

from composer.platforms.base import MediaUpload, Refused, Unavailable, Unclear

__all__ = ["CHUNK_BYTES", "MediaSession", "upload_image"]

CHUNK_BYTES = 1024 * 1024
"""One APPEND segment (X takes up to 5 MB): small enough that a slow link finishes each."""
MEDIA_CATEGORY = "tweet_image"
PROCESSING_DEADLINE_S = 60.0
"""Seconds an upload may stay `pending`/`in_progress` before it is given up (and retried)."""
_WAITING = ("pending", "in_progress")


class RequestParts(TypedDict, total=False):
    """What a signed X request sends besides its method and path (each part optional)."""

    params: Mapping[str, str]  # the query
    json: Any
    files: Mapping[str, tuple[str, bytes, str]]
    data: Mapping[str, str]


class Requester(Protocol):
    """The X client's signed request (composer.platforms.x.XClient._request)."""

    def __call__(
        self, method: str, path: str, *, harmless: bool = False, **parts: Unpack[RequestParts]
    ) -> Awaitable[httpx.Response]: ...


class MediaSession:
    """How one client uploads: its request, segment size, processing deadline and sleep."""

    def __init__(
        self,
        request: Requester,
        *,
        chunk_bytes: int = CHUNK_BYTES,
        deadline_s: float = PROCESSING_DEADLINE_S,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.request = request
        self.chunk_bytes = chunk_bytes
        self.deadline_s = deadline_s
        self.sleep = sleep


async def upload_image(session: MediaSession, upload: MediaUpload) -> str:
    """Upload one prepared image in segments, wait for X to process it, set its alt text;
    the media id a post attaches. Raises the base.py error family (Refused for a failed
    processing, Unavailable when it outlasts the deadline)."""
    request = session.request
    started = await request(
        "POST",
        "/2/media/upload/initialize",
        json={
            "media_type": upload.mime,
            "total_bytes": len(upload.data),
            "media_category": MEDIA_CATEGORY,
        },
        harmless=True,
    )
    media_id = _media_id(started, "initialize")
    base = f"/2/media/upload/{media_id}"
    size = max(1, session.chunk_bytes)
    for index, start in enumerate(range(0, len(upload.data), size)):
        await request(
            "POST",
            f"{base}/append",
            data={"segment_index": str(index)},
            files={
                "media": ("blob", upload.data[start : start + size], "application/octet-stream")
            },
            harmless=True,
        )
    finished = await request("POST", f"{base}/finalize", harmless=True)
    await _processed(session, media_id, _data(finished).get("processing_info"))
    await request(
        "POST",
        "/2/media/metadata",
        json={"id": media_id, "metadata": {"alt_text": {"text": upload.alt}}},
        harmless=True,
    )
    return media_id


async def _processed(session: MediaSession, media_id: str, info: Any) -> None:
    """Poll STATUS until X's processing succeeds; Refused if it failed, Unavailable if it
    outlasts the deadline."""
    waited = 0.0
    while isinstance(info, dict) and info.get("state") in _WAITING:
        if waited >= session.deadline_s:
            raise Unavailable(
                f"X was still processing image {media_id} after {session.deadline_s:.0f} s"
            )
        wait = _seconds(info.get("check_after_secs"))
        await session.sleep(wait)
        waited += wait
        polled = await session.request(
            "GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id}
        )
        info = _data(polled).get("processing_info")
    if isinstance(info, dict) and info.get("state") == "failed":
        error = info.get("error")
        said = error.get("message") if isinstance(error, dict) else None
        words = str(said) if said else "no reason given"
        raise Refused(f"X could not process the image: {words}", reason=words)


def _seconds(value: Any) -> float:
    """X's `check_after_secs`, kept within 1..10 s whatever it says (a NaN or a string is
    1: the wait must add up to the deadline)."""
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else 1
    return float(min(max(number, 1), 10)) if math.isfinite(number) else 1.0


def _data(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, dict) else {}


def _media_id(response: httpx.Response, step: str) -> str:
    media_id = _data(response).get("id")
    if not isinstance(media_id, str | int) or isinstance(media_id, bool) or not str(media_id):
        raise Unclear(
            f"X answered the media {step} without a media id", status=response.status_code
        )
    text = str(media_id)
    if not text.isascii() or not text.isdigit():  # it goes into a URL path
        raise Unclear(
            f"X answered the media {step} with an odd media id", status=response.status_code
        )
    return text
