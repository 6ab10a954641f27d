"""The system's spelling dictionaries, for the spelling tests.

A test that needs a language's dictionary (through pyenchant and the Enchant library:
Debian's `libenchant-2-2`, `hunspell-en-us`, `hunspell-ru`, `hunspell-kk`) is skipped when
it is missing, saying which package to install, except in CI (COMPOSER_REQUIRE_SPELLING=1,
which .ci/run sets after installing them, or CI=true), where it fails instead.
"""

from __future__ import annotations

from composer.workspace.spelling import SpellChecker, SpellingOff, spelling_for
from tests.required import required, unavailable


def spelling_required() -> str | None:
    """Why a missing dictionary must fail the tests rather than skip them (CI), or None."""
    return required("COMPOSER_REQUIRE_SPELLING")


def dictionary(language: str) -> SpellChecker:
    """The checker for `language`; skips (or fails, in CI) when the system has none."""
    checker = spelling_for(language)
    if isinstance(checker, SpellingOff):
        unavailable("COMPOSER_REQUIRE_SPELLING", checker.reason)
    return checker
