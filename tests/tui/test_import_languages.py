"""The import dialog's "One draft per language" (`draft import --split-languages` in the
TUI) and its images line: a statement in English and Russian previews as two drafts, each
under its heading, and writes both, the composer opening the first; the language field is
off meanwhile; the images to save and the engine's notes on them are said under the
preview."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, OptionList, Static

from composer.tui import Services, make_app
from composer.tui.app import ComposerApp
from composer.tui.compose import ComposeScreen
from tests.documents import (
    EN_TITLE,
    RU_TITLE,
    TWO_LANGUAGE_EN,
    TWO_LANGUAGE_RU,
    UNICODE_FONT,
    illustrated_docx,
    illustrated_docx_body,
    picture,
    saved_name,
    statement_pdf,
    two_language_pdf,
)
from tests.tui.conftest import compose_settled
from tests.tui.test_compose import example, wait_until
from tests.tui.test_import_document import (
    dialog_of,
    drafts,
    open_dialog,
    preview_text,
    read,
    status,
)

pytestmark = pytest.mark.anyio

needs_font = pytest.mark.skipif(
    not UNICODE_FONT.is_file(), reason=f"a Cyrillic font for the test PDF: {UNICODE_FONT}"
)
ENGLISH = "statement-on-the-parliamentary-elections.md"
RUSSIAN = "zayavlenie-o-parlamentskih-vyborah.md"


def draft_file(title: str, language: str, body: str) -> str:
    return f'+++\ntitle = "{title}"\nlanguage = "{language}"\nsource = "statement.pdf"\n+++\n{body}'


def summary(app: ComposerApp) -> str:
    return str(dialog_of(app).query_one("#import-removed", Static).render())


async def one_per_language(pilot: Pilot[object]) -> None:
    await pilot.click("#import-by-language")
    await pilot.pause()
    assert dialog_of(pilot.app).query_one("#import-by-language", Checkbox).value  # type: ignore[arg-type]


@needs_font
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_two_languages_preview_as_two_drafts_and_write_both(
    tui_services: Services, size: tuple[int, int]
) -> None:
    (tui_services.workdir / "statement.pdf").write_bytes(two_language_pdf())
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=size) as pilot:
        await open_dialog(pilot)
        await one_per_language(pilot)
        await read(pilot, "statement.pdf")
        assert preview_text(app) == (
            "--- draft 1 of 2 (en) ---\n"
            + draft_file(EN_TITLE, "en", TWO_LANGUAGE_EN)
            + "\n--- draft 2 of 2 (ru) ---\n"
            + draft_file(RU_TITLE, "ru", TWO_LANGUAGE_RU)
        )
        assert summary(app) == "2 languages found (en, ru): 2 drafts\nnothing removed"
        assert status(app) == "statement.pdf: Enter or Write makes 2 new drafts"
        assert drafts(tui_services) == {"example.md"}  # a preview writes nothing

        await pilot.press("enter")  # again: write them
        await wait_until(pilot, lambda: isinstance(app.screen, ComposeScreen))
        await compose_settled(pilot)
        folder = tui_services.drafts_dir
        assert drafts(tui_services) == {"example.md", ENGLISH, RUSSIAN}
        assert (folder / RUSSIAN).read_text("utf-8") == draft_file(RU_TITLE, "ru", TWO_LANGUAGE_RU)
        screen = app.screen
        assert isinstance(screen, ComposeScreen) and screen.draft_path == folder / ENGLISH
        listed = screen.query_one("#drafts", OptionList)
        ids = {listed.get_option_at_index(i).id for i in range(listed.option_count)}
        assert {str(folder / ENGLISH), str(folder / RUSSIAN)} <= ids


async def test_one_language_found_makes_one_draft_and_says_so(tui_services: Services) -> None:
    (tui_services.workdir / "statement.pdf").write_bytes(statement_pdf())
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dialog(pilot)
        await one_per_language(pilot)
        await read(pilot, "statement.pdf")
        assert preview_text(app).startswith('+++\ntitle = "Statement on the Parliamentary')
        assert "--- draft" not in preview_text(app)
        assert summary(app).splitlines()[0] == "one language found (en): one draft"
        assert status(app) == "statement.pdf: Enter or Write makes it a new draft"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ComposeScreen))
    assert drafts(tui_services) == {"example.md", ENGLISH}


@needs_font
async def test_the_language_field_is_off_with_one_draft_per_language(
    tui_services: Services,
) -> None:
    (tui_services.workdir / "statement.pdf").write_bytes(two_language_pdf())
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot)
        language = dialog.query_one("#import-language", Input)
        language.value = "kk"
        await one_per_language(pilot)
        assert language.disabled
        assert status(app) == "the language typed is not used: each part's language is its own"

        dialog.query_one("#import-source", Input).value = "statement.pdf"
        dialog.query_one("#import-source", Input).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: dialog.worker is None and dialog.previewed is not None)
        shown = preview_text(app)  # each part's own language, not the one typed
        assert 'language = "en"' in shown and 'language = "ru"' in shown
        assert 'language = "kk"' not in shown

        await pilot.click("#import-by-language")  # off: the field counts again
        await pilot.pause()
        assert not language.disabled
        assert dialog.query_one("#import-write", Button).disabled  # read again first
        dialog.query_one("#import-source", Input).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: dialog.worker is None and dialog.previewed is not None)
        assert preview_text(app).startswith(f'+++\ntitle = "{EN_TITLE}"\nlanguage = "kk"\n')


@pytest.mark.parametrize("by_language", [False, True], ids=["one-draft", "per-language"])
async def test_the_images_line_and_the_images_written(
    tui_services: Services, by_language: bool
) -> None:
    illustrated_docx(tui_services.workdir / "report.docx")
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dialog(pilot)
        if by_language:
            await one_per_language(pilot)
        await read(pilot, "report.docx")
        said = summary(app).splitlines()
        assert said[-2:] == [
            "2 images to save",
            "1 image without alt text (describe each in the draft's ![...] before "
            f"publishing): {saved_name('report', picture('blue'))}",
        ]
        images = tui_services.drafts_dir / "images"
        assert not images.exists()  # a preview saves nothing
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ComposeScreen))
    written = tui_services.drafts_dir / "observed-count.md"
    assert written.read_text("utf-8").endswith(illustrated_docx_body("report"))
    for colour in ("red", "blue"):
        path = tui_services.drafts_dir / saved_name("report", picture(colour))
        assert path.read_bytes() == picture(colour)


@needs_font
def test_snapshot_of_a_two_draft_preview(tui_services: Services, snap_compare: object) -> None:
    (tui_services.workdir / "statement.pdf").write_bytes(two_language_pdf())
    app = make_app(tui_services, example(tui_services))

    async def run_before(pilot: Pilot[None]) -> None:
        await open_dialog(pilot)  # type: ignore[arg-type]
        await one_per_language(pilot)  # type: ignore[arg-type]
        await read(pilot, "statement.pdf")  # type: ignore[arg-type]
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)  # type: ignore[operator]


def test_what_a_split_found_is_said_in_one_line(tmp_path: Path) -> None:
    """The sentence the CLI prints and the dialog shows, from one home."""
    from composer.text.document_cleanup import Removed
    from composer.workspace.document_import import Imported, languages_found

    def part(language: str | None) -> Imported:
        return Imported("T", language, "s.pdf", "Body.\n", Removed())

    assert languages_found([part("en")]) == "one language found (en): one draft"
    assert languages_found([part(None)]) == "one language found (unknown): one draft"
    assert languages_found([part("en"), part("ru"), part("kk")]) == (
        "3 languages found (en, ru, kk): 3 drafts"
    )
