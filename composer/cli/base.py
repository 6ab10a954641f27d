"""What every command shares: bad input (one line, exit 2), the accounts file and the database
of this run, error lines, terminal-safe text. Drafts, splitting and the publishing-option
flags are in `drafting`.

A `ComposerError` a command does not handle is turned into the CLI's error by the group
(`composer.cli.ComposerGroup`), so the helpers here let them through; they catch one only
where the command decides otherwise than its class does.

Imports click and `text.display` only: every command imports this module, and `history` or
`queue` must not pay at start-up for the splitter, the accounts file or the store's ORM.
The accounts file and the database are loaded by `current_config()` and `database()` when a
command first needs them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from composer.cli.completion import Completer, complete_files, complete_folders
from composer.text.display import terminal_safe

if TYPE_CHECKING:
    from datetime import datetime

    from composer.store import Database, QuickHistory
    from composer.workspace.config import Config

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


@dataclass(frozen=True, slots=True)
class GlobalOption:
    """An option of the whole run (which accounts file, database, drafts folder), taken
    before the command (`thread-composer --db X history`) and after it (`thread-composer
    history --db X`): defined once here, the same name, value and help in both places."""

    flag: str
    key: str  # its name in the root context's `obj`, where every command reads it
    metavar: str
    help: str
    envvar: str | None = None
    default: str | None = None
    shell_complete: Completer | None = None  # what Tab offers for its value


DEFAULT_DRAFTS = "drafts"  # the drafts folder, from where a command runs

GLOBAL_OPTIONS = (
    GlobalOption(
        "--config", "config", "PATH", "Accounts file.", "COMPOSER_CONFIG", None, complete_files
    ),
    GlobalOption("--db", "db", "URL", "History database.", "COMPOSER_DB", None, complete_files),
    GlobalOption(
        "--drafts", "drafts", "DIR", "Drafts folder.", None, DEFAULT_DRAFTS, complete_folders
    ),
)

_F = TypeVar("_F", bound=Callable[..., Any])


def global_options_before_command(function: _F) -> _F:
    """The global options on the group itself, with their environment variables and
    defaults: the values every command starts from (`ctx.obj`)."""
    for option in reversed(GLOBAL_OPTIONS):
        function = click.option(
            option.flag,
            option.key,
            envvar=option.envvar,
            default=option.default,
            metavar=option.metavar,
            help=option.help,
            shell_complete=option.shell_complete,
        )(function)
    return function


def _given_after_command(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    # The root's callback has set `obj` before a command's options are parsed, so the value
    # written after the command is the one that stays: after wins over before.
    if value is not None:
        ctx.find_root().obj[param.name] = value


def with_global_options(command: click.Command) -> click.Command:
    """`command` and, if it is a group, each of its subcommands, taking the global options
    after their name too (no environment variable nor default there: only what is written
    after the command overrides the group's value). Done once per command object."""
    if not any(param.callback is _given_after_command for param in command.params):
        command.params.extend(
            click.Option(
                [option.flag, option.key],
                metavar=option.metavar,
                help=option.help,
                shell_complete=option.shell_complete,
                expose_value=False,
                callback=_given_after_command,
            )
            for option in GLOBAL_OPTIONS
        )
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            with_global_options(subcommand)
    return command


def fail(message: str) -> NoReturn:
    raise BadInput(message)


def current_config() -> Config | None:
    """The accounts file for this command, loaded once; a notice if it is the example."""
    from composer.workspace.draft_split import find_config

    root = click.get_current_context().find_root()
    if "config_choice" not in root.meta:
        choice = find_config(root.obj["config"])
        if choice.notice:
            click.echo(f"note: {choice.notice}", err=True)
        root.meta["config_choice"] = choice
    config: Config | None = root.meta["config_choice"].config
    return config


def say_daemon_note(db: Database | QuickHistory, label: str) -> None:
    """What `daemon_note` says when something waits for a daemon that has not been seen
    lately, as one line on stderr ("note" after scheduling, "warning" in `queue`)."""
    from datetime import UTC, datetime

    from composer.daemon_note import daemon_note

    note = daemon_note(db, datetime.now(UTC))
    if note is not None:
        click.echo(f"{label}: {note}", err=True)


def database() -> Database:
    from composer.store import open_database

    root = click.get_current_context().find_root()
    with store_input():  # a bad URL, a file that is no database of ours
        return open_database(root.obj["db"])


def reading_database() -> Database | QuickHistory:
    """The database for a command that only reads the history: an up-to-date SQLite file
    is opened with sqlite3 (no SQLAlchemy to import: `history` starts fast); anything
    else as `database()` opens it (created, migrated, or refused with its reason)."""
    from composer.store import open_for_reading

    quick = open_for_reading(click.get_current_context().find_root().obj["db"])
    return quick if quick is not None else database()


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
    from composer.redaction import redact

    return safe(redact(" ".join(message.split())))
