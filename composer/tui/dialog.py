"""`Dialog`: the frame every dialog of the TUI shares. It sits in the middle of the screen
over what it was opened from; its box (a Vertical or VerticalScroll, its one child) is as
tall as its content, never wider than the terminal, with a thick border in the primary
colour on the surface colour. A dialog sets its own width, and its border or padding where
they differ (a warning colour for one that asks before something cannot be undone). Fields
go in rows (`.row`), the error line is `#error`, and a long dialog docks its messages and
buttons at the bottom (`#footer` holding `#buttons`)."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Button, Input

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    """Escape cancels every dialog (`action_cancel`: closed with nothing, unless the dialog
    says otherwise)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]
    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > Vertical, Dialog > VerticalScroll {
        max-width: 100%; height: auto; border: thick $primary; padding: 1 2;
        background: $surface;
    }
    /* A row of labelled fields; the error line. */
    Dialog .row { height: auto; }
    Dialog .row Label { padding: 1 1 0 0; width: auto; }
    Dialog #error { color: $error; }
    /* Docked: what the dialog says and its buttons stay in view when the fields scroll. */
    Dialog #footer { dock: bottom; height: auto; }
    Dialog #buttons { height: auto; align-horizontal: right; }
    Dialog #buttons Button { margin-left: 1; }
    """

    def action_cancel(self) -> None:
        self.dismiss(None)


class FormDialog(Dialog[ResultType]):
    """A dialog with fields and one action (Save, Move): Enter in a field or any button but
    the one with id `cancel` runs `action_ok`; Cancel (and Escape) runs `action_cancel`. A
    dialog whose fields mean something else by Enter (a search) sets SUBMIT_ON_ENTER to
    False."""

    SUBMIT_ON_ENTER: ClassVar[bool] = True

    def action_ok(self) -> None:
        raise NotImplementedError

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.SUBMIT_ON_ENTER:
            event.stop()
            self.action_ok()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.action_cancel()
        else:
            self.action_ok()
