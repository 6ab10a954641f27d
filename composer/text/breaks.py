"""Where a report may be cut, and how clean each cut is.

Cuts fall only in runs of breaking whitespace, so URLs, mentions, hashtags, cashtags, emoji
sequences and numbers are unbreakable by construction. No-break spaces (U+00A0, U+2007,
U+202F) and the thousands groups of a number ("1 000 000") are never cut.
"""

from __future__ import annotations

import re
from enum import IntEnum
from functools import cache
from typing import NamedTuple

from composer.text.entities import extract_entities
from composer.text.patterns import compile_on_use


class BreakKind(IntEnum):
    """How a cut between two posts reads, cleanest first."""

    SECTION = 0  # a line holding only "---": the author asked for a break here
    PARAGRAPH = 1
    LINE = 2
    SENTENCE = 3
    CLAUSE = 4
    WORD = 5
    FORCED = 6  # inside a word longer than a post
    END = 7  # after the last post

    @property
    def clean(self) -> bool:
        """A break a reader would not notice: between sections, paragraphs, lines, sentences."""
        return self <= BreakKind.SENTENCE


class Token(NamedTuple):
    """An unbreakable run of the text, and the kind of cut allowed right after it."""

    start: int
    end: int
    after: BreakKind  # kind of the cut before the next token (END for the last)


SECTION_MARK = compile_on_use(r"^[ \t]*---[ \t]*$", re.MULTILINE)
# Runs of anything but whitespace, joined by no-break spaces (U+00A0, U+2007, U+202F); a
# no-break space at either end of a run is whitespace like any other.
_SOLID = r"[^\s]+"
_NO_BREAK = "[\u00a0\u2007\u202f]+"
_TOKEN = compile_on_use(f"{_SOLID}(?:{_NO_BREAK}{_SOLID})*")
_SENTENCE_END = compile_on_use(r"(?:[.!?…。！？]|\.\.\.|[!?]{2})[\"'”’»)\]」』）]*$")
_CLAUSE_END = compile_on_use(r"[,;:][\"'”’»)\]]*$")
_DASHES = frozenset("—–-")
# Chinese and Japanese are written without spaces: a cut may fall after any ideograph or kana,
# cleanly after their sentence and clause marks.
_CJK_CHARS = (
    "\u2e80-\u2fdf\u3001-\u303f\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\uff01-\uff0f\uff1a-\uff20\uff5b-\uff65\U00020000-\U0003134f"
)
_CJK_FIRST = "\u2e80"  # no character below this is in _CJK_CHARS


@cache
def _cjk_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A CJK character; a word's pieces around its CJK characters. Compiled when a text first
    has a character that may be CJK: compiling these ranges costs about 8 ms, at every start
    of `split` otherwise."""
    cjk = re.compile(f"[{_CJK_CHARS}]")
    piece = re.compile(
        # a run of other characters (no-break spaces inside it, never at its ends), or
        f"[^{_CJK_CHARS}\\s]+(?:{_NO_BREAK}[^{_CJK_CHARS}\\s]+)*"
        # one CJK character with the opening marks before it and the closing marks after it
        f"|[「『（(〈《【]*[{_CJK_CHARS}][、。！，．：；？」』】）)]*"
    )
    return cjk, piece


def _has_cjk(text: str) -> bool:
    return bool(text) and max(text) >= _CJK_FIRST and _cjk_patterns()[0].search(text) is not None


_ENTITY_HINT = compile_on_use(r"[.@#$＠＃]")
_CJK_CLOSERS = "」』）)】"  # a set of characters to strip
_CJK_SENTENCE_END = frozenset("。！？．!?")
_CJK_CLAUSE_END = frozenset("、，；：,;:")
_OPENERS = "\"'“‘«([¿¡"
_CLOSE_ONLY = compile_on_use(r"^[)\]}»”’.,;:!?…]+$")
_DIGIT_GROUP_HEAD = compile_on_use(r"^[(\"«]?[+-−]?\d{1,3}$")
_DIGIT_GROUP = compile_on_use(r"^\d{3}(?:[.,]\d+)?(?:[^\w\s].*)?$")

# Abbreviations that never end a sentence (the next word belongs to them).
NEVER_FINAL = frozenset(
    """
    mr. mrs. ms. dr. prof. sr. st. vs. v. art. arts. p. pp. para. ch. fig. figs.
    vol. ed. eds. cf. e.g. i.e. approx. est. dept. gen. gov. sen. rep. rev. hon. capt. col.
    lt. sgt. mt. ft. ave. blvd. jan. feb. mar. apr. jun. jul. aug. sep. sept. oct. nov. dec.
    т.е. ст. им. ул. пр-т. д. кв. г-н. г-жа. см. ср. напр. п. пп. ч. рис. табл. тыс. млн.
    млрд. руб. тг. гл. проф. акад. св. т.н. т.к. т.ч. кв. обл. р-н. с. пос. эт.
    """.split()
)
# Abbreviations that end a sentence when the next word is capitalised ("... in 2022 г. В").
SOMETIMES_FINAL = frozenset(
    """
    no. nos. etc. a.m. p.m. inc. ltd. co. corp. jr. bros. al. u.s. u.k. u.n. e.u. ussr.
    г. гг. в. вв. т.д. т.п. др. пр. и.т.д. и.т.п.
    """.split()
)
_INITIAL = compile_on_use(r"^[(\"«“]?\w\.$")
_ABBREV_SHAPE = compile_on_use(r"^\w(?:\.\w)+\.$")  # e.g. "U.S." "т.е."


def _starts_capital(word: str) -> bool:
    core = word.lstrip(_OPENERS + "-–—•*")
    if not core:
        return False
    first = core[0]
    return first.isupper() or first.isdigit() or not first.isalpha()


def _ends_sentence(word: str, next_word: str | None) -> bool:
    if not _SENTENCE_END.search(word):
        return False
    core = word.rstrip("\"'”’»)]").lstrip(_OPENERS).lower()
    if not core.endswith("."):
        return True  # ! ? … end a sentence whatever follows
    if core.endswith("..."):
        return next_word is None or _starts_capital(next_word)
    if next_word is None:
        return True
    if core in SOMETIMES_FINAL:
        return _starts_capital(next_word) and not next_word[:1].isdigit()
    if core in NEVER_FINAL or _INITIAL.match(word):
        return False
    if _ABBREV_SHAPE.match(core):
        return _starts_capital(next_word) and not next_word[:1].isdigit()
    return _starts_capital(next_word)


def _cut_kind(text: str, gap_start: int, gap_end: int, word: str, next_word: str) -> BreakKind:
    if gap_end - gap_start > 1 or text[gap_start] == "\n":
        newlines = text.count("\n", gap_start, gap_end)
        if newlines >= 2:
            return BreakKind.PARAGRAPH
        if newlines == 1:
            return BreakKind.LINE
    if word[-1].isalnum() and next_word not in _DASHES:
        return BreakKind.WORD  # the common case, decided without a regex
    if _ends_sentence(word, next_word):
        return BreakKind.SENTENCE
    if _CLAUSE_END.search(word) or word in _DASHES or next_word in _DASHES:
        return BreakKind.CLAUSE
    return BreakKind.WORD


def _glued(word: str, next_word: str) -> bool:
    """Cuts that would tear one unit apart: "1 000 000", "No. 37", a lone closing mark."""
    if word[-1].isalpha() and next_word[0].isalnum():
        return False  # the common case, decided without a regex
    if _DIGIT_GROUP_HEAD.match(word) and _DIGIT_GROUP.match(next_word):
        return True
    if _CLOSE_ONLY.match(next_word):
        return True
    core = word.lstrip(_OPENERS).lower()
    return (
        core in {"no.", "nos.", "№", "ст.", "art.", "p.", "pp.", "п.", "ч."}
        and next_word[:1].isdigit()
    )


def tokenize(text: str) -> list[Token]:
    """Split `text` into unbreakable tokens, each with the kind of cut allowed after it.

    A line holding only `---` is a SECTION cut and is not part of any token. Tokens that must
    stay together ("No. 37", "1 000 000") are merged, whitespace and all.
    """
    matches: list[re.Match[str]] = []
    section_after: set[int] = set()
    position = 0
    for mark in SECTION_MARK.finditer(text):
        matches.extend(_TOKEN.finditer(text, position, mark.start()))
        if matches:
            section_after.add(len(matches) - 1)
        position = mark.end()
    matches.extend(_TOKEN.finditer(text, position))
    words = [m.group() for m in matches]
    spans = [m.span() for m in matches]

    if _has_cjk(text):
        words, spans, section_after = _split_cjk(words, spans, section_after)

    tokens: list[Token] = []
    append = tokens.append
    word_kind = BreakKind.WORD
    index = 0
    count = len(spans)
    last = count - 1
    while index < count:
        start, end = spans[index]
        word = words[index]
        # The common case first, without function calls: a word ending in a letter, one
        # space, and a word that starts with a letter.
        if (
            index < last
            and word[-1].isalpha()
            and spans[index + 1][0] == end + 1
            and text[end] == " "
            and words[index + 1][0].isalpha()
            and index not in section_after
        ):
            append(Token(start, end, word_kind))
            index += 1
            continue
        while (
            index < last
            and index not in section_after
            and _glued(words[index], words[index + 1])
            and "\n" not in text[end : spans[index + 1][0]]
        ):
            index += 1
            end = spans[index][1]
        if index == last:
            kind = BreakKind.END
        elif index in section_after:
            kind = BreakKind.SECTION
        elif end == spans[index + 1][0]:  # inside a run of CJK text
            kind = _cjk_cut_kind(words[index])
        else:
            kind = _cut_kind(text, end, spans[index + 1][0], words[index], words[index + 1])
        tokens.append(Token(start, end, kind))
        index += 1
    return tokens


def _split_cjk(
    words: list[str], spans: list[tuple[int, int]], section_after: set[int]
) -> tuple[list[str], list[tuple[int, int]], set[int]]:
    """Words holding Chinese or Japanese split into one piece per character (with its
    trailing punctuation), and runs of other characters."""
    new_words: list[str] = []
    new_spans: list[tuple[int, int]] = []
    new_sections: set[int] = set()
    for index, (word, (start, _end)) in enumerate(zip(words, spans, strict=True)):
        if _has_cjk(word):
            # Links, mentions and hashtags inside the word stay whole.
            protected = extract_entities(word) if _ENTITY_HINT.search(word) else []
            for piece in _cjk_patterns()[1].finditer(word):
                piece_start, piece_end = piece.span()
                if new_words and any(e.start < piece_start < e.end for e in protected):
                    begin = new_spans[-1][0]
                    new_words[-1] = word[begin - start : piece_end]
                    new_spans[-1] = (begin, start + piece_end)
                    continue
                new_words.append(piece.group())
                new_spans.append((start + piece_start, start + piece_end))
        else:
            new_words.append(word)
            new_spans.append(spans[index])
        if index in section_after:
            new_sections.add(len(new_words) - 1)
    return new_words, new_spans, new_sections


def _cjk_cut_kind(piece: str) -> BreakKind:
    last = piece.rstrip(_CJK_CLOSERS)[-1:]
    if last in _CJK_SENTENCE_END:
        return BreakKind.SENTENCE
    if last in _CJK_CLAUSE_END:
        return BreakKind.CLAUSE
    return BreakKind.WORD
