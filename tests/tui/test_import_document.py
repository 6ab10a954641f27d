"""The import dialog (ctrl+r on the compose screen, "Import a document" in the palette):
`draft import` in the TUI. A file or a page is read in a worker and shown as the draft it
makes, with what was removed; Enter again writes it as a new draft, opened in the composer.
A failure is one line in the dialog and writes nothing; a slow page can be stopped."""

from __future__ import annotations

import html
import re
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets._footer import FooterKey

from composer.text.document_cleanup import Removed
from composer.tui import Services, make_app
from composer.tui.app import ComposerApp
from composer.tui.compose import ComposeScreen
from composer.tui.import_document import DOCUMENT_SUFFIXES, ImportDialog, shown_preview
from composer.tui.path_input import completions
from composer.workspace import document_import
from composer.workspace.document_import import Imported, import_document
from tests.documents import (
    DOCX_BODY,
    PDF_BODY,
    REFUSED_FILES,
    STATEMENT_HTML,
    TITLE,
    statement_docx,
    statement_pdf,
)
from tests.fakes.pages import Page, PageServer
from tests.tui.conftest import compose_settled
from tests.tui.test_compose import editor, example, wait_until

pytestmark = pytest.mark.anyio

PDF_SUMMARY = (
    "removed 3 running headers, 3 page numbers; joined 1 hyphenated word; "
    "moved 1 footnote to the end"
)
# A page whose text would be markup to Textual and control sequences to the terminal.
HOSTILE_HTML = """<!doctype html><html lang="en"><head><title>[bold red]Hostile[/] page</title>
</head><body><article><h1>[bold red]Hostile[/] page</h1>
<p>The statement says [link=https://evil.example]click here[/link] and [b]loud[/b] things
about the count in the forty stations, as the coalition's observers saw it.</p>
<p>The coalition calls on the commission to publish the results of every station.</p>
</article></body></html>"""


def drafts(services: Services) -> set[str]:
    return {path.name for path in services.drafts_dir.iterdir()}


def dialog_of(app: ComposerApp) -> ImportDialog:
    screen = app.screen
    assert isinstance(screen, ImportDialog)
    return screen


def status(app: ComposerApp) -> str:
    return str(dialog_of(app).query_one("#import-status", Static).render())


def on_screen(app: ComposerApp) -> str:
    """The screen's text as drawn (the screenshot's, without its SVG)."""
    drawn = re.sub(r"<[^>]+>", "", app.export_screenshot())
    return html.unescape(drawn).replace("\xa0", " ")


def preview_text(app: ComposerApp) -> str:
    return str(dialog_of(app).query_one("#import-text", Static).render())


async def open_dialog(pilot: Pilot[object]) -> ImportDialog:
    await compose_settled(pilot)
    await pilot.press("ctrl+r")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ImportDialog))
    return dialog_of(pilot.app)  # type: ignore[arg-type]


async def read(pilot: Pilot[object], source: str, *, title: str = "", language: str = "") -> None:
    """Fill the fields, press Enter, and wait for the read to end."""
    dialog = dialog_of(pilot.app)  # type: ignore[arg-type]
    dialog.query_one("#import-source", Input).value = source
    dialog.query_one("#import-title", Input).value = title
    dialog.query_one("#import-language", Input).value = language
    dialog.query_one("#import-source", Input).focus()
    await pilot.press("enter")
    await wait_until(pilot, lambda: dialog.worker is None)
    await pilot.pause()


# --- the parts ---------------------------------------------------------------------------


def test_completion_offers_folders_and_documents(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    for name in ("statement.pdf", "findings.DOCX", "notes.odt", "page.html", "photo.jpg"):
        (tmp_path / name).touch()
    assert completions(tmp_path, "", DOCUMENT_SUFFIXES) == [
        "findings.DOCX",
        "notes.odt",
        "page.html",
        "reports/",
        "statement.pdf",
    ]


def test_a_long_document_is_previewed_by_its_start() -> None:
    text = "A paragraph of the report.\n\n" * 2000
    shown = shown_preview(text)
    assert len(shown) < 21_000 and shown.startswith("A paragraph")
    assert shown.endswith("more characters, written with the rest]")
    assert shown_preview("Short.\n") == "Short.\n"


# --- the dialog --------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_preview_then_write_then_the_composer_shows_it(
    tui_services: Services, size: tuple[int, int]
) -> None:
    (tui_services.workdir / "statement.pdf").write_bytes(statement_pdf())
    before = drafts(tui_services)
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=size) as pilot:
        await open_dialog(pilot)
        await read(pilot, "statement.pdf")
        shown = preview_text(app)
        assert shown == (
            f'+++\ntitle = "{TITLE}"\nlanguage = "en"\nsource = "statement.pdf"\n+++\n{PDF_BODY}'
        )
        assert str(dialog_of(app).query_one("#import-removed", Static).render()) == PDF_SUMMARY
        assert drafts(tui_services) == before  # a preview writes nothing

        await pilot.press("enter")  # again: write it
        await wait_until(pilot, lambda: isinstance(app.screen, ComposeScreen))
        await compose_settled(pilot)
        written = tui_services.drafts_dir / "statement-on-the-parliamentary-elections.md"
        assert drafts(tui_services) == before | {written.name}
        assert written.read_text(encoding="utf-8") == shown
        screen = app.screen
        assert isinstance(screen, ComposeScreen) and screen.draft_path == written
        assert editor(app).text == shown
        assert screen.sub_title == f"drafts/{written.name} ● saved"


async def test_the_same_document_twice_makes_two_drafts(tui_services: Services) -> None:
    statement_docx(tui_services.workdir / "findings.docx")
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(2):
            await open_dialog(pilot)
            await read(pilot, "findings.docx", title="Findings")
            await pilot.click("#import-write")
            await wait_until(pilot, lambda: isinstance(app.screen, ComposeScreen))
        await compose_settled(pilot)
        opened = app.screen.draft_path  # type: ignore[attr-defined]
    first = tui_services.drafts_dir / "findings.md"
    second = tui_services.drafts_dir / "findings-2.md"
    expected = '+++\ntitle = "Findings"\nlanguage = "en"\nsource = "findings.docx"\n+++\n'
    assert first.read_text(encoding="utf-8") == expected + DOCX_BODY
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    assert opened == second


async def test_opened_from_the_drafts_list_and_from_the_palette(tui_services: Services) -> None:
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        app.screen.query_one("#drafts", OptionList).focus()
        await pilot.pause()
        shown = [key for key in app.screen.query(FooterKey) if key.description == "Import"]
        assert shown and shown[0].key == "ctrl+r" and shown[0].region.right <= 80
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, ImportDialog))
        await pilot.press("escape")
        assert isinstance(app.screen, ComposeScreen)

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Import a document")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ImportDialog))
        await pilot.press("escape")
        assert isinstance(app.screen, ComposeScreen)


async def test_options_and_a_change_asks_for_a_new_preview(tui_services: Services) -> None:
    (tui_services.workdir / "s.pdf").write_bytes(statement_pdf())
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot)
        await read(pilot, "s.pdf", title="Выборы", language="ru")
        assert preview_text(app).startswith('+++\ntitle = "Выборы"\nlanguage = "ru"\n')
        assert "Notes" in preview_text(app)
        assert not dialog.query_one("#import-write", Button).disabled

        await pilot.click("#import-drop-footnotes")
        assert dialog.query_one(
            "#import-write", Button
        ).disabled  # the preview is not of these fields
        assert "changed since the preview" in status(app)
        await pilot.click("#import-read")  # reads again, does not write
        await wait_until(pilot, lambda: dialog.worker is None and dialog.previewed is not None)
        assert "Notes" not in preview_text(app)
        summary = str(dialog.query_one("#import-removed", Static).render())
        assert summary == (
            "removed 3 running headers, 3 page numbers, 1 footnote; joined 1 hyphenated word"
        )
        assert drafts(tui_services) == {"example.md"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        *REFUSED_FILES,
        ("huge.docx", "sparse", "huge.docx: 200 MB is more than a document's 20 MB"),
    ],
)
async def test_a_bad_file_is_one_line_and_nothing_is_written(
    tui_services: Services, name: str, content: object, message: str
) -> None:
    path = tui_services.workdir / name
    if content == "sparse":
        with path.open("wb") as out:
            out.truncate(200 * 1024 * 1024)
    elif content is not None:
        path.write_bytes(content())  # type: ignore[operator]
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot)
        await read(pilot, name)
        line = status(app)
        assert message in line and "\n" not in line and "Traceback" not in line
        assert dialog.query_one("#import-status", Static).has_class("-error")
        assert preview_text(app) == ""
        await pilot.press("enter")  # Enter reads again: it still cannot write
        await wait_until(pilot, lambda: dialog.worker is None)
        assert dialog.query_one("#import-write", Button).disabled
        assert isinstance(app.screen, ImportDialog)
    assert drafts(tui_services) == {"example.md"}


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_bad_web_answer_is_one_line_and_nothing_is_written(
    tui_services: Services, pages: PageServer
) -> None:
    pdf = pages.serve("/s.pdf", Page(statement_pdf(), content_type="application/pdf"))
    huge = pages.serve("/huge", Page(b"<html>" + b" " * (21 * 1024 * 1024), chunk=1024 * 1024))
    silent = f"http://127.0.0.1:{closed_port()}/statement"
    cases = [
        (pages.url + "/gone", "the server answered 404"),
        (pdf, "not a web page (application/pdf): download it and import the file"),
        (huge, "the page is larger than 20 MB"),
        (silent, "no answer (could not connect)"),
    ]
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dialog(pilot)
        for url, message in cases:
            await read(pilot, url)
            assert status(app) == f"{url}: {message}", url
    assert drafts(tui_services) == {"example.md"}


async def test_a_web_page_is_imported(tui_services: Services, pages: PageServer) -> None:
    url = pages.serve("/statement", Page(STATEMENT_HTML.encode()))
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dialog(pilot)
        await read(pilot, url)
        assert preview_text(app).startswith(
            f'+++\ntitle = "Statement on the elections"\nlanguage = "en"\nsource = "{url}"\n'
        )
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ComposeScreen))
    assert drafts(tui_services) == {"example.md", "statement-on-the-elections.md"}


async def test_markup_in_a_document_is_shown_literally(
    tui_services: Services, pages: PageServer
) -> None:
    url = pages.serve("/hostile", Page(HOSTILE_HTML.encode()))
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dialog(pilot)
        await read(pilot, url)
        shown = preview_text(app)
        assert 'title = "[bold red]Hostile[/] page"' in shown
        assert "[link=https://evil.example]click here[/link] and [b]loud[/b]" in shown
        drawn = on_screen(app)  # as drawn: the brackets are there, nothing styled by them
        assert "[bold red]Hostile[/] page" in drawn and "[b]loud[/b]" in drawn

        await read(pilot, "[red]missing[/].pdf")  # an error line quotes the name as typed
        assert status(app).endswith("[red]missing[/].pdf: no such file")


async def test_escape_sequences_in_a_document_are_shown_as_escapes(
    tui_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today's readers drop control characters (lxml, pdfminer's "(cid:27)"); the dialog
    does not count on it."""
    hostile = Imported(
        title="Clear \x1b[2J the screen",
        language="en",
        source="s.pdf",
        body="It says \x1b]0;owned\x07 and \u202egnp.exe here.\n",
        removed=Removed(headers=2),
    )
    monkeypatch.setattr(document_import, "import_document", lambda *_, **__: hostile)
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dialog(pilot)
        await read(pilot, "s.pdf")
        shown = preview_text(app)
        assert "\\u001b]0;owned\\u0007 and \\u202egnp.exe" in shown
        drawn = on_screen(app)
        assert "\\u001b]0;owned\\u0007" in drawn
        assert not any(c in drawn for c in "\x1b\x07\u202e")


async def test_escape_stops_a_slow_page_and_writes_nothing(
    tui_services: Services, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pages.serve("/slow", Page(STATEMENT_HTML.encode(), delay=600))
    finished = threading.Event()  # the stopped read's thread has its answer

    def import_and_tell(*args: Any, **kwargs: Any) -> Imported:
        try:
            return import_document(*args, **kwargs)
        finally:
            finished.set()

    monkeypatch.setattr(document_import, "import_document", import_and_tell)
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot)
        dialog.query_one("#import-source", Input).value = url
        await pilot.press("enter")
        await wait_until(pilot, lambda: pages.hits["/slow"] == 1)
        assert status(app) == f"fetching {url}… (Escape stops)"
        assert dialog.worker is not None  # still waiting: the UI is not
        await pilot.press("escape")
        assert isinstance(app.screen, ImportDialog)  # the first Escape stops the read
        assert status(app).startswith("stopped: nothing was read")
        pages.stop.set()  # the page answers now: too late, the answer is dropped
        await wait_until(pilot, finished.is_set)
        await pilot.pause()  # anything the thread handed to the UI has run
        assert status(app).startswith("stopped") and preview_text(app) == ""
        assert dialog.query_one("#import-write", Button).disabled
        await pilot.press("escape")  # the second closes the dialog
        assert isinstance(app.screen, ComposeScreen)
    assert drafts(tui_services) == {"example.md"}


def test_snapshot_of_the_dialog_with_a_preview(
    tui_services: Services,
    snap_compare: object,
) -> None:
    (tui_services.workdir / "statement.pdf").write_bytes(statement_pdf())
    app = make_app(tui_services, example(tui_services))

    async def run_before(pilot: Pilot[None]) -> None:
        await open_dialog(pilot)  # type: ignore[arg-type]
        await read(pilot, "statement.pdf")  # type: ignore[arg-type]
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)  # type: ignore[operator]
