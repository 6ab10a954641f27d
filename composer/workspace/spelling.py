"""Spelling: the words of a draft its language's dictionary does not know.

The words to look at are chosen in composer.text.spelling (pure); the dictionaries are the
system's (Hunspell, through pyenchant and the Enchant library: Debian's `libenchant-2-2`,
`hunspell-en-us`, `hunspell-ru`, `hunspell-kk`). The language is the draft's `language`
(BCP-47; English when it sets none), matched to an installed dictionary's tag. Without the
library or a dictionary for the language, spelling is off: `SpellingOff` says why, in one
line, never an error. `enchant` is imported on first use only, so nothing that does not
check spelling (`thread-composer split`, the daemon) pays for it.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from composer.text.spelling import name_words, spelling_candidates
from composer.workspace.accounts import Config
from composer.workspace.drafts import DraftError, body_line, parse_draft

__all__ = [
    "DEFAULT_LANGUAGE",
    "DraftSpelling",
    "SpellChecker",
    "SpellingOff",
    "check_draft",
    "contact_names",
    "dictionary_tag",
    "draft_language",
    "no_dictionary",
    "spelling_for",
]

DEFAULT_LANGUAGE = "en"  # a draft without `language`
# What a language is called, and the Debian package with its dictionary, for the line
# saying spelling is off; another language is named by its code.
_LANGUAGES = {
    "en": ("English", "hunspell-en-us"),
    "ru": ("Russian", "hunspell-ru"),
    "kk": ("Kazakh", "hunspell-kk"),
    "uk": ("Ukrainian", "hunspell-uk"),
    "de": ("German", "hunspell-de-de"),
    "fr": ("French", "hunspell-fr"),
    "es": ("Spanish", "hunspell-es"),
}
# The dictionary a language without a region takes when it has several.
_DEFAULT_TAGS = {"en": "en_US", "ru": "ru_RU", "kk": "kk_KZ"}
_MAX_KNOWN = 50_000  # words remembered per language before the memory starts over


@dataclass(frozen=True, slots=True)
class SpellingOff:
    """Spelling cannot be checked for a language; `reason` says why, in one line."""

    language: str
    reason: str


class SpellChecker:
    """One language's dictionary, with the answers it gave remembered (a report repeats
    its words, and the editor asks again after every pause in typing). Thread-safe."""

    def __init__(self, language: str, tag: str, dictionary: Any) -> None:
        self.language = language
        self.tag = tag  # the dictionary's own tag: en_US, ru_RU, kk_KZ...
        self._dictionary = dictionary
        self._known: dict[str, bool] = {}
        self._lock = threading.Lock()

    def correct(self, word: str) -> bool:
        with self._lock:
            return self._correct(word)

    def misspelled(
        self, text: str, names: frozenset[str] = frozenset(), *, body_start: int = 0
    ) -> list[tuple[int, int]]:
        """The (start, end) offsets of the words of `text` the dictionary does not know
        (`names` and `body_start` as composer.text.spelling.spelling_candidates takes them)."""
        spans = spelling_candidates(text, names, body_start=body_start)
        with self._lock:
            return [(start, end) for start, end in spans if not self._correct(text[start:end])]

    def _correct(self, word: str) -> bool:
        known = self._known.get(word)
        if known is None:
            if len(self._known) >= _MAX_KNOWN:
                self._known.clear()
            # Dictionaries spell "don't" with the typewriter apostrophe, and composed.
            asked = unicodedata.normalize("NFC", word.replace("’", "'"))
            known = self._known[word] = bool(self._dictionary.check(asked))
        return known


def dictionary_tag(language: str, available: Collection[str]) -> str | None:
    """The tag of the installed dictionary (`available`: enchant's, like "en_US") for a
    BCP-47 `language` ("en", "en-GB", "kk-KZ", "ru"), or None. A region given is taken when
    installed, else the language's usual one, else the language alone, else any region."""
    subtags = language.replace("_", "-").split("-")
    primary = subtags[0].lower()
    regions = [s.upper() for s in subtags[1:] if len(s) == 2 and s.isalpha()]
    wanted = [f"{primary}_{region}" for region in regions]
    wanted += [_DEFAULT_TAGS.get(primary, ""), primary]
    wanted += sorted(tag for tag in available if tag.startswith(primary + "_"))
    return next((tag for tag in wanted if tag in available), None)


def _language_name(language: str) -> tuple[str, str]:
    """How the line saying spelling is off names the language and the package to install."""
    primary = language.replace("_", "-").split("-")[0].lower()
    if primary in _LANGUAGES:
        name, package = _LANGUAGES[primary]
        return f"{name} dictionary", package
    return f"dictionary for {language!r}", "a Hunspell dictionary for it"


def no_dictionary(language: str) -> SpellingOff:
    what, package = _language_name(language)
    return SpellingOff(language, f"spelling off: no {what} (install {package})")


_checkers: dict[str, SpellChecker | SpellingOff] = {}
_checkers_lock = threading.Lock()


def spelling_for(language: str) -> SpellChecker | SpellingOff:
    """The checker for `language` (BCP-47), made once per language and process."""
    with _checkers_lock:
        if language not in _checkers:
            _checkers[language] = _open_checker(language)
        return _checkers[language]


def _open_checker(language: str) -> SpellChecker | SpellingOff:
    try:
        import enchant  # here: heavy, and only for those who check spelling
    except ImportError:  # pyenchant, or the C library it loads, is missing
        return SpellingOff(
            language, "spelling off: the Enchant library is missing (install libenchant-2-2)"
        )
    try:
        tag = dictionary_tag(language, enchant.list_languages())
        if tag is None:
            return no_dictionary(language)
        return SpellChecker(language, tag, enchant.Dict(tag))
    except enchant.errors.Error:
        return no_dictionary(language)


def draft_language(text: str) -> str | None:
    """The language a draft's text sets (English when none), or None while its front
    matter cannot be read (the caller keeps the one it had)."""
    try:
        draft = parse_draft(text)
    except DraftError:
        return None
    return draft.language or DEFAULT_LANGUAGE


def contact_names(config: Config | None) -> list[str]:
    """The address book's names (each contact's key and display name): not misspellings."""
    if config is None:
        return []
    return [part for contact in config.contacts.values() for part in (contact.key, contact.name)]


@dataclass(frozen=True, slots=True)
class DraftSpelling:
    """What `check_draft` found: the draft's language, and its misspelled words' offsets
    in the text, or why spelling is off."""

    language: str
    misspelled: list[tuple[int, int]] = field(default_factory=list)
    off: SpellingOff | None = None


def check_draft(
    text: str, names: Iterable[str] = (), language: str = DEFAULT_LANGUAGE
) -> DraftSpelling:
    """The misspelled words of a draft's text, in its own language (`language` while its
    front matter cannot be read), leaving out the front matter and `names`."""
    language = draft_language(text) or language
    checker = spelling_for(language)
    if isinstance(checker, SpellingOff):
        return DraftSpelling(language, off=checker)
    return DraftSpelling(
        language,
        checker.misspelled(text, name_words(names), body_start=_body_offset(text)),
    )


def _body_offset(text: str) -> int:
    """The offset in `text` of the body's first line (drafts.body_line counts lines)."""
    line = body_line(text)
    if not line:
        return 0
    bom = len(text) - len(text.removeprefix("\ufeff"))
    lines = text[bom:].splitlines(keepends=True)
    return bom + sum(len(part) for part in lines[:line])
