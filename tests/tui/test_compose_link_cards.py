"""Link cards in the compose screen's preview: a line under a Bluesky post with a link,
fetched off the UI thread (pages served on loopback, reached as through a proxy), a warning
line for a page that gives none, remote text shown as text, and nothing fetched when the
draft says `link_card = false`."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from composer.media import link_cards
from composer.media.link_cards import FAILURE_MEMORY
from composer.tui import Services, make_app
from composer.tui.compose import ComposeScreen
from composer.tui.preview import PostCard, PreviewPane
from tests.fakes.pages import Page, PageServer
from tests.tui.conftest import compose_settled

pytestmark = pytest.mark.anyio

REPORT = """\
+++
title = "The mission's report"
platforms = ["bluesky"]{extra}
+++
The mission published its preliminary statement: http://osce.example.org/report

---

The statement of the last elections is gone: http://osce.example.org/gone

---

No link in this post.
"""


def shown_text(widget: Static) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def write_report(services: Services, extra: str = "") -> Path:
    path = services.drafts_dir / "report.md"
    path.write_text(REPORT.format(extra=extra), encoding="utf-8")
    return path


async def cards_settled(pilot: Pilot[object]) -> list[str]:
    """The post cards' text once no card is still being fetched."""
    await compose_settled(pilot)
    pane = pilot.app.screen.query_one(PreviewPane)
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.02)
        cards = [shown_text(card) for card in pane.query(PostCard)]
        if not any("fetching" in card for card in cards):
            return cards
    raise AssertionError("the link cards were never shown")


@pytest.fixture
def site(pages: PageServer, monkeypatch: pytest.MonkeyPatch) -> PageServer:
    monkeypatch.setenv("HTTP_PROXY", pages.url)
    title = "[bold red]Preliminary[/] statement \x1b[2J"
    page = f'<head><meta property="og:title" content="{title}"></head>'
    pages.serve("/report", Page(page.encode()))
    return pages


async def test_a_card_line_under_each_post_with_a_link(
    tui_services: Services, site: PageServer
) -> None:
    services = replace(tui_services, link_cards=True)
    app = make_app(services, write_report(services))
    async with app.run_test(size=(120, 40)) as pilot:
        cards = await cards_settled(pilot)
        assert isinstance(app.screen, ComposeScreen)
        assert len(cards) == 3
        # The title as text: rich markup shown, not applied; the escape sequence removed.
        assert "🔗 [bold red]Preliminary[/] statement [2J — osce.example.org" in cards[0]
        assert (
            "⚠ no link card for http://osce.example.org/gone: the server answered 404" in (cards[1])
        )
        assert "🔗" not in cards[2] and "⚠" not in cards[2]
        assert site.hits["/report"] == 1 and site.hits["/gone"] == 1


async def test_no_card_when_the_draft_says_so(tui_services: Services, site: PageServer) -> None:
    services = replace(tui_services, link_cards=True)
    app = make_app(services, write_report(services, "\nlink_card = false"))
    async with app.run_test(size=(120, 40)) as pilot:
        cards = await cards_settled(pilot)
        assert len(cards) == 3
        assert not any("🔗" in card or "link card" in card for card in cards)
        assert sum(site.hits.values()) == 0


async def test_a_page_that_gave_no_card_is_asked_again_later(
    tui_services: Services, site: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = replace(tui_services, link_cards=True)
    app = make_app(services, write_report(services))
    async with app.run_test(size=(120, 40)) as pilot:
        cards = await cards_settled(pilot)
        assert "answered 404" in cards[1]
        site.serve("/gone", Page(b"<title>Back online</title>"))
        pane = app.screen.query_one(PreviewPane)
        # As if FAILURE_MEMORY had passed since the page failed (no clock in the test): the
        # pane's note of it and the fetcher's memory of it are both that old.
        for key in list(pane._failed_at):
            pane._failed_at[key] -= FAILURE_MEMORY + 1
        monkeypatch.setattr(link_cards, "_FAILED", {})
        await pane._show_cards()  # what the next change of the text does
        for _ in range(200):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause(0.02)
            cards = [shown_text(card) for card in pane.query(PostCard)]
            if "Back online" in cards[1]:
                break
        assert "🔗 Back online — osce.example.org" in cards[1]
        assert site.hits["/gone"] == 2 and site.hits["/report"] == 1
