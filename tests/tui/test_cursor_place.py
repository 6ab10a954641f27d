"""The status line under the editor (`Ln 12, Col 4 · post 7/15 · 241/280`) and the card of
the post the cursor is in, highlighted, for the platform on screen; Tab moves focus."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Tabs, TextArea

from composer.text import Thread
from composer.tui import ComposerApp, Services, make_app
from composer.tui.cursor import PostLocator, anchors
from composer.tui.preview import PostCard, PreviewPane
from composer.workspace.draft_split import split_draft
from composer.workspace.drafts import parse_draft
from tests.tui.conftest import compose_settled
from tests.tui.test_compose import editor, example, previews, screen_of, wait_until

pytestmark = pytest.mark.anyio


async def the_example(
    app: ComposerApp, pilot: Pilot[object]
) -> tuple[TextArea, PreviewPane, Thread]:
    """The example draft settled: its editor, the preview, and the thread on screen."""
    await compose_settled(pilot)
    area, pane = editor(app), previews(app)
    thread = pane.shown_thread
    assert thread is not None and len(thread.posts) > 4
    return area, pane, thread


def location(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n"), index - (before.rfind("\n") + 1)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_status_line_names_the_post_under_the_cursor(
    tui_services: Services, size: tuple[int, int]
) -> None:
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=size) as pilot:
        area, pane, thread = await the_example(app, pilot)
        third = thread.posts[2]
        words = third.body.replace("#", "")[30:60]  # inside the post, clear of any tag
        at = area.text.index(words)
        row, column = location(area.text, at)
        area.move_cursor((row, column))
        expected = f"post 3/{len(thread.posts)} · {third.length}/{thread.limit}"
        await wait_until(pilot, lambda: expected in str(area.border_subtitle))
        assert str(area.border_subtitle).startswith(f"Ln {row + 1}, Col {column + 1} · ")
        current = [c for c in pane.query(PostCard) if c.has_class("-current")]
        assert [c.key[1] for c in current if c.key] == [3]
        assert current[0].region.height > 0  # scrolled into view

        area.move_cursor((1, 0))  # in the front matter
        await wait_until(pilot, lambda: "front matter" in str(area.border_subtitle))
        assert not [c for c in pane.query(PostCard) if c.has_class("-current")]

        area.move_cursor((row, column))
        tabs = pane.query_one(Tabs)
        others = [t.id for t in tabs.query("Tab") if t.id != tabs.active]
        tabs.active = others[0]
        other = pane.previews[others[0].removeprefix("tab-")].thread
        assert other is not None
        await wait_until(pilot, lambda: f"/{len(other.posts)} · " in str(area.border_subtitle))


async def test_tab_moves_focus_out_of_the_editor(tui_services: Services) -> None:
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_settled(pilot)
        area = editor(app)
        before = area.text
        assert app.focused is area
        await pilot.press("tab")
        assert app.focused is not area and area.text == before  # no indent typed
        await pilot.press("shift+tab")
        assert app.focused is area
        assert screen_of(app).editor.show_line_numbers


def test_offsets_map_across_linked_hashtags() -> None:
    body = "Sunday's vote in Kazakhstan was calm. Human rights groups watched.\n\nMore."
    source = "Sunday's vote in #Kazakhstan was calm. #HumanRights groups watched.\n\nMore."
    pairs = anchors(body, source)
    assert pairs[0] == (0, 0) and len(pairs) == 3  # the texts meet again after each edit
    for word in ("vote", "was calm", "groups", "More"):
        b, s = body.index(word), source.index(word)
        last_b, last_s = next((pb, ps) for pb, ps in reversed(pairs) if pb <= b)
        assert last_s + (b - last_b) == s, word


def test_the_locator_finds_every_post_of_the_example(tui_services: Services) -> None:
    from composer.workspace.config import load_config

    assert tui_services.config_path is not None
    config = load_config(Path(tui_services.config_path))
    path = example(tui_services)
    draft = parse_draft(path.read_text(encoding="utf-8"), path.name, path)
    for platform in ("x", "mastodon", "bluesky"):
        thread = split_draft(draft, platform, config)
        locator = PostLocator.of(thread, draft.body)
        for post in thread.posts:
            # the middle of each post's text, found in the body as the user typed it
            middle = post.body[len(post.body) // 2 :][:12]
            if "#" in middle:
                continue
            at = draft.body.index(middle, max(0, post.start - 40))
            found = locator.post_at(at)
            assert found is not None and found.index == post.index, (platform, post.index)


async def test_copy_the_post_or_the_thread_and_switch_platforms_by_key(
    tui_services: Services,
) -> None:
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(120, 40)) as pilot:
        await compose_settled(pilot)
        area, pane = editor(app), previews(app)
        thread = pane.shown_thread
        assert thread is not None
        second = thread.posts[1]
        at = area.text.index(second.body.replace("#", "")[20:50])
        area.move_cursor(location(area.text, at))
        await wait_until(pilot, lambda: f"post 2/{len(thread.posts)}" in str(area.border_subtitle))
        await pilot.press("ctrl+b")
        assert app.clipboard == second.text  # numbering and all, as published
        await pilot.press("f9")
        assert app.clipboard == "\n\n".join(p.text for p in thread.posts)

        first_tab = pane.platform
        await pilot.press("alt+right")
        await wait_until(pilot, lambda: pane.platform != first_tab)
        other = pane.shown_thread
        assert other is not None and other is not thread
        await wait_until(pilot, lambda: f"/{len(other.posts)} · " in str(area.border_subtitle))
        await pilot.press("alt+left")
        await wait_until(pilot, lambda: pane.platform == first_tab)
        assert app.focused is area  # the keys work while typing


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_gutter_marks_the_line_where_each_post_begins(
    tui_services: Services, size: tuple[int, int]
) -> None:
    """Each post's number before the line number, on the wrapped line where its text begins
    (a paragraph may hold several posts' beginnings), for the platform on screen."""
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=size) as pilot:
        area, pane, thread = await the_example(app, pilot)
        cuts = lambda: area.cuts  # type: ignore[attr-defined]  # noqa: E731
        await wait_until(pilot, lambda: len(cuts()) == len(thread.posts))
        lines = area.text.split("\n")
        assert [number for _, _, number in cuts()] == [p.index for p in thread.posts]
        for row, column, number in cuts():
            words = thread.posts[number - 1].body.replace("#", "").split()[:3]
            assert lines[row][column:].replace("#", "").split()[:3] == words, number
        # Drawn in the gutter on the wrapped line where post 3 begins (inside a paragraph).
        [(row, column)] = [(r, c) for r, c, n in cuts() if n == 3]
        area.move_cursor((row, column))
        area.scroll_cursor_visible(center=True)
        await pilot.pause()
        drawn = [area.render_line(y).text for y in range(area.content_size.height)]
        [mark] = [line for line in drawn if line.startswith("  3▸")]
        assert lines[row][column:].split()[0] in mark.split("▸", 1)[1]  # wrapped after it
        # Another platform's cuts follow the tab.
        tabs = pane.query_one(Tabs)
        tabs.active = "tab-bluesky"
        other = pane.previews["bluesky"].thread
        assert other is not None and len(other.posts) != len(thread.posts)
        await wait_until(pilot, lambda: len(cuts()) == len(other.posts))


async def test_keys_that_move_through_a_long_draft(tui_services: Services) -> None:
    """ctrl+end and ctrl+home: the draft's end and start; End: the wrapped line's end, then
    (pressed again) the paragraph's; Home likewise; ctrl+k: the rest of the line on screen
    goes."""
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        area = editor(app)
        area.focus()
        await pilot.press("ctrl+end")
        assert area.cursor_location == area.document.end
        await pilot.press("ctrl+home")
        assert area.cursor_location == (0, 0)
        row = max(range(area.document.line_count), key=lambda r: len(area.document[r]))
        paragraph = area.document[row]
        assert len(paragraph) > 200  # wrapped over several lines at 80 columns
        area.move_cursor((row, 0))
        await pilot.press("end")
        first_end = area.cursor_location
        assert first_end[0] == row and 0 < first_end[1] < len(paragraph)
        await pilot.press("end")
        assert area.cursor_location == (row, len(paragraph))
        await pilot.press("home")
        assert area.cursor_location[0] == row and 0 < area.cursor_location[1] < len(paragraph)
        await pilot.press("home")
        assert area.cursor_location == (row, 0)
        area.move_cursor((row, 10))
        await pilot.press("ctrl+k")
        assert area.document[row] == paragraph[:10] + paragraph[first_end[1] :]
