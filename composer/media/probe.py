"""What an image file is, read cheaply: its format and its upright size.

Only the file's header and its EXIF orientation are read, never the pixels, so a draft
with twenty 12-megapixel photos is measured in milliseconds (the preview does this as you
type). Only the formats a platform takes, or that are converted for one, are opened: a
file in any other format, or not an image at all, is refused with one line.
"""

from __future__ import annotations

import os
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import (  # the plugins of FORMATS, registered without loading every other one
    GifImagePlugin,
    Image,
    JpegImagePlugin,
    PngImagePlugin,
    UnidentifiedImageError,
    WebPImagePlugin,
)

from composer.errors import ComposerError

__all__ = ["FORMATS", "ImageInfo", "ProbeError", "clear_cache", "probe"]

# Pillow's names of the formats opened: cameras write JPEG (iPhones' several-picture JPEG,
# MPO, opens as JPEG), screenshots and charts PNG; GIF and WebP as the platforms take them.
FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
_ROTATED = frozenset({5, 6, 7, 8})  # EXIF orientations that turn the picture a quarter
_ORIENTATION = 0x0112
_KEPT = 512  # files whose sizes are kept (a draft has a few dozen images at most)
_PLUGINS = (GifImagePlugin, JpegImagePlugin, PngImagePlugin, WebPImagePlugin)


class ProbeError(ComposerError, ValueError):
    """A file that is missing, unreadable or not an image in a known format; the message is
    one line saying which (without the path: the caller names the draft line)."""


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
        # O_NONBLOCK: a FIFO put in the image's place must not hang the preview.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (FileNotFoundError, NotADirectoryError):
        raise ProbeError("no such file") from None
    except IsADirectoryError:
        raise ProbeError("not a file") from None
    except OSError as error:
        raise ProbeError(f"cannot read it: {error.strerror or error}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):  # a folder, a FIFO, a device
        os.close(fd)
        raise ProbeError("not a file")
    with os.fdopen(fd, "rb") as file:
        key = (os.fsdecode(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        known = _KNOWN.get(key)
        if known is None:
            known = _read(file)
            if len(_KNOWN) >= _KEPT:
                _KNOWN.clear()
            _KNOWN[key] = known
        return known


def clear_cache() -> None:
    """Forget every file read (the benchmarks time a cold read)."""
    _KNOWN.clear()


def _read(file: BinaryIO) -> ImageInfo:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=FORMATS) as image:
                width, height = image.size
                found = image.format or "?"
                orientation = image.getexif().get(_ORIENTATION)
    except (UnidentifiedImageError, SyntaxError):
        raise ProbeError(
            "not an image in a format that can be posted (JPEG, PNG, GIF or WebP)"
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ProbeError("too many pixels to be a photo (a decompression bomb?)") from None
    except OSError as error:
        raise ProbeError(f"cannot read it: {error.strerror or error}") from None
    if orientation in _ROTATED:
        width, height = height, width
    return ImageInfo(found, width, height)
