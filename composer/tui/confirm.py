"""A yes/no question in a modal dialog, for actions that cannot be taken back."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from composer.text.display import terminal_safe
from composer.tui.dialog import Dialog


class ConfirmDialog(Dialog[bool]):
    """Dismissed with True only when the user presses the confirm button; Escape is no.
    `question` is plain text, shown as it is; name the accounts and the thread in it."""

    DEFAULT_CSS = """
    ConfirmDialog > Vertical { width: 64; border: thick $warning; }
    ConfirmDialog Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    ConfirmDialog Button { margin-left: 1; }
    """

    def __init__(self, question: str, confirm_label: str = "Confirm") -> None:
        super().__init__()
        self.question = question
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical():
            # Plain content, never markup: the question names remote titles and accounts.
            yield Static(Content(terminal_safe(self.question)), id="question")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button(self.confirm_label, id="confirm", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()  # the safe choice has the focus

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_cancel(self) -> None:
        self.dismiss(False)
