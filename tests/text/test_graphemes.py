from __future__ import annotations

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from composer.text.graphemes import grapheme_count, grapheme_weights, graphemes

CASES = {
    "ascii": ("hello world", 11),
    "precomposed kazakh": ("Қазақстан әділ", 14),
    "combining accent": ("e\u0301te\u0301", 3),
    "accent after a space": (" \u0301x", 2),
    "family emoji": ("👨‍👩‍👧‍👦", 1),
    "flags": ("🇰🇿🇺🇦", 2),
    "skin tone": ("👍🏽", 1),
    "phoenix (Unicode 15.1 ZWJ)": ("🐦‍🔥", 1),
    "keycap": ("#️⃣", 1),
    "crlf": ("a\r\nb", 3),
    "devanagari conjunct": ("क्ष", 1),
    "hangul jamo": ("\u1100\u1161\u11a8", 1),
    "arabic prepend": ("\u0600 x", 2),
}


@pytest.mark.parametrize(("text", "expected"), CASES.values(), ids=CASES.keys())
def test_grapheme_count(text: str, expected: int) -> None:
    assert grapheme_count(text) == expected
    assert sum(grapheme_weights(text)) == expected
    assert len(graphemes(text)) == expected


alphabet = st.sampled_from(
    [
        "a",
        " ",
        "\n",
        "\t",
        "e\u0301",
        "\u0301",
        "👨‍👩‍👧",
        "🇰",
        "🇿",
        "\u200d",
        "\ufe0f",
        "ю",
        "\r",
        "क्",
        "ष",
        "\u1100",
        "\u1161",
        "\u11a8",
        "각",
        "\u0600",
        "🏽",
        "𝐀",
        "\U000e0067",
    ]
)


@given(st.lists(alphabet, max_size=30).map("".join))
def test_agrees_with_regex_segmentation(text: str) -> None:
    expected = regex.findall(r"\X", text)
    assert grapheme_count(text) == len(expected)
    starts = [0]
    for cluster in expected[:-1]:
        starts.append(starts[-1] + len(cluster))
    weights = grapheme_weights(text)
    assert [i for i, w in enumerate(weights) if w] == (starts if expected else [])
