"""`notify test` from the command palette: every configured target gets the test message
(off the UI thread) and the screen names each target masked, never its token."""

from __future__ import annotations

import asyncio

import pytest

from composer.tui import Services, make_app
from tests.notify.webhook import HOOK_TOKEN, Webhook
from tests.tui.conftest import compose_settled


async def run_from_palette(services: Services) -> list[str]:
    app = make_app(services, services.drafts_dir / "example.md")
    async with app.run_test(size=(100, 30)) as pilot:
        await compose_settled(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"send a test notification")
        await pilot.pause(0.3)
        await pilot.press("enter")
        for _ in range(300):
            await pilot.pause(0.05)
            if any(n.title == "Test notification" for n in app._notifications):
                break
        return [f"{n.title}|{n.message}" for n in app._notifications]


def with_notify(services: Services) -> None:
    assert services.config_path is not None
    with open(services.config_path, "a", encoding="utf-8") as file:
        file.write('\n[notify]\nurls_env = "HOOKS"\n')


def test_the_palette_sends_a_test_notification_to_every_target(
    tui_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_notify(tui_services)
    with Webhook().running() as good:
        refused = f"json://127.0.0.1:1/{HOOK_TOKEN}x"  # nothing listens on port 1
        monkeypatch.setenv("HOOKS", f"{good.url} {refused}")
        shown = asyncio.run(run_from_palette(tui_services))
        good.wait_for(1)
        assert len(good.bodies) == 1 and "test" in good.bodies[0]["title"].lower()
    (result,) = [line for line in shown if line.startswith("Test notification|")]
    port = good.server.server_port
    assert f"ok: json://127.0.0.1:{port}/***" in result
    assert "FAILED: json://127.0.0.1:1/***" in result
    assert HOOK_TOKEN not in "\n".join(shown)


def test_the_palette_says_when_nothing_is_configured(tui_services: Services) -> None:
    shown = asyncio.run(run_from_palette(tui_services))
    assert any("no [notify] table with urls" in line for line in shown), shown
