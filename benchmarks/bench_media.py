"""Preparing a 12-megapixel camera photo for Bluesky, X and Mastodon, cold and cached.

uv run python -m benchmarks.bench_media

The photo is made here (tests/media/images.py): 4032x3024, stored sideways (EXIF orientation
6), in a colour space that is not sRGB, with GPS, XMP, IPTC, a comment and a thumbnail (and
once more without a colour profile, as most phones write sRGB, to show what converting costs). The
baseline, in the same process, is the least any tool pays to re-encode it: Pillow decoding
the file and writing it once as a JPEG, with none of the work that makes it safe (turning it
upright, converting its colours, fitting each limit).
"""

from __future__ import annotations

import io
import itertools
import shutil
import tempfile
import time
from collections.abc import Callable
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


def cpu_time(function: Callable[[], object], repeat: int = 5) -> float:
    """Processor seconds of one call, the best of `repeat`: on a shared machine, what the
    call costs when it has a core to itself."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best


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
        srgb_photo = write_camera_photo(folder / "phone.jpg", profile=b"")  # no profile: sRGB
        limits = list(PLATFORMS.values())
        fresh = (folder / f"cache-{n}" for n in itertools.count())  # a cold cache each call
        warm = folder / "cache-warm"
        prepare_many(photo, limits, cache=warm)

        base = best_time(lambda: baseline(photo), repeat=5, number=1)
        base_cpu = cpu_time(lambda: baseline(photo))
        rows: list[tuple[str, Callable[[], object]]] = [
            ("3 platforms, cold", lambda: prepare_many(photo, limits, cache=next(fresh))),
            (
                "3 platforms one by one, cold",
                lambda: [prepare(photo, each, cache=next(fresh)) for each in limits],
            ),
            *(
                (f"{name} alone, cold", lambda each=each: prepare(photo, each, cache=next(fresh)))
                for name, each in PLATFORMS.items()
            ),
            (
                "3 platforms, cold, sRGB photo",
                lambda: prepare_many(srgb_photo, limits, cache=next(fresh)),
            ),
            ("3 platforms, cached", lambda: prepare_many(photo, limits, cache=warm)),
        ]
        size = photo.stat().st_size
        print(f"Preparing a 12-megapixel photo ({size:,} bytes, 4032x3024, orientation 6)")
        print(f"{'':<30} {'wall, best of 5':>15} {'/ baseline':>11} {'CPU':>11} {'/ baseline':>11}")
        print(
            f"{'baseline: decode + one JPEG':<30} {human(base):>15} {'1.00x':>11} "
            f"{human(base_cpu):>11} {'1.00x':>11}"
        )
        for label, function in rows:
            seconds = best_time(function, repeat=5, number=1)
            cpu = cpu_time(function)
            print(
                f"{label:<30} {human(seconds):>15} {seconds / base:>10.2f}x "
                f"{human(cpu):>11} {cpu / base_cpu:>10.2f}x"
            )
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
