"""The editor underlines misspelled words (composer/tui/spell_editor.py), in the draft's
language, never a hashtag or a mention; without a dictionary its title says spelling is off."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from composer.tui import Services, make_app
from composer.tui.app import ComposerApp
from composer.tui.spell_editor import SpellEditor
from composer.workspace import spelling
from composer.workspace.drafts import update_front_matter
from composer.workspace.spelling import SpellChecker, no_dictionary
from tests.dictionaries import dictionary
from tests.tui.conftest import compose_settled
from tests.tui.test_compose import SIZES, wait_until

pytestmark = pytest.mark.anyio
LINE = "Observers from @thier and #Thier saw thier reports at thier.org.\n"


class OnlyThierIsWrong:
    """A dictionary (enchant.Dict's `check`) that knows every word but one."""

    def check(self, word: str) -> bool:
        return word.casefold() != "thier"


def draft_with_line(services: Services, language: str | None = None) -> Path:
    path = services.drafts_dir / "example.md"
    text = path.read_text(encoding="utf-8") + "\n" + LINE
    if language is not None:
        text = update_front_matter(text, {"language": language})
    path.write_text(text, encoding="utf-8")
    services.spelling = True  # the fixture turns it off for the other tests
    return path


def spell_editor(app: ComposerApp) -> SpellEditor:
    return app.screen.query_one("#editor", SpellEditor)


async def spelling_settled(pilot: Pilot[object], area: SpellEditor) -> None:
    await compose_settled(pilot)
    await wait_until(pilot, lambda: area.spelling_checked == area.text)
    await pilot.pause()


def underlined(area: SpellEditor) -> list[str]:
    """The stretches of text drawn underlined, as the editor renders its lines."""
    return [
        segment.text
        for y in range(area.scrollable_content_region.height)
        for segment in area.render_line(y)
        if segment.style is not None and segment.style.underline
    ]


@pytest.mark.parametrize("size", SIZES)
async def test_a_misspelled_word_is_underlined_and_tags_and_mentions_are_not(
    tui_services: Services, size: tuple[int, int]
) -> None:
    dictionary("en")  # the system's English dictionary (CI installs it)
    app = make_app(tui_services, draft_with_line(tui_services))
    async with app.run_test(size=size) as pilot:
        area = spell_editor(app)
        area.move_cursor(area.document.end)  # the last lines in view
        await spelling_settled(pilot, area)
        shown = underlined(area)
        assert "thier" in shown
        assert not [text for text in shown if "Thier" in text or "@" in text or "." in text]
        row = area.text.splitlines().index(LINE.rstrip("\n"))
        column = LINE.index(" thier ") + 1
        assert area.marks[LINE.rstrip("\n")] == ((column, column + 5),)
        assert area.get_line(row).get_style_at_offset(app.console, column).underline
        assert not area.get_line(row).get_style_at_offset(app.console, LINE.index("#")).underline
        assert area.border_title is None  # spelling is on: nothing said


async def test_without_a_dictionary_the_title_says_spelling_is_off(
    tui_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once for the draft's language, not as an error; marks come back with a dictionary."""
    monkeypatch.setattr(spelling, "_checkers", {"kk": no_dictionary("kk")})
    spelling._checkers["en"] = SpellChecker("en", "en_US", OnlyThierIsWrong())
    app = make_app(tui_services, draft_with_line(tui_services, language="kk"))
    async with app.run_test(size=(80, 24)) as pilot:
        area = spell_editor(app)
        await spelling_settled(pilot, area)
        assert str(area.border_title) == "spelling off: no Kazakh dictionary (install hunspell-kk)"
        assert area.marks == {}
        assert not [n for n in app._notifications if n.severity == "error"]
        await pilot.press("f1")  # and one line in the help
        help_text = "\n".join(str(s.render()) for s in app.screen.query(Static))
        assert "spelling off: no Kazakh dictionary (install hunspell-kk)" in help_text
        await pilot.press("escape")

        area.replace('"en"', (11, 11), (11, 15))  # language = "kk" -> "en"
        assert 'language = "en"' in area.text
        await spelling_settled(pilot, area)
        assert area.border_title is None
        assert list(area.marks.values()) == [
            ((LINE.index(" thier ") + 1, LINE.index(" thier ") + 6),)
        ]


def test_spelling_snapshot(
    snap_compare, tui_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The underline at 80x24, with a dictionary that knows every word but "thier"."""
    monkeypatch.setattr(spelling, "_checkers", {})
    spelling._checkers["en"] = SpellChecker("en", "en_US", OnlyThierIsWrong())
    path = draft_with_line(tui_services)

    async def at_the_end(pilot: Pilot[object]) -> None:
        area = pilot.app.screen.query_one("#editor", SpellEditor)
        area.move_cursor(area.document.end)
        await spelling_settled(pilot, area)
        # The preview's place is not what this snapshot is about: the same every run.
        pilot.app.screen.query_one("#cards-scroll").scroll_end(animate=False)
        await pilot.pause()

    assert snap_compare(make_app(tui_services, path), terminal_size=(80, 24), run_before=at_the_end)
