"""Whole flows through the real app, as a user goes: the screens and dialogs built
separately must work together (compose → schedule dialog → queue → cancel)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.widgets import DataTable, Input

from composer.store import EditionStatus, open_database
from composer.store.queue_view import upcoming
from composer.tui import make_app
from composer.tui.compose import ComposeScreen
from composer.tui.confirm import ConfirmDialog
from composer.tui.queue import QueueScreen
from composer.tui.schedule import ScheduleDialog
from composer.tui.services import Services
from tests.tui.conftest import compose_settled

pytestmark = pytest.mark.anyio


def editions(services: Services) -> list[tuple[str, datetime | None, EditionStatus]]:
    assert services.db_url is not None
    with open_database(services.db_url) as db:
        return [(e.account, e.scheduled_at, e.status) for e in upcoming(db, include_done=True)]


async def test_schedule_from_the_compose_screen_then_cancel_it_from_the_queue(
    tui_services: Services,
) -> None:
    app = make_app(tui_services, tui_services.drafts_dir / "example.md")
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_settled(pilot)
        assert isinstance(app.screen, ComposeScreen)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, ScheduleDialog)
        when = app.screen.query_one("#when", Input)
        when.value = ""
        when.focus()
        await pilot.press(*"2026-12-01 09:00")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)
        # The example draft's three accounts, 09:00 in its zone (Asia/Almaty, +05).
        at = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
        assert sorted(editions(tui_services)) == [
            (name, at, EditionStatus.SCHEDULED) for name in ("ank-bsky", "ank-masto", "ank-x")
        ]

        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 3
        table.focus()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("tab", "enter")  # from Cancel (focused first) to the confirm button
        await pilot.pause()
        statuses = sorted(status for _, _, status in editions(tui_services))
        assert statuses.count(EditionStatus.CANCELLED) == 1
        assert statuses.count(EditionStatus.SCHEDULED) == 2
