"""Taking an edition back, in process: the waits a rate limit asks for are respected (from
the platform's own headers), a refusal stops with the platform's reason, the claim keeps a
second front end and the daemons away, and a follow-up is taken back first."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from composer.platforms.mastodon import MastodonClient
from composer.platforms.x import XClient
from composer.publishing import (
    Event,
    RetractResult,
    publish_edition,
    retract,
    retract_plan,
)
from composer.store import (
    Database,
    DraftText,
    EditionBusy,
    EditionStatus,
    Holder,
    PostStatus,
    StoreError,
    claim_due,
    claim_retraction,
    create_edition,
    edition_posts,
    find_edition,
    record_thread,
    release,
)
from composer.workspace.config import Config, load_config
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Fault
from tests.fakes.x import FakeX
from tests.helpers import mastodon_account, write_accounts, x_account

TOKEN = "tok-retract-test-5d2e"
X_SECRETS = {"RX_A": "ck", "RX_B": "cs-secret", "RX_C": "at", "RX_D": "ats-secret"}
TEXTS = [f"{n}/4 Post {n} of the monitoring report." for n in range(1, 5)]


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    fake = FakeMastodon(token=TOKEN)
    with fake.running():
        yield fake


@pytest.fixture
def x() -> Iterator[FakeX]:
    fake = FakeX(
        consumer_key="ck", consumer_secret="cs-secret", access_token="at",
        access_token_secret="ats-secret",
    )  # fmt: skip
    with fake.running():
        yield fake


def config_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **urls: str) -> Config:
    monkeypatch.setenv("RETRACT_TOKEN", TOKEN)
    for name, value in X_SECRETS.items():
        monkeypatch.setenv(name, value)
    accounts = {}
    if "mastodon" in urls:
        accounts["m"] = mastodon_account(urls["mastodon"], "RETRACT_TOKEN")
    if "x" in urls:
        accounts["x"] = x_account(tuple(X_SECRETS), base_url=urls["x"], handle="@ankreports")
    return load_config(write_accounts(tmp_path, accounts))


def published(db: Database, config: Config, name: str, follows: int | None = None) -> int:
    """An edition of TEXTS on account `name`, published through its client."""
    thread = record_thread(db, DraftText(title="Report", body="\n\n".join(TEXTS)))
    assert thread.id is not None
    account = config.account(name)
    edition = create_edition(
        db,
        thread.id,
        account=name,
        platform=account.platform,
        posts=TEXTS,
        follows_edition_id=follows,
    )
    assert edition.id is not None

    async def send() -> None:
        client = (MastodonClient if account.platform == "mastodon" else XClient)(account)
        try:
            result = await publish_edition(db, edition.id, client)  # type: ignore[arg-type]
        finally:
            await client.aclose()
        assert result.finished, result.error

    asyncio.run(send())
    if follows is None:
        return edition.id
    return edition.id


def take_back(
    db: Database, config: Config, edition_id: int, waits: list[float], **options: bool
) -> list[RetractResult]:
    """Retract as the CLI does, without waiting: `waits` gets each wait asked for."""

    async def sleep(delay: float) -> None:
        await asyncio.sleep(0)

    def listener(event: Event) -> None:
        if event.kind == "waiting":
            waits.append(event.delay or 0.0)

    plan = retract_plan(db, edition_id, with_follow_ups=options.get("with_follow_ups", False))
    holder = Holder.for_this_process("test")
    return asyncio.run(retract(db, plan, config, listener, holder=holder, sleep=sleep))


def test_a_mastodon_rate_limit_midway_is_waited_out_as_its_headers_say(
    db: Database, mastodon: FakeMastodon, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = config_for(tmp_path, monkeypatch, mastodon=mastodon.url)
    edition_id = published(db, config, "m")
    ids = [post.remote_id for post in edition_posts(db, edition_id)]

    def limit_after_first(post_id: str) -> None:
        mastodon.on_delete = None
        mastodon.inject("DELETE", "/api/v1/statuses/", Fault.RATE_LIMIT)

    mastodon.on_delete = limit_after_first
    waits: list[float] = []
    started = time.time()
    [result] = take_back(db, config, edition_id, waits)
    assert result.finished and result.deleted == 4
    assert mastodon.deleted == ids[::-1]  # each once, last first
    assert mastodon.statuses == {}
    # The wait is the time to the end of Mastodon's 5-minute window (X-RateLimit-Reset).
    window_end = (int(started) // 300 + 1) * 300
    assert len(waits) == 1 and 0 < waits[0] <= window_end - started + 1
    assert [p.status for p in edition_posts(db, edition_id)] == [PostStatus.RETRACTED] * 4


def test_an_x_rate_limit_midway_waits_for_its_reset(
    db: Database, x: FakeX, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = config_for(tmp_path, monkeypatch, x=x.url)
    edition_id = published(db, config, "x")
    x.window_reset = int(time.time()) + 120

    def limit_after_second(post_id: str) -> None:
        if len(x.deleted) == 2:
            x.inject("DELETE", "/2/tweets/", Fault.RATE_LIMIT)

    x.on_delete = limit_after_second
    waits: list[float] = []
    [result] = take_back(db, config, edition_id, waits)
    assert result.finished and x.tweets == {} and len(x.deleted) == 4
    assert len(waits) == 1 and 100 < waits[0] <= 121  # x-rate-limit-reset, not a guess


def test_a_refusal_stops_and_keeps_what_is_still_up(
    db: Database, mastodon: FakeMastodon, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = config_for(tmp_path, monkeypatch, mastodon=mastodon.url)
    edition_id = published(db, config, "m")

    def revoke(post_id: str) -> None:
        mastodon.token = "revoked"

    mastodon.on_delete = revoke
    [result] = take_back(db, config, edition_id, [])
    assert not result.finished and result.retracted == 1 and result.total == 4
    assert "access token is invalid" in (result.error or "")
    assert len(result.still_up) == 3
    edition = find_edition(db, edition_id)
    assert edition.status is EditionStatus.RETRACTING and edition.claimed_by is None
    assert len(mastodon.statuses) == 3


def test_a_retraction_keeps_a_second_front_end_and_the_daemons_away(
    db: Database, mastodon: FakeMastodon, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = config_for(tmp_path, monkeypatch, mastodon=mastodon.url)
    edition_id = published(db, config, "m")
    plan = retract_plan(db, edition_id, with_follow_ups=False)
    first = Holder("tui host 1 boot 2026-12-04T00:00:00Z")
    claim_retraction(db, edition_id, first)
    requests = len(mastodon.requests)
    second = Holder.for_this_process("retract")
    with pytest.raises(EditionBusy, match="being retracted"):
        asyncio.run(retract(db, plan, config, holder=second))
    assert len(mastodon.requests) == requests  # nothing deleted, nothing asked
    # A daemon never takes it, claimed or not, however late.
    later = datetime.now(UTC) + timedelta(days=1)
    assert claim_due(db, later, "daemon-a") == []
    release(db, edition_id, first.worker)
    assert claim_due(db, later, "daemon-a") == []
    assert find_edition(db, edition_id).status is EditionStatus.RETRACTING
    [result] = take_back(db, config, edition_id, [])
    assert result.finished and mastodon.statuses == {}


def test_follow_ups_are_taken_back_first_only_when_asked(
    db: Database, mastodon: FakeMastodon, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = config_for(tmp_path, monkeypatch, mastodon=mastodon.url)
    original = published(db, config, "m")
    follow_up = published(db, config, "m", follows=original)
    plan = retract_plan(db, original, with_follow_ups=False)
    assert [t.edition_id for t in plan.targets] == [original]
    assert plan.follow_ups_left == (follow_up,)
    assert "with-follow-ups" in (plan.note() or "")
    plan = retract_plan(db, original, with_follow_ups=True)
    assert [t.edition_id for t in plan.targets] == [follow_up, original]
    assert plan.posts == 8 and "8" not in plan.question()  # each edition named with its own
    assert "4 posts of edition" in plan.question() and "from m (Mastodon)" in plan.question()
    ids = [p.remote_id for e in (original, follow_up) for p in edition_posts(db, e)]
    results = take_back(db, config, original, [], with_follow_ups=True)
    assert [r.finished for r in results] == [True, True]
    assert mastodon.deleted == ids[::-1]  # the whole conversation, last post first


def test_what_cannot_be_taken_back_is_one_line(db: Database) -> None:
    thread = record_thread(db, DraftText(title="T", body="x"))
    assert thread.id is not None
    at = datetime.now(UTC) + timedelta(days=1)
    scheduled = create_edition(
        db, thread.id, account="m", platform="mastodon", posts=["x"], scheduled_at=at
    )
    assert scheduled.id is not None
    with pytest.raises(StoreError, match="is scheduled: only an edition that was published"):
        retract_plan(db, scheduled.id, with_follow_ups=False)
    with pytest.raises(StoreError, match="no edition 999"):
        retract_plan(db, 999, with_follow_ups=False)


def test_check_reports_no_problem_for_a_retracted_edition(
    db: Database, mastodon: FakeMastodon, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from composer.notify.health import problems
    from composer.store import daemon_started, upcoming

    config = config_for(tmp_path, monkeypatch, mastodon=mastodon.url)
    edition_id = published(db, config, "m")
    [result] = take_back(db, config, edition_id, [])
    assert result.finished
    now = datetime.now(UTC)
    daemon_started(db, "h:1", host="h", pid=1, now=now)
    assert problems(db, now, max_silence=timedelta(hours=1)) == []
    [entry] = upcoming(db, include_done=True, now=now)  # `queue --all` shows it as it is
    assert entry.status is EditionStatus.RETRACTED and entry.resume_command() is None


def test_check_reports_a_retraction_that_stopped_with_posts_still_up(
    db: Database, mastodon: FakeMastodon, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from composer.notify.health import problems
    from composer.store import daemon_started

    config = config_for(tmp_path, monkeypatch, mastodon=mastodon.url)
    edition_id = published(db, config, "m")
    mastodon.token = "revoked"
    [result] = take_back(db, config, edition_id, [])
    assert not result.finished
    now = datetime.now(UTC)
    daemon_started(db, "h:1", host="h", pid=1, now=now)
    [problem] = problems(db, now, max_silence=timedelta(hours=1))
    assert problem.kind == "interrupted" and problem.edition_id == edition_id
    assert "retraction stopped with posts still up" in problem.text
    assert problem.text.endswith(f"resume: thread-composer retract {edition_id}")
