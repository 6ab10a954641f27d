"""Shell completion as a shell asks for it (`_THREAD_COMPOSER_COMPLETE=bash_complete` with
`COMP_WORDS` and `COMP_CWORD`): commands, draft names, account and contact names, edition
and rule ids; the scripts `completion bash|zsh|fish` print; nothing (and no traceback) when
the accounts file or the database cannot be read; no heavy module imported."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from composer.store import Database, EditionStatus, cancel, create_recurrence, set_edition_status
from tests.helpers import ROOT, composer, composer_env, scheduled_edition

AT = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
ACCOUNTS = """
[accounts.ank-masto]
platform = "mastodon"
instance = "https://mastodon.social"
access_token_cmd = "sh -c 'echo never run >&2; exit 3'"

[accounts.ank-x]
platform = "x"
consumer_key_env = "A"
consumer_secret_env = "B"
access_token_env = "C"
access_token_secret_env = "D"

[contacts.hrw]
name = "Human Rights Watch"
x = "@hrw"

[contacts.osce]
name = "OSCE"
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "drafts").mkdir()
    for name in ("osce-report", "outlook", "budget"):
        (tmp_path / "drafts" / f"{name}.md").write_text("A report.\n", encoding="utf-8")
    (tmp_path / "drafts" / ".#osce-report.md").write_text("", encoding="utf-8")  # a lock file
    (tmp_path / "accounts.toml").write_text(ACCOUNTS, encoding="utf-8")
    return tmp_path


def complete(folder: Path, line: str, *, shell: str = "bash", db: Path | None = None) -> list[str]:
    """What the shell would be offered for `line` (the word being typed is its last; a line
    ending in a space completes a new word): values only, in order."""
    result = ask(folder, line, shell=shell, db=db)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    lines = result.stdout.splitlines()
    if shell == "bash":  # "type,value"
        return [entry.split(",", 1)[1] for entry in lines if entry]
    return lines[1::3]  # zsh: type, value, help


def ask(
    folder: Path, line: str, *, shell: str = "bash", db: Path | None = None
) -> subprocess.CompletedProcess[str]:
    words = line.split() + ([""] if line.endswith(" ") else [])
    env = {
        "COMP_WORDS": " ".join(words),
        "COMP_CWORD": str(len(words) - 1),
        "_THREAD_COMPOSER_COMPLETE": f"{shell}_complete",
    }
    return composer(cwd=folder, db=db, env=env)


def test_commands_and_options(workspace: Path) -> None:
    assert complete(workspace, "thread-composer acc") == ["accounts"]
    assert "completion" in complete(workspace, "thread-composer ")
    assert complete(workspace, "thread-composer accounts ") == ["list", "verify"]
    assert "--dry-run" in complete(workspace, "thread-composer publish osce-report --")


def test_draft_names_from_the_drafts_folder(workspace: Path) -> None:
    assert complete(workspace, "thread-composer publish ") == ["budget", "osce-report", "outlook"]
    assert complete(workspace, "thread-composer schedule o") == ["osce-report", "outlook"]
    assert complete(workspace, "thread-composer draft show b") == ["budget"]
    (workspace / "elsewhere").mkdir()
    (workspace / "elsewhere" / "other.md").write_text("x\n", encoding="utf-8")
    line = "thread-composer --drafts elsewhere draft edit "
    assert complete(workspace, line) == ["other"]


def test_account_and_contact_names_without_reading_a_secret(workspace: Path) -> None:
    assert complete(workspace, "thread-composer accounts verify ") == ["ank-masto", "ank-x"]
    assert complete(workspace, "thread-composer publish budget --account ank-m") == ["ank-masto"]
    assert complete(workspace, "thread-composer history --account ") == ["ank-masto", "ank-x"]
    assert complete(workspace, "thread-composer split r.md -p x --mention ") == ["hrw", "osce"]
    zsh = ask(workspace, "thread-composer queue --account ank-x", shell="zsh").stdout
    assert zsh.splitlines() == ["plain", "ank-x", "x"]  # the platform as its description


def test_another_accounts_file(workspace: Path) -> None:
    other = workspace / "other.toml"
    other.write_text(
        '[accounts.solo]\nplatform = "bluesky"\nhandle = "a.bsky.social"\n'
        'app_password_env = "BSKY"\n'
    )
    line = f"thread-composer --config {other} accounts verify "
    assert complete(workspace, line) == ["solo"]


@pytest.mark.parametrize(
    "broken",
    [
        "[accounts.x\nplatform =",  # not TOML
        '[accounts.x]\nplatfrom = "x"\n',  # a misspelled key
        "\xff\xfe",  # not UTF-8
    ],
)
def test_a_broken_accounts_file_completes_nothing(workspace: Path, broken: str) -> None:
    (workspace / "accounts.toml").write_bytes(broken.encode("utf-8", "surrogateescape"))
    for shell in ("bash", "zsh", "fish"):
        result = ask(workspace, "thread-composer accounts verify ", shell=shell)
        assert result.returncode == 0
        assert result.stdout.strip() == "" and result.stderr == ""


def test_edition_and_rule_ids_from_the_history(
    workspace: Path, db: Database, db_path: Path
) -> None:
    waiting = scheduled_edition(db, AT, account="ank-x", title="OSCE report")
    published = scheduled_edition(db, AT, account="ank-x", title="Budget")
    set_edition_status(db, published, EditionStatus.PUBLISHED)
    called_off = scheduled_edition(db, AT, account="ank-x", title="Outlook")
    cancel(db, called_off)
    rule = create_recurrence(
        db, draft_path="drafts/budget.md", account="ank-x", rule="0 9 * * 1", zone="UTC", next_at=AT
    ).id

    def ids(line: str) -> list[str]:
        return complete(workspace, line, db=db_path)

    assert ids("thread-composer queue cancel ") == [str(waiting)]
    assert ids("thread-composer queue publish-now ") == [str(waiting)]
    assert ids("thread-composer retract ") == [str(published)]
    assert ids("thread-composer publish budget --follows ") == [str(published), str(waiting)]
    assert ids("thread-composer queue stop ") == [str(rule)]
    zsh = ask(workspace, "thread-composer retract ", shell="zsh", db=db_path).stdout
    assert zsh.splitlines() == ["plain", str(published), "ank-x · published · Budget"]


def test_no_database_completes_nothing_and_creates_none(workspace: Path, tmp_path: Path) -> None:
    missing = tmp_path / "none" / "history.sqlite3"
    assert complete(workspace, "thread-composer retract ", db=missing) == []
    assert not missing.exists() and not missing.parent.exists()
    not_ours = tmp_path / "notes.sqlite3"
    not_ours.write_text("not a database", encoding="utf-8")
    assert complete(workspace, "thread-composer queue cancel ", db=not_ours) == []
    assert not_ours.read_text(encoding="utf-8") == "not a database"


def test_completion_imports_no_database_engine_ui_or_network(
    workspace: Path, db_path: Path
) -> None:
    heavy = ["sqlalchemy", "sqlmodel", "alembic", "textual", "httpx", "rich", "PIL"]
    code = (
        "import sys\n"
        "from composer.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print([m for m in {heavy!r} if m in sys.modules], file=sys.stderr)\n"
    )
    for words, cword in (
        ("thread-composer retract ", "2"),
        ("thread-composer accounts verify ", "3"),
        ("thread-composer queue --account ", "3"),
    ):
        env = {
            "COMP_WORDS": words,
            "COMP_CWORD": cword,
            "_THREAD_COMPOSER_COMPLETE": "zsh_complete",
        }
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=workspace,
            env=composer_env(db_path, env),
            timeout=60,
        )
        assert result.stderr.strip() == "[]", (words, result.stderr)


@pytest.mark.parametrize(
    ("shell", "marks"),
    [
        ("bash", ["complete -o nosort -F _thread_composer_completion thread-composer"]),
        ("zsh", ["#compdef thread-composer", "_THREAD_COMPOSER_COMPLETE=zsh_complete"]),
        ("fish", ["complete --no-files --command thread-composer", "=fish_complete"]),
    ],
)
def test_the_scripts(shell: str, marks: list[str]) -> None:
    result = composer("completion", shell)
    assert result.returncode == 0, result.stderr
    for mark in marks:
        assert mark in result.stdout
    assert "_THREAD_COMPOSER_COMPLETE" in result.stdout


def test_an_unknown_shell_is_bad_input() -> None:
    result = composer("completion", "tcsh")
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1


def test_the_bash_script_completes_in_bash(workspace: Path) -> None:
    """The script sourced in a real bash: its function asks the program and fills COMPREPLY."""
    program = Path(sys.executable).parent / "thread-composer"
    if not program.exists():
        pytest.skip("no thread-composer script beside this Python")
    script = composer("completion", "bash").stdout
    test = (
        f"{script}\n"
        "COMP_WORDS=(thread-composer publish o); COMP_CWORD=2\n"
        f"_thread_composer_completion {program}\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", test],
        capture_output=True,
        text=True,
        cwd=workspace,
        env=composer_env(),
        timeout=60,
    )
    assert result.stdout.splitlines() == ["osce-report", "outlook"], result.stderr
    assert ROOT.exists()  # the tests' own checkout, for the command line above
