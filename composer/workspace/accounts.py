"""The accounts file as data: accounts (secrets read only when asked), contacts, hashtags,
defaults. Reading and checking the file is `composer.workspace.config` (`load_config`); the
checks themselves are in `composer.workspace.config_checks`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from composer.text.options import PostOptions
from composer.text.platform_facts import DEFAULT_URLS, FACTS, PLATFORM_NAMES
from composer.workspace.media_upload import run_media_upload
from composer.workspace.secrets import (
    COMMAND_TIMEOUT,
    ConfigError,
    Secret,
    SecretSource,
    resolve,
)
from composer.workspace.toml_lines import quote_key, suggest

if TYPE_CHECKING:  # imported only by a file with a [notify] table: `split` starts fast
    from composer.workspace.notify_config import NotifySettings

__all__ = [
    "DEFAULT_CONFIG_NAME",
    "EXAMPLE_CONFIG_NAME",
    "Account",
    "Config",
    "Contact",
    "Defaults",
    "Hashtags",
]

DEFAULT_CONFIG_NAME = "accounts.toml"
EXAMPLE_CONFIG_NAME = "accounts.example.toml"


@dataclass(frozen=True, eq=False, repr=False)
class Account:
    """One publishing account. Its secrets are read only when `secret()` is called."""

    name: str
    platform: str
    handle: str | None = None
    base_url: str | None = None
    instance: str | None = None  # mastodon
    service: str | None = None  # bluesky (PDS), default https://bsky.social
    user_id: str | None = None  # threads
    media_upload_cmd: str | None = None  # threads: uploads an image file, prints its URL
    client_id: str | None = None  # x, OAuth 2.0
    daily_post_quota: int | None = None  # x
    max_characters: int | None = None  # mastodon override of the instance's limit
    # Publishing options (composer.text.options), the account's defaults under a draft's.
    visibility: str | None = None  # mastodon: the first post
    reply_visibility: str | None = None  # mastodon: posts 2..n
    slots: tuple[str, ...] = ()  # posting times for schedule --next-slot: "Mon-Fri 09:00"
    language: str | None = None  # mastodon, bluesky
    replies: str | None = None  # x, bluesky, threads: who may reply
    quotes: bool | str | None = None  # bluesky: true | false | "none"
    author: str | None = None  # linkedin: urn:li:person:ID or urn:li:organization:ID
    overflow: str = "refuse"  # linkedin: a report longer than one post: refuse | comments
    api_version: str | None = None  # linkedin: the LinkedIn-Version header (YYYYMM)
    alt_text_required: bool | None = None  # images need alt text unless False (a draft wins)
    link_card: bool | None = None  # bluesky: a post's first link gets a card unless False
    notify: NotifySettings | None = None  # [accounts.NAME.notify], over the file's [notify]
    secret_sources: Mapping[str, SecretSource] = field(default_factory=dict)
    source: str = DEFAULT_CONFIG_NAME
    line: int = 1
    command_timeout: float = COMMAND_TIMEOUT
    _cache: dict[str, Secret] = field(default_factory=dict)
    _failures: dict[str, ConfigError] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        """Where API requests go: base_url if given, else the platform's own address."""
        if self.base_url:
            return self.base_url
        facts = FACTS.get(self.platform)
        own = getattr(self, facts.url_setting) if facts and facts.url_setting else None
        if own:
            return str(own)
        return DEFAULT_URLS.get(self.platform, "")

    @property
    def post_options(self) -> PostOptions:
        """The publishing options this account sets for its editions (a draft's win)."""
        return PostOptions.from_mapping(
            {
                "visibility": self.visibility,
                "reply_visibility": self.reply_visibility,
                "language": self.language,
                "replies": self.replies,
                "quotes": self.quotes,
            }
        )

    @property
    def x_auth(self) -> Literal["oauth1", "oauth2"] | None:
        """Which X auth scheme the account uses (None for other platforms)."""
        if self.platform != "x":
            return None
        return "oauth1" if "consumer_key" in self.secret_sources else "oauth2"

    def has_secret(self, key: str) -> bool:
        return key in self.secret_sources

    def secret(self, key: str, *, timeout: float | None = None) -> str:
        """The secret's value, from its environment variable, command or the file.

        ConfigError (naming the account, the key and the variable or command, never the
        value) when the variable is unset, the command fails or the key is not configured.
        """
        return self.secret_value(key, timeout=timeout).reveal()

    def secret_value(self, key: str, *, timeout: float | None = None) -> Secret:
        """Like `secret()`, wrapped in a `Secret` so it cannot be printed by mistake."""
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        where = f"{self.source}:{{line}}: accounts.{quote_key(self.name)}"
        source = self.secret_sources.get(key)
        if source is None:
            known = ", ".join(self.secret_sources) or "none"
            raise ConfigError(
                where.format(line=self.line) + f": no secret {key!r} is configured "
                f'(configured: {known}); add {key}_env = "VAR" or {key}_cmd = "..."'
            )
        failed = self._failures.get(key)
        if failed is not None:
            raise ConfigError(str(failed))  # a failing command is not run again
        try:
            value = resolve(
                source,
                where.format(line=source.line),
                self.command_timeout if timeout is None else timeout,
            )
        except ConfigError as error:
            self._failures[key] = error
            raise
        self._cache[key] = value
        return value

    def upload_media_file(self, path: str) -> str:
        """The public https:// URL of the image file at `path`, uploaded by the account's
        `media_upload_cmd` (see composer.workspace.media_upload); ConfigError (one line)
        when there is none or it fails."""
        where = f"{self.source}:{self.line}: accounts.{quote_key(self.name)}: media_upload_cmd"
        if not self.media_upload_cmd:
            raise ConfigError(
                f"{where}: not set; give a command that uploads a file and prints its URL"
            )
        return run_media_upload(self.media_upload_cmd, path, where)

    def __repr__(self) -> str:
        secrets = ", ".join(repr(s) for s in self.secret_sources.values())
        handle = f", handle={self.handle!r}" if self.handle else ""
        return (
            f"Account(name={self.name!r}, platform={self.platform!r}{handle}, "
            f"api_url={self.api_url!r}, secrets=[{secrets}])"
        )

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class Contact:
    """An entry of the address book: a display name and a handle per platform."""

    key: str
    name: str
    handles: Mapping[str, str] = field(default_factory=dict)

    def handle(self, platform: str) -> str | None:
        return self.handles.get(platform)


@dataclass(frozen=True, slots=True)
class Hashtags:
    """`terms` become hashtags at their first occurrence; `always` tags (no "#") are added."""

    terms: tuple[str, ...] = ()
    always: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Defaults:
    timezone: str | None = None
    numbering: str | None = None
    mode: str | None = None


_Named = TypeVar("_Named", Account, Contact)


@dataclass(frozen=True)
class Config:
    """The parsed accounts file."""

    path: Path | None = None
    accounts: Mapping[str, Account] = field(default_factory=dict)
    contacts: Mapping[str, Contact] = field(default_factory=dict)
    hashtags: Hashtags = field(default_factory=Hashtags)
    defaults: Defaults = field(default_factory=Defaults)
    notify: NotifySettings | None = None  # [notify]

    def notify_for(self, account: str) -> NotifySettings | None:
        """Where `account`'s notifications go: its own [accounts.NAME.notify] completed by
        the file's [notify]; None when neither gives URLs (or the account is unknown)."""
        own = self.accounts[account].notify if account in self.accounts else None
        settings = own.merged(self.notify) if own is not None else self.notify
        return settings if settings is not None and settings.has_urls else None

    def all_notify(self) -> list[NotifySettings]:
        """Every distinct table that gives notification URLs: the file's, the accounts'."""
        found = [self.notify] if self.notify is not None and self.notify.has_urls else []
        for account in self.accounts.values():
            if account.notify is not None and account.notify.has_urls:
                found.append(account.notify)
        return found

    @property
    def name(self) -> str:
        return str(self.path) if self.path else DEFAULT_CONFIG_NAME

    def account(self, name: str) -> Account:
        """The account called `name`; ConfigError listing the known accounts otherwise."""
        return self._named(self.accounts, name, "account", "an [accounts.NAME] table")

    def contact(self, name: str) -> Contact:
        """The contact called `name`; ConfigError listing the known contacts otherwise."""
        return self._named(self.contacts, name, "contact", "a [contacts.NAME] table")

    def _named(self, table: Mapping[str, _Named], name: str, kind: str, how_to_add: str) -> _Named:
        """`table[name]`; else one line naming the file, a likely spelling and the known names."""
        try:
            return table[name]
        except KeyError:
            known = ", ".join(table) or f"none: add {how_to_add}"
            hint = suggest(name, list(table))
            raise ConfigError(
                f"{self.name}: unknown {kind} {name!r}{hint}; known {kind}s: {known}"
            ) from None

    def contact_with_handle(self, handle: str) -> Contact | None:
        """The contact that has `handle` (any case) on some platform, if any."""
        folded = handle.casefold()
        for contact in self.contacts.values():
            if any(h.casefold() == folded for h in contact.handles.values()):
                return contact
        return None

    def mentions_for(
        self, contact_names: Sequence[str], platform: str
    ) -> tuple[list[str], list[str]]:
        """The text to insert for each contact on `platform`, and warnings.

        A contact with no handle on the platform is written as its plain name, with a
        warning. Unknown contact names raise ConfigError listing the known ones.
        """
        if platform not in PLATFORM_NAMES:
            raise ConfigError(
                f"unknown platform {platform!r}: choose one of {', '.join(PLATFORM_NAMES)}"
            )
        mentions: list[str] = []
        warnings: list[str] = []
        for key in contact_names:
            contact = self.contact(key)
            handle = contact.handle(platform)
            if handle:
                mentions.append(handle)
            else:
                mentions.append(contact.name)
                warnings.append(
                    f'contact {key!r} has no {platform} handle: using the name "{contact.name}"'
                )
        return mentions, warnings
