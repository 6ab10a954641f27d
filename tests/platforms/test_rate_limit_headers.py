"""Rate-limit and Retry-After headers, whatever a platform or a proxy writes in them: a finite
wait in [0, MAX_WAIT], or None (the publisher's own backoff), never a traceback."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from composer.platforms.base import (
    MAX_WAIT,
    PlatformError,
    PostRequest,
    RateLimited,
    header_count,
    reset_after,
    retry_after,
)
from composer.platforms.clients import make_client
from composer.workspace.config import Account, Secret, SecretSource

NOW = 1_700_000_000.0
ODD_VALUES = [
    "99999999999999999999",
    "1" + "0" * 400,  # float("1e400") is inf
    "²",
    "٣",  # an Arabic-Indic three: float() reads it, a header parser must not
    "nan",
    "NaN",
    "inf",
    "-inf",
    "-5",
    "1e9",
    "1_000",
    "0x10",
    "",
    "   ",
    "Wed, 21 Oct 2015 07:28:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Fri, 31 Dec 99999 23:59:59 GMT",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "nonsense, 99 Foo 2020",
]


def sane(wait: float | None) -> bool:
    return wait is None or (not math.isnan(wait) and 0.0 <= wait <= MAX_WAIT)


@pytest.mark.parametrize("value", ODD_VALUES)
def test_odd_values_give_a_bounded_wait_or_none(value: str) -> None:
    assert sane(retry_after(value, NOW))
    assert sane(reset_after(value, NOW))
    count = header_count(value)
    assert count is None or 0 <= count <= 10**9


def test_what_the_headers_mean() -> None:
    assert retry_after("120", NOW) == 120.0
    assert retry_after(" 1.5 ", NOW) == 1.5
    assert retry_after("99999999999999999999", NOW) == MAX_WAIT  # huge: clamped, not dropped
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", NOW) == 0.0  # a date in the past
    in_a_minute = "Tue, 14 Nov 2023 22:14:20 GMT"  # NOW + 60 s
    assert retry_after(in_a_minute, NOW) == 60.0
    for unreadable in ("nan", "inf", "-5", "²", "٣", "1e9", "", None):
        assert retry_after(unreadable, NOW) is None, unreadable
    assert reset_after(str(int(NOW) + 90), NOW) == 90.0  # a Unix time (X, Bluesky)
    assert reset_after("30", NOW) == 30.0  # seconds to go
    assert reset_after("2023-11-14T22:15:20.000000Z", NOW) == 120.0  # Mastodon's ISO 8601
    assert reset_after("99999999999999999999", NOW) == MAX_WAIT
    assert reset_after(str(int(NOW) - 90), NOW) == 0.0
    assert header_count("300") == 300 and header_count("²") is None
    assert header_count("99999999999999999999") == 10**9


def test_an_error_never_holds_an_unbounded_wait() -> None:
    assert PlatformError("x", retry_after=math.nan).retry_after is None
    assert PlatformError("x", retry_after=math.inf).retry_after == MAX_WAIT
    assert PlatformError("x", retry_after=-3.0).retry_after == 0.0


# --- through each platform's client ----------------------------------------------------------
def inline(key: str) -> SecretSource:
    return SecretSource(key, "inline", "", 1, Secret(f"{key}-value"))


ACCOUNTS = {
    "mastodon": Account(
        name="m",
        platform="mastodon",
        instance="https://mastodon.test",
        secret_sources={"access_token": inline("access_token")},
    ),
    "x": Account(
        name="x",
        platform="x",
        secret_sources={
            key: inline(key)
            for key in ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
        },
    ),
    "threads": Account(
        name="t",
        platform="threads",
        user_id="1234",
        secret_sources={"access_token": inline("access_token")},
    ),
    "bluesky": Account(
        name="b",
        platform="bluesky",
        handle="alice.test",
        service="https://pds.test",
        secret_sources={"app_password": inline("app_password")},
    ),
}
HEADERS = {
    "mastodon": ("Retry-After", "X-RateLimit-Reset"),
    "x": ("retry-after", "x-rate-limit-reset"),
    "threads": ("retry-after",),
    "bluesky": ("Retry-After", "RateLimit-Reset"),
}
CASES = [
    (platform, header, value)
    for platform, headers in HEADERS.items()
    for header in headers
    for value in ODD_VALUES
]


def too_many(header: str, value: str) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {
            header: value,
            # Rate-limit counters beside it, as odd (Mastodon and X read them on every answer).
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "²",
            "x-rate-limit-limit": "99999999999999999999",
            "x-rate-limit-remaining": "0",
            "x-user-limit-24hour-remaining": "0",
            "x-user-limit-24hour-reset": value,
        }
        body = {"error": "Too many requests", "message": "slow down"}
        raw = [(name.encode(), text.encode()) for name, text in headers.items()]  # as sent: UTF-8
        return httpx.Response(429, json=body, headers=raw)

    return handler


@pytest.mark.parametrize(("platform", "header", "value"), CASES)
def test_a_429_with_odd_headers_is_rate_limited_with_a_bounded_wait(
    platform: str, header: str, value: str
) -> None:
    async def scenario() -> Any:
        http = httpx.AsyncClient(transport=httpx.MockTransport(too_many(header, value)))
        client = make_client(ACCOUNTS[platform], http=http)
        try:
            await client.create_post(PostRequest("Hello.", 1, "edition-1:part-1"))
        except PlatformError as error:
            return error
        finally:
            await client.aclose()
            await http.aclose()
        return None

    error = asyncio.run(scenario())
    assert isinstance(error, RateLimited), error
    assert sane(error.retry_after), error.retry_after
