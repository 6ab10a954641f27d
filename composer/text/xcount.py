"""X (Twitter) weighted post length, exactly as twitter-text v3's parseTweet computes it.

The v3 configuration (tests/data/twitter-text/v3.json): code points in the ranges below weigh 1
and all others 2; a URL weighs 23 whatever its length; an emoji sequence weighs 2 however many
code points it has. A post is valid when it weighs 1 to 280 and holds none of U+FFFE, U+FEFF and
U+FFFF. Text is NFC-normalised first.

Unlike the unofficial Python port of twitter-text, line endings are left alone ("\\r\\n" weighs
2), as in the JavaScript original.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from composer.text.entities import (
    _NON_ASCII_EMOJI_CHAR,
    _emoji_chunk_texts,
    _emoji_sequences,
    _emoji_spans,
    _scan_urls,
)
from composer.text.patterns import compile_on_use

__all__ = ["X_LIMIT", "X_URL_LENGTH", "x_char_weights", "x_is_valid", "x_weighted_length"]

X_LIMIT = 280
X_URL_LENGTH = 23
_EMOJI_WEIGHT = 2

# The code points that weigh 1 (v3.json "ranges"). A class of BMP characters only compiles to a
# bitmap, and matching runs of it is a tight loop in re, far faster than searching with it.
_LIGHT_CHARS = r"\x00-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037"
_LIGHT_RUN = compile_on_use(f"[{_LIGHT_CHARS}]+")
_LIGHT_RUN_OR_NONE = compile_on_use(f"[{_LIGHT_CHARS}]*")
_HEAVY_RUN_OR_NONE = compile_on_use(f"[^{_LIGHT_CHARS}]*")
_INVALID_CHAR = compile_on_use("[\ufffe\ufeff\uffff]")


def _heavy_count(text: str) -> int:
    """How many code points of ``text`` weigh 2."""
    return len(_LIGHT_RUN.sub("", text))


@lru_cache(maxsize=4096)  # URLs and emoji recur within a text and across a thread
def _plain_weight(unit: str) -> int:
    """What ``unit`` would weigh as separate characters."""
    return len(unit) if unit.isascii() else len(unit) + _heavy_count(unit)


def _weighted_units(
    text: str, urls: list[tuple[int, int, str]] | None = None
) -> list[tuple[int, int, int]]:
    """``(start, end, weight)`` of the URLs and multi-code-point emoji that parseTweet counts.

    parseTweet walks the text and at each index takes a URL starting there, else an emoji starting
    there, else one character; a unit starting inside one already taken is skipped. A URL spans
    the length of its extracted value (see entities._scan_urls). ``urls``: _scan_urls(text).
    """
    if urls is None:
        urls = _scan_urls(text)
    url_units = [(start, start + len(url), X_URL_LENGTH) for start, _, url in urls]
    if text.isascii():  # no emoji sequence is ASCII
        return url_units
    emoji = [(start, end, _EMOJI_WEIGHT) for start, end in _emoji_spans(text)]
    if not url_units or not emoji:
        return url_units or emoji
    units = []
    taken_until = 0
    for unit in sorted(url_units + emoji, key=lambda unit: unit[0]):  # stable: URLs win ties
        if unit[0] >= taken_until:
            units.append(unit)
            taken_until = unit[1]
    return units


@lru_cache(maxsize=4096)  # the same few emoji recur within a text and across a thread
def _chunk_weight_change(chunk: str) -> int:
    """What counting the chunk's multi-code-point emoji as 2 each changes to its plain weight."""
    return sum(
        _EMOJI_WEIGHT - _plain_weight(chunk[start:end])
        for start, end in _emoji_sequences(chunk)
        if end - start > 1
    )


_EMOJI_CHAR = compile_on_use(_NON_ASCII_EMOJI_CHAR)
_JOINING = compile_on_use("[\ufe0f\u20e3\U00010000-\U0010ffff]")


def _weighted_length_nfc(text: str) -> int:
    urls = _scan_urls(text)
    if text.isascii():
        total = len(text)
        for _, _, url in urls:
            total += X_URL_LENGTH - len(url)
        return total
    heavy = _LIGHT_RUN.sub("", text)
    plain = len(text) + len(heavy)
    change = 0
    for start, _, url in urls:
        end = start + len(url)
        # A URL that holds an emoji character, or ends just before one (a keycap's digit), may
        # overlap an emoji sequence: then the units are walked in order, as parseTweet does.
        # Otherwise each URL and each emoji chunk changes the plain weight on its own, and a
        # chunk's change, like its emoji, recurs (the walk cost a third of a mixed text's count).
        if _EMOJI_CHAR.search(text, start, end + 1):
            units = _weighted_units(text, urls)
            return plain + sum(weight - _plain_weight(text[s:e]) for s, e, weight in units)
        piece = text[start:end]  # new in each text: a cache would only miss
        change += X_URL_LENGTH - (len(piece) if piece.isascii() else _plain_weight(piece))
    # An emoji of two or more code points holds U+200D (light), or U+FE0F, U+20E3 or an astral
    # character (heavy): without them, as in most prose, the chunks need not be looked for.
    if "\u200d" in text or _JOINING.search(heavy):
        change += sum(map(_chunk_weight_change, _emoji_chunk_texts(text)))
    return plain + change


def x_weighted_length(text: str) -> int:
    """parseTweet(text).weightedLength with the v3 configuration."""
    return _weighted_length_nfc(unicodedata.normalize("NFC", text))


def x_char_weights(text: str) -> list[int]:
    """One weight per code point of ``text``, which must already be NFC.

    ``sum(x_char_weights(t)) == x_weighted_length(t)`` for NFC ``t``: a URL's first code point
    carries 23 and the rest 0, an emoji sequence's first code point carries 2 and the rest 0, and
    any other code point 1 or 2 by the v3 ranges.
    """
    length = len(text)
    weights = [1] * length
    if not text.isascii():
        position = 0
        while True:
            position = _LIGHT_RUN_OR_NONE.match(text, position).end()  # type: ignore[union-attr]
            if position == length:
                break
            end = _HEAVY_RUN_OR_NONE.match(text, position).end()  # type: ignore[union-attr]
            weights[position:end] = [2] * (end - position)
            position = end
    for start, end, weight in _weighted_units(text):
        weights[start:end] = [weight] + [0] * (end - start - 1)
    return weights


def x_is_valid(text: str) -> bool:
    """parseTweet(text).valid: not empty, weighs at most 280, no U+FFFE, U+FEFF or U+FFFF."""
    normalized = unicodedata.normalize("NFC", text)
    return (
        bool(normalized)
        and _INVALID_CHAR.search(normalized) is None
        and _weighted_length_nfc(normalized) <= X_LIMIT
    )
