"""Ask for a new draft's title."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from composer.tui.dialog import Dialog


class NewDraftDialog(Dialog[str | None]):
    """Dismissed with the title typed (Enter), or None (Escape or an empty title)."""

    DEFAULT_CSS = """
    NewDraftDialog > Vertical { width: 64; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Title of the new draft (Enter to create, Escape to cancel)")
            yield Input(placeholder="OSCE: elections without competition", id="title")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)
