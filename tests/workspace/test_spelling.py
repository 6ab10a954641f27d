"""Spelling through the system's dictionaries (composer.workspace.spelling): the language a
draft sets, its dictionary, and what is off when there is none."""

from __future__ import annotations

import sys

import pytest

from composer.workspace import spelling
from composer.workspace.accounts import Config, Contact
from composer.workspace.spelling import (
    SpellingOff,
    check_draft,
    contact_names,
    dictionary_tag,
    draft_language,
    no_dictionary,
    spelling_for,
)
from tests.dictionaries import dictionary, spelling_required

INSTALLED = ["en", "en_AU", "en_GB", "en_US", "kk_KZ", "ru_RU"]


@pytest.mark.parametrize(
    ("language", "tag"),
    [
        ("en", "en_US"),
        ("en-GB", "en_GB"),
        ("en-gb", "en_GB"),
        ("en-NZ", "en_US"),  # no such dictionary: the language's usual one
        ("ru", "ru_RU"),
        ("ru-KZ", "ru_RU"),
        ("kk", "kk_KZ"),
        ("kk-Cyrl-KZ", "kk_KZ"),
        ("de", None),
        ("pt-BR", None),
    ],
)
def test_a_language_code_takes_an_installed_dictionary(language: str, tag: str | None) -> None:
    assert dictionary_tag(language, INSTALLED) == tag


def test_a_language_alone_takes_any_region_when_it_has_no_usual_one() -> None:
    assert dictionary_tag("de", ["de_AT", "de_CH"]) == "de_AT"
    assert dictionary_tag("en", ["en_GB"]) == "en_GB"


def test_the_line_saying_spelling_is_off_names_the_package() -> None:
    assert no_dictionary("kk").reason == (
        "spelling off: no Kazakh dictionary (install hunspell-kk)"
    )
    assert no_dictionary("ru-RU").reason == (
        "spelling off: no Russian dictionary (install hunspell-ru)"
    )
    assert "'tlh'" in no_dictionary("tlh").reason


@pytest.mark.parametrize(
    ("language", "correct", "misspelled"),
    [
        ("en", ["their", "elections", "don't", "don’t", "Sunday's"], ["thier", "electoins"]),
        ("ru", ["привет", "выборы", "наблюдатели", "ёлка"], ["превет", "выбары"]),
        ("kk", ["Қазақстан", "сайлау", "бақылаушы", "және"], ["Қазақстн", "сайлаy", "жане"]),
    ],
)
def test_the_real_dictionaries(language: str, correct: list[str], misspelled: list[str]) -> None:
    checker = dictionary(language)
    assert [word for word in correct if not checker.correct(word)] == []
    assert [word for word in misspelled if checker.correct(word)] == []


def test_a_draft_is_checked_in_its_own_language_without_its_front_matter() -> None:
    dictionary("ru")
    text = '+++\ntitle = "Превет"\nlanguage = "ru"\n+++\nНаблюдатели видели превет и выборы.\n'
    result = check_draft(text)
    assert result.language == "ru"
    assert result.off is None
    assert [text[start:end] for start, end in result.misspelled] == ["превет"]


def test_english_when_the_draft_sets_no_language_and_contacts_are_no_misspellings() -> None:
    dictionary("en")
    text = "Zhanakbayeva told @hrw thier story at example.org #Elecshuns\n"
    assert draft_language(text) == "en"
    result = check_draft(text)
    assert [text[s:e] for s, e in result.misspelled] == ["Zhanakbayeva", "thier"]
    config = Config(contacts={"zh": Contact("zh", "Aigul Zhanakbayeva")})
    result = check_draft(text, contact_names(config))
    assert [text[s:e] for s, e in result.misspelled] == ["thier"]


def test_a_broken_front_matter_keeps_the_language_given() -> None:
    text = '+++\nlanguage = "ru\n+++\nтекст\n'
    assert draft_language(text) is None
    assert check_draft(text, language="kk").language == "kk"


def test_a_language_without_a_dictionary_is_off_quietly() -> None:
    result = check_draft('+++\nlanguage = "tlh"\n+++\nnuqneH\n')
    assert result.misspelled == []
    assert isinstance(result.off, SpellingOff)
    assert result.off.reason.startswith("spelling off: ")


def test_without_the_enchant_library_spelling_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spelling, "_checkers", {})
    monkeypatch.setitem(sys.modules, "enchant", None)  # import enchant: ImportError
    off = spelling_for("en")
    assert off == SpellingOff(
        "en", "spelling off: the Enchant library is missing (install libenchant-2-2)"
    )


def test_ci_requires_the_dictionaries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMPOSER_REQUIRE_SPELLING", raising=False)
    monkeypatch.setenv("CI", "true")
    assert spelling_required() == "CI=true"
    monkeypatch.setenv("CI", "")
    assert spelling_required() is None
