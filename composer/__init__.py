"""thread-composer: turn long reports into numbered threads that fit every platform exactly.

>>> from composer import split, count
>>> thread = split(report, "x")
>>> [post.text for post in thread.posts]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from composer.lazy import lazy_getattr

if TYPE_CHECKING:
    from composer.text import PLATFORM_NAMES, Post, Thread, count, split

__version__ = "0.1.0"
__all__ = ["PLATFORM_NAMES", "Post", "Thread", "__version__", "count", "split"]


# Loaded when first used, so `import composer.cli` (every command) does not load the
# splitter before it knows the command needs it.
_HOMES = dict.fromkeys(["PLATFORM_NAMES", "Post", "Thread", "count", "split"], "composer.text")
__getattr__ = lazy_getattr(__name__, _HOMES)
