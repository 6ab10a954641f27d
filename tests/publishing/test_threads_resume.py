"""A publisher that dies after Threads published from a container, before it heard back:
the ledger kept the container, so the next run checks it and never publishes twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from composer.platforms.threads import ThreadsClient
from composer.publishing import Event, publish_edition
from composer.store import (
    Database,
    DraftText,
    PostStatus,
    create_edition,
    edition_posts,
    record_thread,
)
from tests.fakes.server import Fault
from tests.fakes.threads import USER_ID, VERSION, FakeThreads
from tests.platforms.test_threads import TOKEN, TOKEN_ENV, make_account

TEXTS = [f"Post {n} of the statement on the vote count." for n in range(1, 5)]


class Died(BaseException):
    """Stands for SIGKILL: nothing after it runs, no except clause catches it."""


@pytest.fixture
def fake() -> Iterator[FakeThreads]:
    server = FakeThreads(token=TOKEN, user_id=USER_ID)
    with server.running():
        yield server


def run(db: Database, url: str, edition_id: int, die_when_resolving: bool = False) -> None:
    def listener(event: Event) -> None:
        if die_when_resolving and event.kind == "resolving":
            raise Died

    async def no_wait(seconds: float) -> None:
        pass

    async def main() -> None:
        client = ThreadsClient(make_account(url + VERSION), timeout=1.0, poll_interval=0.0)
        try:
            await publish_edition(db, edition_id, client, listener=listener, sleep=no_wait)
        finally:
            await client.aclose()

    asyncio.run(main())


def test_container_survives_a_crash(
    db: Database, fake: FakeThreads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    thread = record_thread(db, DraftText(title="T", body="\n".join(TEXTS)))
    assert thread.id is not None
    edition = create_edition(db, thread.id, account="t", platform="threads", posts=TEXTS)
    assert edition.id is not None
    # Post 1 is published from its container, the answer is lost, and the process dies
    # before it can ask Threads what happened.
    fake.inject("POST", f"{VERSION}/{USER_ID}/threads_publish", Fault.DROP_AFTER)
    with pytest.raises(Died):
        run(db, fake.url, edition.id, die_when_resolving=True)
    ledger = edition_posts(db, edition.id)
    assert ledger[0].status is PostStatus.SENDING and ledger[0].remote_container
    assert len(fake.posts) == 1  # Threads has post 1; the ledger does not know it yet
    run(db, fake.url, edition.id)
    assert [p["text"] for p in fake.thread()] == TEXTS  # post 1 once, then the rest
    assert fake.publish_calls == len(TEXTS)
    assert all(p.status is PostStatus.SENT for p in edition_posts(db, edition.id))
