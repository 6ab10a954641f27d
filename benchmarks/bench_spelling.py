"""Spelling a 20,000-character draft: the word scan and the dictionary's check, against a
split of the same draft in the same run.

uv run python -m benchmarks.bench_spelling
"""

from __future__ import annotations

from benchmarks.bench_split import report_of
from benchmarks.timing import best_time, human
from composer import split
from composer.text.spelling import spelling_candidates
from composer.workspace.spelling import SpellingOff, check_draft, spelling_for


def main() -> None:
    checker = spelling_for("en")
    if isinstance(checker, SpellingOff):
        print(checker.reason)
        return
    print(f"Spelling (best of 7; the dictionary: {checker.tag}, answers remembered per word)")
    print(
        f"{'draft':<8} {'words':>6} {'scan':>11} {'scan+check':>11} {'cold check':>11} "
        f"{'split x':>11}"
    )
    for size in (5_000, 20_000):
        text = report_of(size)

        # A draft just opened: the dictionary asked about every word (answers forgotten).
        def forgotten_then_checked() -> None:
            checker._known.clear()
            check_draft(text)

        cold = best_time(forgotten_then_checked, repeat=3, number=1)
        scan = best_time(lambda: spelling_candidates(text))
        check = best_time(lambda: check_draft(text))
        splitting = best_time(lambda: split(text, "x"), repeat=3)
        words = len(spelling_candidates(text))
        print(
            f"{len(text):<8,} {words:>6,} {human(scan):>11} {human(check):>11} "
            f"{human(cold):>11} {human(splitting):>11}"
        )


if __name__ == "__main__":
    main()
