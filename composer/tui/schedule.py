"""The schedule dialog (contract; built by the issue-6 dialogs work).

`ScheduleDialog(services, draft_path)` is pushed by the compose screen (ctrl+t). It asks for
the accounts (the draft's by default), a date and time and a zone (validated exactly as
`thread-composer schedule` does, through `composer.scheduling`), or "next free slot", or
"publish now" (after a ConfirmDialog naming the accounts). It does the scheduling or
publishing itself and is dismissed with a `ScheduleResult`, or None when cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

from composer.scheduling import ScheduledEdition
from composer.tui.services import Services


@dataclass(frozen=True, slots=True)
class ScheduleResult:
    """What the dialog did: editions scheduled, or published now (with their URLs)."""

    editions: list[ScheduledEdition] = field(default_factory=list)
    published_now: bool = False
    message: str = ""


class ScheduleDialog(ModalScreen[ScheduleResult | None]):
    def __init__(self, services: Services, draft_path: Path) -> None:
        super().__init__()
        self.services = services
        self.draft_path = draft_path

    def compose(self) -> ComposeResult:
        yield Static("schedule")
