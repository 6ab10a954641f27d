"""Shell completion (click's own: `_THREAD_COMPOSER_COMPLETE=bash_source thread-composer`), and
`thread-composer completion bash|zsh|fish`, which prints the script to source.

Each kind of value is completed by one callback here, given to the arguments and options that
take it (`shell_complete=`): draft names (the drafts folder, as `resolve` reads names), account
and contact names (the accounts file, its secrets never read), edition and rule ids (the
history, read-only through sqlite3). A shell waits for every key press: completing imports
neither SQLAlchemy nor Textual nor httpx, and whatever goes wrong (a broken accounts file, a
database that is not up to date) completes nothing rather than printing a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem, get_completion_class

if TYPE_CHECKING:
    from composer.store import Choice
    from composer.workspace.config import Config

PROG_NAME = "thread-composer"
COMPLETE_VAR = "_THREAD_COMPOSER_COMPLETE"  # whatever the program was started as
SHELLS = ("bash", "zsh", "fish")

Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


def _quietly(find: Callable[[click.Context, str], Iterable[CompletionItem]]) -> Completer:
    """A completion callback that offers nothing, silently, when finding fails: a shell
    prints whatever a completion writes, a traceback included."""

    @functools.wraps(find)
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        try:
            return list(find(ctx, incomplete))
        except Exception:
            return []

    return complete


def _setting(ctx: click.Context, name: str) -> Any:
    """A global option as given on the line being completed (the group's callback, which
    keeps them in `ctx.obj`, does not run while completing)."""
    return ctx.find_root().params.get(name)


@_quietly
def complete_drafts(ctx: click.Context, incomplete: str) -> Iterable[CompletionItem]:
    """Draft names of the drafts folder; a path (with a slash) is left to the shell."""
    if "/" in incomplete:
        return [CompletionItem(incomplete, type="file")]
    from composer.workspace.drafts import draft_files

    folder = Path(_setting(ctx, "drafts") or "drafts")
    names = sorted(path.stem for path, _ in draft_files(folder))
    found = [CompletionItem(name) for name in names if name.startswith(incomplete)]
    return found or [CompletionItem(incomplete, type="file")]


def _config(ctx: click.Context) -> Config | None:
    from composer.workspace.config import config_path, load_config

    path = config_path(_setting(ctx, "config"))
    return None if path is None else load_config(path)  # never reads a secret


@_quietly
def complete_accounts(ctx: click.Context, incomplete: str) -> Iterable[CompletionItem]:
    """Account names of the accounts file, with their platform."""
    config = _config(ctx)
    accounts = config.accounts.values() if config else ()
    return [
        CompletionItem(a.name, help=a.platform) for a in accounts if a.name.startswith(incomplete)
    ]


@_quietly
def complete_contacts(ctx: click.Context, incomplete: str) -> Iterable[CompletionItem]:
    """Contact names of the accounts file, with their full names."""
    config = _config(ctx)
    contacts = config.contacts.items() if config else ()
    return [
        CompletionItem(key, help=contact.name)
        for key, contact in contacts
        if key.startswith(incomplete)
    ]


def _ids(ctx: click.Context, incomplete: str, find: Callable[[Any], list[Choice]]) -> list[Any]:
    """Ids from the history when it is an up-to-date SQLite file (opened read-only, never
    created); nothing otherwise."""
    from composer.store import open_for_reading

    quick = open_for_reading(_setting(ctx, "db"))
    if quick is None:
        return []
    with quick:
        choices = find(quick)
    return [
        CompletionItem(str(c.id), help=c.description)
        for c in choices
        if str(c.id).startswith(incomplete)
    ]


def _editions(statuses: Callable[[], Sequence[str]]) -> Completer:
    def find(ctx: click.Context, incomplete: str) -> list[Any]:
        from composer.store import edition_choices

        wanted = statuses()
        return _ids(ctx, incomplete, lambda source: edition_choices(source, wanted))

    return _quietly(find)


def _scheduled() -> Sequence[str]:
    from composer.store import ACTIVE

    return ACTIVE


def _retractable() -> Sequence[str]:
    from composer.store import RETRACTABLE

    return RETRACTABLE


def _followable() -> Sequence[str]:
    from composer.store import ENDED, EditionStatus

    return [status for status in EditionStatus if status not in ENDED]


# Editions `queue cancel|move|publish-now` take; `retract` takes; `--follows` may continue.
complete_scheduled = _editions(_scheduled)
complete_retractable = _editions(_retractable)
complete_followable = _editions(_followable)


@_quietly
def complete_rules(ctx: click.Context, incomplete: str) -> Iterable[CompletionItem]:
    """Active recurring rules (`queue stop`)."""
    from composer.store import rule_choices

    return _ids(ctx, incomplete, rule_choices)


def complete_files(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """A file path: the shell completes it."""
    return [CompletionItem(incomplete, type="file")]


def complete_folders(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """A folder path: the shell completes it."""
    return [CompletionItem(incomplete, type="dir")]


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the script that makes SHELL complete thread-composer's commands, options,
    drafts, accounts, contacts and edition ids (see README "Shell completion")."""
    script = get_completion_class(shell)
    assert script is not None  # bash, zsh and fish are click's own
    click.echo(script(ctx.find_root().command, {}, PROG_NAME, COMPLETE_VAR).source())
