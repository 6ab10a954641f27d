"""ThreadsClient against the loopback FakeThreads: containers, publishing once, and faults.

Async code runs through `asyncio.run` inside plain tests (no pytest async plugin here).
One fake serves the whole module (stopping one takes time) and is reset before each test.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import socket
from collections.abc import Awaitable, Callable, Iterator
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
from composer.platforms.threads import ThreadsClient
from composer.text.options import PostOptions
from composer.workspace.config import Account, parse_config
from tests.fakes.server import Fault
from tests.fakes.threads import (
    MAX_LENGTH,
    QUOTA_TOTAL,
    TOO_LONG,
    TOO_MANY_LINKS,
    USER_ID,
    VERSION,
    FakeThreads,
)
from tests.helpers import send_thread

T = TypeVar("T")

# Distinctive, so that a leak into any message, repr or log line is easy to spot.
TOKEN = "THQVJ-tok-PERSIMMON-8c41e0-do-not-leak"
TOKEN_ENV = "TC_THREADS_ACCESS_TOKEN"
CONTAINERS = f"{VERSION}/{USER_ID}/threads"
PUBLISH = f"{VERSION}/{USER_ID}/threads_publish"
OBJECTS = f"{VERSION}/"  # container status, post fields, replies


@pytest.fixture(scope="module")
def server() -> Iterator[FakeThreads]:
    fake = FakeThreads(token=TOKEN, user_id=USER_ID, username="ankreports")
    with fake.running():
        yield fake


@pytest.fixture
def fake(server: FakeThreads) -> FakeThreads:
    server.reset()
    return server


@pytest.fixture
def account(fake: FakeThreads, monkeypatch: pytest.MonkeyPatch) -> Account:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    return make_account(fake.url + VERSION)


def make_account(base_url: str, user_id: str = USER_ID) -> Account:
    text = f"""
[accounts.ank-threads]
platform = "threads"
base_url = "{base_url}"
user_id = "{user_id}"
access_token_env = "{TOKEN_ENV}"
"""
    return parse_config(text, name="accounts.toml", path=None).account("ank-threads")


def with_client(
    target: Account | ThreadsClient,
    action: Callable[[ThreadsClient], Awaitable[T]],
    **options: Any,
) -> T:
    """Run one scenario on a client in its own event loop (an httpx client is bound to one)."""

    async def main() -> T:
        options.setdefault("poll_interval", 0.01)
        options.setdefault("timeout", 5.0)
        client = target if isinstance(target, ThreadsClient) else ThreadsClient(target, **options)
        try:
            return await action(client)
        finally:
            await client.aclose()

    return asyncio.run(main())


def post(text: str, index: int = 1, reply_to: PublishedPost | None = None) -> PostRequest:
    return PostRequest(
        text=text, index=index, idempotency_key=f"edition-7:part-{index}", reply_to=reply_to
    )


def posts_to(fake: FakeThreads, path: str) -> int:
    return sum(1 for r in fake.requests if r.method == "POST" and r.path == path)


def assert_no_token(*things: object) -> None:
    for thing in things:
        for shown in (str(thing), repr(thing)):
            assert TOKEN not in shown, f"the token leaked in {shown!r}"
        if isinstance(thing, PlatformError):
            assert TOKEN not in (thing.reason or "")
            assert thing.__cause__ is None


def closed_url() -> str:
    """A loopback address where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{VERSION}"


# --- the happy path ---------------------------------------------------------------------
def test_a_ten_post_thread_is_a_reply_chain(fake: FakeThreads, account: Account) -> None:
    async def scenario(client: ThreadsClient) -> tuple[list[PublishedPost], dict[str, str]]:
        published: list[PublishedPost] = []
        for i in range(1, 11):
            previous = published[-1] if published else None
            published.append(await client.create_post(post(f"{i}/10 Сайлау report.", i, previous)))
        return published, dict(client.containers)

    published, containers = with_client(account, scenario)

    thread = fake.thread()
    assert [p.remote_id for p in published] == [p["id"] for p in thread]
    assert fake.chain(published[-1].remote_id) == [p.remote_id for p in published]
    assert thread[0]["reply_to_id"] is None
    for previous, current in itertools.pairwise(thread):
        assert current["reply_to_id"] == previous["id"]
    assert [p.url for p in published] == [p["permalink"] for p in thread]
    # One container per post, remembered per idempotency key, each published once.
    assert containers == {f"edition-7:part-{i}": p["container_id"] for i, p in enumerate(thread, 1)}
    assert posts_to(fake, CONTAINERS) == 10
    assert posts_to(fake, PUBLISH) == 10
    assert {c["status"] for c in fake.containers.values()} == {"PUBLISHED"}
    # The token travelled as Meta documents: a form field of a POST, a query field of a GET.
    for request in fake.requests:
        if request.method == "POST":
            assert request.form()["access_token"] == TOKEN
            assert "access_token" not in request.query
        else:
            assert request.query["access_token"] == [TOKEN]


def test_verify_reports_the_handle_and_the_publishing_quota(
    fake: FakeThreads, account: Account
) -> None:
    async def scenario(client: ThreadsClient) -> Any:
        first = await client.create_post(post("Head"))
        await client.create_post(post("Reply", 2, first))
        return await client.verify()

    info = with_client(account, scenario)
    assert info.handle == "@ankreports"
    assert info.max_characters == MAX_LENGTH
    assert info.daily_quota == QUOTA_TOTAL
    assert info.remaining_quota == QUOTA_TOTAL - 1  # replies have their own quota


def test_verify_refuses_a_token_of_another_user(
    fake: FakeThreads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    account = make_account(fake.url + VERSION, user_id="17841499999999999")
    with pytest.raises(Refused, match="not to the configured user_id"):
        with_client(account, lambda c: c.verify())


# --- containers -------------------------------------------------------------------------
def test_an_in_progress_container_is_polled_then_published(
    fake: FakeThreads, account: Account
) -> None:
    fake.in_progress_polls = 3
    published = with_client(account, lambda c: c.create_post(post("Slow to process")))

    status_reads = [
        r
        for r in fake.requests
        if r.method == "GET" and r.path.endswith(fake.thread()[0]["container_id"])
    ]
    assert len(status_reads) == 4  # IN_PROGRESS three times, then FINISHED
    assert posts_to(fake, PUBLISH) == 1
    assert published.remote_id == fake.thread()[0]["id"]
    assert fake.publish_calls == 1


def test_a_container_in_progress_too_long_is_kept_for_the_next_attempt(
    fake: FakeThreads, account: Account
) -> None:
    fake.in_progress_polls = 50

    async def scenario(client: ThreadsClient) -> PublishedPost:
        with pytest.raises(Unavailable, match="IN_PROGRESS") as raised:
            await client.create_post(post("Very slow"))
        assert raised.value.retry_after is not None
        assert await client.find_post(post("Very slow")) is None  # nothing published
        (container,) = fake.containers.values()
        fake.set_status(container["id"], "FINISHED")
        return await client.create_post(post("Very slow"))

    published = with_client(account, scenario)
    assert len(fake.containers) == 1  # the same container, published on the retry
    assert [p["id"] for p in fake.thread()] == [published.remote_id]


@pytest.mark.parametrize("status", ["ERROR", "EXPIRED"])
def test_a_failed_or_expired_container_is_replaced(
    fake: FakeThreads, account: Account, status: str
) -> None:
    async def scenario(client: ThreadsClient) -> PublishedPost:
        fake.inject("POST", PUBLISH, Fault.SERVER_ERROR)  # 500: nothing published
        with pytest.raises(Unclear):
            await client.create_post(post("Try again"))
        (container,) = fake.containers.values()
        fake.set_status(container["id"], status, "UNKNOWN" if status == "ERROR" else None)
        assert await client.find_post(post("Try again")) is None
        return await client.create_post(post("Try again"))

    published = with_client(account, scenario)
    assert len(fake.containers) == 2
    assert [p["id"] for p in fake.thread()] == [published.remote_id]


def test_a_container_that_fails_to_process_is_refused(fake: FakeThreads, account: Account) -> None:
    fake.in_progress_polls = 1
    fake.processing_error = "UNKNOWN"

    async def scenario(client: ThreadsClient) -> dict[str, str]:
        with pytest.raises(Refused, match="container ERROR") as raised:
            await client.create_post(post("Broken"))
        assert raised.value.reason == "UNKNOWN"
        return dict(client.containers)

    assert with_client(account, scenario) == {}  # the next attempt makes a new container
    assert fake.posts == {}


# --- unclear outcomes -------------------------------------------------------------------
def test_dropped_publish_is_found_without_publishing_again(
    fake: FakeThreads, account: Account
) -> None:
    async def scenario(client: ThreadsClient) -> tuple[PublishedPost, PublishedPost | None, Any]:
        first = await client.create_post(post("Head of the thread"))
        fake.inject("POST", PUBLISH, Fault.DROP_AFTER)  # published, then the answer is lost
        request = post("Second post", 2, first)
        with pytest.raises(Unclear) as raised:
            await client.create_post(request)
        assert_no_token(raised.value)
        found = await client.find_post(request)
        again = await client.create_post(request)  # a careless retry finds it too
        return first, found, again

    first, found, again = with_client(account, scenario)
    thread = fake.thread()
    assert len(thread) == 2
    assert found is not None and found.remote_id == thread[1]["id"]
    assert found.url == thread[1]["permalink"]
    assert again == found
    assert thread[1]["reply_to_id"] == first.remote_id
    assert posts_to(fake, CONTAINERS) == 2  # no second container for post 2
    assert posts_to(fake, PUBLISH) == 2  # and no second publish


def test_a_dropped_reply_is_found_among_the_replies_of_its_target(
    fake: FakeThreads, account: Account
) -> None:
    fake.replies_in_threads = False  # the account's thread list shows top-level posts only

    async def scenario(client: ThreadsClient) -> tuple[PublishedPost, PublishedPost | None]:
        first = await client.create_post(post("Head"))
        fake.inject("POST", PUBLISH, Fault.DROP_AFTER)
        with pytest.raises(Unclear):
            await client.create_post(post("2/2 the end", 2, first))
        return first, await client.find_post(post("2/2 the end", 2, first))

    first, found = with_client(account, scenario)
    assert found is not None
    assert found.remote_id == fake.thread()[1]["id"]
    assert any(r.path == f"{VERSION}/{first.remote_id}/replies" for r in fake.requests)
    assert posts_to(fake, PUBLISH) == 2


def test_find_post_without_a_container_finds_nothing(fake: FakeThreads, account: Account) -> None:
    """No container was made by this client (or given to it): nothing was published."""
    with_client(account, lambda c: c.create_post(post("Head")))
    assert with_client(account, lambda c: c.find_post(post("Head"))) is None


def test_a_remembered_container_lets_another_client_resume(
    fake: FakeThreads, account: Account
) -> None:
    """The ledger can persist `containers`; a new process resumes from them."""
    fake.inject("POST", PUBLISH, Fault.DROP_AFTER)

    async def first_run(client: ThreadsClient) -> dict[str, str]:
        with pytest.raises(Unclear):
            await client.create_post(post("Persisted"))
        return dict(client.containers)

    containers = with_client(account, first_run)

    async def second_run(client: ThreadsClient) -> PublishedPost:
        client.containers.update(containers)
        return await client.create_post(post("Persisted"))

    published = with_client(account, second_run)
    assert [p["id"] for p in fake.thread()] == [published.remote_id]
    assert posts_to(fake, CONTAINERS) == 1
    assert posts_to(fake, PUBLISH) == 1


def test_dropped_container_creation_makes_a_new_container(
    fake: FakeThreads, account: Account
) -> None:
    """The container id never arrived, so it cannot be reused: a retry makes another one.

    That is harmless: an unpublished container is invisible and expires within 24 hours.
    What matters is that exactly one post is published.
    """
    fake.inject("POST", CONTAINERS, Fault.DROP_AFTER)

    async def scenario(client: ThreadsClient) -> tuple[PublishedPost | None, PublishedPost]:
        with pytest.raises(Unclear, match="nothing was published"):
            await client.create_post(post("Head"))
        assert client.containers == {}
        found = await client.find_post(post("Head"))
        return found, await client.create_post(post("Head"))

    found, published = with_client(account, scenario)
    assert found is None
    assert posts_to(fake, CONTAINERS) == 2
    assert sorted(c["status"] for c in fake.containers.values()) == ["FINISHED", "PUBLISHED"]
    assert posts_to(fake, PUBLISH) == 1
    assert [p["id"] for p in fake.thread()] == [published.remote_id]


def test_server_error_on_publish_is_unclear_and_resolved_by_the_container(
    fake: FakeThreads, account: Account
) -> None:
    fake.inject("POST", PUBLISH, Fault.SERVER_ERROR)

    async def scenario(client: ThreadsClient) -> tuple[PublishedPost | None, PublishedPost]:
        with pytest.raises(Unclear) as raised:
            await client.create_post(post("Head"))
        assert raised.value.status == 500
        return await client.find_post(post("Head")), await client.create_post(post("Head"))

    found, published = with_client(account, scenario)
    assert found is None  # the container is still FINISHED: nothing was published
    assert posts_to(fake, CONTAINERS) == 1  # the retry published the same container
    assert [p["id"] for p in fake.thread()] == [published.remote_id]


def test_a_stalled_status_read_is_unavailable(fake: FakeThreads, account: Account) -> None:
    fake.STALL_SECONDS = 0.6
    fake.inject("GET", OBJECTS, Fault.STALL)
    with pytest.raises(Unavailable) as raised:
        with_client(account, lambda c: c.create_post(post("Head")), timeout=0.2)
    assert_no_token(raised.value)
    assert fake.posts == {}


def test_a_stalled_publish_is_unclear(fake: FakeThreads, account: Account) -> None:
    fake.STALL_SECONDS = 0.6
    fake.inject("POST", PUBLISH, Fault.STALL)
    with pytest.raises(Unclear) as raised:
        with_client(account, lambda c: c.create_post(post("Head")), timeout=0.2)
    assert_no_token(raised.value)


def test_no_connection_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    with pytest.raises(Unavailable) as raised:
        with_client(make_account(closed_url()), lambda c: c.create_post(post("Head")))
    assert_no_token(raised.value)


# --- refusals ---------------------------------------------------------------------------
def test_rate_limit_is_rate_limited(fake: FakeThreads, account: Account) -> None:
    fake.inject("POST", CONTAINERS, Fault.RATE_LIMIT)

    async def scenario(client: ThreadsClient) -> Any:
        with pytest.raises(RateLimited) as raised:
            await client.create_post(post("Head"))
        return raised.value, client.last_rate_limit

    error, usage = with_client(account, scenario)
    assert error.status == 429
    assert error.retry_after is None  # Meta sends no Retry-After
    assert "Application request limit reached" in str(error)
    assert usage is not None and usage.usage == 100
    assert fake.containers == {}


def test_invalid_token_is_refused(fake: FakeThreads, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "THQVJ-WRONG-token-0000"
    monkeypatch.setenv(TOKEN_ENV, wrong)
    account = make_account(fake.url + VERSION)
    with pytest.raises(Refused) as raised:
        with_client(account, lambda c: c.create_post(post("Head")))
    assert "Invalid OAuth access token" in str(raised.value)
    assert "code 190" in str(raised.value)
    assert wrong not in str(raised.value)
    assert fake.containers == {}


def test_over_long_text_is_refused_with_the_message(fake: FakeThreads, account: Account) -> None:
    with pytest.raises(Refused) as raised:
        with_client(account, lambda c: c.create_post(post("a" * (MAX_LENGTH + 1))))
    assert raised.value.reason == TOO_LONG
    assert TOO_LONG in str(raised.value)
    assert not isinstance(raised.value, ReplyTargetMissing)
    assert fake.containers == {}


def test_more_than_five_links_is_refused(fake: FakeThreads, account: Account) -> None:
    text = " ".join(f"https://example.org/{i}" for i in range(6))
    with pytest.raises(Refused) as raised:
        with_client(account, lambda c: c.create_post(post(text)))
    assert raised.value.reason == TOO_MANY_LINKS


def test_missing_reply_target_is_reply_target_missing(fake: FakeThreads, account: Account) -> None:
    gone = PublishedPost(remote_id="18099999999999999")
    with pytest.raises(ReplyTargetMissing) as raised:
        with_client(account, lambda c: c.create_post(post("Reply", 2, gone)))
    assert raised.value.status == 400
    assert "does not exist" in (raised.value.reason or "")
    assert fake.containers == {}


# --- secrets ----------------------------------------------------------------------------
def test_the_token_is_never_shown(
    fake: FakeThreads, account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.inject("POST", PUBLISH, Fault.DROP_AFTER)
    errors: list[PlatformError] = []

    async def scenario(client: ThreadsClient) -> ThreadsClient:
        for request in (post("Head"), post("x" * 600, 2)):
            try:
                await client.create_post(request)
            except PlatformError as error:
                errors.append(error)
        return client

    client = with_client(account, scenario)
    assert [type(e) for e in errors] == [Unclear, Refused]
    assert_no_token(client, account, *errors)
    assert "access_token=[REDACTED]" in caplog.text  # httpx logs the URL, masked
    assert TOKEN not in caplog.text


# --- error mapping (Graph API bodies through a mock transport) ---------------------------
def _graph(status: int, code: int | None, message: str = "words", **headers: str) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        error: dict[str, Any] = {"message": message, "type": "OAuthException", "fbtrace_id": "x"}
        if code is not None:
            error["code"] = code
        return httpx.Response(status, content=json.dumps({"error": error}), headers=headers)

    return handler


@pytest.mark.parametrize(
    ("status", "code", "headers", "expected"),
    [
        (400, 4, {}, RateLimited),
        (400, 17, {}, RateLimited),
        (403, 32, {}, RateLimited),
        (400, 613, {"Retry-After": "7"}, RateLimited),
        (401, None, {}, Refused),
        (400, 190, {}, Refused),
        (403, 10, {}, Refused),
        (400, 200, {}, Refused),
        (400, 100, {}, Refused),
        (500, 1, {}, Unclear),
        (502, None, {}, Unclear),
        (503, 2, {}, Unavailable),
    ],
)
def test_graph_errors_map_onto_the_error_tree(
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    code: int | None,
    headers: dict[str, str],
    expected: type[PlatformError],
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    account = make_account("https://graph.threads.net/v1.0")

    async def scenario(client: ThreadsClient) -> PlatformError:
        with pytest.raises(PlatformError) as raised:
            await client.create_post(post("Head"))
        return raised.value

    async def main() -> PlatformError:
        transport = httpx.MockTransport(_graph(status, code, **headers))
        async with httpx.AsyncClient(transport=transport) as http:
            return await scenario(ThreadsClient(account, http=http))

    error = asyncio.run(main())
    assert type(error) is expected
    assert error.status == status
    if headers:
        assert error.retry_after == 7.0
    assert_no_token(error)


# --- who may reply ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("replies", "sent"),
    [
        ("everyone", "everyone"),
        ("following", "accounts_you_follow"),
        ("mentioned", "mentioned_only"),
    ],
)
def test_reply_control_goes_on_the_first_post(
    fake: FakeThreads, account: Account, replies: str, sent: str
) -> None:
    requests = [post("One/2"), post("Two/2", 2)]
    options = PostOptions(replies=replies)
    published = with_client(account, lambda client: send_thread(client, requests, options))
    assert [fake.posts[p.remote_id]["reply_control"] for p in published] == [sent, "everyone"]
    containers = [r.form() for r in fake.requests if r.path.endswith("/threads")]
    # Everyone is Threads' default: nothing is sent for it, nor on a reply.
    assert [("reply_control" in form) for form in containers] == [replies != "everyone", False]
