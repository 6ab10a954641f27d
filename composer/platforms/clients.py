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
    client: PlatformClient = client_class(account.platform)(account, **options)
    return client


def takes_images(platform: str) -> bool:
    """Whether posts with images can be published to `platform`: its client uploads them."""
    try:
        return hasattr(client_class(platform), "upload_media")
    except UnsupportedPlatform:
        return False


def client_class(platform: str) -> type[Any]:
    """The client class of `platform` (imported only when asked for)."""
    if platform == "mastodon":
        from composer.platforms.mastodon import MastodonClient

        return MastodonClient
    if platform == "x":
        from composer.platforms.x import XClient

        return XClient
    if platform == "bluesky":
        from composer.platforms.bluesky import BlueskyClient

        return BlueskyClient
    if platform == "threads":
        from composer.platforms.threads import ThreadsClient

        return ThreadsClient
    raise UnsupportedPlatform(f"publishing to {platform} is not supported")
