"""From a document's text as its reader gives it to a draft's body the splitter reads well.

Two ways in. A PDF gives pages of lines (`Page`, `Line`: the text, and where the layout is
known its place and font size): `clean_pages` removes running headers and footers and page
numbers, joins lines into paragraphs across line, column and page breaks, rejoins words
hyphenated at a line end, and takes out footnotes and their markers. Word, OpenDocument and
web pages already know their paragraphs: their readers give `Block`s, and `render` writes
them. Both say what they removed (`Removed`), so that nothing is lost silently.

The body is plain text: paragraphs separated by a blank line, a list item on its own line
as "- item" (or "1. item"), a heading as its own paragraph, links as their URLs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median
from typing import Literal

from composer.text.display import plural
from composer.text.patterns import compile_on_use

__all__ = [
    "FOOTNOTE_CHOICES",
    "Block",
    "Cleaned",
    "Footnotes",
    "Line",
    "Page",
    "Removed",
    "clean_pages",
    "render",
]

FOOTNOTE_CHOICES = ("end", "drop")
Footnotes = Literal["end", "drop"]
BlockKind = Literal["paragraph", "heading", "item", "image"]


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a page, in reading order. Positions are in points from the page's top
    and left (None when the reader does not know them); `size` is the body font's size."""

    text: str
    top: float | None = None
    bottom: float | None = None
    left: float | None = None
    right: float | None = None
    size: float | None = None


@dataclass(frozen=True, slots=True)
class Page:
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph, a heading, a list item ("- " or "1. " already in `text`) or an image
    (its image line, `composer.text.images.image_line`)."""

    text: str
    kind: BlockKind = "paragraph"


@dataclass(slots=True)
class Removed:
    """What the cleanup took out or changed, to report it."""

    headers: int = 0  # running headers and footers
    page_numbers: int = 0
    hyphenations: int = 0  # words hyphenated at a line end, joined again
    footnotes: int = 0  # footnotes moved to the end, or dropped
    footnotes_dropped: bool = False
    images: int = 0  # images put in the draft, their files saved beside it

    def summary(self, *, written: bool = True) -> str:
        """One line: "removed 9 running headers, 9 page numbers; joined 14 hyphenated words;
        moved 3 footnotes to the end; 2 images saved" (or "nothing removed"); not `written`
        (a dry run): "2 images to save"."""
        removed = [
            _counted(self.headers, "running header"),
            _counted(self.page_numbers, "page number"),
        ]
        if self.footnotes and self.footnotes_dropped:
            removed.append(_counted(self.footnotes, "footnote"))
        parts = []
        if any(removed):
            parts.append("removed " + ", ".join(r for r in removed if r))
        if self.hyphenations:
            parts.append(f"joined {_counted(self.hyphenations, 'hyphenated word')}")
        if self.footnotes and not self.footnotes_dropped:
            parts.append(f"moved {_counted(self.footnotes, 'footnote')} to the end")
        if self.images:
            parts.append(plural(self.images, "image") + (" saved" if written else " to save"))
        return "; ".join(parts) or "nothing removed"


def _counted(number: int, noun: str) -> str:
    return plural(number, noun) if number else ""


@dataclass(slots=True)
class Cleaned:
    text: str
    removed: Removed = field(default_factory=Removed)
    first_heading: str | None = None
    blocks: tuple[Block, ...] = ()  # `text`'s paragraphs, headings and items


# "3", "- 3 -", "– 3 –", "Page 3", "Page 3 of 9", "3/9", "3 of 9", "p. 3", "Стр. 3", "Бет 3".
_PAGE_NUMBER = compile_on_use(
    r"^\s*(?:(?:page|p\.|pg\.|стр\.?|страница|бет)\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?"
    r"\s*(?:(?:of|/|из)\s*\d{1,4})?\s*$",
    re.IGNORECASE,
)
_EDGE_LINES = 2  # lines looked at for running headers and footers at each end of a page
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_FROM_SUPERSCRIPT = str.maketrans(_SUPERSCRIPTS, "0123456789")
# A footnote's own line: its number (plain, superscript or bracketed) and its text.
_FOOTNOTE_START = compile_on_use(
    rf"^\s*(?:\[(\d{{1,3}})\]|(\d{{1,3}})\.?|([{_SUPERSCRIPTS}]+))\s+\S"
)
# A marker after a word or a closing mark: "word¹", "word.²", "word[3]".
_SUPERSCRIPT_MARKER = compile_on_use(rf"(?<=[^\s{_SUPERSCRIPTS}])[{_SUPERSCRIPTS}]+")
_BRACKET_MARKER = compile_on_use(r"(?<=[\w.,;:!?\"”»)])\[(\d{1,3})\]")
_ITEM = compile_on_use(r"^\s*(?:([-–•▪◦○*·])|(\d{1,3}[.)]|[a-z][.)]))\s+(?=\S)")
_SENTENCE_END = compile_on_use(r"[.!?…:;][\"'”’»)\]]*$")
_WORD = compile_on_use(r"\w+(?:-\w+)*")
_HYPHENATED_END = compile_on_use(r"(\w+)[-\u00ad]$")
_LEADING_WORD = compile_on_use(r"^(\w+)")


def clean_pages(pages: Sequence[Page], footnotes: Footnotes = "end") -> Cleaned:
    """A PDF's pages made into a draft's body, and what was removed."""
    removed = Removed(footnotes_dropped=footnotes == "drop")
    kept = _without_page_furniture(pages, removed)
    body_size = _body_size(kept)
    notes: list[str] = []
    pages_text: list[list[Line]] = []
    for lines in kept:
        text_lines, page_notes = _split_footnotes(lines, body_size)
        pages_text.append(text_lines)
        notes.extend(page_notes)
    blocks = _paragraphs(pages_text, body_size, removed)
    blocks = [Block(_drop_markers(block.text), block.kind) for block in blocks]
    removed.footnotes = len(notes)
    if notes and footnotes == "end":
        blocks.append(Block("Notes", "heading"))
        blocks.extend(Block(_note_text(note)) for note in notes)
    first_heading = next((b.text for b in blocks if b.kind == "heading"), None)
    return Cleaned(render(blocks), removed, first_heading, tuple(blocks))


def render(blocks: Iterable[Block]) -> str:
    """Blocks as a body: a blank line between paragraphs and headings, list items of one
    list on consecutive lines."""
    out: list[str] = []
    previous: Block | None = None
    for block in blocks:
        text = " ".join(block.text.split())
        if not text:
            continue
        if previous is not None:
            together = previous.kind == "item" and block.kind == "item"
            out.append("\n" if together else "\n\n")
        out.append(text)
        previous = block
    return "".join(out) + ("\n" if out else "")


# --- headers, footers, page numbers ------------------------------------------------------


def _without_page_furniture(pages: Sequence[Page], removed: Removed) -> list[list[Line]]:
    """Each page's lines without page numbers and without the lines repeated at the top or
    bottom of most pages (digits aside: "Report 2026 — page 3" is the same line on every
    page)."""
    kept: list[list[Line]] = []
    for page in pages:
        lines = [line for line in page.lines if line.text.strip()]
        edges = _edge_indexes(lines)
        numbers = {i for i in edges if _PAGE_NUMBER.match(lines[i].text)}
        removed.page_numbers += len(numbers)
        kept.append([line for i, line in enumerate(lines) if i not in numbers])
    if len(kept) < 2:
        return kept
    seen: Counter[str] = Counter()
    for lines in kept:
        seen.update({_shape(lines[i].text) for i in _edge_indexes(lines)})
    least = max(2, (len(kept) + 1) // 2)
    running = {shape for shape, pages_with in seen.items() if pages_with >= least}
    result: list[list[Line]] = []
    for lines in kept:
        edges = _edge_indexes(lines)
        drop = {i for i in edges if _shape(lines[i].text) in running}
        removed.headers += len(drop)
        result.append([line for i, line in enumerate(lines) if i not in drop])
    return result


def _edge_indexes(lines: Sequence[Line]) -> set[int]:
    """The first and last few lines of a page (by their place where it is known, as read
    otherwise) that stand apart from the text: a blank line's space between."""
    order = list(range(len(lines)))
    if not all(line.top is not None for line in lines):
        return set(order[:_EDGE_LINES]) | set(order[-_EDGE_LINES:])
    order.sort(key=lambda i: lines[i].top or 0.0)
    return _apart(lines, order) | _apart(lines, order[::-1])


def _apart(lines: Sequence[Line], order: Sequence[int]) -> set[int]:
    """The lines at one end of the page (`order` goes from that end inwards) set apart from
    the rest by a gap: the fewest such, up to `_EDGE_LINES`."""
    for count in range(1, min(_EDGE_LINES, max(1, (len(order) - 1) // 2)) + 1):
        last, following = lines[order[count - 1]], lines[order[count]]
        height = ((last.bottom or 0.0) - (last.top or 0.0)) or 12.0
        if abs((following.top or 0.0) - (last.top or 0.0)) > height * 1.8:
            return set(order[:count])
    return set()


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _body_size(pages: Sequence[Sequence[Line]]) -> float | None:
    """The font size most of the text is set in."""
    weights: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            if line.size is not None:
                weights[round(line.size, 1)] += len(line.text)
    return weights.most_common(1)[0][0] if weights else None


# --- footnotes ---------------------------------------------------------------------------


def _split_footnotes(lines: list[Line], body_size: float | None) -> tuple[list[Line], list[str]]:
    """A page's text lines and its footnotes: the lines at the bottom of the page set
    smaller than the body, from the first that starts with a number."""
    if body_size is None or not lines:
        return lines, []
    small = [line.size is not None and line.size < body_size * 0.92 for line in lines]
    start = len(lines)
    while start > 0 and small[start - 1]:
        start -= 1
    tail = lines[start:]
    first = next((i for i, line in enumerate(tail) if _FOOTNOTE_START.match(line.text)), None)
    if first is None:
        return lines, []
    notes: list[str] = []
    for line in tail[first:]:
        if _FOOTNOTE_START.match(line.text) or not notes:
            notes.append(line.text.strip())
        else:
            notes[-1] = _joined(notes[-1], line.text.strip(), Counter(), Removed())
    return lines[: start + first], notes


def _note_text(note: str) -> str:
    """A footnote as the list under "Notes" shows it: "1. text"."""
    match = _FOOTNOTE_START.match(note)
    assert match is not None
    number = (match.group(1) or match.group(2) or match.group(3)).translate(_FROM_SUPERSCRIPT)
    rest = note[match.end() - 1 :].strip()
    return f"{number}. {rest}"


def _drop_markers(text: str) -> str:
    text = _SUPERSCRIPT_MARKER.sub("", text)
    return _BRACKET_MARKER.sub("", text)


# --- paragraphs ----------------------------------------------------------------------------


def _paragraphs(
    pages: Sequence[Sequence[Line]], body_size: float | None, removed: Removed
) -> list[Block]:
    words = _word_counts(pages)
    spacing = _line_spacing(pages)
    blocks: list[Block] = []
    previous: Line | None = None
    previous_edge: float | None = None
    for page_lines in pages:
        edges = _column_edges(page_lines)
        for index, line in enumerate(page_lines):
            text = line.text.strip()
            kind = _kind(line, text, body_size, blocks[-1] if blocks else None)
            if previous is None or _starts_block(
                _Place(previous, previous_edge, line, index > 0, spacing), kind, blocks[-1]
            ):
                blocks.append(Block(_item_text(text) if kind == "item" else text, kind))
            else:
                blocks[-1] = Block(_joined(blocks[-1].text, text, words, removed), blocks[-1].kind)
            previous, previous_edge = line, edges[index]
    return blocks


def _kind(line: Line, text: str, body_size: float | None, last: Block | None) -> BlockKind:
    match = _ITEM.match(text)
    if match:
        # A dash at the start of a wrapped line may be the sentence's own ("— said..."): an
        # item follows a sentence's end, a colon, a heading or another item.
        bullet = match.group(1) in ("•", "▪", "◦", "○", "·")
        if bullet or last is None or last.kind != "paragraph" or _SENTENCE_END.search(last.text):
            return "item"
    if line.size is not None and body_size is not None and line.size > body_size * 1.15:
        return "heading"
    return "paragraph"


@dataclass(frozen=True, slots=True)
class _Place:
    """A line and the one read before it, with what tells a paragraph's end."""

    previous: Line
    edge: float | None  # the right edge of the previous line's column
    line: Line
    same_page: bool
    spacing: float | None  # the usual step from one line's top to the next one's

    def short(self) -> bool:
        """The previous line stops well before its column's edge (a paragraph's last line);
        unknown: yes."""
        right, edge = self.previous.right, self.edge
        if right is None or edge is None:
            return True
        return right < edge - 0.12 * max(edge - (self.previous.left or 0.0), 1.0)

    def paragraph_gap(self) -> float:
        """A step from line to line this large is a blank line's worth of space."""
        if self.spacing is not None:
            return self.spacing * 1.4
        before = self.previous
        height = (before.bottom - before.top) if before.bottom and before.top else 12.0
        return height * 2.2

    def gap(self) -> float | None:
        before, line = self.previous, self.line
        if before.top is None or line.top is None:
            return None
        return line.top - before.top

    def indent(self) -> float:
        before, line = self.previous, self.line
        if before.left is None or line.left is None:
            return 0.0
        return line.left - before.left


def _starts_block(place: _Place, kind: BlockKind, last: Block) -> bool:
    """Whether a line starts a new block rather than going on with the one before."""
    if kind == "item":
        return True
    if kind == "heading":  # a heading in two lines is one heading
        step = place.gap()
        close = step is not None and place.spacing is not None and 0 < step <= place.spacing * 1.6
        return last.kind != "heading" or not close
    if last.kind == "heading":
        return True
    ends_sentence = bool(_SENTENCE_END.search(last.text))
    step = place.gap()
    if step is None or not place.same_page or step < 0:
        # A new page or a new column: the paragraph goes on unless a sentence ended (a
        # sentence that ends a page's last line ends its paragraph more often than not).
        return ends_sentence and (step is not None or place.short())
    if step > place.paragraph_gap():
        return True  # a blank line's worth of space
    indent = place.indent()
    if last.kind == "item":
        # An item's next lines are set under its text; a line back at the margin ends it.
        return indent < -6.0 or (indent <= 6.0 and ends_sentence)
    if 6.0 < indent < 60.0:
        return ends_sentence  # a first line's indent
    return ends_sentence and place.short()


def _column_edges(lines: Sequence[Line]) -> list[float | None]:
    """Each line's column's right edge: the furthest right a line that starts near it
    (within the width of an indent, not the other column) reaches."""
    edges: list[float | None] = []
    for line in lines:
        if line.left is None or line.right is None:
            edges.append(None)
            continue
        edges.append(
            max(
                other.right
                for other in lines
                if other.left is not None
                and other.right is not None
                and abs(other.left - line.left) < 60.0
            )
        )
    return edges


def _item_text(text: str) -> str:
    match = _ITEM.match(text)
    assert match is not None
    if match.group(1):
        return "- " + text[match.end() :]
    return text.strip()


def _joined(before: str, after: str, words: Counter[str], removed: Removed) -> str:
    """Two lines of one paragraph made one: a space between, or a word hyphenated at the
    line end joined when the joined word is a word."""
    match = _HYPHENATED_END.search(before)
    following = _LEADING_WORD.match(after)
    if match is None or following is None:
        return f"{before} {after}"
    left, right = match.group(1), following.group(1)
    soft = before.endswith("\u00ad")
    whole, compound = (left + right).lower(), f"{left}-{right}".lower()
    if not soft and words[compound] and not words[whole]:
        return before[:-1] + "-" + after  # "well-" + "known": a compound found so elsewhere
    if soft or words[whole] or (right[:1].islower() and not right[:1].isdigit()):
        removed.hyphenations += 1
        return before[:-1] + after
    return before + after  # "Jean-" + "Paul", "COVID-" + "19": the hyphen is the word's


def _word_counts(pages: Sequence[Sequence[Line]]) -> Counter[str]:
    """How often each word (and each hyphenated compound) appears within the lines, not
    counting words cut at a line end: a dictionary from the document itself."""
    words: Counter[str] = Counter()
    for lines in pages:
        for line in lines:
            text = _HYPHENATED_END.sub("", line.text.strip())
            found = _WORD.findall(text.lower())
            words.update(found)
            words.update(part for word in found if "-" in word for part in word.split("-"))
    return words


def _line_spacing(pages: Sequence[Sequence[Line]]) -> float | None:
    """The usual distance from one line's top to the next one's within a paragraph."""
    steps = [
        b.top - a.top
        for lines in pages
        for a, b in pairwise(lines)
        if a.top is not None and b.top is not None and 0 < b.top - a.top <= _most_step(a)
    ]
    return median(steps) if steps else None


def _most_step(line: Line) -> float:
    """The furthest the next line of the same paragraph may start below this one's top."""
    if line.bottom is None or line.top is None:
        return 40.0
    return (line.bottom - line.top) * 2.0
