"""The publisher's ledger rules against a loopback Mastodon: in order, never twice, resumable."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from composer.platforms.base import PostRequest
from composer.platforms.mastodon import MastodonClient
from composer.publishing import Event, PublishResult, publish_edition
from composer.store import (
    Database,
    DraftText,
    EditionStatus,
    PostStatus,
    create_edition,
    edition_posts,
    record_thread,
    set_post_status,
)
from composer.workspace.config import Account, Secret, SecretSource
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Fault

TOKEN = "tok-publisher-test-77c1"
STATUSES = "/api/v1/statuses"
TEXTS = [f"{n}/10 Post number {n} of the observation report." for n in range(1, 11)]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeMastodon]:
    server = FakeMastodon(token=TOKEN)
    server.STALL_SECONDS = 1.0
    with server.running():
        yield server


@pytest.fixture
def mastodon(fake: FakeMastodon) -> FakeMastodon:
    fake.reset()
    fake.STALL_SECONDS = 1.0
    return fake


def account(url: str) -> Account:
    source = SecretSource("access_token", "inline", "", 1, Secret(TOKEN))
    return Account(
        name="ank-masto",
        platform="mastodon",
        instance=url,
        reply_visibility="unlisted",
        secret_sources={"access_token": source},
    )


def new_edition(db: Database, texts: list[str] = TEXTS) -> int:
    thread = record_thread(db, DraftText(title="Report", body="\n\n".join(texts)))
    assert thread.id is not None
    edition = create_edition(db, thread.id, account="ank-masto", platform="mastodon", posts=texts)
    assert edition.id is not None
    return edition.id


def publish(
    db: Database, url: str, edition_id: int, events: list[Event] | None = None
) -> PublishResult:
    waits: list[float] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    async def main() -> PublishResult:
        client = MastodonClient(account(url), timeout=0.5)
        try:
            return await publish_edition(
                db, edition_id, client, listener=(events.append if events is not None else None),
                sleep=no_wait,
            )  # fmt: skip
        finally:
            await client.aclose()

    return asyncio.run(main())


def assert_chain(fake: FakeMastodon, texts: list[str] = TEXTS) -> None:
    """Each text exactly once, each replying to the previous one."""
    thread = fake.thread()
    assert [s["text"] for s in thread] == texts
    assert thread[0]["in_reply_to_id"] is None and thread[0]["visibility"] == "public"
    for before, after in itertools.pairwise(thread):
        assert after["in_reply_to_id"] == before["id"]
        assert after["visibility"] == "unlisted"


def test_a_thread_goes_out_in_order(db: Database, mastodon: FakeMastodon) -> None:
    edition_id = new_edition(db)
    events: list[Event] = []
    outcome = publish(db, mastodon.url, edition_id, events)
    assert outcome.status is EditionStatus.PUBLISHED and outcome.sent == 10
    assert_chain(mastodon)
    ledger = edition_posts(db, edition_id)
    assert all(p.status is PostStatus.SENT and p.remote_url for p in ledger)
    assert [e.index for e in events if e.kind == "sent"] == list(range(1, 11))


@pytest.mark.parametrize(
    "fault", [Fault.DROP_AFTER, Fault.STALL, Fault.SERVER_ERROR, Fault.RATE_LIMIT]
)
def test_faults_never_duplicate_or_lose_a_post(
    db: Database, mastodon: FakeMastodon, fault: Fault
) -> None:
    edition_id = new_edition(db)
    # Posts 1-3 go through, then post 4 meets the fault (twice), then all is well.
    original = mastodon.create_status
    calls = {"n": 0}

    def create(request: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 4:
            mastodon.inject("POST", STATUSES, fault, fault)
        return original(request)

    mastodon.route("POST", STATUSES, mastodon._api(create))
    try:
        outcome = publish(db, mastodon.url, edition_id)
    finally:
        mastodon.route("POST", STATUSES, mastodon._api(original))
    assert outcome.status is EditionStatus.PUBLISHED, outcome.error
    assert_chain(mastodon)


def test_refusal_stops_and_a_rerun_resumes(db: Database, mastodon: FakeMastodon) -> None:
    texts = [*TEXTS[:4], "x" * 600, *TEXTS[5:]]  # post 5 is over the instance's limit
    edition_id = new_edition(db, texts)
    outcome = publish(db, mastodon.url, edition_id)
    assert outcome.status is EditionStatus.PARTIAL and outcome.sent == 4
    assert outcome.error and "post 5" in outcome.error and "character limit" in outcome.error
    assert len(mastodon.statuses) == 4
    # The instance raises its limit; the same command resumes at post 5, replying to post 4.
    mastodon.max_characters = 1000
    again = publish(db, mastodon.url, edition_id)
    assert again.status is EditionStatus.PUBLISHED
    assert_chain(mastodon, texts)


def test_crash_after_sending_before_committing_is_resolved(
    db: Database, mastodon: FakeMastodon
) -> None:
    """A publisher killed after the platform stored post 1 but before the ledger knew."""
    texts = TEXTS[:3]
    edition_id = new_edition(db, texts)
    first = edition_posts(db, edition_id)[0]
    assert first.id is not None

    async def send_behind_the_ledgers_back() -> None:
        client = MastodonClient(account(mastodon.url))
        try:
            await client.create_post(PostRequest(first.text, 1, first.idempotency_key))
        finally:
            await client.aclose()

    asyncio.run(send_behind_the_ledgers_back())
    set_post_status(db, first.id, PostStatus.SENDING)  # what the killed process left
    outcome = publish(db, mastodon.url, edition_id)
    assert outcome.finished
    assert_chain(mastodon, texts)  # post 1 was found, not sent again


def test_giving_up_says_what_failed_the_last_time(db: Database, mastodon: FakeMastodon) -> None:
    """Not "gave up after 8 attempts" alone: the person is told what kept failing, in plain
    words, with the platform's status (issue 15)."""
    edition_id = new_edition(db, TEXTS[:2])
    mastodon.inject("POST", STATUSES, *[Fault.SERVER_ERROR] * 40)  # a replay takes one too
    outcome = publish(db, mastodon.url, edition_id)
    assert outcome.status is EditionStatus.FAILED and outcome.sent == 0
    assert outcome.error is not None
    assert outcome.error.startswith("post 1: gave up after 8 attempts; the last time: ")
    assert "(the platform's server failed, HTTP 500)" in outcome.error
    assert mastodon.statuses == {}


def test_an_unreachable_platform_is_said_in_plain_words(db: Database) -> None:
    """No `ConnectError`, no endpoint: what a person can act on."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    edition_id = new_edition(db, TEXTS[:2])
    outcome = publish(db, url, edition_id)
    assert outcome.status is EditionStatus.FAILED and outcome.error is not None
    assert "could not reach Mastodon: no connection" in outcome.error
    assert "ConnectError" not in outcome.error and "/api/v1" not in outcome.error
