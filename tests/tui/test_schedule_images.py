"""The schedule dialog on a draft with images: it refuses as `schedule` and `publish` do,
naming the draft's line, and writes nothing; where uploads are built (Mastodon) the edition
keeps its images in the ledger."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from textual.pilot import Pilot
from textual.widgets import Button, Static

from composer.store import open_database, upcoming
from composer.tui.schedule import ScheduleDialog
from composer.tui.services import Services
from tests.tui.dialog_fixtures import DRAFT, DialogApp, accounts_file, workspace


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    services = workspace(tmp_path, accounts_file())
    yield services
    services.close()


def with_image(services: Services, alt: str, account: str = "ank-masto") -> Path:
    Image.new("RGB", (64, 48)).save(services.drafts_dir / "akimat.jpg")
    path = services.drafts_dir / "report.md"
    # The image after the first paragraph (lines 1-5 front matter, 6 blank, 7-8 text).
    lines = DRAFT.replace('"ank-masto"', f'"{account}"').splitlines(keepends=True)
    lines.insert(8, f"![{alt}](akimat.jpg)\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def shown(pilot: Pilot[Any], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).render())


@pytest.mark.anyio
async def test_an_image_without_alt_text_is_refused_naming_the_line(services: Services) -> None:
    path = with_image(services, "")
    app = DialogApp(lambda: ScheduleDialog(services, path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert pilot.app.screen.query_one("#publish", Button).disabled
        assert "report.md:9: akimat.jpg has no alt text" in shown(pilot, "#publish-note")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "report.md:9: akimat.jpg has no alt text" in shown(pilot, "#error")
    assert app.results == []
    assert services.db_url is not None
    with open_database(services.db_url) as db:
        assert upcoming(db, include_done=True) == []


@pytest.mark.anyio
async def test_a_thread_with_images_is_not_scheduled_without_them(services: Services) -> None:
    """A Threads account without `media_upload_cmd` cannot publish images: refused, never
    scheduled to go out without them."""
    assert services.config_path is not None
    config = Path(services.config_path)
    threads = '[accounts.ank-threads]\nplatform = "threads"\nuser_id = "1234567890"\n'
    config.write_text(
        config.read_text(encoding="utf-8") + threads + 'access_token_env = "THREADS_TOKEN"\n',
        encoding="utf-8",
    )
    path = with_image(services, "Police detain a protester outside the akimat", "ank-threads")
    app = DialogApp(lambda: ScheduleDialog(services, path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "report.md:9: images on threads need media_upload_cmd" in shown(pilot, "#error")
    assert app.results == []


@pytest.mark.anyio
async def test_a_thread_with_images_is_scheduled_with_them_on_mastodon(
    services: Services,
) -> None:
    from composer.store import edition_posts, post_media

    alt = "Police detain a protester outside the akimat"
    path = with_image(services, alt)
    app = DialogApp(lambda: ScheduleDialog(services, path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert len(app.results) == 1
    assert services.db_url is not None
    with open_database(services.db_url) as db:
        [entry] = upcoming(db)
        first = edition_posts(db, entry.edition_id)[0]
        assert first.id is not None
        [row] = post_media(db, first.id)
        photo = (services.drafts_dir / "akimat.jpg").resolve()
        assert (row.source_path, row.alt, row.remote_ref) == (str(photo), alt, None)
