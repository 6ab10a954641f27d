"""Preparing a 12-megapixel camera photo for Bluesky, X and Mastodon, cold and cached.

uv run python -m benchmarks.bench_media

The photo is made here (tests/media/images.py): 4032x3024, stored sideways (EXIF orientation
6), in a colour space that is not sRGB, with GPS, XMP, IPTC, a comment and a thumbnail. The
baseline, in the same process, is the least any tool pays to re-encode it: Pillow decoding
the file and writing it once as a JPEG, with none of the work that makes it safe (turning it
upright, converting its colours, fitting each limit).
"""

from __future__ import annotations

import io
import itertools
import shutil
import tempfile
from pathlib import Path

from PIL import Image

from benchmarks.timing import best_time, human
from composer.media import Limits, prepare, prepare_many
from tests.media.images import write_camera_photo

PLATFORMS = {
    "bluesky": Limits(max_bytes=2_000_000),
    "x": Limits(max_bytes=5_000_000),
    "mastodon": Limits(max_bytes=16_777_216, max_pixels=33_177_600),
}


def baseline(photo: Path) -> bytes:
    with Image.open(photo) as image:
        image.load()
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        return buffer.getvalue()


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-media-"))
    try:
        photo = write_camera_photo(folder / "akimat.jpg")
        limits = list(PLATFORMS.values())
        fresh = (folder / f"cache-{n}" for n in itertools.count())  # a cold cache each call
        warm = folder / "cache-warm"
        prepare_many(photo, limits, cache=warm)

        base = best_time(lambda: baseline(photo), repeat=5, number=1)
        rows = [
            ("3 platforms, cold", lambda: prepare_many(photo, limits, cache=next(fresh))),
            (
                "3 platforms one by one, cold",
                lambda: [prepare(photo, each, cache=next(fresh)) for each in limits],
            ),
            *(
                (f"{name} alone, cold", lambda each=each: prepare(photo, each, cache=next(fresh)))
                for name, each in PLATFORMS.items()
            ),
            ("3 platforms, cached", lambda: prepare_many(photo, limits, cache=warm)),
        ]
        size = photo.stat().st_size
        print(f"Preparing a 12-megapixel photo ({size:,} bytes, 4032x3024, orientation 6)")
        print(f"{'':<30} {'best of 5':>11} {'/ baseline':>11}")
        print(f"{'baseline: decode + one JPEG':<30} {human(base):>11} {'1.00x':>11}")
        for label, function in rows:
            seconds = best_time(function, repeat=5, number=1)
            print(f"{label:<30} {human(seconds):>11} {seconds / base:>10.2f}x")
        print()
        print(f"{'platform':<10} {'limit':>12} {'size':>12} {'pixels':>11} {'format':>11}")
        for (name, each), result in zip(
            PLATFORMS.items(), prepare_many(photo, limits, cache=warm), strict=True
        ):
            pixels = f"{result.width}x{result.height}"
            print(
                f"{name:<10} {each.max_bytes:>12,} {len(result.data):>12,} {pixels:>11} "
                f"{result.mime:>11}"
            )
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
