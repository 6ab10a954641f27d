"""What an image file is, read cheaply: its format and its upright size.

Only the file's header and its EXIF orientation are read, never the pixels, so a draft
with twenty 12-megapixel photos is measured in milliseconds (the preview does this as you
type). Only the formats a platform takes, or that are converted for one, are opened: a
file in any other format, or not an image at all, is refused with one line.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import (  # the plugins of READABLE, registered without loading every other one
    BmpImagePlugin,
    GifImagePlugin,
    Image,
    JpegImagePlugin,
    PngImagePlugin,
    TiffImagePlugin,
    UnidentifiedImageError,
    WebPImagePlugin,
)

from composer.media.errors import MediaError
from composer.media.files import READABLE, open_regular

__all__ = ["ImageInfo", "ProbeError", "clear_cache", "probe"]

_ROTATED = frozenset({5, 6, 7, 8})  # EXIF orientations that turn the picture a quarter
_ORIENTATION = 0x0112
_KEPT = 512  # files whose sizes are kept (a draft has a few dozen images at most)
_PLUGINS = (
    BmpImagePlugin,
    GifImagePlugin,
    JpegImagePlugin,
    PngImagePlugin,
    TiffImagePlugin,
    WebPImagePlugin,
)


class ProbeError(MediaError):
    """A MediaError whose message is the problem alone (the caller names the draft line)."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(path, problem)
        self.args = (self.problem,)

    def __str__(self) -> str:
        return self.problem


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """An image's format and its size as it is seen, upright (EXIF orientation applied)."""

    format: str
    width: int
    height: int


_KNOWN: dict[tuple[str, int, int, int, int], ImageInfo] = {}


def probe(path: Path) -> ImageInfo:
    """The format and upright size of the image at `path`; ProbeError saying why not.
    Kept while the file keeps its identity, size and modification time."""
    try:
        fd, info = open_regular(path)
    except MediaError as error:
        raise ProbeError(path, error.problem) from None
    with os.fdopen(fd, "rb") as file:
        key = (os.fsdecode(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        known = _KNOWN.get(key)
        if known is None:
            known = _read(file, path)
            if len(_KNOWN) >= _KEPT:
                _KNOWN.clear()
            _KNOWN[key] = known
        return known


def clear_cache() -> None:
    """Forget every file read (the benchmarks time a cold read)."""
    _KNOWN.clear()


def _read(file: BinaryIO, path: Path) -> ImageInfo:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=READABLE) as image:
                width, height = image.size
                found = image.format or "?"
                orientation = image.getexif().get(_ORIENTATION)
    except (UnidentifiedImageError, SyntaxError):
        readable = ", ".join(READABLE).lower()
        raise ProbeError(path, f"not an image (or not one of {readable})") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ProbeError(path, "too many pixels to be a photo (a decompression bomb?)") from None
    except OSError as error:
        raise ProbeError(path, f"cannot be read ({error.strerror or error})") from None
    if orientation in _ROTATED:
        width, height = height, width
    return ImageInfo(found, width, height)
