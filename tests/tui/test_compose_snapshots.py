"""Screenshots of the compose screen at 80x24 and 120x40, compared with the accepted ones in
__snapshots__/ (regenerate with `pytest tests/tui --snapshot-update`, then look at them)."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from composer.tui import Services, make_app
from tests.tui.conftest import compose_settled


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_compose_screen(snap_compare, tui_services: Services, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_app(tui_services, tui_services.drafts_dir / "example.md")
    assert snap_compare(app, terminal_size=size, run_before=compose_settled)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_compose_screen_with_a_front_matter_error(  # type: ignore[no-untyped-def]
    snap_compare, tui_services: Services, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The broken text is unsaved on screen: an autosave firing on a slow machine first would
    # show "saved" instead (it failed so in CI).
    monkeypatch.setattr("composer.tui.compose.AUTOSAVE_DELAY", 3600.0)

    async def break_front_matter(pilot: Pilot[object]) -> None:
        await compose_settled(pilot)
        editor = pilot.app.screen.query_one("#editor", TextArea)
        editor.replace("[bold]hook = ", (6, 0), (6, 7))
        await compose_settled(pilot)

    app = make_app(tui_services, tui_services.drafts_dir / "example.md")
    assert snap_compare(app, terminal_size=size, run_before=break_front_matter)


def test_compose_screen_without_drafts(snap_compare, tui_services: Services) -> None:  # type: ignore[no-untyped-def]
    (tui_services.drafts_dir / "example.md").unlink()
    assert snap_compare(make_app(tui_services), terminal_size=(80, 24), run_before=compose_settled)
