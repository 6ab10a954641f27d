"""`--config`, `--db` and `--drafts` before the command and after it (issue 18): the same
options on every command and subcommand, the one after the command winning."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import click

from composer.cli import COMMANDS, cli
from composer.cli.base import GLOBAL_OPTIONS
from tests.helpers import ROOT, composer

EXAMPLE = ROOT / "drafts" / "example.md"
EXAMPLE_CONFIG = ROOT / "accounts.example.toml"


def every_command() -> Iterator[tuple[str, click.Command]]:
    """Each command and subcommand as the group hands it out, by its path."""
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        yield name, command
        if isinstance(command, click.Group):
            for sub_name, subcommand in command.commands.items():
                yield f"{name} {sub_name}", subcommand


def test_every_command_takes_the_global_options_with_the_groups_help() -> None:
    ctx = click.Context(cli)
    on_group = {param.opts[0]: param.help for param in cli.get_params(ctx)}
    paths = []
    for path, command in every_command():
        params = command.get_params(click.Context(command))
        flags = [flag for param in params for flag in param.opts]
        taken = {param.opts[0]: param.help for param in params}
        for option in GLOBAL_OPTIONS:
            assert flags.count(option.flag) == 1, (path, option.flag)
            assert taken[option.flag] == on_group[option.flag] == option.help
        paths.append(path)
    assert {"split", "draft new", "queue cancel", "notify test", "daemon"} <= set(paths)


def test_publish_takes_config_after_the_command(tmp_path: Path) -> None:
    # The issue's own command line: before, "No such option '--config'".
    result = composer(
        "publish", "example", "--account", "ank-x", "--dry-run",
        "--config", str(EXAMPLE_CONFIG), "--drafts", str(ROOT / "drafts"),
        cwd=tmp_path, db=tmp_path / "h.sqlite3",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "1/" in result.stdout or "2/" in result.stdout


def test_split_takes_them_after_and_the_one_after_wins(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.toml")
    args = ("split", str(EXAMPLE), "-p", "x", "--json")
    after_wins = composer("--config", missing, *args, "--config", str(EXAMPLE_CONFIG))
    assert after_wins.returncode == 0, after_wins.stderr
    # The example's contacts and terms were used: the file given after the command.
    assert "#Kazakhstan" in json.loads(after_wins.stdout)["posts"][0]["text"]
    before_loses = composer("--config", str(EXAMPLE_CONFIG), *args, "--config", missing)
    assert before_loses.returncode == 2
    assert "missing.toml: no such file" in before_loses.stderr


def test_after_the_command_wins_over_the_environment(tmp_path: Path) -> None:
    composer("draft", "new", "Statement", cwd=tmp_path, db=tmp_path / "h.sqlite3")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # COMPOSER_DB names a folder (no database can be opened there); --db after wins.
    env = {"COMPOSER_DB": str(elsewhere)}
    result = composer("history", "--json", "--db", str(tmp_path / "h.sqlite3"), env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert composer("history", "--json", env=env).returncode != 0


def test_drafts_and_db_after_subcommands(tmp_path: Path) -> None:
    drafts, db = tmp_path / "team-drafts", tmp_path / "team.sqlite3"
    created = composer("draft", "new", "Statement", "--drafts", str(drafts), cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert (drafts / "statement.md").is_file() and not (tmp_path / "drafts").exists()
    listed = composer("draft", "list", "--json", "--drafts", str(drafts), cwd=tmp_path)
    assert [d["name"] for d in json.loads(listed.stdout)] == ["statement"]
    # A subcommand of a group, and the group itself, each take --db after their name.
    cancelled = composer("queue", "cancel", "7", "--db", str(db), cwd=tmp_path)
    assert cancelled.returncode == 2 and "no edition 7" in cancelled.stderr
    assert db.is_file()
    queued = composer("queue", "--db", str(db), "--json", cwd=tmp_path)
    assert queued.returncode == 0 and json.loads(queued.stdout) == []


def test_a_commands_help_lists_them() -> None:
    result = composer("queue", "cancel", "--help")
    assert result.returncode == 0
    for option in GLOBAL_OPTIONS:
        assert f"{option.flag} {option.metavar}" in result.stdout
