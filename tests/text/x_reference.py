"""The previous, slower X count, kept as the reference the fast path must equal.

composer.text.xcount used to walk every URL and multi-code-point emoji of a text in order
(as parseTweet does) and found emoji in whole stretches of emoji characters, digits
included. The fast path counts URLs and emoji chunks apart unless they may overlap;
tests/text/test_fast_count.py checks that both give the same numbers.
"""

from __future__ import annotations

import re

from composer.text import entities
from composer.text.xcount import X_URL_LENGTH, _heavy_count, _plain_weight

_EMOJI_STRETCH = re.compile(
    "["
    + "".join(f"{chr(low)}-{chr(high)}" for low, high in entities._EMOJI_RANGES if high <= 0xFFFF)
    + "\U00010000-\U0010ffff]+"
)


def emoji_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for stretch in _EMOJI_STRETCH.finditer(text):
        chars = stretch[0]
        if len(chars) < 2 or chars.isascii():
            continue
        base = stretch.start()
        for start, end in entities._emoji_matches(chars):
            if end - start > 1:
                spans.append((base + start, base + end))
    return spans


def extract_emoji(text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for stretch in _EMOJI_STRETCH.finditer(text):
        chars = stretch[0]
        if chars.isascii():
            continue
        base = stretch.start()
        for start, end in entities._emoji_matches(chars):
            found.append((base + start, base + end, chars[start:end]))
    return found


def weighted_units(text: str) -> list[tuple[int, int, int]]:
    urls = [(start, start + len(url), X_URL_LENGTH) for start, _, url in entities._scan_urls(text)]
    if text.isascii():
        return urls
    emoji = [(start, end, 2) for start, end in emoji_spans(text)]
    if not urls or not emoji:
        return urls or emoji
    units = []
    taken_until = 0
    for unit in sorted(urls + emoji, key=lambda unit: unit[0]):
        if unit[0] >= taken_until:
            units.append(unit)
            taken_until = unit[1]
    return units


def weighted_length_nfc(text: str) -> int:
    if text.isascii():
        total = len(text)
        for start, end, weight in weighted_units(text):
            total += weight - (end - start)
        return total
    total = len(text) + _heavy_count(text)
    for start, end, weight in weighted_units(text):
        total += weight - _plain_weight(text[start:end])
    return total


def url_pattern_as_written() -> re.Pattern[str]:
    """twitter-text's URL regex with its optional parts as ``(...)?`` and the directional
    markers listed in the preceding character, as entities wrote it before."""
    e = entities
    subdomain = f"(?:(?:{e._HOST_CHAR}{e._HOST_CHAR_OR_DASH_UNDERSCORE}*)?{e._HOST_CHAR}\\.)"
    domain = f"(?:(?:{e._HOST_CHAR}{e._HOST_CHAR_OR_DASH}*)?{e._HOST_CHAR}\\.)"
    preceding = f"(?:[^A-Za-z0-9@\uff20$#\uff03{e._INVALID_CHARS}]|[{e._DIRECTIONAL_MARKERS}]|^)"
    host = f"(?:{subdomain}*{domain}{e._tld_pattern()})"
    return re.compile(
        f"({preceding})"
        f"(({e._PROTOCOL})?"
        f"({host})"
        "(?::[0-9]+)?"
        f"(/{e._PATH}*)?"
        f"(?:\\?{e._QUERY_CHAR}*{e._QUERY_ENDING})?)"
    )
