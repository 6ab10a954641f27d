"""Patterns compiled on their first use, not at import.

The standard library's `re` compiles a pattern in Python, 0.05 to 1 ms each, and the
modules `split` loads define about 90 of them; a short English text uses about a third
(the emoji, non-Latin, Bluesky and Mastodon ones wait for a text or platform that needs
them). Written by hand because `re` offers no deferred compile; after the first use, each
method is an attribute of the object itself, as cheap to call as the compiled pattern's.
"""

from __future__ import annotations

import re
from typing import cast

_FORWARDED = ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split")


class _CompiledOnUse:
    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern  # read without compiling: patterns are built from others
        self._flags = flags

    def __getattr__(self, name: str) -> object:
        # Called only for a name the object lacks: the first use of a pattern's method.
        compiled = re.compile(self.pattern, self._flags)
        for method in _FORWARDED:
            setattr(self, method, getattr(compiled, method))
        self.flags, self.groups = compiled.flags, compiled.groups
        self.groupindex = compiled.groupindex
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"compile_on_use({self.pattern!r})"


def compile_on_use(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, done when a method is first called. Use it for methods
    only (`.search`, `.sub`, ...) and `.pattern`: it is no `re.Pattern` to `re.sub` or
    `isinstance`."""
    return cast("re.Pattern[str]", _CompiledOnUse(pattern, flags))
