"""Ask for a new draft's title, and create its file."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from composer.tui.dialog import Dialog
from composer.workspace.drafts import new_draft


class NewDraftDialog(Dialog[Path | None]):
    """Dismissed with the draft created in `folder` for the title typed (Enter), or None
    (Escape or an empty title). A file that cannot be written is said in the dialog."""

    DEFAULT_CSS = """
    NewDraftDialog > Vertical { width: 64; }
    """

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Title of the new draft (Enter to create, Escape to cancel)")
            yield Input(placeholder="OSCE: elections without competition", id="title")
            yield Static(id="error", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        title = event.value.strip()
        if not title:
            self.dismiss(None)
            return
        try:
            path = new_draft(self.folder, title)
        except OSError as error:
            self.query_one("#error", Static).update(
                f"cannot create the draft: {error.strerror or error}"
            )
            return
        self.dismiss(path)
