"""Numbering of the posts of a thread: "1/7", "(1/7)", "🧵 1/7", or none.

A follow-up to a published thread either continues its numbering (`start`: "8/9", "9/9" after
a thread of 7) or is marked as an update (the `update` preset: "UPDATE 1/2", and a single
post "UPDATE: ...").
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from composer.errors import ComposerError

PRESETS: dict[str, str] = {
    "prefix": "{i}/{n} {text}",
    "suffix": "{text} {i}/{n}",
    "paren": "{text} ({i}/{n})",
    "thread": "🧵 {i}/{n} {text}",
    "thread-suffix": "{text} 🧵 {i}/{n}",
    "none": "{text}",
    "update": "UPDATE {i}/{n} {text}",
}
# How a thread of one post reads, for the presets that still mark it.
SINGLE_POST: dict[str, str] = {"update": "UPDATE: {text}"}
UPDATE_PRESET = "update"
DEFAULT_NUMBERING = "{i}/{n}"
_FIELDS = frozenset({"i", "n", "text"})


class NumberingError(ComposerError, ValueError):
    """A numbering format that cannot be used."""


@dataclass(frozen=True, slots=True)
class Numbering:
    """How each post's number is written around its text.

    `template` holds `{text}` once and may hold `{i}` (the post's position) and `{n}` (the
    number of posts). With `hook`, the first post is published without a number. `start` is
    the number the first post carries (a follow-up continuing a thread of 7 starts at 8, and
    its total is shown as start - 1 + posts). `single` is how a thread of one post reads
    (None: its bare text, unless the numbering continues).
    """

    template: str
    hook: bool = False
    start: int = 1
    single: str | None = None

    @classmethod
    def parse(cls, spec: str | None, *, hook: bool = False, start: int = 1) -> Numbering:
        """A preset name, or a format with {i}, {n} and optionally {text}.

        A format without {text} goes before the text, followed by a space: "{i}/{n}" gives
        "1/7 Text...".
        """
        if start < 1:
            raise NumberingError(f"numbering must start at 1 or more, not {start}")
        spec = DEFAULT_NUMBERING if spec is None else spec
        preset = spec.strip().lower()
        template = PRESETS.get(preset, spec)
        try:
            parsed = [
                (name, spec_, conversion)
                for _, name, spec_, conversion in string.Formatter().parse(template)
                if name is not None
            ]
        except ValueError as error:
            raise NumberingError(f"bad numbering format {spec!r}: {error}") from None
        fields = [name for name, _, _ in parsed]
        for name, format_spec, conversion in parsed:
            # A format spec or conversion ("{i:>999999999}", "{i:Z}", "{i!r}") is refused:
            # it can fail at render time or build a string of gigabytes.
            if format_spec or conversion:
                raise NumberingError(
                    f"bad numbering format {spec!r}: write {{{name}}} without a format spec"
                )
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
        return cls(template, hook, start, SINGLE_POST.get(preset))

    @property
    def numbered(self) -> bool:
        return "{i}" in self.template or "{n}" in self.template

    def render(self, index: int, total: int, body: str) -> str:
        """The published text of post `index` (1-based) of `total`, numbered from `start`."""
        if self.hook and index == 1:
            return body
        if total == 1 and self.single is not None:
            return self.single.format(text=body)
        if total == 1 and self.start == 1 and self.numbered:
            return body
        shift = self.start - 1
        return self.template.format(i=shift + index, n=shift + total, text=body)

    def overhead(self, index: int, total: int) -> str:
        """What numbering adds to post `index`: render() with an empty body."""
        return self.render(index, total, "")
