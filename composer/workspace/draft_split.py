"""A draft and the accounts file made into split() options for one platform.

The CLI and the TUI both compose through here, so a preview and a publication can never use
different mentions, tags or numbering.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from composer.text import SplitError, Thread, count, split
from composer.text.controls import code_point, first_control
from composer.text.display import plural
from composer.text.enrich import EnrichError
from composer.text.options import NO_OPTIONS, PostOptions, Resolved, resolve_options
from composer.text.platform_facts import (
    FACTS,
    LINKEDIN_COMMENT_LIMIT,
    PREVIEW_PLATFORMS,
    handle_platforms,
)
from composer.text.splitting import ImageLineError
from composer.workspace.config import (
    DEFAULT_CONFIG_NAME,
    EXAMPLE_CONFIG_NAME,
    Account,
    Config,
    ConfigError,
    config_path,
    load_config,
)
from composer.workspace.drafts import Draft
from composer.workspace.images import account_figures

if TYPE_CHECKING:
    from composer.instances import InstanceFigures


@dataclass(frozen=True, slots=True)
class Overrides:
    """Choices made on the command line (or in the TUI) that win over the draft's."""

    numbering: str | None = None
    limit: int | None = None
    hook: bool | None = None
    mode: str | None = None
    mentions: tuple[str, ...] | None = None
    mention_placement: str | None = None
    tags: tuple[str, ...] | None = None
    tag_placement: str | None = None
    first_number: int | None = None  # a follow-up continuing a thread's numbering
    images_per_post: int | None = None  # a Mastodon instance's own (else the platform's)
    # The limit of every part of a text longer than one post, where it differs from the
    # post's (a LinkedIn report continued in comments: LINKEDIN_COMMENT_LIMIT).
    parts_limit: int | None = None
    # A follow-up: its posts continue another thread (on LinkedIn, all of them comments).
    continues: bool = False
    # Publishing options: the command line's (or the TUI's) over the draft's, which are over
    # a followed edition's (`inherited`), which are over the account's.
    options: PostOptions = NO_OPTIONS
    inherited: PostOptions = NO_OPTIONS
    account_options: PostOptions = NO_OPTIONS
    # The account's name and the posts a day its tier allows (`daily_post_quota`): a thread
    # longer than that, or using most of it, is warned about (`quota_warning`).
    account_name: str | None = None
    daily_post_quota: int | None = None


NO_OVERRIDES = Overrides()


@dataclass(slots=True)
class ConfigChoice:
    """Which accounts file applies, and a notice when it is not the user's own."""

    config: Config | None
    notice: str | None = None


def find_config(explicit: str | None, folder: Path = Path()) -> ConfigChoice:
    """The accounts file: the one named (it must load), else ./accounts.toml, else the bundled
    accounts.example.toml so that drafts can be composed before any account is set up."""
    path = config_path(explicit, folder)
    if path is None:
        return ConfigChoice(None)
    if explicit or path.name != EXAMPLE_CONFIG_NAME:
        return ConfigChoice(load_config(path))
    return ConfigChoice(
        load_config(path),
        f"no {DEFAULT_CONFIG_NAME}: contacts and hashtags come from {EXAMPLE_CONFIG_NAME} "
        f"(cp {EXAMPLE_CONFIG_NAME} {DEFAULT_CONFIG_NAME} to set up your own)",
    )


@dataclass(slots=True)
class SplitOptions:
    """split() keyword arguments for one platform, and what the user should be told."""

    options: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    post_options: PostOptions = NO_OPTIONS  # resolved: what the edition is sent with


def split_options(
    draft: Draft, platform: str, config: Config | None, overrides: Overrides = NO_OVERRIDES
) -> SplitOptions:
    """How `draft` is split for `platform`: the draft's settings, the accounts file's
    defaults, contacts and hashtag rules, and the overrides, in increasing precedence."""
    default_numbering = config.defaults.numbering if config else None
    default_mode = config.defaults.mode if config else None
    names = overrides.mentions if overrides.mentions is not None else tuple(draft.mentions)
    mentions, warnings = _mentions(names, platform, config)
    tags = overrides.tags if overrides.tags is not None else tuple(draft.hashtags)
    if config:
        tags = (*tags, *config.hashtags.always)
    resolved = post_options(draft, platform, overrides)
    warnings.extend(resolved.warnings)
    options: dict[str, Any] = {
        "numbering": _first(overrides.numbering, draft.numbering, default_numbering),
        "limit": post_room(platform, overrides.limit, resolved.options),
        "hook": draft.hook if overrides.hook is None else overrides.hook,
        "mode": _first(overrides.mode, draft.mode, default_mode) or "balanced",
        "mentions": mentions,
        "mention_placement": overrides.mention_placement or draft.mention_placement,
        "tags": tags,
        "tag_placement": overrides.tag_placement or draft.hashtag_placement,
        "hashtag_terms": _hashtag_terms(draft, config),
        "names": tuple(c.name for c in config.contacts.values()) if config else (),
        "first_number": overrides.first_number or 1,
        "images_per_post": overrides.images_per_post,
        "first_line": draft.first_line,
    }
    return SplitOptions(options, warnings, resolved.options)


def post_options(draft: Draft, platform: str, overrides: Overrides = NO_OVERRIDES) -> Resolved:
    """The publishing options of `draft` on `platform` (the one rule for the preview,
    `split`, `--dry-run`, the schedule dialog and what is recorded and sent): the command
    line's over the draft's over a followed edition's over the account's, with a warning
    for each the platform lacks (composer.text.options.resolve_options). OptionError for a
    value no platform takes."""
    return resolve_options(
        platform,
        overrides.options,
        draft.post_options,
        overrides.inherited,
        overrides.account_options,
    )


def post_room(platform: str, limit: int | None, options: PostOptions) -> int | None:
    """The room a post's text has: the limit (None: the platform's), less the content
    warning where the platform counts it in the post (Mastodon counts `spoiler_text` and
    the text together against its limit)."""
    warning = options.content_warning
    if not warning or "content_warning" not in FACTS[platform].post_options.takes:
        return limit
    whole = limit or FACTS[platform].measure.limit
    room = whole - count(warning, platform)
    if room < MIN_ROOM:
        raise SplitError(
            f"the content warning takes {whole - room} of the {whole} characters a post "
            f"has on {FACTS[platform].label}: shorten it"
        )
    return room


MIN_ROOM = 50  # characters a post keeps for its text beside a content warning


def account_limit(account: Account) -> int | None:
    """The post limit an account sets over its platform's: a Mastodon account's
    `max_characters` (its instance's own limit); None (the platform's) elsewhere. The one
    rule for publishing (plan_editions) and the preview."""
    return account.max_characters if account.platform == "mastodon" else None


def link_cards_wanted(draft: Draft, platform: str, account: Account | None = None) -> bool:
    """Whether posts with a link get a card made here on `platform` (Bluesky's external
    embed; other platforms build their own): the draft's `link_card` when it says, else the
    account's, else yes. The one rule for publishing (plans), `split` and the preview."""
    if FACTS[platform].link_card_thumb_max_bytes is None:
        return False
    if draft.link_card is not None:
        return draft.link_card
    return account is None or account.link_card is not False


def platforms_for(draft: Draft, config: Config | None) -> list[str]:
    """The platforms a draft is previewed on (the TUI's tabs, the CLI's piped preview and
    `draft show`): its accounts' and its `platforms`, in order, else PREVIEW_PLATFORMS."""
    found: list[str] = []
    for name in draft.accounts:
        account = config.accounts.get(name) if config else None
        if account is not None:
            found.append(account.platform)
    found.extend(draft.platforms)
    return list(dict.fromkeys(found)) or list(PREVIEW_PLATFORMS)


def draft_account(draft: Draft, platform: str, config: Config | None) -> Account | None:
    """The account a draft is previewed for on `platform`: its first account there (the one
    `platforms_for` previews the platform for), if any."""
    for name in draft.accounts:
        account = config.accounts.get(name) if config else None
        if account is not None and account.platform == platform:
            return account
    return None


def account_overrides(
    account: Account | None,
    overrides: Overrides = NO_OVERRIDES,
    figures: InstanceFigures | None = None,
) -> Overrides:
    """`overrides` with what `account` sets over its platform's facts: its post limit
    (`account_limit`) and its instance's images a post (`figures`, else those remembered
    from the instance: `account_figures`). The one rule for publishing (plan_editions,
    fit_to_instances) and the preview."""
    if account is None:
        return overrides
    figures = figures or account_figures(account)
    most = figures.max_media_attachments if figures is not None else None
    linkedin = account.platform == "linkedin"
    comments = linkedin and account.overflow == "comments"
    # A LinkedIn follow-up is comments on the thread's post, every part of it.
    limit = LINKEDIN_COMMENT_LIMIT if linkedin and overrides.continues else account_limit(account)
    return replace(
        overrides,
        limit=limit or overrides.limit,
        images_per_post=most or overrides.images_per_post,
        parts_limit=LINKEDIN_COMMENT_LIMIT if comments else overrides.parts_limit,
        account_options=account.post_options,
        account_name=account.name,
        daily_post_quota=account.daily_post_quota,
    )


def draft_overrides(draft: Draft, platform: str, config: Config | None) -> Overrides:
    """What a draft is previewed with on `platform`: that of its account there
    (`draft_account`, `account_overrides`), else the platform's (no override)."""
    return account_overrides(draft_account(draft, platform, config))


def split_draft(
    draft: Draft, platform: str, config: Config | None, overrides: Overrides = NO_OVERRIDES
) -> Thread:
    """The thread of `draft` on `platform`, with its split options' warnings added."""
    plan = split_options(draft, platform, config, overrides)
    try:
        thread = split(draft.body, platform, **plan.options)
        if overrides.parts_limit is not None and len(thread.posts) > 1:
            # Longer than one post: every part within the parts' own limit.
            thread = split(draft.body, platform, **{**plan.options, "limit": overrides.parts_limit})
    except ImageLineError as error:  # named in the draft's file
        raise ImageLineError(error.line, error.reason, draft.name) from None
    thread.warnings[:0] = plan.warnings
    refusal = one_post_refusal(draft, platform, config, overrides, thread)
    if refusal is not None:  # the preview says it; publishing and scheduling refuse it
        thread.warnings.append(refusal)
    quota = quota_warning(overrides, len(thread.posts))
    if quota is not None:
        thread.warnings.append(quota)
    return thread


def quota_warning(overrides: Overrides, posts: int) -> str | None:
    """What happens to a thread of `posts` on an account whose tier allows fewer posts a
    day (X's free tier: 17), or uses most of them; None when it fits easily. The one rule
    for the preview, `split`, `publish` and the schedule dialog."""
    quota, name = overrides.daily_post_quota, overrides.account_name or "the account"
    if quota is None or posts * 2 <= quota:
        return None
    if posts > quota:
        return (
            f"{plural(posts, 'post')}, but {name} may post {quota} a day (daily_post_quota): "
            f"post {quota + 1} on will be refused and the edition will stop there, to be resumed "
            "the next day"
        )
    return (
        f"this thread uses {posts} of the {quota} posts a day {name} may post "
        "(daily_post_quota): other posts that day may be refused"
    )


def one_post_refusal(
    draft: Draft, platform: str, config: Config | None, overrides: Overrides, thread: Thread
) -> str | None:
    """Why `thread` cannot be published on a platform whose thread is one post (LinkedIn)
    when its account does not continue it (`overflow = "refuse"`): its length as one post
    and the limit; None when it can. The one rule for the preview and publishing."""
    facts = FACTS[platform]
    continued = overrides.parts_limit is not None or overrides.continues
    if not facts.one_post or continued or len(thread.posts) < 2:
        return None
    length = one_post_length(draft, platform, config, overrides)
    return (
        f"the report is {length:,} characters and a {facts.label} post takes {thread.limit:,}: "
        'shorten it, or set overflow = "comments" on the account to continue it in comments'
    )


def one_post_length(
    draft: Draft, platform: str, config: Config | None, overrides: Overrides = NO_OVERRIDES
) -> int:
    """The length of `draft` on `platform` as ONE post (mentions and tags placed), however
    long: what a platform that takes one post (LinkedIn) is told it is."""
    plan = split_options(draft, platform, config, overrides)
    thread = split(draft.body, platform, **{**plan.options, "limit": ONE_POST_CEILING})
    return sum(post.length for post in thread.posts)


ONE_POST_CEILING = 10**9


def _hashtag_terms(draft: Draft, config: Config | None) -> tuple[str, ...]:
    """The terms linked as hashtags: the draft's `hashtag_terms` when it says, else all of the
    accounts file's."""
    chosen = draft.hashtag_terms
    if chosen is not None:
        return tuple(chosen)
    return tuple(config.hashtags.terms) if config else ()


def _mentions(
    names: tuple[str, ...], platform: str, config: Config | None
) -> tuple[list[str], list[str]]:
    """Contact names become the platform's handles. A handle written out ("@hrw",
    "@amnesty@mastodon.social") is used only on the platforms whose handle form it has:
    elsewhere it would mention someone else ("@amnesty" on X). There it becomes the handle of
    the contact it belongs to, when there is one, or is left out with a warning."""
    for number, name in enumerate(names, start=1):
        index = first_control(name, token=True)
        if index is not None:  # refused before it reaches a warning, a lookup or a post
            raise EnrichError(
                f"mention {number} holds a control or bidi character "
                f"({code_point(name[index])}): remove it"
            )
    contacts = [name for name in names if not name.startswith("@")]
    if contacts and config is None:
        raise ConfigError(
            f"the draft mentions contacts ({', '.join(contacts)}) but there is no "
            f"{DEFAULT_CONFIG_NAME} to look them up in"
        )
    mentions: list[str] = []
    warnings: list[str] = []
    for name in names:
        if name.startswith("@") and platform in handle_platforms(name):
            mentions.append(name)
            continue
        contact = config.contact_with_handle(name) if config and name.startswith("@") else None
        if name.startswith("@") and contact is None:
            forms = " or ".join(handle_platforms(name)) or "no platform"
            warnings.append(f"{name} is a handle of {forms}: left out on {platform}")
            continue
        assert config is not None  # checked above for contacts
        mapped, said = config.mentions_for([contact.key if contact else name], platform)
        mentions.extend(mapped)
        warnings.extend(said)
    return mentions, warnings


def _first(*values: str | None) -> str | None:
    return next((v for v in values if v), None)
