"""The CLI catches thread-composer's own errors (`ComposerError`) as one family, in one place:
whatever command lets one through, the user sees one terminal-safe, redacted line
`thread-composer: <message>` and exit 2 when their input is at fault, else 1; never a
traceback, never "internal error" (that is for bugs)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from composer.errors import ComposerError
from composer.platforms.base import Refused
from composer.publishing import PreflightError
from composer.recurring import RuleError
from composer.scheduling import ScheduleError
from composer.store import DatabaseFailure, StoreError, open_database
from composer.store.claims import ClaimLost
from composer.workspace.config import ConfigError
from composer.workspace.when import WhenError
from tests.tui.data_fixtures import recurring_rule, scheduled

OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"  # writes the clipboard
RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
TOKEN = "tk7q-errors"


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int | str | None, str]:
    """`thread-composer ARGS` in this process: its exit code and its standard error."""
    from composer.cli import main

    with pytest.raises(SystemExit) as exited:
        main(args)
    return exited.value.code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (DatabaseFailure, 1),
        (StoreError, 1),
        (ClaimLost, 1),
        (Refused, 1),
        (ComposerError, 1),
        (ConfigError, 2),
        (ScheduleError, 2),
        (RuleError, 2),
        (WhenError, 2),
        (PreflightError, 2),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_a_composer_error_no_command_handles_is_one_safe_line(
    error: type[ComposerError],
    code: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import composer.store
    from composer.redaction import forget_secrets, register_secret

    def raising(*args: object, **kwargs: object) -> None:
        raise error(f"refused near {TOKEN}{OSC52}\nsecond line")

    monkeypatch.setattr(composer.store, "search", raising)
    monkeypatch.setenv("COMPOSER_DB", str(tmp_path / "h.sqlite3"))
    register_secret(TOKEN)
    try:
        exit_code, err = run_main(["history"], capsys)
    finally:
        forget_secrets()
    assert exit_code == code
    assert err.startswith("thread-composer: refused near [REDACTED]"), err
    assert err.endswith(" second line\n") and err.count("\n") == 1
    assert "internal error" not in err and "Traceback" not in err
    assert TOKEN not in err and not RAW_CONTROL.search(err), ascii(err)


def test_bad_input_is_the_value_error_branch() -> None:
    assert ScheduleError("x").bad_input and ConfigError("x").bad_input
    assert not DatabaseFailure("x").bad_input and not Refused("x").bad_input


@pytest.fixture
def read_only_queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A database with a scheduled edition and a recurring rule (of the draft `weekly` for
    the account `masto`), then opened read-only (a SQLite URI: even root cannot write
    through it), as the commands below see it."""
    path = tmp_path / "history.sqlite3"
    db = open_database(str(path))
    try:
        edition = scheduled(db, datetime.now(UTC) + timedelta(days=1))
        rule = recurring_rule(db, tmp_path)
    finally:
        db.close()
    monkeypatch.setenv("COMPOSER_DB", f"sqlite:///file:{path}?mode=ro&uri=true")
    monkeypatch.setenv("COMPOSER_CONFIG", str(tmp_path / "accounts.toml"))
    return {"edition": str(edition), "rule": str(rule), "drafts": str(tmp_path / "drafts")}


@pytest.mark.parametrize(
    "args",
    [
        ["queue", "cancel", "{edition}"],
        ["queue", "move", "{edition}", "--at", "2099-01-01 09:00"],
        ["queue", "stop", "{rule}"],
        ["--drafts", "{drafts}", "schedule", "weekly", "--every", "daily 10:00", "--account=masto"],
    ],
    ids=["cancel", "move", "stop", "every"],
)
def test_a_database_that_refuses_the_write_is_a_runtime_failure(
    args: list[str],
    read_only_queue: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The commands that read a missing id as bad input (exit 2) still let a failing
    database be what it is: exit 1, not 'your input is wrong'."""
    filled = [arg.format(**read_only_queue) for arg in args]
    exit_code, err = run_main(filled, capsys)
    assert exit_code == 1, err
    assert err.startswith("thread-composer: database ") and err.count("\n") == 1, err
    assert "readonly" in err or "read-only" in err or "read only" in err


def test_a_missing_id_is_still_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COMPOSER_DB", str(tmp_path / "h.sqlite3"))
    exit_code, err = run_main(["queue", "cancel", "999"], capsys)
    assert (exit_code, err) == (2, "thread-composer: no edition 999\n")


def test_a_database_failing_while_reading_the_followed_edition_is_a_runtime_failure(
    read_only_queue: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import composer.publishing.plans

    def locked(*args: object, **kwargs: object) -> None:
        raise DatabaseFailure("database h.sqlite3 failed: database is locked")

    monkeypatch.setattr(composer.publishing.plans, "followable", locked)
    drafts, edition = read_only_queue["drafts"], read_only_queue["edition"]
    args = ["--drafts", drafts, "publish", "weekly", "--follows", edition, "--dry-run"]
    exit_code, err = run_main(args, capsys)
    assert exit_code == 1
    assert err == "thread-composer: database h.sqlite3 failed: database is locked\n"


def test_a_command_ending_with_an_exit_code_ends_the_process_with_it() -> None:
    """The TUI ends `thread-composer` with Exit(app.return_code): a crash must not exit 0
    (click, without standalone mode, returns that code instead of raising it)."""
    import click

    from composer.cli import cli, main

    def crashed() -> None:
        raise click.exceptions.Exit(3)

    cli.add_command(click.Command("crashed-for-test", callback=crashed))
    try:
        with pytest.raises(SystemExit) as ended:
            main(["crashed-for-test"])
        assert ended.value.code == 3
        with pytest.raises(SystemExit) as ended:
            main(["--help"])
        assert ended.value.code == 0
    finally:
        cli.commands.pop("crashed-for-test")
