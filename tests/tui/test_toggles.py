"""Toggles readable without colour: the mark is there only when the toggle is on."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import RadioSet

from composer.tui.toggles import OFF, TICK, TickBox, TickList, TickRadio

pytestmark = pytest.mark.anyio


class Toggles(App[None]):
    def compose(self) -> ComposeResult:
        yield TickBox("Again", id="box")
        yield RadioSet(TickRadio("first", value=True), TickRadio("last"), id="radios")
        yield TickList[str](("x", "x", True), ("bluesky", "bluesky", False), id="list")


def mark(text: str) -> str:
    """The character between the toggle's two sides (▐ ▌)."""
    return text[text.index("▐") + 1]


async def test_a_checkbox_shows_a_tick_only_when_checked() -> None:
    app = Toggles()
    async with app.run_test() as pilot:
        box = app.query_one("#box", TickBox)
        assert mark(box.render().plain) == OFF
        box.focus()
        await pilot.press("space")
        assert box.value
        assert mark(box.render().plain) == TICK


async def test_a_radio_shows_its_dot_only_when_pressed() -> None:
    app = Toggles()
    async with app.run_test() as pilot:
        first, last = app.query(TickRadio)
        assert mark(first.render().plain) == "●" and mark(last.render().plain) == OFF
        last.value = True
        await pilot.pause()  # the set releases the other
        assert mark(first.render().plain) == OFF and mark(last.render().plain) == "●"


async def test_a_selection_list_ticks_only_the_selected_rows() -> None:
    app = Toggles()
    async with app.run_test() as pilot:
        rows = app.query_one("#list", TickList)
        assert [mark(rows.render_line(y).text) for y in (0, 1)] == [TICK, OFF]
        rows.focus()
        await pilot.press("space")  # the first row, highlighted: off now
        await pilot.pause()
        assert [mark(rows.render_line(y).text) for y in (0, 1)] == [OFF, OFF]
