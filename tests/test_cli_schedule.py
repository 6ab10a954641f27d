"""`schedule` and `queue` as a user runs them (the daemon that sends them comes later)."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fakes.mastodon import FakeMastodon
from tests.helpers import (
    TomlValue,
    composer,
    mastodon_account,
    scheduled_edition,
    write_accounts,
    x_account,
)

ROOT = Path(__file__).resolve().parent.parent


def run(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return composer(*args, cwd=cwd, db=cwd / "h.sqlite3", env=env)


def report_workspace(tmp_path: Path, **x_keys: TomlValue) -> Path:
    """drafts/report.md (in Almaty) and the accounts ank-x (with `x_keys`) and ank-masto."""
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "report.md").write_text(
        '+++\ntitle = "Report"\ntimezone = "Asia/Almaty"\n+++\n' + "The count was slow. " * 30,
        encoding="utf-8",
    )
    accounts = {
        "ank-x": x_account(**x_keys),
        "ank-masto": mastodon_account("https://mastodon.social", "E"),
    }
    write_accounts(tmp_path, accounts)
    return tmp_path


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return report_workspace(tmp_path, slots=["Mon-Fri 09:00", "Mon-Fri 17:00"])


def test_schedule_at_a_local_time_and_list_the_queue(workspace: Path) -> None:
    result = run(
        workspace, "schedule", "report", "--account", "ank-x", "--at", "2030-01-10 09:00", "--json"
    )
    assert result.returncode == 0, result.stderr
    [edition] = json.loads(result.stdout)["editions"]
    # 09:00 in Almaty (+05) is 04:00 UTC.
    assert edition["account"] == "ank-x" and edition["at"] == "2030-01-10T04:00:00Z"
    queue = json.loads(run(workspace, "queue", "--json").stdout)
    assert [(e["id"], e["status"], e["timezone"]) for e in queue] == [
        (edition["id"], "scheduled", "Asia/Almaty")
    ]
    human = run(workspace, "queue").stdout
    assert "2030-01-10 09:00 Asia/Almaty (+05)" in human


def test_schedule_in_a_duration(workspace: Path) -> None:
    before = datetime.now(UTC)
    result = run(
        workspace, "schedule", "report", "--account", "ank-masto", "--in", "1h30m", "--json"
    )
    at = datetime.fromisoformat(
        json.loads(result.stdout)["editions"][0]["at"].replace("Z", "+00:00")
    )
    assert timedelta(minutes=89) < at - before < timedelta(minutes=91)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--at", "2020-01-01 10:00"), "is in the past"),
        (("--at", "2030-03-31 02:30", "--tz", "Europe/Berlin"), "does not exist in Europe/Berlin"),
        (("--at", "2030-10-27 02:30", "--tz", "Europe/Berlin"), "happens twice"),
        (("--at", "2030-01-10 09:00", "--tz", "Europe/Berln"), "did you mean 'Europe/Berlin'"),
        (("--at", "next tuesday"), "cannot read 'next tuesday' as a time"),
        (("--in", "soon"), "soon"),
        ((), "give one of --at WHEN, --in DURATION or --next-slot, or a time in the draft"),
        (("--in", "5m", "--next-slot"), "give only one of --at WHEN, --in DURATION or --next"),
    ],
    ids=[
        "past",
        "dst gap",
        "dst fold",
        "bad zone",
        "bad time",
        "bad duration",
        "no time",
        "two times",
    ],
)
def test_bad_times_are_one_line_and_exit_2(
    workspace: Path, args: tuple[str, ...], message: str
) -> None:
    result = run(workspace, "schedule", "report", "--account", "ank-x", *args)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert run(workspace, "queue", "--json").stdout.strip() == "[]"


def test_move_and_cancel(workspace: Path) -> None:
    first = json.loads(
        run(
            workspace,
            "schedule",
            "report",
            "--account",
            "ank-x",
            "--at",
            "2030-01-10 09:00",
            "--json",
        ).stdout
    )["editions"][0]["id"]
    moved = run(workspace, "queue", "move", str(first), "--at", "2030-02-01 10:00")
    assert moved.returncode == 0 and "2030-02-01 10:00 Asia/Almaty" in moved.stdout
    assert run(workspace, "queue", "cancel", str(first)).returncode == 0
    again = run(workspace, "queue", "cancel", str(first))
    assert again.returncode == 2 and "is cancelled, not scheduled" in again.stderr
    assert run(workspace, "queue", "--json").stdout.strip() == "[]"
    everything = json.loads(run(workspace, "queue", "--all", "--json").stdout)
    assert everything[0]["status"] == "cancelled"
    missing = run(workspace, "queue", "move", "999", "--at", "2030-02-01 10:00")
    assert missing.returncode == 2 and "no edition 999" in missing.stderr


def test_publish_now_sends_a_scheduled_edition(workspace: Path) -> None:
    fake = FakeMastodon(token="tok-now")
    with fake.running():
        config = (
            (workspace / "accounts.toml").read_text().replace("https://mastodon.social", fake.url)
        )
        (workspace / "accounts.toml").write_text(config)
        edition = json.loads(
            run(
                workspace, "schedule", "report", "--account", "ank-masto", "--in", "1d", "--json"
            ).stdout
        )["editions"][0]["id"]
        result = run(workspace, "queue", "publish-now", str(edition), env={"E": "tok-now"})
        assert result.returncode == 0, result.stderr
        assert len(fake.statuses) >= 1 and f"published edition {edition}" in result.stdout
    queue = json.loads(run(workspace, "queue", "--all", "--json").stdout)
    assert queue[0]["status"] == "published"


def test_next_slot_takes_each_free_slot_in_turn(workspace: Path) -> None:
    def schedule_next() -> datetime:
        args = ("--account", "ank-x", "--next-slot", "--again", "--json")
        result = run(workspace, "schedule", "report", *args)
        assert result.returncode == 0, result.stderr
        at = json.loads(result.stdout)["editions"][0]["at"]
        return datetime.fromisoformat(at.replace("Z", "+00:00"))

    first, second = schedule_next(), schedule_next()
    assert first < second
    for when in (first, second):
        local = when.astimezone(ZoneInfo("Asia/Almaty"))
        assert local.weekday() < 5 and (local.hour, local.minute) in {(9, 0), (17, 0)}
    # Cancelling the first frees its slot again.
    queue = json.loads(run(workspace, "queue", "--json").stdout)
    run(workspace, "queue", "cancel", str(queue[0]["id"]))
    assert schedule_next() == first


def test_next_slot_needs_slots(workspace: Path) -> None:
    result = run(workspace, "schedule", "report", "--account", "ank-masto", "--next-slot")
    assert result.returncode == 2
    assert "has no posting slots" in result.stderr


def test_an_account_without_slots_schedules_none_of_the_others(workspace: Path) -> None:
    result = run(
        workspace,
        "schedule",
        "report",
        "--account",
        "ank-x",
        "--account",
        "ank-masto",
        "--next-slot",
    )
    assert result.returncode == 2 and "has no posting slots" in result.stderr
    assert json.loads(run(workspace, "queue", "--json").stdout) == []


def test_next_slot_in_an_unknown_zone_is_one_line(workspace: Path) -> None:
    result = run(
        workspace,
        "schedule",
        "report",
        "--account",
        "ank-x",
        "--next-slot",
        "--tz",
        "Europe/Berlinn",
    )
    assert result.returncode == 2, result.stderr
    assert "Europe/Berlinn" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_bad_slot_names_its_line(workspace: Path) -> None:
    config = workspace / "accounts.toml"
    config.write_text(config.read_text().replace("Mon-Fri 17:00", "Someday 17:00"))
    result = run(workspace, "schedule", "report", "--account", "ank-x", "--next-slot")
    assert result.returncode == 2
    assert "accounts.toml:" in result.stderr and "bad slot 'Someday 17:00'" in result.stderr


def test_scheduling_a_thread_twice_is_refused_unless_again(workspace: Path) -> None:
    args = ("schedule", "report", "--account", "ank-x", "--in", "5m")
    first = run(workspace, *args, "--json")
    assert first.returncode == 0, first.stderr
    [edition] = json.loads(first.stdout)["editions"]
    second = run(workspace, *args)
    assert second.returncode == 2 and second.stdout == ""
    [line] = second.stderr.strip().splitlines()
    assert f"ank-x already has this thread (edition {edition['id']}, scheduled for " in line
    assert "Asia/Almaty" in line and line.endswith("use --again to schedule it once more")
    again = run(workspace, *args, "--again", "--json")
    assert again.returncode == 0, again.stderr
    queue = json.loads(run(workspace, "queue", "--json").stdout)
    assert len(queue) == 2  # the refused run wrote nothing; --again wrote the second


def test_publish_refuses_a_thread_that_is_scheduled(workspace: Path) -> None:
    scheduled = run(workspace, "schedule", "report", "--account", "ank-x", "--in", "1d")
    assert scheduled.returncode == 0, scheduled.stderr
    secrets = {name: "s" for name in "ABCD"}
    result = run(workspace, "publish", "report", "--account", "ank-x", env=secrets)
    assert result.returncode == 2
    assert "ank-x already has this thread (edition 1, scheduled for" in result.stderr
    assert "use --again to publish it once more" in result.stderr


NO_DAEMON_YET = (
    "no daemon has run yet: scheduled threads will not be sent; "
    "start one with thread-composer daemon"
)


def test_overdue_editions_and_no_daemon_are_said(workspace: Path) -> None:
    from composer.store import open_database

    scheduled = run(workspace, "schedule", "report", "--account", "ank-x", "--in", "1d")
    assert scheduled.returncode == 0 and scheduled.stderr == f"note: {NO_DAEMON_YET}\n"
    with open_database(str(workspace / "h.sqlite3")) as db:
        late = scheduled_edition(
            db,
            datetime.now(UTC) - timedelta(hours=2),
            account="ank-x",
            platform="x",
            posts=["Late."],
            title="Late",
        )
    listed = run(workspace, "queue")
    assert listed.returncode == 0 and listed.stderr == f"warning: {NO_DAEMON_YET}\n"
    [late_line] = [line for line in listed.stdout.splitlines() if "Late" in line]
    assert late_line.split()[:2] == [str(late), "overdue"]
    rows = json.loads(run(workspace, "queue", "--json").stdout)
    assert [(r["title"], r["status"], r["overdue"]) for r in rows] == [
        ("Late", "scheduled", True),
        ("Report", "scheduled", False),
    ]
    # A daemon round (here --once, 15 minutes' grace) marks it missed and is seen.
    once = run(workspace, "daemon", "--once")
    assert once.returncode == 0, once.stderr
    listed = run(workspace, "queue")
    assert listed.stderr == "" and "overdue" not in listed.stdout


def with_schedule_key(workspace: Path, value: str) -> None:
    draft = workspace / "drafts" / "report.md"
    text = draft.read_text(encoding="utf-8")
    draft.write_text(text.replace("+++\n", f"+++\nschedule = {value}\n", 1), encoding="utf-8")


def test_the_drafts_schedule_key_is_the_time_when_none_is_given(workspace: Path) -> None:
    with_schedule_key(workspace, '"2030-01-10 09:00"')
    result = run(workspace, "schedule", "report", "--account", "ank-x", "--json")
    assert result.returncode == 0, result.stderr
    [edition] = json.loads(result.stdout)["editions"]
    assert edition["at"] == "2030-01-10T04:00:00Z"  # 09:00 in the draft's Asia/Almaty
    # An option given wins over the key.
    again = ("--account", "ank-masto", "--at", "2030-01-11 09:00", "--json")
    result = run(workspace, "schedule", "report", *again)
    assert json.loads(result.stdout)["editions"][0]["at"] == "2030-01-11T04:00:00Z"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"2020-01-01 10:00"', "schedule = '2020-01-01 10:00': 2020-01-01 10:00 Asia/Almaty is"),
        ('"tomorrow"', "schedule = 'tomorrow': cannot read 'tomorrow' as a time"),
    ],
    ids=["past", "unreadable"],
)
def test_a_bad_schedule_key_names_the_file_and_key(
    workspace: Path, value: str, message: str
) -> None:
    with_schedule_key(workspace, value)
    result = run(workspace, "schedule", "report", "--account", "ank-x")
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert "drafts/report.md: " in line and message in line
