"""`thread-composer publish` end to end: a real subprocess, loopback platforms, a file database."""

from __future__ import annotations

import itertools
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Fault
from tests.fakes.x import FakeX
from tests.helpers import composer

ROOT = Path(__file__).resolve().parent.parent.parent
MASTODON_TOKEN = "masto-SECRET-0a1b2c"
X_SECRETS = {
    "X_CONSUMER_KEY": "ck-public-1",
    "X_CONSUMER_SECRET": "cs-SECRET-9f8e",
    "X_ACCESS_TOKEN": "at-public-2",
    "X_ACCESS_TOKEN_SECRET": "ats-SECRET-7d6c",
}


@pytest.fixture
def platforms() -> Iterator[tuple[FakeMastodon, FakeX]]:
    mastodon = FakeMastodon(token=MASTODON_TOKEN)
    x = FakeX(
        consumer_key=X_SECRETS["X_CONSUMER_KEY"],
        consumer_secret=X_SECRETS["X_CONSUMER_SECRET"],
        access_token=X_SECRETS["X_ACCESS_TOKEN"],
        access_token_secret=X_SECRETS["X_ACCESS_TOKEN_SECRET"],
    )
    with mastodon.running(), x.running():
        yield mastodon, x


@pytest.fixture
def workspace(tmp_path: Path, platforms: tuple[FakeMastodon, FakeX]) -> Path:
    mastodon, x = platforms
    (tmp_path / "drafts").mkdir()
    draft = (ROOT / "drafts" / "example.md").read_text(encoding="utf-8")
    (tmp_path / "drafts" / "report.md").write_text(draft, encoding="utf-8")
    config = (ROOT / "accounts.example.toml").read_text(encoding="utf-8")
    config = config.replace("https://mastodon.social", mastodon.url)
    config += f"""
[accounts.fake-masto]
platform = "mastodon"
instance = "{mastodon.url}"
access_token_env = "FAKE_MASTODON_TOKEN"

[accounts.fake-x]
platform = "x"
handle = "@ankreports"
base_url = "{x.url}"
consumer_key_env = "X_CONSUMER_KEY"
consumer_secret_env = "X_CONSUMER_SECRET"
access_token_env = "X_ACCESS_TOKEN"
access_token_secret_env = "X_ACCESS_TOKEN_SECRET"
"""
    (tmp_path / "accounts.toml").write_text(config, encoding="utf-8")
    return tmp_path


def run(workspace: Path, *args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """The command in `workspace`, with the fake accounts' secrets (`env` adds or removes)."""
    secrets = {**X_SECRETS, "FAKE_MASTODON_TOKEN": MASTODON_TOKEN, **env}
    return composer(*args, cwd=workspace, db=workspace / "history.sqlite3", env=secrets)


def test_publish_to_two_accounts_then_search_the_history(
    workspace: Path, platforms: tuple[FakeMastodon, FakeX]
) -> None:
    mastodon, x = platforms
    result = run(workspace, "publish", "report", "--account", "fake-masto", "--account", "fake-x")
    assert result.returncode == 0, result.stderr
    assert "fake-masto: published" in result.stdout and "fake-x: published" in result.stdout
    statuses = mastodon.thread()
    assert len(statuses) >= 5
    assert statuses[0]["in_reply_to_id"] is None
    assert all(b["in_reply_to_id"] == a["id"] for a, b in itertools.pairwise(statuses))
    assert len(x.tweets) >= 10
    # Every post's URL was printed.
    assert result.stdout.count("✓ fake-x") == len(x.tweets)

    found = run(workspace, "history", "ballot-box", "--json")
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert {h["account"] for h in hits} == {"fake-masto", "fake-x"}
    assert all("ballot-box" in h["text"].lower() for h in hits)

    # Publishing the same thread again is refused, unless asked.
    again = run(workspace, "publish", "report", "--account", "fake-masto")
    assert again.returncode == 2 and "already has this thread" in again.stderr

    # Secrets reach neither the output nor the database.
    database = (workspace / "history.sqlite3").read_bytes()
    for secret in (
        MASTODON_TOKEN,
        X_SECRETS["X_CONSUMER_SECRET"],
        X_SECRETS["X_ACCESS_TOKEN_SECRET"],
    ):
        assert secret not in result.stdout + result.stderr
        assert secret.encode() not in database


def test_a_failure_is_resumed_by_running_again(
    workspace: Path, platforms: tuple[FakeMastodon, FakeX]
) -> None:
    mastodon, _ = platforms
    mastodon.token = "revoked"  # the account's token stops working after post 1...
    first = run(workspace, "publish", "report", "--account", "fake-masto")
    assert first.returncode == 1
    assert "run the same command again to resume" in first.stderr
    assert "fake-masto" in first.stderr
    assert mastodon.statuses == {}
    mastodon.token = MASTODON_TOKEN  # ...and is fixed
    second = run(workspace, "publish", "report", "--account", "fake-masto")
    assert second.returncode == 0, second.stderr
    statuses = mastodon.thread()
    assert [s["in_reply_to_id"] for s in statuses[1:]] == [s["id"] for s in statuses[:-1]]


def test_dry_run_sends_nothing(workspace: Path, platforms: tuple[FakeMastodon, FakeX]) -> None:
    mastodon, x = platforms
    result = run(workspace, "publish", "report", "--account", "fake-x", "--dry-run", "--json")
    assert result.returncode == 0, result.stderr
    edition = json.loads(result.stdout)["editions"][0]
    assert edition["account"] == "fake-x" and edition["platform"] == "x"
    assert all(p["length"] <= 280 for p in edition["posts"])
    assert x.tweets == {} and mastodon.statuses == {}
    assert not (workspace / "history.sqlite3").exists()


def test_publish_needs_a_real_accounts_file(tmp_path: Path) -> None:
    (tmp_path / "accounts.example.toml").write_text(
        (ROOT / "accounts.example.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "d.md").write_text("Text.", encoding="utf-8")
    result = run(tmp_path, "publish", "d.md", "--account", "ank-x")
    assert result.returncode == 2
    assert "copy it to accounts.toml" in result.stderr


def test_unknown_account_is_one_line(workspace: Path) -> None:
    result = run(workspace, "publish", "report", "--account", "nope")
    assert result.returncode == 2
    assert "unknown account 'nope'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_drop_after_store_is_resolved_without_a_duplicate(
    workspace: Path, platforms: tuple[FakeMastodon, FakeX]
) -> None:
    mastodon, _ = platforms
    mastodon.inject("POST", "/api/v1/statuses", Fault.DROP_AFTER)
    result = run(workspace, "publish", "report", "--account", "fake-masto")
    assert result.returncode == 0, result.stderr
    texts = [s["text"] for s in mastodon.thread()]
    assert len(texts) == len(set(texts))


def test_mastodon_threads_fit_the_instances_own_limit(
    workspace: Path, platforms: tuple[FakeMastodon, FakeX]
) -> None:
    mastodon, _ = platforms
    mastodon.max_characters = 1000
    result = run(workspace, "publish", "report", "--account", "fake-masto", "--dry-run", "--json")
    edition = json.loads(result.stdout)["editions"][0]
    assert edition["limit"] == 1000
    assert max(p["length"] for p in edition["posts"]) > 500
    published = run(workspace, "publish", "report", "--account", "fake-masto")
    assert published.returncode == 0, published.stderr
    assert len(mastodon.statuses) == len(edition["posts"])
