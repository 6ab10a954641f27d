"""The Bluesky client against a real PDS (tests/platforms/conftest.py), and its error mapping."""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest

from composer.platforms.base import (
    PlatformClient,
    PostRequest,
    PublishedPost,
    RateLimited,
    Refused,
    Unavailable,
    Unclear,
)
from composer.platforms.bluesky import BlueskyClient, MemorySessionStore, record_cid
from composer.text.facets import TID_PATTERN, tid_timestamp
from composer.text.options import PostOptions
from tests.pds import PdsAccount

T = TypeVar("T")
MakeAccount = Callable[[], PdsAccount]
FIXED_NOW = 1_764_316_800.0  # 2025-11-28T08:00:00Z


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await scenario()

    return asyncio.run(main())


def key(name: str, index: int) -> str:
    return hashlib.sha256(f"test/{name}/{index}".encode()).hexdigest()


class Calls:
    """Counts the XRPC methods a client calls (an httpx event hook)."""

    def __init__(self) -> None:
        self.count: Counter[str] = Counter()

    async def __call__(self, request: httpx.Request) -> None:
        self.count[request.url.path.removeprefix("/xrpc/")] += 1


def http_client(
    calls: Calls, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport, event_hooks={"request": [calls]})


async def list_posts(
    pds: str, did: str, collection: str = "app.bsky.feed.post"
) -> list[dict[str, Any]]:
    """The records of `collection` in a repository, oldest first."""
    async with httpx.AsyncClient() as http:
        response = await http.get(
            f"{pds}/xrpc/com.atproto.repo.listRecords",
            params={
                "repo": did,
                "collection": collection,
                "limit": "100",
                "reverse": "true",
            },
        )
    assert response.status_code == 200, response.text
    records: list[dict[str, Any]] = response.json()["records"]
    return records


async def publish_thread(client: BlueskyClient, texts: list[str], name: str) -> list[PublishedPost]:
    posts: list[PublishedPost] = []
    for index, text in enumerate(texts, start=1):
        request = PostRequest(
            text,
            index,
            key(name, index),
            reply_to=posts[-1] if posts else None,
            root=posts[0] if posts else None,
            options=PostOptions(language="ru" if index == 1 else None),
        )
        posts.append(await client.create_post(request))
    return posts


def thread_texts(mention: str) -> list[str]:
    prefixes = ["Доклад ОБСЕ:", "👋🏽 🇰🇿 👨‍👩‍👧", "日本語のテキスト", "Қазақстан —", "Ёж 🦔 漢字"]
    texts = []
    for index in range(1, 13):
        prefix = prefixes[index % len(prefixes)]
        texts.append(
            f"{index}/12 {prefix} see https://example.com/доклад/{index}?p=1 and osce.org, "
            f"cc @{mention} and @nobody-here.test #Казахстан #OSCE{index} {prefix} 🇰🇿"
        )
    return texts


def check_facets(text: str, record: dict[str, Any], mentioned_did: str, mention: str) -> None:
    data = text.encode()
    seen = Counter()
    for facet in record.get("facets", []):
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        covered = data[start:end].decode()
        (feature,) = facet["features"]
        kind = feature["$type"].rsplit("#", 1)[1]
        seen[kind] += 1
        if kind == "link":
            assert feature["uri"] in (covered, "https://" + covered), (covered, feature)
        elif kind == "mention":
            assert covered == "@" + mention
            assert feature["did"] == mentioned_did
        else:
            assert covered == "#" + feature["tag"]
    # 2 links, 1 mention (the unresolvable @nobody-here.test stays plain), 2 tags
    assert seen == {"link": 2, "mention": 1, "tag": 2}, record.get("facets")


def test_client_is_a_platform_client() -> None:
    client: PlatformClient = BlueskyClient(FakeAccount())
    assert client.platform == "bluesky"
    run(client.aclose)


def test_twelve_post_thread(pds: str, make_account: MakeAccount) -> None:
    author, friend = make_account(), make_account()
    texts = thread_texts(friend.handle)
    calls = Calls()

    async def scenario() -> tuple[list[PublishedPost], list[dict[str, Any]]]:
        async with http_client(calls) as http:
            client = BlueskyClient(author.account, http=http, clock=lambda: FIXED_NOW)
            info = await client.verify()
            assert info.handle == author.handle
            posts = await publish_thread(client, texts, "twelve")
        return posts, await list_posts(pds, author.did)

    posts, records = run(scenario)
    assert calls.count["com.atproto.server.createSession"] == 1  # one login for 12 posts
    assert calls.count["com.atproto.server.refreshSession"] == 0
    assert calls.count["com.atproto.identity.resolveHandle"] == 2  # friend + nobody, cached
    assert calls.count["com.atproto.repo.createRecord"] == 12

    assert [record["uri"] for record in records] == [post.uri for post in posts]  # in order
    assert [record["cid"] for record in records] == [post.cid for post in posts]
    first = {"uri": posts[0].uri, "cid": posts[0].cid}
    for index, (text, record, post) in enumerate(zip(texts, records, posts, strict=True)):
        value = record["value"]
        assert value["text"] == text
        assert value["createdAt"] == "2025-11-28T08:00:00.000Z"
        check_facets(text, value, friend.did, friend.handle)
        rkey = post.uri.rsplit("/", 1)[1] if post.uri else ""
        assert TID_PATTERN.fullmatch(rkey)
        assert post.remote_id == post.uri
        assert post.url == f"https://bsky.app/profile/{author.handle}/post/{rkey}"
        assert post.uri and post.uri.startswith(f"at://{author.did}/app.bsky.feed.post/")
        if index == 0:
            assert "reply" not in value
            assert value["langs"] == ["ru"]
        else:
            assert "langs" not in value
            assert value["reply"]["root"] == first  # root is always the first post
            previous = posts[index - 1]
            assert value["reply"]["parent"] == {"uri": previous.uri, "cid": previous.cid}
    stamps = [tid_timestamp(post.uri.rsplit("/", 1)[1]) for post in posts if post.uri]
    assert stamps == [stamps[0] + offset for offset in range(12)]


def test_expired_access_token_is_refreshed_not_relogged(
    pds: str, make_account: MakeAccount
) -> None:
    author = make_account()
    store = MemorySessionStore()
    calls = Calls()

    async def scenario() -> None:
        async with http_client(calls) as http:
            first = BlueskyClient(author.account, http=http, session_store=store)
            assert (await first.verify()).handle == author.handle
            assert store.session is not None
            old_refresh = store.session["refreshJwt"]
            # The access token expires (here: becomes invalid) before the next run.
            store.session["accessJwt"] = "garbage.expired.token"
            second = BlueskyClient(author.account, http=http, session_store=store)
            post = await second.create_post(PostRequest("after a refresh", 1, key("refresh", 1)))
            assert post.uri
            assert store.session["accessJwt"] != "garbage.expired.token"
            assert store.session["refreshJwt"] != old_refresh  # rotated
            assert calls.count["com.atproto.server.createSession"] == 1
            assert calls.count["com.atproto.server.refreshSession"] == 1
            # Both tokens refused: only then a new login.
            store.save({**store.session, "accessJwt": "bad", "refreshJwt": "bad"})
            third = BlueskyClient(author.account, http=http, session_store=store)
            assert (await third.verify()).handle == author.handle
            assert calls.count["com.atproto.server.createSession"] == 2
            for client in (first, second, third):
                for secret in (author.password, store.session["accessJwt"], old_refresh):
                    assert secret not in repr(client)
                    assert secret not in str(client)
                assert author.password not in repr(store)

    run(scenario)


class DropAnswer(httpx.AsyncBaseTransport):
    """Delivers createRecord to the PDS, then loses the answer (a read timeout) once."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.dropped = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path.endswith("createRecord") and not self.dropped:
            await response.aread()
            await response.aclose()
            self.dropped += 1
            raise httpx.ReadTimeout("simulated: the answer was lost", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_retry_after_unclear_outcome_does_not_duplicate(
    pds: str, make_account: MakeAccount
) -> None:
    author = make_account()
    calls = Calls()
    transport = DropAnswer()
    request = PostRequest("Пост 1/1: once only 🇰🇿 #Казахстан", 1, key("unclear", 1))
    never_sent = PostRequest("never sent", 1, key("unclear", 99))

    async def scenario() -> None:
        async with http_client(calls, transport) as http:
            client = BlueskyClient(author.account, http=http)
            with pytest.raises(Unclear) as caught:
                await client.create_post(request)
            assert "ReadTimeout" in str(caught.value)
            found = await client.find_post(request)
            assert found is not None and found.uri and found.cid
            assert await client.find_post(never_sent) is None
            again = await client.create_post(request)  # the publisher retries anyway
            assert again == found
        records = await list_posts(pds, author.did)
        assert [record["uri"] for record in records] == [found.uri]
        assert calls.count["com.atproto.repo.createRecord"] == 2

    run(scenario)


def test_over_long_text_is_refused_with_the_servers_message(
    pds: str, make_account: MakeAccount
) -> None:
    author = make_account()

    async def scenario() -> None:
        async with BlueskyClient(author.account) as client:
            with pytest.raises(Refused) as caught:
                await client.create_post(PostRequest("я" * 301, 1, key("long", 1)))
            error = caught.value
            assert error.status == 400
            assert error.reason and "grapheme too big (maximum 300, got 301)" in error.reason
            assert error.reason in str(error)
            with pytest.raises(Refused) as caught_bytes:
                await client.create_post(PostRequest("👨‍👩‍👧" * 200, 1, key("long", 2)))
            assert caught_bytes.value.reason and "3000" in caught_bytes.value.reason
        assert await list_posts(pds, author.did) == []

    run(scenario)


def test_wrong_password_is_refused_without_the_password(
    pds: str, make_account: MakeAccount
) -> None:
    author = make_account()
    other = make_account()  # its password is wrong for the author
    account = type(author.account)(
        name="wrong",
        platform="bluesky",
        handle=author.handle,
        service=pds,
        secret_sources=other.account.secret_sources,
    )

    async def scenario() -> None:
        async with BlueskyClient(account) as client:
            with pytest.raises(Refused) as caught:
                await client.verify()
        assert caught.value.status == 401
        assert "Invalid identifier or password" in str(caught.value)
        assert other.password not in str(caught.value) + repr(caught.value)

    run(scenario)


def test_atomic_thread_with_apply_writes(pds: str, make_account: MakeAccount) -> None:
    author, friend = make_account(), make_account()
    texts = thread_texts(friend.handle)[:6]
    requests = [PostRequest(text, i, key("atomic", i)) for i, text in enumerate(texts, start=1)]
    calls = Calls()

    async def scenario() -> None:
        async with http_client(calls) as http:
            client = BlueskyClient(author.account, http=http)
            posts = await client.create_thread(requests)
            records = await list_posts(pds, author.did)
            assert [r["uri"] for r in records] == [p.uri for p in posts]
            assert [r["cid"] for r in records] == [p.cid for p in posts]  # CIDs computed right
            for index, (text, record) in enumerate(zip(texts, records, strict=True)):
                value = record["value"]
                assert value["text"] == text
                assert record_cid(value) == record["cid"]
                check_facets(text, value, friend.did, friend.handle)
                if index:
                    assert value["reply"]["root"] == {"uri": posts[0].uri, "cid": posts[0].cid}
                    parent = posts[index - 1]
                    assert value["reply"]["parent"] == {"uri": parent.uri, "cid": parent.cid}
            # The same thread again (after an unclear outcome): found, not written twice.
            assert await client.find_post(requests[0]) == posts[0]
            assert await client.create_thread(requests) == posts
            assert len(await list_posts(pds, author.did)) == len(texts)
            assert calls.count["com.atproto.repo.applyWrites"] == 2

    run(scenario)


# --- Error mapping, without a server ---------------------------------------------------------


class FakeAccount:
    api_url = "https://pds.example"
    handle = "alice.example"

    def secret(self, key: str) -> str:
        assert key == "app_password"
        return "app-pass-secret"


def offline_client(handler: Callable[[httpx.Request], httpx.Response]) -> BlueskyClient:
    session = {
        "did": "did:plc:alice",
        "handle": "alice.example",
        "accessJwt": "access-jwt-secret",
        "refreshJwt": "refresh-jwt-secret",
    }
    return BlueskyClient(
        FakeAccount(),
        http=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        clock=lambda: 1000.0,
        session_store=MemorySessionStore(session),
    )


def answer(status: int, headers: dict[str, str] | None = None) -> Callable[..., httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"error": "Err", "message": "server says no"} if status >= 400 else {}
        return httpx.Response(status, json=body, headers=headers)

    return handler


def post_once(client: BlueskyClient) -> None:
    async def scenario() -> None:
        await client.create_post(PostRequest("hello", 1, "k"))

    run(scenario)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"Retry-After": "42"}, 42.0), ({"RateLimit-Reset": "1060"}, 60.0), ({}, None)],
)
def test_rate_limited(headers: dict[str, str], expected: float | None) -> None:
    with pytest.raises(RateLimited) as caught:
        post_once(offline_client(answer(429, headers)))
    assert caught.value.retry_after == expected


def test_server_errors_are_unclear_for_writes_unavailable_for_reads() -> None:
    with pytest.raises(Unclear):
        post_once(offline_client(answer(502)))

    async def read() -> None:
        await offline_client(answer(503)).find_post(PostRequest("hello", 1, "k"))

    with pytest.raises(Unavailable):
        run(read)


def test_connection_failures() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def drop(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("createRecord"):
            raise httpx.RemoteProtocolError("dropped", request=request)
        return httpx.Response(400, json={"error": "RecordNotFound", "message": "no"})

    with pytest.raises(Unavailable):
        post_once(offline_client(refuse))
    with pytest.raises(Unclear) as caught:
        post_once(offline_client(drop))
    for secret in ("app-pass-secret", "access-jwt-secret", "refresh-jwt-secret"):
        assert secret not in str(caught.value) + repr(caught.value)


def test_unauthorised_after_refresh_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("refreshSession"):
            return httpx.Response(
                200,
                json={
                    "did": "did:plc:alice",
                    "handle": "alice.example",
                    "accessJwt": "new-access",
                    "refreshJwt": "new-refresh",
                },
            )
        return httpx.Response(401, json={"error": "AuthMissing", "message": "no access"})

    with pytest.raises(Refused) as caught:
        post_once(offline_client(handler))
    assert caught.value.status == 401
    assert "new-access" not in str(caught.value)
