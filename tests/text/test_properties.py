"""Property tests: random reports mixing scripts, emoji, links and mentions always split into
posts that fit, keep the text, and are numbered consistently."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer.text import count, split
from composer.text.counting import normalize
from composer.text.graphemes import grapheme_count, grapheme_weights
from tests.text.checks import assert_valid_thread, words

PIECES = [
    "word",
    "the",
    "observers",
    "No.",
    "37",
    "e.g.",
    "выборы",
    "т.е.",
    "наблюдатели",
    "сайлау",
    "әділ",
    "қазақ",
    "ұлттық",
    "選挙",
    "監視団",
    "👍🏽",
    "👨‍👩‍👧‍👦",
    "🇰🇿",
    "🐦‍🔥",
    "#️⃣",
    "https://example.org/a?b=c",
    "osce.org",
    "@hrw",
    "@hrw@mastodon.social",
    "#Kazakhstan",
    "$TSLA",
    "1 000",
    "end.",
    "clause,",
    "—",
    "e\u0301",
    "\u0301",
    "\u200d",
    "x" * 40,
    "https://example.org/" + "p" * 320,
    "example.kz",
    "мир.рф",
    "مرحبا",
    "한국어",
    "選挙\u00a0監視",
    "(see",
    "it).",
    "«цитата».",
    "No.",
    "г.",
]
SEPARATORS = [" ", " ", " ", "  ", "\n", "\n\n", "\u00a0", "\t", "\n---\n", "", "\r\n", "\u3000"]

report = st.lists(
    st.tuples(st.sampled_from(PIECES), st.sampled_from(SEPARATORS)), min_size=1, max_size=400
).map(lambda pairs: "".join(piece + sep for piece, sep in pairs))
platforms = st.sampled_from(["x", "mastodon", "bluesky", "threads"])
numberings = st.sampled_from(["{i}/{n}", "suffix", "paren", "thread", "none"])


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(text=report, platform_name=platforms, numbering=numberings, hook=st.booleans())
def test_every_post_fits_and_the_text_is_kept(
    text: str, platform_name: str, numbering: str, hook: bool
) -> None:
    thread = split(text, platform_name, numbering=numbering, hook=hook)
    assert_valid_thread(thread, numbering=numbering, hook=hook)
    assert words(" ".join(p.body for p in thread.posts)) == words(normalize(text))


mention_lists = st.lists(
    st.sampled_from(["@hrw", "@hrw@mastodon.social", "@fh.org", "Human Rights Watch", "@x_y"]),
    max_size=8,
)
tag_lists = st.lists(st.sampled_from(["OSCE", "#Kazakhstan", "Human Rights", "выборы"]), max_size=4)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    text=report,
    platform_name=platforms,
    mentions=mention_lists,
    placement=st.sampled_from(["first", "spread", "last"]),
    tags=tag_lists,
    tag_placement=st.sampled_from(["first", "last"]),
    terms=st.lists(st.sampled_from(["word", "the", "выборы", "observers end"]), max_size=3),
)
def test_mentions_and_tags_always_fit(
    text: str,
    platform_name: str,
    mentions: list[str],
    placement: str,
    tags: list[str],
    tag_placement: str,
    terms: list[str],
) -> None:
    thread = split(
        text,
        platform_name,
        mentions=mentions,
        mention_placement=placement,  # type: ignore[arg-type]
        tags=tags,
        tag_placement=tag_placement,  # type: ignore[arg-type]
        hashtag_terms=terms,
    )
    assert_valid_thread(thread)
    if thread.posts:
        published = " ".join(p.text for p in thread.posts)
        for mention in mentions:
            assert mention in published


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    text=report,
    limit=st.integers(min_value=30, max_value=120),
    mode=st.sampled_from(["fewest", "balanced", "cleanest"]),
)
def test_small_limits_and_modes(text: str, limit: int, mode: str) -> None:
    thread = split(text, "bluesky", limit=limit, mode=mode)  # type: ignore[arg-type]
    assert_valid_thread(thread, limit=limit)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(text=report)
def test_weights_add_up_to_the_count(text: str) -> None:
    from composer.text import platform

    source = normalize(text)
    for name in ("x", "mastodon", "bluesky", "threads", "linkedin"):
        rules = platform(name)
        for measure in (rules.measure, *rules.extra):
            assert sum(measure.weights(source)) == measure.count(source), (name, measure.unit)
    assert sum(grapheme_weights(source)) == grapheme_count(source)
    assert count(text, "bluesky") == grapheme_count(source)
