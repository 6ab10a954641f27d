"""Images on a loopback Mastodon that processes media as Mastodon documents: 202 then
processing, 422 for a status naming unprocessed media; the instance's own limits."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from composer.platforms.mastodon import MastodonClient
from composer.publishing import PublishResult, publish_edition
from composer.store import (
    Database,
    EditionStatus,
    NewMedia,
    edition_posts,
    open_database,
    post_media,
)
from composer.workspace.config import Account, Secret, SecretSource
from tests.fakes.mastodon import FakeMastodon
from tests.helpers import recorded_edition

TOKEN = "tok-mastodon-images-5d1e"
ALT = "A chart of turnout by district"
TEXTS = ["1/2 Turnout by district.", "2/2 Sources below."]


@pytest.fixture(scope="module")
def server() -> Iterator[FakeMastodon]:
    fake = FakeMastodon(token=TOKEN)
    with fake.running():
        yield fake


@pytest.fixture
def fake(server: FakeMastodon) -> FakeMastodon:
    server.reset()
    return server


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(str(tmp_path / "history.sqlite3"))
    yield database
    database.close()


def account(url: str) -> Account:
    source = SecretSource("access_token", "inline", "", 1, Secret(TOKEN))
    return Account(
        name="ank-masto",
        platform="mastodon",
        instance=url,
        reply_visibility="unlisted",
        secret_sources={"access_token": source},
    )


def edition(db: Database, tmp_path: Path) -> int:
    path = tmp_path / "turnout.jpg"
    image = Image.merge("RGB", [Image.effect_noise((1200, 800), 50) for _ in range(3)])
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (43.0, 15.0, 0.0)  # GPS
    image.save(path, "JPEG", quality=95, exif=exif.tobytes())
    return recorded_edition(
        db, TEXTS, account="ank-masto", platform="mastodon", media=[[], [NewMedia(str(path), ALT)]]
    )


def publish(db: Database, url: str, edition_id: int, deadline: float = 10.0) -> PublishResult:
    async def short_wait(seconds: float) -> None:
        await asyncio.sleep(min(seconds, 0.1))

    async def main() -> PublishResult:
        client = MastodonClient(account(url), timeout=5)
        client.media_poll_seconds = 0.05
        client.media_deadline_seconds = deadline
        try:
            return await publish_edition(db, edition_id, client, sleep=short_wait)
        finally:
            await client.aclose()

    return asyncio.run(main())


def test_media_processed_in_the_background_is_polled_then_attached(
    db: Database, fake: FakeMastodon, tmp_path: Path
) -> None:
    fake.processing_seconds = 0.3
    fake.image_size_limit = 150_000  # the instance's own limits, read from /api/v2/instance
    fake.image_matrix_limit = 300_000
    edition_id = edition(db, tmp_path)
    assert publish(db, fake.url, edition_id).status is EditionStatus.PUBLISHED
    [media] = fake.media.values()
    first, second = fake.thread()
    assert first["media_ids"] == [] and second["media_ids"] == [media["id"]]
    assert media["description"] == ALT
    sent = Image.open(io.BytesIO(media["data"]))
    assert len(media["data"]) <= 150_000 and sent.width * sent.height <= 300_000
    assert dict(sent.getexif()) == {}
    [upload] = [r for r in fake.requests if r.path == "/api/v2/media"]
    assert b'filename="image.jpg"' in upload.body  # the draft's file name stays here
    assert b"turnout.jpg" not in upload.body
    polls = [r for r in fake.requests if r.path.startswith("/api/v1/media/")]
    assert polls  # it waited for the 202's processing
    # Nothing posted before the media was processed: no 422 was needed.
    statuses = [r for r in fake.requests if r.path == "/api/v1/statuses"]
    assert len(statuses) == 2
    # A second publish uploads nothing.
    publish(db, fake.url, edition_id)
    assert len(fake.media) == 1 and len(fake.statuses) == 2


def test_a_422_for_unprocessed_media_is_retried_not_a_failure(
    db: Database, fake: FakeMastodon, tmp_path: Path
) -> None:
    fake.processing_seconds = 0.5
    edition_id = edition(db, tmp_path)
    outcome = publish(db, fake.url, edition_id, deadline=0.05)  # gives up polling early
    assert outcome.status is EditionStatus.PUBLISHED
    statuses = [r for r in fake.requests if r.path == "/api/v1/statuses"]
    assert len(statuses) > 2  # the second post met 422 at least once, then went out
    assert len(fake.media) == 1 and len(fake.statuses) == 2
    [media] = fake.media.values()
    assert fake.thread()[1]["media_ids"] == [media["id"]]
    post = edition_posts(db, edition_id)[1]
    assert post.id is not None
    assert [m.remote_ref for m in post_media(db, post.id)] == [media["id"]]
