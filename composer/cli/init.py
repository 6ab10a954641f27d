"""`init [DIR]`: a working folder to start from (accounts.toml, drafts/ with the example)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import click

from composer.cli.base import safe


@click.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path) -> None:
    """Make FOLDER (default: here) ready: accounts.toml with every example account commented
    out (readable by you alone) and drafts/ with the example draft. A file already there is
    kept as it is."""
    from composer.workspace.starter import make_folder

    result = make_folder(folder)
    for path in result.made:
        click.echo(f"made {safe(str(path))}")
    for path in result.kept:
        click.echo(f"kept {safe(str(path))} (it was there: not changed)")
    click.echo()
    click.echo(next_steps(folder))


def next_steps(folder: Path) -> str:
    """What to do after `init`: an account, a check, the daemon (the unit file written out
    for this folder and this installation)."""
    from composer.workspace.starter import systemd_unit

    where = folder.resolve()
    unit = systemd_unit(where, _this_command())
    here = "" if where == Path.cwd() else f" (in {safe(str(where))})"
    return "\n".join(
        [
            f"Next{here}:",
            "  1. Add an account: in accounts.toml, uncomment one of the example accounts and",
            "     fill it in (each secret as NAME_env or NAME_cmd: the comments there say how).",
            "  2. Check it: thread-composer accounts verify",
            "  3. Start the daemon, which publishes what you schedule: thread-composer daemon,",
            "     or as a systemd user service: save this as",
            "     ~/.config/systemd/user/thread-composer.service",
            "",
            *(f"       {line}" if line else "" for line in safe(unit).splitlines()),
            "",
            "     then: systemctl --user enable --now thread-composer",
        ]
    )


def _this_command() -> str:
    """The `thread-composer` being run (its link in ~/.local/bin for a uv tool or pipx),
    else the one on PATH, else where uv tool and pipx put it."""
    if Path(sys.argv[0]).name == "thread-composer":
        return os.path.abspath(sys.argv[0])  # not resolved: the link survives an upgrade
    return shutil.which("thread-composer") or "%h/.local/bin/thread-composer"
