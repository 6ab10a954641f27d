"""The `thread-composer` command line: the group, its entry point, one module per command group.

- `base`: what every command shares (bad input and exit codes, the accounts file, the
  database, drafts by name, printing a thread terminal-safe);
- `text`: `split`, `count` and the bare `thread-composer [DRAFT]` (composer or preview);
- `drafts`: `draft new|list|show|edit|import`;
- `publish`: `publish` and `schedule` (incl. `--every`);
- `queue`: `queue` and its subcommands (incl. `publish-now`, `rules`, `stop`);
- `history`, `retract`, `daemon`: the commands of those names;
- `notify`: `check` and `notify test` (failure notifications);
- `accounts`: `accounts list|verify`;
- `completion`: the shell completion script, and the callbacks that complete values;
- `init`: a working folder to start from (accounts.toml, drafts/).

Only argument parsing and printing live here; each decision is in the layer below. `split`
and `count` must start fast, so importing this package imports click and the pure text
layer only; the commands import heavier layers (store, publishing, Textual) inside.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib import import_module
from typing import Any

import click

from composer.cli.base import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    GLOBAL_OPTIONS,
    BadInput,
    error_line,
    global_options_before_command,
    with_global_options,
)
from composer.cli.completion import COMPLETE_VAR
from composer.errors import ComposerError

__all__ = ["cli", "main"]


# Each command and the module that defines it, in the order `--help` lists them. A command's
# module is imported when that command runs (or help lists it): `history` does not load
# what `publish` needs.
COMMANDS = {
    "init": "init",
    "split": "text",
    "count": "text",
    "draft": "drafts",
    "publish": "publish",
    "schedule": "publish",
    "queue": "queue",
    "history": "history",
    "retract": "retract",
    "daemon": "daemon",
    "check": "notify",
    "notify": "notify",
    "accounts": "accounts",
    "completion": "completion",
}


class ComposerGroup(click.Group):
    """A group that also takes a draft path where a command would go: `thread-composer DRAFT`,
    and the one place a `ComposerError` no command handled becomes the CLI's error: its
    message on one line, exit 2 when the user's input is at fault, else 1. Its commands are
    loaded when needed (COMMANDS), each given the global options after its name too."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *self.commands]  # and any added with add_command

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            command = super().get_command(ctx, cmd_name)
            return None if command is None else with_global_options(command)
        command = getattr(import_module(f"composer.cli.{module}"), cmd_name)
        assert isinstance(command, click.Command)
        return with_global_options(command)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ComposerError as error:
            failure = BadInput if error.bad_input else click.ClickException
            raise failure(str(error)) from error

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = {option.flag for option in GLOBAL_OPTIONS}
        index = 0
        while index < len(args):
            arg = args[index]
            if arg in takes_value:
                index += 2
                continue
            if arg.startswith("-"):
                index += 1
                continue
            if arg not in COMMANDS and arg not in self.commands:
                ctx.meta["draft"] = args.pop(index)
            break
        return super().parse_args(ctx, args)


@click.group(cls=ComposerGroup, invoke_without_command=True)
@global_options_before_command
@click.version_option(package_name="thread-composer")
@click.pass_context
def cli(ctx: click.Context, config: str | None, db: str | None, drafts: str) -> None:
    """Turn long reports into numbered threads for X, Mastodon and Bluesky.

    With no command, or a draft path, opens the composer on a terminal; piped, it shows
    the draft split for each platform. --config, --db and --drafts may also follow the
    command (given in both places, the one after it wins).
    """
    ctx.obj = {"config": config, "db": db, "drafts": drafts}
    if ctx.invoked_subcommand is None:
        from composer.cli.text import compose_or_preview

        compose_or_preview(ctx, ctx.meta.get("draft"))


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: one clear line and exit 2 for bad input, never a traceback."""
    try:
        # Without standalone mode, click returns the code of an Exit a command raised (the
        # TUI's, when it crashed) instead of raising it: that code is the exit status.
        # One completion variable however the program was started (`python -m composer`).
        code = cli.main(
            args=list(argv) if argv is not None else None,
            standalone_mode=False,
            complete_var=COMPLETE_VAR,
        )
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.Abort as abort:
        if isinstance(abort.__cause__, KeyboardInterrupt):  # click's Ctrl-C: 130, as shells say
            click.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        click.echo("aborted", err=True)
        sys.exit(EXIT_FAILURE)
    except click.UsageError as error:
        command = error.ctx.command_path if error.ctx else "thread-composer"
        message = error_line(error.format_message())
        click.echo(f"{command}: {message} (see {command} --help)", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except click.ClickException as error:
        click.echo(f"thread-composer: {error_line(error.format_message())}", err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception as error:  # a bug: still one line, and never a secret or its locals
        click.echo(
            f"thread-composer: internal error: {type(error).__name__}: {error_line(str(error))}",
            err=True,
        )
        sys.exit(EXIT_FAILURE)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
