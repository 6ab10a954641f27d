"""Which language a text is in by its letters alone, and a document in several languages
cut into its language parts.

The teams' statements come in English, Russian and Kazakh, which their letters tell apart:
Kazakh writes Cyrillic with letters of its own (ә ғ қ ұ, with ң ө ү һ і), Russian writes
Cyrillic without them, English writes plain Latin. `script_language` says so when the
letters leave no doubt and None otherwise (another Cyrillic or Latin language: Ukrainian,
Kyrgyz, Tajik, Serbian, German, French...), and the caller asks a statistical detector
then (`composer.workspace.document_import.detect_language`), which is slow to load.

`language_parts` cuts a document's blocks into parts: runs of blocks in one language. A
run too short to be a part (a name, a heading, a signature in another script) stays in the
part around it, and the parts of one language are put together: one part per language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from composer.text.document_cleanup import Block
from composer.text.patterns import compile_on_use

__all__ = ["MIN_PART_LETTERS", "LanguagePart", "language_parts", "script_language"]

# A run of blocks in one language with fewer letters than this is not a part of its own:
# a name, a heading, an address, a line of signatures (a paragraph of a statement has more).
MIN_PART_LETTERS = 120

_KAZAKH_ONLY = frozenset("әғқұӘҒҚҰ")  # in Kazakh, and in no other Cyrillic the teams meet
_KAZAKH_ALSO = frozenset("ңөүһіҢӨҮҺІ")  # Kazakh's too, but shared with Kyrgyz or Ukrainian
# Letters of other Cyrillic languages (Ukrainian, Belarusian, Tajik, Serbian, Macedonian):
# where they are, the letters do not decide.
_OTHER_CYRILLIC = frozenset("їєґўҳҷӣӯђјљњћџѓќѕЇЄҐЎҲҶӢӮЂЈЉЊЋЏЃЌЅ")
_ENGLISH_WORDS = frozenset(
    "the of and to is for on that with by as are be was were it this from at or "
    "has have not its which their all will".split()
)
_WORD = compile_on_use(r"[^\W\d_]+")
_SURE_SHARE = 0.9  # of the letters in one script, for the text to be in it
_KAZAKH_SHARE = 0.02  # of the Cyrillic letters: a Russian text naming "Тоқаев" has fewer
_ENGLISH_SHARE = 0.1  # of the words: English prose has a quarter or more of these
_SHORT = 6  # words: a heading or a name, too short for the share of English words to say


def script_language(text: str) -> str | None:
    """ "kk", "ru" or "en" when the letters of `text` decide it, else None."""
    latin = cyrillic = kazakh_only = kazakh_also = other_cyrillic = accented = 0
    for char in text:
        if "a" <= char.lower() <= "z":
            latin += 1
        elif "\u0400" <= char <= "\u04ff":
            cyrillic += 1
            if char in _KAZAKH_ONLY:
                kazakh_only += 1
            elif char in _KAZAKH_ALSO:
                kazakh_also += 1
            elif char in _OTHER_CYRILLIC:
                other_cyrillic += 1
        elif char.isalpha():
            accented += 1  # a Latin letter with a diacritic (é, ş, ü), or another script
    letters = latin + cyrillic + accented
    if not letters:
        return None
    if cyrillic >= letters * _SURE_SHARE:
        if other_cyrillic:
            return None
        if kazakh_only and kazakh_only + kazakh_also >= cyrillic * _KAZAKH_SHARE:
            return "kk"
        if kazakh_only + kazakh_also >= cyrillic * _KAZAKH_SHARE:
            return None  # ң ө ү і without ә ғ қ ұ: Kyrgyz, say, or a text too short to tell
        return "ru"
    if latin >= letters * _SURE_SHARE:
        words = [word.lower() for word in _WORD.findall(text)]
        english = sum(word in _ENGLISH_WORDS for word in words)
        if len(words) <= _SHORT or english >= len(words) * _ENGLISH_SHARE:
            return "en"
    return None


@dataclass(frozen=True, slots=True)
class LanguagePart:
    """The blocks of a document in one language (None: no block decided one), in order."""

    language: str | None
    blocks: tuple[Block, ...]

    @property
    def first_heading(self) -> str | None:
        return next((b.text for b in self.blocks if b.kind == "heading" and b.text), None)


def language_parts(
    blocks: Sequence[Block], decide: Callable[[str], str | None] = script_language
) -> list[LanguagePart]:
    """`blocks` cut into one part per language, in the order each language first comes.

    Each block's language is `decide`'s (images and blocks without letters have none); runs
    of blocks in one language (blocks without one do not end a run) with at least
    `MIN_PART_LETTERS` letters are parts, and a shorter run, or a block without a language,
    stays in the part before it (the first part, at the start)."""
    languages = [None if block.kind == "image" else decide(block.text) for block in blocks]
    runs: list[tuple[str | None, list[int]]] = []  # (language, block indexes)
    for index, language in enumerate(languages):
        if runs and (language is None or language == runs[-1][0] or runs[-1][0] is None):
            if runs[-1][0] is None:
                runs[-1] = (language, runs[-1][1])
            runs[-1][1].append(index)
        else:
            runs.append((language, [index]))
    strong = [
        language is not None and _letters(blocks, indexes) >= MIN_PART_LETTERS
        for language, indexes in runs
    ]
    languages_found = {language for (language, _), sure in zip(runs, strong, strict=True) if sure}
    if len(languages_found) < 2:
        return [LanguagePart(next(iter(languages_found), None), tuple(blocks))]
    owner: list[str | None] = []  # each block's part
    current = next(language for (language, _), sure in zip(runs, strong, strict=True) if sure)
    for (language, indexes), sure in zip(runs, strong, strict=True):
        if sure:
            current = language
        owner.extend(current for _ in indexes)
    order = list(dict.fromkeys(owner))
    return [
        LanguagePart(
            language, tuple(b for b, o in zip(blocks, owner, strict=True) if o == language)
        )
        for language in order
    ]


def _letters(blocks: Sequence[Block], indexes: Sequence[int]) -> int:
    return sum(sum(char.isalpha() for char in blocks[index].text) for index in indexes)
