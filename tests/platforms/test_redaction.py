"""Whatever a platform echoes back, no error leaving a client holds a secret or a megabyte.

A misbehaving server (or a proxy in front of it) may quote the request: the token in the
text, the Authorization header, the refresh form. The clients run against an httpx
MockTransport that answers with such an echo.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from composer.platforms.base import PlatformError, Refused
from composer.platforms.mastodon import MastodonClient
from composer.platforms.x import XClient
from composer.redaction import MAX_REASON_CHARS, REDACTED, forget_secrets
from composer.workspace.config import Account, Secret, SecretSource

SHORT_TOKEN = "k3Y9"  # short: no pattern could recognise it, only its registration
JUNK = "junk " * 200_000  # a 1 MB error page


@pytest.fixture(autouse=True)
def empty_registry() -> Iterator[None]:
    forget_secrets()
    yield
    forget_secrets()


def inline(key: str, value: str) -> SecretSource:
    return SecretSource(key, "inline", "", 1, Secret(value))


def echo(status: int, payload: dict[str, Any]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        quoted = {**payload, "request": dict(request.headers), "body": request.content.decode()}
        return httpx.Response(status, content=json.dumps(quoted).encode())

    return httpx.MockTransport(handler)


def shown(error: PlatformError) -> str:
    return f"{error} {error.reason} {error.args}"


def test_a_revoked_token_quoted_by_mastodon_is_redacted_and_cut() -> None:
    account = Account(
        name="m",
        platform="mastodon",
        instance="https://mastodon.example",
        secret_sources={"access_token": inline("access_token", SHORT_TOKEN)},
    )
    words = f"The access token {SHORT_TOKEN} was revoked. Authorization: Bearer {SHORT_TOKEN} "

    async def main() -> None:
        transport = echo(401, {"error": words + JUNK})
        async with httpx.AsyncClient(transport=transport) as http:
            await MastodonClient(account, http=http).verify()

    with pytest.raises(Refused) as caught:
        asyncio.run(main())
    error = caught.value
    assert SHORT_TOKEN not in shown(error)
    assert "The access token" in (error.reason or "") and REDACTED in (error.reason or "")
    assert len(error.reason or "") <= MAX_REASON_CHARS
    assert len(str(error)) <= 2 * MAX_REASON_CHARS


def test_a_failed_x_refresh_echoing_the_form_and_basic_credentials_is_redacted() -> None:
    refresh, client_secret, access = "r3fr", "cl-S3cr", "acc3ss-t0ken"
    account = Account(
        name="x",
        platform="x",
        client_id="the-client",
        secret_sources={
            "oauth2_access_token": inline("oauth2_access_token", access),
            "oauth2_refresh_token": inline("oauth2_refresh_token", refresh),
            "client_secret": inline("client_secret", client_secret),
        },
    )
    basic = base64.b64encode(f"the-client:{client_secret}".encode()).decode()
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("/oauth2/token"):
            said = f"bad refresh_token={refresh} for Basic {basic} " + request.content.decode()
            return httpx.Response(400, json={"error_description": said, "raw": basic})
        return httpx.Response(401, json={"title": "Unauthorized", "detail": "expired"})

    async def main() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            await XClient(account, http=http).verify()

    with pytest.raises(Refused) as caught:
        asyncio.run(main())
    assert any(path.endswith("/oauth2/token") for path in calls)
    text = shown(caught.value)
    for secret in (refresh, client_secret, basic, access):
        assert secret not in text, secret
