"""Small helpers: best of several runs, in the same process as the baseline; a benchmark's
numbers from its command line."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any


def best_time(function: Callable[[], Any], *, repeat: int = 7, number: int | None = None) -> float:
    """Seconds per call, the best of `repeat` rounds of `number` calls (auto-sized)."""
    function()  # warm caches and lazy compilation
    if number is None:
        number = 1
        while True:
            start = time.perf_counter()
            for _ in range(number):
                function()
            if time.perf_counter() - start > 0.05 or number >= 1 << 16:
                break
            number *= 2
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def human(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds:8.2f} s "


def arguments(summary: str, **defaults: float) -> argparse.Namespace:
    """A benchmark's optional positional numbers, in order, each of its default's type and
    more than zero; anything else is argparse's one-line message and exit status 2."""

    def positive(kind: type[float]) -> Callable[[str], float]:
        def parse(text: str) -> float:
            try:
                value = kind(text)
            except ValueError:
                raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
            if value <= 0:
                raise argparse.ArgumentTypeError(f"must be more than zero: {text!r}")
            return value

        parse.__name__ = kind.__name__  # argparse names the type in its messages
        return parse

    parser = argparse.ArgumentParser(description=summary)
    for name, default in defaults.items():
        parser.add_argument(name, nargs="?", type=positive(type(default)), default=default)
    return parser.parse_args()
