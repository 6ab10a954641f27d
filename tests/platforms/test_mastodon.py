"""MastodonClient against a loopback Mastodon (tests/fakes/mastodon.py).

Async code runs through `asyncio.run` inside plain tests (no pytest async plugin here).
"""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest

from composer.platforms.base import (
    PlatformError,
    PostRequest,
    PublishedPost,
    RateLimited,
    Refused,
    ReplyTargetMissing,
    Unavailable,
    Unclear,
)
from composer.platforms.mastodon import MastodonClient
from composer.text.options import PostOptions
from composer.workspace.config import Account, Secret, SecretSource
from tests.fakes.mastodon import REPLY_NOT_FOUND, FakeMastodon
from tests.fakes.server import Fault

TOKEN = "tok-SEKRIT-7f3a9c-do-not-leak"
STATUSES = "/api/v1/statuses"
T = TypeVar("T")


def make_account(url: str, token: str = TOKEN, **settings: Any) -> Account:
    source = SecretSource("access_token", "inline", "", 1, Secret(token))
    return Account(
        name="masto",
        platform="mastodon",
        instance=url,
        secret_sources={"access_token": source},
        **settings,
    )


def with_client(
    url: str,
    body: Callable[[MastodonClient], Awaitable[T]],
    *,
    token: str = TOKEN,
    timeout: float = 5.0,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    **settings: Any,
) -> T:
    """Run `body(client)` on a fresh event loop, closing the client afterwards."""

    async def main() -> T:
        account = make_account(url, token, **settings)
        client = MastodonClient(account, timeout=timeout, clock=lambda: clock().timestamp())
        try:
            return await body(client)
        finally:
            await client.aclose()

    return asyncio.run(main())


def post(
    text: str, index: int = 1, reply_to: PublishedPost | None = None, **kw: Any
) -> PostRequest:
    return PostRequest(
        text=text, index=index, idempotency_key=f"edition-1:part-{index}", reply_to=reply_to, **kw
    )


@pytest.fixture(scope="module")
def server() -> Iterator[FakeMastodon]:
    # One server for the module: stopping one takes up to half a second.
    fake = FakeMastodon(token=TOKEN)
    with fake.running():
        yield fake


@pytest.fixture
def fake(server: FakeMastodon) -> FakeMastodon:
    server.reset()
    return server


def closed_url() -> str:
    """A loopback address where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def post_keys(fake: FakeMastodon) -> list[str | None]:
    return [r.headers.get("idempotency-key") for r in fake.requests if r.method == "POST"]


# --- the happy path ---------------------------------------------------------------------
def test_a_ten_post_thread_is_a_reply_chain(fake: FakeMastodon) -> None:
    async def body(client: MastodonClient) -> list[PublishedPost]:
        published: list[PublishedPost] = []
        for i in range(1, 11):
            previous = published[-1] if published else None
            published.append(
                await client.create_post(post(f"Post {i}/10 of the report.", i, previous))
            )
        return published

    published = with_client(fake.url, body, reply_visibility="unlisted", language="kk")

    statuses = fake.thread()
    assert len(statuses) == 10
    assert [p.remote_id for p in published] == [s["id"] for s in statuses]
    assert statuses[0]["in_reply_to_id"] is None
    for previous, status in itertools.pairwise(statuses):
        assert status["in_reply_to_id"] == previous["id"]
    assert [s["visibility"] for s in statuses] == ["public"] + ["unlisted"] * 9
    assert {s["language"] for s in statuses} == {"kk"}
    assert published[0].url == statuses[0]["url"]
    assert len(set(post_keys(fake))) == 10


def test_the_request_language_beats_the_account_default(fake: FakeMastodon) -> None:
    request = post("Сайлау", options=PostOptions(language="ru"))
    with_client(fake.url, lambda c: c.create_post(request), language="en")
    assert fake.thread()[0]["language"] == "ru"


def test_verify_reports_the_instance_limit_and_handle(fake: FakeMastodon) -> None:
    fake.max_characters = 1000
    info = with_client(fake.url, lambda c: c.verify())
    limits = with_client(fake.url, lambda c: c.instance_limits())
    overridden = with_client(fake.url, lambda c: c.verify(), max_characters=640)
    assert info.max_characters == 1000
    assert info.handle == "@monitor@fake.social"
    assert limits == (1000, 23)
    assert overridden.max_characters == 640


def test_rate_limit_headers_are_exposed(fake: FakeMastodon) -> None:
    async def body(client: MastodonClient) -> Any:
        await client.verify()
        return client.last_rate_limit

    limit = with_client(fake.url, body)
    assert limit is not None
    assert limit.limit == 300
    assert limit.remaining is not None and 0 < limit.remaining < 300
    assert limit.reset is not None and limit.reset > datetime.now(UTC) - timedelta(seconds=1)


# --- idempotency ------------------------------------------------------------------------
def test_retries_carry_the_same_idempotency_key_and_do_not_duplicate(fake: FakeMastodon) -> None:
    request = post("One post, sent three times.")

    async def body(client: MastodonClient) -> list[str]:
        fake.inject("POST", STATUSES, Fault.SERVER_ERROR)
        with pytest.raises(Unclear):
            await client.create_post(request)
        first = await client.create_post(request)
        again = await client.create_post(request)  # a retry after the post went through
        return [first.remote_id, again.remote_id]

    ids = with_client(fake.url, body)
    assert ids[0] == ids[1]
    assert len(fake.statuses) == 1
    assert post_keys(fake) == ["edition-1:part-1"] * 3


def test_a_dropped_answer_is_replayed_not_duplicated(fake: FakeMastodon) -> None:
    request = post("Stored, but the answer was lost.")

    async def body(client: MastodonClient) -> PublishedPost:
        fake.inject("POST", STATUSES, Fault.DROP_AFTER)
        with pytest.raises(Unclear):
            await client.create_post(request)
        return await client.create_post(request)  # same key: Mastodon answers the original

    published = with_client(fake.url, body)
    assert list(fake.statuses) == [published.remote_id]


# --- unclear outcomes and find_post -----------------------------------------------------
def test_500_on_post_is_unclear_and_find_post_resolves_it(fake: FakeMastodon) -> None:
    request = post("After a 500.")

    async def body(client: MastodonClient) -> PublishedPost | None:
        fake.inject("POST", STATUSES, Fault.SERVER_ERROR)
        with pytest.raises(Unclear) as caught:
            await client.create_post(request)
        assert caught.value.status == 500
        return await client.find_post(request)

    found = with_client(fake.url, body)
    assert found is not None
    assert list(fake.statuses) == [found.remote_id]  # nothing was stored by the 500


def test_find_post_reads_back_a_post_whose_answer_was_dropped(fake: FakeMastodon) -> None:
    first = post("Head of the thread.")

    async def body(client: MastodonClient) -> tuple[PublishedPost, PublishedPost | None]:
        head = await client.create_post(first)
        second = post("Second post, answer dropped.", 2, head)
        fake.inject("POST", STATUSES, Fault.DROP_AFTER)
        with pytest.raises(Unclear):
            await client.create_post(second)
        return head, await client.find_post(second)

    head, found = with_client(fake.url, body)
    assert found is not None
    assert len(fake.statuses) == 2
    assert fake.statuses[found.remote_id]["in_reply_to_id"] == head.remote_id
    assert found.url == fake.statuses[found.remote_id]["url"]
    assert len(post_keys(fake)) == 2  # found by reading back: nothing re-sent


def test_a_stalled_post_is_unclear_and_find_post_resolves_it(fake: FakeMastodon) -> None:
    fake.STALL_SECONDS = 1.0
    request = post("The server never answered.")

    async def body(client: MastodonClient) -> PublishedPost | None:
        fake.inject("POST", STATUSES, Fault.STALL)
        with pytest.raises(Unclear):
            await client.create_post(request)
        return await client.find_post(request)

    found = with_client(fake.url, body, timeout=0.5)
    assert found is not None
    assert list(fake.statuses) == [found.remote_id]


def test_find_post_matches_the_text_not_just_the_parent(fake: FakeMastodon) -> None:
    async def setup(client: MastodonClient) -> PublishedPost:
        head = await client.create_post(post("Head."))
        await client.create_post(PostRequest("Someone else's reply.", 2, "other:2", head))
        return head

    head = with_client(fake.url, setup)
    ours = PostRequest("The reply we sent.", 2, "edition-1:part-2", head)
    assert with_client(fake.url, lambda c: c.find_post(ours)) is None
    assert len(fake.statuses) == 2
    assert len(post_keys(fake)) == 2


def test_find_post_without_a_known_attempt_only_reads(fake: FakeMastodon) -> None:
    # A restarted process cannot know whether Mastodon still remembers the key: no re-send.
    found = with_client(fake.url, lambda c: c.find_post(post("Never sent.")))
    assert found is None
    assert fake.statuses == {}
    assert post_keys(fake) == []


def test_find_post_after_a_restart_finds_the_post_by_reading_back(fake: FakeMastodon) -> None:
    request = post("Sent by the process that crashed.")
    sent = with_client(fake.url, lambda c: c.create_post(request))
    found = with_client(fake.url, lambda c: c.find_post(request))
    assert found == sent
    assert len(post_keys(fake)) == 1


def test_find_post_ignores_an_older_post_with_the_same_text(fake: FakeMastodon) -> None:
    text = "The same opening as last week's edition."
    now = datetime.now(UTC)
    fake.clock = lambda: now - timedelta(days=7)
    with_client(fake.url, lambda c: c.create_post(PostRequest(text, 1, "edition-0:part-1")))
    fake.clock = lambda: datetime.now(UTC)
    request = post(text)

    async def body(client: MastodonClient) -> PublishedPost | None:
        fake.inject("POST", STATUSES, Fault.STALL)
        fake.STALL_SECONDS = 1.0
        with pytest.raises(Unclear):
            await client.create_post(request)
        return await client.find_post(request)

    found = with_client(fake.url, body, timeout=0.5)
    assert found is not None
    assert len(fake.statuses) == 2
    assert fake.statuses[found.remote_id]["idempotency_key"] == "edition-1:part-1"


def test_find_post_does_not_resend_after_the_replay_window(fake: FakeMastodon) -> None:
    now = [datetime.now(UTC)]
    request = post("Unclear an hour ago.")

    async def body(client: MastodonClient) -> PublishedPost | None:
        fake.inject("POST", STATUSES, Fault.SERVER_ERROR)
        with pytest.raises(Unclear):
            await client.create_post(request)
        now[0] += timedelta(minutes=55)
        return await client.find_post(request)

    assert with_client(fake.url, body, clock=lambda: now[0]) is None
    assert fake.statuses == {}
    assert len(post_keys(fake)) == 1


# --- refusals and retryable errors ------------------------------------------------------
def test_429_gives_retry_after_from_the_iso_reset(fake: FakeMastodon) -> None:
    pinned = datetime(2026, 11, 28, 8, 43, 18, 500_000, tzinfo=UTC)
    fake.clock = lambda: pinned
    fake.inject("POST", STATUSES, Fault.RATE_LIMIT)

    async def body(client: MastodonClient) -> RateLimited:
        with pytest.raises(RateLimited) as caught:
            await client.create_post(post("Too fast."))
        assert client.last_rate_limit is not None
        assert client.last_rate_limit.remaining == 0
        return caught.value

    error = with_client(fake.url, body, clock=lambda: pinned)
    assert error.status == 429
    assert error.retry_after == pytest.approx(101.5)  # the window ends at 08:45:00
    assert fake.statuses == {}


def test_404_on_the_reply_target_is_reply_target_missing(fake: FakeMastodon) -> None:
    gone = PublishedPost(remote_id="109999999999999999")
    with pytest.raises(ReplyTargetMissing) as caught:
        with_client(fake.url, lambda c: c.create_post(post("Orphan.", 2, gone)))
    assert caught.value.reason == REPLY_NOT_FOUND
    assert fake.statuses == {}


def test_422_over_the_limit_is_refused_with_the_servers_reason(fake: FakeMastodon) -> None:
    with pytest.raises(Refused) as caught:
        with_client(fake.url, lambda c: c.create_post(post("word " * 120)))
    assert caught.value.status == 422
    assert caught.value.reason == "Validation failed: Text character limit of 500 exceeded"


def test_urls_and_remote_mentions_count_as_mastodon_counts(fake: FakeMastodon) -> None:
    # 489 by Mastodon's rule (URL 23, "@hrw@mastodon.social" as "@hrw"); ~700 code points.
    text = "a" * 460 + " https://example.org/" + "x" * 200 + " @hrw@mastodon.social"
    with_client(fake.url, lambda c: c.create_post(post(text)))
    assert len(fake.statuses) == 1


def test_401_is_refused(fake: FakeMastodon) -> None:
    fake.token = "the-right-token"
    with pytest.raises(Refused) as caught:
        with_client(fake.url, lambda c: c.verify())
    assert caught.value.status == 401
    assert caught.value.reason == "The access token is invalid"


def test_no_connection_is_unavailable() -> None:
    with pytest.raises(Unavailable):
        with_client(closed_url(), lambda c: c.create_post(post("Nobody listens.")))


@pytest.mark.parametrize(
    ("status", "expected"),
    [(500, Unclear), (502, Unclear), (504, Unclear), (503, Unavailable), (408, Unavailable)],
)
def test_5xx_after_a_post_is_unclear_except_a_proxys_503(
    status: int, expected: type[PlatformError]
) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, text="<html>"))

    async def main() -> None:
        async with httpx.AsyncClient(transport=transport) as http:
            client = MastodonClient(make_account("https://fake.social"), http=http)
            with pytest.raises(expected) as caught:
                await client.create_post(post("x"))
            assert type(caught.value) is expected
            with pytest.raises(Unavailable):  # a GET never leaves anything behind
                await client.verify()

    asyncio.run(main())


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"X-RateLimit-Reset": "2026-11-28T09:00:30.000000Z"}, 30.0),
        (
            {"X-RateLimit-Reset": str(int(datetime(2026, 11, 28, 9, 1, tzinfo=UTC).timestamp()))},
            60.0,
        ),
        ({"X-RateLimit-Reset": "2026-11-28T09:00:30Z", "Retry-After": "7"}, 7.0),
        ({"X-RateLimit-Reset": "2026-11-28T08:59:00Z"}, 0.0),
        ({}, None),
    ],
)
def test_retry_after_sources(headers: dict[str, str], seconds: float | None) -> None:
    pinned = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    transport = httpx.MockTransport(
        lambda request: httpx.Response(429, json={"error": "Too many requests"}, headers=headers)
    )

    async def main() -> RateLimited:
        async with httpx.AsyncClient(transport=transport) as http:
            account = make_account("https://fake.social")
            client = MastodonClient(account, http=http, clock=pinned.timestamp)
            with pytest.raises(RateLimited) as caught:
                await client.create_post(post("x"))
            return caught.value

    assert asyncio.run(main()).retry_after == seconds


# --- the token stays secret ---------------------------------------------------------------
def test_the_token_appears_in_no_error_or_repr(fake: FakeMastodon) -> None:
    errors: list[BaseException] = []
    fake.STALL_SECONDS = 1.0
    fake.inject("POST", STATUSES, Fault.STALL, Fault.SERVER_ERROR, Fault.RATE_LIMIT)

    async def body(client: MastodonClient) -> None:
        for request in (post("a"), post("b"), post("c"), post("d " * 300)):
            try:
                await client.create_post(request)
            except PlatformError as error:
                errors.append(error)
        assert TOKEN not in f"{client!r} {client!s} {vars(client)!r}"

    with_client(fake.url, body, timeout=0.5)
    wrong = "tok-WRONG-1c2d-also-secret"
    for url, token in ((fake.url, wrong), (closed_url(), TOKEN)):
        try:
            with_client(url, lambda c: c.verify(), token=token)
        except PlatformError as error:
            errors.append(error)

    assert [type(e) for e in errors] == [
        Unclear,
        Unclear,
        RateLimited,
        Refused,
        Refused,
        Unavailable,
    ]
    for raised in errors:
        chain: BaseException | None = raised
        while chain is not None:
            for shown in (str(chain), repr(chain), repr(vars(chain)), repr(chain.args)):
                assert TOKEN not in shown
                assert wrong not in shown
            chain = chain.__cause__ or chain.__context__


# --- the edition's options ----------------------------------------------------------------
def test_options_set_visibility_spoiler_and_language_of_every_post(fake: FakeMastodon) -> None:
    options = PostOptions(
        language="pt-BR", visibility="unlisted", reply_visibility="private", content_warning="CW"
    )

    async def body(client: MastodonClient) -> None:
        first = await client.create_post(post("Post 1/2", 1, options=options))
        await client.create_post(post("Post 2/2", 2, first, options=options))

    # The account's defaults are under the edition's options.
    with_client(fake.url, body, visibility="public", reply_visibility="public", language="en")
    assert [(s["visibility"], s["spoiler_text"], s["language"]) for s in fake.thread()] == [
        ("unlisted", "CW", "pt"),  # Mastodon takes an ISO 639 code: the tag's language
        ("private", "CW", "pt"),
    ]


def test_a_visibility_mastodon_lacks_is_refused_by_it(fake: FakeMastodon) -> None:
    request = post("Post", options=PostOptions(visibility="everyone"))
    with pytest.raises(Refused) as refused:
        with_client(fake.url, lambda c: c.create_post(request))
    assert refused.value.status == 422 and fake.thread() == []
