"""The insert-image dialog: a file beside the draft and its alt text, made an image line.

The path is completed from the draft's folder (folders and image files only), and the line
under it says whether the file can be read and what it is (read off the UI thread). The alt
text's length is shown against each of the draft's platforms' limits. The dialog returns
the image line (`composer.text.images.image_line`, which the draft parser reads back as
written); the compose screen puts it in the text (`image_insert_point`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widgets import Button, Input, Label, Static, TextArea

from composer.media.probe import probe
from composer.text.display import terminal_safe
from composer.text.images import image_line
from composer.tui.dialog import Dialog
from composer.tui.path_input import PathInput, PathSuggester

# The files the path completes to: those of the formats composer.media reads.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp"})


@dataclass(frozen=True, slots=True)
class AltLimit:
    """A platform the draft goes to and the alt text it takes (None: no documented limit)."""

    label: str
    limit: int | None


def describe_file(folder: Path, value: str) -> Text:
    """The line under the path: the file's format, size and upright dimensions, or why it
    cannot be used."""
    if not value.strip():
        return Text("a file beside the draft, e.g. photos/akimat.jpg", style="dim")
    path = folder / Path(value).expanduser()
    try:
        info = probe(path)
        size = path.stat().st_size
    except (ValueError, OSError) as error:
        problem = error.strerror if isinstance(error, OSError) else str(error)
        return Text(f"⚠ {terminal_safe(str(problem))}", style="bold #ffaf00")
    return Text(f"✓ {info.format} {info.width}x{info.height}, {human_size(size)}", style="#87af87")


def human_size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} kB"
    return f"{size / 1_000_000:.1f} MB"


def alt_lengths(alt: str, limits: Sequence[AltLimit]) -> Text:
    """ "X 78/1000 · Bluesky 78/2000": the alt text's length (as published: its spaces
    made single) against each platform's limit, in red where it is over."""
    length = len(" ".join(alt.split()))
    line = Text()
    for index, platform in enumerate(limits):
        if index:
            line.append(" · ", style="dim")
        if platform.limit is None:
            line.append(f"{platform.label} {length}")
        else:
            over = length > platform.limit
            line.append(
                f"{platform.label} {length}/{platform.limit}",
                style="bold #ff5f5f" if over else "",
            )
    return line


class InsertImageDialog(Dialog[str | None]):
    """Dismissed with the image line to insert, or None (Escape, Cancel)."""

    DEFAULT_CSS = """
    InsertImageDialog > Vertical { width: 76; padding: 0 1; }
    InsertImageDialog #image-alt { height: 5; }
    InsertImageDialog #image-file, InsertImageDialog #alt-lengths { height: auto; }
    InsertImageDialog #insert-error { color: $error; height: auto; }
    InsertImageDialog Horizontal { height: auto; align-horizontal: right; }
    InsertImageDialog Button { margin-left: 1; }
    """

    def __init__(self, folder: Path, limits: Sequence[AltLimit], *, required: bool) -> None:
        super().__init__()
        self.folder = folder
        self.limits = tuple(limits)
        self.required = required

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Image file (Tab or → completes, from the draft's folder)")
            yield PathInput(
                placeholder="photos/akimat.jpg",
                suggester=PathSuggester(self.folder, IMAGE_SUFFIXES),
                id="image-path",
            )
            yield Static(describe_file(self.folder, ""), id="image-file")
            yield Label("Alt text: what the image shows, for people who cannot see it")
            yield TextArea(id="image-alt", soft_wrap=True, tab_behavior="focus")
            yield Static(alt_lengths("", self.limits), id="alt-lengths")
            yield Static(id="insert-error", markup=False)
            with Horizontal():
                yield Button("Insert", variant="primary", id="insert")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Vertical).border_title = "Insert an image"
        steady = self.app.is_headless  # steady screenshots in tests
        self.query_one("#image-alt", TextArea).cursor_blink = not steady
        self.query_one("#image-path", Input).cursor_blink = not steady

    @on(Input.Changed, "#image-path")
    def path_changed(self, event: Input.Changed) -> None:
        self.query_one("#insert-error", Static).update("")
        self.show_file(event.value)

    @work(thread=True, exclusive=True, group="insert-image.probe")
    def show_file(self, value: str) -> None:
        """Read the file's header in a thread (a network folder may be slow)."""
        line = describe_file(self.folder, value)
        self.app.call_from_thread(self._show_file_line, line)

    def _show_file_line(self, line: Text) -> None:
        """On the app's thread, and only while the dialog is open: it may have been closed
        while the file was read."""
        with contextlib.suppress(NoMatches):
            self.query_one("#image-file", Static).update(line)

    @on(Input.Submitted, "#image-path")
    def path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#image-alt", TextArea).focus()

    @on(TextArea.Changed, "#image-alt")
    def alt_changed(self, event: TextArea.Changed) -> None:
        self.query_one("#insert-error", Static).update("")
        self.query_one("#alt-lengths", Static).update(
            alt_lengths(event.text_area.text, self.limits)
        )

    @on(Button.Pressed, "#insert")
    def action_insert(self) -> None:
        path = self.query_one("#image-path", Input).value.strip()
        alt = self.query_one("#image-alt", TextArea).text
        error = self.query_one("#insert-error", Static)
        if not path:
            error.update("name the image file first")
            self.query_one("#image-path", Input).focus()
            return
        if self.required and not alt.strip():
            error.update(
                "describe the image first: its alt text is required "
                "(alt_text_required = false in the draft allows none)"
            )
            self.query_one("#image-alt", TextArea).focus()
            return
        try:
            line = image_line(alt, path)
        except ValueError as problem:
            error.update(str(problem))
            return
        self.dismiss(line)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def image_insert_point(lines: Sequence[str], row: int, first_body_line: int) -> int:
    """The line an image line goes before: the one after the paragraph holding the cursor's
    `row` (the cursor's own line when it is blank), never above the body's first line.
    `len(lines)` means after the last line."""
    row = max(row, first_body_line)
    while row < len(lines) and lines[row].strip():
        row += 1
    return row
