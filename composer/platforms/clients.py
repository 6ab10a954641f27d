"""The client registry: which platforms can be published to, and with which client class.

The one place that maps a platform name (a row of `composer.text.platform_facts.FACTS`) to its
client. A client's module is imported only when an account of that platform needs it, so a
command that publishes to Mastodon never loads the X client.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any, cast

from composer.errors import ComposerError
from composer.platforms.base import PlatformClient

__all__ = [
    "CLIENTS",
    "UnsupportedPlatform",
    "client_class",
    "image_refusal",
    "make_client",
    "takes_images",
]

CLIENTS: Mapping[str, tuple[str, str]] = {
    "x": ("composer.platforms.x", "XClient"),
    "mastodon": ("composer.platforms.mastodon", "MastodonClient"),
    "bluesky": ("composer.platforms.bluesky", "BlueskyClient"),
    "threads": ("composer.platforms.threads", "ThreadsClient"),
    "linkedin": ("composer.platforms.linkedin", "LinkedInClient"),
}
"""Platform name -> (module, class) of its client; a platform missing here could be
previewed but not published to (UnsupportedPlatform)."""


class UnsupportedPlatform(ComposerError, ValueError):
    """An account on a platform thread-composer can preview for but not publish to."""


def client_class(platform: str) -> Callable[..., PlatformClient]:
    """The client class of `platform`; UnsupportedPlatform for one without a client."""
    try:
        module, name = CLIENTS[platform]
    except KeyError:
        raise UnsupportedPlatform(f"publishing to {platform} is not supported") from None
    return cast("Callable[..., PlatformClient]", getattr(import_module(module), name))


def make_client(account: Any, **options: Any) -> PlatformClient:
    """A client for `account` (an accounts-file Account), by its platform;
    UnsupportedPlatform for a platform without one."""
    return client_class(account.platform)(account, **options)


def takes_images(platform: str) -> bool:
    """Whether posts with images can be published to `platform`: its client uploads them."""
    try:
        return hasattr(client_class(platform), "upload_media")
    except UnsupportedPlatform:
        return False


def image_refusal(account: Any) -> str | None:
    """Why posts with images cannot be published from `account` (an accounts-file Account),
    or None when they can: its client cannot upload them, or the account lacks the setting
    its client uploads with (the client's `image_setting`: Threads' `media_upload_cmd`)."""
    if not takes_images(account.platform):
        return f"images are not published to {account.platform} yet"
    setting = getattr(client_class(account.platform), "image_setting", None)
    if setting and not getattr(account, setting, None):
        return (
            f"images on {account.platform} need {setting} in account {account.name}: a command "
            "that uploads a file and prints its public https:// URL (see accounts.example.toml)"
        )
    return None
