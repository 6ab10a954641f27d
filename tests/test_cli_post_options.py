"""Per-network settings as a user gives them (front matter, account defaults, flags), against
a strict loopback Mastodon: shown by `--dry-run` and `split --json`, recorded with the
edition, sent on every post, kept by a resume and by a follow-up."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Request, Response
from tests.helpers import composer, mastodon_account, write_accounts

TOKEN = "masto-options-tok-9a1c"
STATUSES = "/api/v1/statuses"
BODY = "The count was slow.\n---\nObservers were kept out.\n---\nTwo were detained.\n"
FRONT = (
    'title = "Report"\nlanguage = "kk"\nvisibility = "unlisted"\n'
    'content_warning = "Detentions"\nreplies = "nobody"\n'
)


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    server = FakeMastodon(token=TOKEN)
    with server.running():
        yield server


def draft(folder: Path, name: str, front: str, body: str = BODY) -> Path:
    path = folder / "drafts" / f"{name}.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"+++\n{front}+++\n{body}", encoding="utf-8")
    return path


@pytest.fixture
def workspace(tmp_path: Path, mastodon: FakeMastodon) -> Path:
    # The account asks for private replies: the draft does not say, so the account's stands.
    account = mastodon_account(mastodon.url, "TC_TOKEN", reply_visibility="private")
    write_accounts(tmp_path, {"m": account})
    draft(tmp_path, "report", FRONT)
    return tmp_path


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return composer(*args, cwd=cwd, db=cwd / "h.db", env={"TC_TOKEN": TOKEN})


def sent(mastodon: FakeMastodon) -> list[tuple[str, str, str | None]]:
    return [(s["visibility"], s["spoiler_text"], s["language"]) for s in mastodon.thread()]


def test_dry_run_and_split_show_the_resolved_options(workspace: Path) -> None:
    shown = run(workspace, "publish", "report", "--account", "m", "--dry-run", "--json")
    assert shown.returncode == 0, shown.stderr
    [edition] = json.loads(shown.stdout)["editions"]
    assert edition["options"] == {
        "language": "kk",
        "visibility": "unlisted",
        "reply_visibility": "private",
        "content_warning": "Detentions",
    }
    assert (
        "Mastodon has no control of who may reply: replies is not used there"
        in (edition["warnings"])
    )
    # The content warning's room is taken from every post.
    assert edition["limit"] == 500 - len("Detentions")

    split = run(workspace, "split", "drafts/report.md", "-p", "x", "--json", "--cw", "Other")
    assert split.returncode == 0, split.stderr
    payload = json.loads(split.stdout)
    assert payload["options"] == {"replies": "mentioned"}
    assert (
        payload["warnings"].count(
            'X has no replies = "nobody": using "mentioned" (only the accounts mentioned may reply)'
        )
        == 1
    )


def test_a_resume_sends_the_recorded_options_not_the_changed_draft(
    workspace: Path, mastodon: FakeMastodon
) -> None:
    """Post 2 is refused: the edition stops. The draft's settings change; the run that
    resumes it sends posts 2 and 3 with the settings the edition was recorded with."""
    original = mastodon.create_status
    calls = {"n": 0}

    def create(request: Request) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            return Response(422, {"error": "Validation failed: refused once by the test"})
        return original(request)

    mastodon.route("POST", STATUSES, mastodon._api(create))
    stopped = run(workspace, "publish", "report", "--account", "m")
    assert stopped.returncode == 1
    assert len(mastodon.thread()) == 1
    mastodon.route("POST", STATUSES, mastodon._api(original))

    draft(workspace, "report", FRONT.replace('"kk"', '"ru"') + 'reply_visibility = "public"\n')
    resumed = run(workspace, "publish", "report", "--account", "m")
    assert resumed.returncode == 0, resumed.stderr
    assert sent(mastodon) == [
        ("unlisted", "Detentions", "kk"),
        ("private", "Detentions", "kk"),
        ("private", "Detentions", "kk"),
    ]


def test_flags_win_and_a_follow_up_keeps_the_thread_options_unless_its_draft_says(
    workspace: Path, mastodon: FakeMastodon
) -> None:
    first = run(workspace, "publish", "report", "--account", "m", "--cw", "Arrests", "--json")
    assert first.returncode == 0, first.stderr
    [edition] = json.loads(first.stdout)["editions"]
    assert {s[1] for s in sent(mastodon)} == {"Arrests"}

    draft(workspace, "later", 'title = "Later"\n', "Both were released.\n")
    follow = run(workspace, "publish", "later", "--follows", str(edition["id"]))
    assert follow.returncode == 0, follow.stderr
    assert sent(mastodon)[-1] == ("private", "Arrests", "kk")

    draft(workspace, "again", 'title = "Again"\ncontent_warning = "Court"\n', "Trial set.\n")
    other = run(workspace, "publish", "again", "--follows", str(edition["id"]))
    assert other.returncode == 0, other.stderr
    assert sent(mastodon)[-1] == ("private", "Court", "kk")


def test_a_bad_setting_is_one_line_naming_the_draft_line(workspace: Path) -> None:
    draft(workspace, "bad", 'title = "Bad"\nvisibility = "direct"\n')
    result = run(workspace, "publish", "bad", "--account", "m", "--dry-run")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.endswith(
        "bad.md:3: visibility must be one of public, unlisted, private, not 'direct'"
    )
    flag = run(workspace, "split", "drafts/report.md", "-p", "x", "--language", "Kazakh")
    assert flag.returncode == 2
    [line] = flag.stderr.strip().splitlines()
    assert "language must be a language code like 'en'" in line
