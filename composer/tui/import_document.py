"""The import dialog (ctrl+r on the compose screen, or "Import a document" in the palette):
`draft import` in the TUI. A file (completed from the folder the TUI was started in) or an
http(s) address, an optional title and language, whether footnotes are dropped and whether
a statement in several languages makes one draft per language (`--split-languages`: the
language field is off then, each part's language is its own); Enter reads it in a worker
and shows the drafts it makes, what was removed and the images' notes (the dry run), and
Enter again (or Write) writes them as new drafts, the first of which the compose screen
then opens.

Reading a large PDF or fetching a page may take its whole deadline (`FETCH_TIMEOUT`), so it
runs off the UI thread; Escape stops waiting for it (its answer, when it comes, is dropped)
and Escape again closes the dialog. Any failure is one line in the dialog and nothing is
written. The engine (`composer.workspace.document_import`) decides everything, the file name
included (`write_imported`, as the CLI); it is imported on first use, so the TUI starts
without it. Document text is shown as text, never as markup, control characters escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Static
from textual.worker import Worker, get_current_worker

from composer.tui.dialog import Dialog
from composer.tui.path_input import PathInput, PathSuggester
from composer.tui.remote import error_text, plain, tell
from composer.tui.services import Services
from composer.tui.toggles import TickBox

if TYPE_CHECKING:
    from composer.text.document_cleanup import Footnotes
    from composer.workspace.document_import import Imported

# The files the path completes to: the formats `draft import` reads.
DOCUMENT_SUFFIXES = frozenset({".pdf", ".docx", ".odt", ".html", ".htm", ".xhtml"})
PREVIEW_CHARACTERS = 20_000  # shown of a long document: the start says whether it came out right
HINT = "A PDF, Word, OpenDocument or HTML file (Tab completes), or an http(s) address"


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """What the dialog's fields ask for, as `import_document` takes it."""

    source: str  # a URL, or a path made absolute from the TUI's folder
    web: bool  # `source` is a URL
    title: str | None
    language: str | None
    drop_footnotes: bool
    by_language: bool  # one draft per language (`import_by_language`)


def shown_preview(text: str) -> str:
    """The draft's text as the dialog shows it: its start when it is long."""
    if len(text) <= PREVIEW_CHARACTERS:
        return text
    cut = text.rfind("\n", 0, PREVIEW_CHARACTERS) + 1 or PREVIEW_CHARACTERS
    return f"{text[:cut]}\n[… {len(text) - cut:,} more characters, written with the rest]"


def previewed_text(drafts: Sequence[Imported]) -> str:
    """The drafts' files as the dialog shows them: one after another, each under a heading
    when there are several (as the CLI's dry run shows them)."""
    from composer.workspace.document_import import draft_heading

    if len(drafts) == 1:
        return drafts[0].text()
    total = len(drafts)
    return "\n".join(
        f"{draft_heading(number, imported, total)}\n{imported.text()}"
        for number, imported in enumerate(drafts, 1)
    )


def summary_lines(drafts: Sequence[Imported], *, by_language: bool) -> str:
    """Under the preview: the languages found (one draft per language), what was removed
    and the images to save, and the images' notes (left out, without alt text)."""
    from composer.workspace.document_import import languages_found

    first = drafts[0]  # the parts share the document's removals and notes
    lines = [languages_found(drafts)] if by_language else []
    return "\n".join([*lines, first.removed.summary(written=False), *first.notes])


class ImportDialog(Dialog[Path | None]):
    """Dismissed with the draft written, or None (Escape, Cancel)."""

    DEFAULT_CSS = """
    ImportDialog > Vertical { width: 96; height: 100%; max-height: 40; padding: 0 1; }
    ImportDialog .row Label { padding: 1 1 0 1; }
    ImportDialog #import-source, ImportDialog #import-title { width: 1fr; }
    ImportDialog #import-by-language { width: auto; }
    ImportDialog #import-language { width: 12; }
    ImportDialog TickBox { margin-left: 1; }
    ImportDialog #import-status { height: auto; color: $text-muted; }
    ImportDialog #import-status.-error { color: $error; }
    ImportDialog #import-preview { height: 1fr; min-height: 3; border: round $panel; }
    ImportDialog #import-removed { height: auto; }
    ImportDialog #buttons { height: auto; align-horizontal: right; }
    ImportDialog #buttons Button { margin-left: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Stop or close", id="import.cancel"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.reading = 0  # the read whose answer is awaited (an older one's is dropped)
        self.worker: Worker[None] | None = None  # the read in progress
        self.previewed: ImportRequest | None = None  # what the preview on screen was read for
        self.drafts: list[Imported] = []  # what the preview on screen makes

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Import a document"
            with Horizontal(classes="row"):
                yield Label("File or URL")
                yield PathInput(
                    placeholder="statement.pdf or https://…",
                    suggester=PathSuggester(self.services.workdir, DOCUMENT_SUFFIXES),
                    id="import-source",
                )
                yield TickBox("One draft per language", id="import-by-language")
            with Horizontal(classes="row"):
                yield Label("Title")
                yield Input(placeholder="from the document", id="import-title")
                yield Label("Language")
                yield Input(placeholder="auto", id="import-language")
                yield TickBox("Drop footnotes", id="import-drop-footnotes")
            yield Static(HINT, id="import-status", markup=False)
            with VerticalScroll(id="import-preview") as preview:
                preview.border_title = "Preview"
                yield Static(id="import-text", markup=False)
            yield Static(id="import-removed", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Preview", variant="primary", id="import-read")
                yield Button("Write", variant="success", id="import-write", disabled=True)
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = not self.app.is_headless  # steady screenshots in tests
        self.query_one("#import-source", Input).focus()

    # --- what the fields ask for ---------------------------------------------------------------
    def request(self) -> ImportRequest | None:
        """The fields as `import_document` takes them; None (and why, said) when the source
        is empty."""
        typed = self.query_one("#import-source", Input).value.strip()
        if not typed:
            self.say("name a file or a web address first", error=True)
            return None
        from composer.workspace.document_import import is_web_address

        # A file is read from the folder the TUI was started in, as the CLI reads it.
        web = is_web_address(typed)
        source = typed if web else str(self.services.workdir / Path(typed).expanduser())
        title = self.query_one("#import-title", Input).value.strip()
        by_language = self.query_one("#import-by-language", Checkbox).value
        language = self.query_one("#import-language", Input).value.strip()
        return ImportRequest(
            source=source,
            web=web,
            title=title or None,
            language=None if by_language else language or None,
            drop_footnotes=self.query_one("#import-drop-footnotes", Checkbox).value,
            by_language=by_language,
        )

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def fields_changed(self) -> None:
        """A preview of other fields may not be written: read again first."""
        if self.previewed is not None:
            self.previewed = None
            self.query_one("#import-write", Button).disabled = True
            self.say("changed since the preview: Enter to read it again")

    @on(Checkbox.Changed, "#import-by-language")
    def by_language_changed(self, event: Checkbox.Changed) -> None:
        """One draft per language takes each part's language: the field is off meanwhile,
        as the CLI refuses --language with --split-languages."""
        from composer.workspace.document_import import LANGUAGE_PER_PART

        field = self.query_one("#import-language", Input)
        field.disabled = event.value
        field.tooltip = (
            f"off with one draft per language: {LANGUAGE_PER_PART}" if event.value else None
        )
        if event.value and field.value.strip():
            self.say(f"the language typed is not used: {LANGUAGE_PER_PART}")

    def say(self, line: str, *, error: bool = False) -> None:
        """The status line: what is happening, or (error) why nothing can be written."""
        status = self.query_one("#import-status", Static)
        status.update(plain(" ".join(line.split())))
        status.set_class(error, "-error")

    # --- reading (the dry run) -----------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_ok()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "import-write":
            self.write()
        elif event.button.id == "import-read":
            self.start_reading()
        else:
            self.dismiss(None)

    def action_ok(self) -> None:
        """Enter: read (a first time, or again after a change), else write what is shown."""
        if self.previewed is not None and self.previewed == self.request():
            self.write()
        else:
            self.start_reading()

    def start_reading(self) -> None:
        request = self.request()
        if request is None:
            return
        self.reading += 1
        self.previewed = None
        self.drafts = []
        self.query_one("#import-write", Button).disabled = True
        doing = "fetching" if request.web else "reading"
        self.say(f"{doing} {request.source}… (Escape stops)")
        self.worker = self.read_document(self.reading, request)

    @work(thread=True, exclusive=True, group="import-document")
    def read_document(self, reading: int, request: ImportRequest) -> None:
        """The dry run, off the UI thread: a page may take its whole deadline to answer."""
        from composer.workspace.document_import import import_by_language, import_document

        footnotes: Footnotes = "drop" if request.drop_footnotes else "end"
        try:
            if request.by_language:
                drafts = import_by_language(
                    request.source, title=request.title, footnotes=footnotes
                )
            else:
                drafts = [
                    import_document(
                        request.source,
                        title=request.title,
                        language=request.language,
                        footnotes=footnotes,
                    )
                ]
        # A document is any bytes: a reader library's own error is said too, not a crash.
        except Exception as error:
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self.show_failure, reading, error)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_imported, reading, request, drafts)

    def show_imported(self, reading: int, request: ImportRequest, drafts: list[Imported]) -> None:
        if reading != self.reading or not self.is_attached:
            return  # stopped, or read again since
        self.worker = None
        self.drafts = drafts
        self.previewed = request
        self.query_one("#import-text", Static).update(plain(shown_preview(previewed_text(drafts))))
        self.query_one("#import-preview", VerticalScroll).scroll_home(animate=False)
        summary = summary_lines(drafts, by_language=request.by_language)
        self.query_one("#import-removed", Static).update(plain(summary))
        self.query_one("#import-write", Button).disabled = False
        makes = "it a new draft" if len(drafts) == 1 else f"{len(drafts)} new drafts"
        self.say(f"{drafts[0].source}: Enter or Write makes {makes}")

    def show_failure(self, reading: int, error: BaseException) -> None:
        if reading != self.reading or not self.is_attached:
            return
        self.worker = None
        self.query_one("#import-text", Static).update("")
        self.query_one("#import-removed", Static).update("")
        self.say(error_text(error), error=True)

    def action_cancel(self) -> None:
        """Escape: stop waiting for a read in progress, else close."""
        if self.worker is None:
            self.dismiss(None)
            return
        self.worker.cancel()  # the thread ends at its deadline; its answer is not shown
        self.worker = None
        self.reading += 1
        self.say("stopped: nothing was read (Escape again closes)")

    # --- writing -------------------------------------------------------------------------------
    def write(self) -> None:
        """Write the drafts previewed as new files (never over another) and close with the
        first, which the composer opens."""
        from composer.workspace.document_import import write_imported

        if not self.drafts or self.previewed is None:
            return
        folder = self.services.drafts_dir
        written: list[str] = []
        for imported in self.drafts:
            try:
                written.append(write_imported(folder, imported).name)
            except OSError as error:
                # Those written stay; another Write would write them twice.
                self.previewed = None
                self.query_one("#import-write", Button).disabled = True
                kept = f" ({', '.join(written)} written)" if written else ""
                self.say(f"cannot write the draft: {error.strerror or error}{kept}", error=True)
                return
        names = ", ".join(f"{folder.name}/{name}" for name in written)
        said = f"{names} written from {self.drafts[0].source}"
        tell(self.app, f"{said}; {self.drafts[0].removed.summary()}", timeout=8)
        self.dismiss(folder / written[0])
