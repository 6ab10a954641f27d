"""Checking one `[accounts.NAME]` table of the accounts file against its platform's row in
`composer.text.platform_facts`: its settings, its handle, its URLs and where each of its
secrets comes from (never echoing a secret's value).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from composer.text.options import check_option
from composer.text.patterns import compile_on_use
from composer.text.platform_facts import (
    DOMAIN,
    FACTS,
    LINKEDIN_AUTHOR,
    OVERFLOWS,
    PLATFORM_NAMES,
    X_OAUTH1_KEYS,
    X_OAUTH2_SECRETS,
)
from composer.workspace.accounts import Account

if TYPE_CHECKING:
    from composer.workspace.notify_config import NotifySettings
from composer.workspace.file_checks import SecretsFileChecker
from composer.workspace.secrets import SecretSource
from composer.workspace.toml_lines import line_of, suggest

__all__ = ["SLOT", "AccountChecker"]

_COMMON_KEYS = (
    "platform",
    "handle",
    "base_url",
    "slots",
    "alt_text_required",
    "notify",  # [accounts.NAME.notify]: composer.workspace.notify_config
)  # any platform

_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)"
# A queue slot: days (a range, a list, "daily" or "weekdays") and a local time.
SLOT = compile_on_use(
    rf"(?i:(?:daily|weekdays|weekends|{_DAY}(?:-{_DAY})?(?:,{_DAY}(?:-{_DAY})?)*))"
    r"\s+(?:[01]\d|2[0-3]):[0-5]\d"
)
_VERSION = compile_on_use(r"20[2-9][0-9](?:0[1-9]|1[0-2])")  # LinkedIn-Version: YYYYMM


def _account_keys(platform: str) -> list[str]:
    facts = FACTS[platform]
    keys = [*_COMMON_KEYS, *facts.settings]
    for secret in facts.secrets:
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


class AccountChecker(SecretsFileChecker):
    """The checks of an account table; `account()` turns one into an `Account`."""

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
            slots = self.string_list(where, values, "slots", _slot_problem)
            settings["slots"] = tuple(slots)
        if "alt_text_required" in values:
            required = values["alt_text_required"]
            if not isinstance(required, bool):
                self.fail(
                    where,
                    f"alt_text_required must be true or false, not {required!r}",
                    "alt_text_required",
                )
            settings["alt_text_required"] = required
        if "notify" in values:
            settings["notify"] = self.notify((*where, "notify"), values["notify"])
        for key, kind in FACTS[platform].settings.items():
            if key not in values:
                continue
            value = values[key]
            if kind == "url":
                settings[key] = self.url(where, key, self.string(where, values, key) or "")
            elif kind == "int":
                if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                    self.fail(where, f"{key} must be a positive integer, not {value!r}", key)
                settings[key] = value
            elif kind == "bool":
                if not isinstance(value, bool):
                    self.fail(where, f"{key} must be true or false, not {value!r}", key)
                settings[key] = value
            elif kind in ("visibility", "language", "replies", "quotes"):
                problem = check_option(key, value)
                if problem is not None:
                    self.fail(where, problem, key)
                settings[key] = value
            elif kind == "urn":
                if not isinstance(value, str) or not LINKEDIN_AUTHOR.fullmatch(value):
                    self.fail(
                        where,
                        f"{key} must be urn:li:person:ID or urn:li:organization:ID, not {value!r}",
                        key,
                    )
                settings[key] = value
            elif kind == "overflow":
                if value not in OVERFLOWS:
                    self.fail(
                        where, f"{key} must be one of {', '.join(OVERFLOWS)}, not {value!r}", key
                    )
                settings[key] = value
            elif kind == "version":
                text = (
                    str(value) if isinstance(value, int) and not isinstance(value, bool) else value
                )
                if not isinstance(text, str) or not _VERSION.fullmatch(text):
                    self.fail(where, f'{key} must be a month like "202611", not {value!r}', key)
                settings[key] = text
            elif kind == "command":
                settings[key] = self.command(where, key, self.string(where, values, key) or "")
            elif key == "user_id" and isinstance(value, int) and not isinstance(value, bool):
                settings[key] = str(value)
            else:
                settings[key] = self.string(where, values, key)
        facts = FACTS[platform]
        if facts.url_setting and facts.default_url:  # Bluesky's service: bsky.social
            settings.setdefault(facts.url_setting, facts.default_url)
        for key in facts.required_settings:
            if key not in settings:
                self.fail(where, f"missing key {key!r} for a {platform} account")

        sources = {
            secret: source
            for secret in FACTS[platform].secrets
            if (source := self.secret_source(where, values, secret)) is not None
        }
        missing = [key for key in FACTS[platform].required_secrets if key not in sources]
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

    def notify(self, where: Sequence[str], value: Any) -> NotifySettings:
        """A [notify] table (composer.workspace.notify_config, imported only for a file
        that has one: `split` starts without it)."""
        from composer.workspace.notify_config import check_notify

        return check_notify(self, where, self.table(where, value))

    def account_handle(self, where: Sequence[str], platform: str, handle: str) -> str:
        if platform == "bluesky":
            bare = handle.removeprefix("@")
            if bare.startswith("did:") or re.fullmatch(DOMAIN, bare):
                return bare
            self.fail(
                where,
                f"bad bluesky handle {handle!r}: use a domain-like handle, "
                "e.g. example.bsky.social",
                "handle",
            )
        if platform == "mastodon" and re.fullmatch(r"@?[A-Za-z0-9_.-]+", handle):
            return "@" + handle.removeprefix("@")
        if FACTS[platform].handle is not None:
            return self.handle(where, platform, handle, "handle")
        return handle

    def handle(self, where: Sequence[str], platform: str, value: str, key: str) -> str:
        rule = FACTS[platform].handle
        if rule is None:
            self.fail(where, f"{platform} has no handles to check", key)
        handle = value if value.startswith("@") else "@" + value
        if not rule.pattern.fullmatch(handle):
            self.fail(where, f"bad {platform} handle {value!r} for {key!r}: use {rule.rule}", key)
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


def _slot_problem(slot: str) -> str | None:
    if SLOT.fullmatch(slot):
        return None
    return (
        f"bad slot {slot!r}: write days and a time, like 'Mon-Fri 09:00', "
        "'Sat,Sun 11:30' or 'daily 17:00'"
    )


def _platform_hint(value: object) -> str:
    if str(value).strip().lower() == "twitter":
        return " (did you mean 'x'?)"
    return suggest(str(value).strip().lower(), PLATFORM_NAMES)


def _secret_choices(key: str) -> str:
    return f"{key} ({key}_env, {key}_cmd or an inline {key})"
