"""The system's spelling dictionaries, for the spelling tests.

A test that needs a language's dictionary (through pyenchant and the Enchant library:
Debian's `libenchant-2-2`, `hunspell-en-us`, `hunspell-ru`, `hunspell-kk`) is skipped when
it is missing, saying which package to install, except in CI (COMPOSER_REQUIRE_SPELLING=1,
which .ci/run sets after installing them, or CI=true), where it fails instead.
"""

from __future__ import annotations

import os

import pytest

from composer.workspace.spelling import SpellChecker, SpellingOff, spelling_for


def spelling_required() -> str | None:
    """Why a missing dictionary must fail the tests rather than skip them (CI), or None."""
    if os.environ.get("COMPOSER_REQUIRE_SPELLING") == "1":
        return "COMPOSER_REQUIRE_SPELLING=1"
    if os.environ.get("CI", "").lower() in ("true", "1"):
        return "CI=true"
    return None


def dictionary(language: str) -> SpellChecker:
    """The checker for `language`; skips (or fails, in CI) when the system has none."""
    checker = spelling_for(language)
    if isinstance(checker, SpellingOff):
        if (required := spelling_required()) is not None:
            pytest.fail(f"{required} but {checker.reason}", pytrace=False)
        pytest.skip(checker.reason)
    return checker
