"""LinkedInClient against the loopback FakeLinkedIn: one post, comments, escaping, faults.

Async code runs through `asyncio.run` inside plain tests (no pytest async plugin here).
One fake serves the whole module and is reset before each test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import pytest

from composer.platforms.base import (
    PostRequest,
    PublishedPost,
    RateLimited,
    Refused,
    ReplyTargetMissing,
    Unclear,
)
from composer.platforms.linkedin import LinkedInClient
from composer.workspace.config import Account, parse_config
from tests.fakes.linkedin import AUTHOR, FakeLinkedIn
from tests.fakes.server import Fault
from tests.helpers import accounts_toml, linkedin_account

T = TypeVar("T")

TOKEN = "LIQVJ-tok-QUINCE-77aa01-do-not-leak"
TOKEN_ENV = "TC_LINKEDIN_ACCESS_TOKEN"
MEMBER = "urn:li:person:Dk968RHxiO"
REPORT = (
    "OSCE (ODIHR) observers: the vote in Almaty [district 4] was *not* free; "
    "@observers_kz ~ 12 <b>stations</b> {closed} | see https://example.org/a_b(c) #Kazakhstan"
)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLinkedIn]:
    fake = FakeLinkedIn(token=TOKEN)
    with fake.running():
        yield fake


@pytest.fixture
def fake(server: FakeLinkedIn) -> FakeLinkedIn:
    server.reset()
    server.author = AUTHOR
    return server


def make_account(base_url: str, author: str = AUTHOR, **keys: str) -> Account:
    table = linkedin_account(author, TOKEN_ENV, base_url=base_url, **keys)
    text = accounts_toml({"ank-li": table})
    return parse_config(text, name="accounts.toml", path=None).account("ank-li")


@pytest.fixture
def account(fake: FakeLinkedIn, monkeypatch: pytest.MonkeyPatch) -> Account:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    return make_account(fake.url)


def request(text: str, index: int = 1, *, root: PublishedPost | None = None) -> PostRequest:
    return PostRequest(
        text=text, index=index, idempotency_key=f"key-{index}", reply_to=root, root=root
    )


def run_client(account: Account, job: Callable[[LinkedInClient], Awaitable[T]]) -> T:
    async def go() -> T:
        async with LinkedInClient(account) as client:
            return await job(client)

    return asyncio.run(go())


def test_a_post_goes_out_whole_with_its_reserved_characters_escaped(
    fake: FakeLinkedIn, account: Account
) -> None:
    async def job(client: LinkedInClient) -> PublishedPost:
        return await client.create_post(request(REPORT))

    posted = run_client(account, job)
    assert list(fake.posts) == [posted.remote_id]
    stored = fake.posts[posted.remote_id]
    assert stored["shown"] == REPORT  # without the escapes LinkedIn would cut it at "("
    assert stored["commentary"] != REPORT
    assert stored["distribution"]["feedDistribution"] == "MAIN_FEED"
    assert posted.url == f"https://www.linkedin.com/feed/update/{posted.remote_id}/"
    sent = fake.requests[-1]
    assert sent.headers["x-restli-protocol-version"] == "2.0.0"
    assert sent.headers["linkedin-version"].isdigit()


def test_the_rest_of_a_report_goes_as_comments_on_the_post(
    fake: FakeLinkedIn, account: Account
) -> None:
    parts = ["1/3 The report (part one).", "2/3 Part two: @hrw said [sic].", "3/3 End ~ fin."]

    async def job(client: LinkedInClient) -> list[PublishedPost]:
        root = await client.create_post(request(parts[0]))
        second = await client.create_post(
            PostRequest(parts[1], 2, "key-2", reply_to=root, root=root)
        )
        third = await client.create_post(
            PostRequest(parts[2], 3, "key-3", reply_to=second, root=root)
        )
        return [root, second, third]

    root, *comments = run_client(account, job)
    assert fake.thread() == parts
    assert [c["$URN"] for c in fake.comments[root.remote_id]] == [c.remote_id for c in comments]
    assert all(c.url == root.url for c in comments)


def test_a_lost_answer_is_found_and_never_posted_twice(
    fake: FakeLinkedIn, account: Account
) -> None:
    fake.inject("POST", "/rest/posts", Fault.DROP_AFTER)

    async def job(client: LinkedInClient) -> tuple[PublishedPost | None, PublishedPost | None]:
        with pytest.raises(Unclear):
            await client.create_post(request(REPORT))
        found = await client.find_post(request(REPORT))
        assert found is not None
        fake.inject("POST", "/rest/socialActions/", Fault.DROP_AFTER)
        comment = request("2/2 the rest (of it).", 2, root=found)
        with pytest.raises(Unclear):
            await client.create_post(comment)
        return found, await client.find_post(comment)

    found, comment = run_client(account, job)
    assert found is not None and comment is not None
    assert list(fake.posts) == [found.remote_id]
    assert [c["$URN"] for c in fake.comments[found.remote_id]] == [comment.remote_id]


def test_a_post_that_never_landed_is_not_found(fake: FakeLinkedIn, account: Account) -> None:
    fake.inject("POST", "/rest/posts", Fault.SERVER_ERROR)

    async def job(client: LinkedInClient) -> PublishedPost | None:
        with pytest.raises(Unclear):  # a 500 after sending: it may have acted
            await client.create_post(request("Only once."))
        return await client.find_post(request("Only once."))

    assert run_client(account, job) is None
    assert fake.posts == {}


def test_without_read_permission_the_outcome_stays_unknown(
    fake: FakeLinkedIn, account: Account
) -> None:
    fake.can_read = False

    async def job(client: LinkedInClient) -> None:
        await client.find_post(request("Anything."))

    with pytest.raises(Refused, match="will not let this token read") as caught:
        run_client(account, job)
    assert caught.value.status == 403


def test_rate_limit_bad_token_retired_version_and_missing_post(
    fake: FakeLinkedIn, account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.inject("POST", "/rest/posts", Fault.RATE_LIMIT)

    async def post(client: LinkedInClient) -> PublishedPost:
        return await client.create_post(request("Hello."))

    with pytest.raises(RateLimited):
        run_client(account, post)
    gone = PublishedPost("urn:li:share:1")

    async def comment(client: LinkedInClient) -> PublishedPost:
        return await client.create_post(request("2/2 more.", 2, root=gone))

    with pytest.raises(ReplyTargetMissing):
        run_client(account, comment)
    retired = make_account(fake.url, api_version="202301")
    with pytest.raises(Refused, match="set api_version") as version:
        run_client(retired, post)
    assert version.value.status == 426
    monkeypatch.setenv(TOKEN_ENV, "wrong")
    with pytest.raises(Refused) as bad:
        run_client(make_account(fake.url), post)
    assert bad.value.status == 401
    assert "wrong" not in str(bad.value) and TOKEN not in str(bad.value)
    assert fake.posts == {}


def test_verify_checks_a_members_token_against_the_author(
    fake: FakeLinkedIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    fake.author = MEMBER

    async def verify(client: LinkedInClient) -> str:
        return (await client.verify()).handle

    assert run_client(make_account(fake.url, author=MEMBER), verify) == fake.name
    with pytest.raises(Refused, match="belongs to member"):
        run_client(make_account(fake.url, author="urn:li:person:someoneelse"), verify)


def test_the_token_never_shows(account: Account) -> None:
    client = LinkedInClient(account)
    assert TOKEN not in repr(client)
    asyncio.run(client.aclose())


@pytest.mark.parametrize("page", [2, None])
def test_a_lost_comment_past_the_first_page_of_comments_is_found(
    fake: FakeLinkedIn, account: Account, page: int | None
) -> None:
    last_index = 25  # more comments than one of LinkedIn's default pages (10) or 20

    async def job(client: LinkedInClient) -> PublishedPost | None:
        client.comments_page = page or client.comments_page
        root = await client.create_post(request(f"1/{last_index} The post."))
        for index in range(2, last_index):
            await client.create_post(request(f"{index}/{last_index} On.", index, root=root))
        fake.inject("POST", "/rest/socialActions/", Fault.DROP_AFTER)
        last = request(f"{last_index}/{last_index} The last comment.", last_index, root=root)
        with pytest.raises(Unclear):
            await client.create_post(last)
        return await client.find_post(last)

    found = run_client(account, job)
    [comments] = fake.comments.values()
    assert found is not None and found.remote_id == comments[-1]["$URN"]
    assert len(comments) == last_index - 1  # found, not sent again
