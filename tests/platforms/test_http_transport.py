"""Where the platforms' HTTP requests may go: never through a proxy to a loopback account,
never over plain http to anyone else."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from composer.platforms.base import Refused
from composer.platforms.mastodon import MastodonClient
from composer.workspace.config import Account, Secret, SecretSource
from tests.fakes.mastodon import FakeMastodon

TOKEN = "tok-proxy-7f3a9c"


class Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def _answer(self) -> None:
        Recorder.seen.append(f"{self.command} {self.path} {self.headers.get('authorization')}")
        self.send_response(502)
        self.send_header("content-length", "0")
        self.end_headers()

    do_GET = do_POST = do_CONNECT = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[str]:
    Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def account(url: str) -> Account:
    source = SecretSource("access_token", "inline", "", 1, Secret(TOKEN))
    return Account(
        name="m", platform="mastodon", instance=url, secret_sources={"access_token": source}
    )


async def verify(url: str) -> str:
    async with MastodonClient(account(url)) as client:
        return (await client.verify()).handle


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_a_loopback_account_is_never_proxied(
    proxy: str, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv(variable, proxy)
    fake = FakeMastodon(token=TOKEN)
    with fake.running():
        for url in (fake.url, fake.url.replace("127.0.0.1", "localhost")):
            assert asyncio.run(verify(url))
    assert Recorder.seen == []  # the token never reached the proxy


def test_plain_http_to_another_host_is_refused_before_any_request(
    proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy)  # would otherwise carry it, so nothing resolves
    with pytest.raises(Refused, match="over plain http"):
        asyncio.run(verify("http://mastodon.example"))
    assert Recorder.seen == []
