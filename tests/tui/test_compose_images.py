"""Images in the compose screen's preview: a chip under the post's text, and a warning for
an image without alt text or without its file (the checks publishing makes)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from rich.console import Console
from textual.widgets import Static

from composer.tui import Services, make_app
from composer.tui.compose import ComposeScreen
from composer.tui.preview import PostCard, PreviewPane
from tests.tui.conftest import compose_settled

pytestmark = pytest.mark.anyio

REPORT = """\
+++
title = "Detentions outside the akimat"
accounts = ["ank-x"]
+++
The police detained twelve people outside the akimat on Monday. Witnesses said officers
pulled protesters from the crowd and drove them away in unmarked vans.

![Police detain a protester outside the akimat](photos/akimat.jpg)
![](photos/crowd.png)

The court sentenced eight of them to ten days of administrative arrest on Tuesday.
Lawyers were not allowed to see them before the hearing.

![A scanned page of the court decision](scans/decision.jpg)
"""


def report(services: Services) -> Path:
    photos = services.drafts_dir / "photos"
    photos.mkdir()
    Image.new("RGB", (4032, 3024), (80, 80, 80)).save(photos / "akimat.jpg")
    Image.new("RGB", (1200, 800), (20, 120, 20)).save(photos / "crowd.png")
    path = services.drafts_dir / "akimat.md"
    path.write_text(REPORT, encoding="utf-8")
    return path


def shown_text(widget: Static) -> str:
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def test_cards_show_each_image_and_the_summary_warns(tui_services: Services) -> None:
    app = make_app(tui_services, report(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_settled(pilot)
        screen = app.screen
        assert isinstance(screen, ComposeScreen)
        pane = screen.query_one(PreviewPane)
        cards = [shown_text(card) for card in pane.query(PostCard)]
        assert len(cards) == 2
        assert "[image: akimat.jpg 4032x3024, alt 44 chars]" in cards[0]
        assert "⚠ [image: crowd.png 1200x800, no alt text]" in cards[0]
        assert "⚠ [image: decision.jpg: no such file, alt 36 chars]" in cards[1]
        # The start of each alt text follows its chip.
        assert "alt 44 chars] Police detain a protester outside the a…" in cards[0]
        assert "![" not in "".join(cards)
        summary = shown_text(pane.query_one("#summary", Static))
        assert "⚠ drafts/akimat.md:9: crowd.png has no alt text" in summary
        assert "⚠ drafts/akimat.md:14: scans/decision.jpg: no such file" in summary


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_compose_screen_with_images(  # type: ignore[no-untyped-def]
    snap_compare, tui_services: Services, size: tuple[int, int]
) -> None:
    app = make_app(tui_services, report(tui_services))
    assert snap_compare(app, terminal_size=size, run_before=compose_settled)
