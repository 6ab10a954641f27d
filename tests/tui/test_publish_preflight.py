"""Publish now from the schedule dialog: an account that fails the pre-flight (its secret's
variable unset) is said in the dialog, and nothing is written to the ledger."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Button

from composer.store import open_database
from composer.store.queue_view import upcoming
from composer.tui.confirm import ConfirmDialog
from composer.tui.schedule import ScheduleDialog
from composer.tui.services import Services
from tests.fakes.mastodon import FakeMastodon
from tests.tui.dialog_fixtures import (
    MASTODON_TOKEN,
    DialogApp,
    accounts_file,
    wait_until,
    workspace,
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def mastodon(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMastodon]:
    fake = FakeMastodon(token=MASTODON_TOKEN)
    monkeypatch.delenv("FAKE_MASTODON_TOKEN", raising=False)  # the account's secret: unset
    with fake.running():
        yield fake


@pytest.mark.anyio
async def test_publish_now_with_an_unreadable_secret_writes_nothing(
    tmp_path: Path, mastodon: FakeMastodon
) -> None:
    services: Services = workspace(tmp_path, accounts_file(mastodon.url))
    try:
        app = DialogApp(lambda: ScheduleDialog(services, services.drafts_dir / "report.md"))
        async with app.run_test(size=(80, 24)) as pilot:
            app.screen.query_one("#publish", Button).press()

            def confirming() -> bool:
                screen = pilot.app.screen
                return isinstance(screen, ConfirmDialog) and bool(screen.query("#confirm"))

            await wait_until(pilot, confirming)
            app.screen.query_one("#confirm", Button).press()

            def said() -> str:
                if isinstance(app.screen, ScheduleDialog):
                    return str(app.screen.query_one("#error").render())
                return ""

            await wait_until(pilot, lambda: "FAKE_MASTODON_TOKEN" in said())
            assert "is not set" in said()
            assert app.results == []
        assert services.db_url is not None
        with open_database(services.db_url) as db:
            assert upcoming(db, include_done=True) == []
        assert mastodon.statuses == {}
    finally:
        services.close()
