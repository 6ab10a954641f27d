"""Characters that must never be published: they are invisible, reorder the text around them
or make a terminal do things.

The body may hold newlines and tabs (and the "\\r" of "\\r\\n"); everything else of C0, DEL and
C1 is refused. Handles, tags and a language code are single tokens: no control at all, and
no bidi mark, override or isolate either (they make "@hrw" display as something else).
"""

from __future__ import annotations

from composer.text.patterns import compile_on_use

_IN_TEXT = compile_on_use(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_IN_TOKEN = compile_on_use(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def first_control(text: str, *, token: bool = False) -> int | None:
    """The index of the first character of `text` that must not be published, or None.
    `token`: `text` is a handle, tag or code, where bidi controls are refused as well."""
    found = (_IN_TOKEN if token else _IN_TEXT).search(text)
    return found.start() if found else None


def code_point(character: str) -> str:
    """ "U+001B": how a refused character is named in a message, never the character itself."""
    return f"U+{ord(character):04X}"
