"""The accounts screen: secrets present or missing (never shown), Verify against a loopback
Mastodon (the instance's limit, the platform's error escaped), the bundled example's notice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from composer.tui.accounts import AccountsScreen
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Request, Response
from tests.fakes.x import FakeX
from tests.tui.data_fixtures import TOKEN, TOKEN_ENV, ScreenApp, accounts_file, services

ROOT = Path(__file__).resolve().parent.parent.parent
SIZES = [(80, 24), (120, 40)]
X_ENV = "TUI_TEST_X_MISSING"
X_ACCOUNT = f"""
[accounts.ank-x]
platform = "x"
handle = "@ankreports"
base_url = "http://127.0.0.1:9"
consumer_key_env = "{X_ENV}_CK"
consumer_secret_env = "{X_ENV}_CS"
access_token_env = "{X_ENV}_AT"
access_token_secret_env = "{X_ENV}_ATS"
"""


class HostileMastodon(FakeMastodon):
    """Refuses the token with an error text full of markup and terminal escapes."""

    def verify(self, request: Request) -> Response:
        return Response(401, {"error": "[bold]revoked[/bold] \x1b[31mtoken"})


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    mastodon = FakeMastodon(token=TOKEN, max_characters=640)
    with mastodon.running():
        yield mastodon


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    for suffix in ("CK", "CS", "AT", "ATS"):
        monkeypatch.delenv(f"{X_ENV}_{suffix}", raising=False)


def rows(app: ScreenApp) -> dict[str, list[str]]:
    table = app.screen.query_one("#accounts-table", DataTable)
    return {str(key.value): [str(value) for value in table.get_row(key)] for key in table.rows}


def text(app: ScreenApp, widget_id: str) -> str:
    return str(app.screen.query_one(f"#{widget_id}", Static).render())


async def settled(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_secrets_present_or_missing_never_shown(tmp_path: Path, fake: FakeMastodon) -> None:
    svc = services(tmp_path, accounts_file(tmp_path, fake.url, X_ACCOUNT))

    async def scenario() -> None:
        app = ScreenApp(svc, AccountsScreen)
        async with app.run_test(size=(120, 40)) as pilot:
            await settled(pilot)
            shown = rows(app)
            assert shown["masto"][:4] == ["masto", "mastodon", "-", "present"]
            assert shown["ank-x"][:4] == ["ank-x", "x", "@ankreports", "missing"]
            await pilot.press("down")
            await pilot.pause()
            detail = text(app, "accounts-detail")
            assert f"environment variable {X_ENV}_CK is not set" in detail
            assert "Traceback" not in detail
            assert TOKEN not in detail and TOKEN not in str(rows(app))

    asyncio.run(scenario())


def test_verify_shows_the_handle_and_the_instances_limit(
    tmp_path: Path, fake: FakeMastodon
) -> None:
    svc = services(tmp_path, accounts_file(tmp_path, fake.url))

    async def scenario() -> None:
        app = ScreenApp(svc, AccountsScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            await pilot.press("v")
            await settled(pilot)
            masto = rows(app)["masto"]
            assert masto[4] == "✓ @monitor@fake.social"
            assert masto[5] == "640" and masto[6] == "-"

    asyncio.run(scenario())
    assert any(r.path == "/api/v1/accounts/verify_credentials" for r in fake.requests)


def test_verify_with_a_missing_secret_says_so_without_a_request(
    tmp_path: Path, fake: FakeMastodon
) -> None:
    svc = services(tmp_path, accounts_file(tmp_path, fake.url, X_ACCOUNT))

    async def scenario() -> None:
        app = ScreenApp(svc, AccountsScreen)
        async with app.run_test(size=(120, 40)) as pilot:
            await settled(pilot)
            await pilot.press("down", "v")
            await settled(pilot)
            assert rows(app)["ank-x"][4].startswith("✗ ")
            assert "verify: " in text(app, "accounts-detail")
            assert f"{X_ENV}_CK is not set" in text(app, "accounts-detail")

    asyncio.run(scenario())


def test_verify_on_x_shows_the_quota_from_the_accounts_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = {suffix: f"x-{suffix.lower()}-value" for suffix in ("CK", "CS", "AT", "ATS")}
    for suffix, value in keys.items():
        monkeypatch.setenv(f"{X_ENV}_{suffix}", value)
    x = FakeX(
        consumer_key=keys["CK"],
        consumer_secret=keys["CS"],
        access_token=keys["AT"],
        access_token_secret=keys["ATS"],
    )
    with x.running():
        account = X_ACCOUNT.replace("http://127.0.0.1:9", x.url) + "daily_post_quota = 17\n"
        svc = services(tmp_path, accounts_file(tmp_path, "http://127.0.0.1:9", account))

        async def scenario() -> None:
            app = ScreenApp(svc, AccountsScreen)
            async with app.run_test(size=(120, 40)) as pilot:
                await settled(pilot)
                await pilot.press("down", "v")
                await settled(pilot)
                x_row = rows(app)["ank-x"]
                assert x_row[3:] == ["present", "✓ @ankreports", "-", "?/17 a day"]
                assert all(value not in str(rows(app)) for value in keys.values())

        asyncio.run(scenario())


def test_the_platforms_error_is_shown_escaped(tmp_path: Path) -> None:
    hostile = HostileMastodon(token=TOKEN)
    with hostile.running():
        svc = services(tmp_path, accounts_file(tmp_path, hostile.url))

        async def scenario() -> None:
            app = ScreenApp(svc, AccountsScreen)
            async with app.run_test(size=(120, 40)) as pilot:
                await settled(pilot)
                await pilot.press("v")
                await settled(pilot)
                detail = text(app, "accounts-detail")
                assert "[bold]revoked[/bold] \\u001b[31mtoken" in detail
                assert "\x1b" not in detail
                assert rows(app)["masto"][4].startswith("✗ ") and "\x1b" not in str(rows(app))

        asyncio.run(scenario())


def test_the_bundled_example_is_named_as_such(tmp_path: Path) -> None:
    example = (ROOT / "accounts.example.toml").read_text(encoding="utf-8")
    (tmp_path / "accounts.example.toml").write_text(example, encoding="utf-8")
    svc = services(tmp_path)

    async def scenario() -> None:
        app = ScreenApp(svc, AccountsScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            assert "no accounts.toml" in text(app, "accounts-notice")
            assert "ank-x" in rows(app)

    asyncio.run(scenario())


def test_no_accounts_file_at_all(tmp_path: Path) -> None:
    async def scenario() -> None:
        app = ScreenApp(services(tmp_path), AccountsScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            assert "No accounts.toml" in text(app, "accounts-notice")
            assert rows(app) == {}

    asyncio.run(scenario())


@pytest.mark.parametrize("size", SIZES)
def test_snapshot(
    tmp_path: Path, size: tuple[int, int], snap_compare: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No request is made; the file is named relative to the working folder, as a user gives it.
    accounts_file(tmp_path, "http://127.0.0.1:9", X_ACCOUNT)
    monkeypatch.chdir(tmp_path)
    svc = services(tmp_path, Path("accounts.toml"))

    async def missing_one_selected(pilot: Pilot[Any]) -> None:
        await settled(pilot)
        await pilot.press("down")

    app = ScreenApp(svc, AccountsScreen)
    assert snap_compare(app, terminal_size=size, run_before=missing_one_selected)


def test_an_unexpected_client_error_is_an_account_error_not_a_crash(
    tmp_path: Path, fake: FakeMastodon, monkeypatch: pytest.MonkeyPatch
) -> None:
    from composer.platforms.mastodon import MastodonClient

    async def odd_header(self: MastodonClient) -> None:
        all_headers = {"Authorization": f"Bearer {TOKEN}"}  # noqa: F841 - a local, as in #10
        raise ValueError(f"could not parse x-ratelimit-reset for {TOKEN}")

    monkeypatch.setattr(MastodonClient, "verify", odd_header)
    svc = services(tmp_path, accounts_file(tmp_path, fake.url))

    async def scenario() -> None:
        app = ScreenApp(svc, AccountsScreen)
        async with app.run_test(size=(120, 40)) as pilot:
            await settled(pilot)
            await pilot.press("v")
            await settled(pilot)
            assert app.is_running and app.return_code is None
            assert rows(app)["masto"][4].startswith("✗ ValueError: could not parse")
            detail = text(app, "accounts-detail")
            assert "verify: ValueError: could not parse x-ratelimit-reset" in detail
            assert TOKEN not in detail and TOKEN not in str(rows(app))

    asyncio.run(scenario())


def test_verifying_an_x_oauth2_account_twice_keeps_the_rotated_refresh_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """X rotates the refresh token on every refresh and refuses the old one: a Verify that
    refreshes must keep the new one (the stored session, as publishing does), or the next
    Verify, or the next publish, finds the account locked out."""
    monkeypatch.setenv(f"{X_ENV}_O2A", "o2-access-first")
    monkeypatch.setenv(f"{X_ENV}_O2R", "o2-refresh-first")
    monkeypatch.setenv(f"{X_ENV}_O2S", "o2-client-secret")
    x = FakeX(
        oauth2_access_token="o2-access-first",
        oauth2_refresh_token="o2-refresh-first",
        client_id="client-abc",
        client_secret="o2-client-secret",
    )
    with x.running():
        account = f"""
[accounts.ank-x2]
platform = "x"
handle = "@ankreports"
base_url = "{x.url}"
client_id = "client-abc"
oauth2_access_token_env = "{X_ENV}_O2A"
oauth2_refresh_token_env = "{X_ENV}_O2R"
client_secret_env = "{X_ENV}_O2S"
"""
        svc = services(tmp_path, accounts_file(tmp_path, "http://127.0.0.1:9", account))

        async def scenario() -> None:
            app = ScreenApp(svc, AccountsScreen)
            async with app.run_test(size=(120, 40)) as pilot:
                await settled(pilot)
                x.expire_access_token()
                await pilot.press("down", "v")
                await settled(pilot)
                assert rows(app)["ank-x2"][4] == "✓ @ankreports"
                x.expire_access_token()
                await pilot.press("v")
                await settled(pilot)
                assert rows(app)["ank-x2"][4] == "✓ @ankreports", text(app, "accounts-detail")

        asyncio.run(scenario())
    assert x.refreshes == 2


def test_configured_notifications_are_named_never_their_urls(tmp_path: Path) -> None:
    extra = (
        '\n[notify]\nurls_env = "HOOKS"\n'
        '\n[accounts.masto.notify]\nevents = ["failed", "published"]\n'
    )
    accounts_file(tmp_path, "https://example.org", extra)

    async def scenario() -> None:
        app = ScreenApp(services(tmp_path), AccountsScreen)
        async with app.run_test(size=(120, 24)) as pilot:
            await settled(pilot)
            notice = text(app, "accounts-notice")
            assert "notifications on failed, missed, stopped, retrying" in notice
            assert "urls_env" in notice
            detail = text(app, "accounts-detail")
            assert "notifications on failed, published (URLs of [notify])" in detail

    asyncio.run(scenario())
