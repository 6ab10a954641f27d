"""The application: its modes (one per screen), global bindings and command palette."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from composer.tui.accounts import AccountsScreen
from composer.tui.commands import ComposerCommands
from composer.tui.compose import ComposeScreen
from composer.tui.history import HistoryScreen
from composer.tui.queue import QueueScreen
from composer.tui.services import Services


class ComposerApp(App[None]):
    """thread-composer's TUI. Build it with `make_app`."""

    TITLE = "thread-composer"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ComposerCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("f2", "switch_mode('compose')", "Compose", id="mode.compose"),
        Binding("f3", "switch_mode('queue')", "Queue", id="mode.queue"),
        Binding("f4", "switch_mode('history')", "History", id="mode.history"),
        Binding("f5", "switch_mode('accounts')", "Accounts", id="mode.accounts"),
    ]

    def __init__(self, services: Services, draft: Path | None = None) -> None:
        super().__init__()
        self.services = services
        self.draft_path = draft
        self.compose_screen: ComposeScreen | None = None

    def on_mount(self) -> None:
        self.add_mode("compose", self._make_compose_screen)
        self.add_mode("queue", lambda: QueueScreen(self.services))
        self.add_mode("history", lambda: HistoryScreen(self.services))
        self.add_mode("accounts", lambda: AccountsScreen(self.services))
        self.switch_mode("compose")

    def _make_compose_screen(self) -> ComposeScreen:
        self.compose_screen = ComposeScreen(self.services, self.draft_path)
        return self.compose_screen

    async def action_quit(self) -> None:
        """Quit, saving the draft being written first."""
        if self.compose_screen is not None and self.compose_screen.is_mounted:
            self.compose_screen.save_on_exit()
        self.exit()

    def on_unmount(self) -> None:
        self.services.close()


def make_app(services: Services | None = None, draft: Path | None = None) -> ComposerApp:
    """The TUI over `services` (defaults: ./drafts, ./accounts.toml, the user's database),
    opened on `draft` when given."""
    return ComposerApp(services or Services(), draft)
