"""thread-composer: turn long reports into numbered threads that fit every platform exactly.

>>> from composer import split, count
>>> thread = split(report, "x")
>>> [post.text for post in thread.posts]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from composer.text import PLATFORM_NAMES, Post, Thread, count, split

__version__ = "0.1.0"
__all__ = ["PLATFORM_NAMES", "Post", "Thread", "__version__", "count", "split"]


def __getattr__(name: str) -> object:
    # Loaded when first used, so `import composer.cli` (every command) does not load the
    # splitter before it knows the command needs it.
    if name in __all__:
        import composer.text

        value = getattr(composer.text, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
