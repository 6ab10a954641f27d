"""Numbering of the posts of a thread: "1/7", "(1/7)", "🧵 1/7", or none."""

from __future__ import annotations

import string
from dataclasses import dataclass

PRESETS: dict[str, str] = {
    "prefix": "{i}/{n} {text}",
    "suffix": "{text} {i}/{n}",
    "paren": "{text} ({i}/{n})",
    "thread": "🧵 {i}/{n} {text}",
    "thread-suffix": "{text} 🧵 {i}/{n}",
    "none": "{text}",
}
DEFAULT_NUMBERING = "{i}/{n}"
_FIELDS = frozenset({"i", "n", "text"})


class NumberingError(ValueError):
    """A numbering format that cannot be used."""


@dataclass(frozen=True, slots=True)
class Numbering:
    """How each post's number is written around its text.

    `template` holds `{text}` once and may hold `{i}` (the post's position) and `{n}` (the
    number of posts). With `hook`, the first post is published without a number.
    """

    template: str
    hook: bool = False

    @classmethod
    def parse(cls, spec: str | None, *, hook: bool = False) -> Numbering:
        """A preset name, or a format with {i}, {n} and optionally {text}.

        A format without {text} goes before the text, followed by a space: "{i}/{n}" gives
        "1/7 Text...".
        """
        spec = DEFAULT_NUMBERING if spec is None else spec
        template = PRESETS.get(spec.strip().lower(), spec)
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        except ValueError as error:
            raise NumberingError(f"bad numbering format {spec!r}: {error}") from None
        unknown = sorted(set(fields) - _FIELDS)
        if unknown:
            raise NumberingError(
                f"bad numbering format {spec!r}: unknown field {{{unknown[0]}}}; "
                "use {i}, {n} and {text}, or one of: " + ", ".join(PRESETS)
            )
        if fields.count("text") > 1:
            raise NumberingError(f"bad numbering format {spec!r}: {{text}} appears twice")
        if "text" not in fields:
            template = template + " {text}"
        return cls(template, hook)

    @property
    def numbered(self) -> bool:
        return "{i}" in self.template or "{n}" in self.template

    def render(self, index: int, total: int, body: str) -> str:
        """The published text of post `index` (1-based) of `total`."""
        if (self.hook and index == 1) or (total == 1 and self.numbered):
            return body
        return self.template.format(i=index, n=total, text=body)

    def overhead(self, index: int, total: int) -> str:
        """What numbering adds to post `index`: render() with an empty body."""
        return self.render(index, total, "")
