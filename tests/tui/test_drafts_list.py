"""The drafts list: each draft by its title on one line, and ⚠ only while the draft
cannot be read, following the editor rather than the listing."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from composer.tui import Services, make_app
from tests.tui.conftest import compose_settled
from tests.tui.test_compose import editor, example, wait_until

pytestmark = pytest.mark.anyio


def listed(app: object) -> dict[str, str]:
    drafts = app.screen.query_one("#drafts", OptionList)  # type: ignore[attr-defined]
    return {
        str(drafts.get_option_at_index(i).id): str(drafts.get_option_at_index(i).prompt)
        for i in range(drafts.option_count)
    }


async def test_titles_not_file_names_and_no_stale_error_badge(tui_services: Services) -> None:
    path = example(tui_services)
    broken = tui_services.drafts_dir / "broken.md"
    broken.write_text('+++\ntitle = "Статус наблюдателей"\nlanguage = \n+++\nText.\n')
    app = make_app(tui_services, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        shown = listed(app)
        title = path.read_text(encoding="utf-8").split('title = "')[1].split('"')[0]
        assert shown[str(path)] == title  # the whole title: the list cuts it, not wraps it
        assert shown[str(broken)] == "⚠ broken"  # unreadable: its file name
        drafts = app.screen.query_one("#drafts", OptionList)
        assert drafts.virtual_size.height == drafts.option_count  # one line each, cut not wrapped

        app.screen.switch_to(broken)  # type: ignore[attr-defined]
        await compose_settled(pilot)
        await wait_until(pilot, lambda: listed(app)[str(broken)] == "⚠ broken")
        area = editor(app)
        area.text = area.text.replace("language = \n", 'language = "kk"\n')
        await wait_until(pilot, lambda: listed(app)[str(broken)] == "Статус наблюдателей")
        area.text = area.text.replace('language = "kk"\n', "language = \n")
        await wait_until(pilot, lambda: listed(app)[str(broken)].startswith("⚠ "))
