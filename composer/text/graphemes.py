"""Extended grapheme clusters (UAX #29), the unit Bluesky, Mastodon and Threads count.

`regex`'s `\\X` is exact but costs about 0.4 µs a character, too slow to run over a whole
report on every keystroke. Nearly every character of English, Russian or Kazakh prose starts
a cluster of its own, so one stdlib `re` scan finds the few characters that may continue a
cluster, and only the words around them are segmented with `\\X`.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from composer.text._grapheme_data import CONTINUING_RANGES
from composer.text.patterns import compile_on_use

if TYPE_CHECKING:
    import regex

# Every astral character is treated as a candidate (the local `\\X` pass sorts them out):
# stdlib `re` tests a class with astral ranges one range at a time, 40 times slower.
_CONTINUING = compile_on_use(
    "["
    + "".join(
        f"{re.escape(chr(a))}-{re.escape(chr(min(b, 0xFFFF)))}"
        for a, b in CONTINUING_RANGES
        if a <= 0xFFFF
    )
    + "\U00010000-\U0010ffff]"
)


@cache
def _cluster() -> regex.Pattern[str]:
    import regex  # imported on first need: it costs about 50 ms, most texts never need it

    return regex.compile(r"\X")


_SPACE = compile_on_use(r"\s")


def _continuing_positions(text: str) -> list[int]:
    """Indices of the characters of `text` that do not start a grapheme cluster."""
    if text.isascii() and "\r" not in text:
        return []
    hit = _CONTINUING.search(text)
    if hit is None:
        return []
    inside: list[int] = []
    pos = hit.start()
    length = len(text)
    while hit is not None:
        # Segment from the whitespace before the hit to the whitespace after it: a cluster
        # never extends past a whitespace character that a continuing one does not follow.
        start = pos
        while start > 0 and not _SPACE.match(text, start - 1):
            start -= 1
        start = max(start - 1, 0)
        end = pos + 1
        # A CR or a Prepend character binds the next character, even a space.
        while end < length and (
            not _SPACE.match(text, end)
            or _CONTINUING.match(text, end)
            or _CONTINUING.match(text, end - 1)
        ):
            end += 1
        for cluster in _cluster().finditer(text, start, end):
            inside.extend(range(cluster.start() + 1, cluster.end()))
        hit = _CONTINUING.search(text, end)
        if hit is not None:
            pos = hit.start()
    return inside


def grapheme_count(text: str) -> int:
    """Number of extended grapheme clusters in `text`."""
    return len(text) - len(_continuing_positions(text))


def grapheme_weights(text: str) -> list[int]:
    """1 for each character that starts a grapheme cluster, 0 for the others."""
    weights = [1] * len(text)
    for index in _continuing_positions(text):
        weights[index] = 0
    return weights


def graphemes(text: str) -> list[str]:
    """The grapheme clusters of `text`, in order."""
    return _cluster().findall(text)
