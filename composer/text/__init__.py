"""The pure core: counting, tokenising, splitting and numbering. No I/O, no clock.

The names below are loaded when first used (PEP 562), so a command that needs one module of
this layer (`history` needs `display` only) does not pay for compiling the splitter's
patterns at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from composer.lazy import lazy_getattr

if TYPE_CHECKING:
    from composer.text.breaks import BreakKind
    from composer.text.counting import UnknownPlatformError, count, platform
    from composer.text.images import Image
    from composer.text.numbering import NumberingError
    from composer.text.platform_facts import PLATFORM_NAMES
    from composer.text.splitting import MODES, ImageLineError, Post, SplitError, Thread, split

_HOMES = {
    "MODES": "splitting",
    "PLATFORM_NAMES": "platform_facts",
    "BreakKind": "breaks",
    "Image": "images",
    "ImageLineError": "splitting",
    "NumberingError": "numbering",
    "Post": "splitting",
    "SplitError": "splitting",
    "Thread": "splitting",
    "UnknownPlatformError": "counting",
    "count": "counting",
    "platform": "counting",
    "split": "splitting",
}
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


__getattr__ = lazy_getattr(__name__, _HOMES)
