"""Invariants every thread must satisfy, shared by the table-driven and property tests."""

from __future__ import annotations

import re

from composer.text import Thread, count, platform
from composer.text.breaks import SECTION_MARK
from composer.text.numbering import Numbering


def assert_valid_thread(
    thread: Thread,
    *,
    numbering: str = "{i}/{n}",
    hook: bool = False,
    limit: int | None = None,
) -> None:
    """Every post fits every limit of its platform, numbering included; the posts hold the
    report and nothing else; the numbers run 1..n."""
    rules = platform(thread.platform)
    if limit is not None:
        rules = rules.with_limit(limit)
    total = len(thread.posts)
    for post in thread.posts:
        for measure in (rules.measure, *rules.extra):
            assert measure.count(post.text) <= measure.limit, (
                f"post {post.index} has {measure.count(post.text)} {measure.unit} "
                f"> {measure.limit}: {post.text!r}"
            )
        assert post.length == count(post.text, thread.platform)
        assert post.body == thread.source[post.start : post.end]
        assert post.body and post.body == post.body.strip()
        assert post.text == Numbering.parse(numbering, hook=hook).render(
            post.index, total, post.body + post.extras
        )
    assert [post.index for post in thread.posts] == list(range(1, total + 1))

    # Text preserved: between and around the posts there is only whitespace (or "---" marks).
    source = thread.source
    position = 0
    for post in thread.posts:
        gap = SECTION_MARK.sub("", source[position : post.start])
        assert gap.strip() == "", f"text lost before post {post.index}: {gap!r}"
        position = post.end
    assert SECTION_MARK.sub("", source[position:]).strip() == ""


def words(text: str) -> str:
    """The text without whitespace and "---" marks: what splitting must keep, in order."""
    return "".join(re.findall(r"\S+", SECTION_MARK.sub(" ", text)))
