"""What each platform is, as data: one row per platform, read by every module that asks.

Which platforms exist, the address of their API, the form of a handle, and which plain
settings and which secrets an account of theirs takes in the accounts file. Pure data and
pure functions (no I/O): the accounts file checks itself against this table
(`composer.workspace.account_checks`), the address book and the TUI's pickers read the
handle rules from here, `composer.text.counting` lists the same platforms.

Adding a platform starts with a row here; `docs/MAP.md` lists what else it needs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CONTACT_PLATFORMS",
    "DEFAULT_URLS",
    "DOMAIN",
    "FACTS",
    "PLATFORM_NAMES",
    "VISIBILITIES",
    "X_OAUTH1_KEYS",
    "X_OAUTH2_SECRETS",
    "HandleRule",
    "PlatformFacts",
    "SettingKind",
    "handle_platforms",
    "is_handle",
]

# How a plain (non-secret) account setting is checked.
SettingKind = Literal["str", "url", "int", "visibility", "language"]

VISIBILITIES = ("public", "unlisted", "private")  # Mastodon's, for posts 2..n
X_OAUTH1_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
X_OAUTH2_SECRETS = ("oauth2_access_token", "oauth2_refresh_token", "client_secret")

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
DOMAIN = rf"(?:{_LABEL}\.)+[A-Za-z](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?"
"""A DNS name with at least two labels (a Bluesky handle without its "@")."""


@dataclass(frozen=True, slots=True)
class HandleRule:
    """The written form of a handle, "@" included, and how to explain it to a user."""

    pattern: re.Pattern[str]
    rule: str


@dataclass(frozen=True, slots=True)
class PlatformFacts:
    """One platform's facts. `handle` is None where contacts cannot be mentioned by handle."""

    name: str
    default_url: str | None
    handle: HandleRule | None
    settings: Mapping[str, SettingKind]
    secrets: tuple[str, ...]
    required_settings: tuple[str, ...] = ()
    required_secrets: tuple[str, ...] = ()
    # The setting that, when given, is the account's API address instead of default_url
    # (a Mastodon instance, a Bluesky PDS); it defaults to default_url where there is one.
    url_setting: str | None = None
    # Images: how many one post carries (a Mastodon instance may say another number), and
    # the longest alt text in characters (None: the platform takes no alt text we know of).
    images_per_post: int = 4
    alt_text_limit: int | None = None
    # One image's upload limits (a Mastodon instance says its own), and how long an
    # uploaded media id stays usable (None: as long as the post may wait).
    image_max_bytes: int = 5_000_000
    image_max_pixels: int | None = None
    media_id_lifetime_s: int | None = None


FACTS: Mapping[str, PlatformFacts] = {
    "x": PlatformFacts(
        "x",
        default_url="https://api.x.com",
        handle=HandleRule(re.compile(r"@[A-Za-z0-9_]{1,15}"), "@user: 1-15 letters, digits or _"),
        settings={"daily_post_quota": "int", "client_id": "str"},
        # One of two schemes, checked as a whole by the accounts file (check_x_auth).
        secrets=X_OAUTH1_KEYS + X_OAUTH2_SECRETS,
        images_per_post=4,
        alt_text_limit=1000,
        image_max_bytes=5_000_000,
        media_id_lifetime_s=24 * 3600,  # an X media id expires after 24 h: upload again
    ),
    "mastodon": PlatformFacts(
        "mastodon",
        default_url=None,  # the account's own instance
        handle=HandleRule(
            re.compile(r"@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?@" + DOMAIN),
            "@user@domain, e.g. @hrw@mastodon.social",
        ),
        settings={
            "instance": "url",
            "max_characters": "int",
            "reply_visibility": "visibility",
            "language": "language",
        },
        secrets=("access_token",),
        required_settings=("instance",),
        required_secrets=("access_token",),
        url_setting="instance",
        images_per_post=4,  # the default of max_media_attachments (/api/v2/instance)
        alt_text_limit=1500,  # the default of description_limit
        # Mastodon's defaults; the client reads the instance's own from /api/v2/instance.
        image_max_bytes=16 * 1024 * 1024,
        image_max_pixels=33_177_600,
    ),
    "bluesky": PlatformFacts(
        "bluesky",
        default_url="https://bsky.social",
        handle=HandleRule(
            re.compile("@" + DOMAIN), "@handle.domain, e.g. @hrw.org or @name.bsky.social"
        ),
        settings={"service": "url"},
        secrets=("app_password",),
        required_settings=("handle",),
        required_secrets=("app_password",),
        url_setting="service",
        images_per_post=4,  # app.bsky.embed.images
        alt_text_limit=2000,  # as the Bluesky app enforces it
        image_max_bytes=2_000_000,  # app.bsky.embed.images' blob limit
    ),
    "threads": PlatformFacts(
        "threads",
        default_url="https://graph.threads.net/v1.0",
        handle=HandleRule(
            re.compile(r"@[A-Za-z0-9._]{1,30}"), "@user: 1-30 letters, digits, . or _"
        ),
        settings={"user_id": "str"},
        secrets=("access_token",),
        required_settings=("user_id",),
        required_secrets=("access_token",),
        images_per_post=20,  # a carousel; its documents give no alt text limit
        image_max_bytes=8 * 1024 * 1024,
    ),
    "linkedin": PlatformFacts(
        "linkedin",
        default_url="https://api.linkedin.com",
        handle=None,
        settings={},
        secrets=(),
        images_per_post=20,
    ),
}

PLATFORM_NAMES: tuple[str, ...] = tuple(FACTS)
DEFAULT_URLS: Mapping[str, str] = {
    name: facts.default_url for name, facts in FACTS.items() if facts.default_url
}
CONTACT_PLATFORMS: tuple[str, ...] = tuple(name for name, f in FACTS.items() if f.handle)
"""The platforms an address-book entry may hold a handle for."""


def is_handle(text: str) -> bool:
    """Whether `text` is a handle the accounts file would accept on some platform."""
    return bool(handle_platforms(text))


def handle_platforms(text: str) -> tuple[str, ...]:
    """The platforms whose handle form `text` has: "@a@m.social" is Mastodon's only, "@hrw.org"
    Bluesky's (and Threads', whose names may hold dots), "@hrw" X's and Threads'."""
    return tuple(name for name, f in FACTS.items() if f.handle and f.handle.pattern.fullmatch(text))
