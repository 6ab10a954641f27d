"""What every command shares: bad input (one line, exit 2), the accounts file and the database
of this run, drafts by name, a thread printed terminal-safe, the common options.

A `ComposerError` a command does not handle is turned into the CLI's error by the group
(`composer.cli.ComposerGroup`), so the helpers here let them through; they catch one only
where the command decides otherwise than its class does.

Imports click and the pure text layer only, so `split` and `count` start fast; the database
is opened through `database()`, which imports the store when a command first needs it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from composer.redaction import redact
from composer.text import PLATFORM_NAMES, Thread
from composer.text.display import terminal_safe
from composer.text.link_cards import LinkCard
from composer.text.options import QUOTES_TYPED, PostOptions, check_option
from composer.text.platform_facts import REPLIES, VISIBILITIES
from composer.workspace.config import Config
from composer.workspace.draft_split import (
    NO_OVERRIDES,
    Overrides,
    draft_overrides,
    find_config,
    platforms_for,
    post_options,
    split_draft,
)
from composer.workspace.drafts import Draft, load_draft, resolve
from composer.workspace.images import ImageFile, image_files

if TYPE_CHECKING:
    from datetime import datetime

    from composer.store import Database

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT: what a shell reports for a command stopped by Ctrl-C

safe = terminal_safe


class BadInput(click.ClickException):
    exit_code = EXIT_BAD_INPUT


class FiniteFloatRange(click.FloatRange):
    """A FloatRange that refuses nan and inf (nan passes every comparison of FloatRange)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


# Numbers the database stores: an id beyond SQLite's INTEGER is bad input, not a traceback.
ROW_ID = click.IntRange(min=1, max=2**63 - 1)
MAX_HISTORY = 10_000
MAX_POST_LIMIT = 100_000


def fail(message: str) -> NoReturn:
    raise BadInput(message)


def load_source(source: str) -> Draft:
    draft = load_draft(source)
    for key in draft.unknown_keys:
        click.echo(f"warning: {source}: unknown front-matter key {key!r} (ignored)", err=True)
    return draft


def current_config() -> Config | None:
    """The accounts file for this command, loaded once; a notice if it is the example."""
    root = click.get_current_context().find_root()
    if "config_choice" not in root.meta:
        choice = find_config(root.obj["config"])
        if choice.notice:
            click.echo(f"note: {choice.notice}", err=True)
        root.meta["config_choice"] = choice
    config: Config | None = root.meta["config_choice"].config
    return config


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


def say_daemon_note(db: Database, label: str) -> None:
    """What `daemon_note` says when something waits for a daemon that has not been seen
    lately, as one line on stderr ("note" after scheduling, "warning" in `queue`)."""
    from datetime import UTC, datetime

    from composer.scheduling import daemon_note

    note = daemon_note(db, datetime.now(UTC))
    if note is not None:
        click.echo(f"{label}: {note}", err=True)


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
        help="Continue this edition's thread: reply to its last post, on its account.",
    )(command)


def check_follows(follows: int | None, update: bool) -> None:
    """--update only means something with --follows."""
    if update and follows is None:
        fail("--update marks a follow-up: give --follows EDITION_ID too")


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


def database() -> Database:
    from composer.store import open_database

    root = click.get_current_context().find_root()
    with store_input():  # a bad URL, a file that is no database of ours
        return open_database(root.obj["db"])


@contextmanager
def store_input() -> Iterator[None]:
    """Where the store refusing is about what the user named (a database URL, an edition or
    a rule id that does not exist or is not scheduled): bad input (exit 2). A
    DatabaseFailure (unopenable, read-only, a full disk) stays a runtime failure (exit 1),
    as its class says."""
    from composer.store import DatabaseFailure, StoreError

    try:
        yield
    except DatabaseFailure:
        raise
    except StoreError as error:
        fail(str(error))


def iso_utc(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def error_line(message: str) -> str:
    """Every error message the CLI prints, whatever it quotes (a platform's words, a file
    name, a value typed): one line, no credential, no terminal control."""
    return safe(redact(" ".join(message.split())))
