"""Optimal thread splitting: Knuth-Plass line breaking with posts for lines.

Cut candidates are the whitespace runs between tokens (composer.text.breaks), each with a
kind; a post costs its cut's penalty plus a small slack penalty, and dynamic programming finds
the cheapest thread. Every post's capacity is its platform limit minus its own numbering
("9/12 " is shorter than "10/12 "), so the numbers are right for any count.

To weigh the post count against clean cuts, the DP state carries the number of posts so far,
kept within `extra` of the least possible at that point and pruned by a lower bound on the
posts still needed. The slack cost is linear, so the best start of each post is a sliding-window
minimum (a monotone deque per post count): O((extra + 1) x tokens) in all. Written by hand: no
library splits text into posts under a weighted, per-platform measure.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from composer.errors import ComposerError
from composer.text.breaks import BreakKind, Token, tokenize
from composer.text.counting import Measure, Platform, normalize, platform
from composer.text.display import plural
from composer.text.enrich import Extras, MentionPlacement, TagPlacement, as_tag, link_terms
from composer.text.graphemes import graphemes
from composer.text.images import Image, find_images
from composer.text.numbering import Numbering
from composer.text.patterns import compile_on_use
from composer.text.platform_facts import FACTS

Mode = Literal["fewest", "balanced", "cleanest"]
MODES: tuple[Mode, ...] = ("balanced", "fewest", "cleanest")

# Penalty of a cut by kind: clean cuts are nearly free, a word cut costs more than any slack.
PENALTY: dict[BreakKind, float] = {
    BreakKind.SECTION: 0.0,
    BreakKind.PARAGRAPH: 0.0,
    BreakKind.LINE: 3.0,
    BreakKind.SENTENCE: 6.0,
    BreakKind.CLAUSE: 40.0,
    BreakKind.WORD: 70.0,
    BreakKind.FORCED: 1000.0,
    BreakKind.END: 0.0,
}
SLACK_WEIGHT = 8.0  # at most this much for an empty post: slack only breaks ties between cuts
SHORT_LAST_WEIGHT = 10.0  # a last post under a quarter of its capacity looks like a leftover
EXTRA_POSTS: dict[str, int] = {"fewest": 0, "balanced": 1, "cleanest": 3}
BALANCED_GAIN = 0.20  # one more post is worth it for 20 points more clean cuts
INFINITY = float("inf")
_DIGITS = compile_on_use(r"[0-9]")
_NO_BREAK_PARTS = compile_on_use(r"[^\u00a0\u2007\u202f]+")


@dataclass(frozen=True, slots=True)
class Post:
    """One post of a thread. `text` is exactly what is published, numbering included."""

    index: int
    text: str
    length: int
    body: str
    start: int  # body = Thread.source[start:end]
    end: int
    cut: BreakKind  # how the cut after this post reads (END for the last post)
    extras: str = ""  # mentions and tags added after the body
    media: tuple[Image, ...] = ()  # the images of the image lines that belong to this post

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "text": self.text, "length": self.length}


@dataclass(frozen=True, slots=True)
class Thread:
    """The posts of a report on one platform, and how they were chosen."""

    platform: str
    limit: int
    unit: str
    posts: list[Post]
    mode: str
    fewest_possible: int
    source: str
    note: str = ""
    warnings: list[str] = field(default_factory=list)
    linked_tags: list[str] = field(default_factory=list)  # terms made hashtags in the text

    def __len__(self) -> int:
        return len(self.posts)

    def __iter__(self) -> Iterator[Post]:
        return iter(self.posts)

    @property
    def cuts(self) -> list[BreakKind]:
        return [post.cut for post in self.posts[:-1]]

    @property
    def clean_share(self) -> float:
        """Share of the cuts between posts that fall between sections, paragraphs, lines or
        sentences (1.0 for a single post)."""
        cuts = self.cuts
        return sum(kind.clean for kind in cuts) / len(cuts) if cuts else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "limit": self.limit,
            "posts": [post.to_dict() for post in self.posts],
        }


@dataclass(slots=True)
class _Plan:
    """A solution of the DP: the token index where each post ends (exclusive), and its cost."""

    ends: list[int]
    tokens: list[Token]  # the tokens `ends` indexes (long words cut for this numbering width)
    warnings: list[str]
    cost: float
    clean: float


class SplitError(ComposerError, ValueError):
    """Input that cannot be split (a limit too small for the numbering, say)."""


class ImageLineError(SplitError):
    """An image line that cannot go out as written (too many in a row for one post). The
    message names the line; `where` (the draft's name) goes before it when given."""

    def __init__(self, line: int, reason: str, where: str = "") -> None:
        super().__init__(f"{where}:{line}: {reason}" if where else f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def split(
    text: str,
    platform_name: str,
    *,
    numbering: str | None = "{i}/{n}",
    limit: int | None = None,
    hook: bool = False,
    mode: Mode = "balanced",
    mentions: Sequence[str] = (),
    mention_placement: MentionPlacement = "first",
    tags: Sequence[str] = (),
    tag_placement: TagPlacement = "last",
    hashtag_terms: Sequence[str] = (),
    names: Sequence[str] = (),
    first_number: int = 1,
    images_per_post: int | None = None,
    first_line: int = 1,
) -> Thread:
    """Split `text` into a thread for `platform_name` whose every post fits, numbering,
    mentions and tags included.

    `numbering` is a preset name (prefix, suffix, paren, thread, thread-suffix, none) or a
    format with {i}, {n} and optionally {text}; `hook` leaves the first post unnumbered.
    `mode`: "fewest" posts; "balanced" (the default) allows one more post when it buys
    clearly cleaner cuts; "cleanest" allows up to three more.
    `mentions` (this platform's handles, or plain names) go into the first post, one per post
    ("spread") or the last; `tags` are appended to the first or last post; the first
    occurrence of each of `hashtag_terms` in the text becomes a hashtag, unless it is part of
    one of `names` (the contacts' names) or of a longer capitalised name.
    `first_number` continues an earlier thread's numbering: its first post is numbered
    `first_number` and the total shown is first_number - 1 + posts ("8/9", "9/9" after a
    thread of 7; a single post is then numbered too). The `update` preset marks a follow-up
    instead: "UPDATE 1/2 ...", or "UPDATE: ..." for one post.
    Image lines (composer.text.images) are taken out of the text: each goes to the post of
    the text before it, at most `images_per_post` a post (the platform's number by default),
    and a cut after an image is as clean as one between paragraphs. `first_line` is the line
    number of the text's first line, for the images' lines and the messages naming them.
    """
    rules = platform(platform_name)
    if limit is not None:
        if limit < 1:
            raise SplitError(f"limit must be a positive number, not {limit}")
        rules = rules.with_limit(limit)
    if mode not in EXTRA_POSTS:
        raise SplitError(f"unknown mode {mode!r}: choose one of {', '.join(MODES)}")
    if first_number < 1:
        raise SplitError(f"numbering must start at 1 or more, not {first_number}")
    scheme = Numbering.parse(numbering, hook=hook, start=first_number)
    extras = Extras(
        tuple(m.strip() for m in mentions if m.strip()),
        mention_placement,
        tuple(dict.fromkeys(as_tag(t) for t in tags)),
        tag_placement,
    )
    source = normalize(text.replace("\r\n", "\n").replace("\r", "\n"))
    linked: list[str] = []
    if hashtag_terms:
        source, linked = link_terms(source, hashtag_terms, names)  # image lines left alone
    lines = find_images(source, first_line)
    most = FACTS[rules.name].media.images_per_post if images_per_post is None else images_per_post
    images = _Images(lines.images, most, rules.name)
    thread = _Splitter(lines.text, rules, scheme, mode, extras, images).run()
    thread.linked_tags.extend(linked)
    thread.warnings.extend(lines.warnings)
    return thread


class _Images:
    """The images of a text (each at its offset in the text without image lines) and how
    many one post takes."""

    def __init__(self, placed: Sequence[tuple[int, Image]], most: int, platform: str) -> None:
        self.placed = list(placed)
        self.most = most
        self.platform = platform

    def tokens_of(self, tokens: Sequence[Token]) -> list[int]:
        """The token each image goes with: the last one ending before it (the first token
        for images before any text)."""
        ends = [token.end for token in tokens]
        return [max(bisect.bisect_right(ends, offset) - 1, 0) for offset, _ in self.placed]

    def check_rows(self, tokens: Sequence[Token]) -> None:
        """Images with no text between them go to one post: more than it takes is an error
        naming the first image too many."""
        seen: dict[int, int] = {}
        for token, (_, image) in zip(self.tokens_of(tokens), self.placed, strict=True):
            seen[token] = seen.get(token, 0) + 1
            if seen[token] > self.most:
                reason = (
                    f"{self.platform} takes no images"
                    if self.most < 1
                    else f"{seen[token]} images in a row, and a {self.platform} post takes "
                    f"{self.most}: put text between them or leave one out"
                )
                raise ImageLineError(image.line, reason)

    def weights(self, tokens: Sequence[Token]) -> list[int]:
        """How many images go with each token, as prefix sums (len(tokens) + 1)."""
        counts = [0] * len(tokens)
        for token in self.tokens_of(tokens):
            counts[token] += 1
        return list(itertools.accumulate(counts, initial=0))

    def per_post(self, posts: Sequence[Post]) -> list[tuple[Image, ...]]:
        """The images of each post: those after its start, before the next post's."""
        found: list[list[Image]] = [[] for _ in posts]
        starts = [post.start for post in posts]
        for offset, image in self.placed:
            found[max(bisect.bisect_left(starts, offset) - 1, 0)].append(image)
        return [tuple(images) for images in found]


class _Splitter:
    def __init__(
        self,
        source: str,
        rules: Platform,
        scheme: Numbering,
        mode: Mode,
        extras: Extras,
        images: _Images,
    ) -> None:
        self.source = source
        self.rules = rules
        self.scheme = scheme
        self.mode = mode
        self.extras = extras
        self.images = images
        self.measures: tuple[Measure, ...] = (rules.measure, *rules.extra)
        self.warnings: list[str] = []
        self.tokens = tokenize(source)
        if images.placed and self.tokens:
            images.check_rows(self.tokens)
            # The place after an image is as good a cut as a paragraph's end.
            for index in set(images.tokens_of(self.tokens)):
                token = self.tokens[index]
                if BreakKind.PARAGRAPH < token.after < BreakKind.END:
                    self.tokens[index] = token._replace(after=BreakKind.PARAGRAPH)
        # Prefix sums of each measure's weights over the source text.
        self.prefix = [
            list(itertools.accumulate(m.weights(source), initial=0)) for m in self.measures
        ]

    # --- the result -------------------------------------------------------------------
    def run(self) -> Thread:
        if not self.tokens:
            return self._thread([], 0, "nothing to split")
        tokens = self.tokens
        if self._fits_one_post(tokens):
            single = self._thread([len(tokens)], 1, "fits in one post")
            if self._overflow(single.posts[0]) <= 0:
                return single
        # Weights are summed per character; should a post count more as a whole (a weight
        # that depends on context), solve again with that much less room.
        shrink = [0] * len(self.measures)
        for _attempt in range(4):
            plans, fewest = self._solve(shrink)
            chosen, note = self._choose(plans, fewest)
            self.warnings = chosen.warnings
            thread = self._thread(chosen.ends, fewest, note, chosen.tokens)
            overflows = [
                max(m.count(post.text) - m.limit for post in thread.posts) for m in self.measures
            ]
            if all(over <= 0 for over in overflows):
                return thread
            shrink = [s + max(over, 0) for s, over in zip(shrink, overflows, strict=True)]
        raise SplitError("could not fit the posts within the limit")  # pragma: no cover

    def _overflow(self, post: Post) -> int:
        return max(m.count(post.text) - m.limit for m in self.measures)

    def _fits_one_post(self, tokens: list[Token]) -> bool:
        if any(t.after is BreakKind.SECTION for t in tokens):
            return False
        if len(self.images.placed) > self.images.most:
            return False
        start, end = tokens[0].start, tokens[-1].end
        block = self.extras.block(1, 1)
        overhead = self.scheme.overhead(1, 1)  # a continued or update-marked post is marked
        return all(
            p[end] - p[start] + m.count(block) + m.count(overhead) <= m.limit
            for p, m in zip(self.prefix, self.measures, strict=True)
        )

    def _thread(
        self, ends: list[int], fewest: int, note: str, tokens: list[Token] | None = None
    ) -> Thread:
        tokens = self.tokens if tokens is None else tokens
        posts: list[Post] = []
        total = len(ends)
        first = 0
        for index, end in enumerate(ends, start=1):
            start_char, end_char = tokens[first].start, tokens[end - 1].end
            body = self.source[start_char:end_char]
            extras = self.extras.block(index, total)
            text = self.scheme.render(index, total, body + extras)
            cut = tokens[end - 1].after if index < total else BreakKind.END
            length = self.rules.measure.count(text)
            posts.append(Post(index, text, length, body, start_char, end_char, cut, extras))
            first = end
        if self.images.placed and posts:
            media = self.images.per_post(posts)
            posts = [replace(post, media=found) for post, found in zip(posts, media, strict=True)]
        return Thread(
            platform=self.rules.name,
            limit=self.rules.limit,
            unit=self.rules.measure.unit,
            posts=posts,
            mode=self.mode,
            fewest_possible=fewest,
            source=self.source,
            note=note,
            warnings=list(self.warnings),
        )

    def _choose(self, plans: dict[int, _Plan], fewest: int) -> tuple[_Plan, str]:
        best = plans[min(plans)]
        if self.mode == "balanced" and fewest + 1 in plans and fewest >= 2:
            more = plans[fewest + 1]
            if more.clean - best.clean >= BALANCED_GAIN:
                return more, (
                    f"{fewest + 1} posts, one more than the minimum of {fewest}, for "
                    f"{more.clean:.0%} clean cuts instead of {best.clean:.0%}"
                )
        elif self.mode == "cleanest":
            for count in sorted(plans):
                if plans[count].clean >= best.clean + 0.05:
                    best = plans[count]
            if len(best.ends) > fewest:
                return best, (
                    f"{plural(len(best.ends), 'post')} ({len(best.ends) - fewest} more than "
                    f"the minimum of {fewest}) for {best.clean:.0%} clean cuts"
                )
        return (
            best,
            f"{plural(len(best.ends), 'post')}, the minimum, with {best.clean:.0%} clean cuts",
        )

    # --- the DP ---------------------------------------------------------------------------
    def _capacities(
        self, digits: int, most: int, shrink: list[int]
    ) -> tuple[list[list[int]], list[list[int]]]:
        """Room for the body of post c (1-based) in each measure, when the thread has a
        `digits`-digit number of posts: caps[k][c] when post c is not the last, last[k][c]
        when it is (the last post may carry other mentions and tags). `digits` counts the
        total as shown, which numbering from `start` shifts by start - 1."""
        shift = self.scheme.start - 1
        # The fewest posts whose shown total has `digits` digits (and is numbered at all).
        total = max(10 ** (digits - 1) - shift, 2 if shift == 0 else 1)
        caps: list[list[int]] = [[0] for _ in self.measures]
        last: list[list[int]] = [[0] for _ in self.measures]
        # Digits weigh 1 in every measure, so "7/12 " costs what "0/00 " does: count each
        # shape of numbering and extras once.
        costs: dict[tuple[str, str, str], tuple[list[int], list[int]]] = {}
        for c in range(1, most + 1):
            overhead = self.scheme.overhead(c, max(total, c))
            middle, final = self.extras.block(c, 10**9), self.extras.block(c, c)
            shape = (_DIGITS.sub("0", overhead), middle, final)
            if shape not in costs:
                costs[shape] = (
                    [m.count(overhead) + m.count(middle) for m in self.measures],
                    [m.count(overhead) + m.count(final) for m in self.measures],
                )
            paid, paid_last = costs[shape]
            for k, m in enumerate(self.measures):
                caps[k].append(m.limit - paid[k] - shrink[k])
                last[k].append(m.limit - paid_last[k] - shrink[k])
        return caps, last

    @functools.cached_property
    def _widest_token(self) -> list[int]:
        return [max(p[t.end] - p[t.start] for t in self.tokens) for p in self.prefix]

    def _fits_room(self, start: int, end: int, room: list[int]) -> bool:
        return all(p[end] - p[start] <= r for p, r in zip(self.prefix, room, strict=True))

    def _cut_long_tokens(self, room: list[int]) -> tuple[list[Token], list[str]]:
        """Tokens longer than the smallest room are cut, with a warning: at their no-break
        spaces first, then between graphemes."""
        if all(w <= r for w, r in zip(self._widest_token, room, strict=True)):
            return self.tokens, []
        tokens: list[Token] = []
        warnings: list[str] = []
        for token in self.tokens:
            if self._fits_room(token.start, token.end, room):
                tokens.append(token)
                continue
            word = self.source[token.start : token.end]
            shown = word if len(word) <= 40 else word[:37] + "…"
            parts = [
                (token.start + m.start(), token.start + m.end())
                for m in _NO_BREAK_PARTS.finditer(word)
            ]
            if len(parts) > 1:
                warnings.append(
                    f"cut at a no-break space, the group is longer than a post: {shown!r}"
                )
            for number, (part_start, part_end) in enumerate(parts):
                after = token.after if number == len(parts) - 1 else BreakKind.WORD
                if self._fits_room(part_start, part_end, room):
                    tokens.append(Token(part_start, part_end, after))
                    continue
                warnings.append(f"cut inside a word longer than a post: {shown!r}")
                piece_start = position = part_start
                for cluster in graphemes(self.source[part_start:part_end]):
                    following = position + len(cluster)
                    if position > piece_start and not self._fits_room(piece_start, following, room):
                        tokens.append(Token(piece_start, position, BreakKind.FORCED))
                        piece_start = position
                    position = following
                tokens.append(Token(piece_start, part_end, after))
        return tokens, warnings

    def _solve(self, shrink: list[int]) -> tuple[dict[int, _Plan], int]:
        extra = EXTRA_POSTS[self.mode]
        plans: dict[int, _Plan] = {}
        shift = self.scheme.start - 1  # posts before this thread's first (a follow-up)
        digits = len(str(shift + 1))  # of the total shown
        tried: set[int] = set()
        while digits not in tried and digits < 8:
            tried.add(digits)
            most = 10**digits - 1 - shift
            caps, last = self._capacities(digits, most, shrink)
            room = [min(*row[1:], *end_row[1:]) for row, end_row in zip(caps, last, strict=True)]
            if room[0] < 1:
                what = "numbering, mentions and tags" if self.extras else "numbering"
                raise SplitError(
                    f"a limit of {self.rules.limit} leaves no room for the text after {what}"
                )
            tokens, warnings = self._cut_long_tokens(room)
            floor = self._floors(tokens, room)
            fewest = self._fewest(tokens, caps, floor, most)
            if fewest is None or fewest > most:
                digits += 1
                continue
            found: dict[int, _Plan] = {}
            while not found and fewest <= most:
                # Greedy filling ignores what only the last post carries: when that does not
                # fit at the fewest count, the next count is the fewest.
                found = self._dp(tokens, caps, last, floor, fewest, min(fewest + extra, most))
                fewest += 0 if found else 1
            for count, plan in found.items():
                plan.warnings = warnings
                plans.setdefault(count, plan)
            if fewest + extra > most:
                digits += 1
        if not plans:
            raise SplitError("the text is too long to number")  # pragma: no cover
        return plans, min(plans)

    def _fewest(
        self, tokens: list[Token], caps: list[list[int]], floor: list[int], most: int
    ) -> int | None:
        """Fewest posts, by greedy filling (optimal: feasibility is monotone), under the
        same limits as the DP."""
        prefix = self.prefix[0]
        rooms = caps[0]
        total = len(tokens)
        count = 0
        first = 0
        while first < total:
            count += 1
            if count > most:
                return None
            room = rooms[count]
            start_weight = prefix[tokens[first].start]
            end = first
            while (
                end < total
                and prefix[tokens[end].end] - start_weight <= room
                and floor[end + 1] <= first
            ):
                end += 1
            if end == first:
                return None
            first = end
        return count

    def _dp(
        self,
        tokens: list[Token],
        caps: list[list[int]],
        last: list[list[int]],
        floor: list[int],
        fewest: int,
        most: int,
    ) -> dict[int, _Plan]:
        """Cheapest plan for each post count in [fewest, most].

        The slack cost is linear in the free room, so the best start of a post ending at b is
        a sliding-window minimum: one monotone deque per post count keeps it in O(1)
        amortised, O((extra + 1) x tokens) in all.
        """
        total = len(tokens)
        extra = most - fewest
        prefix = self.prefix[0]
        starts = [prefix[t.start] for t in tokens]
        ends = [prefix[t.end] for t in tokens]
        rooms = caps[0]
        # A post may not start before floor[b]: a section mark, or too many bytes or links
        # (the secondary limits are taken at their tightest, a few units conservative).
        last_rooms = last[0]
        remaining = self._remaining_lower_bound(tokens, max(*rooms[1:], *last_rooms[1:]))
        rates = [0.0] + [SLACK_WEIGHT / room for room in rooms[1:]]
        penalties = [PENALTY[t.after] for t in tokens]

        # For each state (b, c), c posts ending after token b-1: its cost and where its last
        # post starts. queues[c] holds the states with c posts, (key, b, start weight), in
        # increasing key and position order: the front is the best start still in the window.
        value: list[dict[int, float]] = [{0: 0.0}] + [{} for _ in range(total)]
        back: list[dict[int, int]] = [{0: -1}] + [{} for _ in range(total)]
        queues = [deque[tuple[float, int, int]]() for _ in range(most + 1)]
        queues[0].append((0.0, 0, starts[0]))
        oldest = newest = 0  # the range of post counts that have states
        for b in range(1, total):
            end_weight = ends[b - 1]
            penalty = penalties[b - 1]
            lowest_start = floor[b]
            while oldest < newest and not queues[oldest]:
                oldest += 1  # every state with that count has left the window for good
            top = min(newest, most - remaining[b] - 1)
            here_value = value[b]
            here_back = back[b]
            first = -1
            for c in range(oldest, top + 1):
                queue = queues[c]
                threshold = end_weight - rooms[c + 1]
                while queue and (queue[0][1] < lowest_start or queue[0][2] < threshold):
                    queue.popleft()
                if not queue:
                    continue
                if first < 0:
                    first = c
                elif c > first + extra:
                    break
                key, a, _ = queue[0]
                v = key + SLACK_WEIGHT - rates[c + 1] * end_weight + penalty
                here_value[c + 1] = v
                here_back[c + 1] = a
            # Enter the new states in the queues of their counts, for the posts after them
            # (only now: a post ending at b cannot start at b).
            start_weight = starts[b]
            for c, v in here_value.items():
                if c < most:
                    key = v + rates[c + 1] * start_weight
                    queue = queues[c]
                    while queue and queue[-1][0] >= key:
                        queue.pop()
                    queue.append((key, b, start_weight))
                    if c > newest:
                        newest = c

        # The last post pays no slack, only a penalty if it is a short leftover: its start is
        # chosen by scanning the last window.
        finals: dict[int, tuple[float, int]] = {}
        end_weight = ends[total - 1]
        for a in range(floor[total], total):
            width = end_weight - starts[a]
            for count_before, v in value[a].items():
                c = count_before + 1
                if c > most or width > last_rooms[c]:
                    continue
                room = last_rooms[c]
                short = room / 4 - width
                total_cost = v + (SHORT_LAST_WEIGHT * 4 * short / room if short > 0 else 0.0)
                if c not in finals or total_cost < finals[c][0]:
                    finals[c] = (total_cost, a)

        plans: dict[int, _Plan] = {}
        for c, (total_cost, a) in finals.items():
            if c < fewest:
                continue
            cut_after = [total]
            b, count_at = a, c - 1
            while b > 0:
                cut_after.append(b)
                b, count_at = back[b][count_at], count_at - 1
            cut_after.reverse()
            kinds = [tokens[i - 1].after for i in cut_after[:-1]]
            clean = sum(k.clean for k in kinds) / len(kinds) if kinds else 1.0
            plans[c] = _Plan(cut_after, tokens, [], total_cost, clean)
        return plans

    def _floors(self, tokens: list[Token], room: list[int]) -> list[int]:
        """floor[b]: the first token a post ending after token b-1 may start at (after a
        section mark, and with no more images or bytes or links than a post takes)."""
        total = len(tokens)
        floor = [0] * (total + 1)
        section = 0
        for b in range(1, total + 1):
            floor[b] = section
            if tokens[b - 1].after is BreakKind.SECTION:
                section = b
        if self.images.placed:
            images = self.images.weights(tokens)
            low = 0
            for b in range(1, total + 1):
                while images[b] - images[low] > self.images.most:
                    low += 1
                floor[b] = max(floor[b], low)
        for prefix, tightest in zip(self.prefix[1:], room[1:], strict=True):
            low = 0
            for b in range(1, total + 1):
                end_weight = prefix[tokens[b - 1].end]
                while end_weight - prefix[tokens[low].start] > tightest:
                    low += 1
                floor[b] = max(floor[b], low)
        return floor

    def _remaining_lower_bound(self, tokens: list[Token], widest: int) -> list[int]:
        """remaining[b]: a lower bound on the posts needed after token b-1 (with the widest
        room everywhere), so states that cannot finish within the allowed count are skipped."""
        total = len(tokens)
        starts = [self.prefix[0][t.start] for t in tokens]
        ends = [self.prefix[0][t.end] for t in tokens]
        reach = [0] * total
        end = 0
        for first in range(total):
            end = max(end, first + 1)
            while (
                end < total
                and ends[end] - starts[first] <= widest
                and tokens[end - 1].after is not BreakKind.SECTION
            ):
                end += 1
            reach[first] = end
        remaining = [0] * (total + 1)
        for first in range(total - 1, -1, -1):
            remaining[first] = 1 + remaining[reach[first]]
        return remaining
