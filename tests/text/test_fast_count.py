"""The fast X count equals the previous walk (tests/text/x_reference.py) on mixed text.

Mixed text as users paste it: scripts, CJK, emoji sequences (ZWJ, flags, skin tones,
keycaps, tags), their loose parts, combining marks, variation selectors, URLs (with an
emoji inside or right after), mentions and hashtags, and the digits an emoji chunk must not
swallow.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from composer.text import entities
from composer.text.xcount import x_char_weights, x_weighted_length
from tests.text import x_reference

PIECES = [
    *"word Almaty No. 2024 e.g. , . : ! ? ( ) - _ / & — … “ ” « »".split(),
    *"выборы т.е. сайлау әділ қазақ ұлт һәм 選挙 監視団 的一是 한국어".split(),
    *"@user @user_1/list ＠user #tag #сайлау ＃tag $CASH".split(),
    *"https:// http:// example .com .kz .рф t.co/abc /path ?q=1 #frag bit.ly/x .org/#".split(),
    *"👍 👍🏽 🏽 🇰🇿 🇺🇳 🇰 🐦‍🔥 👨‍👩‍👧‍👦 🏳️‍🌈 🧑‍🤝‍🧑🏿 ❤️ ❤ ☕ ✌️ ✌🏿 🙂‍↔️ 🏴󠁧󠁢󠁥󠁮󠁧󠁿".split(),
    *"1️⃣ #️⃣ *⃣ 1⃣ © ® ™ ⌚️ ⌚︎ ♟".split(),
    # Loose parts: joiners, selectors, keycap, skin tone, regional indicator, tags, marks.
    *"\u200d \ufe0f \ufe0e \u20e3 \U0001f3fb \U0001f1e6 \U000e0067 \U000e007f".split(),
    *"\u0301 \u0308 \u0951 e\u0301 \u1100\u1161 \ud55c".split(),
    *"1 2 3 # *".split(),
    " ",
    "  ",
    "\n",
    "\r\n",
]
MIXED = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@settings(max_examples=1500, deadline=None)
@given(MIXED)
def test_fast_count_equals_the_walk(text: str) -> None:
    assert x_weighted_length(text) == x_reference.weighted_length_nfc(_nfc(text))


@settings(max_examples=500, deadline=None)
@given(MIXED)
def test_char_weights_still_add_up(text: str) -> None:
    assert sum(x_char_weights(_nfc(text))) == x_reference.weighted_length_nfc(_nfc(text))


@settings(max_examples=1500, deadline=None)
@given(MIXED)
def test_emoji_chunks_find_what_stretches_found(text: str) -> None:
    assert entities._emoji_spans(text) == x_reference.emoji_spans(text)
    found = [(emoji.start, emoji.end, emoji.text) for emoji in entities.extract_emoji(text)]
    assert found == x_reference.extract_emoji(text)


URL_PIECES = [
    *"https:// http:// HTTP:// www. example sub-domain a_b .com .co.uk .kz .рф".split(),
    *".онлайн xn--ls8h".split(),
    *":8080 /path /wiki/Primer_(film) ( ) ?q=1&x=y ?x #frag . , ! - _ @ / t.co/abc123".split(),
    *"пример 日本 ELPAÍS é 1 a \u202a \u200e \u061c \u2066 \ufeff".split(),
    " ",
    "\n",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(URL_PIECES), max_size=30).map("".join))
def test_url_regex_matches_as_written(text: str) -> None:
    written = x_reference.url_pattern_as_written()
    faster = entities._extract_url_pattern()
    assert [(m.span(), m.groups()) for m in faster.finditer(text)] == [
        (m.span(), m.groups()) for m in written.finditer(text)
    ]


def test_an_emoji_inside_or_after_a_url_takes_the_walk() -> None:
    # Both sides of the overlap test: the keycap right after the URL, and one inside its host.
    for text in ("see example.org/#1️⃣ now 👍🏽", "https://👍👍.ws/x 🇰🇿", "a.com/x👍🏽 b"):
        assert x_weighted_length(text) == x_reference.weighted_length_nfc(_nfc(text))
