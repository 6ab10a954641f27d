"""The queue screen: editions in their own zones, cancel, move and publish now, over a real
temporary database and a loopback Mastodon."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from composer.store import EditionStatus, open_database
from composer.store.editions import find_edition
from composer.tui.queue import QueueScreen
from composer.tui.services import Services
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


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    mastodon = FakeMastodon(token=TOKEN)
    with mastodon.running():
        yield mastodon


def seeded(tmp_path: Path) -> tuple[Services, list[int]]:
    db = open_database(str(tmp_path / "history.sqlite3"))
    try:
        ids = [
            scheduled(db, NOW + timedelta(days=1), title="OSCE: elections without competition"),
            scheduled(
                db, NOW + timedelta(days=1, hours=2), title="CSTO démarche", zone="Europe/Berlin"
            ),
            scheduled(db, NOW + timedelta(days=2), title=MARKUP_TITLE, account="other"),
        ]
    finally:
        db.close()
    return services(tmp_path), ids


def status_of(tmp_path: Path, edition_id: int) -> EditionStatus:
    db = open_database(str(tmp_path / "history.sqlite3"))
    try:
        return find_edition(db, edition_id).status
    finally:
        db.close()


def cells(app: ScreenApp, edition_id: int) -> list[str]:
    table = app.screen.query_one("#queue-table", DataTable)
    return [str(value) for value in table.get_row(str(edition_id))]


@pytest.mark.parametrize("size", SIZES)
def test_queue_shows_each_edition_in_its_own_zone(tmp_path: Path, size: tuple[int, int]) -> None:
    svc, (almaty, berlin, _) = seeded(tmp_path)

    async def scenario() -> None:
        app = ScreenApp(svc, QueueScreen)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            assert cells(app, almaty)[:3] == [
                str(almaty),
                "scheduled",
                "2026-12-02 09:00 Asia/Almaty (+05)",
            ]
            assert cells(app, berlin)[2] == "2026-12-02 07:00 Europe/Berlin (CET)"
            assert cells(app, berlin)[3:] == ["masto", "2", "CSTO démarche"]

    asyncio.run(scenario())


def test_remote_text_is_shown_escaped(tmp_path: Path) -> None:
    svc, (_, _, markup) = seeded(tmp_path)

    async def scenario() -> None:
        app = ScreenApp(svc, QueueScreen)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("down", "down")
            await pilot.pause()
            assert cells(app, markup)[5] == "[bold]Not bold[/bold] \\u001b[31mred?"
            detail = str(app.screen.query_one("#queue-detail", Static).render())
            assert "[bold]Not bold[/bold]" in detail and "\\u001b[31m" in detail
            assert "\x1b" not in detail

    asyncio.run(scenario())


def test_finished_editions_are_shown_on_request(tmp_path: Path) -> None:
    svc, _ = seeded(tmp_path)
    done = published(svc.database(), ["1/1 Out."], title="Sent", error=None, sent=0)

    async def scenario() -> None:
        app = ScreenApp(svc, QueueScreen)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            table = app.screen.query_one(DataTable)
            assert table.row_count == 3
            await pilot.press("a")
            await pilot.pause()
            assert table.row_count == 4 and cells(app, done)[1] == "failed"
            await pilot.press("a")
            await pilot.pause()
            assert table.row_count == 3

    asyncio.run(scenario())


@pytest.mark.parametrize("confirm", [True, False])
def test_cancel_asks_first(tmp_path: Path, confirm: bool) -> None:
    svc, (almaty, *_) = seeded(tmp_path)

    async def scenario() -> None:
        app = ScreenApp(svc, QueueScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("c")
            await pilot.pause()
            question = str(app.screen.query_one("#question", Static).render())
            assert "masto" in question and "OSCE: elections without competition" in question
            if confirm:
                await pilot.click("#confirm")
            else:
                await pilot.press("escape")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, QueueScreen)
            if confirm:  # the table no longer lists it
                assert str(almaty) not in [k.value for k in app.screen.query_one(DataTable).rows]

    asyncio.run(scenario())
    expected = EditionStatus.CANCELLED if confirm else EditionStatus.SCHEDULED
    assert status_of(tmp_path, almaty) is expected


def test_move_with_a_bad_time_explains_and_changes_nothing(tmp_path: Path) -> None:
    svc, (almaty, *_) = seeded(tmp_path)

    async def scenario() -> None:
        app = ScreenApp(svc, QueueScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("m")
            await pilot.pause()
            await pilot.press(*"2026-11-30 09:00", "enter")  # the day before NOW
            await pilot.pause()
            error = str(app.screen.query_one("#move-error", Static).render())
            assert "is in the past" in error
            app.screen.query_one("#move-at").value = "[red]tomorrow"  # type: ignore[attr-defined]
            await pilot.press("enter")
            await pilot.pause()
            error = str(app.screen.query_one("#move-error", Static).render())
            assert "cannot read '[red]tomorrow'" in error
            await pilot.press("escape")
            await pilot.pause()
            assert cells(app, almaty)[2] == "2026-12-02 09:00 Asia/Almaty (+05)"

    asyncio.run(scenario())
    assert status_of(tmp_path, almaty) is EditionStatus.SCHEDULED


def test_move_to_a_good_time_in_the_editions_zone(tmp_path: Path) -> None:
    svc, (almaty, *_) = seeded(tmp_path)

    async def scenario() -> None:
        app = ScreenApp(svc, QueueScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("m")
            await pilot.pause()
            await pilot.press(*"2026-12-03 18:30", "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, QueueScreen)
            assert cells(app, almaty)[2] == "2026-12-03 18:30 Asia/Almaty (+05)"

    asyncio.run(scenario())


def test_the_cursor_stays_on_its_edition_when_the_queue_changes(tmp_path: Path) -> None:
    svc, (_, berlin, _) = seeded(tmp_path)

    async def scenario() -> None:
        app = ScreenApp(svc, QueueScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("down")
            screen = app.screen
            assert isinstance(screen, QueueScreen)
            assert screen.selected_id() == berlin
            # The CLI schedules an earlier edition: it goes to the top of the table.
            earlier = scheduled(svc.database(), NOW + timedelta(hours=1), title="Urgent")
            screen.refresh_entries()
            await pilot.pause()
            table = screen.query_one(DataTable)
            assert table.get_row_index(str(earlier)) == 0
            assert screen.selected_id() == berlin

    asyncio.run(scenario())


def test_publish_now_sends_the_thread_once(
    tmp_path: Path, fake: FakeMastodon, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    _, (almaty, *_) = seeded(tmp_path)
    svc = services(tmp_path, accounts_file(tmp_path, fake.url))

    async def scenario() -> None:
        app = ScreenApp(svc, QueueScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("p")
            await pilot.pause()
            question = str(app.screen.query_one("#question", Static).render())
            assert "on masto now?" in question
            await pilot.click("#confirm")
            await app.workers.wait_for_complete()
            await pilot.pause()
            table = app.screen.query_one(DataTable)
            assert str(almaty) not in [k.value for k in table.rows]  # no longer upcoming
            messages = [n.message for n in app._notifications]
            assert "masto: post 1/2 sent" in messages and "masto: post 2/2 sent" in messages
            assert f"masto: edition {almaty} published, 2 posts" in messages

    asyncio.run(scenario())
    assert status_of(tmp_path, almaty) is EditionStatus.PUBLISHED
    assert [s["text"] for s in fake.thread()] == ["1/2 First post.", "2/2 Second post."]


def test_publish_now_without_the_secret_changes_nothing(
    tmp_path: Path, fake: FakeMastodon, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    _, (almaty, *_) = seeded(tmp_path)
    svc = services(tmp_path, accounts_file(tmp_path, fake.url))

    async def scenario() -> None:
        app = ScreenApp(svc, QueueScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("p")
            await pilot.pause()
            await pilot.click("#confirm")
            await app.workers.wait_for_complete()
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            assert any(f"{TOKEN_ENV} is not set" in m for m in messages)

    asyncio.run(scenario())
    assert status_of(tmp_path, almaty) is EditionStatus.SCHEDULED
    assert fake.statuses == {}


@pytest.mark.parametrize("size", SIZES)
def test_snapshot(tmp_path: Path, size: tuple[int, int], snap_compare: Any) -> None:
    svc, _ = seeded(tmp_path)
    assert snap_compare(ScreenApp(svc, QueueScreen), terminal_size=size)


def test_the_app_switches_to_the_queue_history_and_accounts(tmp_path: Path) -> None:
    from composer.tui import make_app
    from composer.tui.accounts import AccountsScreen
    from composer.tui.history import HistoryScreen

    svc, _ = seeded(tmp_path)
    svc.drafts_dir.mkdir()

    async def scenario() -> None:
        app = make_app(svc)
        async with app.run_test(size=(120, 40)) as pilot:
            for key, screen in (("f3", QueueScreen), ("f4", HistoryScreen), ("f5", AccountsScreen)):
                await pilot.press(key)
                await pilot.pause()
                assert isinstance(app.screen, screen)
            await pilot.press("f3")
            await pilot.pause()
            assert app.screen.query_one("#queue-table", DataTable).row_count == 3

    asyncio.run(scenario())


def test_snapshot_of_the_move_dialog_with_an_error(tmp_path: Path, snap_compare: Any) -> None:
    svc, _ = seeded(tmp_path)

    async def bad_time_entered(pilot: Pilot[Any]) -> None:
        await pilot.press("m")
        await pilot.pause()
        pilot.app.screen.query_one("#move-at", Input).cursor_blink = False  # a steady picture
        await pilot.press(*"2026-13-01 09:00", "enter")
        await pilot.pause()

    assert snap_compare(ScreenApp(svc, QueueScreen), run_before=bad_time_entered)
