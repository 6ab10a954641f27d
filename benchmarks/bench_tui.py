"""Keystroke-to-preview latency of the compose screen, on 5,000 and 20,000-character drafts.

uv run python -m benchmarks.bench_tui

The app runs headless (App.run_test) at 120x40; each keystroke is sent with pilot.press and
timed until the preview on screen is that of the new text. The baseline, timed in the same
process, is the bare work of one preview: parsing the draft and splitting it for its three
platforms (build_preview). A keystroke is split at once when no split runs, else after
PREVIEW_DELAY of quiet. Drafts of PROCESS_FROM characters or more are split in the split
process; the benchmark waits for it to come up before timing.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.bench_split import report_of
from benchmarks.timing import best_time, human
from composer.text import split
from composer.tui import Services, make_app
from composer.tui.compose import PREVIEW_DELAY, ComposeScreen
from composer.tui.preview_work import PROCESS_FROM, Preview, build_preview
from composer.workspace.config import load_config

ROOT = Path(__file__).resolve().parent.parent
FRONT_MATTER = """+++
title = "Benchmark report"
accounts = ["ank-x", "ank-masto", "ank-bsky"]
mentions = ["hrw", "freedomhouse"]
hashtags = ["KazakhstanElections"]
+++
"""
KEYSTROKES = 25


@dataclass
class Timings:
    to_tab: list[float] = field(default_factory=list)  # key press -> visible tab updated
    to_preview: list[float] = field(default_factory=list)  # key press -> all tabs updated
    round_trip: list[float] = field(default_factory=list)  # pilot.press -> app idle again
    burst_previews: int = 0
    made_in_process: int = 0  # platform previews the split process made
    process_start: float = 0.0  # waited for the split process to come up


async def measure(folder: Path, draft: Path) -> Timings:
    """Time each keystroke (one at a time, in the middle of the draft) until its preview is
    on screen; then count the previews computed for a burst of 10 fast keystrokes (the
    debounce and the dropping of stale results at work)."""
    services = Services(
        drafts_dir=draft.parent,
        config_path=str(folder / "accounts.toml"),
        db_url=str(folder / "history.db"),
        workdir=folder,
    )
    app = make_app(services, draft)
    timings = Timings()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, ComposeScreen)
        shown_at: list[float] = []  # when a preview was complete on screen
        first_at: dict[int, float] = {}  # when each text's visible tab was updated
        show_preview = screen.show_preview

        async def timed_show(
            generation: int, text: str, preview: Preview, complete: bool = True
        ) -> None:
            await show_preview(generation, text, preview, complete)
            if generation == screen.requested:
                first_at.setdefault(generation, time.perf_counter())
                if complete:
                    shown_at.append(time.perf_counter())

        screen.show_preview = timed_show  # type: ignore[method-assign]
        while not screen.preview_current:
            await pilot.pause(0.01)
        process = services.split_process
        started = time.perf_counter()
        while len(screen.editor.text) >= PROCESS_FROM and not process.ready:
            await pilot.pause(0.01)  # a long draft's first preview started it: let it come up
        timings.process_start = time.perf_counter() - started
        editor = screen.editor
        editor.move_cursor((editor.document.line_count // 2, 0))
        for number in range(KEYSTROKES + 1):
            start = time.perf_counter()
            await pilot.press("abcdefghij"[number % 10])
            pressed = time.perf_counter()
            while not screen.preview_current:
                await asyncio.sleep(0.001)
            if number:  # the first keystroke warms caches up
                timings.to_tab.append(first_at[screen.shown] - start)
                timings.to_preview.append(shown_at[-1] - start)
                timings.round_trip.append(pressed - start)
        before = len(shown_at)
        await pilot.press(*"burstburst")
        while not screen.preview_current:
            await asyncio.sleep(0.001)
        timings.burst_previews = len(shown_at) - before
        timings.made_in_process = process.made
    return timings


def main() -> None:
    print(f"Compose screen: keystroke to preview (headless, 120x40, debounce {PREVIEW_DELAY}s)")
    print(
        f"{'draft':<8} {'tab p50':>11} {'tab p95':>11} {'all p50':>11} {'all p95':>11} "
        f"{'press p50':>11} {'baseline':>11} {'tab/base':>9} {'all/base':>9} {'split x':>11} "
        f"{'burst':>6} {'process':>8}"
    )
    config = load_config(ROOT / "accounts.example.toml")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        shutil.copyfile(ROOT / "accounts.example.toml", folder / "accounts.toml")
        (folder / "drafts").mkdir()
        for size in (5_000, 20_000):
            body = report_of(size)
            text = FRONT_MATTER + body
            draft = folder / "drafts" / f"report-{size}.md"
            draft.write_text(text, encoding="utf-8")
            edited = iter(range(10**9))
            baseline = best_time(
                lambda: build_preview(text + str(next(edited)), "bench", config), repeat=5
            )
            bare = best_time(lambda: split(body + str(next(edited)), "x"), repeat=5)
            timings = asyncio.run(measure(folder, draft))
            tab50 = statistics.median(timings.to_tab)
            tab95 = statistics.quantiles(timings.to_tab, n=20)[-1]
            p50 = statistics.median(timings.to_preview)
            p95 = statistics.quantiles(timings.to_preview, n=20)[-1]
            press = statistics.median(timings.round_trip)
            print(
                f"{size:<8,} {human(tab50):>11} {human(tab95):>11} {human(p50):>11} "
                f"{human(p95):>11} {human(press):>11} "
                f"{human(baseline):>11} {tab50 / baseline:8.1f}x {p50 / baseline:8.1f}x "
                f"{human(bare):>11} "
                f"{timings.burst_previews:>3}/10  {timings.made_in_process:>4}"
            )
    print(
        "tab: key press to the visible platform's cards updated; all: every tab;\n"
        "press p50: pilot.press until the app is idle (repainted);\n"
        "baseline: parsing the draft and splitting it for x, mastodon and bluesky, no UI;\n"
        "tab/base, all/base: the p50s over the baseline (the goal: 1.5x or less);\n"
        "burst: previews shown for 10 keys typed at once (debounced; stale ones dropped);\n"
        f"process: platform previews made in the split process (drafts of {PROCESS_FROM:,}"
        " characters or more)"
    )


if __name__ == "__main__":
    main()
