"""The compose screen's editor: where the thread is cut, in the gutter, and the words its
draft's language does not know, underlined.

Cuts. Each post's number stands in the gutter before the line number, on the line where its
text begins (`show_cuts`, given by the compose screen for the platform in the preview):
`  7▸ 42  The count in Almaty...`. The gutter keeps that room whether or not there are
cuts, so the text never moves sideways when they come and go.

Spelling.
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

from rich.segment import Segment
from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import TextArea
from textual.worker import get_current_worker

from composer.tui.services import Services
from composer.workspace.config import ConfigError
from composer.workspace.spelling import DEFAULT_LANGUAGE, DraftSpelling, check_draft, contact_names

SPELL_DELAY = 0.3  # seconds of quiet typing before the spelling is checked again
MISSPELLED = "spell-editor--misspelled"
CUT = "spell-editor--cut"
CUT_WIDTH = 4  # the post number and its mark, before the line number: "  7▸", " 12▸"

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

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+home", "cursor_document_start", "Start of the draft", show=False),
        Binding("ctrl+end", "cursor_document_end", "End of the draft", show=False),
        Binding(
            "ctrl+shift+home", "cursor_document_start(True)", "Select to the start", show=False
        ),
        Binding("ctrl+shift+end", "cursor_document_end(True)", "Select to the end", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {*TextArea.COMPONENT_CLASSES, MISSPELLED, CUT}
    DEFAULT_CSS = """
    SpellEditor > .spell-editor--misspelled { text-style: underline; }
    SpellEditor > .spell-editor--cut { color: $accent; text-style: bold; }
    """

    def __init__(self, services: Services, **options: Any) -> None:
        # Tab moves focus, as everywhere else: a report never needs an indent.
        super().__init__(soft_wrap=True, show_line_numbers=True, tab_behavior="focus", **options)
        self.services = services
        self.marks: Marks = {}
        self.spelling_language = DEFAULT_LANGUAGE  # the draft's, as last read
        self.spelling_checked: str | None = None  # the text the marks shown are of
        self._spell_timer: Timer | None = None
        self.spelling_note: str | None = None  # for F1: on in which language, or why off
        # Where each post begins, (row, column, post number), and by row for drawing.
        self.cuts: list[tuple[int, int, int]] = []
        self._cuts_by_row: dict[int, list[tuple[int, int]]] = {}

    @property
    def gutter_width(self) -> int:
        width = super().gutter_width
        return width + CUT_WIDTH if width else 0

    def show_cuts(self, cuts: list[tuple[int, int, int]]) -> None:
        """Mark where posts begin ((row, column, post number) each; a row, a paragraph, may
        hold several: the mark goes on the wrapped line holding the column)."""
        if cuts != self.cuts:
            self.cuts = cuts
            self._cuts_by_row = {}
            for row, column, number in cuts:
                self._cuts_by_row.setdefault(row, []).append((column, number))
            self._line_cache.clear()  # TextArea keeps rendered lines; ours changed
            self.refresh()

    def cut_at(self, row: int, section: int) -> int | None:
        """The post that begins on wrapped line `section` of document row `row`, if any."""
        found = self._cuts_by_row.get(row)
        if not found:
            return None
        offsets = self.wrapped_document.get_offsets(row)
        start = offsets[section - 1] if section else 0
        end = offsets[section] if section < len(offsets) else None
        for column, number in found:
            if start <= column and (end is None or column < end):
                return number
        return None

    def _render_line(self, y: int) -> Strip:
        strip = super()._render_line(y)
        if not self.cuts or not self.show_line_numbers:
            return strip
        try:
            row, section = self.wrapped_document._offset_to_line_info[y + self.scroll_offset.y]
        except IndexError:
            return strip
        number = self.cut_at(row, section)
        if number is None:
            return strip
        mark = f"{number}▸"[-CUT_WIDTH:].rjust(CUT_WIDTH)
        style = self.get_component_rich_style(CUT, partial=True)
        [first, *_] = list(strip) or [Segment(" ")]
        head = Strip([Segment(mark, (first.style or style) + style)], CUT_WIDTH)
        return Strip.join([head, strip.crop(CUT_WIDTH, strip.cell_length)])

    def action_cursor_document_start(self, select: bool = False) -> None:
        self.move_cursor((0, 0), select=select)

    def action_cursor_document_end(self, select: bool = False) -> None:
        self.move_cursor(self.document.end, select=select)

    def action_cursor_line_end(self, select: bool = False) -> None:
        """End: to the end of the wrapped line, and pressed there, of the paragraph (a
        paragraph is one line of the file, wrapped over many on screen)."""
        location = self.get_cursor_line_end_location()
        if location == self.cursor_location:
            row = location[0]
            location = (row, len(self.document[row]))
        self.move_cursor(location, select=select)

    def action_cursor_line_start(self, select: bool = False) -> None:
        """Home: to the start of the wrapped line, and pressed there, of the paragraph."""
        location = self.get_cursor_line_start_location()
        if location == self.cursor_location:
            location = (location[0], 0)
        self.move_cursor(location, select=select)

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
        self.spelling_note = off or f"spelling: checked in {result.language}"
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
