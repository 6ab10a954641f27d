"""Which words of a report a spelling checker should look at. Pure: no dictionary here
(composer.workspace.spelling asks one about the words found here).

A word is a run of letters of any script (Latin, Cyrillic, Kazakh's әғқңөұүһі...), combining
marks included, with apostrophes inside it ("don't", "Qazaq’s"); a hyphen or a dot separates
words. Left out, because no dictionary has them or they are not prose:
- a whitespace-delimited chunk holding a mention or an address (`@user`, `@user@instance`,
  `@handle.bsky.social`, `name@example.org`, `https://...`, `www....`), a hashtag or a
  cashtag: the whole chunk, as composer.text.enrich leaves such chunks alone;
- a bare domain (`example.org/report`: dotted labels ending in a known top-level domain);
- a run glued to digits or underscores (`2nd`, `COVID19`, `snake_case`), and numbers;
- a word in capitals (`OSCE`, `ODIHR`: acronyms), and a single letter;
- a word of the names given (the address book's contacts), in any case;
- everything before `body_start` (the front matter) and the image lines.

Fast enough to run as one types: one regular expression over the text and a few checks per
word (benchmarks/bench_spelling.py).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import cache

from composer.text._tlds import COUNTRY_TLDS, GENERIC_TLDS
from composer.text.images import IMAGE_LINE
from composer.text.patterns import compile_on_use

__all__ = ["name_words", "spelling_candidates"]

_MARKS = "\u0300-\u036f\u0483-\u0489"  # combining marks (a decomposed й or ё)
_RUN = rf"[\w{_MARKS}]+"
_WORD = compile_on_use(rf"{_RUN}(?:['’]{_RUN})*")
# What may start a left-out chunk (a sigil, "://") or a domain (a dot between word
# characters), each checked in `_left_out`: one character class, which a search skips to fast.
_MARKER = compile_on_use("[.:@＠#＃$]")
_CHUNK_END = compile_on_use(r"\S*")
_HOST = compile_on_use(r"(?P<host>[\w-]+(?:\.[\w-]+)+)(?:/\S*)?")


@cache
def _top_level_domains() -> frozenset[str]:
    return frozenset(tld.casefold() for tld in (*GENERIC_TLDS, *COUNTRY_TLDS))


def name_words(names: Iterable[str]) -> frozenset[str]:
    """The words of `names` (contacts' names and keys), casefolded: left out wherever they
    are written, whatever the case."""
    return frozenset(word.casefold() for name in names for word in _WORD.findall(name))


def spelling_candidates(
    text: str, names: frozenset[str] = frozenset(), *, body_start: int = 0
) -> list[tuple[int, int]]:
    """The (start, end) offsets in `text` of the words to check, in order. `names` as made
    by `name_words`; `body_start`: where the text after the front matter starts."""
    left_out = _left_out(text, body_start)
    left_out.append((len(text), len(text)))  # a sentinel: the loop never runs out
    found: list[tuple[int, int]] = []
    index = 0
    skip_start, skip_end = left_out[0]
    for match in _WORD.finditer(text, body_start):
        start, end = match.span()
        while start >= skip_end:
            index += 1
            skip_start, skip_end = left_out[index]
        if end > skip_start:
            continue  # in a left-out span
        word = match.group()
        if len(word) < 2 or not (word.isalpha() or _letters(word)):
            continue
        if word.isupper() or (word[-2:-1] in ("'", "’") and word[:-2].isupper()):
            continue  # an acronym (OSCE), or its possessive (ODIHR's)
        if names and word.casefold() in names:
            continue
        found.append((start, end))
    return found


def _left_out(text: str, body_start: int) -> list[tuple[int, int]]:
    """The spans no word is taken from, in order and apart: image lines, chunks with a
    sigil or an address, bare domains (with their paths)."""
    spans = [image.span() for image in IMAGE_LINE.finditer(text, body_start)]
    tlds = _top_level_domains()
    position = body_start
    while marker := _MARKER.search(text, position):
        at = marker.start()
        position = at + 1
        sign = text[at]
        following = text[position : position + 1]
        if sign == ":":
            if not text.startswith("//", position):
                continue  # a colon in prose
        elif not _in_word(following) or (sign == "." and not _in_word(text[at - 1 : at])):
            continue  # a full stop, a lone sign
        if sign != ".":  # a sigil, "://": the whole chunk
            start = _back_while(text, at, body_start, _in_chunk)
            position = _CHUNK_END.match(text, position).end()  # type: ignore[union-attr]
            spans.append((start, position))
            continue
        start = _back_while(text, at, body_start, _in_host)
        while text[start] in ".-":
            start += 1
        host = _HOST.match(text, start)
        if host is None:  # hyphens and dots only before the dot
            continue
        name = host.group("host")
        if name[name.rfind(".") + 1 :].casefold() in tlds:
            spans.append(host.span())
        position = max(position, host.end())
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _letters(word: str) -> bool:
    """Whether `word` is letters, marks and apostrophes (no digit, "_" or "¼")."""
    return all(char.isalpha() or char in "'’" or unicodedata.combining(char) for char in word)


def _in_word(char: str) -> bool:
    return char.isalnum() or char == "_"  # "" (the text's end) is none


def _in_chunk(char: str) -> bool:
    return not char.isspace()


def _in_host(char: str) -> bool:
    return char.isalnum() or char in "_.-"


def _back_while(text: str, index: int, floor: int, keep: Callable[[str], bool]) -> int:
    """The first index of the run of characters `keep` takes that ends at `index`."""
    while index > floor and keep(text[index - 1]):
        index -= 1
    return index
