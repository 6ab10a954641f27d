"""Notifications end to end, as users run them: a refused edition, a missed one, one left
half-sent by a daemon that died, each notified exactly once with the right content and no
secret; two daemons notify once; `check` and `notify test`."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from composer.store import (
    Database,
    Edition,
    EditionStatus,
    Worker,
    claim_due,
    edition_posts,
    mark_post_sent,
    open_database,
    set_edition_status,
)
from tests.fakes.mastodon import FakeMastodon
from tests.helpers import (
    composer,
    mastodon_account,
    scheduled_edition,
    start_composer,
    write_accounts,
)
from tests.notify.webhook import HOOK_TOKEN, Webhook
from tests.store.conftest import assert_no_secrets

ACCOUNT_TOKEN = "mastodonAccountT0ken77"
TITLE = "Press briefing"


def workspace(tmp_path: Path, instance: str, notify: str = 'urls_env = "HOOKS"\n') -> Path:
    path = write_accounts(tmp_path, {"m": mastodon_account(instance, "TOK")})
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\n[notify]\n{notify}")
    return tmp_path


def run(cwd: Path, hook: str, *args: str) -> subprocess.CompletedProcess[str]:
    return composer(*args, cwd=cwd, db=cwd / "h.sqlite3", env={"TOK": ACCOUNT_TOKEN, "HOOKS": hook})


def edition(cwd: Path, at: datetime, **keys: str) -> int:
    db = open_database(str(cwd / "h.sqlite3"))
    try:
        return scheduled_edition(db, at, title=TITLE, zone="Asia/Almaty", **keys)
    finally:
        db.close()


def no_secret_anywhere(cwd: Path, hook: Webhook, *outputs: str) -> None:
    for text in [*outputs, *(raw.decode() for raw in hook.raw)]:
        assert HOOK_TOKEN not in text and ACCOUNT_TOKEN not in text and hook.url not in text
    assert_no_secrets(cwd / "h.sqlite3", [HOOK_TOKEN, ACCOUNT_TOKEN])


def test_a_refused_edition_is_notified_once(tmp_path: Path) -> None:
    fake = FakeMastodon(token="another-token")  # the account's token is revoked: 401
    with fake.running(), Webhook().running() as hook:
        cwd = workspace(tmp_path, fake.url)
        at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
        edition_id = edition(cwd, at)
        first = run(cwd, hook.url, "daemon", "--once")
        second = run(cwd, hook.url, "daemon", "--once")
        hook.wait_for(1)
        assert len(hook.bodies) == 1, hook.bodies
        (body,) = hook.bodies
        assert body["title"] == f"thread-composer: FAILED: {TITLE} (m)"
        local = at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Almaty"))
        assert f"scheduled for {local:%Y-%m-%d %H:%M} Asia/Almaty" in body["message"]
        assert "was refused" in body["message"] and "Nothing was posted" in body["message"]
        assert "thread-composer publish DRAFT --account m" in body["message"]
        logs = [json.loads(x) for x in first.stderr.splitlines() if x.startswith("{")]
        assert any(e["event"] == "notified" and e["edition"] == edition_id for e in logs), (
            first.stderr
        )
        no_secret_anywhere(cwd, hook, first.stderr, second.stderr, first.stdout)


def test_a_missed_edition_is_notified_once_by_two_daemons(tmp_path: Path) -> None:
    fake = FakeMastodon(token=ACCOUNT_TOKEN)
    with fake.running(), Webhook().running() as hook:
        cwd = workspace(tmp_path, fake.url)
        run(cwd, hook.url, "queue")  # the database, made
        edition(cwd, datetime.now(UTC) - timedelta(hours=2))
        env = {"TOK": ACCOUNT_TOKEN, "HOOKS": hook.url}
        daemons = [
            start_composer("daemon", "--once", cwd=cwd, db=cwd / "h.sqlite3", env=env)
            for _ in range(2)
        ]
        errors = [daemon.communicate(timeout=60)[1] for daemon in daemons]
        hook.wait_for(2, timeout=2)  # a second one would come now
        assert [b["title"] for b in hook.bodies] == [f"thread-composer: MISSED: {TITLE} (m)"]
        assert "grace period" in hook.bodies[0]["message"]
        assert fake.statuses == {}
        no_secret_anywhere(cwd, hook, *errors)


def half_sent_by_a_dead_daemon(db: Database, at: datetime) -> int:
    """What a daemon SIGKILLed after its first post leaves in the ledger (as in
    tests/test_daemon_crash.py): publishing, its claim run out, post 1 sent."""
    edition_id = scheduled_edition(db, at, title=TITLE, zone="Asia/Almaty")
    claim_due(db, at, "gone-host:1", timedelta(seconds=1))
    first = edition_posts(db, edition_id)[0]
    assert first.id is not None
    mark_post_sent(db, first.id, remote_id="1", remote_url="https://example.org/@m/1")
    with db.session() as session:
        session.execute(
            sa.update(Edition)
            .where(Edition.id == edition_id)  # type: ignore[arg-type]
            .values(claimed_until=datetime.now(UTC) - timedelta(minutes=5))
        )
    return edition_id


def test_a_dead_daemons_half_sent_edition_is_reported_by_check_once(tmp_path: Path) -> None:
    with Webhook().running() as hook:
        cwd = workspace(tmp_path, "http://127.0.0.1:9")
        run(cwd, hook.url, "queue")
        db = open_database(str(cwd / "h.sqlite3"))
        try:
            edition_id = half_sent_by_a_dead_daemon(db, datetime.now(UTC) - timedelta(minutes=20))
        finally:
            db.close()
        checks = [run(cwd, hook.url, "check", "--notify") for _ in range(2)]
        for result in checks:
            assert result.returncode == 1, result.stderr
            lines = result.stdout.splitlines()
            assert any(line.startswith("silent: no daemon seen ever") for line in lines)
            assert any(line.startswith(f"interrupted: edition {edition_id} (m, ") for line in lines)
        hook.wait_for(3, timeout=3)
        titles = sorted(b["title"] for b in hook.bodies)
        assert titles == [
            f"thread-composer: LATE: {TITLE} (m)",
            "thread-composer: no daemon running",
        ]
        late = next(b for b in hook.bodies if "LATE" in b["title"])
        assert "1 of 2 posts out" in late["message"]
        no_secret_anywhere(cwd, hook, *(c.stdout + c.stderr for c in checks))


def test_a_stopped_edition_names_its_links_and_the_resume_command(tmp_path: Path) -> None:
    with Webhook().running() as hook:
        cwd = workspace(tmp_path, "http://127.0.0.1:9")
        run(cwd, hook.url, "queue")
        db = open_database(str(cwd / "h.sqlite3"))
        try:
            edition_id = half_sent_by_a_dead_daemon(db, datetime.now(UTC) - timedelta(minutes=1))
            set_edition_status(
                db, edition_id, EditionStatus.PARTIAL, last_error="HTTP 422: \x1b[31m<b>no</b>"
            )
        finally:
            db.close()
        run(cwd, hook.url, "daemon", "--once")
        run(cwd, hook.url, "daemon", "--once")
        hook.wait_for(2, timeout=3)
        assert [b["title"] for b in hook.bodies] == [f"thread-composer: STOPPED: {TITLE} (m)"]
        message = hook.bodies[0]["message"]
        assert "stopped after 1 of 2 posts: HTTP 422: [31mno." in message
        assert "\x1b" not in message and "<b>" not in message
        assert "1. https://example.org/@m/1" in message
        assert "resume it with: thread-composer publish DRAFT --account m" in message


def test_check_is_quiet_when_all_is_well(tmp_path: Path) -> None:
    fake = FakeMastodon(token=ACCOUNT_TOKEN)
    with fake.running(), Webhook().running() as hook:
        cwd = workspace(tmp_path, fake.url)
        assert run(cwd, hook.url, "daemon", "--once").returncode == 0
        result = run(cwd, hook.url, "check", "--json")
        assert result.returncode == 0, result.stdout + result.stderr
        assert json.loads(result.stdout) == {"ok": True, "problems": []}
        assert hook.bodies == []


def test_notify_test_reports_each_target_masked(tmp_path: Path) -> None:
    with Webhook().running() as good, Webhook(status=500).running() as bad:
        cwd = workspace(tmp_path, "http://127.0.0.1:9")
        result = run(cwd, f"{good.url} {bad.url}", "notify", "test")
        assert result.returncode == 1
        lines = result.stdout.splitlines()
        assert lines[0] == f"ok      json://127.0.0.1:{good.server.server_port}/***"
        assert lines[1].startswith(f"FAILED  json://127.0.0.1:{bad.server.server_port}/***: ")
        assert HOOK_TOKEN not in result.stdout + result.stderr
        assert len(good.bodies) == 1 and len(bad.bodies) == 1


def test_bad_notify_config_is_one_line_exit_2(tmp_path: Path) -> None:
    cwd = workspace(tmp_path, "http://127.0.0.1:9")
    unset = composer("notify", "test", cwd=cwd, env={"HOOKS": None})
    assert unset.returncode == 2
    assert unset.stderr.strip().endswith(
        "accounts.toml:7: notify: urls_env: environment variable HOOKS is not set; "
        "export HOOKS=... (notification URLs) before running thread-composer"
    )
    unknown = f"nosuchservice://{HOOK_TOKEN}@example.org/x"
    for args in (("daemon", "--once"), ("check", "--notify"), ("notify", "test")):
        result = run(cwd, unknown, *args)
        assert result.returncode == 2, result.stderr
        assert (
            "accounts.toml:7: notify: urls_env: URL 1 (nosuchservice://***@example.org/***)"
            in result.stderr
        )
        assert len(result.stderr.strip().splitlines()) == 1 and HOOK_TOKEN not in result.stderr
    (cwd / "accounts.toml").write_text('[notify]\nurls_env = "HOOKS"\nevents = ["sent"]\n')
    result = run(cwd, "json://127.0.0.1:9/x", "check")
    assert (
        result.returncode == 2 and "accounts.toml:3: notify: unknown event 'sent'" in result.stderr
    )


def test_a_refusal_after_a_resume_is_notified_again(tmp_path: Path) -> None:
    """Each failure is told: the token is still revoked when the person runs the resume
    command the first message gave, so the second refusal is a second message (and a third
    daemon round sends nothing more)."""
    fake = FakeMastodon(token="another-token")  # revoked: 401 every time
    with fake.running(), Webhook().running() as hook:
        cwd = workspace(tmp_path, fake.url)
        (cwd / "report.md").write_text(
            f'+++\ntitle = "{TITLE}"\naccounts = ["m"]\n+++\nOne.\n\nTwo.\n', encoding="utf-8"
        )
        outputs: list[str] = []
        for round_ in (1, 2):
            published = run(cwd, hook.url, "publish", "report.md", "--account", "m")
            assert published.returncode != 0, published.stdout
            daemon = run(cwd, hook.url, "daemon", "--once")
            outputs += [published.stdout + published.stderr, daemon.stderr]
            hook.wait_for(round_, timeout=10)
        outputs.append(run(cwd, hook.url, "daemon", "--once").stderr)
        hook.wait_for(3, timeout=2)  # a third one would come now
        assert [b["title"] for b in hook.bodies] == [f"thread-composer: FAILED: {TITLE} (m)"] * 2
        resume = f"thread-composer publish {cwd / 'report.md'} --account m"
        assert resume in hook.bodies[1]["message"]
        assert fake.statuses == {}
        no_secret_anywhere(cwd, hook, *outputs)


def half_sent_by_a_killed_publish(db: Database, left_ago: timedelta) -> int:
    """What `publish` SIGKILLed after its first post leaves: publishing, unscheduled (so no
    daemon resumes it), claimed by a process that is gone, post 1 sent, `left_ago` ago."""
    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid that has just ended
    holder = dataclasses.replace(Worker.this_process("publish"), pid=gone.pid)
    edition_id = half_sent_by_a_dead_daemon(db, datetime.now(UTC))
    with db.session() as session:
        session.execute(
            sa.update(Edition)
            .where(Edition.id == edition_id)  # type: ignore[arg-type]
            .values(
                scheduled_at=None,
                claimed_by=str(holder),
                claimed_until=datetime.now(UTC) + timedelta(minutes=20),  # the lease runs on
                updated_at=datetime.now(UTC) - left_ago,
            )
        )
    return edition_id


def test_a_half_sent_edition_left_by_a_killed_publish_is_notified_once(tmp_path: Path) -> None:
    """No daemon resumes what `publish` started, so nobody would hear of it: a daemon's round
    tells once it has been left LATE_AFTER (a person who re-runs at once is not bothered)."""
    with Webhook().running() as hook:
        cwd = workspace(tmp_path, "http://127.0.0.1:9")
        run(cwd, hook.url, "queue")
        db = open_database(str(cwd / "h.sqlite3"))
        try:
            recent = half_sent_by_a_killed_publish(db, timedelta(minutes=2))
            left = half_sent_by_a_killed_publish(db, timedelta(minutes=15))
        finally:
            db.close()
        rounds = [run(cwd, hook.url, "daemon", "--once") for _ in range(2)]
        hook.wait_for(2, timeout=3)
        assert [b["title"] for b in hook.bodies] == [f"thread-composer: STOPPED: {TITLE} (m)"]
        message = hook.bodies[0]["message"]
        assert "stopped after 1 of 2 posts: the process publishing it stopped" in message
        assert "1. https://example.org/@m/1" in message
        assert "resume it with: thread-composer publish DRAFT --account m" in message
        logs = [json.loads(x) for r in rounds for x in r.stderr.splitlines() if x.startswith("{")]
        notified = {e["edition"] for e in logs if e["event"] == "notified"}
        assert notified == {left} and recent not in notified
