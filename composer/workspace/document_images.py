"""An imported document's images: their bytes found (held by a Word or OpenDocument file,
fetched from a web page's address through `composer.web`, read beside an HTML file), kept
when they are an image a platform takes, and saved beside the draft.

A draft's image line names its file relative to the draft's folder (`composer.text.images`,
read by `composer.workspace.images`), so the files go in `images/` of the drafts folder,
named after the document and their content ("images/statement-3f2a9c1b04.png"): the same
image imported twice is one file, and no name is ever taken by another image.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from composer.text.display import plural
from composer.text.images import image_line
from composer.workspace.document_formats import IMAGE_CAP, FoundImage, over_image_cap
from composer.workspace.drafts import slug

if TYPE_CHECKING:
    import httpx

__all__ = ["IMAGES_FOLDER", "ImportedImage", "Resolved", "resolve_images", "save_images"]

IMAGES_FOLDER = "images"
FETCH_TIMEOUT = 20.0  # seconds for each image
# The formats composer.media prepares for posting, by their first bytes.
_SIGNATURES = (
    (b"\xff\xd8\xff", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"GIF87a", ".gif"),
    (b"GIF89a", ".gif"),
    (b"II*\x00", ".tif"),
    (b"MM\x00*", ".tif"),
    (b"BM", ".bmp"),
)


@dataclass(frozen=True, slots=True)
class ImportedImage:
    """An image to save: its path relative to the drafts folder, and its bytes."""

    path: str
    data: bytes


@dataclass(slots=True)
class Resolved:
    """Each found image's line in the draft (None: left out), the files to save, and a
    line for each image left out and for those without alt text."""

    lines: list[str | None] = field(default_factory=list)
    images: list[ImportedImage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def resolve_images(found: Sequence[FoundImage], document: str, folder: Path | None) -> Resolved:
    """`found`'s bytes read or fetched, checked, and named after `document` (its file name
    or address); a relative `src` is read from `folder` (None: a web page's, not read)."""
    resolved = Resolved()
    without_alt: list[str] = []
    fetched: dict[str, bytes | str] = {}  # src -> bytes, or why none
    stem = slug(Path(urlsplit(document).path).stem or "document")
    http: httpx.Client | None = None
    try:
        for image in found:
            data: bytes | str = image.skipped or (image.data if image.data is not None else "")
            if image.src is not None and not image.skipped:
                if image.src not in fetched:
                    if re.match(r"(?i)https?://", image.src):
                        if http is None:
                            http = _client()
                        fetched[image.src] = _fetch(http, image.src)
                    else:
                        fetched[image.src] = _read_beside(image.src, folder)
                data = fetched[image.src]
            problem, suffix = _problem(data)
            if problem or suffix is None or not isinstance(data, bytes):
                resolved.lines.append(None)
                resolved.notes.append(f"image {image.name}: {problem}: left out")
                continue
            path = f"{IMAGES_FOLDER}/{stem}-{hashlib.sha256(data).hexdigest()[:10]}{suffix}"
            if all(saved.path != path for saved in resolved.images):
                resolved.images.append(ImportedImage(path, data))
            resolved.lines.append(image_line(image.alt, path))
            if not image.alt:
                without_alt.append(path)
    finally:
        if http is not None:
            http.close()
    if without_alt:
        resolved.notes.append(
            f"{plural(len(without_alt), 'image')} without alt text (describe each in the "
            f"draft's ![...] before publishing): {', '.join(without_alt)}"
        )
    return resolved


def save_images(folder: Path, images: Sequence[ImportedImage]) -> None:
    """Write `images` into the drafts `folder`; one already there (same name, so same
    content) is left as it is. Each file is whole or absent, never half written."""
    for image in images:
        target = folder / image.path
        if target.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            temporary.write_bytes(image.data)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)


def _problem(data: bytes | str) -> tuple[str, str | None]:
    """Why an image's bytes (or the reason there are none) are left out, else its suffix."""
    if isinstance(data, str):
        return data or "no data", None
    if len(data) > IMAGE_CAP:
        return over_image_cap(len(data)), None
    suffix = _suffix(data)
    if suffix is None:
        return "not a JPEG, PNG, GIF, WebP, TIFF or BMP image", None
    return "", suffix


def _suffix(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return next((suffix for head, suffix in _SIGNATURES if data.startswith(head)), None)


def _client() -> httpx.Client:
    from composer.web import web_client

    return web_client(timeout=FETCH_TIMEOUT, user_agent="thread-composer (draft import)")


def _fetch(http: httpx.Client, url: str) -> bytes | str:
    """An image's bytes, or why there are none."""
    from composer.web import WebError, fetch

    try:
        return fetch(
            http,
            url,
            cap=IMAGE_CAP,
            timeout=FETCH_TIMEOUT,
            types=("image/",),
            over_cap=over_image_cap(),
        ).data
    except WebError as error:
        if error.failure == "type":  # the reason names a web page, which is not asked for
            return "not an image " + error.reason[error.reason.find("(") :]
        return error.reason


def _read_beside(src: str, folder: Path | None) -> bytes | str:
    """An image an HTML file names by a path relative to its own folder."""
    parts = urlsplit(src)
    if folder is None or parts.scheme or parts.netloc or not parts.path:
        return "not an address or a file beside the document"
    path = folder / unquote(parts.path).lstrip("/")
    try:
        size = path.stat().st_size
        if size > IMAGE_CAP:
            return over_image_cap(size)
        return path.read_bytes()
    except OSError as error:
        return f"cannot read {path.name} ({error.strerror or error})"
