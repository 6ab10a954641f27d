"""Checking the accounts file, key by key: every problem is one `ConfigError` that names the
file, the line and the key, and never echoes a secret.

This module checks the file as a whole, its contacts, hashtags and defaults; each account
table is checked by `composer.workspace.account_checks` against its platform's row in
`composer.text.platform_facts`; `fail` and the checks of plain strings and lists are
`composer.workspace.toml_lines.TableChecker`'s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from composer.text import MODES
from composer.text.numbering import Numbering, NumberingError
from composer.text.patterns import compile_on_use
from composer.text.platform_facts import CONTACT_PLATFORMS
from composer.workspace.account_checks import AccountChecker
from composer.workspace.accounts import Config, Contact, Defaults, Hashtags
from composer.workspace.toml_lines import suggest

__all__ = ["check_config"]

_TOP_KEYS = ("accounts", "contacts", "hashtags", "defaults", "notify")
_CONTACT_KEYS = ("name", *CONTACT_PLATFORMS)
_HASHTAG_KEYS = ("terms", "always")
_DEFAULT_KEYS = ("timezone", "numbering", "mode")
_UNPRINTABLE = compile_on_use(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def check_config(
    data: Mapping[str, Any], text: str, name: str, path: Path | None, command_timeout: float
) -> Config:
    """The accounts file `data` parsed from `text`, checked; ConfigError at the first problem."""
    return _Loader(text, name, path, command_timeout).load(data)


class _Loader(AccountChecker):
    """The whole file: its top-level tables, accounts (see AccountChecker), contacts,
    hashtags and defaults."""

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
            notify=self.notify(("notify",), data["notify"]) if "notify" in data else None,
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
        always = self.string_list(where, values, "always", _hashtag_problem)
        return Hashtags(tuple(terms), tuple(tag.removeprefix("#") for tag in always))

    def defaults(self, values: dict[str, Any]) -> Defaults:
        where = ("defaults",)
        self.check_keys(where, values, _DEFAULT_KEYS)
        timezone = self.string(where, values, "timezone")
        if timezone is not None:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # only for a file that sets one

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
                f"mode must be one of {', '.join(MODES)}, not {mode!r}{suggest(mode, MODES)}",
                "mode",
            )
        return Defaults(timezone, numbering, mode)


def _hashtag_problem(tag: str) -> str | None:
    bare = tag.removeprefix("#")
    if re.fullmatch(r"\w+", bare) and not bare.isdigit():
        return None
    return f"always: bad hashtag {tag!r}: letters, digits and _ only, not all digits"
