"""The `thread-composer` command line.

Only argument parsing and printing live here. `split` and `count` must start fast, so this
module imports click and the pure text layer only; heavier front ends are imported inside
the commands that need them.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from composer.text import MODES, PLATFORM_NAMES, SplitError, Thread, UnknownPlatformError
from composer.text import count as count_text
from composer.text import split as split_text
from composer.text.numbering import NumberingError
from composer.workspace.drafts import (
    Draft,
    DraftError,
    list_drafts,
    load_draft,
    new_draft,
    resolve,
)

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
PREVIEW_PLATFORMS = ("x", "mastodon", "bluesky")

# C0/C1 controls other than newline and tab, and the bidi overrides that can disguise text.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """Text made harmless for a terminal: control sequences shown as escapes."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class BadInput(click.ClickException):
    exit_code = EXIT_BAD_INPUT


def fail(message: str) -> NoReturn:
    raise BadInput(message)


class ComposerGroup(click.Group):
    """A group that also takes a draft path where a command would go: `thread-composer DRAFT`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = {"--config", "--db", "--drafts"}
        index = 0
        while index < len(args):
            arg = args[index]
            if arg in takes_value:
                index += 2
                continue
            if arg.startswith("-"):
                index += 1
                continue
            if arg not in self.commands:
                ctx.meta["draft"] = args.pop(index)
            break
        return super().parse_args(ctx, args)


@click.group(cls=ComposerGroup, invoke_without_command=True)
@click.option("--config", envvar="COMPOSER_CONFIG", metavar="PATH", help="Accounts file.")
@click.option("--db", envvar="COMPOSER_DB", metavar="URL", help="History database.")
@click.option("--drafts", "drafts_dir", default="drafts", metavar="DIR", help="Drafts folder.")
@click.version_option(package_name="thread-composer")
@click.pass_context
def cli(ctx: click.Context, config: str | None, db: str | None, drafts_dir: str) -> None:
    """Turn long reports into numbered threads for X, Mastodon and Bluesky.

    With a draft path and no command, shows the draft split for each platform.
    """
    ctx.obj = {"config": config, "db": db, "drafts": drafts_dir}
    if ctx.invoked_subcommand is not None:
        return
    draft_path = ctx.meta.get("draft")
    if draft_path is None:
        click.echo(ctx.get_help())
        return
    draft = _load(draft_path)
    platforms = draft.platforms or list(PREVIEW_PLATFORMS)
    for number, name in enumerate(platforms):
        if number:
            click.echo()
        thread = _split(draft, name, None, None, None, None)
        _print_thread(thread)


def _load(source: str) -> Draft:
    try:
        draft = load_draft(source)
    except DraftError as error:
        fail(str(error))
    for key in draft.unknown_keys:
        click.echo(f"warning: {source}: unknown front-matter key {key!r} (ignored)", err=True)
    return draft


def _split(
    draft: Draft,
    platform: str,
    numbering: str | None,
    limit: int | None,
    hook: bool | None,
    mode: str | None,
) -> Thread:
    chosen_mode = mode or draft.mode or "balanced"
    if chosen_mode not in MODES:
        fail(f"unknown mode {chosen_mode!r}: choose one of {', '.join(MODES)}")
    try:
        return split_text(
            draft.body,
            platform,
            numbering=numbering if numbering is not None else draft.numbering,
            limit=limit,
            hook=draft.hook if hook is None else hook,
            mode=chosen_mode,
        )
    except (UnknownPlatformError, NumberingError, SplitError) as error:
        fail(str(error))


def _print_thread(thread: Thread) -> None:
    total = len(thread.posts)
    header = f"{thread.platform} · {total} post{'s' if total != 1 else ''} · {thread.note}"
    click.echo(click.style(header, bold=True))
    for post in thread.posts:
        label = f"── {post.index}/{total} "
        size = f" {post.length}/{thread.limit} ──"
        rule = "─" * max(4, 64 - len(label) - len(size))
        click.echo(click.style(label + rule + size, dim=True))
        click.echo(safe(post.text))
    for warning in thread.warnings:
        click.echo(f"warning: {safe(warning)}", err=True)


platform_option = click.option(
    "--platform",
    "-p",
    required=True,
    type=click.Choice(PLATFORM_NAMES, case_sensitive=False),
    help="Platform whose rules apply.",
)


@cli.command()
@click.argument("source", metavar="PATH|-")
@platform_option
@click.option("--numbering", "-n", metavar="FMT", help="{i}/{n} (default), a format or a preset.")
@click.option("--limit", type=click.IntRange(min=1), help="Override the platform's limit.")
@click.option("--hook/--no-hook", default=None, help="Leave the first post unnumbered.")
@click.option("--mode", type=click.Choice(MODES), help="fewest | balanced (default) | cleanest.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def split(
    source: str,
    platform: str,
    numbering: str | None,
    limit: int | None,
    hook: bool | None,
    mode: str | None,
    as_json: bool,
) -> None:
    """Split a report or draft into numbered posts that fit PLATFORM."""
    draft = _load(source)
    thread = _split(draft, platform.lower(), numbering, limit, hook, mode)
    if not thread.posts:
        fail(f"{source}: nothing to split")
    if as_json:
        payload: dict[str, Any] = thread.to_dict()
        payload["note"] = thread.note
        payload["warnings"] = thread.warnings
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    _print_thread(thread)


@cli.command()
@click.argument("source", metavar="PATH|-")
@platform_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def count(source: str, platform: str, as_json: bool) -> None:
    """Length of a text as ONE post, as PLATFORM counts it."""
    from composer.text import platform as rules_for

    draft = _load(source)
    body = draft.body.strip()
    rules = rules_for(platform)
    length = count_text(body, platform)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "platform": rules.name,
                    "count": length,
                    "limit": rules.limit,
                    "unit": rules.measure.unit,
                    "fits": length <= rules.limit,
                }
            )
        )
        return
    click.echo(str(length))
    if length > rules.limit:
        click.echo(
            f"warning: over the {rules.name} limit of {rules.limit} {rules.measure.unit} "
            f"by {length - rules.limit}",
            err=True,
        )


@cli.group()
def draft() -> None:
    """Create, list, show and edit drafts in the drafts folder."""


def _drafts_folder() -> Path:
    return Path(click.get_current_context().find_root().obj["drafts"])


@draft.command("new")
@click.argument("title")
@click.option("--account", "accounts", multiple=True, help="Account to publish to (repeatable).")
def draft_new(title: str, accounts: tuple[str, ...]) -> None:
    """Create a draft titled TITLE and print its path."""
    meta: dict[str, Any] = {"accounts": list(accounts)} if accounts else {}
    try:
        path = new_draft(_drafts_folder(), title, meta)
    except OSError as error:
        fail(f"cannot write the draft: {error.strerror or error}")
    click.echo(str(path))


@draft.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def draft_list(as_json: bool) -> None:
    """The drafts, newest first."""
    summaries = list_drafts(_drafts_folder())
    if as_json:
        rows = [
            {
                "name": s.name,
                "path": str(s.path),
                "title": s.title,
                "modified": s.modified.isoformat(),
                "characters": s.characters,
                "error": s.error,
            }
            for s in summaries
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not summaries:
        click.echo(
            f"no drafts in {_drafts_folder()}/ (create one: thread-composer draft new TITLE)"
        )
    for s in summaries:
        when = s.modified.astimezone().strftime("%Y-%m-%d %H:%M")
        detail = f"error: {safe(s.error)}" if s.error else f"{s.characters:,} characters"
        click.echo(f"{s.name:<28} {when}  {safe(s.title)[:50]:<50}  {detail}")


@draft.command("show")
@click.argument("name")
def draft_show(name: str) -> None:
    """A draft's settings and text, and how many posts it makes on each platform."""
    path = _resolve(name)
    shown = _load(str(path))
    click.echo(click.style(safe(shown.title), bold=True) + f"  ({path})")
    for key, value in shown.meta.items():
        if key != "title":
            click.echo(f"  {key} = {safe(json.dumps(value, ensure_ascii=False))}")
    counts = []
    for name_ in shown.platforms or list(PREVIEW_PLATFORMS):
        thread = _split(shown, name_, None, None, None, None)
        counts.append(f"{name_} {len(thread.posts)}")
    click.echo("  posts: " + ", ".join(counts))
    click.echo()
    click.echo(safe(shown.body.strip()))


@draft.command("edit")
@click.argument("name")
def draft_edit(name: str) -> None:
    """Open a draft in $VISUAL or $EDITOR, then check it."""
    path = _resolve(name)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        completed = subprocess.run([*shlex.split(editor), str(path)], check=False)
    except OSError as error:
        fail(f"cannot start the editor {editor!r}: {error.strerror or error} (set $EDITOR)")
    if completed.returncode != 0:
        raise click.ClickException(f"the editor {editor!r} exited with {completed.returncode}")
    _load(str(path))  # report what is wrong with it now, while the author is here
    click.echo(f"saved {path}")


def _resolve(name: str) -> Path:
    try:
        return resolve(_drafts_folder(), name)
    except DraftError as error:
        fail(str(error))


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: one clear line and exit 2 for bad input, never a traceback."""
    try:
        cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_FAILURE)
    except click.UsageError as error:
        command = error.ctx.command_path if error.ctx else "thread-composer"
        message = " ".join(error.format_message().split())  # one line, whatever click wrapped
        click.echo(f"{command}: {message} (see {command} --help)", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except click.ClickException as error:
        click.echo(f"thread-composer: {' '.join(error.format_message().split())}", err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    sys.exit(EXIT_OK)
