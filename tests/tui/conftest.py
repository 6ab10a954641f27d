"""Fixtures shared by the TUI tests: a Services over temporary folders and a fixed clock.

Each test gets its own drafts folder (a copy of drafts/example.md), its own SQLite database
file and a copy of the bundled accounts.example.toml, so no test sees the developer's drafts,
accounts or history, and screens show the same thing on every run (snapshot tests).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from composer.tui.services import Services

ROOT = Path(__file__).resolve().parents[2]
FIXED_NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (`pytestmark = pytest.mark.anyio` in the module) run on asyncio, as
    Textual's pilot needs; anyio's pytest plugin runs them."""
    return "asyncio"


def fixed_clock() -> datetime:
    return FIXED_NOW


@pytest.fixture
def tui_services(tmp_path: Path) -> Iterator[Services]:
    """Services with tmp drafts (drafts/example.md copied in), a tmp SQLite database, the
    example accounts file copied to tmp, the clock stopped at 2026-11-30 08:00 UTC, and
    spelling off."""
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    shutil.copyfile(ROOT / "drafts" / "example.md", drafts / "example.md")
    config = tmp_path / "accounts.toml"
    shutil.copyfile(ROOT / "accounts.example.toml", config)
    services = Services(
        drafts_dir=drafts,
        config_path=str(config),
        db_url=str(tmp_path / "history.db"),
        workdir=tmp_path,
        data_dir=tmp_path / "data",
        now=fixed_clock,
        spelling=False,  # the system's dictionaries vary: tests/tui/test_spelling.py turns it on
    )
    yield services
    services.close()


async def compose_settled(pilot: Pilot[object]) -> None:
    """Wait until the compose screen shows the preview of the editor's latest text (the
    preview is debounced and computed in a worker) and animations are over."""
    from composer.tui.compose import ComposeScreen

    for _ in range(400):
        await pilot.pause(0.02)
        screen = pilot.app.screen
        if not isinstance(screen, ComposeScreen) or screen.preview_current:
            break
    await pilot.app.workers.wait_for_complete()
    await pilot.wait_for_animation()
    await pilot.pause()
