"""A post's images uploaded before the post: prepared, uploaded, recorded, then attached.

Each image row of the ledger (composer.store's post_media) is uploaded once: prepared with
the account's limits (composer.media.prepare: upright, no metadata, within the limits),
uploaded, and its reference recorded (committed) before the post is created. A row that
has its reference is never uploaded again, unless the platform's media ids expire
(FACTS' `media_id_lifetime_s`: X's 24 h) and it is older than that, or the platform
refuses it on the post (MediaExpired: the sender asks for the post's images `again`).
A post whose images cannot all be uploaded is not created: the edition stops, resumable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from composer.media import Limits, MediaError, prepare
from composer.platforms.base import (
    AttachedMedia,
    ImageLimits,
    MediaUpload,
    PlatformClient,
    PlatformError,
    Retryable,
    Unclear,
)
from composer.store import (
    Database,
    PostMedia,
    mark_media_uploaded,
    off_loop,
)
from composer.text.platform_facts import FACTS

MAX_UPLOAD_ATTEMPTS = 5


class UploadStopped(Exception):
    """The post's images could not be uploaded: the post is not created; the message says
    why (one line)."""


Delay = Callable[[PlatformError, int], float]
Sleep = Callable[[float], Awaitable[None]]


async def attach_media(
    db: Database,
    client: PlatformClient,
    rows: Sequence[PostMedia],
    index: int,
    *,
    delay: Delay,
    sleep: Sleep,
    cache: Path | None = None,
    again: bool = False,
) -> tuple[AttachedMedia, ...]:
    """Post `index`'s images (its `rows` of the ledger: `edition_media`), each uploaded and
    recorded unless the ledger has it; with `again`, uploaded anew (the platform refused
    the references recorded: MediaExpired)."""
    if not rows:
        return ()
    upload = getattr(client, "upload_media", None)
    if upload is None:
        raise UploadStopped(f"post {index}: images cannot be published on {client.platform} yet")
    limits: Limits | None = None
    attached = []
    for row in rows:
        if again or _needs_upload(row, client.platform):
            limits = limits or await _limits(client)
            row = await _upload(db, upload, row, index, limits, delay, sleep, cache)
        assert row.remote_ref is not None and row.width and row.height
        attached.append(AttachedMedia(row.remote_ref, row.alt, row.width, row.height))
    return tuple(attached)


def recorded_media(rows: Sequence[PostMedia]) -> tuple[AttachedMedia, ...]:
    """The post's images as the ledger recorded them, uploading nothing: what a post found
    `sending` was sent with (its images are recorded before it is marked), for a platform
    that answers "did you get it?" by sending the same request again (Mastodon's replay)."""
    return tuple(
        AttachedMedia(row.remote_ref, row.alt, row.width or 0, row.height or 0)
        for row in rows
        if row.remote_ref is not None
    )


def _needs_upload(row: PostMedia, platform: str) -> bool:
    if row.remote_ref is None or row.uploaded_at is None:
        return True
    lifetime = FACTS[platform].media.id_lifetime_s if platform in FACTS else None
    if lifetime is None:
        return False
    # An hour's margin: the post is created a little after the check.
    return datetime.now(UTC) - row.uploaded_at > timedelta(seconds=lifetime - 3600)


async def _limits(client: PlatformClient) -> Limits:
    read = getattr(client, "image_limits", None)
    found: ImageLimits | None = await read() if read is not None else None
    if found is None:
        media = FACTS[client.platform].media
        found = ImageLimits(media.max_bytes, media.max_pixels)
    return Limits(max_bytes=found.max_bytes, max_pixels=found.max_pixels)


async def _upload(
    db: Database,
    upload_media: Callable[[MediaUpload], Awaitable[str]],
    row: PostMedia,
    index: int,
    limits: Limits,
    delay: Delay,
    sleep: Sleep,
    cache: Path | None,
) -> PostMedia:
    assert row.id is not None
    try:
        prepared = await asyncio.to_thread(prepare, Path(row.source_path), limits, cache=cache)
    except MediaError as error:
        raise UploadStopped(f"post {index}: {error}") from None
    upload = MediaUpload(prepared.data, prepared.mime, prepared.width, prepared.height, row.alt)
    for attempt in range(1, MAX_UPLOAD_ATTEMPTS + 1):
        try:
            ref = await upload_media(upload)
        except (Retryable, Unclear) as error:
            # An unclear upload may have left an unused upload behind: no post uses it.
            if attempt == MAX_UPLOAD_ATTEMPTS:
                raise UploadStopped(
                    f"post {index}: image {row.position}: {_reason(error)}"
                ) from None
            await sleep(delay(error, attempt))
            continue
        except PlatformError as error:
            raise UploadStopped(f"post {index}: image {row.position}: {_reason(error)}") from None
        return await off_loop(
            db,
            mark_media_uploaded,
            db,
            row.id,
            remote_ref=ref,
            sha256=prepared.sha256,
            width=prepared.width,
            height=prepared.height,
        )
    raise AssertionError("unreachable")  # pragma: no cover


def _reason(error: PlatformError) -> str:
    return error.reason or str(error)
