"""How each platform measures a post: the counting rules, as functions and weights.

Each platform has a primary measure (the number it shows and enforces) and possibly further
limits (Bluesky's UTF-8 bytes, Threads' five links). Every measure is also given as
per-character weights over NFC text, so the splitter can add up any slice in O(1) with prefix
sums; `count(t) == sum(weights(t))` holds for every measure (the tests check it).

Which platform uses which rules is said once, in `composer.text.platform_facts.FACTS`;
`composer.text.counting` looks them up by name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from composer.text.entities import extract_emoji, extract_urls
from composer.text.graphemes import grapheme_count, grapheme_weights
from composer.text.patterns import compile_on_use
from composer.text.xcount import X_URL_LENGTH, x_weighted_length

MASTODON_URL_LENGTH = 23


@dataclass(frozen=True, slots=True)
class Measure:
    """One limit a post must respect: how to count it, per character and in total."""

    unit: str
    limit: int
    count: Callable[[str], int]
    weights: Callable[[str], list[int]]


@dataclass(frozen=True, slots=True)
class Platform:
    """A platform's counting rules; `measure` is the one it shows, `extra` the other limits."""

    name: str
    measure: Measure
    extra: tuple[Measure, ...] = field(default=())

    @property
    def limit(self) -> int:
        return self.measure.limit

    def count(self, text: str) -> int:
        return self.measure.count(normalize(text))

    def with_limit(self, limit: int) -> Platform:
        """The same rules with another primary limit (a Mastodon instance's own, say)."""
        m = self.measure
        return Platform(self.name, Measure(m.unit, limit, m.count, m.weights), self.extra)


def normalize(text: str) -> str:
    """NFC, as X counts and as every platform stores text."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


# --- Mastodon: URLs count 23, "@user@domain" counts as "@user", the rest as graphemes.
# Mastodon's Account::MENTION_RE (app/models/account.rb); Ruby's [[:word:]] is \w here.
_MASTODON_MENTION = compile_on_use(
    r"(?<![=/\w])@(?P<user>[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?P<domain>@\w+(?:[.-]+\w+)*)?",
    re.IGNORECASE,
)


def mastodon_weights(text: str) -> list[int]:
    weights = grapheme_weights(text)
    urls = extract_urls(text, without_protocol=False) if "://" in text else []
    for url in urls:
        weights[url.start : url.end] = [MASTODON_URL_LENGTH] + [0] * (url.end - url.start - 1)
    if "@" in text:
        for mention in _MASTODON_MENTION.finditer(text):
            start, end = mention.span("domain")
            overlaps_url = any(u.start < mention.end() and mention.start() < u.end for u in urls)
            if start >= 0 and not overlaps_url:
                weights[start:end] = [0] * (end - start)
    return weights


def mastodon_count(text: str) -> int:
    # The server rewrites each link to 23 characters and "@user@domain" to "@user", then
    # counts graphemes; the same arithmetic without building per-character weights.
    total = grapheme_count(text)
    urls = extract_urls(text, without_protocol=False) if "://" in text else []
    for url in urls:
        total += MASTODON_URL_LENGTH - grapheme_count(url.text)
    if "@" in text:
        for mention in _MASTODON_MENTION.finditer(text):
            domain = mention.group("domain")
            if domain and not any(
                u.start < mention.end() and mention.start() < u.end for u in urls
            ):
                total -= grapheme_count(domain)
    return total


# --- Bluesky: graphemes, and UTF-8 bytes.
def utf8_weights(text: str) -> list[int]:
    if text.isascii():
        return [1] * len(text)
    return [len(ch.encode("utf-8", "surrogatepass")) for ch in text]


def utf8_count(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


# --- Threads: graphemes, but an emoji counts as its UTF-8 bytes; <= 5 links (docs/PLATFORMS.md).
def threads_weights(text: str) -> list[int]:
    weights = grapheme_weights(text)
    if not text.isascii():
        for emoji in extract_emoji(text):
            size = len(emoji.text.encode("utf-8"))
            weights[emoji.start : emoji.end] = [size] + [0] * (emoji.end - emoji.start - 1)
    return weights


def threads_count(text: str) -> int:
    return grapheme_count(text) if text.isascii() else sum(threads_weights(text))


def link_weights(text: str) -> list[int]:
    weights = [0] * len(text)
    for url in extract_urls(text):
        weights[url.start] = 1
    return weights


def link_count(text: str) -> int:
    return len(extract_urls(text))


# --- LinkedIn: UTF-16 code units of the text as sent, the conservative reading of "3000
# characters". The Posts API takes commentary (and the Comments API a comment's text) in
# LinkedIn's "little" text format, where reserved characters must be backslash-escaped or
# the post is cut short at the first one (docs/PLATFORMS.md, LinkedIn); the escapes are
# counted too. `little_escape` is the one place that escapes.
LITTLE_RESERVED = frozenset("\\|{}@[]()<>#*_~")
_HASHTAG_START = compile_on_use(r"#\w", re.UNICODE)


def _little_escaped(text: str) -> list[bool]:
    """Which characters of `text` are escaped: the reserved ones, except a `#` that starts
    a hashtag (kept one) and anything inside an http(s) link (kept clickable)."""
    escaped = [ch in LITTLE_RESERVED for ch in text]
    if not any(escaped):
        return escaped
    for index, ch in enumerate(text):
        if ch == "#" and _HASHTAG_START.match(text, index):
            escaped[index] = False
    for url in extract_urls(text, without_protocol=False):
        escaped[url.start : url.end] = [False] * (url.end - url.start)
    return escaped


def little_escape(text: str) -> str:
    """`text` as LinkedIn's little format takes it as plain text (hashtags and links kept)."""
    marks = _little_escaped(text)
    return "".join("\\" + ch if mark else ch for ch, mark in zip(text, marks, strict=True))


def little_unescape(text: str) -> str:
    """The plain text of little-format `text` (what LinkedIn shows): escapes removed."""
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


def utf16_weights(text: str) -> list[int]:
    astral = not text.isascii()
    units = [2 if astral and ord(ch) > 0xFFFF else 1 for ch in text]
    for index, mark in enumerate(_little_escaped(text)):
        units[index] += mark
    return units


def utf16_count(text: str) -> int:
    return len(little_escape(text).encode("utf-16-le", "surrogatepass")) // 2


def x_count(text: str) -> int:
    return x_weighted_length(text)


assert X_URL_LENGTH == MASTODON_URL_LENGTH  # both platforms shorten every link to 23
