"""The history screen: search, per-post status and links, stopped editions with their reason,
and Resume finishing a thread on a loopback Mastodon with no duplicate."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from composer.publishing import publish_existing
from composer.store import EditionStatus, PostStatus, edition_posts, open_database
from composer.store import queue as store_queue
from composer.store.claims import Holder, claim
from composer.store.editions import find_edition
from composer.tui.history import HistoryScreen
from composer.tui.services import Services
from composer.workspace.config import load_config
from tests.fakes.mastodon import FakeMastodon
from tests.tui.data_fixtures import (
    MARKUP_TITLE,
    NOW,
    TOKEN,
    TOKEN_ENV,
    ScreenApp,
    accounts_file,
    published,
    scheduled,
    services,
)

SIZES = [(80, 24), (120, 40)]
MARKUP_ERROR = "401 [bold]token revoked[/bold] \x1b[31m"


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    mastodon = FakeMastodon(token=TOKEN)
    with mastodon.running():
        yield mastodon


def seeded(tmp_path: Path) -> tuple[Services, list[int]]:
    db = open_database(str(tmp_path / "history.sqlite3"))
    try:
        ids = [
            published(
                db,
                ["1/2 The count in Almaty was slow.", "2/2 Observers were not admitted."],
                title="OSCE: elections without competition",
            ),
            published(
                db,
                ["1/3 The CSTO démarche.", "2/3 Second.", "3/3 Third."],
                title=MARKUP_TITLE,
                sent=1,
                error=MARKUP_ERROR,
                sent_at=NOW - timedelta(hours=5),
            ),
        ]
    finally:
        db.close()
    return services(tmp_path), ids


def rows(app: ScreenApp, table_id: str) -> list[list[str]]:
    table = app.screen.query_one(f"#{table_id}", DataTable)
    return [[str(value) for value in table.get_row(key)] for key in table.rows]


def detail(app: ScreenApp) -> str:
    return str(app.screen.query_one("#history-detail", Static).render())


def test_newest_posts_and_editions_with_each_posts_status(tmp_path: Path) -> None:
    svc, (full, stopped) = seeded(tmp_path)

    async def scenario() -> None:
        app = ScreenApp(svc, HistoryScreen)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            posts = rows(app, "history-posts")
            # Newest first: the stopped thread's first post, then the full one's two.
            assert [row[2] for row in posts] == ["1", "2", "1"]
            assert [row[0] for row in posts] == [
                "2026-11-30 23:01 UTC",
                "2026-11-30 04:02 UTC",
                "2026-11-30 04:01 UTC",
            ]
            assert posts[1][3] == f"https://fake.social/@monitor/{full}02"
            editions = rows(app, "history-editions")
            assert editions[0][:4] == [str(stopped), "partial", "masto", "✓ 1/3 · ○ 2"]
            assert editions[0][4] == ""  # no follow-ups
            assert editions[0][5] == "[bold]Not bold[/bold] \\u001b[31mred?"
            assert editions[0][6] == "401 [bold]token revoked[/bold] \\u001b[31m"
            assert editions[1][:4] == [str(full), "published", "masto", "✓ 2/2"]
            shown = detail(app)
            assert "stopped: 401 [bold]token revoked[/bold] \\u001b[31m" in shown
            assert "\x1b" not in shown
            await pilot.click("#history-editions")
            await pilot.press("down")
            await pilot.pause()
            assert f"1: https://fake.social/@monitor/{full}01" in detail(app)

    asyncio.run(scenario())


def test_search_finds_a_published_post(tmp_path: Path) -> None:
    svc, _ = seeded(tmp_path)

    async def scenario() -> None:
        app = ScreenApp(svc, HistoryScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*"observers admitted")
            await pilot.pause()
            assert [row[4] for row in rows(app, "history-posts")] == [
                "2/2 Observers were not admitted."
            ]
            await pilot.press("ctrl+u")  # clear: back to the newest posts
            await pilot.press(*"nowhere")
            await pilot.pause()
            assert rows(app, "history-posts") == []
            table = app.screen.query_one("#history-posts", DataTable)
            assert table.border_subtitle == "nothing found"

    asyncio.run(scenario())


def test_resume_asks_first_and_escape_sends_nothing(tmp_path: Path) -> None:
    svc, (_, stopped) = seeded(tmp_path)

    async def scenario() -> None:
        app = ScreenApp(svc, HistoryScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+r")
            await pilot.pause()
            question = str(app.screen.query_one("#question", Static).render())
            assert "on masto?" in question
            assert "continues at post 2 of 3: 2 posts still to send" in question
            await pilot.press("escape")
            await app.workers.wait_for_complete()

    asyncio.run(scenario())
    db = open_database(str(tmp_path / "history.sqlite3"))
    try:
        assert find_edition(db, stopped).status is EditionStatus.PARTIAL
    finally:
        db.close()


def test_resume_finishes_a_stopped_thread_without_a_duplicate(
    tmp_path: Path, fake: FakeMastodon, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    config = accounts_file(tmp_path, fake.url)
    posts = ["1/3 First.", "2/3 Second.", "3/3 Third."]
    db = open_database(str(tmp_path / "history.sqlite3"))

    def revoke_after_first(status: dict[str, Any]) -> None:
        fake.token = "revoked"  # the token is revoked mid-thread: post 2 gets a 401

    fake.on_store = revoke_after_first
    try:
        edition = scheduled(db, NOW, title="Revoked", posts=posts)
        holder = Holder.for_this_process("publish-now")
        claim(db, edition, holder)
        outcome = asyncio.run(publish_existing(db, edition, load_config(config), holder=holder))
    finally:
        db.close()
    assert outcome.status is EditionStatus.PARTIAL and outcome.sent == 1
    fake.on_store = None
    fake.token = TOKEN  # a new token is in place: resume
    svc = services(tmp_path, config)

    async def scenario() -> None:
        app = ScreenApp(svc, HistoryScreen)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            [row] = rows(app, "history-editions")
            assert row[1] == "partial" and row[3] == "✓ 1/3 · ✗ 1 · ○ 1"
            assert "access token is invalid" in row[6]
            await pilot.press("ctrl+r")
            await pilot.pause()
            await pilot.click("#confirm")
            await app.workers.wait_for_complete()
            await pilot.pause()
            [row] = rows(app, "history-editions")
            assert row[1] == "published" and row[3] == "✓ 3/3"

    asyncio.run(scenario())
    assert [s["text"] for s in fake.thread()] == posts  # each post once, in one thread
    db = open_database(str(tmp_path / "history.sqlite3"))
    try:
        ledger = edition_posts(db, edition)
        assert all(post.status is PostStatus.SENT for post in ledger)
    finally:
        db.close()


def test_a_thread_shows_its_follow_ups_and_each_follow_up_what_it_follows(
    tmp_path: Path,
) -> None:
    svc, (full, _) = seeded(tmp_path)
    db = svc.database()
    update = published(db, ["UPDATE: observers admitted."], title="Update", follows=full)
    later = scheduled(db, NOW + timedelta(days=1), title="The count", follows=full)
    dropped = scheduled(db, NOW + timedelta(days=2), title="Dropped", follows=full)
    store_queue.cancel(db, dropped)  # a cancelled follow-up continues nothing

    async def scenario() -> None:
        app = ScreenApp(svc, HistoryScreen)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            by_id = {row[0]: row for row in rows(app, "history-editions")}
            assert by_id[str(full)][4] == f"then {update}, {later}"
            assert by_id[str(update)][4] == f"↳ {full}"
            table = app.screen.query_one("#history-editions", DataTable)
            table.focus()
            table.move_cursor(row=table.get_row_index(str(full)))
            await pilot.pause()
            assert f"continued by editions {update}, {later}" in detail(app)
            table.move_cursor(row=table.get_row_index(str(update)))
            await pilot.pause()
            assert f"follows edition {full}" in detail(app)

    asyncio.run(scenario())


@pytest.mark.parametrize("size", SIZES)
def test_snapshot(tmp_path: Path, size: tuple[int, int], snap_compare: Any) -> None:
    svc, (full, _) = seeded(tmp_path)
    published(
        svc.database(),
        ["UPDATE: observers admitted."],
        title="Update",
        follows=full,
        sent_at=NOW - timedelta(hours=8),
    )

    async def editions_focused(pilot: Pilot[Any]) -> None:
        # Not the search input: its blinking cursor would make the picture depend on timing.
        pilot.app.screen.query_one("#history-editions", DataTable).focus()
        await pilot.pause()

    app = ScreenApp(svc, HistoryScreen)
    assert snap_compare(app, terminal_size=size, run_before=editions_focused)


def test_a_refresh_keeps_the_cursor_on_the_post_it_was_on(tmp_path: Path) -> None:
    # The posts table was cleared on every change and its cursor went back to the top row:
    # a post published by the daemon meanwhile moved the user off the post they were reading.
    svc, _ = seeded(tmp_path)

    async def scenario() -> None:
        app = ScreenApp(svc, HistoryScreen)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            table = app.screen.query_one("#history-posts", DataTable)
            await pilot.click("#history-posts")
            await pilot.press("down", "down")
            await pilot.pause()
            reading = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            db = open_database(str(tmp_path / "history.sqlite3"))
            try:
                published(db, ["1/1 Newer."], title="Newer", sent_at=NOW)
            finally:
                db.close()
            screen = app.screen
            assert isinstance(screen, HistoryScreen)
            screen.refresh_all()
            await pilot.pause()
            assert len(table.rows) == 4
            assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key == reading

    asyncio.run(scenario())


def test_retract_asks_naming_the_account_then_takes_the_thread_back(
    tmp_path: Path, fake: FakeMastodon, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ctrl+t on a published edition: the question names the account, the platform and the
    number of posts; Escape sends nothing; Retract deletes each post (last first) in a
    worker, and the table then shows it retracted, the posts kept in the history."""
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    config = accounts_file(tmp_path, fake.url)
    posts = ["1/3 First.", "2/3 Second.", "3/3 Third."]
    db = open_database(str(tmp_path / "history.sqlite3"))
    try:
        edition = scheduled(db, NOW, title="Take back", posts=posts)
        holder = Holder.for_this_process("publish-now")
        claim(db, edition, holder)
        outcome = asyncio.run(publish_existing(db, edition, load_config(config), holder=holder))
        assert outcome.finished
        ids = [post.remote_id for post in edition_posts(db, edition)]
    finally:
        db.close()
    svc = services(tmp_path, config)

    async def scenario() -> None:
        app = ScreenApp(svc, HistoryScreen)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.screen.query_one("#history-editions", DataTable).focus()
            await pilot.press("ctrl+t")
            await pilot.pause()
            question = str(app.screen.query_one("#question", Static).render())
            assert "Delete 3 posts of edition 1 from masto (Mastodon)?" in question
            await pilot.press("escape")
            await app.workers.wait_for_complete()
            assert len(fake.statuses) == 3 and fake.deleted == []
            await pilot.press("ctrl+t")
            await pilot.pause()
            await pilot.click("#confirm")
            await app.workers.wait_for_complete()
            await pilot.pause()
            [row] = rows(app, "history-editions")
            assert row[1] == "retracted" and row[3] == "✓ 0/3 · ⌫ 3"
            hits = rows(app, "history-posts")
            assert len(hits) == 3 and all("(retracted)" in hit[0] for hit in hits)

    asyncio.run(scenario())
    assert fake.statuses == {} and fake.deleted == ids[::-1]
    db = open_database(str(tmp_path / "history.sqlite3"))
    try:
        assert find_edition(db, edition).status is EditionStatus.RETRACTED
        assert [p.text for p in edition_posts(db, edition)] == posts
    finally:
        db.close()


def test_a_long_threads_posts_are_summed_up_not_spelled_out() -> None:
    from composer.store import PostStatus
    from composer.tui.history import post_summary

    statuses = [PostStatus.SENT] * 14 + [PostStatus.FAILED]
    assert post_summary(statuses) == "✓ 14/15 · ✗ 1"
    mixed = [PostStatus.SENT, PostStatus.RETRACTED, PostStatus.SENDING, PostStatus.PENDING]
    assert post_summary(mixed) == "✓ 1/4 · … 1 · ○ 1 · ⌫ 1"
    assert len(post_summary([PostStatus.SENT] * 120 + [PostStatus.PENDING] * 3)) < 20
