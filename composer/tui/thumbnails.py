"""Thumbnails under the post cards, in a terminal that draws pictures (Sixel or Kitty's
graphics protocol, through textual-image); elsewhere, in tests and when the output is not a
terminal, the cards show their image chips only.

Thumbnails stay off the keystroke path: a row is rebuilt only when its post's images change,
each picture is decoded in a thread worker, and once per file (kept by path, size and
modification time), so typing never decodes an image again.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from PIL import Image
from textual import work
from textual.app import App
from textual.containers import Horizontal
from textual.widget import Widget

from composer.media.errors import MediaError
from composer.media.thumbnail import thumbnail
from composer.workspace.images import ImageFile

PictureWidget = Callable[[Image.Image], Widget]
"""Makes the widget that draws a picture: textual-image's, chosen for the terminal."""

_KEPT = 128  # thumbnails kept (a draft has a few dozen images at most)


def picture_widget() -> PictureWidget | None:
    """textual-image's widget when the terminal draws pictures (asked once, before the app
    starts: the library queries the terminal when imported), else None. COMPOSER_THUMBNAILS=0
    turns thumbnails off."""
    if os.environ.get("COMPOSER_THUMBNAILS", "").strip() == "0":
        return None
    streams = (sys.__stdin__, sys.__stdout__)
    if not all(stream is not None and stream.isatty() for stream in streams):
        return None
    try:
        from textual_image import renderable
        from textual_image.renderable.sixel import Image as SixelRenderable
        from textual_image.renderable.tgp import Image as TGPRenderable

        if renderable.Image not in (SixelRenderable, TGPRenderable):
            return None  # half blocks or text: the chip says more
        from textual_image.widget import Image as ImageWidget
    except Exception:  # a terminal that answers oddly: no thumbnails, and no crash
        return None

    def make(picture: Image.Image) -> Widget:
        return ImageWidget(picture)

    return make


class ThumbnailCache:
    """Thumbnails by file, kept while the file keeps its size and modification time.
    Shared by the worker threads of every row."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[str, int, int], Image.Image | None] = OrderedDict()
        self._lock = threading.Lock()
        self.decoded = 0  # files decoded so far (the tests count them)

    def get(self, path: Path) -> Image.Image | None:
        """The file's thumbnail, decoded now only if it is new or changed; None when it
        cannot be read (its chip says why)."""
        try:
            info = path.stat()
        except OSError:
            return None
        key = (os.fsdecode(path), info.st_size, info.st_mtime_ns)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        try:
            picture: Image.Image | None = thumbnail(path)
        except MediaError:
            picture = None
        with self._lock:
            self.decoded += 1
            self._kept[key] = picture
            while len(self._kept) > _KEPT:
                self._kept.popitem(last=False)
        return picture


class Thumbnails(Horizontal):
    """A post's images as small pictures, under its card."""

    DEFAULT_CSS: ClassVar[str] = """
    Thumbnails { height: auto; padding: 0 1; }
    Thumbnails > * { width: auto; height: 6; margin-right: 1; }
    """

    def __init__(self, cache: ThumbnailCache, make: PictureWidget) -> None:
        super().__init__()
        self.cache = cache
        self.make = make
        self.key: tuple[tuple[Path, str], ...] | None = None

    def show(self, files: tuple[ImageFile, ...]) -> None:
        """Show these images (nothing is done when they are the ones shown)."""
        key = tuple((file.path, file.problem) for file in files)
        if key == self.key:
            return
        self.key = key
        self.display = any(not problem for _, problem in key)
        self.load(self.app, key)

    @work(thread=True, exclusive=True, group="thumbnails")
    def load(self, app: App[object], key: tuple[tuple[Path, str], ...]) -> None:
        """Decode in a thread (`app` taken on the UI thread: this row may be gone by now)."""
        pictures = [self.cache.get(path) for path, problem in key if not problem]
        shown = [picture for picture in pictures if picture is not None]
        app.call_from_thread(self._replace, key, shown)  # type: ignore[arg-type]

    async def _replace(
        self, key: tuple[tuple[Path, str], ...], pictures: list[Image.Image]
    ) -> None:
        if key != self.key or not self.is_attached:
            return  # the post's images changed meanwhile (a newer load comes), or it is gone
        await self.remove_children()
        await self.mount_all([self.make(picture) for picture in pictures])
