"""A path field that completes file names: the folders, and the files of the kinds a dialog
takes (images beside a draft, documents to import), read in a thread (a folder may be on a
slow disk). Tab or → takes the completion shown."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Collection
from pathlib import Path
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.suggester import Suggester
from textual.widgets import Input

from composer.text.display import terminal_safe


def completions(folder: Path, value: str, suffixes: Collection[str]) -> list[str]:
    """What `value` (a path typed relative to `folder`) may be completed to: the folders
    (with their "/") and the files whose suffix is one of `suffixes` (lower case) it starts,
    in name order; hidden ones only when their "." is typed, and none whose name holds a
    control character or a line break."""
    head, _, prefix = value.rpartition("/")
    base = folder / Path(head).expanduser() if head else folder
    if value.startswith("/"):
        base = Path(head or "/")
    try:
        entries = list(os.scandir(base))
    except (OSError, ValueError):  # ValueError: a NUL typed in the path
        return []
    found: list[str] = []
    for entry in entries:
        name = entry.name
        if not name.startswith(prefix) or (name.startswith(".") and not prefix.startswith(".")):
            continue
        if terminal_safe(name) != name or len(name.splitlines()) != 1:
            continue  # never drawn raw on the terminal, nor written into a draft
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        start = f"{head}/" if head or value.startswith("/") else ""
        if is_dir:
            found.append(f"{start}{name}/")
        elif Path(name).suffix.lower() in suffixes:
            found.append(f"{start}{name}")
    return sorted(found)


class PathSuggester(Suggester):
    """Completes a path relative to `folder` with `completions`. Never cached: files come
    and go while the dialog is open."""

    def __init__(self, folder: Path, suffixes: Collection[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.folder = folder
        self.suffixes = frozenset(suffixes)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        found = await asyncio.to_thread(completions, self.folder, value, self.suffixes)
        longer = [name for name in found if len(name) > len(value)]
        return longer[0] if longer else None


class PathInput(Input):
    """An Input whose Tab takes the completion shown (as → does), else moves on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "complete", "Complete", show=False, id="path.complete"),
    ]

    def action_complete(self) -> None:
        if self._suggestion and self.cursor_at_end and len(self._suggestion) > len(self.value):
            self.action_cursor_right()
        else:
            self.screen.focus_next()
