"""One rule for "this account already has this thread", and scheduling that cannot race it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select

from composer.store import (
    AlreadyHeld,
    Database,
    DraftEdition,
    DraftSnapshot,
    DraftText,
    Edition,
    EditionStatus,
    create_edition,
    open_database,
    record_thread,
    set_edition_status,
)
from composer.store.editions import held_edition
from composer.store.queue import cancel, schedule_new
from tests.helpers import draft_edition
from tests.store.conftest import T0

POSTS = ["1/2 The count was slow.", "2/2 Observers were kept out."]
DRAFT = "/drafts/report.md"


def new(account: str = "ank-x", posts: list[str] = POSTS, draft: str = DRAFT) -> DraftEdition:
    return draft_edition(draft, posts, T0 + timedelta(days=1), account=account, zone="Asia/Almaty")


def counts(db: Database) -> tuple[int, int]:
    with db.read_session() as session:
        editions = session.exec(select(func.count()).select_from(Edition)).one()
        threads = session.exec(select(func.count()).select_from(DraftSnapshot)).one()
    return editions, threads


def test_a_second_schedule_of_the_same_thread_is_refused_naming_the_first(db: Database) -> None:
    [first] = schedule_new(db, [new()], again=False)
    with pytest.raises(AlreadyHeld) as refused:
        schedule_new(db, [new()], again=False)
    assert refused.value.account == "ank-x"
    assert refused.value.edition.id == first.id
    assert refused.value.edition.status is EditionStatus.SCHEDULED  # readable after rollback
    assert counts(db) == (1, 1)  # nothing written, not even the draft's snapshot
    [again] = schedule_new(db, [new()], again=True)
    assert again.id != first.id and counts(db) == (2, 2)


def test_one_held_account_refuses_the_lot(db: Database) -> None:
    schedule_new(db, [new("ank-x")], again=False)
    with pytest.raises(AlreadyHeld) as refused:
        schedule_new(db, [new("ank-masto"), new("ank-x")], again=False)
    assert refused.value.account == "ank-x"
    assert counts(db) == (1, 1)  # ank-masto was not scheduled alone


@pytest.mark.parametrize(
    ("status", "held"),
    [
        (EditionStatus.SCHEDULED, True),
        (EditionStatus.PUBLISHING, True),
        (EditionStatus.PUBLISHED, True),
        (EditionStatus.CANCELLED, False),
        (EditionStatus.MISSED, False),
        (EditionStatus.FAILED, False),
        (EditionStatus.PARTIAL, False),
    ],
)
def test_which_editions_hold_the_thread(db: Database, status: EditionStatus, held: bool) -> None:
    thread = record_thread(db, DraftText(title="Report", body="b", draft_path=DRAFT))
    assert thread.id is not None
    edition = create_edition(db, thread.id, account="ank-x", platform="x", posts=POSTS)
    assert edition.id is not None
    set_edition_status(db, edition.id, status)
    with db.read_session() as session:
        found = held_edition(session, DRAFT, "ank-x", POSTS)
        resumed = held_edition(session, DRAFT, "ank-x", POSTS, resuming=True)
    assert (found is not None) is held
    # publish resumes an edition being published rather than calling it a copy
    assert (resumed is not None) is (held and status is not EditionStatus.PUBLISHING)


def test_other_texts_drafts_and_accounts_are_other_threads(db: Database) -> None:
    schedule_new(db, [new()], again=False)
    schedule_new(db, [new(posts=["1/2 The count was slow.", "2/2 Edited."])], again=False)
    schedule_new(db, [new(draft="/drafts/other.md")], again=False)
    schedule_new(db, [new(account="ank-masto")], again=False)
    assert counts(db) == (4, 4)


def test_a_cancelled_schedule_frees_the_thread(db: Database) -> None:
    [first] = schedule_new(db, [new()], again=False)
    assert first.id is not None
    cancel(db, first.id)
    schedule_new(db, [new()], again=False)
    assert counts(db) == (2, 2)


# Processes racing to schedule the same drafts: each does what `schedule` does (its check
# and its write), started together; every draft must end up scheduled exactly once.
RACER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime

    from composer.store import AlreadyHeld, open_database
    from composer.store import DraftEdition, DraftText, NewEdition
    from composer.store.queue import schedule_new

    path, drafts = sys.argv[1], int(sys.argv[2])
    db = open_database(path)
    print("ready", flush=True)
    sys.stdin.readline()
    made = 0
    for n in range(drafts):
        edition = DraftEdition(
            DraftText("T", "b", f"/d/{n}.md"),
            NewEdition(
                "ank-x", "x", [f"post of draft {n}"],
                scheduled_at=datetime(2030, 1, 1, tzinfo=UTC), timezone="UTC",
            ),
        )
        try:
            schedule_new(db, [edition], again=False)
            made += 1
        except AlreadyHeld:
            pass
    db.close()
    print(f"made {made}", flush=True)
    """
)


def test_racing_schedules_write_each_thread_once(db_path: Path) -> None:
    open_database(str(db_path)).close()
    root = Path(__file__).resolve().parents[2]
    drafts = 40
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(db_path), str(drafts)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=root,
        )
        for _ in range(3)
    ]
    for racer in racers:
        assert racer.stdout is not None and racer.stdout.readline().strip() == "ready"
    for racer in racers:
        assert racer.stdin is not None
        racer.stdin.write("go\n")
        racer.stdin.flush()
    made = 0
    for racer in racers:
        stdout, stderr = racer.communicate(timeout=180)
        assert racer.returncode == 0, stderr
        made += int(stdout.split()[-1])
    db = open_database(str(db_path))
    try:
        with db.read_session() as session:
            per_draft = session.exec(
                select(DraftSnapshot.draft_path, func.count())
                .join(Edition, Edition.thread_id == DraftSnapshot.id)  # type: ignore[arg-type]
                .group_by(DraftSnapshot.draft_path)
            ).all()
    finally:
        db.close()
    assert made == drafts
    assert sorted(count for _, count in per_draft) == [1] * drafts
