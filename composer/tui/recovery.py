"""The question asked when a draft opens with unsaved text from an earlier session.

The text is never put back silently: it may hold what the user deliberately took out (a
witness's name). The dialog shows what restoring would change and waits for Restore or
Discard; until then the editor holds the file's text and the kept copy is left alone.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from composer.text.display import terminal_safe
from composer.tui.dialog import Dialog


class RecoveryDialog(Dialog[bool]):
    """Dismissed with True for Restore and False for Discard; there is no third way out
    (Escape does nothing), so the kept copy is never lost or restored by accident."""

    DEFAULT_CSS = """
    RecoveryDialog > Vertical { width: 76; max-height: 100%; border: thick $warning; }
    RecoveryDialog #changes { margin-top: 1; color: $text-muted; }
    RecoveryDialog Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    RecoveryDialog Button { margin-left: 1; }
    """

    def __init__(self, name: str, changes: str) -> None:
        super().__init__()
        self.draft_name = name
        self.changes = changes

    def compose(self) -> ComposeResult:
        with Vertical():
            # Plain content, never markup: the lines come from the draft.
            yield Static(
                Content(
                    terminal_safe(
                        f"{self.draft_name} has unsaved text from an earlier session "
                        "(the composer ended before saving it). Restoring it would change "
                        "the file's text:"
                    )
                ),
                id="question",
            )
            yield Static(Content(terminal_safe(self.changes)), id="changes")
            with Horizontal():
                yield Button("Discard", id="discard", variant="error")
                yield Button("Restore", id="restore", variant="primary")

    def on_mount(self) -> None:
        # Restore can be undone (ctrl+z, or by editing); Discard cannot: it has no focus.
        self.query_one("#restore", Button).focus()

    def action_cancel(self) -> None:
        """Escape decides nothing here: the kept text is restored or discarded (for good)
        only by its buttons."""
        self.notify("Restore or Discard the unsaved text", severity="warning")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "restore")
