"""Checkboxes, radio buttons and selection lists whose state shows without colour.

Textual draws every toggle with the same mark inside (`X`, `●`) and tells on from off by
colour alone, which a colour-blind user or a monochrome terminal cannot see. These draw
the mark only when on (a tick for a checkbox or a list row, a dot for a radio button) and a
blank when off; colours stay as the theme sets them. Use them wherever a toggle is shown.
"""

from __future__ import annotations

from typing import TypeVar

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

__all__ = ["OFF", "TICK", "TickBox", "TickList", "TickRadio"]

TICK = "✓"
DOT = "●"
OFF = " "

_Value = TypeVar("_Value")


class TickBox(Checkbox):
    """A checkbox that shows ✓ when checked and a blank when not."""

    @property  # read by ToggleButton._button on every render
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return TICK if self.value else OFF


class TickRadio(RadioButton):
    """A radio button that shows ● when pressed and a blank when not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return DOT if self.value else OFF


class TickList(SelectionList[_Value]):
    """A selection list whose rows show ✓ when selected and a blank when not."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        # SelectionList draws [left side, the mark, right side, space, *the prompt].
        if len(segments) < 3 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        mark = TICK if selection.value in self._selected else OFF
        segments[1] = Segment(mark, segments[1].style)
        return Strip(segments, strip.cell_length)
