"""A 20-image draft in the preview: what reading its images adds to each keystroke.

uv run python -m benchmarks.bench_preview_images

Twenty 12-megapixel JPEGs (4032x3024, EXIF orientation 6) beside a 20-paragraph draft,
previewed for X, Mastodon and Bluesky as the compose screen does it after each pause in
typing: probing each file's header (cold, then from the cache kept while a file does not
change), and the whole preview with and without the image lines.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PIL import Image

from benchmarks.timing import best_time, human
from composer.media import probe as probing
from composer.tui.preview_work import platform_preview
from composer.workspace.drafts import parse_draft

PLATFORMS = ("x", "mastodon", "bluesky")
PARAGRAPH = "The observers reported pressure on public-sector voters in precinct {n}. " * 3


def make(folder: Path) -> tuple[str, str]:
    photo = Image.new("RGB", (4032, 3024), (120, 80, 40))
    exif = photo.getexif()
    exif[0x0112] = 6
    for n in range(20):
        photo.save(folder / f"precinct {n}.jpg", exif=exif, quality=85)
    paragraphs = [PARAGRAPH.format(n=n).strip() for n in range(20)]
    with_images = "\n\n".join(
        f"{text}\n![Ballot box in precinct {n}, seal broken](precinct {n}.jpg)"
        for n, text in enumerate(paragraphs)
    )
    return with_images, "\n\n".join(paragraphs)


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        with_images, without = make(folder)
        path = folder / "report.md"
        files = sorted(folder.glob("*.jpg"))

        def cold() -> None:
            probing.clear_cache()
            for file in files:
                probing.probe(file)

        def preview(text: str) -> None:
            draft = parse_draft(text, "report.md", path)
            for platform in PLATFORMS:
                platform_preview(draft, platform, None)

        rows = {
            "probe 20 files, cold": best_time(cold, repeat=5),
            "probe 20 files, cached": best_time(lambda: [probing.probe(f) for f in files]),
            "preview with the 20 images": best_time(lambda: preview(with_images)),
            "preview of the same text, no images": best_time(lambda: preview(without)),
        }
        print("A 20-image draft (12-megapixel JPEGs) previewed for x, mastodon, bluesky")
        for label, seconds in rows.items():
            print(f"{label:<36} {human(seconds)}")


if __name__ == "__main__":
    main()
