"""A small dialog asking for an edition's new time, validated as `queue move --at` is."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from composer.scheduling import ScheduledEdition, ScheduleError, move_edition
from composer.store import StoreError
from composer.tui.dialog import FormDialog
from composer.tui.remote import error_text, plain
from composer.tui.services import Services


class MoveDialog(FormDialog[ScheduledEdition | None]):
    """Moves the edition itself; dismissed with the new time, or None when cancelled.
    A time that cannot be used is explained under the input and nothing changes."""

    DEFAULT_CSS = """
    MoveDialog > Vertical { width: 70; }
    MoveDialog #move-error { color: $error; height: auto; }
    MoveDialog Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    MoveDialog Button { margin-left: 1; }
    """

    def __init__(self, services: Services, edition_id: int, description: str, zone: str) -> None:
        super().__init__()
        self.services = services
        self.edition_id = edition_id
        self.description = description  # plain text: escaped here
        self.zone = zone

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.description), id="move-question")
            yield Input(
                placeholder=f"YYYY-MM-DD HH:MM in {self.zone}, or ISO 8601 with an offset",
                id="move-at",
            )
            yield Static("", id="move-error")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Move", id="move", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#move-at", Input).focus()

    def action_ok(self) -> None:
        at = self.query_one("#move-at", Input).value
        try:
            moved = move_edition(
                self.services.database(), self.edition_id, at, now=self.services.now()
            )
        except (ScheduleError, StoreError) as error:
            self.query_one("#move-error", Static).update(plain(error_text(error)))
            return
        self.dismiss(moved)
