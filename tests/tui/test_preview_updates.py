"""A keystroke in a long draft redraws what it changed, no more: the cards of the posts it
left alone are kept as they were, a card that keeps its height is repainted without laying
the screen out again, and the summary line is left alone while it says the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.visual import VisualType
from textual.widgets import Static, Tabs

from composer.tui import Services, make_app
from composer.tui.app import ComposerApp
from composer.tui.compose import ComposeScreen
from composer.tui.preview import PostCard, PreviewPane
from composer.tui.preview_work import build_preview
from tests.tui.conftest import compose_settled

pytestmark = pytest.mark.anyio
SIZES = [(80, 24), (120, 40)]
POSTS = 40
FRONT_MATTER = (
    '+++\ntitle = "Forty paragraphs"\naccounts = ["ank-x", "ank-bsky"]\nmode = "cleanest"\n+++\n'
)


def long_draft(services: Services) -> Path:
    """40 paragraphs of 259 characters, cut between paragraphs ("cleanest": a letter more
    in the first moves no other cut); the first is short, so a letter typed at its end
    never wraps a line."""
    sentence = "The observers counted {:>4} ballots at polling station {:>2} before noon today. "
    paragraphs = ["Short first paragraph."] + [
        sentence.format(n * 17, n) * 3 + "Turnout was reported as normal."
        for n in range(2, POSTS + 1)
    ]
    path = services.drafts_dir / "forty.md"
    path.write_text(FRONT_MATTER + "\n".join(p + "\n" for p in paragraphs), encoding="utf-8")
    return path


def screen_of(app: ComposerApp) -> ComposeScreen:
    assert isinstance(app.screen, ComposeScreen)
    return app.screen


def cards_of(app: ComposerApp) -> list[PostCard]:
    return list(screen_of(app).query_one(PreviewPane).query(PostCard))


async def type_after_first_paragraph(app: ComposerApp, pilot: Pilot[object], keys: str) -> None:
    editor = screen_of(app).editor
    row = editor.text.split("\n").index("Short first paragraph.")
    editor.move_cursor((row, len("Short first paragraph")))  # before its full stop
    await pilot.press(*keys)
    await compose_settled(pilot)


def shown_cards(cards: list[PostCard]) -> list[tuple[object, object, str]]:
    return [(c.border_title, c.border_subtitle, str(c.visual)) for c in cards]


@pytest.mark.parametrize("size", SIZES)
async def test_an_edit_in_one_post_keeps_the_other_cards(
    tui_services: Services, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tui_services, long_draft(tui_services))
    async with app.run_test(size=size) as pilot:
        await compose_settled(pilot)
        before = cards_of(app)
        assert len(before) > POSTS
        keys = [card.key for card in before]
        updates: list[tuple[int, bool]] = []  # (post number, laid out again)

        def update(card: PostCard, content: VisualType = "", *, layout: bool = True) -> None:
            updates.append((before.index(card) + 1, layout))
            Static.update(card, content, layout=layout)

        monkeypatch.setattr(PostCard, "update", update)
        await type_after_first_paragraph(app, pilot, "xyz")
        after = cards_of(app)
        assert all(new is old for new, old in zip(after, before, strict=True))
        assert all(card.key is key for card, key in zip(after[1:], keys[1:], strict=True))
        assert "Short first paragraphxyz." in str(after[0].visual)
        # Only the first card was redrawn, each time without a layout: its height held.
        assert updates and {number for number, _ in updates} == {1}
        assert not any(layout for _, layout in updates)


async def test_a_card_that_grows_is_laid_out_again(tui_services: Services) -> None:
    app = make_app(tui_services, long_draft(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_settled(pilot)
        first = cards_of(app)[0]
        height = first.size.height
        await type_after_first_paragraph(app, pilot, " and a clause long enough to wrap" * 3)
        assert cards_of(app)[0] is first
        assert first.size.height > height


async def test_the_summary_is_left_alone_while_it_says_the_same(
    tui_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tui_services, long_draft(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_settled(pilot)
        pane = screen_of(app).query_one(PreviewPane)
        summary = pane.query_one("#summary", Static)
        said = str(summary.visual)
        updated: list[object] = []
        monkeypatch.setattr(summary, "update", lambda *a, **k: updated.append(a))
        await type_after_first_paragraph(app, pilot, "q")
        assert updated == []
        assert str(summary.visual) == said
        assert said.startswith(f"X · {len(cards_of(app))} posts · 280")


@pytest.mark.parametrize("size", SIZES)
async def test_a_hidden_tab_shows_the_latest_text_when_shown(
    tui_services: Services, size: tuple[int, int]
) -> None:
    app = make_app(tui_services, long_draft(tui_services))
    async with app.run_test(size=size) as pilot:
        await compose_settled(pilot)
        pane = screen_of(app).query_one(PreviewPane)
        assert pane.platform == "x"
        await type_after_first_paragraph(app, pilot, " and a clause long enough to wrap" * 3)
        pane.query_one(Tabs).active = "tab-bluesky"
        await compose_settled(pilot)
        fresh = build_preview(screen_of(app).editor.text, "forty", tui_services.config())
        [bluesky] = [p for p in fresh.platforms if p.platform == "bluesky"]
        assert bluesky.thread is not None
        posts = bluesky.thread.posts
        assert shown_cards(cards_of(app)) == [
            (f"{p.index}/{len(posts)}", f"{p.length}/300", p.text) for p in posts
        ]


async def test_the_app_sets_its_start_up_aside_while_it_runs(tui_services: Services) -> None:
    """What the app made at start-up (Textual, the screens, the modules: some 150,000
    objects) is out of the collector's full collections while it runs: each one walked them
    all, 100 ms every other keystroke in a long draft. The app hands them back when it ends,
    so a test or a script that runs it goes on collecting as before."""
    import gc

    assert gc.get_freeze_count() == 0
    app = make_app(tui_services, long_draft(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_settled(pilot)
        set_aside = gc.get_freeze_count()
        assert set_aside > 50_000
        await pilot.press("a")
        await compose_settled(pilot)
        # Once, at start-up: what the keystroke made is collected as usual (set-aside objects
        # freed since, by their count of references falling to zero, left the count).
        assert gc.get_freeze_count() <= set_aside
    assert gc.get_freeze_count() == 0
