"""What a thread carries besides the report: mentions, hashtags linked in the text, and tags
appended to a post. Pure text; the workspace maps contacts to each platform's handles."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from composer.errors import ComposerError
from composer.text.controls import code_point, first_control
from composer.text.entities import extract_entities
from composer.text.images import IMAGE_LINE
from composer.text.patterns import compile_on_use

MentionPlacement = Literal["first", "spread", "last"]
TagPlacement = Literal["first", "last"]
MENTION_PLACEMENTS: tuple[MentionPlacement, ...] = ("first", "spread", "last")
TAG_PLACEMENTS: tuple[TagPlacement, ...] = ("first", "last")
BLOCK_SEPARATOR = "\n\n"  # a block of mentions or tags sits on its own line at a post's end
_ADDRESS_LIKE = compile_on_use(r"(?<!\S)\S*?(?:://|www\.|\w@\w)\S*")  # anchored at word starts
_SPACE = "[ \t\u00a0]+"  # within a line: a name does not go on across a line break
_NEXT_WORD = compile_on_use(_SPACE + r"(\w)")
_PREVIOUS_WORD = compile_on_use(r"(\S*\w)" + _SPACE + r"\Z")  # a word not ending a sentence
_SENTENCE_END = frozenset(".!?:;\n\"'“”«»()[]—–")


class EnrichError(ComposerError, ValueError):
    """A mention placement, tag or term that cannot be used."""


@dataclass(frozen=True, slots=True)
class Extras:
    """Mentions and tags to add to a thread's posts, and where."""

    mentions: tuple[str, ...] = ()
    mention_placement: MentionPlacement = "first"
    tags: tuple[str, ...] = ()
    tag_placement: TagPlacement = "last"

    def __post_init__(self) -> None:
        if self.mention_placement not in MENTION_PLACEMENTS:
            raise EnrichError(
                f"unknown mention placement {self.mention_placement!r}: "
                f"choose one of {', '.join(MENTION_PLACEMENTS)}"
            )
        if self.tag_placement not in TAG_PLACEMENTS:
            raise EnrichError(
                f"unknown hashtag placement {self.tag_placement!r}: "
                f"choose one of {', '.join(TAG_PLACEMENTS)}"
            )
        for kind, items in (("mention", self.mentions), ("hashtag", self.tags)):
            for number, item in enumerate(items, start=1):
                index = first_control(item, token=True)
                if index is not None:
                    raise EnrichError(
                        f"{kind} {number} holds a control or bidi character "
                        f"({code_point(item[index])}): remove it"
                    )

    def __bool__(self) -> bool:
        return bool(self.mentions or self.tags)

    def block(self, index: int, total: int) -> str:
        """What post `index` (1-based) of `total` carries after its text ("" for nothing).

        Spread mentions go one per post; those left over when there are more mentions than
        posts go into the last post. Items are always separated by a space, so two mentions
        never run together ("@a@b" would be one Mastodon address).
        """
        items: list[str] = []
        first, last = index == 1, index == total
        if self.mention_placement == "spread":
            if index <= len(self.mentions):
                items.append(self.mentions[index - 1])
            if last:
                items.extend(self.mentions[total:])
        elif (self.mention_placement == "first" and first) or (
            self.mention_placement == "last" and last
        ):
            items.extend(self.mentions)
        if (self.tag_placement == "first" and first) or (self.tag_placement == "last" and last):
            items.extend(self.tags)
        return BLOCK_SEPARATOR + " ".join(items) if items else ""


def as_tag(text: str) -> str:
    """A hashtag from a term or a tag given with or without "#": "Human Rights" -> "#HumanRights".

    Each word of several is capitalised, which screen readers need to read a tag; characters
    that cannot be in a hashtag (spaces, hyphens, dots) are dropped.
    """
    words = [w for w in re.split(r"[^\w]+", text.removeprefix("#").removeprefix("＃")) if w]
    if not words:
        raise EnrichError(f"{text!r} cannot be a hashtag: it has no letters or digits")
    tag = words[0] if len(words) == 1 else "".join(w[:1].upper() + w[1:] for w in words)
    if tag.isdigit():
        raise EnrichError(f"{text!r} cannot be a hashtag: a tag of digits only is not linked")
    return "#" + tag


def link_terms(text: str, terms: Sequence[str], names: Sequence[str] = ()) -> tuple[str, list[str]]:
    """The text with the first occurrence of each term turned into a hashtag, and the tags made.

    Whole words only, case-insensitive (Cyrillic too), never inside a link, a mention or a
    hashtag; a term already present as a hashtag is left alone. "human rights" becomes
    "#HumanRights"; a single word keeps its case as written. An occurrence that is part of
    one of `names` (contacts' names: "Kazakhstan Bureau for Human Rights") or of a longer
    capitalised name ("Human Rights Watch", "Almaty Human Rights") is not tagged: the next
    occurrence is.
    """
    made: list[str] = []
    protected: list[tuple[int, int]] | None = None
    for term in terms:
        if not term.strip():
            continue
        tag = as_tag(term)
        if protected is None:
            protected = [(e.start, e.end) for e in extract_entities(text)]
            # Whatever looks like an address is left alone too, even with a TLD twitter-text
            # does not know ("https://kazakhstan.example").
            protected += [m.span() for m in _ADDRESS_LIKE.finditer(text)]
            protected += _name_spans(text, names)
            protected += [m.span() for m in IMAGE_LINE.finditer(text)]  # not post text
        if any(text[s:e].lower() == tag.lower() for s, e in protected):
            continue
        words = [re.escape(w) for w in term.split()]
        pattern = re.compile(
            r"(?<![\w#＃@＠$/.])" + r"\s+".join(words) + r"(?![\w@]|\.\w)", re.IGNORECASE
        )
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in protected):
                continue
            if _in_longer_name(text, start, end):
                continue
            linked = as_tag(match.group())
            text = text[:start] + linked + text[end:]
            made.append(linked)
            protected = None  # positions moved
            break
    return text, made


def _name_spans(text: str, names: Sequence[str]) -> list[tuple[int, int]]:
    """Where each of `names` is written in `text` (whole words, any case)."""
    spans: list[tuple[int, int]] = []
    for name in names:
        words = [re.escape(w) for w in name.split()]
        if words:
            pattern = re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)
            spans += [m.span() for m in pattern.finditer(text)]
    return spans


def _in_longer_name(text: str, start: int, end: int) -> bool:
    """Whether the capitalised words at text[start:end] go on into a longer capitalised name:
    a capitalised word right after them, or right before them when that word does not just
    start a sentence ("In Kazakhstan" is no name; "Almaty Human Rights" is)."""
    if not text[start:end][:1].isupper():
        return False  # "human rights" is a common noun, whatever surrounds it
    following = _NEXT_WORD.match(text, end)
    if following and following.group(1).isupper():
        return True
    previous = _PREVIOUS_WORD.search(text, max(0, start - 200), start)
    if not previous or not previous.group(1)[:1].isupper():
        return False
    before = text[: previous.start()].rstrip(" \t\u00a0")
    return bool(before) and before[-1] not in _SENTENCE_END
