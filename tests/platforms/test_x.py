"""XClient against the loopback FakeX: auth, threads, and every way a post can go wrong."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import httpx
import pytest

from composer.platforms.base import (
    Duplicate,
    PlatformError,
    PostRequest,
    PublishedPost,
    RateLimited,
    Refused,
    ReplyTargetMissing,
    Unavailable,
    Unclear,
)
from composer.platforms.x import XClient
from composer.text.options import PostOptions
from composer.workspace.config import Account, parse_config
from tests.fakes.server import Fault
from tests.fakes.x import DUPLICATE_DETAIL, FakeX
from tests.helpers import send_thread

T = TypeVar("T")

# Distinctive values, so a leak into any message or repr is easy to spot.
CONSUMER_KEY = "ck-PLUM-7731"
CONSUMER_SECRET = "cs-QUINCE-9a8b7c"
ACCESS_TOKEN = "at-RAISIN-5521-xyz"
ACCESS_TOKEN_SECRET = "ats-MANGO-0f0f0f"
OAUTH2_ACCESS = "o2a-GUAVA-1234"
OAUTH2_REFRESH = "o2r-LYCHEE-5678"
CLIENT_SECRET = "csec-PAPAYA-9999"
SECRETS = (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    ACCESS_TOKEN,
    ACCESS_TOKEN_SECRET,
    OAUTH2_ACCESS,
    OAUTH2_REFRESH,
    CLIENT_SECRET,
)


def run(factory: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await factory()

    return asyncio.run(main())


def with_client(
    target: Account | XClient, action: Callable[[XClient], Awaitable[T]], **options: Any
) -> T:
    """Run one call on a client in its own event loop (an httpx client is bound to one)."""

    async def main() -> T:
        client = target if isinstance(target, XClient) else XClient(target, **options)
        async with client:
            return await action(client)

    return asyncio.run(main())


def oauth1_account(url: str, monkeypatch: pytest.MonkeyPatch, **overrides: str) -> Account:
    values = {
        "TC_X_CONSUMER_KEY": CONSUMER_KEY,
        "TC_X_CONSUMER_SECRET": CONSUMER_SECRET,
        "TC_X_ACCESS_TOKEN": ACCESS_TOKEN,
        "TC_X_ACCESS_TOKEN_SECRET": ACCESS_TOKEN_SECRET,
        **overrides,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    text = f"""
[accounts.ank-x]
platform = "x"
handle = "@ankreports"
base_url = "{url}"
consumer_key_env = "TC_X_CONSUMER_KEY"
consumer_secret_env = "TC_X_CONSUMER_SECRET"
access_token_env = "TC_X_ACCESS_TOKEN"
access_token_secret_env = "TC_X_ACCESS_TOKEN_SECRET"
"""
    return parse_config(text, name="accounts.toml", path=None).account("ank-x")


def oauth2_account(url: str, monkeypatch: pytest.MonkeyPatch) -> Account:
    monkeypatch.setenv("TC_X_OAUTH2_ACCESS", OAUTH2_ACCESS)
    monkeypatch.setenv("TC_X_OAUTH2_REFRESH", OAUTH2_REFRESH)
    monkeypatch.setenv("TC_X_CLIENT_SECRET", CLIENT_SECRET)
    text = f"""
[accounts.ank-x2]
platform = "x"
base_url = "{url}"
client_id = "client-abc"
oauth2_access_token_env = "TC_X_OAUTH2_ACCESS"
oauth2_refresh_token_env = "TC_X_OAUTH2_REFRESH"
client_secret_env = "TC_X_CLIENT_SECRET"
"""
    return parse_config(text, name="accounts.toml", path=None).account("ank-x2")


def oauth1_fake() -> FakeX:
    return FakeX(
        username="ankreports",
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        access_token=ACCESS_TOKEN,
        access_token_secret=ACCESS_TOKEN_SECRET,
    )


@pytest.fixture
def fake() -> Iterator[FakeX]:
    server = oauth1_fake()
    with server.running():
        yield server


@pytest.fixture
def account(fake: FakeX, monkeypatch: pytest.MonkeyPatch) -> Account:
    return oauth1_account(fake.url, monkeypatch)


def post(text: str, index: int = 1, reply_to: PublishedPost | None = None) -> PostRequest:
    return PostRequest(text=text, index=index, idempotency_key=f"ed1-{index}", reply_to=reply_to)


def assert_no_secret(*things: object) -> None:
    for thing in things:
        for shown in (str(thing), repr(thing)):
            for secret in SECRETS:
                assert secret not in shown, f"secret leaked in {shown!r}"


# --- auth -------------------------------------------------------------------------------------
def test_oauth1_signature_is_accepted(fake: FakeX, account: Account) -> None:
    async def scenario() -> tuple[Any, PublishedPost, PublishedPost | None]:
        async with XClient(account) as client:
            info = await client.verify()
            first = await client.create_post(post("Report: elections & OSCE <summary>"))
            # A signed GET with a query string: the query is part of the signature.
            found = await client.find_post(post("Report: elections & OSCE <summary>"))
            return info, first, found

    info, first, found = run(scenario)
    assert info.handle == "@ankreports"
    assert info.daily_quota is None  # /2/users/me carries no 24-hour header, none configured
    assert first.url == f"https://x.com/ankreports/status/{first.remote_id}"
    assert found == first
    headers = [r.headers["authorization"] for r in fake.requests]
    assert all(h.startswith("OAuth ") and "oauth_signature=" in h for h in headers)
    assert all(CONSUMER_SECRET not in h and ACCESS_TOKEN_SECRET not in h for h in headers)


def test_wrong_consumer_secret_is_refused(fake: FakeX, monkeypatch: pytest.MonkeyPatch) -> None:
    account = oauth1_account(fake.url, monkeypatch, TC_X_CONSUMER_SECRET="cs-WRONG-000")
    with pytest.raises(Refused) as raised:
        with_client(account, XClient.verify)
    assert raised.value.status == 401
    assert raised.value.reason == "Unauthorized"
    assert not isinstance(raised.value, Duplicate)
    assert fake.tweets == {}


def test_oauth2_expired_token_is_refreshed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeX(
        oauth2_access_token=OAUTH2_ACCESS,
        oauth2_refresh_token=OAUTH2_REFRESH,
        client_id="client-abc",
        client_secret=CLIENT_SECRET,
    )
    refreshed: list[tuple[str, str]] = []
    with fake.running():
        account = oauth2_account(fake.url, monkeypatch)
        fake.expire_access_token()

        async def scenario() -> tuple[PublishedPost, PublishedPost]:
            async with XClient(
                account, on_tokens_refreshed=lambda a, r: refreshed.append((a, r))
            ) as client:
                first = await client.create_post(post("One"))
                second = await client.create_post(post("Two", 2, first))
                assert_no_secret(client)
                assert "rotated" not in repr(client)
                return first, second

        first, second = run(scenario)
    assert fake.refreshes == 1
    assert refreshed == [(fake.access_token, fake.refresh_token)]
    assert refreshed == [("rotated-access-1", "rotated-refresh-1")]
    assert fake.chain(second.remote_id) == [first.remote_id, second.remote_id]
    # No handle configured: the post URL uses the username from /2/users/me.
    assert first.url == f"https://x.com/ankreports/status/{first.remote_id}"
    bearers = [r.headers.get("authorization", "") for r in fake.requests]
    assert bearers.count(f"Bearer {OAUTH2_ACCESS}") == 1  # the stale token, tried once
    token_requests = [r for r in fake.requests if r.path == "/2/oauth2/token"]
    assert len(token_requests) == 1
    assert token_requests[0].form()["grant_type"] == "refresh_token"


def test_oauth2_refused_refresh_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeX(
        oauth2_access_token=OAUTH2_ACCESS,
        oauth2_refresh_token="another-refresh",
        client_id="client-abc",
        client_secret=CLIENT_SECRET,
    )
    with fake.running():
        account = oauth2_account(fake.url, monkeypatch)
        fake.expire_access_token()
        with pytest.raises(Refused) as raised:
            with_client(account, lambda client: client.create_post(post("One")))
    assert "refresh" in str(raised.value)
    assert_no_secret(raised.value)
    assert fake.tweets == {}


# --- threads ----------------------------------------------------------------------------------
def test_ten_post_chain(fake: FakeX, account: Account) -> None:
    async def scenario() -> list[PublishedPost]:
        published: list[PublishedPost] = []
        async with XClient(account) as client:
            for i in range(1, 11):
                previous = published[-1] if published else None
                published.append(await client.create_post(post(f"Post {i}/10", i, previous)))
            assert client.last_user_limit is not None
            assert client.last_user_limit.remaining == 90
            assert client.last_rate_limit is not None
            assert client.last_rate_limit.remaining == 90
        return published

    published = run(scenario)
    ids = [p.remote_id for p in published]
    assert len(set(ids)) == 10
    assert fake.chain(ids[-1]) == ids
    assert [fake.tweets[i]["text"] for i in ids] == [f"Post {i}/10" for i in range(1, 11)]
    assert fake.tweets[ids[0]]["in_reply_to"] is None
    first_body = json.loads(next(r.body for r in fake.requests if r.method == "POST"))
    assert first_body == {"text": "Post 1/10"}  # no "reply" key for the first post


def test_duplicate_then_find_post_finds_the_existing_post(fake: FakeX, account: Account) -> None:
    text = "Read the report: https://example.org/osce-report?lang=en & share"

    async def scenario() -> tuple[PublishedPost, Duplicate, PublishedPost | None]:
        async with XClient(account) as client:
            first = await client.create_post(post(text))
            with pytest.raises(Duplicate) as raised:
                await client.create_post(post(text))
            return first, raised.value, await client.find_post(post(text))

    first, duplicate, found = run(scenario)
    assert isinstance(duplicate, Refused)
    assert duplicate.status == 403 and duplicate.reason == DUPLICATE_DETAIL
    assert found == first  # although X shows the link as t.co and "&" as "&amp;"
    assert len(fake.tweets) == 1


def test_find_post_checks_the_reply_target(fake: FakeX, account: Account) -> None:
    async def scenario() -> tuple[PublishedPost | None, PublishedPost | None]:
        async with XClient(account) as client:
            first = await client.create_post(post("Root"))
            await client.create_post(post("Same words", 2, first))
            other = PublishedPost("1860000000000009999")
            return (
                await client.find_post(post("Same words", 2, other)),
                await client.find_post(post("Same words", 1)),
            )

    assert run(scenario) == (None, None)


# --- faults -----------------------------------------------------------------------------------
def test_rate_limited_waits_until_the_reset_header(fake: FakeX, account: Account) -> None:
    fake.window_reset = 1_900_000_000
    fake.inject("POST", "/2/tweets", Fault.RATE_LIMIT)
    client = XClient(account, clock=lambda: 1_900_000_000 - 42.5)
    with pytest.raises(RateLimited) as raised:
        with_client(client, lambda client: client.create_post(post("One")))
    assert raised.value.status == 429
    assert raised.value.retry_after == pytest.approx(42.5)
    assert client.last_rate_limit is not None
    assert client.last_rate_limit.remaining == 0
    assert client.last_rate_limit.reset == 1_900_000_000
    assert fake.tweets == {}


def test_drop_after_sending_is_unclear_then_found(fake: FakeX, account: Account) -> None:
    async def scenario() -> tuple[PublishedPost, PublishedPost | None]:
        async with XClient(account) as client:
            first = await client.create_post(post("First"))
            fake.inject("POST", "/2/tweets", Fault.DROP_AFTER)
            with pytest.raises(Unclear):
                await client.create_post(post("Second", 2, first))
            return first, await client.find_post(post("Second", 2, first))

    first, found = run(scenario)
    assert found is not None
    assert fake.tweets[found.remote_id]["in_reply_to"] == first.remote_id
    assert len(fake.tweets) == 2  # found, not sent twice


def test_stall_is_unclear(fake: FakeX, account: Account) -> None:
    fake.STALL_SECONDS = 1.0
    fake.inject("POST", "/2/tweets", Fault.STALL)

    async def scenario() -> PublishedPost | None:
        async with XClient(account, timeout=0.5) as client:
            with pytest.raises(Unclear) as raised:
                await client.create_post(post("Stalled"))
            assert_no_secret(raised.value)
            return await client.find_post(post("Stalled"))

    assert run(scenario) is None  # the stalled request stored nothing
    assert fake.tweets == {}


def test_server_errors(fake: FakeX, account: Account) -> None:
    async def scenario() -> None:
        async with XClient(account) as client:
            fake.inject("POST", "/2/tweets", Fault.SERVER_ERROR)
            with pytest.raises(Unclear) as unclear:
                await client.create_post(post("One"))
            assert unclear.value.status == 500
            fake.inject("GET", "/2/users/me", Fault.SERVER_ERROR)
            with pytest.raises(Unavailable):
                await client.verify()  # a failed read created nothing

    run(scenario)


def test_connection_refused_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = oauth1_fake()
    with fake.running():
        url = fake.url  # closed once the block ends
    account = oauth1_account(url, monkeypatch)
    with pytest.raises(Unavailable) as raised:
        with_client(account, lambda client: client.create_post(post("One")))
    assert_no_secret(raised.value)


def test_reply_to_a_missing_post(fake: FakeX, account: Account) -> None:
    missing = PublishedPost("1860000000000009999")
    with pytest.raises(ReplyTargetMissing) as raised:
        with_client(account, lambda client: client.create_post(post("Two", 2, missing)))
    assert raised.value.status == 403
    assert "deleted or not visible" in (raised.value.reason or "")


def test_too_long_is_refused(fake: FakeX, account: Account) -> None:
    text = "Қазақстан: 報告 " * 20  # 280 code points, but CJK weighs 2: 320
    with pytest.raises(Refused) as raised:
        with_client(account, lambda client: client.create_post(post(text)))
    assert type(raised.value) is Refused
    assert raised.value.status == 400
    assert "too long" in (raised.value.reason or "")
    assert fake.tweets == {}


def respond(status: int, body: Any, headers: dict[str, str] | None = None) -> XClient:
    """An XClient whose every request gets this answer (for bodies FakeX does not send)."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body, headers=headers)

    account = type(
        "StubAccount",
        (),
        {
            "name": "stub",
            "handle": "@stub",
            "api_url": "https://api.x.invalid",
            "x_auth": "oauth2",
            "client_id": None,
            "daily_post_quota": 17,
            "has_secret": lambda self, key: key == "oauth2_access_token",
            "secret": lambda self, key: OAUTH2_ACCESS,
        },
    )()
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return XClient(account, http=http)


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (403, {"errors": [{"code": 385, "message": "You attempted to reply..."}]}, "missing"),
        (404, {"title": "Not Found Error", "detail": "Could not find tweet"}, "missing"),
        (403, {"errors": [{"message": "duplicate content, sorry"}]}, Duplicate),
        (401, {"title": "Unauthorized", "detail": "Unauthorized"}, Refused),
        (503, {"title": "Service Unavailable"}, Unavailable),
        (502, "not json", Unclear),
        (504, None, Unclear),
    ],
)
def test_error_bodies(status: int, body: Any, error: Any) -> None:
    expected = ReplyTargetMissing if error == "missing" else error
    with pytest.raises(PlatformError) as raised:
        with_client(
            respond(status, body), lambda c: c.create_post(post("Two", 2, PublishedPost("1")))
        )
    assert type(raised.value) is expected
    assert raised.value.status == status
    assert_no_secret(raised.value)


def test_verify_reports_the_daily_quota() -> None:
    headers = {"x-user-limit-24hour-limit": "17", "x-user-limit-24hour-remaining": "5"}
    body = {"data": {"id": "7", "username": "stub"}}
    info = with_client(respond(200, body, headers), XClient.verify)
    assert (info.handle, info.daily_quota, info.remaining_quota) == ("@stub", 17, 5)
    info = with_client(respond(200, body), XClient.verify)
    assert (info.daily_quota, info.remaining_quota) == (17, None)  # daily_post_quota


def test_secrets_never_shown(fake: FakeX, monkeypatch: pytest.MonkeyPatch) -> None:
    account = oauth1_account(fake.url, monkeypatch, TC_X_ACCESS_TOKEN_SECRET="ats-WRONG-1")
    client = XClient(account)
    errors: list[PlatformError] = []
    for action in (XClient.verify, lambda client: client.create_post(post("x"))):
        with pytest.raises(PlatformError) as raised:
            with_client(account, action)
        errors.append(raised.value)
    assert_no_secret(client, account, *errors)
    assert "ats-WRONG-1" not in repr(client) + "".join(map(str, errors))


def test_daily_quota_spent_waits_for_the_day_reset(fake: FakeX, account: Account) -> None:
    fake.daily_remaining = 0
    fake.day_reset = 1_900_050_000
    fake.window_reset = 1_900_000_000
    client = XClient(account, clock=lambda: 1_900_000_000)
    with pytest.raises(RateLimited) as raised:
        with_client(client, lambda client: client.create_post(post("One")))
    assert raised.value.retry_after == pytest.approx(50_000)
    assert client.last_user_limit is not None
    assert client.last_user_limit.remaining == 0


def test_rotated_oauth2_tokens_are_kept_for_the_next_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """X rotates the refresh token: the next run must use the new pair, not the file's."""
    from composer.workspace.sessions import SessionFile

    fake = FakeX(
        oauth2_access_token=OAUTH2_ACCESS,
        oauth2_refresh_token=OAUTH2_REFRESH,
        client_id="client-abc",
        client_secret=CLIENT_SECRET,
    )
    store = SessionFile("ank-x", tmp_path)
    with fake.running():
        account = oauth2_account(fake.url, monkeypatch)
        fake.expire_access_token()

        async def once(text: str) -> PublishedPost:
            async with XClient(account, token_store=store) as client:
                return await client.create_post(post(text))

        run(lambda: once("First run"))
        assert fake.refreshes == 1
        assert store.load() == {"access": fake.access_token, "refresh": fake.refresh_token}
        run(lambda: once("Second run"))  # with the stored pair: no refresh needed
    assert fake.refreshes == 1
    assert OAUTH2_REFRESH not in store.path.read_text()


# --- who may reply ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("replies", "sent"),
    [("everyone", None), ("following", "following"), ("mentioned", "mentionedUsers")],
)
def test_reply_settings_go_on_the_first_post(
    fake: FakeX, account: Account, replies: str, sent: str | None
) -> None:
    requests = [post("One/2"), post("Two/2", 2)]
    options = PostOptions(replies=replies)
    published = with_client(account, lambda client: send_thread(client, requests, options))
    # On the thread's first post only: a reply is never refused for carrying it.
    assert [fake.tweets[p.remote_id].get("reply_settings") for p in published] == [sent, None]


def test_the_strict_fake_refuses_a_reply_setting_x_lacks(fake: FakeX, account: Account) -> None:
    """X answers 400 to a reply_settings it does not have ("nobody" is not one: the
    resolution sends "mentionedUsers" instead, `composer.text.options`)."""

    async def send(client: XClient) -> Any:
        request = client._request(
            "POST", "/2/tweets", json={"text": "x", "reply_settings": "nobody"}
        )
        return await request

    with pytest.raises(Refused) as refused:
        with_client(account, send)
    assert refused.value.status == 400 and "reply_settings" in str(refused.value)
    assert fake.tweets == {}
