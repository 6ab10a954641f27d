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

import re
from dataclasses import dataclass

__all__ = ["IMAGE_LINE", "Image", "ImageLines", "alt_text_problem", "find_images"]

_ESCAPED = r"\\."
_ALT_PART = rf"(?:[^\[\]\\\n]|{_ESCAPED})"
# The alt text may hold one level of balanced brackets ("[sic]"), as in CommonMark.
_ALT = rf"(?:{_ALT_PART}|\[{_ALT_PART}*\])*"
IMAGE_LINE = re.compile(rf"^[ \t]*!\[(?P<alt>{_ALT})\]\((?P<target>[^\n]*)\)[ \t]*$", re.MULTILINE)
_INLINE_IMAGE = re.compile(rf"!\[{_ALT}\]\([^)\n]+\)")
_FENCE = re.compile(r"^[ ]{0,3}(?P<fence>`{3,}|~{3,})", re.MULTILINE)
_TITLE = re.compile(r"""\s+(?:"[^"]*"|'[^']*')\s*$""")
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


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
    kept: list[str] = []
    images: list[tuple[int, Image]] = []
    warnings: list[str] = []
    length = 0  # of the text kept so far
    position = 0
    for match in IMAGE_LINE.finditer(text):
        if any(start <= match.start() < end for start, end in fenced):
            continue
        fenced.append(match.span())  # no warning below for what is taken out
        line = first_line + text.count("\n", 0, match.start())
        kept.append(text[position : match.start()])
        length += match.start() - position
        images.append((length, _image(match, line)))
        # The line goes with its newline; a last line without one takes nothing more.
        position = match.end() + 1 if text.startswith("\n", match.end()) else match.end()
    kept.append(text[position:])
    stripped = "".join(kept)
    if "![" in stripped:
        warnings.extend(_inline_warnings(text, fenced, first_line))
    return ImageLines(stripped, tuple(images), tuple(warnings))


def _image(match: re.Match[str], line: int) -> Image:
    target = match.group("target").strip()
    if target.startswith("<") and ">" in target:
        target = target[1 : target.index(">")]
    else:
        target = _TITLE.sub("", target)
    alt = _UNESCAPE.sub(r"\1", match.group("alt")).strip()
    return Image(alt=" ".join(alt.split()), path=_UNESCAPE.sub(r"\1", target).strip(), line=line)


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
        rest = text[fence.end() : text.find("\n", fence.end()) % (len(text) + 1)]
        if mark[0] == opening[0] and len(mark) >= len(opening) and not rest.strip():
            spans.append((opened.start(), fence.end()))
            opened = None
    if opened is not None:
        spans.append((opened.start(), len(text)))
    return spans


def _inline_warnings(text: str, fenced: list[tuple[int, int]], first_line: int) -> list[str]:
    warnings: list[str] = []
    for match in _INLINE_IMAGE.finditer(text):
        if any(start <= match.start() < end for start, end in fenced):
            continue
        line = first_line + text.count("\n", 0, match.start())
        warnings.append(
            f"line {line}: an image inside a line of text is published as text; "
            "put it on a line of its own to attach it"
        )
    return warnings


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
