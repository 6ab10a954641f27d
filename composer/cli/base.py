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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import click

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
