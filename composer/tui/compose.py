"""The compose screen (placeholder until its issue-6 work lands)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from composer.tui.services import Services


class ComposeScreen(Screen[None]):
    def __init__(self, services: Services, draft: Path | None = None) -> None:
        super().__init__()
        self.services = services
        self.draft_path = draft

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("compose")
        yield Footer()
