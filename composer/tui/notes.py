"""A line of text in a dialog that takes no room while it has nothing to say (an error, a
summary, progress), so a dialog fits 80x24 until it needs the lines."""

from __future__ import annotations

from rich.markup import escape
from textual.widgets import Static

from composer.text.display import terminal_safe


def shown(text: str) -> str:
    """Text from a file, a platform or the user, safe as Textual markup in a terminal."""
    return escape(terminal_safe(text))


class Note(Static):
    """Static markup, hidden while empty. Pass remote or user text through `shown`."""

    def __init__(self, markup: str = "", *, id: str | None = None, classes: str | None = None):
        super().__init__(markup, id=id, classes=classes)
        self.display = bool(markup)

    def say(self, markup: str) -> None:
        self.update(markup)
        self.display = bool(markup)
