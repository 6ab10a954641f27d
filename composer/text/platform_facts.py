"""What each platform is, as data: one row per platform, read by every module that asks.

Which platforms exist, how they count a post and its limits, the address of their API, the
form of a handle, how many images a post may carry and how long their alt text may be, and
which plain settings and which secrets an account of theirs takes in the accounts file. Pure
data and pure functions (no I/O): counting and the splitter read the measures
(`composer.text.counting`), the accounts file checks itself against this table
(`composer.workspace.account_checks`), the address book and the TUI's pickers read the handle
rules, the front ends preview on `PREVIEW_PLATFORMS`. Which platforms can be published to is
the client registry's (`composer.platforms.clients.CLIENTS`).

Adding a platform starts with a row here; `docs/MAP.md` lists what else it needs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from composer.text.graphemes import grapheme_count, grapheme_weights
from composer.text.measures import (
    Measure,
    link_count,
    link_weights,
    mastodon_count,
    mastodon_weights,
    threads_count,
    threads_weights,
    utf8_count,
    utf8_weights,
    utf16_count,
    utf16_weights,
    x_count,
)
from composer.text.patterns import compile_on_use
from composer.text.xcount import X_LIMIT, x_char_weights

__all__ = [
    "CONTACT_PLATFORMS",
    "DEFAULT_URLS",
    "DOMAIN",
    "FACTS",
    "LINKEDIN_AUTHOR",
    "LINKEDIN_COMMENT_LIMIT",
    "OVERFLOWS",
    "PLATFORM_NAMES",
    "PREVIEW_PLATFORMS",
    "REPLIES",
    "VISIBILITIES",
    "X_OAUTH1_KEYS",
    "X_OAUTH2_SECRETS",
    "HandleRule",
    "MediaFacts",
    "PlatformFacts",
    "PostOptionFacts",
    "SettingKind",
    "handle_platforms",
    "is_handle",
]

# How a plain (non-secret) account setting is checked.
SettingKind = Literal[
    "str",
    "url",
    "int",
    "bool",
    "visibility",
    "language",
    "command",
    "replies",
    "quotes",
    "urn",
    "overflow",
    "version",
]

VISIBILITIES = ("public", "unlisted", "private")  # Mastodon's (`visibility`, `reply_visibility`)
REPLIES = ("everyone", "mentioned", "following", "nobody")  # who may reply (`replies`)
OVERFLOWS = ("refuse", "comments")  # LinkedIn: what a report longer than one post does
LINKEDIN_COMMENT_LIMIT = 1250
"""Characters of one LinkedIn comment (docs/PLATFORMS.md, LinkedIn): with `overflow =
"comments"` a report is split at this limit, its first part the post, the rest comments."""
LINKEDIN_AUTHOR = compile_on_use(r"urn:li:(?:person|organization):[A-Za-z0-9_-]{1,64}")
"""A LinkedIn account's `author`: a member's (person) or a page's (organization) URN."""
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
class MediaFacts:
    """How many images one post may carry and how long each one's alt text may be.

    `alt_text_limit` is in characters, None where the platform documents none. Sources and
    dates: docs/PLATFORMS.md, "Media, alt text and post options (checked 2026-12-03;
    ✔ primary source, ◐ secondary only)"; where sources disagree, the smaller number."""

    images_per_post: int
    alt_text_limit: int | None
    # Threads: a post with more than one image is a carousel (up to images_per_post: 10,
    # the older documented figure; one secondary source says 20); a plain image post takes one.
    carousel: bool = False
    # Mastodon: an instance may set its own number (configuration.statuses
    # .max_media_attachments); images_per_post is then the default.
    server_may_differ: bool = False
    # One image's upload limits (a Mastodon instance says its own), and how long an
    # uploaded media id stays usable (None: as long as the post may wait).
    max_bytes: int = 5_000_000
    max_pixels: int | None = None
    id_lifetime_s: int | None = None


# A platform thread-composer posts no images to: none a post, nothing uploaded.
NO_MEDIA = MediaFacts(images_per_post=0, alt_text_limit=None, max_bytes=0)


@dataclass(frozen=True, slots=True)
class PostOptionFacts:
    """Which of a draft's publishing options (`composer.text.options.PostOptions`) a
    platform uses, and its own value for each `replies` value it has (sources:
    docs/PLATFORMS.md, "Per-network settings"). A `replies` value it lacks is sent as its `closest`
    safe one (fewer people may reply, never more), with a warning; "everyone" is the
    platform's default, for which nothing is sent."""

    takes: frozenset[str] = frozenset()
    replies: Mapping[str, str] = field(default_factory=dict)
    closest: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PlatformFacts:
    """One platform's facts. `handle` is None where contacts cannot be mentioned by handle,
    `media` is NO_MEDIA where thread-composer posts no images."""

    name: str
    label: str  # how the platform writes its own name
    measure: Measure  # the length it shows and enforces
    default_url: str | None
    handle: HandleRule | None
    settings: Mapping[str, SettingKind]
    secrets: tuple[str, ...]
    extra_measures: tuple[Measure, ...] = ()  # further limits (bytes, links)
    media: MediaFacts = NO_MEDIA
    previewed_by_default: bool = False  # a draft that names no platform is shown on these
    required_settings: tuple[str, ...] = ()
    required_secrets: tuple[str, ...] = ()
    # The setting that, when given, is the account's API address instead of default_url
    # (a Mastodon instance, a Bluesky PDS); it defaults to default_url where there is one.
    url_setting: str | None = None
    # A link card's picture is uploaded within this many bytes (Bluesky's external embed);
    # None where the platform builds its own cards from the link (X, Mastodon, Threads).
    link_card_thumb_max_bytes: int | None = None
    # A thread is ONE post (LinkedIn has no replies): a longer text is refused with its
    # length, unless the account continues it (Overrides.parts_limit: LinkedIn's comments).
    one_post: bool = False
    post_options: PostOptionFacts = PostOptionFacts()


FACTS: Mapping[str, PlatformFacts] = {
    "x": PlatformFacts(
        "x",
        label="X",
        measure=Measure("characters", X_LIMIT, x_count, x_char_weights),
        media=MediaFacts(
            images_per_post=4,
            alt_text_limit=1000,
            max_bytes=5_000_000,
            id_lifetime_s=24 * 3600,  # an X media id expires after 24 h: upload again
        ),
        previewed_by_default=True,
        default_url="https://api.x.com",
        handle=HandleRule(
            compile_on_use(r"@[A-Za-z0-9_]{1,15}"), "@user: 1-15 letters, digits or _"
        ),
        settings={"daily_post_quota": "int", "client_id": "str", "replies": "replies"},
        # POST /2/tweets `reply_settings` (no value: everyone); no "nobody".
        post_options=PostOptionFacts(
            frozenset({"replies"}),
            replies={"everyone": "", "following": "following", "mentioned": "mentionedUsers"},
            closest={"nobody": "mentioned"},
        ),
        # One of two schemes, checked as a whole by the accounts file (check_x_auth).
        secrets=X_OAUTH1_KEYS + X_OAUTH2_SECRETS,
    ),
    "mastodon": PlatformFacts(
        "mastodon",
        label="Mastodon",
        # 500 is the default; an instance says its own (`max_characters` in the accounts file).
        measure=Measure("characters", 500, mastodon_count, mastodon_weights),
        media=MediaFacts(
            images_per_post=4,
            alt_text_limit=1500,
            server_may_differ=True,
            # Mastodon's defaults; the client reads the instance's own from /api/v2/instance.
            max_bytes=16 * 1024 * 1024,
            max_pixels=33_177_600,
        ),
        previewed_by_default=True,
        default_url=None,  # the account's own instance
        handle=HandleRule(
            compile_on_use(r"@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?@" + DOMAIN),
            "@user@domain, e.g. @hrw@mastodon.social",
        ),
        settings={
            "instance": "url",
            "max_characters": "int",
            "visibility": "visibility",
            "reply_visibility": "visibility",
            "language": "language",
        },
        # POST /api/v1/statuses `visibility`, `spoiler_text`, `language`.
        post_options=PostOptionFacts(
            frozenset({"language", "visibility", "reply_visibility", "content_warning"})
        ),
        secrets=("access_token",),
        required_settings=("instance",),
        required_secrets=("access_token",),
        url_setting="instance",
    ),
    "bluesky": PlatformFacts(
        "bluesky",
        label="Bluesky",
        measure=Measure("graphemes", 300, grapheme_count, grapheme_weights),
        extra_measures=(Measure("UTF-8 bytes", 3000, utf8_count, utf8_weights),),
        media=MediaFacts(
            images_per_post=4,
            alt_text_limit=2000,
            max_bytes=2_000_000,  # app.bsky.embed.images' blob limit
        ),
        previewed_by_default=True,
        default_url="https://bsky.social",
        handle=HandleRule(
            compile_on_use("@" + DOMAIN), "@handle.domain, e.g. @hrw.org or @name.bsky.social"
        ),
        settings={
            "service": "url",
            "link_card": "bool",
            "language": "language",
            "replies": "replies",
            "quotes": "quotes",
        },
        # Post records' `langs`; an app.bsky.feed.threadgate on the root (its allow rules;
        # none: nobody) and app.bsky.feed.postgate with a disableRule.
        post_options=PostOptionFacts(
            frozenset({"language", "replies", "quotes"}),
            replies={
                "everyone": "",
                "mentioned": "app.bsky.feed.threadgate#mentionRule",
                "following": "app.bsky.feed.threadgate#followingRule",
                "nobody": "nobody",
            },
        ),
        secrets=("app_password",),
        required_settings=("handle",),
        required_secrets=("app_password",),
        url_setting="service",
        link_card_thumb_max_bytes=1_000_000,  # app.bsky.embed.external's thumb blob limit
    ),
    "threads": PlatformFacts(
        "threads",
        label="Threads",
        # Emoji count as their UTF-8 bytes; at most five links a post (docs/PLATFORMS.md).
        measure=Measure("characters", 500, threads_count, threads_weights),
        extra_measures=(Measure("links", 5, link_count, link_weights),),
        media=MediaFacts(
            images_per_post=10, alt_text_limit=None, carousel=True, max_bytes=8 * 1024 * 1024
        ),
        default_url="https://graph.threads.net/v1.0",
        handle=HandleRule(
            compile_on_use(r"@[A-Za-z0-9._]{1,30}"), "@user: 1-30 letters, digits, . or _"
        ),
        # media_upload_cmd: uploads an image and prints its public URL (image posts need one).
        settings={"user_id": "str", "media_upload_cmd": "command", "replies": "replies"},
        # A media container's `reply_control`; no "nobody".
        post_options=PostOptionFacts(
            frozenset({"replies"}),
            replies={
                "everyone": "everyone",
                "following": "accounts_you_follow",
                "mentioned": "mentioned_only",
            },
            closest={"nobody": "mentioned"},
        ),
        secrets=("access_token",),
        required_settings=("user_id",),
        required_secrets=("access_token",),
    ),
    "linkedin": PlatformFacts(
        "linkedin",
        label="LinkedIn",
        # UTF-16 code units of the text as sent (little-format escapes included): the
        # conservative reading of "3000 characters". One post; a longer report is refused,
        # or continued in comments (`overflow`, LINKEDIN_COMMENT_LIMIT).
        measure=Measure("characters", 3000, utf16_count, utf16_weights),
        default_url="https://api.linkedin.com",
        handle=None,
        # author: urn:li:person:ID or urn:li:organization:ID; api_version: LinkedIn-Version.
        settings={"author": "urn", "overflow": "overflow", "api_version": "version"},
        secrets=("access_token",),
        required_settings=("author",),
        required_secrets=("access_token",),
        one_post=True,
    ),
}

PLATFORM_NAMES: tuple[str, ...] = tuple(FACTS)
DEFAULT_URLS: Mapping[str, str] = {
    name: facts.default_url for name, facts in FACTS.items() if facts.default_url
}
PREVIEW_PLATFORMS: tuple[str, ...] = tuple(n for n, f in FACTS.items() if f.previewed_by_default)
"""The platforms a draft is previewed on when neither its accounts nor `platforms` name one."""
CONTACT_PLATFORMS: tuple[str, ...] = tuple(name for name, f in FACTS.items() if f.handle)
"""The platforms an address-book entry may hold a handle for."""


def is_handle(text: str) -> bool:
    """Whether `text` is a handle the accounts file would accept on some platform."""
    return bool(handle_platforms(text))


def handle_platforms(text: str) -> tuple[str, ...]:
    """The platforms whose handle form `text` has: "@a@m.social" is Mastodon's only, "@hrw.org"
    Bluesky's (and Threads', whose names may hold dots), "@hrw" X's and Threads'."""
    return tuple(name for name, f in FACTS.items() if f.handle and f.handle.pattern.fullmatch(text))
