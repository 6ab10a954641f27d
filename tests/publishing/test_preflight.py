"""The pre-flight: every failure before the first request is one line, and leaves nothing
`publishing` (real subprocesses, loopback platforms, a file database)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from tests.fakes.mastodon import FakeMastodon
from tests.fakes.x import FakeX
from tests.publishing import test_cli_publish

# The loopback Mastodon and X, and a workspace with a draft and accounts on them.
platforms = test_cli_publish.platforms
workspace = test_cli_publish.workspace

BROKEN_ACCOUNTS = {
    # An X account whose secret's environment variable is not set.
    "x-env-unset": """
[accounts.broken]
platform = "x"
base_url = "{x}"
consumer_key_env = "PREFLIGHT_UNSET_VARIABLE"
consumer_secret_env = "X_CONSUMER_SECRET"
access_token_env = "X_ACCESS_TOKEN"
access_token_secret_env = "X_ACCESS_TOKEN_SECRET"
""",
    # An X account whose secret command fails.
    "x-cmd-fails": """
[accounts.broken]
platform = "x"
base_url = "{x}"
consumer_key_env = "X_CONSUMER_KEY"
consumer_secret_cmd = "false"
access_token_env = "X_ACCESS_TOKEN"
access_token_secret_env = "X_ACCESS_TOKEN_SECRET"
""",
    # A LinkedIn account whose token's environment variable is not set.
    "linkedin-env-unset": """
[accounts.broken]
platform = "linkedin"
author = "urn:li:organization:2414183"
access_token_env = "PREFLIGHT_UNSET_VARIABLE"
overflow = "comments"
""",
}
CAUSES = {
    "x-env-unset": "PREFLIGHT_UNSET_VARIABLE is not set",
    "x-cmd-fails": "command 'false' failed",
    "linkedin-env-unset": "PREFLIGHT_UNSET_VARIABLE is not set",
}


def run(workspace: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """As test_cli_publish runs it, the variable the broken accounts name left unset."""
    return test_cli_publish.run(workspace, *args, PREFLIGHT_UNSET_VARIABLE=None, **env)


def editions(workspace: Path, database: str = "history.sqlite3") -> list[tuple[str, str]]:
    path = workspace / database
    if not path.exists():
        return []
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        if "editions" not in tables:
            return []
        rows = connection.execute("SELECT account, status FROM editions ORDER BY id")
        return [(str(account), str(status)) for account, status in rows]


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def add_account(workspace: Path, text: str) -> None:
    with (workspace / "accounts.toml").open("a", encoding="utf-8") as config:
        config.write(text)


@pytest.mark.parametrize("case", sorted(BROKEN_ACCOUNTS))
def test_a_broken_account_stops_publish_before_anything_is_written(
    case: str, workspace: Path, platforms: tuple[FakeMastodon, FakeX]
) -> None:
    mastodon, x = platforms
    add_account(workspace, BROKEN_ACCOUNTS[case].format(x=x.url))
    result = run(workspace, "publish", "report", "--account", "fake-masto", "--account", "broken")
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "broken" in line and CAUSES[case] in line
    # Nothing sent, to either account, and no edition written: none is left publishing.
    assert mastodon.statuses == {} and x.tweets == {}
    assert editions(workspace) == []


def test_a_thread_that_cannot_fit_the_instances_limit_is_one_line(
    workspace: Path, platforms: tuple[FakeMastodon, FakeX]
) -> None:
    mastodon, _ = platforms
    mastodon.max_characters = 12  # the instance reports a limit no numbered post fits in
    result = run(workspace, "publish", "report", "--account", "fake-masto")
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "fake-masto" in line and "12 characters" in line
    assert mastodon.statuses == {}
    assert editions(workspace) == []


@pytest.mark.parametrize("how", ["read-only-uri", "read-only-uri-unmigrated", "chmod"])
def test_a_read_only_database_is_one_line_and_exit_1(
    how: str, workspace: Path, platforms: tuple[FakeMastodon, FakeX]
) -> None:
    if how == "chmod" and os.geteuid() == 0:
        pytest.skip("root writes to read-only files: the URI forms cover this case")
    mastodon, _ = platforms
    path = workspace / "history.sqlite3"
    if how.endswith("unmigrated"):
        sqlite3.connect(path).close()  # an empty database: opening it must write the schema
    else:
        assert run(workspace, "history").returncode == 0  # the database, created and migrated
    env: dict[str, str] = {}
    if how == "chmod":
        for file in workspace.glob("history.sqlite3*"):
            file.chmod(stat.S_IRUSR)
        workspace.chmod(stat.S_IRUSR | stat.S_IXUSR)
    else:
        env["COMPOSER_DB"] = f"sqlite:///file:{path}?mode=ro&uri=true"
    try:
        result = run(workspace, "publish", "report", "--account", "fake-masto", **env)
    finally:
        workspace.chmod(stat.S_IRWXU)
    assert result.returncode == 1
    line = one_line(result.stderr)
    assert "readonly" in line or "read-only" in line or "read only" in line
    assert mastodon.statuses == {}
    assert editions(workspace) == []


def test_publish_now_of_a_broken_account_leaves_the_edition_scheduled(
    workspace: Path, platforms: tuple[FakeMastodon, FakeX]
) -> None:
    _, x = platforms
    add_account(workspace, BROKEN_ACCOUNTS["x-env-unset"].format(x=x.url))
    scheduled = run(workspace, "schedule", "report", "--account", "broken", "--in", "1d", "--json")
    assert scheduled.returncode == 0, scheduled.stderr
    edition = json.loads(scheduled.stdout)["editions"][0]
    result = run(workspace, "queue", "publish-now", str(edition["id"]))
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "PREFLIGHT_UNSET_VARIABLE is not set" in line
    assert x.tweets == {}
    assert editions(workspace) == [("broken", "scheduled")]
    queue = json.loads(run(workspace, "queue", "--json").stdout)
    assert [row["at"] for row in queue if row["id"] == edition["id"]] == [edition["at"]]
