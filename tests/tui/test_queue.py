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

import composer.store as store_rules
from composer.store import EditionStatus, open_database
from composer.store.claims import Holder, claim
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
    recurring_rule,
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


def rule_cells(app: ScreenApp, rule_id: int) -> list[str]:
    table = app.screen.query_one("#rules-table", DataTable)
    return [str(value) for value in table.get_row(str(rule_id))]


def detail(app: ScreenApp) -> str:
    return str(app.screen.query_one("#queue-detail", Static).render())


def rule_active(tmp_path: Path, rule_id: int) -> bool:
    db = open_database(str(tmp_path / "history.sqlite3"))
    try:
        return store_rules.find_recurrence(db, rule_id).active
    finally:
        db.close()


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
            assert "on masto (2 posts) now?" in question
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


def test_publish_now_of_an_edition_another_process_took_names_it_and_sends_nothing(
    tmp_path: Path, fake: FakeMastodon, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    _, (almaty, *_) = seeded(tmp_path)
    svc = services(tmp_path, accounts_file(tmp_path, fake.url))
    other = Holder.for_this_process("publish-now")  # alive: this very process

    async def scenario() -> None:
        app = ScreenApp(svc, QueueScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("p")
            await pilot.pause()
            claim(svc.database(), almaty, other)  # `queue publish-now` got there first
            await pilot.click("#confirm")
            await app.workers.wait_for_complete()
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            assert any(
                m.startswith(f"edition {almaty} is being published by publish-now on ")
                and m.endswith("; it will resume if that stops")
                for m in messages
            ), messages

    asyncio.run(scenario())
    assert fake.statuses == {}
    edition = find_edition(svc.database(), almaty)
    assert edition.status is EditionStatus.PUBLISHING and edition.claimed_by == other.worker


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
    svc, (almaty, *_) = seeded(tmp_path)
    scheduled(svc.database(), NOW + timedelta(days=3), title="OSCE: the count", follows=almaty)
    recurring_rule(svc.database(), tmp_path)
    assert snap_compare(ScreenApp(svc, QueueScreen), terminal_size=size)


def test_snapshot_with_the_rules_focused(tmp_path: Path, snap_compare: Any) -> None:
    """The rule's detail (next times, last error) and only the rule bindings in the footer."""
    svc, _ = seeded(tmp_path)
    rule_id = recurring_rule(svc.database(), tmp_path)
    store_rules.set_last_error(svc.database(), rule_id, "the draft could not be composed")
    assert snap_compare(ScreenApp(svc, QueueScreen), press=["tab"], terminal_size=(80, 24))


# --- recurring rules ----------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_a_rule_made_by_the_cli_appears_with_its_next_time_in_its_zone(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    svc, _ = seeded(tmp_path)

    async def scenario() -> None:
        app = ScreenApp(svc, QueueScreen)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, QueueScreen)
            assert screen.query_one("#rules-table", DataTable).row_count == 0
            rule_id = recurring_rule(svc.database(), tmp_path)  # as `schedule --every` does
            screen.refresh_entries()  # what the refresh timer calls
            await pilot.pause()
            # Monday 09:00 in Berlin, after NOW (Tuesday 2026-12-01): the 7th, in winter time.
            assert rule_cells(app, rule_id) == [
                str(rule_id),
                "2026-12-07 09:00 Europe/Berlin (CET)",
                "Mon 09:00",
                "masto",
                "weekly.md",
                "",
            ]
            await pilot.press("tab")
            await pilot.pause()
            assert screen.rules_focused()
            text = detail(app)
            assert "2026-12-14 09:00 Europe/Berlin (CET)" in text
            assert "2026-12-21 09:00 Europe/Berlin (CET)" in text

    asyncio.run(scenario())


@pytest.mark.parametrize("confirm", [True, False])
def test_stopping_a_rule_asks_first_naming_the_rule_account_and_draft(
    tmp_path: Path, confirm: bool
) -> None:
    svc, (almaty, *_) = seeded(tmp_path)
    rule_id = recurring_rule(svc.database(), tmp_path)

    async def scenario() -> None:
        app = ScreenApp(svc, QueueScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("s")  # the editions table has the focus: no rule is stopped
            await pilot.pause()
            assert isinstance(app.screen, QueueScreen)
            await pilot.press("tab", "c")  # the rules table: no edition is cancelled
            await pilot.pause()
            assert isinstance(app.screen, QueueScreen)
            await pilot.press("s")
            await pilot.pause()
            question = str(app.screen.query_one("#question", Static).render())
            assert f"Stop recurring rule {rule_id}" in question
            assert "on masto" in question and '"weekly.md"' in question
            if confirm:
                await pilot.click("#confirm")
            else:
                await pilot.press("escape")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, QueueScreen)
            keys = [k.value for k in app.screen.query_one("#rules-table", DataTable).rows]
            assert (str(rule_id) in keys) is not confirm

    asyncio.run(scenario())
    assert rule_active(tmp_path, rule_id) is not confirm
    assert status_of(tmp_path, almaty) is EditionStatus.SCHEDULED


def test_a_rules_last_error_is_shown_escaped(tmp_path: Path) -> None:
    svc, _ = seeded(tmp_path)
    rule_id = recurring_rule(svc.database(), tmp_path)
    store_rules.set_last_error(svc.database(), rule_id, "[bold]draft gone[/bold] \x1b[31mred")

    async def scenario() -> None:
        app = ScreenApp(svc, QueueScreen)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("tab")
            await pilot.pause()
            assert rule_cells(app, rule_id)[5] == "[bold]draft gone[/bold] \\u001b[31mred"
            text = detail(app)
            assert "last error: [bold]draft gone[/bold] \\u001b[31mred" in text
            assert "\x1b" not in text

    asyncio.run(scenario())


# --- follow-ups -------------------------------------------------------------------------


def test_a_follow_up_shows_what_it_follows_and_that_it_waits_for_it(tmp_path: Path) -> None:
    svc, (almaty, *_) = seeded(tmp_path)
    held = scheduled(
        svc.database(), NOW + timedelta(days=3), title="OSCE: the count", follows=almaty
    )
    sent = published(svc.database(), ["1/1 Out."], title="Sent earlier")
    ready = scheduled(svc.database(), NOW + timedelta(days=4), title="Update", follows=sent)

    async def scenario() -> None:
        app = ScreenApp(svc, QueueScreen)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, QueueScreen)
            assert cells(app, held)[5] == f"↳ follows {almaty}: OSCE: the count"
            assert cells(app, ready)[5] == f"↳ follows {sent}: Update"
            assert cells(app, almaty)[5] == "OSCE: elections without competition"
            table = screen.query_one("#queue-table", DataTable)
            table.move_cursor(row=table.get_row_index(str(held)))
            await pilot.pause()
            assert (
                f"held: it follows edition {almaty}, which is scheduled, not published yet"
                in detail(app)
            )
            table.move_cursor(row=table.get_row_index(str(ready)))
            await pilot.pause()
            assert f"follows edition {sent} (published)" in detail(app)
            assert "held" not in detail(app)

    asyncio.run(scenario())


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


def test_overdue_editions_and_a_missing_daemon_are_said(tmp_path: Path) -> None:
    from composer.store.daemons import daemon_seen

    svc, (future, _, _) = seeded(tmp_path)
    db = open_database(str(tmp_path / "history.sqlite3"))
    try:
        late = scheduled(db, NOW - timedelta(hours=1), title="Late statement")
    finally:
        db.close()

    def note(app: ScreenApp) -> Static:
        return app.screen.query_one("#daemon-note", Static)

    async def scenario() -> None:
        app = ScreenApp(svc, QueueScreen)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert cells(app, late)[1] == "overdue"
            assert cells(app, future)[1] == "scheduled"
            assert note(app).display
            assert "no daemon has run yet: scheduled threads will not be sent" in str(
                note(app).render()
            )
            # A daemon is seen: the warning goes at the next refresh (the edition, past its
            # time, still reads overdue until the daemon takes it).
            db = open_database(str(tmp_path / "history.sqlite3"))
            try:
                daemon_seen(db, "h:1", host="h", pid=1, now=NOW - timedelta(minutes=1))
            finally:
                db.close()
            await pilot.press("r")
            await pilot.pause()
            assert not note(app).display
            assert cells(app, late)[1] == "overdue"

    asyncio.run(scenario())


def test_an_edition_a_stopped_publish_left_reads_interrupted_with_its_resume_command(
    tmp_path: Path,
) -> None:
    """The screen says what `queue` says (one QueueEntry.state): not "publishing" forever for
    an edition nobody sends and no daemon will take."""
    svc, ids = seeded(tmp_path)
    db = open_database(str(tmp_path / "history.sqlite3"))
    try:
        with db.session() as session:
            edition = session.get_one(store_rules.Edition, ids[0])
            edition.status = EditionStatus.PUBLISHING
            edition.scheduled_at = None  # started by `publish`, not scheduled
            edition.claimed_by, edition.claimed_until = None, NOW  # its claim released
            session.add(edition)
    finally:
        db.close()

    async def scenario() -> None:
        app = ScreenApp(svc, QueueScreen)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert cells(app, ids[0])[1] == "interrupted"
            assert cells(app, ids[1])[1] == "scheduled"
            table = app.screen.query_one("#queue-table", DataTable)
            table.move_cursor(row=table.get_row_index(str(ids[0])))
            await pilot.pause()
            assert "resume: thread-composer publish DRAFT --account masto" in detail(app)

    asyncio.run(scenario())
