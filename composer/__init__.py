"""thread-composer: turn long reports into numbered threads that fit every platform exactly.

>>> from composer import split, count
>>> thread = split(report, "x")
>>> [post.text for post in thread.posts]
"""

from composer.text import PLATFORM_NAMES, Post, Thread, count, split

__version__ = "0.1.0"
__all__ = ["PLATFORM_NAMES", "Post", "Thread", "__version__", "count", "split"]
