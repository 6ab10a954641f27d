"""The compose screen's editor: the words its draft's language does not know, underlined.

After a pause in typing, a worker checks the whole text (composer.workspace.spelling: the
draft's `language`, the address book's names left out) and hands back the misspelled words'
columns per line, kept by the line's text: a line an edit moved keeps its marks, a line
being typed in has none until the next check, so marks never sit on the wrong letters.
`get_line`, TextArea's hook for styling a line, underlines them. Without a dictionary for
the language (or the Enchant library) the editor's title says so, in one line, and nothing
is underlined.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.timer import Timer
from textual.widgets import TextArea
from textual.worker import get_current_worker

from composer.tui.services import Services
from composer.workspace.config import ConfigError
from composer.workspace.spelling import DEFAULT_LANGUAGE, DraftSpelling, check_draft, contact_names

SPELL_DELAY = 0.3  # seconds of quiet typing before the spelling is checked again
MISSPELLED = "spell-editor--misspelled"

Marks = dict[str, tuple[tuple[int, int], ...]]  # a line's text -> its misspelled columns


def line_marks(text: str, spans: Sequence[tuple[int, int]]) -> Marks:
    """`spans` (offsets in `text`, none across a line break) as columns per line text."""
    marks: dict[str, list[tuple[int, int]]] = {}
    if not spans:
        return {}
    lines = text.splitlines(keepends=True)  # as the editor's document splits them
    index = 0
    line_start = 0
    for start, end in spans:
        while line_start + len(lines[index]) <= start:
            line_start += len(lines[index])
            index += 1
        line = lines[index].rstrip("\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029")
        marks.setdefault(line, []).append((start - line_start, end - line_start))
    return {line: tuple(columns) for line, columns in marks.items()}


class SpellEditor(TextArea):
    """The draft's editor: wrapped lines, numbered; misspelled words underlined (when
    `services.spelling` is on)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {*TextArea.COMPONENT_CLASSES, MISSPELLED}
    DEFAULT_CSS = """
    SpellEditor > .spell-editor--misspelled { text-style: underline; }
    """

    def __init__(self, services: Services, **options: Any) -> None:
        # Tab moves focus, as everywhere else: a report never needs an indent.
        super().__init__(soft_wrap=True, show_line_numbers=True, tab_behavior="focus", **options)
        self.services = services
        self.marks: Marks = {}
        self.spelling_language = DEFAULT_LANGUAGE  # the draft's, as last read
        self.spelling_checked: str | None = None  # the text the marks shown are of
        self._spell_timer: Timer | None = None

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Check again after a pause in typing (the event goes on up to the screen)."""
        if not self.services.spelling:
            return
        if self._spell_timer is not None:
            self._spell_timer.stop()
        self._spell_timer = self.set_timer(SPELL_DELAY, self._start_check)

    def _start_check(self) -> None:
        self.check_spelling(self.text, self.spelling_language)

    def _names(self) -> list[str]:
        try:
            return contact_names(self.services.config())
        except ConfigError:
            return []  # the compose screen says what is wrong with the accounts file

    @work(thread=True, exclusive=True, group="spelling")
    def check_spelling(self, text: str, language: str) -> None:
        """Check `text` (in `language` while its front matter cannot be read) and show the
        marks; a newer check cancels this one."""
        result = check_draft(text, self._names(), language)
        marks = line_marks(text, result.misspelled)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_spelling, text, result, marks)

    def show_spelling(self, text: str, result: DraftSpelling, marks: Marks) -> None:
        self.spelling_language = result.language
        self.spelling_checked = text
        off = result.off.reason if result.off is not None else None
        self.border_title = Text(off) if off else None
        if marks or self.marks:
            self.marks = marks
            self._line_cache.clear()  # TextArea keeps rendered lines; ours changed
            self.refresh()

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        columns = self.marks.get(line.plain) if self.marks else None
        if columns:
            style = self.get_component_rich_style(MISSPELLED, partial=True)
            for start, end in columns:
                line.stylize(style, start, end)
        return line
