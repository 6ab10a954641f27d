"""twitter-text conformance for X counting and entity extraction, plus our own cases.

The YAML files in tests/data/twitter-text/ are Twitter's conformance suite (Apache-2.0). Indices in
extract.yml are code points, as in the Ruby original the suite was written for, which is also what
our API returns; no indexed case has an astral character, so UTF-16 units would agree anyway
(test_indexed_cases_have_no_astral_characters keeps that assumption honest).
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
import re
import sys
import unicodedata
import warnings
from pathlib import Path
from typing import Any

import pytest
import regex
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from composer.text import _tlds, entities
from composer.text.entities import (
    Entity,
    extract_cashtags,
    extract_emoji,
    extract_entities,
    extract_hashtags,
    extract_mentions,
    extract_mentions_or_lists,
    extract_urls,
)
from composer.text.xcount import (
    X_LIMIT,
    X_URL_LENGTH,
    x_char_weights,
    x_is_valid,
    x_weighted_length,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "twitter-text"
Case = dict[str, Any]


def _load(name: str) -> dict[str, list[Case]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader, where built
    suite: dict[str, dict[str, list[Case]]] = yaml.load(
        (DATA / name).read_text(encoding="utf-8"), loader
    )
    return suite["tests"]


EXTRACT = _load("extract.yml")
VALIDATE = _load("validate.yml")
TLDS = _load("tlds.yml")


def _cases(*sections: tuple[dict[str, list[Case]], str]) -> list[Any]:
    return [
        pytest.param(case, id=case["description"])
        for tests, section in sections
        for case in tests[section]
    ]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# --- X weighted length: validate.yml counter tests ------------------------------------------------


def parse_tweet(text: str) -> dict[str, Any]:
    """twitter-text's parseTweet result, rebuilt from our API.

    validRangeEnd exercises x_char_weights: parseTweet walks units (a character, a URL, an emoji),
    each starting at a code point of non-zero weight, and records the UTF-16 index of the last
    unit that still fits.
    """
    normalized = _nfc(text)
    weights = x_char_weights(normalized)
    weighted_length = x_weighted_length(text)
    assert sum(weights) == weighted_length

    unit_starts = [index for index, weight in enumerate(weights) if weight] + [len(normalized)]
    total = 0
    valid_so_far = True
    valid_display_index = 0
    utf16_end = 0
    for start, end in itertools.pairwise(unit_starts):
        total += weights[start]
        utf16_end += _utf16_length(normalized[start:end])
        valid_so_far = valid_so_far and normalized[end - 1] not in "\ufffe\ufeff\uffff"
        if valid_so_far and total <= X_LIMIT:
            valid_display_index = utf16_end - 1
    normalization_offset = _utf16_length(text) - _utf16_length(normalized)
    return {
        "weightedLength": weighted_length,
        "valid": x_is_valid(text),
        "permillage": math.floor(weighted_length / X_LIMIT * 1000),
        "displayRangeStart": 0,
        "displayRangeEnd": max(_utf16_length(text) - 1, 0),
        "validRangeStart": 0,
        "validRangeEnd": valid_display_index + normalization_offset,
    }


@pytest.mark.parametrize(
    "case",
    _cases(
        (VALIDATE, "WeightedTweetsWithDiscountedEmojiCounterTest"),
        (VALIDATE, "UnicodeDirectionalMarkerCounterTest"),
    ),
)
def test_parse_tweet_counter_conformance(case: Case) -> None:
    assert parse_tweet(case["text"]) == case["expected"]


def test_v3_configuration_matches_constants() -> None:
    config = json.loads((DATA / "v3.json").read_text(encoding="utf-8"))
    assert config["maxWeightedTweetLength"] == X_LIMIT
    assert config["transformedURLLength"] == X_URL_LENGTH
    assert config["emojiParsingEnabled"] is True
    light = [chr(code) for r in config["ranges"] for code in (r["start"], r["end"])]
    assert {r["weight"] for r in config["ranges"]} == {config["scale"]}
    assert config["defaultWeight"] == 2 * config["scale"]
    assert x_char_weights("".join(light)) == [1] * len(light)
    outside = [chr(r["end"] + 1) for r in config["ranges"]]
    assert x_char_weights("".join(outside)) == [2] * len(outside)


# --- Entity extraction: extract.yml and tlds.yml --------------------------------------------------


def _values(found: list[Entity]) -> list[str]:
    return [entity.value for entity in found]


def _assert_consistent(text: str, found: list[Entity]) -> None:
    for entity in found:
        assert entity.text == text[entity.start : entity.end]


@pytest.mark.parametrize(
    "case",
    _cases(
        (EXTRACT, "urls"),
        (EXTRACT, "tco_urls_with_params"),
        (TLDS, "country"),
        (TLDS, "generic"),
    ),
)
def test_extract_urls(case: Case) -> None:
    found = extract_urls(case["text"])
    _assert_consistent(case["text"], found)
    assert _values(found) == case["expected"]


@pytest.mark.parametrize(
    "case", _cases((EXTRACT, "urls_with_indices"), (EXTRACT, "urls_with_directional_markers"))
)
def test_extract_urls_with_indices(case: Case) -> None:
    found = extract_urls(case["text"])
    assert [{"url": e.value, "indices": [e.start, e.end]} for e in found] == case["expected"]


@pytest.mark.parametrize("case", _cases((EXTRACT, "mentions")))
def test_extract_mentions(case: Case) -> None:
    found = extract_mentions(case["text"])
    _assert_consistent(case["text"], found)
    assert _values(found) == case["expected"]


@pytest.mark.parametrize("case", _cases((EXTRACT, "mentions_with_indices")))
def test_extract_mentions_with_indices(case: Case) -> None:
    found = extract_mentions(case["text"])
    assert [{"screen_name": e.value, "indices": [e.start, e.end]} for e in found] == case[
        "expected"
    ]


@pytest.mark.parametrize("case", _cases((EXTRACT, "mentions_or_lists_with_indices")))
def test_extract_mentions_or_lists_with_indices(case: Case) -> None:
    found = extract_mentions_or_lists(case["text"])
    _assert_consistent(case["text"], found)
    actual = []
    for entity in found:
        screen_name, _, list_name = entity.value.partition("/")
        assert entity.kind == ("list" if list_name else "mention")
        actual.append(
            {
                "screen_name": screen_name,
                "list_slug": f"/{list_name}" if list_name else "",
                "indices": [entity.start, entity.end],
            }
        )
    assert actual == case["expected"]


@pytest.mark.parametrize("case", _cases((EXTRACT, "hashtags"), (EXTRACT, "hashtags_from_astral")))
def test_extract_hashtags(case: Case) -> None:
    found = extract_hashtags(case["text"])
    _assert_consistent(case["text"], found)
    assert _values(found) == case["expected"]


@pytest.mark.parametrize("case", _cases((EXTRACT, "hashtags_with_indices")))
def test_extract_hashtags_with_indices(case: Case) -> None:
    found = extract_hashtags(case["text"])
    assert [{"hashtag": e.value, "indices": [e.start, e.end]} for e in found] == case["expected"]


@pytest.mark.parametrize("case", _cases((EXTRACT, "cashtags")))
def test_extract_cashtags(case: Case) -> None:
    found = extract_cashtags(case["text"])
    _assert_consistent(case["text"], found)
    assert _values(found) == case["expected"]


@pytest.mark.parametrize("case", _cases((EXTRACT, "cashtags_with_indices")))
def test_extract_cashtags_with_indices(case: Case) -> None:
    found = extract_cashtags(case["text"])
    assert [{"cashtag": e.value, "indices": [e.start, e.end]} for e in found] == case["expected"]


def test_indexed_cases_have_no_astral_characters() -> None:
    indexed = [name for name in EXTRACT if name.endswith(("_with_indices", "_markers"))]
    assert indexed
    for name in indexed:
        for case in EXTRACT[name]:
            assert max(case["text"]) <= "\uffff", case["description"]


# --- validate.yml: usernames, lists and hashtags, through the extractors -------------------------
# twitter-text's isValidUsername/isValidList/isValidHashtag accept a text that is exactly one
# such entity. (The urls sections test an RFC 3986 validator that our API does not have.)


def _is_exactly_one(text: str, found: list[Entity], kind: str) -> bool:
    return len(found) == 1 and found[0].kind == kind and found[0].text == text


@pytest.mark.parametrize("case", _cases((VALIDATE, "usernames")))
def test_validate_usernames(case: Case) -> None:
    text = case["text"]
    assert _is_exactly_one(text, extract_mentions(text), "mention") == case["expected"]


@pytest.mark.parametrize("case", _cases((VALIDATE, "lists")))
def test_validate_lists(case: Case) -> None:
    text = case["text"]
    assert _is_exactly_one(text, extract_mentions_or_lists(text), "list") == case["expected"]


@pytest.mark.parametrize("case", _cases((VALIDATE, "hashtags")))
def test_validate_hashtags(case: Case) -> None:
    text = case["text"]
    assert _is_exactly_one(text, extract_hashtags(text), "hashtag") == case["expected"]


# --- Our own cases -------------------------------------------------------------------------------

PHOENIX = "\U0001f426\u200d\U0001f525"  # Unicode 15.1 ZWJ sequence

WEIGHTED_LENGTHS = [
    pytest.param("Привет, мир", 11, id="Cyrillic"),
    pytest.param("әғқңөұүһі ӘҒҚҢӨҰҮҺІ", 19, id="Kazakh letters are below U+10FF"),
    pytest.param("日本語のテキスト", 16, id="CJK"),
    pytest.param("한국어", 6, id="Hangul"),
    pytest.param(PHOENIX, 2, id="phoenix ZWJ sequence, Unicode 15.1"),
    pytest.param("\U0001f426\u200d\u2b1b", 2, id="black bird, Unicode 15"),
    pytest.param("\U0001f642\u200d\u2194\ufe0f", 2, id="head shaking horizontally, 15.1"),
    pytest.param("\U0001f9d1\u200d\U0001f9d1\u200d\U0001f9d2", 2, id="family adult adult child"),
    pytest.param("\U0001fae9\U0001fac6", 4, id="Unicode 16 single emoji"),
    pytest.param("\U0001f1f0\U0001f1ff\U0001f1fa\U0001f1f8", 4, id="two flags"),
    pytest.param("\U0001f1f0", 2, id="lone regional indicator"),
    pytest.param(
        "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
        2,
        id="tag sequence flag",
    ),
    pytest.param("1\ufe0f\u20e3 #\u20e3 *\ufe0f\u20e3", 8, id="keycaps"),
    pytest.param("\U0001f44d\U0001f3fd \U0001f9d1\U0001f3ff\u200d\U0001f4bb", 5, id="skin tones"),
    pytest.param("\U0001f600\U0001f3fd", 4, id="skin tone after a non-base is separate"),
    pytest.param("\u2764\ufe0f \u2764", 5, id="heart with and without VS16"),
    pytest.param("\xa9 \xae", 3, id="bare copyright and registered are text"),
    pytest.param("\xa9\ufe0f\xae\ufe0f\u2122\ufe0f", 6, id="copyright registered tm with VS16"),
    pytest.param("\u231a\ufe0f", 2, id="watch with VS16 is one emoji"),
    pytest.param("\U0001f600\ufe0f", 4, id="stray VS16 after an emoji counts apart"),
    pytest.param("\u263a\ufe0e", 4, id="text presentation selector is not absorbed"),
    pytest.param("example.kz", 23, id="bare domain"),
    pytest.param("see example.kz", 27, id="bare domain after text"),
    pytest.param("https://example.com/a b", 25, id="URL at the start"),
    pytest.param("a https://example.com", 25, id="URL at the end"),
    pytest.param("http://☃.net/", 23, id="URL with an emoji host"),
    pytest.param("https://example.com/путь", 23, id="URL with a Cyrillic path"),
    pytest.param("No. 37", 6, id="No. 37 is no URL"),
    pytest.param("e.g. т.е. file.txt Node.js", 26, id="abbreviations and file names"),
    pytest.param("@username #hashtag $CASH", 24, id="entities other than URLs count as text"),
    pytest.param("e\u0301", 1, id="NFC first"),
    pytest.param("a\r\nb", 4, id="CRLF is two characters"),
    pytest.param("", 0, id="empty"),
]


@pytest.mark.parametrize(("text", "expected"), WEIGHTED_LENGTHS)
def test_weighted_length(text: str, expected: int) -> None:
    assert x_weighted_length(text) == expected
    assert sum(x_char_weights(_nfc(text))) == expected


@pytest.mark.parametrize(
    ("text", "weights"),
    [
        pytest.param("a" + PHOENIX + "b", [1, 2, 0, 0, 1], id="emoji carries 2 then zeros"),
        pytest.param("x.co y", [23, 0, 0, 0, 1, 1], id="URL carries 23 then zeros"),
        pytest.param("Қ日\u2014\u2026", [1, 2, 1, 2], id="ranges"),
    ],
)
def test_char_weights(text: str, weights: list[int]) -> None:
    assert x_char_weights(text) == weights


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        pytest.param("", False, id="empty"),
        pytest.param("a" * 280, True, id="280 ASCII"),
        pytest.param("a" * 281, False, id="281 ASCII"),
        pytest.param("日" * 140, True, id="140 CJK"),
        pytest.param("日" * 141, False, id="141 CJK"),
        pytest.param("x" * 256 + " https://example.com/" + "a" * 100, True, id="long URL is 23"),
        pytest.param("abc\ufeff", False, id="BOM is invalid"),
        pytest.param("abc\uffff", False, id="U+FFFF is invalid"),
    ],
)
def test_is_valid(text: str, valid: bool) -> None:
    assert x_is_valid(text) is valid


def test_extract_emoji() -> None:
    text = "H🐱☺" + PHOENIX + " ©️© 1⃣ 🇰🇿🇺🇸 ✌🏿️ ⌚️ 😀️ ☺︎ 🏴󠁧󠁢󠁳󠁣󠁴󠁿"
    found = extract_emoji(text)
    _assert_consistent(text, found)
    assert _values(found) == [
        "🐱",
        "☺",
        PHOENIX,
        "©️",
        "1⃣",
        "🇰🇿",
        "🇺🇸",
        "✌🏿",
        "⌚️",
        "😀",
        "🏴󠁧󠁢󠁳󠁣󠁴󠁿",
    ]
    assert extract_emoji("plain ASCII 123 #*") == []


def test_extract_entities_removes_overlaps_in_order() -> None:
    text = "$CASH @user/list #tag http://twitter.com/#hashtag @me see example.kz"
    assert [(e.kind, e.value) for e in extract_entities(text)] == [
        ("cashtag", "CASH"),
        ("list", "user/list"),
        ("hashtag", "tag"),
        ("url", "http://twitter.com/#hashtag"),
        ("mention", "me"),
        ("url", "example.kz"),
    ]


def test_urls_without_protocol_can_be_excluded() -> None:
    text = "example.com and https://example.org/x"
    assert _values(extract_urls(text, without_protocol=False)) == ["https://example.org/x"]


# --- Properties ----------------------------------------------------------------------------------

# Pieces are joined at random; whitespace-free ones are listed in strings for brevity.
NEW_EMOJI = "\U0001f426\u200d\U0001f525 🫩 🧑‍🧑‍🧒 🙂‍↔️ 🏃🏽‍➡️ 🐦‍⬛ 👨🏻‍🤝‍👨🏿 🇺🇳 🏴󠁧󠁢󠁥󠁮󠁧󠁿".split()
JOINERS = "\u200d \ufe0f \ufe0e \u20e3 \U0001f3fd \U0001f1e6 \U000e0067 \U000e007f".split()
# Emoji that twitter-text-parser (emoji-test.txt 12.0) and twemoji treat alike: fully-qualified,
# not newer than Unicode 11, and neither a bare ©/® (emoji to the former, text to the latter) nor
# an older emoji-presentation character with VS16 such as ⌚️ (two units to the former).
OLD_EMOJI = (
    "😀 😷 👾 🔥 💩 🐱 ☺ ☀️ ❤️ ✉️ 👍 👍🏽 🙋🏽 👨‍🎤 👨‍👩‍👧‍👦 🏳️‍🌈 🏴‍☠️ 🇺🇸 🇯🇵 🇰🇿 1️⃣ #️⃣ 🧕🏾 🤪 "
    "🏴󠁧󠁢󠁥󠁮󠁧󠁿 👩‍❤️‍💋‍👨 🧟‍♂️ 🦸🏿‍♀️ 🥳 ✌️ ✌🏿"
).split()
WORDS = [
    *"word the No. 37 e.g. U.S. , . ( ) - _ / & : 。 — … « »".split(),
    *"выборы т.е. наблюдатели сайлау әділ қазақ й е\u0308 選挙 監視団".split(),
    *"@user @user_1/list #tag $CASH".split(),
    " ",
    "  ",
    "\n",
]
URL_PIECES = [
    *"https:// http:// example .com .kz .рф .онлайн t.co/ abcDEF12 /path ?q=1&x=y #frag".split(),
    *":8080 xn--ls8h ELPAÍS пример github.com/acme (x) www. .co.uk bit.ly/x 日本 -".split(),
    "a" * 64,
]


def _texts(pieces: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=40).map("".join)


ANY_TEXT = _texts(WORDS + URL_PIECES + OLD_EMOJI + NEW_EMOJI + JOINERS + ["©", "®", "⌚️", "\r"])


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_char_weights_add_up_to_weighted_length(text: str) -> None:
    weights = x_char_weights(_nfc(text))
    assert len(weights) == len(_nfc(text))
    assert sum(weights) == x_weighted_length(text)


def _twitter_text_parser() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it imports the deprecated pkg_resources
        import twitter_text

    return twitter_text


@settings(max_examples=200, deadline=None)
@given(_texts(WORDS + URL_PIECES + OLD_EMOJI))
def test_weighted_length_matches_twitter_text_parser(text: str) -> None:
    # When a URL's value is rewritten ("a.com日本.jp/x" becomes "a.com/x"), that Python port
    # replaces every copy of the host in the URL, where twitter-text replaces the first only.
    assume(all(url.value == url.text for url in extract_urls(text)))
    parser = _twitter_text_parser()
    # The port rewrites its own copy of such a URL too: "bit.ly/xвыборыbit.ly/x" (one URL,
    # the host twice) becomes "bit.ly/xвbit.ly/x" and its length is off by the difference.
    found = parser.extract_urls_with_indices(text)
    assume(all(u["url"] == text[u["indices"][0] : u["indices"][1]] for u in found))
    reference = parser.parse_tweet(text)
    assert x_weighted_length(text) == reference.weightedLength
    assert x_is_valid(text) == reference.valid


EMOJI_SOUP = _texts(
    [*OLD_EMOJI, *NEW_EMOJI, *JOINERS, "a", " ", "1", "#", "*", "©", "®", "™", "♟", "⌚", "↔", "♀"]
)


@settings(max_examples=500, deadline=None)
@given(EMOJI_SOUP)
def test_emoji_stretches_match_like_the_whole_text(text: str) -> None:
    whole = [(start, end) for start, end in entities._emoji_matches(text) if end - start > 1]
    assert entities._emoji_spans(text) == whole


def _emoji_grammar_as_regex() -> regex.Pattern[str]:
    """The grammar that entities._emoji_element_end implements, written as a regex."""
    with_variation = entities._EMOJI_PRESENTATION_WITH_VARIATION
    takes_vs16 = f"[[\\p{{Emoji}}--\\p{{Emoji_Presentation}}--[#*0-9]]{with_variation}]"
    element = (
        "(?:[#*0-9]\ufe0f?\u20e3"
        "|\\p{Regional_Indicator}{2}"
        f"|[\\p{{Emoji_Modifier_Base}}&&{takes_vs16}]\ufe0f\\p{{Emoji_Modifier}}"
        "|\\p{Emoji_Modifier_Base}\\p{Emoji_Modifier}"
        f"|{takes_vs16}\ufe0f"
        f"|[{takes_vs16}--[{entities._EMOJI_ONLY_WITH_VS16}]](?!\ufe0e)"
        f"|[\\p{{Emoji_Presentation}}--[{with_variation}]]"
        "|[\\p{Extended_Pictographic}&&\\p{Cn}])"
        "(?:[\U000e0020-\U000e007e]+\U000e007f)?"
    )
    return regex.compile(f"{element}(?:\u200d{element})*", regex.VERSION1)


EMOJI_GRAMMAR = _emoji_grammar_as_regex()


@settings(max_examples=500, deadline=None)
@given(EMOJI_SOUP)
def test_emoji_scanner_follows_the_grammar(text: str) -> None:
    assert entities._emoji_matches(text) == [m.span() for m in EMOJI_GRAMMAR.finditer(text)]


def _reference_url_scan(text: str) -> list[tuple[int, int, str]]:
    """extractUrlsWithIndices over the whole text, without the segment and host shortcuts."""
    urls: list[tuple[int, int, str]] = []
    for match in entities._extract_url_pattern().finditer(text):
        before, url, protocol, domain, path = match.group(1, 2, 3, 4, 5)
        end = match.end()
        start = end - len(url)
        if not entities._is_valid_host(url, protocol or "https://", domain):
            continue
        if protocol is None:
            if before[-1:] in ("-", "_", ".", "/"):
                continue
            last = None
            for ascii_domain in entities._ascii_domain_pattern().finditer(domain):
                last = len(urls)
                urls.append(
                    (start + ascii_domain.start(), start + ascii_domain.end(), ascii_domain[0])
                )
            if last is not None and path:
                urls[last] = (urls[last][0], end, url.replace(domain, urls[last][2], 1))
            continue
        tco = entities._TCO_URL.match(url)
        if tco is not None:
            if len(tco[1]) > 40:
                continue
            url = tco[0]
            end = start + len(url)
        urls.append((start, end, url))
    return urls


@settings(max_examples=500, deadline=None)
@given(_texts(WORDS + URL_PIECES + ["\u3000", "\u202a", "\u2066", "$", "@", "Kz", "☃"]))
def test_url_segments_match_like_the_whole_text(text: str) -> None:
    assert entities._scan_urls(text) == _reference_url_scan(text)


def test_tld_shapes_allow_the_cheap_url_candidate_test() -> None:
    # entities._may_start_tld relies on these: a TLD starts with a letter, and an ASCII start
    # is either the whole (lowercase) TLD or followed by a non-ASCII letter.
    for tld in (*_tlds.GENERIC_TLDS, *_tlds.COUNTRY_TLDS):
        assert re.match(r"[^\W\d_]", tld), tld
        ascii_start = re.match("[a-z]*", tld)
        assert ascii_start is not None
        assert ascii_start.end() == len(tld) or not tld[ascii_start.end()].isascii(), tld


def test_every_single_code_point_emoji_weighs_two_anyway() -> None:
    # xcount only counts emoji sequences of two or more code points as units, which is right
    # because a lone emoji code point weighs 2 by the v3 ranges too.
    codes = [code for low, high in entities._EMOJI_RANGES for code in range(low, high + 1)]
    alone = [chr(code) for code in codes if entities._emoji_matches(chr(code)) == [(0, 1)]]
    assert len(alone) > 1000
    assert x_char_weights(" ".join(alone))[::2] == [2] * len(alone)


def test_generated_tld_module_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("gen_tlds", ROOT / "tools" / "gen_tlds.py")
    assert spec is not None and spec.loader is not None
    gen_tlds = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_tlds)
    expected = gen_tlds.render(gen_tlds.read_tlds(DATA / "tlds.yml"))
    assert (ROOT / "composer" / "text" / "_tlds.py").read_text(encoding="utf-8") == expected


def test_emoji_run_characters_cover_every_emoji_character() -> None:
    everything = "".join(
        chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code < 0xE000
    )
    emoji_like = regex.findall(
        r"[\p{Emoji}\p{Emoji_Presentation}\p{Extended_Pictographic}\p{Emoji_Component}\ufe0e]",
        everything,
    )
    ranges = entities._EMOJI_RANGES
    outside = [c for c in emoji_like if not any(lo <= ord(c) <= hi for lo, hi in ranges)]
    assert outside == []
