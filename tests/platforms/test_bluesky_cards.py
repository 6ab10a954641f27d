"""Link cards on a real Bluesky PDS: a page served on loopback becomes the post's
`app.bsky.embed.external`, its picture a blob within the thumbnail limit that the PDS serves
back; a post with an image keeps the image; a resumed edition sends the card recorded, never
the page as it is now (and fetches nothing)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from PIL import Image

from composer.media.link_cards import fetch_card
from composer.platforms import errors
from composer.platforms.base import PostRequest, PublishedPost
from composer.platforms.bluesky import BlueskyClient
from composer.publishing import PublishResult, publish_edition
from composer.store import (
    Database,
    DraftText,
    EditionStatus,
    NewMedia,
    create_edition,
    open_database,
    record_thread,
)
from composer.text.link_cards import LinkCard
from composer.text.platform_facts import FACTS
from tests.fakes.pages import Page, PageServer

from ..media.test_link_cards import noise_jpeg, og_page
from .test_bluesky import MakeAccount, list_posts
from .test_bluesky_images import get_blob

THUMB_LIMIT = FACTS["bluesky"].link_card_thumb_max_bytes or 0


def _card(pages: PageServer, tmp_path: Path) -> LinkCard:
    pages.serve("/photo.jpg", Page(noise_jpeg((1500, 1000)), content_type="image/jpeg"))
    body = og_page("Наблюдатели ОБСЕ", "Доклад миссии", "/photo.jpg").encode("windows-1251")
    url = pages.serve("/report", Page(body, content_type="text/html; charset=windows-1251"))
    card = fetch_card(url, THUMB_LIMIT, cache=tmp_path)
    assert card.thumb is not None
    return card


def _edition(
    db: Database, texts: list[str], cards: list[LinkCard | None], media: list[list[NewMedia]]
) -> int:
    thread = record_thread(db, DraftText(title="T", body="\n".join(texts)))
    assert thread.id is not None
    edition = create_edition(
        db, thread.id, account="b", platform="bluesky", posts=texts, media=media, cards=cards
    )
    assert edition.id is not None
    return edition.id


@pytest.mark.parametrize("atomic", [False, True], ids=["post-by-post", "atomic"])
def test_a_link_card_with_its_thumbnail_on_the_real_pds(
    pds: str, make_account: MakeAccount, pages: PageServer, tmp_path: Path, atomic: bool
) -> None:
    user = make_account()
    card = _card(pages, tmp_path)
    photo = tmp_path / "chart.png"
    Image.new("RGB", (800, 600), (200, 30, 30)).save(photo)
    db = open_database(str(tmp_path / "h.sqlite3"))
    texts = [
        f"1/3 The report: {card.uri}",
        f"2/3 A chart, and the report again: {card.uri}",
        "3/3 No link here.",
    ]
    media = [[], [NewMedia(str(photo), "A chart")], []]
    edition_id = _edition(db, texts, [card, None, None], media)

    async def main() -> PublishResult:
        async with BlueskyClient(user.account) as client:
            return await publish_edition(db, edition_id, client, atomic=atomic)

    try:
        assert asyncio.run(main()).status is EditionStatus.PUBLISHED
        records = asyncio.run(list_posts(pds, user.did))
        assert [r["value"]["text"] for r in records] == texts
        embed = records[0]["value"]["embed"]
        assert embed["$type"] == "app.bsky.embed.external"
        external = embed["external"]
        assert (external["uri"], external["title"], external["description"]) == (
            card.uri,
            "Наблюдатели ОБСЕ",
            "Доклад миссии",
        )
        thumb = external["thumb"]
        assert thumb["mimeType"] == "image/jpeg" and thumb["size"] <= THUMB_LIMIT
        data = asyncio.run(get_blob(pds, user.did, thumb["ref"]["$link"]))
        assert data == card.thumb
        with Image.open(io.BytesIO(data)) as sent:
            assert sent.format == "JPEG"
        # The post with an image keeps its image; the one without a link has no embed.
        assert records[1]["value"]["embed"]["$type"] == "app.bsky.embed.images"
        assert "embed" not in records[2]["value"]
    finally:
        db.close()


class _FailsSecond(BlueskyClient):
    """A run stopped after post 1: post 2 is refused once (the edition stops, resumable)."""

    async def create_post(self, request: PostRequest) -> PublishedPost:
        if request.index == 2:
            raise errors.Refused("stopped for the test")
        return await super().create_post(request)


def test_a_resume_sends_the_card_recorded_not_the_page_as_it_is_now(
    pds: str, make_account: MakeAccount, pages: PageServer, tmp_path: Path
) -> None:
    user = make_account()
    card = _card(pages, tmp_path)
    db = open_database(str(tmp_path / "h.sqlite3"))
    texts = [f"1/2 The report: {card.uri}", f"2/2 Once more: {card.uri}"]
    edition_id = _edition(db, texts, [card, card], [[], []])
    fetched = sum(pages.hits.values())

    async def run(client_type: type[BlueskyClient]) -> PublishResult:
        async with client_type(user.account) as client:
            return await publish_edition(db, edition_id, client)

    try:
        assert asyncio.run(run(_FailsSecond)).status is EditionStatus.PARTIAL
        # The page changes between the stop and the resume.
        pages.serve("/report", Page(og_page("Changed title", "Changed").encode()))
        assert asyncio.run(run(BlueskyClient)).status is EditionStatus.PUBLISHED
        records = asyncio.run(list_posts(pds, user.did))
        assert [r["value"]["text"] for r in records] == texts
        for record in records:
            external = record["value"]["embed"]["external"]
            assert external["title"] == "Наблюдатели ОБСЕ"
            assert external["description"] == "Доклад миссии"
        refs = {r["value"]["embed"]["external"]["thumb"]["ref"]["$link"] for r in records}
        assert len(refs) == 1  # the same picture, the same blob
        assert sum(pages.hits.values()) == fetched  # publishing fetched nothing
    finally:
        db.close()
