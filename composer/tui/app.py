"""The application: its modes (one per screen), global bindings and command palette.

The screens and their keys are declared once (MODES): the bindings and the palette's
"Go to" commands are made from that list."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from rich.traceback import Traceback
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import WorkerFailed

from composer.errors import ComposerError
from composer.redaction import redact
from composer.text.display import terminal_safe
from composer.tui.accounts import AccountsScreen
from composer.tui.commands import ComposerCommands
from composer.tui.compose import ComposeScreen
from composer.tui.heap import StartUpAside
from composer.tui.history import HistoryScreen
from composer.tui.keys import KeysScreen, key_groups
from composer.tui.queue import QueueScreen
from composer.tui.remote import error_text, tell
from composer.tui.services import Services
from composer.tui.thumbnails import PictureWidget

# Each screen (a Textual mode): its name and the key that opens it.
MODES = (("compose", "f2"), ("queue", "f3"), ("history", "f4"), ("accounts", "f5"))
SCREENS = Binding.Group("Screens", compact=True)
TRIAL = "Test notification"  # the title of what the palette's `notify test` says


class ComposerApp(App[None]):
    """thread-composer's TUI. Build it with `make_app`."""

    TITLE = "thread-composer"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ComposerCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("f1", "show_keys", "Keys", id="keys"),
        # `?` only where it is not typed: a text field takes it first.
        Binding("question_mark", "show_keys", "Keys", id="keys.question", show=False),
        *(
            Binding(
                key,
                f"switch_mode('{mode}')",
                mode.capitalize(),
                id=f"mode.{mode}",
                group=SCREENS,  # one "f2 f3 f4 f5 Screens" in the footer: 80 columns fit
            )
            for mode, key in MODES
        ),
    ]

    def __init__(
        self, services: Services, draft: Path | None = None, pictures: PictureWidget | None = None
    ) -> None:
        super().__init__()
        self.services = services
        self.draft_path = draft
        self.pictures = pictures
        self.compose_screen: ComposeScreen | None = None
        self._start_up = StartUpAside()

    def on_mount(self) -> None:
        self.add_mode("compose", self._make_compose_screen)
        self.add_mode("queue", lambda: QueueScreen(self.services))
        self.add_mode("history", lambda: HistoryScreen(self.services))
        self.add_mode("accounts", lambda: AccountsScreen(self.services))
        self.switch_mode("compose")
        # Once the first screen is up, what start-up made stays out of full collections.
        self.call_after_refresh(self._start_up.set_aside)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own commands, then one to go to each screen."""
        yield from super().get_system_commands(screen)
        for mode, key in MODES:
            yield SystemCommand(
                f"Go to {mode}", f"The {mode} screen ({key})", partial(self.switch_mode, mode)
            )
        yield SystemCommand(
            "Send a test notification",
            "To every URL of the accounts file's [notify] tables, as `notify test` does",
            self.send_test_notification,
        )

    @work(thread=True, exclusive=True, group="notify-test")
    def send_test_notification(self) -> None:
        """`notify test` from the palette: one line per target (masked), off the UI thread
        (a target may take its whole timeout to answer)."""
        from composer.notify import send_trial

        self.call_from_thread(tell, self, "Sending a test notification...", timeout=3)
        try:
            results = send_trial(self.services.config())
        except ComposerError as error:
            self.call_from_thread(
                tell, self, error_text(error), title=TRIAL, severity="error", timeout=10
            )
            return
        lines = [f"ok: {r.shown}" if r.ok else f"FAILED: {r.shown}: {r.error}" for r in results]
        failed = not all(r.ok for r in results)
        self.call_from_thread(
            tell,
            self,
            "\n".join(lines),
            title=TRIAL,
            severity="error" if failed else "information",
            timeout=15,
        )

    def action_show_keys(self) -> None:
        if not isinstance(self.screen, KeysScreen):
            screen = self.screen
            notes = screen.help_notes() if isinstance(screen, ComposeScreen) else []
            self.push_screen(KeysScreen(key_groups(screen.active_bindings), notes))

    def _make_compose_screen(self) -> ComposeScreen:
        self.compose_screen = ComposeScreen(self.services, self.draft_path, self.pictures)
        return self.compose_screen

    async def action_quit(self) -> None:
        """Quit, saving the draft being written first."""
        if self.compose_screen is not None and self.compose_screen.is_mounted:
            self.compose_screen.save_on_exit()
        self.exit()

    def on_unmount(self) -> None:
        self.services.close()
        self._start_up.end()

    def _handle_exception(self, error: Exception) -> None:
        """A worker stopped by one of the package's own errors (a database that fails, a
        platform that refuses) is told, as the screens tell the errors they expect, and the
        app goes on. Anything else is fatal, as is such an error in a message handler (its
        widget takes no more messages): the crash report below."""
        if isinstance(error, WorkerFailed) and isinstance(error.error, ComposerError):
            tell(self, error_text(error.error), title="Error", severity="error", timeout=10)
            return
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """The crash report printed on exit (the app's return code is then 1): Textual's own
        shows every frame's local variables, and so a header, a token or a secret's bytes.
        This one shows none, and every exception message in it is redacted."""
        self.bell()
        exc_type, error, trace = sys.exc_info()
        if error is None and self._exception is not None:
            exc_type, error, trace = type(self._exception), self._exception, None
            trace = self._exception.__traceback__
        if exc_type is None or error is None:
            self._exit_renderables.append(f"{self.TITLE} crashed")
        elif isinstance(error, ComposerError):  # meant for the user: one line, as the CLI says it
            line = " ".join(error_text(error).split())
            self._exit_renderables.append(Text(f"{self.TITLE}: {terminal_safe(line)}"))
        else:
            report = Traceback.extract(exc_type, error, trace, show_locals=False)
            for stack in report.stacks:
                stack.exc_value = terminal_safe(redact(stack.exc_value))
                stack.notes = [terminal_safe(redact(note)) for note in stack.notes]
                for frame in stack.frames:
                    frame.locals = None
            self._exit_renderables.append(Traceback(report, width=None, show_locals=False))
        self._close_messages_no_wait()


def make_app(
    services: Services | None = None,
    draft: Path | None = None,
    pictures: PictureWidget | None = None,
) -> ComposerApp:
    """The TUI over `services` (defaults: ./drafts, ./accounts.toml, the user's database),
    opened on `draft` when given, with thumbnails drawn by `pictures` (see
    `composer.tui.thumbnails.picture_widget`; None: image chips only)."""
    return ComposerApp(services or Services(), draft, pictures)
