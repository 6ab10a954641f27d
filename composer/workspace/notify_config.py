"""The accounts file's `[notify]` table (and `[accounts.NAME.notify]`): where failure
notifications go and for which events.

    [notify]
    urls = ["mailto://comms@example.org"]   # or urls_env = "VAR", or urls_cmd = "pass show ntfy"
    events = ["failed", "missed", "stopped", "retrying"]   # the default; "published" optional

Notification URLs are Apprise URLs and usually hold a token (`tgram://BOT_TOKEN/CHAT`), so
they are secrets: given inline only in a file its owner alone can read, or from an
environment variable or a command (both may give several URLs, separated by spaces,
commas or lines); every URL read is registered with `composer.redaction` (the whole URL
and its user, password, path and query parts) and shown only through `masked`. Loading
the file checks each URL's form; whether Apprise knows its scheme is checked where
Apprise is imported (`composer.notify`: the daemon's start, `notify test`, `check`),
because importing Apprise at every start would slow `split` down.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from composer.redaction import register_secret
from composer.workspace.file_checks import SecretsFileChecker
from composer.workspace.secrets import ConfigError, command_output, env_value
from composer.workspace.toml_lines import dotted, line_of, suggest

__all__ = [
    "DEFAULT_EVENTS",
    "EVENTS",
    "NotifySettings",
    "NotifyUrl",
    "check_notify",
    "masked",
]

EVENTS = ("failed", "missed", "stopped", "retrying", "published")
DEFAULT_EVENTS = frozenset(EVENTS) - {"published"}
NOTIFY_KEYS = ("urls", "urls_env", "urls_cmd", "events")

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
_SEPARATORS = re.compile(r"[\s,]+")
_SECRET_PART = 6  # path and query parts this long or longer are treated as tokens


@dataclass(frozen=True, slots=True)
class NotifyUrl:
    """One notification URL and where it was written (for an error naming its line)."""

    url: str
    where: str  # "accounts.toml:12: notify: urls"

    def __repr__(self) -> str:
        return f"NotifyUrl({masked(self.url)!r})"

    __str__ = __repr__


@dataclass(frozen=True, eq=False, repr=False)
class NotifySettings:
    """Where one table's notifications go (`urls` read only when asked) and for which
    events. `None` fields of an account's table fall back to the file's `[notify]`."""

    where: str  # "accounts.toml:12: notify"
    events: frozenset[str] | None = None
    inline: tuple[str, ...] | None = None
    env: str | None = None
    command: str | None = None
    command_timeout: float = 10.0
    urls_where: str = ""  # "accounts.toml:13: notify: urls_env": where the URLs are given
    _read: list[list[NotifyUrl]] = field(default_factory=list)  # the URLs, once read

    @property
    def has_urls(self) -> bool:
        return self.inline is not None or self.env is not None or self.command is not None

    def urls(self) -> list[NotifyUrl]:
        """The URLs, read from the file, the variable or the command; each registered for
        redaction. ConfigError (one line naming the file, line and key) when the variable is
        unset, the command fails or a URL is malformed. Read once (a command runs once)."""
        if not self._read:
            self._read.append(self._urls())
        return list(self._read[0])

    def _urls(self) -> list[NotifyUrl]:
        if self.inline is not None:
            texts, label = list(self.inline), self.urls_where
        elif self.env is not None:
            label = self.urls_where
            value = env_value(self.env, label, "notification URLs")
            texts = _SEPARATORS.split(value.strip())
        elif self.command is not None:
            label = self.urls_where
            output = command_output(
                shlex.split(self.command),
                label,
                self.command,
                self.command_timeout,
                waiting="is the password manager waiting for a passphrase?",
                limit=65536,
            )
            texts = [text for text in _SEPARATORS.split(output.strip()) if text]
            if not texts:
                raise ConfigError(f"{label}: command {self.command!r} printed no URL")
        else:
            return []
        urls: list[NotifyUrl] = []
        for index, text in enumerate(texts, 1):
            register_url(text)
            if not _URL.fullmatch(text) or _control(text):
                raise ConfigError(
                    f"{label}: URL {index} is not a notification URL (scheme://...); "
                    "see https://github.com/caronc/apprise/wiki for the forms"
                )
            urls.append(NotifyUrl(text, label))
        return urls

    def merged(self, base: NotifySettings | None) -> NotifySettings:
        """This account table's settings, completed by the file's `[notify]` (`base`)."""
        if base is None:
            return self
        own_urls = self.has_urls
        return NotifySettings(
            where=self.where if own_urls else base.where,
            events=self.events if self.events is not None else base.events,
            inline=self.inline if own_urls else base.inline,
            env=self.env if own_urls else base.env,
            command=self.command if own_urls else base.command,
            command_timeout=self.command_timeout,
            urls_where=self.urls_where if own_urls else base.urls_where,
        )

    def __repr__(self) -> str:  # never the inline URLs: they hold tokens
        source = (
            f"{len(self.inline)} inline URL(s)"
            if self.inline is not None
            else f"urls_env {self.env}"
            if self.env is not None
            else f"urls_cmd {self.command!r}"
            if self.command is not None
            else "no URLs"
        )
        events = sorted(self.events) if self.events is not None else "default"
        return f"NotifySettings({self.where}: {source}, events={events})"

    __str__ = __repr__

    def summary(self) -> str:
        """One line for a screen: which events, and where the URLs come from (never them)."""
        events = ", ".join(e for e in EVENTS if e in (self.events or DEFAULT_EVENTS))
        return f"notifications on {events} ({self.urls_where or 'URLs of [notify]'})"

    def wants(self, event: str) -> bool:
        return self.has_urls and event in (
            self.events if self.events is not None else DEFAULT_EVENTS
        )


def _control(text: str) -> bool:
    return any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in text)


def _parts(url: str) -> list[str]:
    """The parts of `url` that may be secret: user, password, path and query values."""
    try:
        parts = urlsplit(url)
        found = [parts.username or "", parts.password or ""]
        if not _looks_like_host(parts.hostname or ""):
            found.append(parts.hostname or "")
    except ValueError:
        return []
    found += [unquote(part) for part in parts.path.split("/")]
    found += [value for _, value in parse_qsl(parts.query)]
    return [part for part in found if len(part) >= _SECRET_PART]


def register_url(url: str) -> None:
    """Blank `url` and its secret-looking parts out of every text `redact` sees."""
    register_secret(url)
    for part in _parts(url):
        register_secret(part)


def _looks_like_host(host: str) -> bool:
    return "." in host or host == "localhost" or ":" in host


def masked(url: str) -> str:
    """`url` as it may be shown: its scheme and host (when it is a host name, not a
    token), everything else `***`."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "***"
    shown = f"{host}{port}" if _looks_like_host(host) and not _control(host) else "***"
    rest = "/***" if parts.path.strip("/") or parts.query else ""
    user = "***@" if parts.username or parts.password else ""
    scheme = parts.scheme if re.fullmatch(r"[A-Za-z0-9+.-]+", parts.scheme) else "***"
    return f"{scheme}://{user}{shown}{rest}"


def check_notify(
    checker: SecretsFileChecker, where: Sequence[str], values: Mapping[str, Any]
) -> NotifySettings:
    """A `[notify]` table, checked: its keys, URLs (their form) and events."""
    checker.check_keys(where, values, NOTIFY_KEYS)
    given = [key for key in ("urls", "urls_env", "urls_cmd") if key in values]
    if len(given) > 1:
        checker.fail(where, f"give the URLs once, not as {' and '.join(given)}", given[1])
    table_where = f"{checker.name}:{line_of(checker.lines, where)}: {dotted(where)}"
    settings: dict[str, Any] = {}
    if given:
        line = line_of(checker.lines, (*where, given[0]))
        settings["urls_where"] = f"{checker.name}:{line}: {dotted(where)}: {given[0]}"
    if "urls" in values:
        urls = values["urls"]
        if not isinstance(urls, list) or not urls:
            checker.fail(where, "urls must be a non-empty list of notification URLs", "urls")
        checker.check_private(where, "urls")
        for index, url in enumerate(urls, 1):
            if isinstance(url, str):
                register_url(url.strip())
            if not isinstance(url, str) or not _URL.fullmatch(url.strip()) or _control(url):
                # Never echo the URL: it may hold a token.
                checker.fail(
                    where,
                    f"urls: item {index} is not a notification URL (scheme://...); "
                    "see https://github.com/caronc/apprise/wiki for the forms",
                    "urls",
                )
        settings["inline"] = tuple(url.strip() for url in urls)
    if "urls_env" in values:
        settings["env"] = checker.env_name(where, "urls_env", values["urls_env"])
    if "urls_cmd" in values:
        command = values["urls_cmd"]
        if not isinstance(command, str) or not command.strip():
            checker.fail(where, "urls_cmd must be a command", "urls_cmd")
        settings["command"] = checker.command(where, "urls_cmd", command.strip())
    if "events" in values:
        events = checker.string_list(where, values, "events", _event_problem)
        settings["events"] = frozenset(events)
    return NotifySettings(where=table_where, command_timeout=checker.command_timeout, **settings)


def _event_problem(event: str) -> str | None:
    if event in EVENTS:
        return None
    return f"unknown event {event!r}{suggest(event, EVENTS)}: choose from {', '.join(EVENTS)}"
