"""Each network's own controls for an edition, as one typed value: `PostOptions`.

A draft's front matter, its account's defaults, a followed edition's and the command line
(or the TUI's schedule dialog) each give some of them (a `PostOptions` with the rest None);
`resolve_options` lays them over each other in that order of precedence and says, once per
platform, where the platform lacks a value and what closest safe value is used instead (the
values each platform has are its facts: `composer.text.platform_facts`, `PostOptionFacts`).
The resolved value is what the preview shows, what the ledger keeps with the edition
(`to_json`) and what the clients send, so a resume sends exactly what was recorded.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from composer.errors import ComposerError
from composer.text.patterns import compile_on_use
from composer.text.platform_facts import FACTS, REPLIES, VISIBILITIES

__all__ = [
    "NO_OPTIONS",
    "OPTION_KEYS",
    "QUOTES",
    "REPLIES",
    "VISIBILITIES",
    "OptionError",
    "PostOptions",
    "Resolved",
    "check_option",
    "platform_replies",
    "resolve_options",
]

QUOTES = ("everyone", "not_first", "nobody")
"""Who may quote a post: anyone; not the thread's first post (`quotes = false`); no post
(`quotes = "none"`)."""

LANGUAGE = compile_on_use(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
"""A BCP-47 language tag as thread-composer takes it: an ISO 639 code ("en", "kk", "ru"),
optionally with subtags ("pt-BR", "zh-Hant")."""

CONTENT_WARNING_MAX = 500
"""The longest content warning taken: a warning, not a post (Mastodon counts it in the post)."""


class OptionError(ComposerError, ValueError):
    """A publishing option with a value no platform takes; the message says which values."""


@dataclass(frozen=True, slots=True)
class PostOptions:
    """How an edition's posts are sent, beyond their text. None: not given (at this layer);
    once resolved, None is "the platform's default" for `language` and `content_warning`
    only, the others have their value."""

    language: str | None = None  # BCP-47: Mastodon `language`, Bluesky `langs`
    visibility: str | None = None  # Mastodon: the first post
    reply_visibility: str | None = None  # Mastodon: the posts after the first
    content_warning: str | None = None  # Mastodon `spoiler_text`, on every post
    replies: str | None = None  # who may reply: Bluesky threadgate, X, Threads
    quotes: str | None = None  # QUOTES: Bluesky postgate

    def over(self, *below: PostOptions) -> PostOptions:
        """These options, each one not given taken from the first of `below` that gives it."""
        values = {}
        for item in fields(self):
            value = getattr(self, item.name)
            for layer in below:
                if value is not None:
                    break
                value = getattr(layer, item.name)
            values[item.name] = value
        return PostOptions(**values)

    def given(self) -> dict[str, str]:
        """The options given, by key (for JSON, the front matter and the ledger)."""
        return {
            item.name: getattr(self, item.name)
            for item in fields(self)
            if getattr(self, item.name) is not None
        }

    def to_json(self) -> str:
        """As the ledger keeps them (sorted keys, so equal options are equal text)."""
        import json  # here, as in from_json: `split` never needs it

        return json.dumps(self.given(), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> PostOptions:
        """Options kept by `to_json`; none (an edition from before options) is NO_OPTIONS.
        A key this version does not know is left out (a newer version's)."""
        if not text:
            return NO_OPTIONS
        import json

        data = json.loads(text)
        known = {item.name for item in fields(cls)}
        if not isinstance(data, dict):
            return NO_OPTIONS
        return cls(**{k: str(v) for k, v in data.items() if k in known and v is not None})

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> PostOptions:
        """The options among `values` (a draft's front matter, checked: `check_option`),
        `quotes = true | false | "none"` read as QUOTES."""
        found: dict[str, str] = {}
        for key in OPTION_KEYS:
            if key in values and values[key] is not None:
                found[key] = _quotes(values[key]) if key == "quotes" else str(values[key])
        return cls(**found)


NO_OPTIONS = PostOptions()
DEFAULTS = PostOptions(
    visibility="public", reply_visibility="public", replies="everyone", quotes="everyone"
)
"""What a platform does when nobody says otherwise."""

OPTION_KEYS: tuple[str, ...] = tuple(item.name for item in fields(PostOptions))
"""The front-matter keys (and accounts-file keys) of the options."""


# `quotes` as the front matter writes it (true | false | "none"), as typed on the command
# line or chosen in the TUI ("true" | "false" | "none"), and as QUOTES names it.
QUOTES_TYPED: dict[str, object] = {"true": True, "false": False, "none": "none"}
_QUOTES_NAMED = (("everyone", True), ("not_first", False), ("nobody", "none"))


def _quotes(value: object) -> str:
    """A front-matter `quotes` value as QUOTES names it (True is not 1 here)."""
    for name, written in _QUOTES_NAMED:
        if type(value) is type(written) and value == written:
            return name
    return str(value)


def check_option(key: str, value: object) -> str | None:
    """What is wrong with `value` for option `key` (one line), or None. In a draft and the
    accounts file: `quotes` is true, false or "none"; the others are strings."""
    if key == "quotes":
        if isinstance(value, bool) or value == "none":
            return None
        return f'quotes must be true, false or "none", not {value!r}'
    if not isinstance(value, str):
        return f"{key} must be a string, not {value!r}"
    if key == "language":
        if LANGUAGE.fullmatch(value) is None:
            return (
                f"language must be a language code like 'en', 'ru', 'kk' or 'pt-BR', not {value!r}"
            )
    elif key in ("visibility", "reply_visibility"):
        if value not in VISIBILITIES:
            return f"{key} must be one of {', '.join(VISIBILITIES)}, not {value!r}"
    elif key == "replies":
        if value not in REPLIES:
            return f"replies must be one of {', '.join(REPLIES)}, not {value!r}"
    elif key == "content_warning":
        if not value.strip():
            return "content_warning must not be empty (leave the key out for none)"
        if "\n" in value or "\r" in value:
            return "content_warning must be one line"
        if len(value) > CONTENT_WARNING_MAX:
            return f"content_warning must be at most {CONTENT_WARNING_MAX} characters"
    elif key not in OPTION_KEYS:
        return f"unknown option {key!r}"
    return None


def checked(options: PostOptions) -> PostOptions:
    """`options` if every value is one a platform takes, else OptionError (one line)."""
    for key, value in options.given().items():
        problem = check_option(key, value if key != "quotes" else _front_matter_quotes(value))
        if problem is not None:
            raise OptionError(problem)
    return options


def _front_matter_quotes(value: str) -> object:
    return next((written for name, written in _QUOTES_NAMED if name == value), value)


@dataclass(frozen=True, slots=True)
class Resolved:
    """The options an edition on one platform is sent with, and what the user should be
    told (a value the platform lacks, a setting it has not)."""

    platform: str
    options: PostOptions
    warnings: tuple[str, ...] = ()

    def shown(self, *, defaults: bool = True) -> dict[str, str]:
        """The options the platform uses, by key, as `split --json` and `--dry-run` show
        them (a language not given is left out; without `defaults`, those that are the
        platform's default too)."""
        takes = FACTS[self.platform].post_options.takes
        usual = DEFAULTS.given() if not defaults else {}
        return {k: v for k, v in self.options.given().items() if k in takes and usual.get(k) != v}


def resolve_options(platform: str, *layers: PostOptions) -> Resolved:
    """The options of an edition on `platform`: the first layer to give each one wins (the
    command line, the draft, a followed edition, the account), else the platform's default.
    A value the platform lacks becomes its closest safe one (`PostOptionFacts.closest`), with
    one warning; a setting the platform has not, given anyway, is one warning too."""
    facts = FACTS[platform]
    chosen = checked(NO_OPTIONS.over(*layers, DEFAULTS))
    warnings: list[str] = []
    own = facts.post_options
    replies = chosen.replies
    if "replies" in own.takes and replies not in own.replies:
        closest = own.closest.get(replies or "", "everyone")
        warnings.append(
            f'{facts.label} has no replies = "{replies}": using "{closest}" '
            f"({_REPLIES_SAID[closest]})"
        )
        chosen = replace(chosen, replies=closest)
    for key in _WARNED:
        value = getattr(chosen, key)
        if key not in own.takes and value is not None and value != getattr(DEFAULTS, key):
            warnings.append(f"{facts.label} has no {_NAMES[key]}: {key} is not used there")
    return Resolved(platform, chosen, tuple(warnings))


def platform_replies(platform: str, options: PostOptions) -> str:
    """The platform's own value for who may reply (`PostOptionFacts.replies`), "" for its
    default (everyone), for which nothing is sent. `options` are resolved: a value the
    platform lacks was replaced by its closest (`resolve_options`)."""
    replies = options.replies or "everyone"
    if replies == "everyone":
        return ""
    return FACTS[platform].post_options.replies[replies]


_REPLIES_SAID = {
    "everyone": "anyone may reply",
    "mentioned": "only the accounts mentioned may reply",
    "following": "only the accounts you follow may reply",
    "nobody": "nobody may reply",
}
# The settings whose absence on a platform is worth a warning (language is only a hint).
_WARNED = ("visibility", "reply_visibility", "content_warning", "replies", "quotes")
_NAMES = {
    "visibility": "post visibility",
    "reply_visibility": "post visibility",
    "content_warning": "content warnings",
    "replies": "control of who may reply",
    "quotes": "control of quotes",
}
