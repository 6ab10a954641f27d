"""`thread-composer init [DIR]`: a working folder from nothing, never a file written over."""

from __future__ import annotations

import json
import re
import shlex
import stat
from pathlib import Path

from composer.workspace.config import load_config, parse_config
from composer.workspace.starter import example_text, starter_accounts
from tests.helpers import ROOT, composer

EXAMPLE_ACCOUNTS = (ROOT / "accounts.example.toml").read_text(encoding="utf-8")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_makes_a_folder_that_works(tmp_path: Path) -> None:
    folder = tmp_path / "newsroom"
    result = composer("init", str(folder), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    accounts, draft = folder / "accounts.toml", folder / "drafts" / "example.md"
    assert f"made {accounts}" in result.stdout and f"made {draft}" in result.stdout
    assert mode(accounts) == 0o600
    assert draft.read_text(encoding="utf-8") == (ROOT / "drafts" / "example.md").read_text()
    # The next three steps, the daemon's unit file written for this folder.
    steps = result.stdout.split("Next", 1)[1]
    assert "thread-composer accounts verify" in steps
    assert f"WorkingDirectory={folder}" in steps and "ExecStart=" in steps
    assert "systemctl --user enable --now thread-composer" in steps
    # The accounts file loads, with no account on, and its documentation kept.
    config = load_config(accounts)
    assert config.accounts == {} and "hrw" in config.contacts
    assert "SECRETS. Every secret" in accounts.read_text(encoding="utf-8")
    # And the folder works: the draft split with that file's contacts and terms.
    split = composer(
        "--config", str(accounts), "split", str(draft), "-p", "bluesky", "--json", cwd=tmp_path
    )  # fmt: skip
    assert split.returncode == 0, split.stderr
    assert split.stderr == ""  # no note that the example's accounts file is used
    first = json.loads(split.stdout)["posts"][0]["text"]
    assert "@hrw.org" in first and "#Kazakhstan" in first


def test_init_keeps_every_file_already_there(tmp_path: Path) -> None:
    own = '[accounts.ours]\nplatform = "mastodon"\n'
    (tmp_path / "accounts.toml").write_text(own, encoding="utf-8")
    (tmp_path / "accounts.toml").chmod(0o640)
    result = composer("init", cwd=tmp_path)  # DIR defaults to here
    assert result.returncode == 0, result.stderr
    assert "kept accounts.toml (it was there: not changed)" in result.stdout
    assert "made drafts/example.md" in result.stdout
    assert (tmp_path / "accounts.toml").read_text(encoding="utf-8") == own
    assert mode(tmp_path / "accounts.toml") == 0o640
    # A draft of the same name is the user's too.
    (tmp_path / "drafts" / "example.md").write_text("mine\n", encoding="utf-8")
    again = composer("init", ".", cwd=tmp_path)
    assert again.returncode == 0
    assert again.stdout.count("kept ") == 2 and "made " not in again.stdout
    assert (tmp_path / "drafts" / "example.md").read_text(encoding="utf-8") == "mine\n"


def test_a_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a folder\n")
    result = composer("init", str(tmp_path / "taken" / "newsroom"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("thread-composer: cannot make ")
    assert len(result.stderr.splitlines()) == 1


def test_no_example_account_is_on_until_its_hashes_are_taken_away() -> None:
    starter = starter_accounts(EXAMPLE_ACCOUNTS)
    assert parse_config(starter).accounts == {}
    assert not re.search(r"^\s*\[accounts\.", starter, flags=re.MULTILINE)
    # Taking away the "#" put right before each line gives the example's accounts back,
    # the optional keys ("# key") still off.
    restored = re.sub(r"^#(?=[^\s#])", "", starter, flags=re.MULTILINE)
    assert list(parse_config(restored).accounts) == list(parse_config(EXAMPLE_ACCOUNTS).accounts)
    assert without_header(restored) == without_header(EXAMPLE_ACCOUNTS)


def without_header(accounts_file: str) -> list[str]:
    """The lines of an accounts file after the first paragraph of its header (which `init`
    changes: it says how to use the file instead of how to copy it)."""
    lines = accounts_file.splitlines()
    return lines[lines.index("#", 2) :]


def test_the_examples_are_the_repositorys() -> None:
    assert example_text("accounts.example.toml") == EXAMPLE_ACCOUNTS
    assert example_text("example.md") == (ROOT / "drafts" / "example.md").read_text()


def _unit_command(stdout: str) -> list[str]:
    """The unit's ExecStart, split as systemd splits it (quotes, then `%%` and `$$`)."""
    line = next(line.strip() for line in stdout.splitlines() if "ExecStart=" in line)
    words = shlex.split(line.removeprefix("ExecStart="))
    return [word.replace("%%", "%").replace("$$", "$") for word in words]


def test_init_puts_files_where_the_options_say_and_the_unit_repeats_them(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "news room"  # a space, and a % systemd would read as a specifier
    result = composer(
        "init", str(folder), "--config", "team 100%.toml", "--drafts", "reports",
        "--db", "history.sqlite3", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    accounts, draft = tmp_path / "team 100%.toml", tmp_path / "reports" / "example.md"
    assert mode(accounts) == 0o600 and draft.is_file() and folder.is_dir()
    assert not (folder / "accounts.toml").exists() and not (folder / "drafts").exists()
    command = _unit_command(result.stdout)
    assert command[1:] == [
        "--config", str(accounts), "--db", str(tmp_path / "history.sqlite3"),
        "--drafts", str(tmp_path / "reports"), "daemon",
    ]  # fmt: skip
    assert f"WorkingDirectory={folder}" in result.stdout
    assert f"in {accounts}, uncomment" in result.stdout
    # The check the steps tell to run finds that file (no example account is on yet).
    verify = next(line for line in result.stdout.splitlines() if "accounts verify" in line)
    words = shlex.split(verify.split("Check it: ", 1)[1])
    checked = composer(*words[1:], cwd=tmp_path)
    assert f"no accounts in {accounts}" in checked.stderr, checked


def test_a_database_password_is_never_printed_nor_put_in_the_unit(tmp_path: Path) -> None:
    url = "postgresql+psycopg://team:s3cr%40t@db.example:5432/news"
    result = composer("init", str(tmp_path), env={"COMPOSER_DB": url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "s3cr" not in result.stdout + result.stderr
    command = _unit_command(result.stdout)
    assert command[command.index("--db") + 1] == "postgresql+psycopg://team@db.example:5432/news"
    assert "~/.pgpass" in result.stdout
