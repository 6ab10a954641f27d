"""An error reaching the compose screen is shown as every screen shows one (`error_text`):
redacted, and with no terminal control in it even when the file it names has one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from composer.tui import Services, make_app
from tests.tui.conftest import compose_settled

pytestmark = pytest.mark.anyio

RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


async def test_a_broken_accounts_file_is_told_without_its_names_escapes(
    tui_services: Services, tmp_path: Path
) -> None:
    hostile = tmp_path / "accounts\x1b]0;pwned\x07.toml"
    hostile.write_text("colour = [\n", encoding="utf-8")
    tui_services.config_path = str(hostile)
    app = make_app(tui_services, tui_services.drafts_dir / "example.md")
    async with app.run_test(size=(80, 24)) as pilot:
        await compose_settled(pilot)
        messages = [str(n.message) for n in app._notifications]
    [told] = [m for m in messages if "invalid TOML" in m]
    assert "\\u001b]0;pwned\\u0007" in told and not RAW_CONTROL.search(told), ascii(told)
