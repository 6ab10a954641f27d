"""The publisher on a real Bluesky PDS: post by post, and the whole thread in one commit."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import pytest

from composer.platforms.bluesky import BlueskyClient
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
from composer.text.options import PostOptions
from composer.workspace.config import Account

from .test_bluesky import MakeAccount, list_posts

TEXTS = [f"Пост {n}: наблюдатели 🇰🇿 see https://example.org/{n} #выборы" for n in range(1, 8)]


def recorded(db: Database, texts: list[str], **fields: Any) -> int:
    """An edition of `texts` on account "b" in the ledger (`fields`: NewEdition's); its id."""
    thread = record_thread(db, DraftText(title="T", body="\n".join(texts)))
    assert thread.id is not None
    edition = create_edition(db, thread.id, account="b", platform="bluesky", posts=texts, **fields)
    assert edition.id is not None
    return edition.id


def publish_on(db: Database, edition_id: int, account: Account, atomic: bool) -> PublishResult:
    """The edition published by the publisher to `account` on the PDS."""

    async def main() -> PublishResult:
        client = BlueskyClient(account)
        try:
            return await publish_edition(db, edition_id, client, atomic=atomic)
        finally:
            await client.aclose()

    return asyncio.run(main())


@pytest.mark.parametrize("atomic", [False, True], ids=["post-by-post", "atomic"])
def test_publisher_on_the_real_pds(
    pds: str, make_account: MakeAccount, tmp_path: Path, atomic: bool
) -> None:
    user = make_account()
    db = open_database(str(tmp_path / "h.sqlite3"))
    edition_id = recorded(db, TEXTS)

    def main() -> PublishResult:
        return publish_on(db, edition_id, user.account, atomic)

    try:
        outcome = main()
        assert outcome.status is EditionStatus.PUBLISHED
        records = asyncio.run(list_posts(pds, user.did))
        assert [r["value"]["text"] for r in records] == TEXTS
        first = records[0]
        for before, after in itertools.pairwise(records):
            assert after["value"]["reply"]["root"]["uri"] == first["uri"]
            assert after["value"]["reply"]["parent"] == {"uri": before["uri"], "cid": before["cid"]}
        ledger = edition_posts(db, edition_id)
        assert all(p.status is PostStatus.SENT for p in ledger)
        assert [p.remote_uri for p in ledger] == [r["uri"] for r in records]
        # Run again: nothing left to send, nothing sent twice.
        main()
        assert len(asyncio.run(list_posts(pds, user.did))) == len(TEXTS)
    finally:
        db.close()


@pytest.mark.parametrize("atomic", [False, True], ids=["post-by-post", "atomic"])
@pytest.mark.parametrize(
    ("replies", "quotes", "allow"),
    [
        ("mentioned", "not_first", [{"$type": "app.bsky.feed.threadgate#mentionRule"}]),
        ("following", "nobody", [{"$type": "app.bsky.feed.threadgate#followingRule"}]),
        ("nobody", "everyone", []),
    ],
)
def test_the_recorded_options_reach_the_pds(
    pds: str,
    make_account: MakeAccount,
    tmp_path: Path,
    atomic: bool,
    replies: str,
    quotes: str,
    allow: list[dict[str, str]],
) -> None:
    """The edition's recorded options on the real PDS: every post's `langs`, a threadgate
    under the root's record key with its allow rules, and postgates with a disableRule on
    the root (quotes = false) or on every post (quotes = "none")."""
    user = make_account()
    db = open_database(str(tmp_path / "h.sqlite3"))
    texts = TEXTS[:3]
    options = PostOptions(language="kk", replies=replies, quotes=quotes)
    edition_id = recorded(db, texts, options=options)
    try:
        outcome = publish_on(db, edition_id, user.account, atomic)
        assert outcome.status is EditionStatus.PUBLISHED
        posts = asyncio.run(list_posts(pds, user.did))
        assert [r["value"]["langs"] for r in posts] == [["kk"]] * len(texts)
        rkeys = [r["uri"].rsplit("/", 1)[1] for r in posts]
        gates = asyncio.run(list_posts(pds, user.did, "app.bsky.feed.threadgate"))
        assert [(g["uri"].rsplit("/", 1)[1], g["value"]["post"]) for g in gates] == [
            (rkeys[0], posts[0]["uri"])
        ]
        assert gates[0]["value"]["allow"] == allow
        postgates = asyncio.run(list_posts(pds, user.did, "app.bsky.feed.postgate"))
        gated = {"everyone": 0, "not_first": 1, "nobody": len(texts)}[quotes]
        assert [g["uri"].rsplit("/", 1)[1] for g in postgates] == rkeys[:gated]
        for gate, post in zip(postgates, posts, strict=False):
            assert gate["value"]["post"] == post["uri"]
            assert gate["value"]["embeddingRules"] == [
                {"$type": "app.bsky.feed.postgate#disableRule"}
            ]
    finally:
        db.close()
