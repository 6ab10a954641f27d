"""A text's language by its letters, and a document cut into its languages' parts."""

from __future__ import annotations

import pytest

from composer.text.document_cleanup import Block
from composer.text.language_parts import MIN_PART_LETTERS, language_parts, script_language

ENGLISH = (
    "The coalition deployed observers to forty polling stations in six regions and followed "
    "the count until the morning. In most stations the count was closed to observers."
)
RUSSIAN = (
    "Коалиция направила наблюдателей на сорок участков в шести регионах и следила за "
    "подсчётом голосов до утра. На большинстве участков подсчёт был закрыт."
)
KAZAKH = (
    "Коалиция алты өңірдегі қырық сайлау учаскесіне бақылаушылар жіберіп, дауыстарды санауды "
    "таңертеңге дейін қадағалады. Учаскелердің көбінде санау жабық болды."
)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (ENGLISH, "en"),
        (RUSSIAN, "ru"),
        (KAZAKH, "kk"),
        # A Russian text naming a Kazakh (one Kazakh letter among many) is still Russian.
        ("Президент Қасым-Жомарт Токаев подписал закон о выборах в парламент страны.", "ru"),
        ("Joint statement", "en"),  # too short for the share of English words: Latin says
        # Ukrainian and Tajik letters, German and French words: not for the letters to say.
        ("Коаліція спостерігала за голосуванням на сорока дільницях і їхніх членах.", None),
        ("Эътилоф ба сорока участка нозирон фиристод ва ҳисобкуниро назорат кард.", None),
        ("Die Koalition hat die Wahl in vierzig Wahllokalen beobachtet und kritisiert.", None),
        ("La coalition a observé le vote dans quarante bureaux et demande un recomptage.", None),
        ("", None),
        ("2026 — 40/40", None),
    ],
)
def test_script_language(text: str, language: str | None) -> None:
    assert script_language(text) == language


def test_the_paragraphs_here_are_long_enough_to_be_parts() -> None:
    for text in (ENGLISH, RUSSIAN, KAZAKH):
        assert sum(c.isalpha() for c in text) >= MIN_PART_LETTERS


def _parts(blocks: list[Block]) -> list[tuple[str | None, list[str]]]:
    return [(p.language, [b.text for b in p.blocks]) for p in language_parts(blocks)]


def test_a_name_in_latin_letters_inside_the_russian_part_stays_in_it() -> None:
    blocks = [
        Block("Statement", "heading"),
        Block(ENGLISH),
        Block("Заявление", "heading"),
        Block(RUSSIAN),
        Block("John Smith, Head of Mission"),
        Block("![Наблюдатели у закрытой двери](images/door.png)", "image"),
        Block(RUSSIAN),
    ]
    assert _parts(blocks) == [
        ("en", ["Statement", ENGLISH]),
        ("ru", ["Заявление", RUSSIAN, "John Smith, Head of Mission", blocks[5].text, RUSSIAN]),
    ]
    parts = language_parts(blocks)
    assert [p.first_heading for p in parts] == ["Statement", "Заявление"]


def test_three_languages_in_the_order_they_come() -> None:
    blocks = [Block(KAZAKH), Block(RUSSIAN), Block(ENGLISH)]
    assert [language for language, _ in _parts(blocks)] == ["kk", "ru", "en"]


def test_parallel_paragraphs_make_one_part_per_language() -> None:
    blocks = [Block(ENGLISH), Block(RUSSIAN), Block(ENGLISH + " Again."), Block(RUSSIAN)]
    assert _parts(blocks) == [
        ("en", [ENGLISH, ENGLISH + " Again."]),
        ("ru", [RUSSIAN, RUSSIAN]),
    ]


def test_one_language_with_short_runs_of_another_is_one_part() -> None:
    short = "Коалиция за честные выборы"  # a signature, shorter than a part
    assert sum(c.isalpha() for c in short) < MIN_PART_LETTERS
    blocks = [Block("Findings", "heading"), Block(ENGLISH), Block(short), Block(ENGLISH)]
    assert _parts(blocks) == [("en", [b.text for b in blocks])]


def test_blocks_before_the_first_part_belong_to_it() -> None:
    blocks = [Block("2026"), Block(RUSSIAN), Block(ENGLISH)]
    assert _parts(blocks) == [("ru", ["2026", RUSSIAN]), ("en", [ENGLISH])]


def test_the_detector_given_decides_what_the_letters_do_not() -> None:
    german = "Die Koalition hat die Wahl in vierzig Wahllokalen beobachtet. " * 3
    blocks = [Block(german), Block(RUSSIAN)]
    # Undecided, the German paragraph is no part of its own: it goes with the Russian one.
    assert [p.language for p in language_parts(blocks)] == ["ru"]
    decided = language_parts(blocks, lambda t: script_language(t) or "de")
    assert [p.language for p in decided] == ["de", "ru"]
