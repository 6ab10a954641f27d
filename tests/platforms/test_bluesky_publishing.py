"""The publisher on a real Bluesky PDS: post by post, and the whole thread in one commit."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

from composer.platforms.bluesky import BlueskyClient
from composer.publishing import PublishResult, publish_edition
from composer.store import (
    DraftText,
    EditionStatus,
    PostStatus,
    create_edition,
    edition_posts,
    open_database,
    record_thread,
)

from .test_bluesky import MakeAccount, list_posts

TEXTS = [f"Пост {n}: наблюдатели 🇰🇿 see https://example.org/{n} #выборы" for n in range(1, 8)]


@pytest.mark.parametrize("atomic", [False, True], ids=["post-by-post", "atomic"])
def test_publisher_on_the_real_pds(
    pds: str, make_account: MakeAccount, tmp_path: Path, atomic: bool
) -> None:
    user = make_account()
    db = open_database(str(tmp_path / "h.sqlite3"))
    thread = record_thread(db, DraftText(title="T", body="\n".join(TEXTS)))
    assert thread.id is not None
    edition = create_edition(db, thread.id, account="b", platform="bluesky", posts=TEXTS)
    assert edition.id is not None
    edition_id = edition.id

    async def main() -> PublishResult:
        client = BlueskyClient(user.account)
        try:
            return await publish_edition(db, edition_id, client, language="ru", atomic=atomic)
        finally:
            await client.aclose()

    try:
        outcome = asyncio.run(main())
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
        asyncio.run(main())
        assert len(asyncio.run(list_posts(pds, user.did))) == len(TEXTS)
    finally:
        db.close()
