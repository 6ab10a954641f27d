"""Image lines in a report: `![alt text](path)` on a line of its own.

The rule: a line holding only a Markdown image (spaces around it allowed) is an image, not
post text, wherever it stands (between paragraphs or inside one), except inside a fenced
code block (``` or ~~~), where it is text like any other. An image written inside a line of
text is published as written, with a warning. The path may be `<in angle brackets>`, and
may hold spaces; a `"title"` after it is dropped. `\\]` and `\\)` write those characters in
the alt text and the path.

An image belongs to the post holding the text just before it (the first post when no text
comes before it); the place after it is a clean cut (composer.text.splitting). Pure: the
path is kept as written; the workspace finds the file and reads it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from composer.text.patterns import compile_on_use

__all__ = [
    "IMAGE_LINE",
    "Image",
    "ImageLines",
    "alt_text_problem",
    "find_images",
    "image_line",
]

_ESCAPED = r"\\."
_ALT_PART = rf"(?:[^\[\]\\\n]|{_ESCAPED})"
# The alt text may hold one level of balanced brackets ("[sic]"), as in CommonMark.
_ALT = rf"(?:{_ALT_PART}|\[{_ALT_PART}*\])*"
# The path: <in angle brackets>, or written out, spaces allowed (unlike CommonMark: file
# names have them), parentheses balanced or escaped, so "![a](x.jpg) (see below)" is no
# image line; a "title" after it is dropped (in `_image`).
_TITLE_TEXT = r"""(?:"[^"\n]*"|'[^'\n]*')"""
_TARGET = (
    rf"<[^>\n]*>(?:[ \t]+{_TITLE_TEXT})?"  # <in angle brackets>
    rf"|(?:[^()\n\\]|{_ESCAPED}|\([^()\n]*\))*"  # written out
)
IMAGE_LINE = compile_on_use(
    rf"^[ \t]*!\[(?P<alt>{_ALT})\]\((?P<target>{_TARGET})\)[ \t]*$", re.MULTILINE
)
_INLINE_IMAGE = compile_on_use(rf"!\[{_ALT}\]\([^)\n]+\)")
_FENCE = compile_on_use(r"^[ ]{0,3}(?P<fence>`{3,}|~{3,})", re.MULTILINE)
_TITLE = compile_on_use(r"""\s+(?:"[^"]*"|'[^']*')\s*$""")
_SHOWN_LINES = 5  # an inline image's warning names this many lines at most
_ALT_SPECIAL = "\\[]"  # escaped by `image_line`, so the alt text reads back as written
_PATH_SPECIAL = "\\()<\"'"  # and in the path: these would end it or make a "title"
_UNESCAPE = compile_on_use(r"\\([!-/:-@\[-`{-~])")


@dataclass(frozen=True, slots=True)
class Image:
    """An image line: its alt text, its path as written, and its line (1-based) in the
    draft file (the text's first line is `first_line` of `find_images`)."""

    alt: str
    path: str
    line: int

    @property
    def name(self) -> str:
        """The file's name, for a chip: "akimat.jpg"."""
        return self.path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or self.path


@dataclass(frozen=True, slots=True)
class ImageLines:
    """The text without its image lines, each image at the offset in that text where its
    line was, and warnings (images written inside a line of text)."""

    text: str
    images: tuple[tuple[int, Image], ...]
    warnings: tuple[str, ...] = ()


def find_images(text: str, first_line: int = 1) -> ImageLines:
    """Take the image lines out of `text` (newlines already "\\n")."""
    if "![" not in text:
        return ImageLines(text, ())
    fenced = _fenced_spans(text)
    taken: list[tuple[int, int]] = []  # the image lines, which hold no image to warn of
    kept: list[str] = []
    images: list[tuple[int, Image]] = []
    warnings: list[str] = []
    length = 0  # of the text kept so far
    position = 0
    counted, line = 0, first_line  # the line at offset `counted`, counted as we go
    tail = ""  # the last two characters kept: whether the kept text ends a paragraph
    for match in IMAGE_LINE.finditer(text):
        if _inside(fenced, match.start()):
            continue
        taken.append(match.span())
        line += text.count("\n", counted, match.start())
        counted = match.start()
        segment = text[position : match.start()]
        kept.append(segment)
        tail = (tail + segment)[-2:]
        length += match.start() - position
        images.append((length, _image(match, line)))
        # The line goes with its newline; a last line without one takes nothing more.
        position = match.end() + 1 if text.startswith("\n", match.end()) else match.end()
        if length == 0 or tail == "\n\n":
            # An image that was a paragraph of its own: the blank lines after it go too,
            # or the post would keep two blank lines where it stood.
            while text.startswith("\n", position):
                position += 1
    kept.append(text[position:])
    stripped = "".join(kept)
    if "![" in stripped:
        warnings.extend(_inline_warnings(text, sorted(fenced + taken), first_line))
    return ImageLines(stripped, tuple(images), tuple(warnings))


def image_line(alt: str, path: str) -> str:
    """The image line that `find_images` reads back as `alt` (its spaces and line breaks
    made single spaces, as it reads them) and `path`: brackets, parentheses, quotes and
    backslashes are escaped. ValueError for a path that no image line can hold (empty, a
    line break in it, or spaces around it)."""
    if not path or len(path.splitlines()) != 1 or path != path.strip():
        raise ValueError("the path must be a file name on one line, without spaces around it")
    alt = " ".join(alt.split())
    return f"![{_escape(alt, _ALT_SPECIAL)}]({_escape(path, _PATH_SPECIAL)})"


def _escape(text: str, special: str) -> str:
    return "".join(f"\\{char}" if char in special else char for char in text)


def _image(match: re.Match[str], line: int) -> Image:
    target = match.group("target").strip()
    if target.startswith("<") and ">" in target:
        target = target[1 : target.index(">")]
    else:
        target = _TITLE.sub("", target)
    alt = _UNESCAPE.sub(r"\1", match.group("alt")).strip()
    return Image(alt=" ".join(alt.split()), path=_UNESCAPE.sub(r"\1", target).strip(), line=line)


def _inside(spans: list[tuple[int, int]], offset: int) -> bool:
    """Whether `offset` is inside one of `spans` (sorted, not overlapping)."""
    index = bisect.bisect_right(spans, (offset, float("inf"))) - 1
    return index >= 0 and spans[index][0] <= offset < spans[index][1]


def _fenced_spans(text: str) -> list[tuple[int, int]]:
    """Where the fenced code blocks are: from an opening fence to its closing one (or the
    end of the text, as CommonMark reads an unclosed fence)."""
    spans: list[tuple[int, int]] = []
    opened: re.Match[str] | None = None
    for fence in _FENCE.finditer(text):
        mark = fence.group("fence")
        if opened is None:
            opened = fence
            continue
        opening = opened.group("fence")
        line_end = text.find("\n", fence.end())
        rest = text[fence.end() : line_end if line_end >= 0 else len(text)]
        if mark[0] == opening[0] and len(mark) >= len(opening) and not rest.strip():
            spans.append((opened.start(), fence.end()))
            opened = None
    if opened is not None:
        spans.append((opened.start(), len(text)))
    return spans


def _inline_warnings(text: str, skipped: list[tuple[int, int]], first_line: int) -> list[str]:
    """One warning naming the lines (the first few) that hold an image inside their text."""
    lines: list[int] = []
    counted, line = 0, first_line
    for match in _INLINE_IMAGE.finditer(text):
        if _inside(skipped, match.start()):
            continue
        line += text.count("\n", counted, match.start())
        counted = match.start()
        if not lines or lines[-1] != line:
            lines.append(line)
    if not lines:
        return []
    shown = [str(number) for number in lines[:_SHOWN_LINES]]
    more = len(lines) - len(shown)
    if more:
        where = f"lines {', '.join(shown)} and {more} more"
    elif len(shown) > 1:
        where = f"lines {', '.join(shown[:-1])} and {shown[-1]}"
    else:
        where = f"line {shown[0]}"
    return [
        f"{where}: an image inside a line of text is published as text; "
        "put it on a line of its own to attach it"
    ]


def alt_text_problem(image: Image, platform: str, limit: int | None, *, required: bool) -> str:
    """Why `image`'s alt text cannot go to `platform` ("" when it can): missing while
    `required`, or longer than the platform's `limit` (in characters)."""
    if not image.alt:
        if required:
            return (
                f"{image.name} has no alt text: describe the image between the brackets, "
                "![like this](...), or set alt_text_required = false"
            )
        return ""
    if limit is not None and len(image.alt) > limit:
        return (
            f"the alt text of {image.name} has {len(image.alt)} characters; "
            f"{platform} takes at most {limit}"
        )
    return ""
