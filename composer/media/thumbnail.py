"""A small upright picture of an image file, for the TUI's post cards.

Read as safely as `probe` and `prepare` read (a regular file only, the formats of READABLE,
a decompression bomb refused), and cheaply: a JPEG is decoded at a reduced scale (Pillow's
`draft`), never at its twelve megapixels.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from composer.media.errors import MediaError
from composer.media.files import READABLE, open_regular

__all__ = ["THUMBNAIL_BOX", "thumbnail"]

THUMBNAIL_BOX = (192, 144)  # pixels: a few cells of a terminal at most


def thumbnail(path: Path, box: tuple[int, int] = THUMBNAIL_BOX) -> Image.Image:
    """The image at `path`, upright, fitted into `box` (RGB or RGBA); MediaError saying
    why not (its problem names no path)."""
    descriptor, _ = open_regular(path)
    with os.fdopen(descriptor, "rb") as file:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(file, formats=READABLE) as image:
                    image.draft("RGB", (box[0] * 2, box[1] * 2))  # JPEG: decode scaled down
                    upright = ImageOps.exif_transpose(image)
                    upright.thumbnail(box)
                    mode = "RGBA" if "A" in upright.getbands() else "RGB"
                    return upright.convert(mode)
        except (UnidentifiedImageError, SyntaxError):
            raise MediaError(path, "not an image") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise MediaError(path, "too many pixels to be a photo") from None
        except OSError as error:
            raise MediaError(path, f"cannot be read ({error.strerror or error})") from None
