"""An image made safe and small enough for a platform: `prepare(path, limits)`.

Every image goes through the same steps, once per image and limits (then from the cache):

1. read the file (a regular file, at most `MAX_SOURCE_BYTES`) and hash it;
2. decode it with Pillow, in the formats listed in `files.READABLE` only (no plugin that runs an
   outside program), with Pillow's decompression-bomb check kept; an animated image is
   refused (a still frame would change what the author meant to show);
3. turn it upright from its EXIF orientation;
4. convert it to sRGB from its ICC profile (CMYK and palettes included);
5. encode the pixels alone: no EXIF (GPS, make, model, serial numbers, thumbnail), XMP,
   IPTC, comment or ICC profile of the original is written, because `_encode` builds the
   file from a fresh image and names every option it writes;
6. fit the limits by downscaling (never cropping): PNG is kept for a lossless source (a
   screenshot or chart in PNG, GIF or BMP) when it fits, JPEG otherwise.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import os
import warnings
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from composer.media.cache import MediaCache, default_cache
from composer.media.errors import MediaError
from composer.media.files import READABLE, open_regular
from composer.media.limits import JPEG, PNG, Limits, Prepared

# Bump when the steps above change what they produce, so older cache entries are not reused.
PIPELINE_VERSION = 1
LOSSLESS = frozenset({"PNG", "GIF", "BMP"})  # kept as PNG when it fits
MAX_SOURCE_BYTES = 200 * 1024 * 1024
JPEG_QUALITY = 85
# Each try that is too large shrinks the sides by sqrt(limit / size) times this margin.
_SHRINK_MARGIN = 0.9  # a try more costs more time than 10% of the sides is worth
_MAX_TRIES = 8

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# JPEG cannot hold a longer side (a scrolling screenshot can be longer).
_JPEG_MAX_SIDE = 65_500

# Pillow warns about what it skips in a damaged file ("Corrupt EXIF data") and about
# images above its first decompression-bomb threshold (a 100-megapixel camera is real;
# twice that is refused as DecompressionBombError). Printed, those would be noise on the
# terminal or in the TUI. Filtered for the process, not in a catch_warnings block, which
# is not thread-safe (the TUI prepares images in worker threads).
warnings.filterwarnings("ignore", category=UserWarning, module="PIL")
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def prepare(path: Path, limits: Limits, *, cache: Path | None = None) -> Prepared:
    """`path` made ready for a platform with `limits`. Raises MediaError.

    `cache` is the cache folder (default: `locations.media_cache_folder()`).
    """
    return prepare_many(path, [limits], cache=cache)[0]


def prepare_many(
    path: Path, limits: Sequence[Limits], *, cache: Path | None = None
) -> list[Prepared]:
    """`path` made ready for several platforms, decoding it at most once. Raises MediaError."""
    return _prepare_source(_read(path), path, limits, cache)


def prepare_data(
    source: bytes, name: Path, limits: Limits, *, cache: Path | None = None
) -> Prepared:
    """An image already read (fetched: a link card's picture) made ready for `limits`, as
    `prepare` makes a file; `name` is what a MediaError names. Raises MediaError."""
    if len(source) > MAX_SOURCE_BYTES:
        raise MediaError(name, _too_large())
    return _prepare_source(source, name, [limits], cache)[0]


def _prepare_source(
    source: bytes, path: Path, limits: Sequence[Limits], cache: Path | None
) -> list[Prepared]:
    source_hash = hashlib.sha256(source).hexdigest()
    store = MediaCache(cache) if cache is not None else default_cache()
    names = [f"{source_hash}-{_digest(each)}" for each in limits]
    found = [store.get(name, each) for name, each in zip(names, limits, strict=True)]
    missing = [i for i, prepared in enumerate(found) if prepared is None]
    if missing:
        image, lossless = _decode(source, path, [limits[i] for i in missing])
        encoder = _Encoder(image)  # platforms that need the same size share one encoding
        for i in missing:
            prepared = _fit(encoder, limits[i], lossless, path)
            found[i] = prepared
            # The cache only saves time: with an unwritable data folder, prepare again next time.
            with contextlib.suppress(OSError):
                store.put(names[i], prepared)
    return [prepared for prepared in found if prepared is not None]


def _digest(limits: Limits) -> str:
    return f"{PIPELINE_VERSION}.{limits.digest()}"


def _too_large() -> str:
    return f"too large (at most {MAX_SOURCE_BYTES:,} bytes)"


def _read(path: Path) -> bytes:
    """The file's bytes (`open_regular`), read no further than the limit."""
    descriptor, info = open_regular(path)
    try:
        if info.st_size > MAX_SOURCE_BYTES:
            raise MediaError(path, _too_large())
        data = bytearray()
        while chunk := os.read(descriptor, 1 << 20):
            data += chunk
            if len(data) > MAX_SOURCE_BYTES:  # it grew after fstat
                raise MediaError(path, _too_large())
    except OSError as error:
        raise MediaError(path, f"cannot be read ({error.strerror or error})") from None
    finally:
        os.close(descriptor)
    return bytes(data)


def _decode(source: bytes, path: Path, limits: Sequence[Limits]) -> tuple[Image.Image, bool]:
    """The pixels alone (a new image: no `info`, EXIF or profile), upright, in sRGB ("RGB",
    "RGBA" or "L"); and whether the source was lossless.

    A JPEG too large for every one of `limits` is decoded at a smaller scale (the decoder
    does it cheaply), never smaller than the largest of them needs. Whatever Pillow raises
    on the file is a MediaError: its plugins parse untrusted bytes and, on a damaged file,
    raise more than OSError (TypeError, KeyError, struct.error...).
    """
    try:
        image = Image.open(io.BytesIO(source), formats=READABLE)
        if getattr(image, "is_animated", False) and image.format != "MPO":
            frames = f"{image.n_frames} frames"  # type: ignore[attr-defined]
            raise MediaError(path, f"animated image ({frames}): use a still image (PNG or JPEG)")
        lossless = image.format in LOSSLESS
        scale = max(_scale(image.size, each) for each in limits)  # the same when upright
        if scale < 1 and image.format in ("JPEG", "MPO"):
            width, height = image.size
            image.draft(None, (math.ceil(width * scale), math.ceil(height * scale)))
        image.load()
        ImageOps.exif_transpose(image, in_place=True)
        return _pixels_only(_srgb(image)), lossless
    except MediaError:
        raise
    except UnidentifiedImageError:
        readable = ", ".join(READABLE).lower()
        raise MediaError(path, f"not an image (or not one of {readable})") from None
    except Image.DecompressionBombError:
        limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
        raise MediaError(path, f"too large to decode safely (more than {limit:,} pixels)") from None
    except MemoryError:
        raise MediaError(path, "too large to decode in the memory available") from None
    except Exception as error:
        raise MediaError(path, f"damaged image ({type(error).__name__}: {error})") from None


def _srgb(image: Image.Image) -> Image.Image:
    """`image` converted to sRGB pixels in "RGB", "RGBA" or "L"."""
    alpha = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info
    target = "RGBA" if alpha else ("L" if image.mode in ("1", "L") else "RGB")
    if image.mode in ("P", "PA", "1"):
        image = image.convert("RGBA" if alpha else "RGB")
    elif image.mode.startswith("I;16") or image.mode in ("I", "F"):
        # 16 bits (a scan): 0..65535 to 0..255, where a plain convert would clip at 255.
        image = image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
        target = "L"
    profile = _profile(image.info.get("icc_profile"))
    if profile is not None:
        try:
            converted = ImageCms.profileToProfile(
                image, profile, _SRGB, outputMode="RGBA" if alpha else "RGB"
            )
        except ImageCms.PyCMSError:
            pass  # a profile that does not fit the pixels: they are taken as sRGB
        else:
            assert converted is not None  # inPlace=False returns the new image
            image = converted
            target = "RGBA" if alpha else "RGB"
    return image if image.mode == target else image.convert(target)


def _profile(icc: object) -> ImageCms.ImageCmsProfile | None:
    """The ICC profile to convert from; None for none, sRGB itself, or an unreadable one."""
    if not isinstance(icc, bytes) or not icc:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(profile).lower():
            return None
    except (ImageCms.PyCMSError, OSError, ValueError):
        return None  # unreadable: the pixels are taken as sRGB, as a browser would
    return profile


def _scale(size: tuple[int, int], limits: Limits) -> float:
    """The largest scale (at most 1) at which `size` is within the side and pixel limits."""
    width, height = size
    scale = 1.0
    if limits.max_side is not None:
        scale = min(scale, limits.max_side / max(width, height))
    if limits.max_pixels is not None:
        scale = min(scale, math.sqrt(limits.max_pixels / (width * height)))
    return scale


def _scaled(size: tuple[int, int], scale: float) -> tuple[int, int]:
    width, height = size
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image with the pixels of `image` and nothing else: Pillow falls back to an
    image's `info` when saving (a JPEG comment, a PNG ICC profile), so nothing the source
    carried may reach the encoder. Resized copies inherit the empty `info`."""
    pixels = Image.new(image.mode, image.size)
    pixels.paste(image)
    return pixels


class _Encoder:
    """Encodings of one image at the sizes asked for, each made once."""

    def __init__(self, image: Image.Image) -> None:
        self.image = image
        self._done: dict[tuple[tuple[int, int], str], bytes] = {}

    def encode(self, size: tuple[int, int], mime: str) -> bytes:
        key = (size, mime)
        if key not in self._done:
            image = self.image
            if image.size != size:
                image = image.resize(size, Image.Resampling.BICUBIC, reducing_gap=3.0)
            self._done[key] = _encode(image, mime)
        return self._done[key]


def _fit(encoder: _Encoder, limits: Limits, lossless: bool, path: Path) -> Prepared:
    """The image encoded within `limits`: PNG when the source was lossless and it fits, else
    JPEG, shrinking the sides until the file is small enough."""
    size = _scaled(encoder.image.size, _scale(encoder.image.size, limits))
    if lossless and PNG in limits.formats:
        data = encoder.encode(size, PNG)
        if limits.admit(data, PNG, *size):
            return _prepared(data, PNG, size)
    size = _scaled(size, min(1.0, _JPEG_MAX_SIDE / max(size)))
    for _ in range(_MAX_TRIES):
        data = encoder.encode(size, JPEG)
        if limits.admit(data, JPEG, *size):
            return _prepared(data, JPEG, size)
        shrink = min(math.sqrt(limits.max_bytes / len(data)) * _SHRINK_MARGIN, _SHRINK_MARGIN)
        size = _scaled(size, shrink)
    raise MediaError(path, f"cannot be made smaller than {limits.max_bytes:,} bytes")


def _encode(image: Image.Image, mime: str) -> bytes:
    """`image` (pixels only, see `_pixels_only`) as a JPEG or PNG file; every option written
    is named here, none comes from the source."""
    buffer = io.BytesIO()
    if mime == PNG:
        image.save(buffer, "PNG", optimize=False, compress_level=6)
    else:
        if image.mode == "RGBA":
            image = _flattened(image)
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=False)
    return buffer.getvalue()


def _flattened(image: Image.Image) -> Image.Image:
    """A transparent image on white (JPEG has no transparency)."""
    white = Image.new("RGB", image.size, (255, 255, 255))
    white.paste(image, mask=image.getchannel("A"))
    return white


def _prepared(data: bytes, mime: str, size: tuple[int, int]) -> Prepared:
    return Prepared(data, mime, size[0], size[1], hashlib.sha256(data).hexdigest())
