"""The insert-image dialog (ctrl+l on the compose screen): a path completed from the draft's
folder, the file's line, the alt text's length against each platform's limit, and the image
line put after the cursor's paragraph, read back by the draft parser as written."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from composer.instances import InstanceFigures, remember
from composer.text.images import find_images
from composer.tui import Services, make_app
from composer.tui.compose import ComposeScreen
from composer.tui.insert_image import (
    IMAGE_SUFFIXES,
    AltLimit,
    InsertImageDialog,
    alt_lengths,
    image_insert_point,
)
from composer.tui.path_input import completions
from composer.tui.preview import PostCard, PreviewPane
from composer.workspace.drafts import parse_draft
from tests.tui.conftest import compose_settled
from tests.tui.test_compose_images import shown_text

pytestmark = pytest.mark.anyio

REPORT = """\
+++
title = "Detentions outside the akimat"
accounts = ["ank-x", "ank-bsky", "ank-masto"]
+++
The police detained twelve people outside the akimat on Monday.
Witnesses said officers drove them away in unmarked vans.

The court sentenced eight of them on Tuesday.
"""
LONG_ALT = "Police officers in black uniforms carry a protester towards a van. " * 16


def draft(services: Services, text: str = REPORT) -> Path:
    photos = services.drafts_dir / "photos"
    photos.mkdir()
    Image.new("RGB", (640, 480), (80, 80, 80)).save(photos / "akimat.jpg")
    Image.new("RGB", (300, 200), (20, 120, 20)).save(photos / "crowd.png")
    (photos / "notes.txt").write_text("not an image", encoding="utf-8")
    (services.drafts_dir / "scans").mkdir()
    path = services.drafts_dir / "akimat.md"
    path.write_text(text, encoding="utf-8")
    return path


async def open_dialog(pilot: Pilot[object], row: int = 5) -> InsertImageDialog:
    await compose_settled(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ComposeScreen)
    screen.editor.move_cursor((row, 3))
    await pilot.press("ctrl+l")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, InsertImageDialog)
    return dialog


async def settle_dialog(pilot: Pilot[object]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.05)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


# --- the parts ---------------------------------------------------------------------------


def test_completion_offers_folders_and_images_only(tmp_path: Path) -> None:
    draft_folder = tmp_path / "drafts"
    (draft_folder / "photos").mkdir(parents=True)
    (draft_folder / "photos" / "a.JPG").touch()
    (draft_folder / "photos" / "b.txt").touch()
    (draft_folder / "photos" / ".hidden.png").touch()
    (draft_folder / "pages.md").touch()
    (draft_folder / "photos" / "evil\x1b[2J.png").touch()  # a name that would clear the screen
    assert completions(draft_folder, "p", IMAGE_SUFFIXES) == ["photos/"]
    assert completions(draft_folder, "photos/", IMAGE_SUFFIXES) == ["photos/a.JPG"]
    assert completions(draft_folder, "photos/.", IMAGE_SUFFIXES) == ["photos/.hidden.png"]
    assert completions(draft_folder, "nowhere/x", IMAGE_SUFFIXES) == []
    assert completions(draft_folder, "pho\x00tos/a", IMAGE_SUFFIXES) == []
    assert completions(draft_folder, f"{draft_folder}/ph", IMAGE_SUFFIXES) == [
        f"{draft_folder}/photos/"
    ]


def test_alt_lengths_against_each_limit_in_red_when_over() -> None:
    limits = [AltLimit("X", 1000), AltLimit("Bluesky", 2000), AltLimit("Other", None)]
    line = alt_lengths("x" * 1001, limits)
    assert line.plain == "X 1001/1000 · Bluesky 1001/2000 · Other 1001"
    over = [span for span in line.spans if "ff5f5f" in str(span.style)]
    assert [line.plain[s.start : s.end] for s in over] == ["X 1001/1000"]
    # Counted as published: line breaks and runs of spaces are one space.
    assert alt_lengths("a \n\n b", limits).plain.startswith("X 3/1000")


@pytest.mark.parametrize(
    ("row", "expected"),
    [(4, 6), (5, 6), (6, 6), (7, 8), (0, 6), (8, 8)],
    ids=["paragraph-start", "paragraph-end", "blank", "last-line", "front-matter", "end"],
)
def test_the_image_goes_after_the_cursors_paragraph(row: int, expected: int) -> None:
    lines = REPORT.split("\n")  # the last one is "" (the text ends with its newline)
    assert image_insert_point(lines, row, first_body_line=4) == expected


# --- the dialog on the compose screen ------------------------------------------------------


async def test_insert_puts_the_line_after_the_paragraph_and_the_preview_shows_it(
    tui_services: Services,
) -> None:
    app = make_app(tui_services, draft(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot, row=4)
        await pilot.press(*"photos/ak")
        await settle_dialog(pilot)
        await pilot.press("tab")  # takes the completion
        await settle_dialog(pilot)
        assert dialog.query_one("#image-path", Input).value == "photos/akimat.jpg"
        file_line = shown_text(dialog.query_one("#image-file", Static))
        assert "JPEG 640x480" in file_line
        dialog.query_one("#image-alt", TextArea).focus()
        await pilot.press(*"Police detain a protester")
        dialog.query_one("#insert").press()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ComposeScreen)
        lines = screen.editor.text.split("\n")
        assert lines[6] == "![Police detain a protester](photos/akimat.jpg)"
        assert lines[7] == ""  # the paragraph's blank line stays after it
        await compose_settled(pilot)
        cards = [shown_text(card) for card in screen.query_one(PreviewPane).query(PostCard)]
        assert any("[image: akimat.jpg 640x480, alt 25 chars]" in card for card in cards)
        # ctrl+z takes it out again.
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert screen.editor.text == REPORT


async def test_a_mastodon_instances_remembered_alt_text_limit_is_shown(
    tui_services: Services,
) -> None:
    """The alt text's length against ank-masto's instance's own `description_limit` (as
    the preview and the checks before publishing use it), not Mastodon's default 1500."""
    remember("https://mastodon.social", InstanceFigures(description_limit=420))
    app = make_app(tui_services, draft(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot)
        dialog.query_one("#image-alt", TextArea).text = "x" * 421
        await settle_dialog(pilot)
        line = shown_text(dialog.query_one("#alt-lengths", Static))
        assert "Mastodon 421/420" in line
        assert "X 421/1000" in line and "Bluesky 421/2000" in line  # theirs: FACTS


async def test_escape_cancels_with_nothing_changed(tui_services: Services) -> None:
    path = draft(tui_services)
    app = make_app(tui_services, path)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot)
        await pilot.press(*"photos/akimat.jpg")
        dialog.query_one("#image-alt", TextArea).focus()
        await pilot.press(*"A description")
        await pilot.press("escape")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ComposeScreen)
        assert screen.editor.text == REPORT
        assert screen.saved
    assert path.read_text(encoding="utf-8") == REPORT


async def test_an_empty_alt_text_is_refused_unless_the_draft_allows_it(
    tui_services: Services,
) -> None:
    app = make_app(tui_services, draft(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot)
        await pilot.press(*"photos/crowd.png")
        dialog.query_one("#insert").press()
        await pilot.pause()
        assert app.screen is dialog
        assert "alt text is required" in shown_text(dialog.query_one("#insert-error", Static))


async def test_without_required_alt_text_an_image_goes_in_without(
    tui_services: Services,
) -> None:
    text = REPORT.replace("+++\nThe police", "alt_text_required = false\n+++\nThe police")
    app = make_app(tui_services, draft(tui_services, text))
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot, row=6)
        await pilot.press(*"photos/crowd.png")
        dialog.query_one("#insert").press()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ComposeScreen)
        assert "\n![](photos/crowd.png)\n" in screen.editor.text


async def test_odd_alt_text_round_trips_through_the_draft_parser(tui_services: Services) -> None:
    path = draft(tui_services)
    odd = tui_services.drafts_dir / "photos" / 'court [1] (copy) "b".png'
    Image.new("RGB", (20, 10)).save(odd)
    alt = 'The judge\'s "decision" [page 2] \\ ends here ]\nand a second line'
    app = make_app(tui_services, path)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot)
        dialog.query_one("#image-path", Input).value = f"photos/{odd.name}"
        dialog.query_one("#image-alt", TextArea).text = alt
        dialog.query_one("#insert").press()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ComposeScreen)
        parsed = parse_draft(screen.editor.text, path=path)
        ((_, image),) = find_images(parsed.body).images
        assert image.alt == " ".join(alt.split())
        assert parsed.folder / image.path == odd


async def test_the_palette_offers_it(tui_services: Services) -> None:
    app = make_app(tui_services, draft(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_settled(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Insert an image")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, InsertImageDialog)


# --- screenshots -----------------------------------------------------------------------------


def test_dialog_empty(snap_compare, tui_services: Services) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[object]) -> None:
        await open_dialog(pilot)
        await settle_dialog(pilot)

    app = make_app(tui_services, draft(tui_services))
    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_dialog_with_completion_shown(snap_compare, tui_services: Services) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[object]) -> None:
        await open_dialog(pilot)
        await pilot.press(*"photos/cr")
        await settle_dialog(pilot)

    app = make_app(tui_services, draft(tui_services))
    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_dialog_with_alt_text_too_long_for_x(snap_compare, tui_services: Services) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[object]) -> None:
        dialog = await open_dialog(pilot)
        await pilot.press(*"photos/akimat.jpg")
        dialog.query_one("#image-alt", TextArea).text = LONG_ALT
        dialog.query_one("#image-alt", TextArea).move_cursor((0, 0))
        await settle_dialog(pilot)

    app = make_app(tui_services, draft(tui_services))
    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_no_screen_binds_a_key_terminals_send_as_tab_enter_or_backspace() -> None:
    """ctrl+i, ctrl+m and ctrl+h arrive as Tab, Enter and Backspace: never bound."""
    import importlib
    import pkgutil

    from textual.binding import Binding
    from textual.dom import DOMNode

    import composer.tui

    keys: set[str] = set()
    for module in pkgutil.iter_modules(composer.tui.__path__):
        found = importlib.import_module(f"composer.tui.{module.name}")
        for value in vars(found).values():
            if isinstance(value, type) and issubclass(value, DOMNode):
                for binding in value.BINDINGS:
                    if isinstance(binding, Binding):
                        keys.update(key.strip() for key in binding.key.split(","))
    assert "ctrl+l" in keys
    assert not keys & {"ctrl+i", "ctrl+m", "ctrl+h"}
