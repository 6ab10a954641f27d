"""Numbering that continues an earlier thread ("8/9" after a thread of 7), and the update
marker ("UPDATE 1/2", "UPDATE: ..."), for follow-ups."""

from __future__ import annotations

import pytest

from composer.text import SplitError, count, split
from composer.text.numbering import Numbering, NumberingError

WORD = "abcdefghi"  # nine letters: k words take 10k - 1 characters


def words(n: int) -> str:
    return " ".join([WORD] * n)


@pytest.mark.parametrize(
    ("spec", "start", "index", "total", "expected"),
    [
        ("{i}/{n}", 8, 1, 2, "8/9 Body"),
        ("{i}/{n}", 8, 2, 2, "9/9 Body"),
        ("{i}/{n}", 8, 1, 1, "8/8 Body"),  # a continued single post keeps its number
        ("suffix", 10, 3, 3, "Body 12/12"),
        ("update", 1, 1, 2, "UPDATE 1/2 Body"),
        ("update", 1, 2, 2, "UPDATE 2/2 Body"),
        ("update", 1, 1, 1, "UPDATE: Body"),
        ("{i}/{n}", 1, 1, 1, "Body"),  # unchanged: a lone post is not numbered
    ],
)
def test_render_from_a_start(spec: str, start: int, index: int, total: int, expected: str) -> None:
    assert Numbering.parse(spec, start=start).render(index, total, "Body") == expected


def test_a_start_below_one_is_refused() -> None:
    with pytest.raises(NumberingError, match="start at 1"):
        Numbering.parse("{i}/{n}", start=0)
    with pytest.raises(SplitError, match="start at 1"):
        split("Text.", "x", first_number=0)


def test_split_continues_the_numbering() -> None:
    thread = split(words(60), "x", first_number=8)
    total = len(thread.posts)
    assert total >= 2
    assert [p.text.split(" ", 1)[0] for p in thread.posts] == [
        f"{7 + i}/{7 + total}" for i in range(1, total + 1)
    ]
    assert all(count(p.text, "x") <= 280 for p in thread.posts)
    assert [p.index for p in thread.posts] == list(range(1, total + 1))  # positions stay 1..n


def test_a_single_follow_up_post_is_numbered_or_marked() -> None:
    [continued] = split("One more fact.", "x", first_number=8).posts
    assert continued.text == "8/8 One more fact."
    [update] = split("One more fact.", "x", numbering="update").posts
    assert update.text == "UPDATE: One more fact."


def test_the_marker_counts_against_a_single_post() -> None:
    # 275 characters fit alone, but not after "UPDATE: " (8): two marked posts instead.
    text = "a" * 100 + " " + "b" * 174
    assert len(split(text, "x").posts) == 1
    marked = split(text, "x", numbering="update")
    assert [p.text[:11] for p in marked.posts] == ["UPDATE 1/2 ", "UPDATE 2/2 "]
    assert all(p.length <= 280 for p in marked.posts)


def test_each_post_has_exactly_the_room_its_own_number_leaves() -> None:
    # Limit 104: after "9/10 " (5) there is room for 99 characters, ten words; after
    # "10/10 " (6) for 98, nine words. Nineteen words fit in two posts only if each post's
    # room is measured with its own number; a width taken from the widest number would need
    # a third post, one taken from a one-digit total would overflow.
    thread = split(words(19), "x", limit=104, first_number=9, mode="fewest")
    assert [p.text for p in thread.posts] == [f"9/10 {words(10)}", f"10/10 {words(9)}"]
    assert [p.length for p in thread.posts] == [104, 95]


@pytest.mark.parametrize("start", [1, 2, 8, 9, 10, 95, 99, 100])
@pytest.mark.parametrize("n_words", [30, 150, 400])
def test_continued_threads_always_fit_and_count_right(start: int, n_words: int) -> None:
    thread = split(words(n_words), "x", limit=120, first_number=start, mode="fewest")
    total = len(thread.posts)
    shift = start - 1
    for post in thread.posts:
        assert post.length <= 120, post.text
        if total > 1 or start > 1:
            assert post.text.startswith(f"{shift + post.index}/{shift + total} ")
    # Never more posts than the same text numbered from 1 needs, plus one for wider numbers.
    assert total <= len(split(words(n_words), "x", limit=120, mode="fewest").posts) + 1


def test_defaults_are_unchanged() -> None:
    text = words(60)
    assert [p.text for p in split(text, "x")] == [p.text for p in split(text, "x", first_number=1)]
