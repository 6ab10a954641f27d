"""What the commands that read drafts share: a draft by name or path, its thread on each
platform as previewed, a thread printed terminal-safe with its images and link cards, and the
publishing-option flags of `split`, `publish` and `schedule`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from composer.cli.base import ROW_ID, current_config, fail, safe
from composer.cli.completion import complete_accounts, complete_followable
from composer.text import PLATFORM_NAMES, Thread
from composer.text.options import QUOTES_TYPED, PostOptions, check_option
from composer.text.platform_facts import REPLIES, VISIBILITIES
from composer.workspace.draft_split import (
    NO_OVERRIDES,
    Overrides,
    draft_overrides,
    platforms_for,
    post_options,
    split_draft,
)
from composer.workspace.drafts import Draft, load_draft, resolve
from composer.workspace.images import ImageFile, image_files

if TYPE_CHECKING:
    from composer.text.link_cards import LinkCard  # split without cards never loads them


def load_source(source: str) -> Draft:
    draft = load_draft(source)
    for key in draft.unknown_keys:
        click.echo(f"warning: {source}: unknown front-matter key {key!r} (ignored)", err=True)
    return draft


def split_for(draft: Draft, platform: str, overrides: Overrides = NO_OVERRIDES) -> Thread:
    return split_draft(draft, platform, current_config(), overrides)


def images_of(draft: Draft, thread: Thread) -> list[tuple[ImageFile, ...]] | None:
    """Each post's image files, read (Pillow is imported only for a thread with images);
    None for a thread without images."""
    if not any(post.media for post in thread.posts):
        return None
    from composer.media.probe import probe

    return image_files(draft, thread, probe)


def previews(draft: Draft) -> list[Thread]:
    """The draft's thread on each platform it is previewed on, as the TUI shows them (its
    accounts' platforms and limits, else the default platforms)."""
    config = current_config()
    return [
        split_for(draft, name, draft_overrides(draft, name, config))
        for name in platforms_for(draft, config)
    ]


def preview_options(draft: Draft, platform: str) -> dict[str, str]:
    """The settings the draft's thread on `platform` is sent with, as previewed (its
    account's defaults under the draft's), those that are not the platform's default."""
    overrides = draft_overrides(draft, platform, current_config())
    return post_options(draft, platform, overrides).shown(defaults=False)


def print_thread(
    thread: Thread,
    media: list[tuple[ImageFile, ...]] | None = None,
    cards: Sequence[LinkCard | None] = (),
) -> None:
    """The thread's posts under rules with their length, each post's images (or link card)
    below it."""
    total = len(thread.posts)
    header = f"{thread.platform} · {total} post{'s' if total != 1 else ''} · {thread.note}"
    click.echo(click.style(header, bold=True))
    for post in thread.posts:
        label = f"── {post.index}/{total} "
        size = f" {post.length}/{thread.limit} ──"
        rule = "─" * max(4, 64 - len(label) - len(size))
        click.echo(click.style(label + rule + size, dim=True))
        click.echo(safe(post.text))
        for file in media[post.index - 1] if media else ():
            click.echo(safe(file.chip))
        card = cards[post.index - 1] if len(cards) >= post.index else None
        if card is not None:
            click.echo(f"🔗 {safe(card.summary)}")
    for warning in thread.warnings:
        click.echo(f"warning: {safe(warning)}", err=True)


_OPTIONS_META = "post_options"


def post_option_flags(command: Any) -> Any:
    """--language, --visibility, --reply-visibility, --content-warning (--cw), --replies
    and --quotes, the same on `split`, `publish` and `schedule`: over the draft's
    (`cli_post_options` collects them)."""

    def keep(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None and param.name:
            ctx.meta.setdefault(_OPTIONS_META, {})[param.name] = value
        return value

    flags: list[tuple[tuple[str, ...], dict[str, Any]]] = [
        (("--language",), {"metavar": "CODE", "help": "Language of the posts: en, ru, kk..."}),
        (
            ("--visibility",),
            {"type": click.Choice(VISIBILITIES), "help": "Mastodon: the first post's."},
        ),
        (
            ("--reply-visibility",),
            {"type": click.Choice(VISIBILITIES), "help": "Mastodon: the later posts'."},
        ),
        (
            ("--content-warning", "--cw"),
            {"metavar": "TEXT", "help": "Mastodon: a content warning on every post."},
        ),
        (("--replies",), {"type": click.Choice(REPLIES), "help": "Who may reply."}),
        (
            ("--quotes",),
            {
                "type": click.Choice(tuple(QUOTES_TYPED)),
                "help": "Bluesky: false (not the first post) or none (no post) to quote.",
            },
        ),
    ]
    for names, settings in reversed(flags):
        command = click.option(*names, callback=keep, expose_value=False, default=None, **settings)(
            command
        )
    return command


def cli_post_options() -> PostOptions:
    """The publishing options given on this command line (`post_option_flags`); bad input
    (exit 2) for a value no platform takes."""
    given = dict(click.get_current_context().meta.get(_OPTIONS_META, {}))
    if "quotes" in given:
        given["quotes"] = QUOTES_TYPED[given["quotes"]]
    for key, value in given.items():
        problem = check_option(key, value)
        if problem is not None:
            fail(problem)
    return PostOptions.from_mapping(given)


def options_line(shown: dict[str, str]) -> str:
    """The publishing options a thread is sent with, on one line (terminal-safe)."""
    return "options: " + safe(", ".join(f"{key}={value!r}" for key, value in shown.items()))


def follows_options(command: Any) -> Any:
    """--follows and --update, the same on `publish` and `schedule`."""
    command = click.option(
        "--update",
        is_flag=True,
        help="With --follows: mark the posts UPDATE instead of numbering on.",
    )(command)
    return click.option(
        "--follows",
        "follows",
        type=ROW_ID,
        metavar="EDITION_ID",
        shell_complete=complete_followable,
        help="Continue this edition's thread: reply to its last post, on its account.",
    )(command)


def check_follows(follows: int | None, update: bool) -> None:
    """--update only means something with --follows."""
    if update and follows is None:
        fail("--update marks a follow-up: give --follows EDITION_ID too")


# The accounts `publish` and `schedule` send to.
accounts_option = click.option(
    "--account",
    "accounts",
    multiple=True,
    help="Account to post to (repeatable).",
    shell_complete=complete_accounts,
)

platform_option = click.option(
    "--platform",
    "-p",
    required=True,
    type=click.Choice(PLATFORM_NAMES, case_sensitive=False),
    help="Platform whose rules apply.",
)


def drafts_folder() -> Path:
    return Path(click.get_current_context().find_root().obj["drafts"])


def resolve_draft(name: str) -> Path:
    return resolve_in(drafts_folder(), name)


def resolve_in(folder: Path, name: str) -> Path:
    return resolve(folder, name)
