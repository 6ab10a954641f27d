"""A daemon's claim on an edition: renewed while it publishes, given up when taken over.

A fake clock stands for the daemons' time (claims, leases), and a fake sleep moves it: a
rate-limit wait of ten minutes takes no time, against a one-minute lease.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col

from composer.daemon import run_round
from composer.platforms.mastodon import MastodonClient
from composer.publishing import Event, PublishResult, publish_edition
from composer.store import (
    Database,
    DraftText,
    Edition,
    EditionStatus,
    PostStatus,
    edition_posts,
    record_thread,
)
from composer.store.claims import ClaimLost, Holder, claim_due, renew
from composer.store.editions import find_edition
from composer.store.history import mark_post_sending
from composer.store.queue import schedule_edition
from composer.workspace.config import parse_config
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Response
from tests.helpers import scheduled_edition
from tests.publishing.test_publisher import TOKEN, account

LEASE = timedelta(minutes=1)
TEXTS = [f"{n}/4 What the monitors saw at polling station {n}." for n in range(1, 5)]
START = datetime(2030, 1, 10, 4, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    fake = FakeMastodon(token=TOKEN)
    with fake.running():
        yield fake


def claimed_edition(db: Database, clock: Clock, worker: str = "first") -> int:
    """An edition of TEXTS, due now, claimed by `worker` under a one-minute lease."""
    thread = record_thread(db, DraftText(title="Report", body="\n\n".join(TEXTS)))
    assert thread.id is not None
    edition = schedule_edition(
        db, thread.id, account="ank-masto", platform="mastodon", posts=TEXTS,
        at_utc=clock.now, zone="UTC",
    )  # fmt: skip
    assert edition.id is not None
    assert [c.edition_id for c in claim_due(db, clock.now, worker, LEASE)] == [edition.id]
    return edition.id


def publish(
    db: Database, url: str, edition_id: int, holder: Holder, clock: Clock, events: list[Event]
) -> PublishResult:
    async def main() -> PublishResult:
        client = MastodonClient(account(url), timeout=5)
        try:
            return await publish_edition(
                db, edition_id, client, listener=events.append, sleep=clock.sleep, holder=holder
            )
        finally:
            await client.aclose()

    return asyncio.run(main())


def assert_chain(fake: FakeMastodon) -> None:
    thread = fake.thread()
    assert [s["text"] for s in thread] == TEXTS  # each post once, in order
    for before, after in itertools.pairwise(thread):
        assert after["in_reply_to_id"] == before["id"]


class LimitedMastodon(FakeMastodon):
    """FakeMastodon whose first request for `limited_text` gets a 429 resetting
    `limit_wait` later (in real time: the client computes its wait from the header)."""

    limited_text: str | None = None
    limit_wait = timedelta(minutes=10)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limited: list[datetime] = []
        self._reset: str | None = None

    def create_status(self, request: Any) -> Response:
        if not self.limited and self._params(request).get("status") == self.limited_text:
            self.limited.append(datetime.now(UTC))
            reset = datetime.now(UTC) + self.limit_wait
            self._reset = reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            return Response(429, {"error": "Too many requests"})
        return super().create_status(request)

    def _rate_headers(self, *, spend: bool) -> dict[str, str]:
        headers = super()._rate_headers(spend=spend)
        if self._reset is not None:
            headers.update({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": self._reset})
            self._reset = None
        return headers


def test_a_long_rate_limit_wait_keeps_the_claim(db: Database) -> None:
    mastodon = LimitedMastodon(token=TOKEN)
    mastodon.limited_text = TEXTS[1]
    clock = Clock()
    edition_id = claimed_edition(db, clock)
    holder = Holder("first", LEASE, clock)
    stolen: list[int] = []
    real_sleep = clock.sleep

    async def sleep_and_probe(seconds: float) -> None:
        await real_sleep(seconds)
        # Another daemon looks for expired claims at every moment the first one sleeps.
        stolen.extend(c.edition_id for c in claim_due(db, clock.now, "second", LEASE))

    clock.sleep = sleep_and_probe  # type: ignore[method-assign]
    events: list[Event] = []
    with mastodon.running():
        outcome = publish(db, mastodon.url, edition_id, holder, clock, events)
    assert mastodon.limited, "post 2 was never rate limited"
    waits = [e.delay for e in events if e.kind == "waiting"]
    assert waits and waits[0] is not None and waits[0] > 5 * LEASE.total_seconds()
    assert stolen == []  # ten minutes of waiting under a one-minute lease, never lost
    assert outcome.status is EditionStatus.PUBLISHED, outcome.error
    assert_chain(mastodon)
    edition = find_edition(db, edition_id)
    assert edition.claimed_by == "first"
    assert edition.claimed_until is not None and edition.claimed_until >= clock.now


def test_a_claim_lost_to_another_daemon_stops_at_once_and_resumes_there(
    db: Database, mastodon: FakeMastodon
) -> None:
    clock = Clock()
    edition_id = claimed_edition(db, clock)
    first = Holder("first", LEASE, clock)
    taken: list[int] = []

    def take_over(event: Event) -> None:
        # After post 2, the first daemon stalls past its lease (a frozen VM, a suspended
        # laptop) and a second daemon claims the edition.
        if event.kind == "sent" and event.index == 2 and not taken:
            clock.now += 2 * LEASE
            taken.extend(c.edition_id for c in claim_due(db, clock.now, "second", LEASE))

    events: list[Event] = []

    def listen(event: Event) -> None:
        events.append(event)
        take_over(event)

    async def main() -> PublishResult:
        client = MastodonClient(account(mastodon.url), timeout=5)
        try:
            return await publish_edition(
                db, edition_id, client, listener=listen, sleep=clock.sleep, holder=first
            )
        finally:
            await client.aclose()

    outcome = asyncio.run(main())
    assert taken == [edition_id]
    assert outcome.status is EditionStatus.PUBLISHING  # left to the daemon that holds it
    assert outcome.sent == 2 and "another process" in (outcome.error or "")
    assert [s["text"] for s in mastodon.thread()] == TEXTS[:2]  # post 3 never sent by it
    ledger = edition_posts(db, edition_id)
    assert [p.status for p in ledger] == [PostStatus.SENT] * 2 + [PostStatus.PENDING] * 2
    edition = find_edition(db, edition_id)
    assert (edition.status, edition.claimed_by) == (EditionStatus.PUBLISHING, "second")

    second = publish(db, mastodon.url, edition_id, Holder("second", LEASE, clock), clock, [])
    assert second.status is EditionStatus.PUBLISHED, second.error
    assert_chain(mastodon)


def test_marking_a_post_sending_needs_the_claim(db: Database) -> None:
    clock = Clock()
    edition_id = claimed_edition(db, clock)
    first, second = (p.id for p in edition_posts(db, edition_id)[:2])
    assert first is not None and second is not None
    clock.now += LEASE / 2
    mark_post_sending(db, first, holder=Holder("first", LEASE, clock))  # renews the claim
    assert find_edition(db, edition_id).claimed_until == clock.now + LEASE
    with pytest.raises(ClaimLost):
        mark_post_sending(db, second, holder=Holder("someone else", LEASE, clock))
    with pytest.raises(ClaimLost):
        renew(db, edition_id, Holder("someone else", LEASE, clock))
    with db.session() as session:  # another daemon's claim, after ours ran out
        session.connection().execute(
            sa.update(Edition).where(col(Edition.id) == edition_id).values(claimed_by="second")
        )
    with pytest.raises(ClaimLost):
        mark_post_sending(db, second, holder=Holder("first", LEASE, clock))
    assert edition_posts(db, edition_id)[1].status is PostStatus.PENDING  # nothing written


def test_a_renewal_extends_the_claim_from_now(db: Database) -> None:
    edition_id = scheduled_edition(db, START)
    claim_due(db, START, "w", LEASE)
    renew(db, edition_id, Holder("w", LEASE, lambda: START + LEASE))
    assert find_edition(db, edition_id).claimed_until == START + 2 * LEASE


def test_a_round_whose_claim_is_taken_over_leaves_the_edition_to_the_new_holder(
    db: Database, mastodon: FakeMastodon, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEASE_TEST_TOKEN", TOKEN)
    config = parse_config(
        f'[accounts.ank-masto]\nplatform = "mastodon"\ninstance = "{mastodon.url}"\n'
        'access_token_env = "LEASE_TEST_TOKEN"\n',
        name="accounts.toml",
    )
    now = datetime.now(UTC)
    thread = record_thread(db, DraftText(title="Report", body="\n\n".join(TEXTS)))
    assert thread.id is not None
    edition = schedule_edition(
        db, thread.id, account="ank-masto", platform="mastodon", posts=TEXTS,
        at_utc=now - timedelta(seconds=1), zone="UTC",
    )  # fmt: skip
    assert edition.id is not None

    def take_over(post: dict[str, Any]) -> None:
        # Post 1 is stored; meanwhile (the first daemon frozen past its lease) another
        # daemon has claimed the edition.
        mastodon.on_store = None
        with db.session() as session:
            session.connection().execute(
                sa.update(Edition)
                .where(col(Edition.id) == edition.id)
                .values(claimed_by="second", claimed_until=now + LEASE)
            )

    mastodon.on_store = take_over
    result = asyncio.run(run_round(db, config, now=now, worker="first", lease=LEASE))
    [outcome] = result.outcomes
    assert outcome.status is EditionStatus.PUBLISHING and outcome.sent == 1
    assert [s["text"] for s in mastodon.thread()] == TEXTS[:1]  # nothing more from "first"
    left = find_edition(db, edition.id)
    assert (left.status, left.claimed_by) == (EditionStatus.PUBLISHING, "second")


def test_a_heartbeat_keeps_the_claim_through_a_request_longer_than_the_lease(
    db: Database, tmp_path: Path
) -> None:
    """A write slower than the whole lease (real time here): the heartbeat renews the claim
    beside the request, so another process trying all along never gets the edition."""
    lease = timedelta(seconds=1.5)  # the heartbeat renews every half second
    slow = FakeMastodon(token=TOKEN)
    slow.write_delay = 3.0
    with slow.running():
        now = datetime.now(UTC)
        thread = record_thread(db, DraftText(title="Report", body="\n\n".join(TEXTS[:2])))
        assert thread.id is not None
        edition = schedule_edition(
            db, thread.id, account="ank-masto", platform="mastodon", posts=TEXTS[:2],
            at_utc=now, zone="UTC",
        )  # fmt: skip
        assert edition.id is not None
        holder = Holder("first", lease)
        assert [c.edition_id for c in claim_due(db, now, "first", lease)] == [edition.id]
        stolen: list[int] = []

        async def main() -> PublishResult:
            client = MastodonClient(account(slow.url), timeout=10)

            async def thief() -> None:
                while True:
                    await asyncio.sleep(0.2)
                    taken = claim_due(db, datetime.now(UTC), "second", lease)
                    stolen.extend(c.edition_id for c in taken)

            stealing = asyncio.create_task(thief())
            try:
                return await publish_edition(db, edition.id, client, holder=holder)
            finally:
                stealing.cancel()
                await client.aclose()

        outcome = asyncio.run(main())
    assert stolen == []
    assert outcome.finished and len(slow.thread()) == 2
