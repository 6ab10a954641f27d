"""ConfirmDialog: only the confirm button says yes, and a remote title is shown as text."""

from __future__ import annotations

import asyncio

from textual.app import App
from textual.widgets import Static

from composer.tui.confirm import ConfirmDialog

HOSTILE = "Publish [bold]Election[/bold] \x1b[31mred\x1b[0m to ank-x?"


class Host(App[None]):
    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question
        self.answers: list[bool | None] = []

    def on_mount(self) -> None:
        self.push_screen(ConfirmDialog(self.question, "Publish"), self.answers.append)


def run(keys: list[str], question: str = HOSTILE) -> tuple[list[bool | None], str]:
    async def go() -> tuple[list[bool | None], str]:
        app = Host(question)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            shown = str(app.screen.query_one("#question", Static).render())
            for key in keys:
                await pilot.press(key)
            await pilot.pause()
        return app.answers, shown

    return asyncio.run(go())


def test_the_question_is_shown_as_plain_text_with_controls_escaped() -> None:
    _, shown = run([])
    assert "[bold]Election[/bold]" in shown  # markup shown, not applied
    assert "\\u001b[31mred" in shown and "\x1b" not in shown


def test_the_focus_starts_on_cancel_so_enter_does_not_confirm() -> None:
    assert run(["enter"])[0] == [False]


def test_escape_is_no_and_the_confirm_button_is_yes() -> None:
    assert run(["escape"])[0] == [False]
    assert run(["tab", "enter"])[0] == [True]
