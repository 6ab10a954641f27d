"""The shape every platform client shares (composer.platforms.base.HttpClient)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from composer.platforms.base import Hidden
from composer.platforms.bluesky import BlueskyClient
from composer.platforms.mastodon import MastodonClient
from composer.platforms.threads import ThreadsClient
from composer.platforms.x import XClient
from composer.workspace.config import parse_config

ACCOUNTS = """
[accounts.x]
platform = "x"
handle = "@ank"
base_url = "http://127.0.0.1:9"
consumer_key_env = "A"
consumer_secret_env = "B"
access_token_env = "C"
access_token_secret_env = "D"

[accounts.masto]
platform = "mastodon"
instance = "http://127.0.0.1:9"
access_token_env = "A"

[accounts.bsky]
platform = "bluesky"
service = "http://127.0.0.1:9"
handle = "ank.test"
app_password_env = "A"

[accounts.threads]
platform = "threads"
user_id = "17841400000000000"
base_url = "http://127.0.0.1:9"
access_token_env = "A"
"""
CLIENTS = {"x": XClient, "masto": MastodonClient, "bsky": BlueskyClient, "threads": ThreadsClient}


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_a_borrowed_http_client_stays_open_and_an_owned_one_is_closed(name: str) -> None:
    account = parse_config(ACCOUNTS).account(name)

    async def run() -> tuple[bool, bool]:
        shared = httpx.AsyncClient()
        async with CLIENTS[name](account, http=shared):  # type: ignore[arg-type]
            pass
        owned = CLIENTS[name](account)  # type: ignore[arg-type]
        await owned.aclose()
        borrowed_open = not shared.is_closed
        await shared.aclose()
        return borrowed_open, owned._http.is_closed

    assert asyncio.run(run()) == (True, True)


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_the_repr_names_the_client_and_its_endpoint(name: str) -> None:
    client = CLIENTS[name](parse_config(ACCOUNTS).account(name))  # type: ignore[arg-type]
    shown = repr(client)
    assert shown.startswith(f"{CLIENTS[name].__name__}(") and "127.0.0.1:9" in shown
    assert str(client) == shown
    asyncio.run(client.aclose())


def test_a_hidden_secret_shows_as_hidden() -> None:
    secret = Hidden("s3cr3t-token")
    assert "s3cr3t" not in repr(secret) + str(secret) + f"{secret}"
    assert secret.value == "s3cr3t-token"
