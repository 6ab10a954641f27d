"""`publish --follows` and `schedule --follows` as a user runs them, against a loopback
Mastodon: the follow-up replies to the thread's last post and numbers on from it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from composer.store import edition_posts, open_database
from tests.fakes.mastodon import FakeMastodon
from tests.helpers import composer, mastodon_account, write_accounts

TOKEN = "masto-follow-tok-5e6f"


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    server = FakeMastodon(token=TOKEN)
    with server.running():
        yield server


@pytest.fixture
def workspace(tmp_path: Path, mastodon: FakeMastodon) -> Path:
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    (drafts / "report.md").write_text(
        '+++\ntitle = "Report"\ntimezone = "Asia/Almaty"\n+++\n' + "The count was slow. " * 40,
        encoding="utf-8",
    )
    (drafts / "later.md").write_text(
        '+++\ntitle = "Later"\n+++\nObservers were expelled from two stations.\n',
        encoding="utf-8",
    )
    account = mastodon_account(mastodon.url, "TC_TOKEN")
    write_accounts(tmp_path, {"m": account, "other": account})
    return tmp_path


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return composer(*args, cwd=cwd, db=cwd / "h.db", env={"TC_TOKEN": TOKEN})


def published(cwd: Path, draft: str, *args: str) -> int:
    result = run(cwd, "publish", draft, *args, "--json")
    assert result.returncode == 0, result.stderr
    [edition] = json.loads(result.stdout)["editions"]
    assert edition["status"] == "published"
    return int(edition["id"])


def texts(cwd: Path, edition_id: int) -> list[str]:
    db = open_database(str(cwd / "h.db"))
    try:
        return [p.text for p in edition_posts(db, edition_id)]
    finally:
        db.close()


def test_publish_a_follow_up_to_a_published_thread(workspace: Path, mastodon: FakeMastodon) -> None:
    parent = published(workspace, "report", "--account", "m")
    count = len(texts(workspace, parent))
    assert count >= 2
    number = count + 1

    preview = run(workspace, "publish", "later", "--follows", str(parent), "--dry-run")
    assert preview.returncode == 0, preview.stderr
    assert f"would publish to m, continuing edition {parent}" in preview.stdout
    assert f"{number}/{number} Observers were expelled" in preview.stdout

    follow = published(workspace, "later", "--follows", str(parent))  # m, from the edition
    assert texts(workspace, follow) == [
        f"{number}/{number} Observers were expelled from two stations."
    ]
    thread = mastodon.thread()
    assert [s["text"] for s in thread][-1].startswith(f"{number}/{number} ")
    assert thread[-1]["in_reply_to_id"] == thread[-2]["id"]  # the parent's last post
    assert thread[-2]["text"].startswith(f"{count}/{count} ")

    queue = json.loads(run(workspace, "queue", "--all", "--json").stdout)
    follows = {row["id"]: row["follows"] for row in queue}
    assert follows[follow] == parent and follows[parent] is None

    update = published(workspace, "later", "--follows", str(follow), "--update", "--again")
    assert texts(workspace, update) == ["UPDATE: Observers were expelled from two stations."]
    assert mastodon.thread()[-1]["in_reply_to_id"] == thread[-1]["id"]


def test_schedule_a_follow_up_to_a_scheduled_thread(workspace: Path) -> None:
    first = run(workspace, "schedule", "report", "--account", "m", "--in", "1h", "--json")
    assert first.returncode == 0, first.stderr
    [parent] = json.loads(first.stdout)["editions"]
    count = len(texts(workspace, parent["id"]))

    later = run(
        workspace, "schedule", "later", "--follows", str(parent["id"]), "--in", "2h", "--json"
    )
    assert later.returncode == 0, later.stderr
    [follow] = json.loads(later.stdout)["editions"]
    assert follow["account"] == "m"
    assert texts(workspace, follow["id"])[0].startswith(f"{count + 1}/{count + 1} ")

    human = run(workspace, "queue")
    assert f"(follows {parent['id']})" in human.stdout
    rows = {row["id"]: row for row in json.loads(run(workspace, "queue", "--json").stdout)}
    assert rows[follow["id"]]["follows"] == parent["id"]

    update = run(
        workspace, "schedule", "later", "--follows", str(parent["id"]), "--update", "--in", "2h",
        "--json",
    )  # fmt: skip
    [marked] = json.loads(update.stdout)["editions"]
    assert texts(workspace, marked["id"])[0].startswith("UPDATE: ")

    # Before the thread it continues, a follow-up could only wait: refused.
    early = run(workspace, "schedule", "later", "--follows", str(parent["id"]), "--in", "30m")
    assert early.returncode == 2 and "schedule its follow-up at that time or later" in early.stderr

    # Publishing now after a thread that is only scheduled is refused: schedule it instead.
    now = run(workspace, "publish", "later", "--follows", str(parent["id"]))
    assert now.returncode == 2 and "not published yet" in now.stderr


BAD = [
    (("--follows", "999"), "no edition 999 to follow"),
    (("--follows", "{parent}", "--account", "other"), "only the same account"),
    (("--follows", "{cancelled}"), "is cancelled: a follow-up cannot continue it"),
    (("--update",), "--update marks a follow-up: give --follows EDITION_ID too"),
]
PUBLISH_ONLY = [
    (("--follows", "{parent}", "--atomic"), "a follow-up is sent post by post"),
]


def test_bad_follow_ups_are_refused_in_one_line(workspace: Path) -> None:
    scheduled = run(workspace, "schedule", "report", "--account", "m", "--in", "1h", "--json")
    [parent] = json.loads(scheduled.stdout)["editions"]
    gone = run(workspace, "schedule", "report", "--account", "m", "--in", "3h", "--again", "--json")
    [cancelled] = json.loads(gone.stdout)["editions"]
    assert run(workspace, "queue", "cancel", str(cancelled["id"])).returncode == 0
    for args, message in BAD:
        filled = [a.format(parent=parent["id"], cancelled=cancelled["id"]) for a in args]
        for command in (["schedule", "later", "--in", "2h"], ["publish", "later", "--dry-run"]):
            result = run(workspace, *command, *filled)
            assert result.returncode == 2, (command, filled, result.stdout, result.stderr)
            assert message in result.stderr
            assert len(result.stderr.strip().splitlines()) == 1
    for args, message in PUBLISH_ONLY:
        filled = [a.format(parent=parent["id"]) for a in args]
        result = run(workspace, "publish", "later", *filled)
        assert result.returncode == 2 and message in result.stderr
    assert len(json.loads(run(workspace, "queue", "--json").stdout)) == 1  # nothing added
