"""A request that never left this machine (httpx's NOT_SENT errors: a bad header, a proxy that
refused it, an unsupported scheme) is Unavailable on every platform: safe to send again. Only a
write that may have arrived is Unclear (the publisher then looks for the post first)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from composer.platforms.base import PlatformError, PostRequest, Unavailable, Unclear
from composer.platforms.clients import make_client
from tests.platforms.test_rate_limit_headers import ACCOUNTS

SESSION = {"accessJwt": "a", "refreshJwt": "r", "did": "did:plc:alice", "handle": "alice.test"}


def failing(error: httpx.TransportError) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("createSession"):  # Bluesky logs in first
            return httpx.Response(200, json=SESSION)
        raise error

    return httpx.MockTransport(handler)


def post_error(platform: str, error: httpx.TransportError) -> PlatformError | None:
    async def scenario() -> PlatformError | None:
        http = httpx.AsyncClient(transport=failing(error))
        client = make_client(ACCOUNTS[platform], http=http)
        try:
            await client.create_post(PostRequest("Hello.", 1, "edition-1:part-1"))
        except PlatformError as raised:
            return raised
        finally:
            await client.aclose()
            await http.aclose()
        return None

    return asyncio.run(scenario())


@pytest.mark.parametrize("platform", ["x", "mastodon", "threads", "bluesky"])
@pytest.mark.parametrize(
    "error",
    [
        httpx.LocalProtocolError("header value is not valid"),
        httpx.ProxyError("the proxy refused the request"),
        httpx.UnsupportedProtocol("no such scheme"),
    ],
    ids=type,
)
def test_a_request_that_was_never_sent_is_unavailable(
    platform: str, error: httpx.TransportError
) -> None:
    raised = post_error(platform, error)
    assert isinstance(raised, Unavailable) and not isinstance(raised, Unclear), raised


@pytest.mark.parametrize("platform", ["x", "mastodon", "threads", "bluesky"])
def test_a_write_with_no_answer_is_unclear(platform: str) -> None:
    raised = post_error(platform, httpx.ReadTimeout("no answer"))
    assert isinstance(raised, Unclear), raised
