"""`init [DIR]`: a working folder to start from (accounts.toml, drafts/ with the example)."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from composer.cli.base import DEFAULT_DRAFTS, safe


@click.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path) -> None:
    """Make FOLDER (default: here) ready: accounts.toml with every example account commented
    out (readable by you alone) and drafts/ with the example draft. A file already there is
    kept as it is. --config, --drafts and --db put the accounts file and the example where
    they say, and the daemon's unit uses them."""
    from composer.workspace.starter import make_folder

    chosen = _chosen(click.get_current_context().find_root().obj)
    result = make_folder(folder, accounts=chosen.accounts, drafts=chosen.drafts)
    for path in result.made:
        click.echo(f"made {safe(str(path))}")
    for path in result.kept:
        click.echo(f"kept {safe(str(path))} (it was there: not changed)")
    click.echo()
    click.echo(next_steps(folder, chosen))


@dataclass(frozen=True)
class _Chosen:
    """The global options `init` was given, as the daemon's unit must repeat them: paths
    made absolute (from here, as for every command), a URL without its password."""

    accounts: Path | None = None
    drafts: Path | None = None
    database: str | None = None
    password_left_out: bool = False

    def options(self) -> list[str]:
        pairs = (("--config", self.accounts), ("--db", self.database), ("--drafts", self.drafts))
        return [word for flag, value in pairs if value is not None for word in (flag, str(value))]


def _chosen(given: dict[str, str | None]) -> _Chosen:
    from composer.workspace.starter import without_password

    database, left_out = given.get("db"), False
    if database is not None:
        if "://" in database:
            database, left_out = without_password(database)
        else:
            database = os.path.abspath(database)
    accounts, drafts = given.get("config"), given.get("drafts")
    return _Chosen(
        accounts=Path(accounts).absolute() if accounts else None,
        drafts=Path(drafts).absolute() if drafts and drafts != DEFAULT_DRAFTS else None,
        database=database,
        password_left_out=left_out,
    )


def next_steps(folder: Path, chosen: _Chosen | None = None) -> str:
    """What to do after `init`: an account, a check, the daemon (the unit file written out
    for this folder, this installation and the options given)."""
    from composer.workspace.starter import systemd_unit

    chosen = chosen or _Chosen()
    where = folder.resolve()
    unit = systemd_unit(where, _this_command(), chosen.options())
    here = "" if where == Path.cwd() else f" (in {safe(str(where))})"
    password = (
        [
            "     The database's password is not written in the unit: put it in ~/.pgpass",
            "     (hostname:port:database:username:password, mode 0600), where PostgreSQL",
            "     finds it.",
        ]
        if chosen.password_left_out
        else []
    )
    accounts = safe(str(chosen.accounts)) if chosen.accounts else "accounts.toml"
    command = " ".join(["thread-composer", *(shlex.quote(safe(o)) for o in chosen.options())])
    return "\n".join(
        [
            f"Next{here}:",
            f"  1. Add an account: in {accounts}, uncomment one of the example accounts",
            "     and fill it in (each secret as NAME_env or NAME_cmd: the comments there say",
            "     how).",
            f"  2. Check it: {command} accounts verify",
            f"  3. Start the daemon, which publishes what you schedule: {command} daemon,",
            "     or as a systemd user service: save this as",
            "     ~/.config/systemd/user/thread-composer.service",
            "",
            *(f"       {line}" if line else "" for line in safe(unit).splitlines()),
            "",
            "     then: systemctl --user enable --now thread-composer",
            *password,
        ]
    )


def _this_command() -> str:
    """The `thread-composer` being run (its link in ~/.local/bin for a uv tool or pipx),
    else the one on PATH, else where uv tool and pipx put it."""
    if Path(sys.argv[0]).name == "thread-composer":
        return os.path.abspath(sys.argv[0])  # not resolved: the link survives an upgrade
    return shutil.which("thread-composer") or "%h/.local/bin/thread-composer"
