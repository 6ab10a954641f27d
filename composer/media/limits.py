"""What a platform accepts (`Limits`, given by the caller) and what is sent (`Prepared`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

JPEG = "image/jpeg"
PNG = "image/png"
OUTPUT_FORMATS = frozenset({JPEG, PNG})


@dataclass(frozen=True, slots=True)
class Limits:
    """One platform's limits for an image. `None` means no limit of that kind.

    max_bytes: the file size (Bluesky's blob limit, X's 5 MB, Mastodon's `image_size_limit`).
    max_pixels: width x height (Mastodon's `image_matrix_limit`).
    max_side: the longer side, in pixels.
    formats: the MIME types the platform takes; JPEG is required (every platform takes it,
        and a photo has no other way to fit).
    """

    max_bytes: int
    max_pixels: int | None = None
    max_side: int | None = None
    formats: frozenset[str] = OUTPUT_FORMATS

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pixels", "max_side"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"Limits.{name} must be positive, not {value}")
        if JPEG not in self.formats or not self.formats <= OUTPUT_FORMATS:
            raise ValueError(
                f"Limits.formats must include {JPEG} and only {sorted(OUTPUT_FORMATS)}"
            )

    def digest(self) -> str:
        """A short stable name for these limits (part of a cache entry's name)."""
        text = (
            f"{self.max_bytes}|{self.max_pixels}|{self.max_side}|{','.join(sorted(self.formats))}"
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def admit(self, data: bytes, mime: str, width: int, height: int) -> bool:
        """Whether an encoded image of this size and format is within these limits."""
        return (
            len(data) <= self.max_bytes
            and mime in self.formats
            and (self.max_side is None or max(width, height) <= self.max_side)
            and (self.max_pixels is None or width * height <= self.max_pixels)
        )


@dataclass(frozen=True, slots=True)
class Prepared:
    """An image ready to upload: upright, sRGB, without any of the original's metadata.

    `width` and `height` are the upright pixel size (Bluesky's `aspectRatio`); `sha256` is
    the hex digest of `data`.
    """

    data: bytes = field(repr=False)
    mime: str
    width: int
    height: int
    sha256: str
