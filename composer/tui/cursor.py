"""Where the editor's cursor is in the thread: the post it is in, for the status line under
the editor (`Ln 12, Col 4 · post 7/15 · 241/280`) and the card the preview highlights.

A post's `start`/`end` are offsets in the split's source, which is the draft's body with
its hashtag terms linked ("human rights" -> "#HumanRights"): a few local edits. Written by
hand (difflib would do, but it is quadratic on a 20,000-character report and this runs on
the UI thread): walk the common runs, and after each edit find where the texts meet again.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from composer.text import Post, Thread

_WINDOW = 12  # characters that must match again after an edit
_SKIP = 40  # the longest stretch of the body an edit may replace
_AHEAD = 200  # how far into the source to look for the meeting point


def anchors(body: str, source: str) -> list[tuple[int, int]]:
    """(body offset, source offset) pairs from which the two texts run alike."""
    found = [(0, 0)]
    i = j = 0
    while i < len(body) and j < len(source):
        run = _common_run(body, i, source, j)
        i, j = i + run, j + run
        if i >= len(body) or j >= len(source):
            break
        for skip in range(_SKIP):
            window = body[i + skip : i + skip + _WINDOW]
            if not window:
                return found
            at = source.find(window, j, j + _AHEAD)
            if at >= 0:
                i, j = i + skip, at
                found.append((i, j))
                break
        else:
            return found  # they do not meet again nearby: the rest maps as it is
    return found


def _common_run(a: str, i: int, b: str, j: int) -> int:
    """How many characters `a[i:]` and `b[j:]` share from the start (by halving blocks)."""
    run, step = 0, 1024
    while step:
        if a[i + run : i + run + step] == b[j + run : j + run + step] and (
            i + run + step <= len(a) and j + run + step <= len(b)
        ):
            run += step
        else:
            step //= 2
    return run


@dataclass(frozen=True, slots=True)
class PostLocator:
    """Finds the post of a thread that a body offset falls in."""

    thread: Thread
    body_offsets: list[int]
    source_offsets: list[int]

    @classmethod
    def of(cls, thread: Thread, body: str) -> PostLocator:
        pairs = anchors(body, thread.source)
        return cls(thread, [b for b, _ in pairs], [s for _, s in pairs])

    def starts(self) -> list[tuple[int, int]]:
        """(body offset, post number) where each post's text begins: the editor's cut marks."""
        found: list[tuple[int, int]] = []
        for post in self.thread.posts:
            at = max(bisect_right(self.source_offsets, post.start) - 1, 0)
            found.append((self.body_offsets[at] + post.start - self.source_offsets[at], post.index))
        return found

    def post_at(self, body_offset: int) -> Post | None:
        """The post holding this offset of the body (the next one from a gap between posts,
        the last one past the end); None for a thread without posts."""
        posts = self.thread.posts
        if not posts:
            return None
        at = bisect_right(self.body_offsets, body_offset) - 1
        offset = self.source_offsets[at] + body_offset - self.body_offsets[at]
        for post in posts:
            if offset < post.end:
                return post
        return posts[-1]
