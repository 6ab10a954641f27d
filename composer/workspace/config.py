"""The accounts file (`accounts.toml`): accounts and their secrets, contacts, hashtag rules.

    [accounts.ank-x]
    platform = "x"
    handle = "@example"
    access_token_env = "X_ACCESS_TOKEN"      # or access_token_cmd = "pass show x/token"
    ...
    [contacts.hrw]
    name = "Human Rights Watch"
    x = "@hrw"
    [hashtags]
    terms = ["Kazakhstan", "Human Rights"]
    [defaults]
    timezone = "Asia/Almaty"

`accounts.example.toml` at the repository root documents every key. Every error is a
`ConfigError` whose message names the file, the line and the key. Secrets are read only
when asked for (`Account.secret(key)`), so commands that need no account (split, count,
schedule) never run a password manager or need environment variables; and no message,
repr or str ever holds a secret's value.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
import shlex
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from composer.text import MODES, PLATFORM_NAMES
from composer.text.numbering import Numbering, NumberingError
from composer.workspace.secrets import (
    COMMAND_TIMEOUT,
    ConfigError,
    Secret,
    SecretSource,
    resolve,
)

__all__ = [
    "COMMAND_TIMEOUT",
    "Account",
    "Config",
    "ConfigError",
    "Contact",
    "Defaults",
    "Hashtags",
    "Secret",
    "SecretSource",
    "load_config",
    "parse_config",
]

DEFAULT_CONFIG_NAME = "accounts.toml"
EXAMPLE_CONFIG_NAME = "accounts.example.toml"

DEFAULT_URLS: Mapping[str, str] = {
    "x": "https://api.x.com",
    "bluesky": "https://bsky.social",
    "threads": "https://graph.threads.net/v1.0",
    "linkedin": "https://api.linkedin.com",
}
VISIBILITIES = ("public", "unlisted", "private")
X_OAUTH1_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
X_OAUTH2_SECRETS = ("oauth2_access_token", "oauth2_refresh_token", "client_secret")

_TOP_KEYS = ("accounts", "contacts", "hashtags", "defaults")
_COMMON_KEYS = ("platform", "handle", "base_url", "slots")
# Plain (non-secret) settings per platform and how to check them.
_Kind = Literal["str", "url", "int", "visibility", "language"]
_SETTINGS: Mapping[str, Mapping[str, _Kind]] = {
    "x": {"daily_post_quota": "int", "client_id": "str"},
    "mastodon": {
        "instance": "url",
        "max_characters": "int",
        "reply_visibility": "visibility",
        "language": "language",
    },
    "bluesky": {"service": "url"},
    "threads": {"user_id": "str"},
    "linkedin": {},
}
_SECRETS: Mapping[str, tuple[str, ...]] = {
    "x": X_OAUTH1_KEYS + X_OAUTH2_SECRETS,
    "mastodon": ("access_token",),
    "bluesky": ("app_password",),
    "threads": ("access_token",),
    "linkedin": (),
}
_REQUIRED_SETTINGS: Mapping[str, tuple[str, ...]] = {
    "mastodon": ("instance",),
    "bluesky": ("handle",),
    "threads": ("user_id",),
}
_REQUIRED_SECRETS: Mapping[str, tuple[str, ...]] = {
    "mastodon": ("access_token",),
    "bluesky": ("app_password",),
    "threads": ("access_token",),
}
CONTACT_PLATFORMS = ("x", "mastodon", "bluesky", "threads")
_CONTACT_KEYS = ("name", *CONTACT_PLATFORMS)
_HASHTAG_KEYS = ("terms", "always")
_DEFAULT_KEYS = ("timezone", "numbering", "mode")

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = rf"(?:{_LABEL}\.)+[A-Za-z](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?"
_HANDLE_RULES: Mapping[str, tuple[re.Pattern[str], str]] = {
    "x": (re.compile(r"@[A-Za-z0-9_]{1,15}"), "@user: 1-15 letters, digits or _"),
    "mastodon": (
        re.compile(r"@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?@" + _DOMAIN),
        "@user@domain, e.g. @hrw@mastodon.social",
    ),
    "bluesky": (re.compile("@" + _DOMAIN), "@handle.domain, e.g. @hrw.org or @name.bsky.social"),
    "threads": (re.compile(r"@[A-Za-z0-9._]{1,30}"), "@user: 1-30 letters, digits, . or _"),
}


def is_handle(text: str) -> bool:
    """Whether `text` is a handle the accounts file would accept on some platform."""
    return bool(handle_platforms(text))


def handle_platforms(text: str) -> tuple[str, ...]:
    """The platforms whose handle form `text` has: "@a@m.social" is Mastodon's only, "@hrw.org"
    Bluesky's (and Threads', whose names may hold dots), "@hrw" X's and Threads'."""
    return tuple(p for p, (pattern, _) in _HANDLE_RULES.items() if pattern.fullmatch(text))


_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)"
# A queue slot: days (a range, a list, "daily" or "weekdays") and a local time.
SLOT = re.compile(
    rf"(?i:(?:daily|weekdays|weekends|{_DAY}(?:-{_DAY})?(?:,{_DAY}(?:-{_DAY})?)*))"
    r"\s+(?:[01]\d|2[0-3]):[0-5]\d"
)
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)")
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER_LINE = re.compile(rf"\s*\[\[?\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?")
_KEY_LINE = re.compile(rf"\s*({_DOTTED})\s*=")


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
    client_id: str | None = None  # x, OAuth 2.0
    daily_post_quota: int | None = None  # x
    max_characters: int | None = None  # mastodon override of the instance's limit
    reply_visibility: str = "public"  # mastodon: visibility of posts 2..n
    slots: tuple[str, ...] = ()  # posting times for schedule --next-slot: "Mon-Fri 09:00"
    language: str | None = None  # mastodon
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
        if self.platform == "mastodon" and self.instance:
            return self.instance
        if self.platform == "bluesky" and self.service:
            return self.service
        return DEFAULT_URLS.get(self.platform, "")

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
        where = f"{self.source}:{{line}}: accounts.{_quote_key(self.name)}"
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


@dataclass(frozen=True)
class Config:
    """The parsed accounts file."""

    path: Path | None = None
    accounts: Mapping[str, Account] = field(default_factory=dict)
    contacts: Mapping[str, Contact] = field(default_factory=dict)
    hashtags: Hashtags = field(default_factory=Hashtags)
    defaults: Defaults = field(default_factory=Defaults)

    @property
    def name(self) -> str:
        return str(self.path) if self.path else DEFAULT_CONFIG_NAME

    def account(self, name: str) -> Account:
        """The account called `name`; ConfigError listing the known accounts otherwise."""
        try:
            return self.accounts[name]
        except KeyError:
            known = ", ".join(self.accounts) or "none: add an [accounts.NAME] table"
            hint = _suggest(name, list(self.accounts))
            raise ConfigError(
                f"{self.name}: unknown account {name!r}{hint}; known accounts: {known}"
            ) from None

    def contact(self, name: str) -> Contact:
        """The contact called `name`; ConfigError listing the known contacts otherwise."""
        try:
            return self.contacts[name]
        except KeyError:
            known = ", ".join(self.contacts) or "none: add a [contacts.NAME] table"
            hint = _suggest(name, list(self.contacts))
            raise ConfigError(
                f"{self.name}: unknown contact {name!r}{hint}; known contacts: {known}"
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


# --------------------------------------------------------------------------- loading


def load_config(path: Path | str, *, command_timeout: float = COMMAND_TIMEOUT) -> Config:
    """Read and check the accounts file. Secrets are not read here (see Account.secret)."""
    path = Path(path)
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{name}: no such file; create it from the example: "
            f"cp {EXAMPLE_CONFIG_NAME} {name}  (then fill in your accounts)"
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"{name} is a folder, not an accounts file") from None
    except OSError as error:
        raise ConfigError(f"cannot read {name}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{name} is not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None
    return parse_config(text, name=name, path=path, command_timeout=command_timeout)


def parse_config(
    text: str,
    *,
    name: str = DEFAULT_CONFIG_NAME,
    path: Path | None = None,
    command_timeout: float = COMMAND_TIMEOUT,
) -> Config:
    """Parse the text of an accounts file. Inline secrets need `path` (its mode is checked)."""
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ConfigError(f"{name}: invalid TOML: values nested too deeply") from None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _TOML_POSITION.search(message)
        reason = _TOML_POSITION.sub("", message).strip() or "invalid TOML"
        lineno = getattr(error, "lineno", None)  # Python 3.14+
        if lineno:
            line, column = str(lineno), f" (column {getattr(error, 'colno', '?')})"
        elif found and found.group(1):
            line, column = found.group(1), f" (column {found.group(2)})"
        else:
            line, column = str(max(1, len(text.splitlines()))), " (at the end of the file)"
        raise ConfigError(f"{name}:{line}: invalid TOML: {reason}{column}") from None
    return _Loader(text, name, path, command_timeout).load(data)


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line (1-based) where each table and key path of a TOML text is first written.

    Table headers register every prefix of their path; `key = ...` lines register the
    current table's path plus the (possibly dotted) key. Keys inside inline tables are not
    found: ask `line_of` and it falls back to the nearest enclosing path.
    """
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2:
                in_multiline = None
            continue
        header = _HEADER_LINE.fullmatch(line)
        if header:
            table = _parse_key(header.group(1)) or table
            for end in range(1, len(table) + 1):
                found.setdefault(table[:end], number)
            continue
        key = _KEY_LINE.match(line)
        if key:
            parts = _parse_key(key.group(1))
            if parts:
                for end in range(1, len(parts) + 1):
                    found.setdefault(table + parts[:end], number)
            rest = line[key.end() :]
            for quotes in ('"""', "'''"):
                if rest.count(quotes) % 2:
                    in_multiline = quotes
                    break
    return found


def line_of(lines: Mapping[tuple[str, ...], int], path: Sequence[str]) -> int:
    """The line of `path`, or of its nearest enclosing path that is written out; else 1."""
    keys = tuple(path)
    while keys:
        if keys in lines:
            return lines[keys]
        keys = keys[:-1]
    return 1


def _parse_key(text: str) -> tuple[str, ...]:
    try:
        nested: Any = tomllib.loads(f"{text} = 0")
    except tomllib.TOMLDecodeError:
        return ()
    parts: list[str] = []
    while isinstance(nested, dict) and len(nested) == 1:
        (key, nested), *_ = nested.items()
        parts.append(key)
    return tuple(parts)


def _quote_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else '"' + key.replace('"', '\\"') + '"'


def _dotted(path: Sequence[str]) -> str:
    return ".".join(_quote_key(part) for part in path)


def _suggest(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _account_keys(platform: str) -> list[str]:
    keys = [*_COMMON_KEYS, *_SETTINGS[platform]]
    for secret in _SECRETS[platform]:
        keys += [f"{secret}_env", f"{secret}_cmd", secret]
    return keys


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(value: str) -> str | None:
    """The URL without a trailing "/", or None when it is not acceptable."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
        return None
    if parts.query or parts.fragment:
        return None
    if parts.scheme == "http" and not _loopback(host):
        return None
    return value.rstrip("/")


class _Loader:
    def __init__(self, text: str, name: str, path: Path | None, command_timeout: float) -> None:
        self.name = name
        self.path = path
        self.lines = key_lines(text)
        self.command_timeout = command_timeout
        self._mode: int | None = None

    # -- errors

    def fail(self, table: Sequence[str], message: str, key: str | None = None) -> NoReturn:
        path = (*table, key) if key is not None else tuple(table)
        line = line_of(self.lines, path)
        where = f"{_dotted(table)}: " if table else ""
        raise ConfigError(f"{self.name}:{line}: {where}{message}")

    def check_keys(
        self,
        table: Sequence[str],
        values: Mapping[str, Any],
        known: Sequence[str],
        elsewhere: Mapping[str, str] | None = None,
    ) -> None:
        for key in values:
            if key in known:
                continue
            hint = _suggest(key, known)
            if not hint and elsewhere and key in elsewhere:
                hint = f" ({key!r} is a key of {elsewhere[key]})"
            self.fail(table, f"unknown key {key!r}{hint}", key)

    def table(self, path: Sequence[str], value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path[:-1], f"{path[-1]!r} must be a table ([{_dotted(path)}])", path[-1])
        return value

    def string(self, table: Sequence[str], values: Mapping[str, Any], key: str) -> str | None:
        value = values.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(table, f"{key} must be a non-empty string, not {value!r}", key)
        return value.strip()

    # -- the file

    def load(self, data: Mapping[str, Any]) -> Config:
        self.check_keys((), data, _TOP_KEYS)
        accounts = self.table(("accounts",), data.get("accounts", {}))
        contacts = self.table(("contacts",), data.get("contacts", {}))
        for section, names in (("accounts", accounts), ("contacts", contacts)):
            for name in names:  # names are printed everywhere: never a terminal control
                if _UNPRINTABLE.search(name):
                    self.fail((section,), f"the name {name!r} holds a control character")
        return Config(
            path=self.path,
            accounts={
                name: self.account(name, self.table(("accounts", name), value))
                for name, value in accounts.items()
            },
            contacts={
                name: self.contact(name, self.table(("contacts", name), value))
                for name, value in contacts.items()
            },
            hashtags=self.hashtags(self.table(("hashtags",), data.get("hashtags", {}))),
            defaults=self.defaults(self.table(("defaults",), data.get("defaults", {}))),
        )

    def account(self, name: str, values: dict[str, Any]) -> Account:
        where = ("accounts", name)
        platform = values.get("platform")
        if platform is None:
            self.fail(where, f"missing key 'platform' (one of {', '.join(PLATFORM_NAMES)})")
        if not isinstance(platform, str) or platform.strip().lower() not in PLATFORM_NAMES:
            self.fail(
                where,
                f"unknown platform {platform!r}{_platform_hint(platform)}: "
                f"choose one of {', '.join(PLATFORM_NAMES)}",
                "platform",
            )
        platform = platform.strip().lower()
        elsewhere = {
            key: f"{other} accounts"
            for other in reversed(PLATFORM_NAMES)
            for key in _account_keys(other)
        }
        self.check_keys(where, values, _account_keys(platform), elsewhere)

        settings: dict[str, Any] = {}
        handle = self.string(where, values, "handle")
        if handle is not None:
            settings["handle"] = self.account_handle(where, platform, handle)
        base_url = self.string(where, values, "base_url")
        if base_url is not None:
            settings["base_url"] = self.url(where, "base_url", base_url)
        if "slots" in values:
            slots = self.string_list(where, values, "slots")
            for slot in slots:
                if not SLOT.fullmatch(slot.strip()):
                    self.fail(
                        where,
                        f"bad slot {slot!r}: write days and a time, like 'Mon-Fri 09:00', "
                        "'Sat,Sun 11:30' or 'daily 17:00'",
                        "slots",
                    )
            settings["slots"] = tuple(slot.strip() for slot in slots)
        for key, kind in _SETTINGS[platform].items():
            if key not in values:
                continue
            value = values[key]
            if kind == "url":
                settings[key] = self.url(where, key, self.string(where, values, key) or "")
            elif kind == "int":
                if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                    self.fail(where, f"{key} must be a positive integer, not {value!r}", key)
                settings[key] = value
            elif kind == "visibility":
                if value not in VISIBILITIES:
                    self.fail(
                        where,
                        f"{key} must be one of {', '.join(VISIBILITIES)}, not {value!r}",
                        key,
                    )
                settings[key] = value
            elif kind == "language":
                if not isinstance(value, str) or not _LANGUAGE.fullmatch(value):
                    self.fail(where, f"{key} must be an ISO 639 code like 'en', not {value!r}", key)
                settings[key] = value
            elif key == "user_id" and isinstance(value, int) and not isinstance(value, bool):
                settings[key] = str(value)
            else:
                settings[key] = self.string(where, values, key)
        if platform == "bluesky":
            settings.setdefault("service", DEFAULT_URLS["bluesky"])
        for key in _REQUIRED_SETTINGS.get(platform, ()):
            if key not in settings:
                self.fail(where, f"missing key {key!r} for a {platform} account")

        sources = {
            secret: source
            for secret in _SECRETS[platform]
            if (source := self.secret_source(where, values, secret)) is not None
        }
        missing = [key for key in _REQUIRED_SECRETS.get(platform, ()) if key not in sources]
        if missing:
            self.fail(where, f"missing secret {_secret_choices(missing[0])}")
        if platform == "x":
            self.check_x_auth(where, sources, settings.get("client_id"))

        return Account(
            name=name,
            platform=platform,
            secret_sources=sources,
            source=self.name,
            line=line_of(self.lines, where),
            command_timeout=self.command_timeout,
            **settings,
        )

    def account_handle(self, where: Sequence[str], platform: str, handle: str) -> str:
        if platform == "bluesky":
            bare = handle.removeprefix("@")
            if bare.startswith("did:") or re.fullmatch(_DOMAIN, bare):
                return bare
            self.fail(
                where,
                f"bad bluesky handle {handle!r}: use a domain-like handle, "
                "e.g. example.bsky.social",
                "handle",
            )
        if platform == "mastodon" and re.fullmatch(r"@?[A-Za-z0-9_.-]+", handle):
            return "@" + handle.removeprefix("@")
        if platform in _HANDLE_RULES:
            return self.handle(where, platform, handle, "handle")
        return handle

    def handle(self, where: Sequence[str], platform: str, value: str, key: str) -> str:
        pattern, rule = _HANDLE_RULES[platform]
        handle = value if value.startswith("@") else "@" + value
        if not pattern.fullmatch(handle):
            self.fail(where, f"bad {platform} handle {value!r} for {key!r}: use {rule}", key)
        return handle

    def url(self, where: Sequence[str], key: str, value: str) -> str:
        checked = _check_url(value)
        if checked is None:
            if re.match(r"(?i)http://", value):
                reason = "http:// is accepted only for loopback hosts (127.0.0.1, ::1, localhost)"
            else:
                reason = "use an https:// URL with a host and no user, query or fragment"
            shown = value if "@" not in value else "<URL with credentials>"
            self.fail(where, f"{key} {shown!r}: {reason}", key)
        return checked

    def secret_source(
        self, where: Sequence[str], values: Mapping[str, Any], secret: str
    ) -> SecretSource | None:
        given = [key for key in (f"{secret}_env", f"{secret}_cmd", secret) if key in values]
        if not given:
            return None
        if len(given) > 1:
            self.fail(where, f"give {secret!r} once, not as {' and '.join(given)}", given[1])
        key = given[0]
        value = values[key]
        line = line_of(self.lines, (*where, key))
        if not isinstance(value, str) or not value.strip():
            # Never echo a secret's value, even a malformed one.
            self.fail(where, f"{key} must be a non-empty string", key)
        if key == secret:
            self.check_private(where, secret)
            return SecretSource(secret, "inline", "", line, Secret(value))
        if key.endswith("_env"):
            if not _ENV_NAME.fullmatch(value.strip()):
                self.fail(where, f"{key} must name an environment variable, not {value!r}", key)
            return SecretSource(secret, "env", value.strip(), line)
        try:
            argv = shlex.split(value)
        except ValueError as error:
            self.fail(where, f"{key}: cannot parse the command ({error})", key)
        if not argv:
            self.fail(where, f"{key} must be a command", key)
        return SecretSource(secret, "cmd", value.strip(), line)

    def check_private(self, where: Sequence[str], secret: str) -> None:
        if os.name != "posix":
            return
        if self.path is None:
            self.fail(
                where,
                f"inline secret {secret!r} is accepted only from a file readable by its owner "
                f'alone; use {secret}_env = "VAR" or {secret}_cmd = "..."',
                secret,
            )
        if self._mode is None:
            self._mode = self.path.stat().st_mode & 0o777
        if self._mode & 0o077:
            self.fail(
                where,
                f"inline secret {secret!r} in a file that others can read "
                f"(mode {self._mode:04o}): run `chmod 600 {self.name}`, or give it as "
                f'{secret}_env = "VAR" (an environment variable) or {secret}_cmd = "..." '
                "(a command that prints it, e.g. a password manager)",
                secret,
            )

    def check_x_auth(
        self, where: Sequence[str], sources: Mapping[str, SecretSource], client_id: str | None
    ) -> None:
        oauth1 = [key for key in X_OAUTH1_KEYS if key in sources]
        oauth2 = [key for key in X_OAUTH2_SECRETS if key in sources]
        if client_id:
            oauth2.append("client_id")
        if oauth1 and oauth2:
            self.fail(
                where,
                "give one X auth scheme, not both: OAuth 1.0a "
                f"({', '.join(X_OAUTH1_KEYS)}) or OAuth 2.0 (oauth2_access_token, "
                f"optional oauth2_refresh_token with client_id); found {', '.join(oauth1)} "
                f"and {', '.join(oauth2)}",
                oauth2[0] if oauth2[0] == "client_id" else sources[oauth2[0]].config_key,
            )
        if oauth1:
            missing = [key for key in X_OAUTH1_KEYS if key not in sources]
            if missing:
                self.fail(
                    where,
                    "incomplete X OAuth 1.0a credentials: missing "
                    + ", ".join(_secret_choices(key) for key in missing),
                )
            return
        if not oauth2:
            self.fail(
                where,
                "no X credentials: give OAuth 1.0a keys ("
                + ", ".join(f"{key}_env" for key in X_OAUTH1_KEYS)
                + ") or an OAuth 2.0 user token (oauth2_access_token_env)",
            )
        missing = [] if "oauth2_access_token" in sources else ["oauth2_access_token"]
        if "oauth2_refresh_token" in sources and not client_id:
            missing.append("client_id")
        if missing:
            self.fail(
                where,
                "incomplete X OAuth 2.0 credentials: missing "
                + ", ".join(
                    "client_id (needed to refresh the token)"
                    if key == "client_id"
                    else _secret_choices(key)
                    for key in missing
                ),
            )

    def contact(self, key: str, values: dict[str, Any]) -> Contact:
        where = ("contacts", key)
        self.check_keys(where, values, _CONTACT_KEYS)
        name = self.string(where, values, "name")
        if name is None:
            self.fail(where, "missing key 'name' (the display name, used where there is no handle)")
        handles: dict[str, str] = {}
        for platform in CONTACT_PLATFORMS:
            value = values.get(platform)
            if value is None:
                continue
            if not isinstance(value, str) or not value.strip():
                self.fail(where, f"{platform} must be a handle string, not {value!r}", platform)
            handles[platform] = self.handle(where, platform, value.strip(), platform)
        return Contact(key, name, handles)

    def hashtags(self, values: dict[str, Any]) -> Hashtags:
        where = ("hashtags",)
        self.check_keys(where, values, _HASHTAG_KEYS)
        terms = self.string_list(where, values, "terms")
        always: list[str] = []
        for tag in self.string_list(where, values, "always"):
            bare = tag.removeprefix("#")
            if not re.fullmatch(r"\w+", bare) or bare.isdigit():
                self.fail(
                    where,
                    f"always: bad hashtag {tag!r}: letters, digits and _ only, not all digits",
                    "always",
                )
            always.append(bare)
        return Hashtags(tuple(terms), tuple(always))

    def string_list(self, where: Sequence[str], values: Mapping[str, Any], key: str) -> list[str]:
        value = values.get(key, [])
        if not isinstance(value, list):
            self.fail(where, f"{key} must be a list of strings, not {value!r}", key)
        seen: set[str] = set()
        items: list[str] = []
        for item in value:
            if not isinstance(item, str) or not item.strip():
                self.fail(where, f"{key}: every item must be a non-empty string, not {item!r}", key)
            folded = item.strip().removeprefix("#").casefold()
            if folded in seen:
                self.fail(where, f"{key}: {item!r} is listed twice", key)
            seen.add(folded)
            items.append(item.strip())
        return items

    def defaults(self, values: dict[str, Any]) -> Defaults:
        where = ("defaults",)
        self.check_keys(where, values, _DEFAULT_KEYS)
        timezone = self.string(where, values, "timezone")
        if timezone is not None:
            try:
                ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError):
                self.fail(
                    where,
                    f"unknown time zone {timezone!r}: use an IANA name like 'Asia/Almaty'",
                    "timezone",
                )
        numbering = self.string(where, values, "numbering")
        if numbering is not None:
            try:
                Numbering.parse(numbering)
            except NumberingError as error:
                self.fail(where, str(error), "numbering")
        mode = self.string(where, values, "mode")
        if mode is not None and mode not in MODES:
            self.fail(
                where,
                f"mode must be one of {', '.join(MODES)}, not {mode!r}{_suggest(mode, MODES)}",
                "mode",
            )
        return Defaults(timezone, numbering, mode)


def _platform_hint(value: object) -> str:
    if str(value).strip().lower() == "twitter":
        return " (did you mean 'x'?)"
    return _suggest(str(value).strip().lower(), PLATFORM_NAMES)


def _secret_choices(key: str) -> str:
    return f"{key} ({key}_env, {key}_cmd or an inline {key})"
