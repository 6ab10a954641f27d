"""Follow-ups: an edition that continues a published one replies to its last post (the
conversation's root kept on Bluesky), resumes in the right place, and waits for its parent."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from composer.daemon import run_round
from composer.platforms.base import PlatformClient
from composer.platforms.bluesky import BlueskyClient
from composer.platforms.mastodon import MastodonClient
from composer.platforms.x import XClient
from composer.publishing import PublishResult, publish_edition
from composer.store import (
    Database,
    DraftText,
    EditionStatus,
    PostStatus,
    create_edition,
    edition_posts,
    open_database,
    record_thread,
)
from composer.store.claims import claim_due
from composer.store.editions import find_edition
from composer.store.follow_ups import last_number
from composer.store.queue import cancel, schedule_edition
from composer.workspace.config import parse_config
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Fault
from tests.platforms.test_x import oauth1_account, oauth1_fake

from ..platforms.test_bluesky import MakeAccount, list_posts
from .test_publisher import STATUSES, account

TOKEN = "tok-publisher-test-77c1"  # the one test_publisher's account() carries
PARENT = [f"{n}/3 The count in district {n} was slow." for n in range(1, 4)]
FOLLOW = ["4/5 Update: observers were expelled.", "5/5 The commission has not answered."]
NOW = datetime(2030, 1, 10, 4, 0, tzinfo=UTC)


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    server = FakeMastodon(token=TOKEN)
    server.STALL_SECONDS = 1.0
    with server.running():
        yield server


def edition(
    db: Database,
    texts: list[str],
    *,
    follows: int | None = None,
    start: int | None = None,
    account_name: str = "ank-masto",
    platform: str = "mastodon",
) -> int:
    thread = record_thread(db, DraftText(title="Report", body="\n\n".join(texts)))
    assert thread.id is not None
    made = create_edition(
        db,
        thread.id,
        account=account_name,
        platform=platform,
        posts=texts,
        follows_edition_id=follows,
        numbering_start=start,
    )
    assert made.id is not None
    return made.id


def send(db: Database, edition_id: int, make: Any) -> PublishResult:
    async def no_wait(seconds: float) -> None:
        pass

    async def main() -> PublishResult:
        client: PlatformClient = make()
        try:
            return await publish_edition(db, edition_id, client, sleep=no_wait)
        finally:
            await client.aclose()

    return asyncio.run(main())


def masto(url: str) -> Any:
    return lambda: MastodonClient(account(url), timeout=0.5)


def chain_ids(fake: FakeMastodon) -> list[str]:
    """Statuses in creation order, checking each replies to the one before."""
    thread = fake.thread()
    assert thread[0]["in_reply_to_id"] is None
    for before, after in itertools.pairwise(thread):
        assert after["in_reply_to_id"] == before["id"]
    return [s["text"] for s in thread]


# --- Mastodon -------------------------------------------------------------------------------
def test_a_follow_up_replies_to_the_last_post_of_the_thread(
    db: Database, mastodon: FakeMastodon
) -> None:
    parent = edition(db, PARENT)
    assert send(db, parent, masto(mastodon.url)).finished
    follow = edition(db, FOLLOW, follows=parent, start=4)
    outcome = send(db, follow, masto(mastodon.url))
    assert outcome.finished, outcome.error
    last_of_parent = edition_posts(db, parent)[-1].remote_id
    first_of_follow = edition_posts(db, follow)[0]
    assert mastodon.statuses[str(first_of_follow.remote_id)]["in_reply_to_id"] == last_of_parent
    assert chain_ids(mastodon) == PARENT + FOLLOW
    # A follow-up of the follow-up goes on from its last post.
    third = edition(db, ["6/6 The results were annulled."], follows=follow, start=6)
    assert send(db, third, masto(mastodon.url)).finished
    assert chain_ids(mastodon) == [*PARENT, *FOLLOW, "6/6 The results were annulled."]


@pytest.mark.parametrize("fault", [Fault.DROP_AFTER, Fault.SERVER_ERROR, Fault.RATE_LIMIT])
def test_a_fault_on_the_first_follow_up_post_still_replies_to_the_parent(
    db: Database, mastodon: FakeMastodon, fault: Fault
) -> None:
    parent = edition(db, PARENT)
    assert send(db, parent, masto(mastodon.url)).finished
    follow = edition(db, FOLLOW, follows=parent, start=4)
    mastodon.inject("POST", STATUSES, fault, fault)
    outcome = send(db, follow, masto(mastodon.url))
    assert outcome.finished, outcome.error
    assert chain_ids(mastodon) == PARENT + FOLLOW  # once each, in one chain


def test_a_follow_up_stopped_midway_resumes_in_the_right_place(
    db: Database, mastodon: FakeMastodon
) -> None:
    parent = edition(db, PARENT)
    assert send(db, parent, masto(mastodon.url)).finished
    follow = edition(db, FOLLOW, follows=parent, start=4)

    # Post 1 of the follow-up goes out, then the token is revoked: post 2 is refused, it stops.
    def revoke(status: dict[str, Any]) -> None:
        mastodon.token = "revoked"

    mastodon.on_store = revoke
    stopped = send(db, follow, masto(mastodon.url))
    assert stopped.status is EditionStatus.PARTIAL and stopped.sent == 1
    mastodon.on_store = None
    mastodon.token = TOKEN
    resumed = send(db, follow, masto(mastodon.url))
    assert resumed.finished, resumed.error
    assert chain_ids(mastodon) == PARENT + FOLLOW


def test_a_follow_up_of_an_unpublished_edition_is_not_sent(
    db: Database, mastodon: FakeMastodon
) -> None:
    parent = edition(db, PARENT)  # never published
    follow = edition(db, FOLLOW, follows=parent, start=4)
    outcome = send(db, follow, masto(mastodon.url))
    assert outcome.status is EditionStatus.FAILED
    assert f"edition {parent}" in (outcome.error or "")
    assert mastodon.statuses == {}


def test_numbers_go_on_across_updates() -> None:
    # Pure ledger arithmetic, on a throwaway database.
    database = open_database("sqlite://")
    try:
        first = edition(database, PARENT)
        assert last_number(database, first) == 3
        continued = edition(database, FOLLOW, follows=first, start=4)
        assert last_number(database, continued) == 5
        update = edition(database, ["UPDATE: a note."], follows=continued, start=None)
        assert last_number(database, update) == 5  # an update takes no numbers
        after = edition(database, ["6/6 More."], follows=update, start=6)
        assert last_number(database, after) == 6
    finally:
        database.close()


# --- X --------------------------------------------------------------------------------------
def test_on_x_the_follow_up_replies_to_the_last_tweet(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = oauth1_fake()
    with fake.running():
        x_account = oauth1_account(fake.url, monkeypatch)
        make = lambda: XClient(x_account)  # noqa: E731
        parent = edition(db, PARENT, account_name="ank-x", platform="x")
        assert send(db, parent, make).finished
        follow = edition(db, FOLLOW, follows=parent, start=4, account_name="ank-x", platform="x")
        assert send(db, follow, make).finished
        last = edition_posts(db, follow)[-1].remote_id
        assert last is not None
        chain = fake.chain(last)
        assert [fake.tweets[i]["text"] for i in chain] == PARENT + FOLLOW


# --- Bluesky, on the real PDS -----------------------------------------------------------------
def test_on_bluesky_the_root_is_the_original_thread(
    pds: str, make_account: MakeAccount, db: Database
) -> None:
    user = make_account()
    make = lambda: BlueskyClient(user.account)  # noqa: E731
    parent = edition(db, PARENT, account_name="b", platform="bluesky")
    assert send(db, parent, make).finished
    follow = edition(db, FOLLOW, follows=parent, start=4, account_name="b", platform="bluesky")
    assert send(db, follow, make).finished
    third = edition(db, ["6/6 Annulled."], follows=follow, start=6, account_name="b",
                    platform="bluesky")  # fmt: skip
    assert send(db, third, make).finished
    records = asyncio.run(list_posts(pds, user.did))
    by_uri = {r["uri"]: r for r in records}
    ledger = [p for e in (parent, follow, third) for p in edition_posts(db, e)]
    assert [by_uri[str(p.remote_uri)]["value"]["text"] for p in ledger] == [
        *PARENT,
        *FOLLOW,
        "6/6 Annulled.",
    ]
    root = ledger[0]
    for before, after in itertools.pairwise(ledger):
        reply = by_uri[str(after.remote_uri)]["value"]["reply"]
        assert reply["root"] == {"uri": root.remote_uri, "cid": root.remote_cid}
        assert reply["parent"] == {"uri": before.remote_uri, "cid": before.remote_cid}
    # Sending again changes nothing.
    assert send(db, third, make).finished
    assert len(asyncio.run(list_posts(pds, user.did))) == len(ledger)


# --- the daemon -----------------------------------------------------------------------------
def scheduled(db: Database, texts: list[str], at: datetime, **follow: Any) -> int:
    thread = record_thread(db, DraftText(title="Report", body="\n\n".join(texts)))
    assert thread.id is not None
    made = schedule_edition(
        db, thread.id, account="m", platform="mastodon", posts=texts, at_utc=at, zone="UTC",
        **follow,
    )  # fmt: skip
    assert made.id is not None
    return made.id


def test_the_daemon_holds_a_follow_up_until_its_parent_is_published(
    db: Database, mastodon: FakeMastodon, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TC_FOLLOW_TOKEN", TOKEN)
    config = parse_config(
        f'[accounts.m]\nplatform = "mastodon"\ninstance = "{mastodon.url}"\n'
        'access_token_env = "TC_FOLLOW_TOKEN"\n',
        name="accounts.toml",
        path=None,
    )
    parent = scheduled(db, PARENT, NOW + timedelta(minutes=2))
    follow = scheduled(db, FOLLOW, NOW, follows_edition_id=parent, numbering_start=4)

    first = asyncio.run(run_round(db, config, now=NOW))
    assert first.outcomes == [] and mastodon.statuses == {}  # due, but its parent is not out
    assert find_edition(db, follow).status is EditionStatus.SCHEDULED

    second = asyncio.run(run_round(db, config, now=NOW + timedelta(minutes=2)))
    assert [o.edition_id for o in second.outcomes] == [parent]
    third = asyncio.run(run_round(db, config, now=NOW + timedelta(minutes=2, seconds=1)))
    assert [o.edition_id for o in third.outcomes] == [follow] and third.outcomes[0].finished
    assert chain_ids(mastodon) == PARENT + FOLLOW
    assert all(p.status is PostStatus.SENT for p in edition_posts(db, follow))


@pytest.mark.parametrize("ending", ["cancelled", "missed"])
def test_a_follow_up_of_an_edition_that_never_goes_out_fails_naming_it(
    db: Database, ending: str
) -> None:
    parent = scheduled(db, PARENT, NOW + timedelta(minutes=5))
    follow = scheduled(db, FOLLOW, NOW + timedelta(minutes=60), follows_edition_id=parent,
                       numbering_start=4)  # fmt: skip
    later = scheduled(db, ["6/6 More."], NOW + timedelta(minutes=61), follows_edition_id=follow,
                      numbering_start=6)  # fmt: skip
    if ending == "cancelled":
        cancel(db, parent)
        now = NOW + timedelta(minutes=8)
    else:
        from composer.store.claims import mark_missed

        now = NOW + timedelta(minutes=30)
        assert mark_missed(db, now, timedelta(minutes=15)) == [parent]
    assert claim_due(db, now, "w", timedelta(minutes=30)) == []
    failed = find_edition(db, follow)
    assert failed.status is EditionStatus.FAILED
    assert f"follows edition {parent}, which was {ending}" in (failed.last_error or "")
    chained = find_edition(db, later)  # the follow-up of the follow-up fails with it
    assert chained.status is EditionStatus.FAILED
    assert f"follows edition {follow}, which was failed" in (chained.last_error or "")


def test_bluesky_record_keys_of_a_follow_up_come_after_the_thread_it_continues() -> None:
    from composer.platforms.base import PostRequest, PublishedPost
    from composer.text.facets import tid_timestamp
    from tests.platforms.test_bluesky import FakeAccount

    client = BlueskyClient(FakeAccount())
    try:
        root_key = client.rkey_for(PostRequest("1/3", 1, "parent-1"))
        uri = f"at://did:plc:x/app.bsky.feed.post/{root_key}"
        root = PublishedPost(uri, uri=uri, cid="c")
        # The original thread's posts 2 and 3 sit at the root's time + 1 and + 2 µs.
        thread_keys = [
            client.rkey_for(PostRequest(f"{n}/3", n, f"parent-{n}", reply_to=root, root=root))
            for n in (2, 3)
        ]
        # The follow-up's posts 1 and 2, after a conversation of 3 posts: + 3 and + 4 µs.
        follow_keys = [
            client.rkey_for(
                PostRequest(f"{n + 3}/5", n, f"follow-{n}", reply_to=root, root=root, offset=3)
            )
            for n in (1, 2)
        ]
        base = tid_timestamp(root_key)
        assert [tid_timestamp(k) - base for k in thread_keys + follow_keys] == [1, 2, 3, 4]
    finally:
        asyncio.run(client.aclose())


# --- planning ---------------------------------------------------------------------------------
def test_a_planned_follow_up_numbers_on_even_from_a_hook_draft(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from composer.publishing import follow_up, plan_editions
    from composer.workspace.drafts import parse_draft

    monkeypatch.setenv("TC_PLAN_TOKEN", TOKEN)
    config = parse_config(
        '[accounts.ank-masto]\nplatform = "mastodon"\ninstance = "https://m.example"\n'
        'access_token_env = "TC_PLAN_TOKEN"\nmax_characters = 100\n'
        '[accounts.other]\nplatform = "mastodon"\ninstance = "https://m.example"\n'
        'access_token_env = "TC_PLAN_TOKEN"\n',
        name="accounts.toml",
        path=None,
    )
    draft = parse_draft(
        '+++\ntitle = "Later"\nhook = true\naccounts = ["other"]\n+++\n'
        + "Observers were expelled from the station at noon. " * 3
    )
    parent = edition(db, PARENT)  # three posts, on ank-masto
    continued = follow_up(db, parent)
    [plan] = plan_editions(draft, Path("later.md"), config, (), follows=continued)
    assert plan.account.name == "ank-masto"  # the followed edition's, not the draft's
    total = len(plan.thread.posts)
    assert total >= 2
    assert [p.text.split(" ", 1)[0] for p in plan.thread.posts] == [
        f"{3 + i}/{3 + total}" for i in range(1, total + 1)
    ]
    update = follow_up(db, parent, update=True)
    [marked] = plan_editions(draft, Path("later.md"), config, (), follows=update)
    assert marked.thread.posts[0].text.startswith(f"UPDATE 1/{len(marked.thread.posts)} ")
