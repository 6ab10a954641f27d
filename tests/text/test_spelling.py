"""Which words of a report are given to the spelling checker (composer.text.spelling)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from composer.text.spelling import name_words, spelling_candidates


def words(text: str, names: tuple[str, ...] = (), body_start: int = 0) -> list[str]:
    spans = spelling_candidates(text, name_words(names), body_start=body_start)
    return [text[start:end] for start, end in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("The observers saw it", ["The", "observers", "saw", "it"], id="plain"),
        pytest.param(
            "Қазақстан сайлауы: әділ ме?", ["Қазақстан", "сайлауы", "әділ", "ме"], id="kazakh"
        ),
        pytest.param(
            "ғұмыр, өңір, үкімет, һәм, ұлт, іс",
            ["ғұмыр", "өңір", "үкімет", "һәм", "ұлт", "іс"],
            id="kazakh-letters",
        ),
        pytest.param(
            "Выборы прошли спокойно, ёлка", ["Выборы", "прошли", "спокойно", "ёлка"], id="russian"
        ),
        pytest.param("во\u0439на", ["во\u0439на"], id="decomposed-marks-stay-in-the-word"),
        pytest.param("don't Qazaq’s", ["don't", "Qazaq’s"], id="apostrophes"),
        pytest.param("a well-known fact", ["well", "known", "fact"], id="hyphen-and-one-letter"),
        pytest.param("#KazakhstanElections thier", ["thier"], id="hashtag"),
        pytest.param("#Выборы2026 ＃Тег ok", ["ok"], id="hashtag-cyrillic-fullwidth"),
        pytest.param("@hrw said", ["said"], id="mention"),
        pytest.param("@hrw@mastodon.social said", ["said"], id="mention-fediverse"),
        pytest.param("@hrw.bsky.social said", ["said"], id="mention-bluesky"),
        pytest.param("(see @hrw), said", ["see", "said"], id="mention-in-brackets"),
        pytest.param("write to press@example.org now", ["write", "to", "now"], id="e-mail"),
        pytest.param("read https://example.org/a-report?x=y now", ["read", "now"], id="url"),
        pytest.param("read example.org/statement now", ["read", "now"], id="bare-domain-with-path"),
        pytest.param("read www.osce.org now", ["read", "now"], id="www"),
        pytest.param("read сайлау.қаз now", ["read", "now"], id="cyrillic-domain"),
        pytest.param("end.Thier start", ["end", "Thier", "start"], id="words-run-together"),
        pytest.param("e.g. a.m. i.e.", [], id="abbreviations"),
        pytest.param(
            "1,146 stations, 7.5% and 2nd COVID19 snake_case", ["stations", "and"], id="numbers"
        ),
        pytest.param("the OSCE and ODIHR's report", ["the", "and", "report"], id="acronyms"),
        pytest.param("cost $USD here", ["cost", "here"], id="cashtag"),
        pytest.param("# Heading: a title", ["Heading", "title"], id="markdown-heading"),
    ],
)
def test_candidates(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_contact_names_are_left_out_in_any_case() -> None:
    text = "Zhanakbayeva met ZHANAKBAYEVA and Human Rights Watch"
    names = ("zhanakbayeva", "Human Rights Watch")
    assert words(text, names) == ["met", "and"]
    assert words(text) == ["Zhanakbayeva", "met", "and", "Human", "Rights", "Watch"]


def test_front_matter_and_image_lines_are_left_out() -> None:
    header = '+++\ntitle = "Sume wrods"\nlanguage = "en"\n+++\n'
    body = "First line\n![alt txet](photos/pic.jpg)\n  ![](x.png)  \nLast line\n"
    text = header + body
    assert words(text, body_start=len(header)) == ["First", "line", "Last", "line"]
    assert "wrods" in words(text)  # without the body's start, the header is text
    inline = "Text ![alt txet](pic.jpg) in a line"  # not an image line: published as text
    assert "txet" in words(inline)


def test_offsets_point_at_the_words() -> None:
    text = "Один @hrw два\nthree"
    spans = spelling_candidates(text)
    assert spans == [(0, 4), (10, 13), (14, 19)]


_LETTERS = st.sampled_from(
    ["abc", "Hello", "world", "Қазақ", "әғқңөұүһі", "выборы", "Ёлка", "don't", "Sunday’s"]
)
_SIGILS = st.sampled_from(["#", "@", "＃", "$"])
_SPACES = st.sampled_from([" ", "\n", "  ", "\t", "\n\n"])


@given(st.lists(st.tuples(st.booleans(), _LETTERS, _SIGILS, _SPACES), max_size=30))
def test_plain_words_are_found_and_tagged_words_never(
    tokens: list[tuple[bool, str, str, str]],
) -> None:
    """Words separated by spaces: every plain one is a candidate, none after a sigil."""
    text = "".join(
        (sigil + word if tagged else word) + space for tagged, word, sigil, space in tokens
    )
    expected = [word for tagged, word, _, _ in tokens if not tagged]
    assert words(text) == expected


@given(st.text(max_size=200), st.integers(min_value=0, max_value=200))
def test_spans_are_ordered_apart_within_the_body_and_are_words(text: str, start: int) -> None:
    start = min(start, len(text))
    spans = spelling_candidates(text, body_start=start)
    previous_end = start
    for begin, end in spans:
        assert previous_end <= begin < end <= len(text)
        word = text[begin:end]
        assert not any(char.isdigit() or char == "_" or char.isspace() for char in word)
        assert len(word) >= 2 and word[0].isalpha()
        previous_end = end
