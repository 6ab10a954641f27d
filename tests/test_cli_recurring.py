"""`schedule --every`, `queue rules` and `queue stop` as a user runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import col

from composer.store import open_database
from composer.store.models import Recurrence
from tests.test_cli_schedule import report_workspace, run


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return report_workspace(tmp_path)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_schedule_every_creates_a_rule_per_account_with_its_next_times(workspace: Path) -> None:
    result = run(
        workspace,
        "schedule", "report", "--account", "ank-x", "--account", "ank-masto",
        "--every", "Mon 09:00", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rules = json.loads(result.stdout)["recurrences"]
    assert [(r["account"], r["rule"], r["timezone"]) for r in rules] == [
        ("ank-x", "0 9 * * mon", "Asia/Almaty"),  # the draft's zone
        ("ank-masto", "0 9 * * mon", "Asia/Almaty"),
    ]
    times = [utc(t) for t in rules[0]["next"]]
    assert len(times) == 3 and times[0] > datetime.now(UTC)
    for when in times:
        local = when.astimezone(ZoneInfo("Asia/Almaty"))
        assert local.strftime("%a %H:%M") == "Mon 09:00"
    assert (times[1] - times[0]).days == 7

    listed = json.loads(run(workspace, "queue", "rules", "--json").stdout)["recurrences"]
    assert [(r["id"], r["next"]) for r in listed] == [(r["id"], r["next"]) for r in rules]
    assert all(r["active"] and r["error"] is None for r in listed)
    # `queue --json` keeps its list of editions: a rule is not an edition.
    assert json.loads(run(workspace, "queue", "--json").stdout) == []
    human = run(workspace, "queue").stdout
    assert "every 'Mon 09:00'" in human and "Asia/Almaty (+05)" in human  # as a person types it


def test_schedule_every_in_a_zone_prints_the_rule_and_dst_notes(workspace: Path) -> None:
    result = run(
        workspace, "schedule", "report", "--account", "ank-x", "--every", "daily 02:30",
        "--tz", "Europe/Berlin",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "every 'daily 02:30' in Europe/Berlin" in result.stdout
    assert result.stdout.count("02:30 Europe/Berlin") == 3
    assert "does not exist in Europe/Berlin" in result.stderr  # the March night, said ahead
    assert "happens twice in Europe/Berlin" in result.stderr


def test_stop_a_rule(workspace: Path) -> None:
    made = run(
        workspace, "schedule", "report", "--account", "ank-x", "--every", "daily 09:00", "--json"
    )
    rule_id = json.loads(made.stdout)["recurrences"][0]["id"]
    stopped = run(workspace, "queue", "stop", str(rule_id))
    assert stopped.returncode == 0 and f"stopped rule {rule_id}" in stopped.stdout
    assert json.loads(run(workspace, "queue", "rules", "--json").stdout) == {"recurrences": []}
    every = json.loads(run(workspace, "queue", "rules", "--all", "--json").stdout)
    assert [(r["id"], r["active"], r["next"]) for r in every["recurrences"]] == [
        (rule_id, False, [])
    ]
    again = run(workspace, "queue", "stop", str(rule_id))
    assert again.returncode == 2 and again.stderr.strip().endswith("is already stopped")


def test_a_draft_gone_when_due_shows_in_queue_all_and_queue_rules(workspace: Path) -> None:
    made = run(
        workspace, "schedule", "report", "--account", "ank-x", "--every", "daily 09:00", "--json"
    )
    rule_id = json.loads(made.stdout)["recurrences"][0]["id"]
    due = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    db = open_database(str(workspace / "h.sqlite3"))
    try:  # the occurrence comes due now rather than tomorrow
        with db.session() as session:
            session.connection().execute(
                sa.update(Recurrence).where(col(Recurrence.id) == rule_id).values(next_at=due)
            )
    finally:
        db.close()
    (workspace / "drafts" / "report.md").unlink()
    daemon = run(workspace, "daemon", "--once")
    assert daemon.returncode == 0, daemon.stderr
    [edition] = json.loads(run(workspace, "queue", "--all", "--json").stdout)
    assert edition["status"] == "failed" and edition["at"] == _iso(due)
    assert "could not be composed" in edition["error"] and "report.md" in edition["error"]
    [rule] = json.loads(run(workspace, "queue", "rules", "--json").stdout)["recurrences"]
    assert rule["active"] and "could not be composed" in rule["error"]
    assert utc(rule["next"][0]) > datetime.now(UTC)  # it goes on
    assert "could not be composed" in run(workspace, "queue", "rules").stdout


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--every", "blah"], "cannot read 'blah' as a rule"),
        (["--every", "daily 09:00", "--tz", "Europe/Berln"], "did you mean 'Europe/Berlin'"),
        (["--every", "0 9 31 2 *"], "never comes due"),
        (["--every", "daily 09:00", "--at", "2030-01-10 09:00"], "give it without --at"),
    ],
)
def test_bad_rules_are_one_line_and_exit_2(workspace: Path, args: list[str], message: str) -> None:
    result = run(workspace, "schedule", "report", "--account", "ank-x", *args)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_an_unknown_account_or_duplicate_rule_is_refused(workspace: Path) -> None:
    unknown = run(workspace, "schedule", "report", "--account", "nope", "--every", "Mon 09:00")
    assert unknown.returncode == 2 and "unknown account 'nope'" in unknown.stderr
    first = run(workspace, "schedule", "report", "--account", "ank-x", "--every", "Mon 09:00")
    assert first.returncode == 0, first.stderr
    twice = run(workspace, "schedule", "report", "--account", "ank-x", "--every", "mon 9:00")
    assert twice.returncode == 2 and "already publishes this draft on this rule" in twice.stderr
    unknown_rule = run(workspace, "queue", "stop", "999")
    assert unknown_rule.returncode == 2 and "no recurring rule 999" in unknown_rule.stderr
