"""Splitting speed and quality against a greedy word-wrap, timed in the same run.

uv run python -m benchmarks.bench_split
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.timing import best_time, human
from composer import split
from composer.workspace.drafts import load_draft
from tests.greedy import greedy_split

ROOT = Path(__file__).resolve().parent.parent


def report_of(size: int) -> str:
    """The example report repeated (paragraphs renumbered so no two are alike) to `size`."""
    body = load_draft(str(ROOT / "drafts" / "example.md")).body.strip()
    parts: list[str] = []
    total = 0
    copy = 0
    while total < size:
        copy += 1
        part = body.replace("Sunday", f"Sunday ({copy})")
        parts.append(part)
        total += len(part) + 2
    return "\n\n".join(parts)[:size].rsplit(" ", 1)[0]


def main() -> None:
    print("Splitting (best of 7; greedy = word-wrap with exact numbering, as other tools do)")
    print(
        f"{'report':<10} {'platform':<9} {'split':>11} {'greedy':>11} {'ratio':>6} "
        f"{'posts':>6} {'greedy':>6} {'clean':>6} {'greedy':>6}"
    )
    for size in (5_000, 20_000, 100_000):
        text = report_of(size)
        for name in ("x", "bluesky", "mastodon"):
            repeat = 7 if size <= 20_000 else 3
            ours = best_time(lambda: split(text, name), repeat=repeat)
            theirs = best_time(lambda: greedy_split(text, name), repeat=repeat, number=1)
            thread = split(text, name)
            greedy = greedy_split(text, name)
            greedy_clean = sum(p.rstrip().endswith((".", "!", "?")) for p in greedy[:-1]) / max(
                1, len(greedy) - 1
            )
            print(
                f"{len(text):<10,} {name:<9} {human(ours):>11} {human(theirs):>11} "
                f"{theirs / ours:5.1f}x {len(thread.posts):>6} {len(greedy):>6} "
                f"{thread.clean_share:>6.0%} {greedy_clean:>6.0%}"
            )
    print()
    print("Live preview: re-split after a one-character edit in the middle")
    for size in (5_000, 20_000):
        text = report_of(size)
        middle = len(text) // 2
        edited = [text[:middle] + c + text[middle:] for c in "abcdefg"]
        index = iter(range(10**9))
        per_edit = best_time(lambda: split(edited[next(index) % 7], "x"))
        print(f"{len(text):<10,} x         {human(per_edit):>11} per keystroke")


if __name__ == "__main__":
    main()
