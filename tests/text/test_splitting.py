"""The splitter: named cases, the example drafts, and comparisons with greedy splitting."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest

from composer.text import BreakKind, SplitError, count, platform, split
from composer.text.breaks import tokenize
from composer.text.counting import normalize
from composer.text.numbering import Numbering
from tests.greedy import greedy_split
from tests.text.checks import assert_valid_thread, words

SENTENCE = "The observers visited {n} polling stations and reported no major incidents. "
PARAGRAPHS = "\n\n".join(
    f"Paragraph {p} opens here. " + "It has some ordinary words in it for filler. " * 3
    for p in range(1, 13)
)


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    platform: str = "x"
    options: dict[str, Any] = field(default_factory=dict)
    posts: int | None = None  # expected number of posts, when it is known exactly


CASES = [
    Case("empty text gives no posts", "", posts=0),
    Case("whitespace only gives no posts", " \n\n \t", posts=0),
    Case("short text is one unnumbered post", "Hello, world.", posts=1),
    Case("exactly 280 is one post", "a" * 280, posts=1),
    Case("281 needs two posts", "word " * 56 + "a", posts=2),
    Case("nine posts keep one-digit numbers", " ".join(["abcdefghi"] * 250)),
    Case("ten posts get two-digit numbers", " ".join(["abcdefghi"] * 280)),
    Case("a hundred posts get three-digit numbers", " ".join(["abcdefghi"] * 2800)),
    Case("paragraphs", PARAGRAPHS),
    Case("cyrillic on bluesky", "Наблюдатели посетили участки. " * 40, "bluesky"),
    Case("kazakh on mastodon", "Бақылаушылар сайлау учаскелеріне барды. " * 40, "mastodon"),
    Case("CJK weighs two on X", "選挙監視団は投票所を訪問した。" * 40),
    Case("emoji sequences", "Update 👨‍👩‍👧‍👦 🇰🇿 👍🏽 🐦‍🔥 done. " * 40, "bluesky"),
    Case("urls count 23 on X", "See https://example.org/" + "a" * 200 + " now. " * 10 + "x" * 5),
    Case("mastodon addresses count as the user", "@hrw@mastodon.social says so. " * 40, "mastodon"),
    Case("bluesky bytes", "𝐀" * 290 + " " + "𝐀" * 290, "bluesky"),
    Case("threads", "Threads post text with a link https://example.com here. " * 30, "threads"),
    Case("linkedin is one long post", "Paragraph. " * 200, "linkedin", posts=1),
    Case("suffix numbering", SENTENCE * 12, options={"numbering": "suffix"}),
    Case("paren numbering", SENTENCE * 12, options={"numbering": "paren"}),
    Case("thread emoji numbering", SENTENCE * 12, options={"numbering": "thread"}),
    Case("custom numbering", SENTENCE * 12, options={"numbering": "[{i} of {n}]"}),
    Case("no numbering", SENTENCE * 12, options={"numbering": "none"}),
    Case("hook post", SENTENCE * 12, options={"hook": True}),
    Case("custom limit", SENTENCE * 3, options={"limit": 100}),
    Case("fewest mode", PARAGRAPHS, options={"mode": "fewest"}),
    Case("cleanest mode", PARAGRAPHS, options={"mode": "cleanest"}),
    Case("windows line endings", "Line one.\r\nLine two.\r\n\r\n" * 40),
    Case("a word longer than a post is cut", "x" * 700 + " tail", "bluesky"),
    Case("a url longer than a bluesky post is cut", "https://e.org/" + "p" * 400, "bluesky"),
    Case(
        "cut words under another numbering width keep their tail",
        "word\n---\nword https://example.org/" + "p" * 320,
        "bluesky",
        {"limit": 72, "mode": "cleanest"},
    ),
    Case(
        "CJK next to a no-break space",
        "word " * 13 + "選挙\u00a0word word",
        "bluesky",
        {"limit": 30},
    ),
    Case("a no-break group longer than a post", "5\u00a0000 " + "x\u00a0" * 200 + "end", "bluesky"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_named_case(case: Case) -> None:
    thread = split(case.text, case.platform, **case.options)
    assert_valid_thread(
        thread,
        numbering=case.options.get("numbering", "{i}/{n}"),
        hook=case.options.get("hook", False),
        limit=case.options.get("limit"),
    )
    assert words(" ".join(p.body for p in thread.posts)) == words(
        normalize(case.text.replace("\r\n", "\n"))
    )
    if case.posts is not None:
        assert len(thread.posts) == case.posts


@pytest.mark.parametrize(
    ("repeat", "expected_width"), [(235, 1), (280, 2), (2800, 3)], ids=["9", "10", "100"]
)
def test_numbering_width_follows_the_count(repeat: int, expected_width: int) -> None:
    thread = split(" ".join(["abcdefghi"] * repeat), "x", mode="fewest")
    total = len(thread.posts)
    assert len(str(total)) == expected_width
    assert thread.posts[-1].text.startswith(f"{total}/{total} ")
    # Posts are full: the numbering width was not guessed too wide.
    assert all(post.length > 280 - 12 for post in thread.posts[:-1])


def test_ten_posts_boundary_is_exact() -> None:
    """Around 9 -> 10 posts the numbering gets wider: every post still fits."""
    for repeat in range(240, 300, 3):
        thread = split(" ".join(["abcdefghi"] * repeat), "x")
        assert_valid_thread(thread)


def test_url_mention_hashtag_never_split() -> None:
    entities = ["https://example.org/path?a=1&b=2.", "@osce_odihr", "#KazakhstanElections", "$TSLA"]
    text = " ".join(f"word{n} {entities[n % 4]}" for n in range(200))
    thread = split(text, "x")
    pieces = [w for p in thread.posts for w in p.body.split()]
    for entity in entities:
        assert pieces.count(entity) == 50


def test_numbers_and_no_break_spaces_stay_together() -> None:
    text = ("Turnout was 1 000 000 voters; see No. 37 and 5\u00a0000\u00a0tenge. " * 30).strip()
    thread = split(text, "x", mode="fewest")
    for post in thread.posts:
        assert not post.body.startswith(("000", "37", "tenge"))
        assert not post.body.endswith(("1", "No.", "5"))


def test_section_mark_forces_a_break() -> None:
    text = "First part is short.\n---\nSecond part is short too."
    thread = split(text, "x")
    assert [p.body for p in thread.posts] == ["First part is short.", "Second part is short too."]
    assert thread.posts[0].cut is BreakKind.SECTION


def test_paragraphs_and_lines_inside_a_post_are_kept() -> None:
    text = "Title line\n- one\n- two\n\nA paragraph." + "\n\nMore text here." * 30
    thread = split(text, "x")
    assert thread.posts[0].body.startswith("Title line\n- one\n- two\n\nA paragraph.")


def test_prefers_a_sentence_end_to_a_word() -> None:
    first = "The mission observed the vote in all regions of the country. "
    text = first * 4 + "Counting was slow and in many places it was not transparent at all."
    thread = split(text, "x")
    assert all(post.cut in (BreakKind.SENTENCE, BreakKind.END) for post in thread.posts)


@pytest.mark.parametrize(
    "abbreviation",
    ["No. 37", "e.g. observers", "9 a.m. local", "т.е. наблюдатели", "ст. 274", "в 2022 г. и"],
)
def test_abbreviations_are_not_sentence_ends(abbreviation: str) -> None:
    text = f"Start {abbreviation} end."
    tokens = tokenize(text)
    first_word = abbreviation.split()[0]
    token = next(t for t in tokens if text[t.start : t.end].startswith(first_word))
    assert token.after is not BreakKind.SENTENCE


def test_a_word_longer_than_a_post_warns_and_never_hangs() -> None:
    thread = split("start " + "x" * 2000 + " end", "x")
    assert thread.warnings and "longer than a post" in thread.warnings[0]
    assert_valid_thread(thread)
    assert any(post.cut is BreakKind.FORCED for post in thread.posts)


def test_limit_too_small_for_numbering_is_an_error() -> None:
    with pytest.raises(SplitError, match="no room"):
        split("word " * 100, "x", limit=3)


def test_single_post_is_not_numbered_and_hook_has_no_number() -> None:
    assert split("Short.", "x").posts[0].text == "Short."
    thread = split(SENTENCE * 12, "x", hook=True)
    assert thread.posts[0].text == thread.posts[0].body
    assert thread.posts[1].text.startswith(f"2/{len(thread.posts)} ")


# --- the example drafts --------------------------------------------------------------------
@pytest.mark.parametrize("platform_name", ["x", "bluesky", "mastodon", "threads"])
def test_example_draft(example_draft: Any, platform_name: str) -> None:
    thread = split(example_draft.body, platform_name, hook=example_draft.hook)
    assert_valid_thread(thread, hook=example_draft.hook)
    greedy = greedy_split(example_draft.body, platform_name, hook=example_draft.hook)
    fewest = split(example_draft.body, platform_name, hook=example_draft.hook, mode="fewest")
    assert len(fewest.posts) <= len(greedy)
    assert len(thread.posts) <= len(fewest.posts) + 1
    assert thread.clean_share >= _greedy_clean_share(greedy, platform_name)
    assert "---" not in " ".join(p.text for p in thread.posts)


@pytest.mark.parametrize("platform_name", ["x", "bluesky", "mastodon"])
def test_example_ru_draft(example_ru_draft: Any, platform_name: str) -> None:
    thread = split(example_ru_draft.body, platform_name)
    assert_valid_thread(thread)
    for post in thread.posts[:-1]:
        # The abbreviations of the Russian draft never end a post as if they ended a sentence.
        assert not post.body.endswith(("т.е.", "ст.", "им.", "ул.", "см.", "т.ч."))


def _greedy_clean_share(posts: list[str], platform_name: str) -> float:
    """Share of a greedy split's cuts that fall after a sentence end."""
    if len(posts) < 2:
        return 1.0
    ends = sum(p.rstrip().endswith((".", "!", "?", "…", ":")) for p in posts[:-1])
    return ends / (len(posts) - 1)


# --- optimality against an exhaustive oracle --------------------------------------------------
def best_clean_cuts(text: str, platform_name: str, posts: int, hook: bool = False) -> int:
    """The most clean cuts any split into exactly `posts` posts can have (slow, exact DP over
    the same cut candidates, written independently of the splitter)."""
    rules = platform(platform_name)
    source = normalize(text)
    tokens = tokenize(source)
    sums = [
        list(itertools.accumulate(m.weights(source), initial=0))
        for m in (rules.measure, *rules.extra)
    ]
    measures = (rules.measure, *rules.extra)
    scheme = Numbering.parse("{i}/{n}", hook=hook)
    rooms = [
        [m.limit - m.count(scheme.overhead(c, posts)) for c in range(posts + 1)] for m in measures
    ]
    sections = list(itertools.accumulate((t.after is BreakKind.SECTION for t in tokens), initial=0))
    worst = -(10**9)
    best = [[worst] * (len(tokens) + 1) for _ in range(posts + 1)]
    best[0][0] = 0
    for c in range(1, posts + 1):
        for b in range(1, len(tokens) + 1):
            for a in range(b - 1, -1, -1):
                if any(
                    s[tokens[b - 1].end] - s[tokens[a].start] > rooms[k][c]
                    for k, s in enumerate(sums)
                ):
                    break
                if sections[b - 1] - sections[a]:
                    break  # the post would straddle a "---" mark
                if best[c - 1][a] == worst:
                    continue
                gain = 1 if (b < len(tokens) and tokens[b - 1].after.clean) else 0
                best[c][b] = max(best[c][b], best[c - 1][a] + gain)
    return best[posts][len(tokens)]


@pytest.mark.parametrize("platform_name", ["x", "bluesky", "mastodon"])
def test_clean_cuts_are_near_the_best_possible(example_draft: Any, platform_name: str) -> None:
    for mode in ("fewest", "balanced"):
        thread = split(example_draft.body, platform_name, hook=True, mode=mode)  # type: ignore[arg-type]
        cuts = len(thread.posts) - 1
        best = best_clean_cuts(example_draft.body, platform_name, len(thread.posts), hook=True)
        got = sum(kind.clean for kind in thread.cuts)
        assert got >= best - max(1, round(0.05 * cuts)), (mode, got, best)


def test_balanced_takes_one_more_post_only_for_clearly_cleaner_cuts(example_draft: Any) -> None:
    for platform_name in ("x", "bluesky", "mastodon"):
        fewest = split(example_draft.body, platform_name, mode="fewest")
        balanced = split(example_draft.body, platform_name)
        if len(balanced.posts) == len(fewest.posts):
            assert "the minimum" in balanced.note
        else:
            assert len(balanced.posts) == len(fewest.posts) + 1
            assert balanced.clean_share >= fewest.clean_share + 0.2
            assert "one more than the minimum" in balanced.note


def test_count_matches_the_posts(example_draft: Any) -> None:
    thread = split(example_draft.body, "x")
    for post in thread.posts:
        assert post.length == count(post.text, "x") <= 280
