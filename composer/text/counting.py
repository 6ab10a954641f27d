"""Post length as each platform counts it: the rules of `composer.text.measures`, by name.

Which measure each platform uses, and its limit, is a row of
`composer.text.platform_facts.FACTS`; this module only looks them up.
"""

from __future__ import annotations

from composer.errors import ComposerError
from composer.text.measures import Measure, Platform, normalize
from composer.text.platform_facts import FACTS, PLATFORM_NAMES

__all__ = [
    "PLATFORMS",
    "Measure",
    "Platform",
    "UnknownPlatformError",
    "count",
    "normalize",
    "platform",
]


class UnknownPlatformError(ComposerError, ValueError):
    """A platform name that is not one of PLATFORM_NAMES."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown platform {name!r}: choose one of {', '.join(PLATFORM_NAMES)}")
        self.name = name


PLATFORMS: dict[str, Platform] = {
    name: Platform(name, facts.measure, facts.extra_measures) for name, facts in FACTS.items()
}


def platform(name: str) -> Platform:
    """The rules of a platform by name (case-insensitive); UnknownPlatformError otherwise."""
    try:
        return PLATFORMS[name.lower()]
    except KeyError:
        raise UnknownPlatformError(name) from None


def count(text: str, platform_name: str) -> int:
    """Length of `text` as ONE post on the platform, in the platform's own unit."""
    return platform(platform_name).count(text)
