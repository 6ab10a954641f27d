"""F1 (or `?` where no text is typed): the "Keys" screen, every binding of the screen in
front, grouped by where it works, made from the bindings themselves so it cannot drift."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from composer.tui.dialog import Dialog

MORE = 'More: README.md, "The composer (TUI)"; every action is also in the palette (ctrl+p).'
# What a focused widget's own keys are called (its class name otherwise).
_WIDGET_GROUPS = {
    "TextArea": "Editor",
    "SpellEditor": "Editor",
    "Input": "Text field",
    "DataTable": "Table",
    "Tabs": "Platform tabs",
    "OptionList": "List",
}


def key_groups(bindings: Mapping[str, ActiveBinding]) -> list[tuple[str, list[str]]]:
    """(group, lines) for each place the active bindings come from: the focused widget,
    the screen, everywhere. Bindings without a description are left out (moves the widget
    makes as any terminal app does)."""
    groups: dict[str, list[str]] = {}
    for key, active in bindings.items():
        binding = active.binding
        if not binding.description:
            continue
        if isinstance(active.node, App):
            group = "Everywhere"
        elif isinstance(active.node, Screen):
            group = "This screen"
        else:
            name = type(active.node).__name__
            group = _WIDGET_GROUPS.get(name, name)
        shown = binding.key_display or _display(key)
        groups.setdefault(group, []).append(f"{shown:>14}  {binding.description}")
    rank = {"This screen": 1, "Everywhere": 2}  # the focused widget's own keys first
    return sorted(groups.items(), key=lambda item: (rank.get(item[0], 0), item[0]))


def _display(key: str) -> str:
    return {"question_mark": "?"}.get(key, key)


class KeysScreen(Dialog[None]):
    """The keys of the screen it was opened over; any of escape, F1 or q closes it."""

    DEFAULT_CSS = """
    KeysScreen > VerticalScroll { width: 72; max-height: 90%; }
    KeysScreen .group { text-style: bold; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "close", "Close", id="keys.close"),
    ]

    def __init__(self, groups: list[tuple[str, list[str]]], notes: Sequence[str] = ()) -> None:
        """`notes`: lines about the screen in front (whether spelling is checked...)."""
        super().__init__()
        self.groups = groups
        self.notes = list(notes)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "Keys"
            for group, lines in self.groups:
                yield Static(Text(group), classes="group")
                yield Static(Text("\n".join(lines)))
            if self.notes:
                yield Static(Text("\n".join(self.notes)), classes="group")
            yield Static(Text(MORE), classes="group")

    def action_close(self) -> None:
        self.dismiss(None)
