"""Patterns compiled on their first use, not at import.

The standard library's `re` compiles a pattern in Python, 0.05 to 1 ms each, and the
modules `split` loads define about 90 of them; a short English text uses about a third
(the emoji, non-Latin, Bluesky and Mastodon ones wait for a text or platform that needs
them). Written by hand because `re` offers no deferred compile.

On its first use, a pattern replaces itself, in the module that defined it, by the compiled
pattern: hot patterns cost nothing more per call than compiled ones (counting calls some a
hundred times a text). Other holders (a tuple, an import under another name) keep the
object, which then forwards each method at the cost of a bound method.
"""

from __future__ import annotations

import re
import sys
from typing import Any, cast

_FORWARDED = ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split")
_KNOWN = frozenset((*_FORWARDED, "flags", "groups", "groupindex"))


class _Compiled:
    """What a _CompiledOnUse becomes once compiled: a plain object holding the compiled
    pattern's methods in its own dict (a class with `__getattr__` is slower to call)."""

    pattern: str

    def __repr__(self) -> str:
        return f"compile_on_use({self.pattern!r})"


class _CompiledOnUse(_Compiled):
    def __init__(self, pattern: str, flags: int, namespace: dict[str, Any]) -> None:
        self.pattern = pattern  # read without compiling: patterns are built from others
        self._flags = flags
        self._namespace = namespace

    def __getattr__(self, name: str) -> object:
        # Called only for a name the object lacks: the first use of a pattern's method.
        if name not in _KNOWN:  # a probe (pytest's, copy's, ...) compiles nothing
            raise AttributeError(name)
        # Every step may be taken twice, by two threads using the pattern first together:
        # each is idempotent, and nothing is deleted that the other still reads.
        compiled = re.compile(self.pattern, self._flags)
        for method in _FORWARDED:
            setattr(self, method, getattr(compiled, method))
        self.flags, self.groups = compiled.flags, compiled.groups
        self.groupindex = compiled.groupindex
        for key, value in list(self._namespace.items()):
            if value is self:
                self._namespace[key] = compiled
        self.__class__ = _Compiled  # type: ignore[assignment]  # no __getattr__ from now on
        return getattr(compiled, name)


def compile_on_use(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, done when a method is first called. Use it for methods
    only (`.search`, `.sub`, ...) and `.pattern`: until then it is no `re.Pattern` to
    `re.sub` or `isinstance`."""
    namespace = sys._getframe(1).f_globals  # the defining module's, where it is replaced
    return cast("re.Pattern[str]", _CompiledOnUse(pattern, flags, namespace))
