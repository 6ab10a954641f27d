"""The mentions and hashtags pickers, driven by keys as a user drives them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, RadioButton, SelectionList, Static

from composer.tui.pickers import HashtagsChoice, HashtagsPicker, MentionsChoice, MentionsPicker
from composer.tui.services import Services
from tests.tui.dialog_fixtures import DialogApp, accounts_file, workspace


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    services = workspace(tmp_path, accounts_file())
    yield services
    services.close()


def listed(pilot: Pilot[Any]) -> list[str]:
    """The contacts (their keys) that the mentions picker lists, top to bottom."""
    rows = pilot.app.screen.query_one("#contacts", OptionList)
    return [str(rows.get_option_at_index(i).id) for i in range(rows.option_count)]


def text(pilot: Pilot[Any], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).render())


# --- mentions ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_typing_filters_the_contacts_fuzzily(services: Services) -> None:
    app = DialogApp(lambda: MentionsPicker(services, [], "first"))
    async with app.run_test(size=(80, 24)) as pilot:
        assert listed(pilot) == ["hrw", "freedomhouse", "osce"]
        await pilot.press(*"frdm")  # letters of "Freedom", not a substring
        assert listed(pilot) == ["freedomhouse"]
        # The letters matched are highlighted in the name.
        prompt = app.screen.query_one("#contacts", OptionList).get_option("freedomhouse").prompt
        assert isinstance(prompt, Content)
        marked = [prompt.plain[s.start : s.end] for s in prompt.spans if s.style == "reverse"]
        assert marked[:4] == ["F", "r", "d", "m"]
        for _ in range(4):
            await pilot.press("backspace")
        await pilot.press(*"odihr")  # a handle: @odihr@social.network.europa.eu
        assert listed(pilot) == ["osce"]
        await pilot.press(*"zzz")
        assert listed(pilot) == []


@pytest.mark.anyio
async def test_each_row_shows_the_handles_or_that_the_name_is_used(services: Services) -> None:
    app = DialogApp(lambda: MentionsPicker(services, [], "first"))
    async with app.run_test(size=(120, 40)) as pilot:
        rows = pilot.app.screen.query_one("#contacts", OptionList)
        freedom = str(rows.get_option("freedomhouse").prompt)
        assert "Freedom House" in freedom and "x @freedomhouse" in freedom
        assert "mastodon no handle: name used" in freedom
        hrw = str(rows.get_option("hrw").prompt)
        assert "mastodon @hrw@mastodon.social" in hrw and "bluesky @hrw.org" in hrw


@pytest.mark.anyio
async def test_toggle_contacts_add_a_handle_and_choose_the_placement(services: Services) -> None:
    app = DialogApp(lambda: MentionsPicker(services, ["osce", "hrw"], "first"))
    async with app.run_test(size=(80, 24)) as pilot:
        rows = app.screen.query_one("#contacts", OptionList)
        assert str(rows.get_option("osce").prompt).startswith("☑ OSCE/ODIHR")
        assert str(rows.get_option("freedomhouse").prompt).startswith("☐ Freedom House")
        assert "OSCE/ODIHR, Human Rights Watch" in text(pilot, "#chosen")
        # Search, Enter picks the best match.
        await pilot.press(*"free", "enter")
        await pilot.pause()
        assert app.screen.query_one("#search", Input).value == ""
        # A handle written out.
        await pilot.press(*"@someone@example.social", "enter")
        await pilot.pause()
        # Untoggle OSCE in the list, with the keyboard.
        rows = app.screen.query_one("#contacts", OptionList)
        rows.focus()
        rows.highlighted = listed(pilot).index("osce")
        await pilot.press("space")
        assert "Human Rights Watch, Freedom House, @someone@example.social" in text(
            pilot, "#chosen"
        )
        app.screen.query_one("#placement-spread", RadioButton).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [
        MentionsChoice(("hrw", "freedomhouse", "@someone@example.social"), "spread")
    ]


@pytest.mark.anyio
async def test_a_bad_handle_is_refused_inline(services: Services) -> None:
    app = DialogApp(lambda: MentionsPicker(services, ["hrw"], "last"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"@not a handle", "enter")
        assert "'@not a handle' is not a handle" in text(pilot, "#error")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [MentionsChoice(("hrw",), "last")]


@pytest.mark.anyio
async def test_escape_cancels_the_mentions(services: Services) -> None:
    app = DialogApp(lambda: MentionsPicker(services, ["hrw"], "first"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"free", "enter", "escape")
        await pilot.pause()
    assert app.results == [None]


# --- hashtags ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_all_terms_on_by_default_and_unchanged_gives_none(services: Services) -> None:
    app = DialogApp(lambda: HashtagsPicker(services, ["KazakhstanElections"], "last", None))
    async with app.run_test(size=(80, 24)) as pilot:
        terms = app.screen.query_one("#terms", SelectionList)
        assert terms.selected == ["Kazakhstan", "OSCE", "Human Rights"]
        assert app.screen.query_one("#tags", Input).value == "#KazakhstanElections"
        assert "#ElectionWatch" in text(pilot, ".note")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [HashtagsChoice(("KazakhstanElections",), "last", None)]


@pytest.mark.anyio
async def test_toggle_terms_edit_tags_and_placement(services: Services) -> None:
    app = DialogApp(lambda: HashtagsPicker(services, [], "last", None))
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#terms", SelectionList).focus()
        await pilot.press("down", "space")  # OSCE off
        tags = app.screen.query_one("#tags", Input)
        tags.focus()
        await pilot.press(*"Elections2026, #Almaty Выборы")
        app.screen.query_one("#placement-first", RadioButton).value = True
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [
        HashtagsChoice(
            ("Elections2026", "Almaty", "Выборы"), "first", ("Kazakhstan", "Human Rights")
        )
    ]


@pytest.mark.anyio
async def test_terms_given_are_the_ones_on(services: Services) -> None:
    app = DialogApp(lambda: HashtagsPicker(services, [], "first", ["OSCE"]))
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.screen.query_one("#terms", SelectionList).selected == ["OSCE"]
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [HashtagsChoice((), "first", ("OSCE",))]


@pytest.mark.anyio
@pytest.mark.parametrize("bad", ["#foo-bar", "2026", "#", "tag!"])
async def test_an_invalid_tag_is_refused_inline(services: Services, bad: str) -> None:
    app = DialogApp(lambda: HashtagsPicker(services, [], "last", None))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*f"good {bad}")
        assert f"not a hashtag: {bad!r}" in text(pilot, "#error")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HashtagsPicker)  # still open
        assert f"not a hashtag: {bad!r}" in text(pilot, "#error")
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


# --- snapshots ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_of_the_mentions_picker(
    services: Services, size: tuple[int, int], snap_compare: Any
) -> None:
    app = DialogApp(lambda: MentionsPicker(services, ["osce", "@someone@example.social"], "spread"))
    assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_of_the_hashtags_picker(
    services: Services, size: tuple[int, int], snap_compare: Any
) -> None:
    app = DialogApp(lambda: HashtagsPicker(services, ["KazakhstanElections"], "last", ["OSCE"]))
    assert snap_compare(app, terminal_size=size)


@pytest.mark.anyio
async def test_text_from_the_accounts_file_is_shown_escaped(tmp_path: Path) -> None:
    config = accounts_file() + '\n[contacts.odd]\nname = "Odd [b]Co[/b] \\u001b[31mred"\n'
    services = workspace(tmp_path, config)
    app = DialogApp(lambda: MentionsPicker(services, ["odd"], "first"))
    async with app.run_test(size=(120, 40)) as pilot:
        row = str(app.screen.query_one("#contacts", OptionList).get_option("odd").prompt)
        assert "Odd [b]Co[/b] \\u001b[31mred" in row  # markup shown as typed, ESC made visible
        assert "\x1b" not in text(pilot, "#chosen")
        assert "Odd [b]Co[/b]" in text(pilot, "#chosen")
    services.close()
