"""The pure core: counting, tokenising, splitting and numbering. No I/O, no clock."""

from composer.text.breaks import BreakKind
from composer.text.counting import UnknownPlatformError, count, platform
from composer.text.images import Image
from composer.text.numbering import NumberingError
from composer.text.platform_facts import PLATFORM_NAMES
from composer.text.splitting import MODES, ImageLineError, Post, SplitError, Thread, split

__all__ = [
    "MODES",
    "PLATFORM_NAMES",
    "BreakKind",
    "Image",
    "ImageLineError",
    "NumberingError",
    "Post",
    "SplitError",
    "Thread",
    "UnknownPlatformError",
    "count",
    "platform",
    "split",
]
