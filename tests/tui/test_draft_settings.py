"""The draft settings form (ctrl+f in the composer): the front matter as fields, written back
key by key through `update_front_matter`, driven as a user drives it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, SelectionList, Static

from composer.tui import Services, make_app
from composer.tui.app import ComposerApp
from composer.tui.compose import ComposeScreen
from composer.tui.draft_settings import DraftSettingsDialog, settings_refusal
from composer.workspace.drafts import DraftError, parse_draft, update_front_matter
from tests.tui.conftest import compose_settled

pytestmark = pytest.mark.anyio
SIZES = [(80, 24), (120, 40)]
COMMENT = "# the comms team's note: keep this line\n"


def example(services: Services) -> Path:
    """The example draft, with a comment line in its front matter (kept byte for byte)."""
    path = services.drafts_dir / "example.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("hook = true\n", f"hook = true\n{COMMENT}", 1), encoding="utf-8")
    return path


def compose_screen(app: ComposerApp) -> ComposeScreen:
    return next(s for s in app.screen_stack if isinstance(s, ComposeScreen))


async def open_form(app: ComposerApp, pilot: Pilot[None]) -> DraftSettingsDialog:
    await compose_settled(pilot)
    await pilot.press("ctrl+f")
    await pilot.pause()
    form = app.screen
    assert isinstance(form, DraftSettingsDialog)
    return form


async def type_into(pilot: Pilot[None], form: DraftSettingsDialog, field: str, text: str) -> None:
    """Empty the field `field` and type `text` into it, key by key."""
    widget = form.query_one(f"#{field}", Input)
    widget.focus()
    widget.value = ""
    await pilot.press(*[("space" if c == " " else c) for c in text])


def editor_text(app: ComposerApp) -> str:
    return compose_screen(app).editor.text


@pytest.mark.parametrize("size", SIZES)
async def test_save_writes_only_the_keys_changed(
    tui_services: Services, size: tuple[int, int]
) -> None:
    path = example(tui_services)
    before = path.read_text(encoding="utf-8")
    app = make_app(tui_services, path)
    async with app.run_test(size=size) as pilot:
        form = await open_form(app, pilot)
        # The fields show the draft's values.
        assert form.query_one("#title", Input).value.startswith("Almaty Rights Monitor")
        assert form.query_one("#hashtags", Input).value == "#KazakhstanElections"
        assert form.query_one("#mentions", Input).value == "hrw, freedomhouse"
        assert form.query_one("#language", Input).value == "en"
        accounts = form.query_one("#accounts", SelectionList)
        assert set(accounts.selected) == {"ank-x", "ank-masto", "ank-bsky"}
        assert form.query_one("#numbering", Select).value == "{i}/{n}"
        assert form.query_one("#visibility", Select).value is Select.NULL

        await type_into(pilot, form, "title", "Preliminary statement")
        await type_into(pilot, form, "hashtags", "#Elections, HumanRights")
        form.query_one("#visibility", Select).value = "unlisted"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)
        text = editor_text(app)
        await compose_settled(pilot)
        assert "○ unsaved" in app.screen.sub_title  # an edit, saved as typing is
        await pilot.press("ctrl+z")  # and undone as one
        await pilot.pause()
        undone = editor_text(app)
    changes = {
        "title": "Preliminary statement",
        "hashtags": ["Elections", "HumanRights"],
        "visibility": "unlisted",
    }
    assert text == update_front_matter(before, changes)
    assert COMMENT in text and text.endswith(parse_draft(before).body)
    assert parse_draft(text).meta == {**parse_draft(before).meta, **changes}
    assert undone == before


async def test_a_field_emptied_removes_its_key(tui_services: Services) -> None:
    path = example(tui_services)
    before = path.read_text(encoding="utf-8")
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        await type_into(pilot, form, "mentions", "")
        form.query_one("#numbering", Select).value = Select.NULL
        form.query_one("#accounts", SelectionList).deselect_all()
        await pilot.press("ctrl+s")
        await pilot.pause()
        text = editor_text(app)
    assert text == update_front_matter(
        before, {"mentions": None, "numbering": None, "accounts": None}
    )
    meta = parse_draft(text).meta
    assert not {"mentions", "numbering", "accounts"} & set(meta)
    assert meta["mention_placement"] == "first" and COMMENT in text


async def test_an_invalid_language_is_refused_in_the_form(tui_services: Services) -> None:
    path = example(tui_services)
    before = path.read_text(encoding="utf-8")
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        await type_into(pilot, form, "language", "English")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form  # still open, saying why
        said = str(form.query_one("#error", Static).render())
        # The draft checks' words (parse_draft: "<file>:<line>: <this>").
        assert said == (
            "language must be a language code like 'en', 'ru', 'kk' or 'pt-BR', not 'English'"
        )
        with pytest.raises(DraftError) as checked:
            parse_draft(update_front_matter(before, {"language": "English"}))
        assert str(checked.value).endswith(f": {said}")
        await pilot.press("escape")
        await pilot.pause()
        assert editor_text(app) == before


async def test_a_front_matter_that_cannot_be_read_opens_no_form(tui_services: Services) -> None:
    path = example(tui_services)
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        area = compose_screen(app).editor
        area.replace("hook = maybe\n", (6, 0), (7, 0))
        before = area.text
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen) and area.text == before
        said = [n.message for n in app._notifications]
        assert any(m.startswith("fix the front matter first:") for m in said), said


async def test_escape_cancels_and_changes_nothing(tui_services: Services) -> None:
    path = example(tui_services)
    before = path.read_text(encoding="utf-8")
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        await type_into(pilot, form, "title", "Something else")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)
        assert editor_text(app) == before
        # Saving unchanged fields writes nothing either (no key rewritten in its own way).
        await open_form(app, pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert editor_text(app) == before


def test_the_refusals_are_the_draft_checks_and_the_numbering_s() -> None:
    text = '+++\ntitle = "T"\n+++\nBody.\n'
    assert settings_refusal(text, {"title": "New"}) is None
    assert settings_refusal(text, {"replies": "friends"}) == (
        "replies must be one of everyone, mentioned, following, nobody, not 'friends'"
    )
    assert settings_refusal(text, {"numbering": "{x}"}) == (
        "bad numbering format '{x}': unknown field {x}; use {i}, {n} and {text}, or one of: "
        "prefix, suffix, paren, thread, thread-suffix, none, update"
    )


@pytest.mark.parametrize("size", SIZES)
async def test_the_form_opens_and_closes_by_its_key(
    tui_services: Services, size: tuple[int, int]
) -> None:
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=size) as pilot:
        form = await open_form(app, pilot)
        # Save and Cancel in view without scrolling.
        for button in ("#save", "#cancel"):
            region = form.query_one(button).region
            assert region.bottom <= size[1] and region.right <= size[0], button
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)


def test_snapshot_of_the_form_at_80x24(tui_services: Services, snap_compare: object) -> None:
    app = make_app(tui_services, example(tui_services))

    async def run_before(pilot: Pilot[None]) -> None:
        await open_form(app, pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)  # type: ignore[operator]
