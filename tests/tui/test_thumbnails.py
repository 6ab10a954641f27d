"""Thumbnails under the post cards: drawn only when the terminal can (never in tests or when
the output is not a terminal), decoded in a worker, once per file, never again on a keystroke."""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from textual.widget import Widget
from textual.widgets import Static

from composer.tui import Services, make_app
from composer.tui.compose import ComposeScreen
from composer.tui.preview import PostCard
from composer.tui.thumbnails import ThumbnailCache, Thumbnails, picture_widget
from tests.tui.conftest import compose_settled
from tests.tui.test_compose_images import report

pytestmark = pytest.mark.anyio


class Pictures:
    """Stands in for textual-image's widget (which writes to the real terminal): a Static
    saying the picture's size, and a count of the widgets made."""

    def __init__(self) -> None:
        self.made = 0

    def __call__(self, picture: Image.Image) -> Widget:
        self.made += 1
        return Static(f"picture {picture.width}x{picture.height}")


def test_no_thumbnails_when_not_a_terminal_or_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "__stdout__", io.StringIO())
    assert picture_widget() is None
    monkeypatch.setenv("COMPOSER_THUMBNAILS", "0")
    assert picture_widget() is None


def test_the_cache_decodes_a_file_once_and_again_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    Image.new("RGB", (400, 300)).save(path)
    cache = ThumbnailCache()
    first = cache.get(path)
    assert first is not None and cache.get(path) is first
    assert cache.decoded == 1
    Image.new("RGB", (300, 400)).save(path)
    later = time.time_ns() + 5_000_000_000
    os.utime(path, ns=(later, later))
    changed = cache.get(path)
    assert cache.decoded == 2
    assert changed is not None and changed.height > changed.width
    assert cache.get(tmp_path / "missing.png") is None


async def settled(pilot: object) -> None:
    await compose_settled(pilot)  # type: ignore[arg-type]
    await pilot.app.workers.wait_for_complete()  # type: ignore[attr-defined]
    await pilot.pause(0.05)  # type: ignore[attr-defined]


async def test_cards_get_thumbnails_and_typing_decodes_nothing(tui_services: Services) -> None:
    pictures = Pictures()
    app = make_app(tui_services, report(tui_services), pictures)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, ComposeScreen)
        cards = list(screen.query(PostCard))
        row = cards[0].thumbnails
        assert isinstance(row, Thumbnails)
        shown = [str(child.render()) for child in row.children]
        assert shown == ["picture 192x144", "picture 192x128"]  # akimat.jpg, crowd.png
        assert cards[1].thumbnails is not None
        assert not cards[1].thumbnails.display  # its only image has no file: the chip says so
        cache = row.cache
        decoded, made = cache.decoded, pictures.made
        assert decoded == 2
        screen.editor.move_cursor((4, 0))
        for key in "Monday, ":
            await pilot.press("space" if key == " " else key)
        await settled(pilot)
        assert "Monday, The police" in screen.editor.text
        assert (cache.decoded, pictures.made) == (decoded, made)


async def test_without_a_picture_widget_cards_show_chips_only(tui_services: Services) -> None:
    app = make_app(tui_services, report(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert not list(app.screen.query(Thumbnails))


async def test_a_card_taken_away_takes_its_thumbnails(tui_services: Services) -> None:
    app = make_app(tui_services, report(tui_services), Pictures())
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, ComposeScreen)
        assert len(screen.query(PostCard)) == 2
        editor = screen.editor
        body = editor.document.line_count - 1
        editor.replace("", (9, 0), (body, 0))  # the second paragraph and its image go
        await settled(pilot)
        cards = list(screen.query(PostCard))
        assert len(cards) == 1
        rows = list(screen.query(Thumbnails))
        assert rows == [cards[0].thumbnails]
        assert len(rows[0].children) == 2
