"""The pure core: counting, tokenising, splitting and numbering. No I/O, no clock."""

from composer.text.breaks import BreakKind
from composer.text.counting import UnknownPlatformError, count, platform
from composer.text.numbering import NumberingError
from composer.text.platform_facts import PLATFORM_NAMES
from composer.text.splitting import MODES, Post, SplitError, Thread, split

__all__ = [
    "MODES",
    "PLATFORM_NAMES",
    "BreakKind",
    "NumberingError",
    "Post",
    "SplitError",
    "Thread",
    "UnknownPlatformError",
    "count",
    "platform",
    "split",
]
