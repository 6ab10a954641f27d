"""The client for an account's platform."""

from __future__ import annotations

from typing import Any

from composer.errors import ComposerError
from composer.platforms.base import PlatformClient


class UnsupportedPlatform(ComposerError, ValueError):
    """An account on a platform thread-composer can preview for but not publish to."""


def make_client(account: Any, **options: Any) -> PlatformClient:
    """A client for `account` (an accounts-file Account), by its platform;
    UnsupportedPlatform for a platform without one (LinkedIn)."""
    platform = account.platform
    if platform == "mastodon":
        from composer.platforms.mastodon import MastodonClient

        return MastodonClient(account, **options)
    if platform == "x":
        from composer.platforms.x import XClient

        return XClient(account, **options)
    if platform == "bluesky":
        from composer.platforms.bluesky import BlueskyClient

        return BlueskyClient(account, **options)
    if platform == "threads":
        from composer.platforms.threads import ThreadsClient

        return ThreadsClient(account, **options)
    raise UnsupportedPlatform(f"publishing to {platform} is not supported")
