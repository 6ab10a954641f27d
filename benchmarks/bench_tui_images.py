"""A 20-image draft on the compose screen: what a keystroke costs until its preview is shown,
with image chips only (no insert-image dialog open), and with thumbnails drawn.

uv run python -m benchmarks.bench_tui_images [--keys N] [--chips-only]

Twenty 12-megapixel JPEGs beside a 20-paragraph draft (as bench_preview_images), previewed
for X, Mastodon and Bluesky in a headless app. Each keystroke is typed into the editor as
the user types it; the time is until the preview of that text is on screen, the screen's
60 ms pause for more typing included. Thumbnails are drawn by textual-image's
half-block widget (the Sixel and Kitty ones write to the real terminal); they are decoded
once, in a worker, before the keystrokes. `--chips-only` runs the first row alone (it runs
on older versions of the app too, to compare).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_preview_images import make
from benchmarks.timing import human
from composer.tui import Services, make_app
from composer.tui.compose import ComposeScreen
from composer.tui.preview import PreviewPane
from composer.tui.preview_work import Preview

FRONT_MATTER = '+++\ntitle = "Precincts"\nplatforms = ["x", "mastodon", "bluesky"]\n+++\n'


async def keystrokes(
    services: Services, path: Path, keys: int, pictures: Any = None
) -> tuple[float, float, float]:
    """The best and the median time from a keystroke to its preview on screen, and the
    median time the UI thread spends showing a preview (the text is saved after, so the
    next run finds no unsaved text to offer back)."""
    app = make_app(services, path, pictures) if pictures else make_app(services, path)
    times: list[float] = []
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, ComposeScreen)
        for _ in range(400):
            await pilot.pause(0.05)
            if screen.preview_current:
                break
        await app.workers.wait_for_complete()  # thumbnails decoded and shown
        await pilot.pause(0.2)
        pane = screen.query_one(PreviewPane)
        show = pane.show
        shown: list[float] = []

        async def timed_show(preview: Preview) -> None:
            start = time.perf_counter()
            await show(preview)
            shown.append(time.perf_counter() - start)

        pane.show = timed_show  # type: ignore[method-assign]
        for n in range(keys):
            start = time.perf_counter()
            screen.editor.insert("x " if n % 2 else "y", (4, 0))  # paragraph 0
            await asyncio.sleep(0)  # the editor's Changed message asks for the preview
            while not screen.preview_current:
                await asyncio.sleep(0.002)
            times.append(time.perf_counter() - start)
        screen.save_now()
    return min(times), statistics.median(times), statistics.median(shown)


async def measure(keys: int, chips_only: bool) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        with_images, _ = make(folder)
        path = folder / "report.md"
        path.write_text(FRONT_MATTER + with_images + "\n", encoding="utf-8")
        services = Services(
            drafts_dir=folder, workdir=folder, db_url=str(folder / "h.db"), data_dir=folder / "data"
        )
        try:
            print(f"A 20-image draft on the compose screen, {keys} keystrokes: best, median")
            best, median, ui = await keystrokes(services, path, keys)
            print(f"{'keystroke to preview, chips only':<40} {human(best)}  {human(median)}")
            print(f"{'  of which showing it (UI thread)':<40} {'':>10}  {human(ui)}")
            if chips_only:
                return
            from textual_image.widget import HalfcellImage

            from composer.tui.thumbnails import ThumbnailCache

            best, median, ui = await keystrokes(services, path, keys, HalfcellImage)
            print(f"{'keystroke to preview, with thumbnails':<40} {human(best)}  {human(median)}")
            print(f"{'  of which showing it (UI thread)':<40} {'':>10}  {human(ui)}")
            cache = ThumbnailCache()
            start = time.perf_counter()
            for file in sorted(folder.glob("*.jpg")):
                cache.get(file)
            cold = time.perf_counter() - start
            print(f"{'20 thumbnails decoded (once, in a worker)':<40} {human(cold)}")
        finally:
            services.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=30)
    parser.add_argument("--chips-only", action="store_true")
    args = parser.parse_args()
    asyncio.run(measure(args.keys, args.chips_only))


if __name__ == "__main__":
    main()
