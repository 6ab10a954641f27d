"""The one claim every front end takes before sending: who may take an edition, who is told
it is busy, and a holder that died on this host taken over at once."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from composer.store import (
    AlreadyHeld,
    Database,
    DraftText,
    Edition,
    EditionStatus,
    StoreError,
    edition_posts,
    mark_post_sent,
    recent_finished,
    record_thread,
    set_edition_status,
)
from composer.store.claims import (
    LEASE,
    EditionBusy,
    Holder,
    Worker,
    claim,
    claim_draft_edition,
    claim_due,
    live_holder,
    next_due,
    release,
)
from composer.store.editions import find_edition
from composer.store.history import NewEdition, add_draft_snapshot, add_edition
from composer.store.queue import schedule_edition
from tests.store.conftest import T0, publish


def scheduled(db: Database, at: datetime = T0 + timedelta(days=1)) -> int:
    thread = record_thread(db, DraftText(title="Now", body="x"))
    assert thread.id is not None
    edition = schedule_edition(
        db, thread.id, account="m", platform="mastodon", posts=["x", "y"], at_utc=at, zone="UTC"
    )
    assert edition.id is not None
    return edition.id


def stopped_at_second_post(db: Database) -> int:
    edition_id = scheduled(db, T0)
    first = edition_posts(db, edition_id)[0]
    assert first.id is not None
    mark_post_sent(db, first.id, remote_id="1", remote_url="https://m.example/1")
    set_edition_status(db, edition_id, EditionStatus.PARTIAL, last_error="401: token revoked")
    return edition_id


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_claimed_edition_is_not_claimed_by_a_daemon_nor_another_front_end(
    db: Database,
) -> None:
    edition_id = scheduled(db)
    tui = Holder.for_this_process("tui")
    claim(db, edition_id, tui, now=T0)
    claimed = find_edition(db, edition_id)
    assert claimed.status is EditionStatus.PUBLISHING and claimed.claimed_by == tui.worker
    assert claimed.scheduled_at == T0  # made due now
    assert claim_due(db, T0 + timedelta(seconds=10), "daemon") == []
    with pytest.raises(EditionBusy) as busy:
        claim(db, edition_id, Holder.for_this_process("publish-now"), now=T0)
    since = Worker.this_process("x").since.astimezone().strftime("%H:%M")
    message = str(busy.value)
    assert message.startswith(f"edition {edition_id} is being published by tui on ")
    assert f"(pid {Worker.this_process('x').pid}) since {since}" in message
    assert message.endswith("; it will resume if that stops")
    assert isinstance(busy.value, StoreError) and busy.value.holder == tui.worker
    with pytest.raises(StoreError, match="no edition 999"):
        claim(db, 999, tui, now=T0)


def test_a_stopped_edition_is_claimed_only_to_be_resumed(db: Database) -> None:
    stopped = stopped_at_second_post(db)
    with pytest.raises(StoreError, match="is partial, not scheduled"):
        claim(db, stopped, Holder("tui"), now=T0)
    claim(db, stopped, Holder("tui"), now=T0, resume=True)
    claimed = find_edition(db, stopped)
    assert claimed.status is EditionStatus.PUBLISHING and claimed.scheduled_at == T0
    with pytest.raises(EditionBusy):
        claim(db, stopped, Holder("tui-2"), now=T0, resume=True)
    published = publish(db, ["done"])
    with pytest.raises(StoreError, match="only a partial or failed edition can be resumed"):
        claim(db, published, Holder("tui"), now=T0, resume=True)


def test_a_claim_runs_out_after_the_lease_and_a_released_one_is_free_at_once(
    db: Database,
) -> None:
    edition_id = scheduled(db)
    claim(db, edition_id, Holder("elsewhere"), now=T0)
    assert live_holder(db, edition_id, T0 + LEASE / 2) == "elsewhere"
    with pytest.raises(EditionBusy):
        claim(db, edition_id, Holder("second"), now=T0 + LEASE / 2)
    assert live_holder(db, edition_id, T0 + LEASE + timedelta(seconds=1)) is None
    claim(db, edition_id, Holder("second"), now=T0 + LEASE + timedelta(seconds=1))
    release(db, edition_id, "second")
    claim(db, edition_id, Holder("third"), now=datetime.now(UTC) + timedelta(seconds=1))


def test_a_holder_on_this_host_whose_pid_is_gone_is_taken_over_at_once(db: Database) -> None:
    here = Worker.this_process("publish")
    gone = Worker(here.kind, here.host, dead_pid(), here.boot, here.since)
    rebooted = Worker(here.kind, here.host, here.pid, "an-earlier-boot", here.since)
    elsewhere = Worker(here.kind, "another-host", dead_pid(), here.boot, here.since)
    # A container with the host's name and kernel, but pids of its own: its pid says nothing.
    contained = Worker(
        here.kind, here.host, dead_pid(), here.boot.split("/")[0] + "/pid:[1]", here.since
    )
    now = datetime.now(UTC)
    for dead in (gone, rebooted):
        edition_id = scheduled(db)
        claim(db, edition_id, Holder(str(dead)), now=now)
        assert live_holder(db, edition_id, now) is None
        claim(db, edition_id, Holder.for_this_process("daemon"), now=now)  # no wait
    # Alive (this very process), or on another host: only the lease frees it.
    for alive in (here, elsewhere, contained):
        edition_id = scheduled(db)
        claim(db, edition_id, Holder(str(alive)), now=now)
        assert live_holder(db, edition_id, now) == str(alive)
        with pytest.raises(EditionBusy):
            claim(db, edition_id, Holder.for_this_process("daemon"), now=now)


def test_a_daemon_takes_over_a_dead_holders_scheduled_edition_but_not_a_publish_run(
    db: Database,
) -> None:
    here = Worker.this_process("publish")
    gone = str(Worker(here.kind, here.host, dead_pid(), here.boot, here.since))
    now = datetime.now(UTC)
    edition_id = scheduled(db, now - timedelta(minutes=1))
    claim(db, edition_id, Holder(gone), now=now)
    started = new_draft_edition(db, Holder(gone), "/d/report.md")
    taken = claim_due(db, now, "daemon")
    # `publish` resumes what it started (its user may have stopped it on purpose).
    assert [c.edition_id for c in taken] == [edition_id]
    assert find_edition(db, started).claimed_by == gone


def new_draft_edition(
    db: Database,
    holder: Holder,
    path: str,
    account: str = "m",
    *,
    texts: list[str] | None = None,
) -> int:
    def create(session: Session) -> Edition:
        thread = add_draft_snapshot(session, DraftText(title="Report", body="a b", draft_path=path))
        assert thread.id is not None
        return add_edition(session, thread.id, NewEdition(account, "mastodon", ["a", "b"]))

    edition, _ = claim_draft_edition(
        db,
        holder,
        draft_path=path,
        account=account,
        follows_edition_id=None,
        create=create,
        texts=texts,
    )
    assert edition.id is not None
    return edition.id


def test_two_processes_publishing_one_draft_at_once_get_one_edition_and_one_sender(
    db: Database,
) -> None:
    start = threading.Barrier(8)
    results: list[int | str] = []

    def run(number: int) -> None:
        start.wait()
        try:
            results.append(new_draft_edition(db, Holder(f"p{number}"), "/d/report.md"))
        except EditionBusy as busy:
            results.append(f"busy {busy.edition_id}")

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [r for r in results if isinstance(r, int)]
    assert len(ids) == 1, results
    assert sorted(results, key=str) == sorted([ids[0]] + [f"busy {ids[0]}"] * 7, key=str)
    edition = find_edition(db, ids[0])
    assert edition.status is EditionStatus.PUBLISHING and edition.claimed_by is not None
    # Once released, the next run resumes that edition rather than starting another.
    release(db, ids[0], edition.claimed_by)
    assert new_draft_edition(db, Holder("later"), "/d/report.md") == ids[0]


def test_a_thread_finished_by_another_process_after_the_check_is_not_started_again(
    db: Database,
) -> None:
    """`publish` checks the account has no such thread, then claims. If the daemon finishes
    the edition in between, the claim finds nothing unfinished: it must not add a copy (the
    chaos test's seed 556598 published the thread twice that way)."""
    first = new_draft_edition(db, Holder("daemon"), "/d/report.md")
    set_edition_status(db, first, EditionStatus.PUBLISHED)
    release(db, first, "daemon")
    with pytest.raises(AlreadyHeld) as held:
        new_draft_edition(db, Holder("publish"), "/d/report.md", texts=["a", "b"])
    assert held.value.edition.id == first
    assert len(recent_finished(db)) == 1  # nothing written
    # Other posts are another thread; --again (no texts) publishes it once more.
    other = new_draft_edition(db, Holder("publish"), "/d/report.md", texts=["a", "c"])
    release(db, other, "publish")
    set_edition_status(db, other, EditionStatus.PUBLISHED)
    assert new_draft_edition(db, Holder("publish"), "/d/report.md") not in (first, other)


def test_a_daemon_is_not_woken_for_the_claim_of_an_edition_publish_started(
    db: Database,
) -> None:
    started = new_draft_edition(db, Holder("publish"), "/d/report.md")
    assert next_due(db) is None  # the daemon would never take it: nothing to wake up for
    release(db, started, "publish")
    assert next_due(db) is None
    edition_id = scheduled(db, T0)
    claim(db, edition_id, Holder("elsewhere"), now=T0)
    assert next_due(db) == T0 + LEASE  # a scheduled one: resumed when that claim runs out
