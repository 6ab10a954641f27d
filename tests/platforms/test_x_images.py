"""Images on a loopback X that handles media as the v2 documentation says: chunked upload,
processing, alt text through the metadata endpoint, media ids that expire after 24 h."""

from __future__ import annotations

import asyncio
import io
import json
import math
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from composer.platforms.base import (
    AttachedMedia,
    MediaExpired,
    MediaUpload,
    PostRequest,
    RateLimited,
    Refused,
    Unavailable,
    Unclear,
)
from composer.platforms.x import XClient
from composer.publishing import PublishResult, publish_edition
from composer.store import (
    Database,
    DraftText,
    EditionStatus,
    NewMedia,
    create_edition,
    edition_posts,
    mark_media_uploaded,
    open_database,
    post_media,
    record_thread,
)
from composer.store.statuses import utc_now
from composer.workspace.config import Account
from tests.fakes.server import Fault, Response
from tests.fakes.x import INVALID_MEDIA, FakeX, invalid_media, problem
from tests.platforms.test_x import (
    OAUTH2_ACCESS,
    OAUTH2_REFRESH,
    assert_no_secret,
    oauth1_account,
    oauth1_fake,
    oauth2_account,
)

ALT = "Riot police line up outside the court in Almaty"
TEXTS = ["1/2 The hearing was closed to observers.", "2/2 Families waited outside."]


@pytest.fixture
def fake() -> Iterator[FakeX]:
    server = oauth1_fake()
    server.access_token = OAUTH2_ACCESS
    server.refresh_token = OAUTH2_REFRESH
    server.client_id = "client-abc"
    with server.running():
        yield server


@pytest.fixture
def account(fake: FakeX, monkeypatch: pytest.MonkeyPatch) -> Account:
    return oauth1_account(fake.url, monkeypatch)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(str(tmp_path / "history.sqlite3"))
    yield database
    database.close()


def photo(tmp_path: Path, size: tuple[int, int] = (900, 600)) -> Path:
    """A noisy JPEG (it does not compress away) with a GPS position in its EXIF."""
    path = tmp_path / "court.jpg"
    image = Image.merge("RGB", [Image.effect_noise(size, 60) for _ in range(3)])
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (43.0, 15.0, 0.0)  # GPS
    image.save(path, "JPEG", quality=95, exif=exif.tobytes())
    return path


def edition(db: Database, path: Path, *, on: int = 1) -> int:
    thread = record_thread(db, DraftText(title="T", body="b"))
    assert thread.id is not None
    media: list[list[NewMedia]] = [[], []]
    media[on].append(NewMedia(str(path), ALT))
    made = create_edition(db, thread.id, account="ank-x", platform="x", posts=TEXTS, media=media)
    assert made.id is not None
    return made.id


def publish(db: Database, account: Account, edition_id: int, **media: Any) -> PublishResult:
    async def short_wait(seconds: float) -> None:
        await asyncio.sleep(min(seconds, 0.05))

    async def main() -> PublishResult:
        client = XClient(account, timeout=2)
        for name, value in media.items():
            setattr(client.media, name, value)
        try:
            return await publish_edition(db, edition_id, client, sleep=short_wait)
        finally:
            await client.aclose()

    return asyncio.run(main())


def tweet_bodies(fake: FakeX) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in fake.requests if r.path == "/2/tweets"]


def thread(fake: FakeX) -> list[dict[str, Any]]:
    return sorted(fake.tweets.values(), key=lambda t: int(t["id"]))


@pytest.mark.parametrize("auth", ["oauth1", "oauth2"])
def test_an_image_goes_out_stripped_with_its_alt_text_and_is_uploaded_once(
    db: Database, fake: FakeX, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, auth: str
) -> None:
    chosen = (
        oauth1_account(fake.url, monkeypatch)
        if auth == "oauth1"
        else oauth2_account(fake.url, monkeypatch)
    )
    edition_id = edition(db, photo(tmp_path), on=1)
    assert publish(db, chosen, edition_id).status is EditionStatus.PUBLISHED
    [media] = fake.media.values()
    first, second = thread(fake)
    assert first["media_ids"] == [] and second["media_ids"] == [media["id"]]
    assert media["alt"] == ALT
    sent = Image.open(io.BytesIO(media["data"]))
    assert dict(sent.getexif()) == {} and b"Exif" not in media["data"]
    post = edition_posts(db, edition_id)[1]
    assert post.id is not None
    assert [row.remote_ref for row in post_media(db, post.id)] == [media["id"]]
    # A second publish uploads nothing and posts nothing.
    publish(db, chosen, edition_id)
    assert len(fake.media) == 1 and len(fake.tweets) == 2


def test_a_large_image_is_sent_in_several_segments_in_order(
    db: Database, fake: FakeX, account: Account, tmp_path: Path
) -> None:
    edition_id = edition(db, photo(tmp_path, (1600, 1200)), on=0)
    chunk = 256 * 1024
    assert publish(db, account, edition_id, chunk_bytes=chunk).status is EditionStatus.PUBLISHED
    [media] = fake.media.values()
    assert len(media["data"]) > 3 * chunk  # the noise does not compress away
    assert media["segments"] == math.ceil(len(media["data"]) / chunk)
    appends = [r for r in fake.requests if r.path.endswith("/append")]
    assert len(appends) == media["segments"]
    assert Image.open(io.BytesIO(media["data"])).size == (1600, 1200)  # assembled whole
    assert thread(fake)[0]["media_ids"] == [media["id"]]


def test_a_lost_answer_to_the_post_after_its_upload_neither_reposts_nor_uploads_again(
    db: Database, fake: FakeX, account: Account, tmp_path: Path
) -> None:
    fake.inject("POST", "/2/tweets", Fault.DROP_AFTER)  # stored, the answer never sent
    edition_id = edition(db, photo(tmp_path), on=0)
    assert publish(db, account, edition_id).status is EditionStatus.PUBLISHED
    assert len(fake.media) == 1 and len(fake.tweets) == 2
    [media_id] = fake.media
    assert thread(fake)[0]["media_ids"] == [media_id]
    assert len(tweet_bodies(fake)) == 2  # found on the timeline, not sent again


def test_an_upload_still_processing_is_polled_until_it_succeeds(
    db: Database, fake: FakeX, account: Account, tmp_path: Path
) -> None:
    fake.processing_seconds = 1.5
    edition_id = edition(db, photo(tmp_path), on=0)
    assert publish(db, account, edition_id).status is EditionStatus.PUBLISHED
    polls = [r for r in fake.requests if r.method == "GET" and r.path == "/2/media/upload"]
    assert polls and all(r.query["command"] == ["STATUS"] for r in polls)
    # No post named media still being processed: none was refused.
    assert len(tweet_bodies(fake)) == 2 and len(fake.tweets) == 2


def test_an_image_x_cannot_process_stops_the_edition_before_its_post(
    db: Database, fake: FakeX, account: Account, tmp_path: Path
) -> None:
    fake.processing_seconds = 0.2
    fake.processing_fails = True
    edition_id = edition(db, photo(tmp_path), on=0)
    outcome = publish(db, account, edition_id)
    assert outcome.status is not EditionStatus.PUBLISHED
    assert outcome.error == "post 1: image 1: Bad image"  # X's own words
    assert fake.tweets == {} and tweet_bodies(fake) == []


def test_a_resumed_edition_whose_media_id_expired_uploads_again(
    db: Database, fake: FakeX, account: Account, tmp_path: Path
) -> None:
    edition_id = edition(db, photo(tmp_path), on=0)
    # An earlier run uploaded the image, recorded it and stopped before the post; a day on:
    old = recorded_upload(db, account, edition_id, timedelta(hours=25))
    fake.expire_media(old)

    assert publish(db, account, edition_id).status is EditionStatus.PUBLISHED
    assert len(fake.media) == 2
    new = next(media_id for media_id in fake.media if media_id != old)
    assert thread(fake)[0]["media_ids"] == [new]
    assert all(old not in json.dumps(body) for body in tweet_bodies(fake))  # never tried
    post = edition_posts(db, edition_id)[0]
    assert post.id is not None
    assert [row.remote_ref for row in post_media(db, post.id)] == [new]


def test_a_post_naming_an_expired_media_id_is_media_expired_not_a_refusal(
    fake: FakeX, account: Account
) -> None:
    async def main() -> None:
        async with XClient(account) as client:
            buffer = io.BytesIO()
            Image.new("RGB", (10, 10)).save(buffer, "JPEG")
            media_id = await client.upload_media(
                MediaUpload(buffer.getvalue(), "image/jpeg", 10, 10, ALT)
            )
            fake.expire_media(media_id)
            request = PostRequest("text", 1, "k-1", media=(AttachedMedia(media_id, ALT, 10, 10),))
            with pytest.raises(MediaExpired) as expired:
                await client.create_post(request)
            assert expired.value.status == 400
            assert INVALID_MEDIA in (expired.value.reason or "")

    asyncio.run(main())
    assert fake.tweets == {}


def recorded_upload(db: Database, account: Account, edition_id: int, age: timedelta) -> str:
    """What an earlier run left: post 1's image uploaded and recorded `age` ago, not posted."""
    post = edition_posts(db, edition_id)[0]
    assert post.id is not None
    [row] = post_media(db, post.id)
    assert row.id is not None

    async def upload() -> str:
        async with XClient(account) as client:
            buffer = io.BytesIO()
            Image.new("RGB", (10, 10)).save(buffer, "JPEG")
            return await client.upload_media(
                MediaUpload(buffer.getvalue(), "image/jpeg", 10, 10, ALT)
            )

    media_id = asyncio.run(upload())
    mark_media_uploaded(
        db,
        row.id,
        remote_ref=media_id,
        sha256="0" * 64,
        width=10,
        height=10,
        uploaded_at=utc_now() - age,
    )
    return media_id


def test_a_media_id_x_expired_sooner_than_the_ledger_expects_is_uploaded_again(
    db: Database, fake: FakeX, account: Account, tmp_path: Path
) -> None:
    """X refuses the recorded media id an hour after its upload (its clock, its rules):
    the post is not created; the image is uploaded again and the post goes out with it."""
    edition_id = edition(db, photo(tmp_path), on=0)
    old = recorded_upload(db, account, edition_id, timedelta(hours=1))
    fake.expire_media(old)
    assert publish(db, account, edition_id).status is EditionStatus.PUBLISHED
    new = next(media_id for media_id in fake.media if media_id != old)
    assert len(fake.media) == 2 and thread(fake)[0]["media_ids"] == [new]
    assert fake.media[new]["alt"] == ALT
    assert [old in json.dumps(body) for body in tweet_bodies(fake)] == [True, False, False]
    post = edition_posts(db, edition_id)[0]
    assert post.id is not None
    assert [row.remote_ref for row in post_media(db, post.id)] == [new]


def test_media_refused_again_after_a_new_upload_stops_the_edition_without_a_loop(
    db: Database, fake: FakeX, account: Account, tmp_path: Path
) -> None:
    edition_id = edition(db, photo(tmp_path), on=0)
    old = recorded_upload(db, account, edition_id, timedelta(hours=1))
    fake.expire_media(old)
    fake.route("POST", "/2/tweets", lambda _: Response(400, invalid_media(["1"])))
    outcome = publish(db, account, edition_id)
    assert outcome.status is not EditionStatus.PUBLISHED
    assert outcome.error is not None and INVALID_MEDIA in outcome.error
    assert len(fake.media) == 2  # uploaded again once, not more
    assert len(tweet_bodies(fake)) == 2


def test_a_failed_alt_text_call_records_nothing_and_the_image_is_uploaded_again(
    db: Database, fake: FakeX, account: Account, tmp_path: Path
) -> None:
    """Decision: the alt text is part of the upload. A refused metadata call stops the
    post (nothing recorded); the next run uploads the image again, alt text and all."""
    edition_id = edition(db, photo(tmp_path), on=0)

    def refuse_alt(request: Any) -> None:
        if request.path == "/2/media/metadata":
            fake.on_request = None
            fake.route("POST", "/2/media/metadata", lambda _: _bad_request())

    fake.on_request = refuse_alt
    outcome = publish(db, account, edition_id)
    assert outcome.status is not EditionStatus.PUBLISHED
    assert fake.tweets == {}  # never posted without its alt text
    post = edition_posts(db, edition_id)[0]
    assert post.id is not None
    assert [row.remote_ref for row in post_media(db, post.id)] == [None]

    fake.route("POST", "/2/media/metadata", fake.media_metadata)
    assert publish(db, account, edition_id).status is EditionStatus.PUBLISHED
    first, second = fake.media.values()
    assert first["alt"] is None and second["alt"] == ALT
    assert thread(fake)[0]["media_ids"] == [second["id"]]


def test_an_alt_text_call_x_fails_at_is_retried_with_a_new_upload(
    db: Database, fake: FakeX, account: Account, tmp_path: Path
) -> None:
    fake.inject("POST", "/2/media/metadata", Fault.SERVER_ERROR)
    edition_id = edition(db, photo(tmp_path), on=0)
    assert publish(db, account, edition_id).status is EditionStatus.PUBLISHED
    used = thread(fake)[0]["media_ids"]
    assert len(fake.media) == 2 and fake.media[used[0]]["alt"] == ALT


def _bad_request() -> Response:
    return Response(400, problem(400, "Invalid Request", "alt_text.text is invalid"))


# --- the error family, one upload at a time ---------------------------------------------------


def upload_once(account: Account) -> str:
    async def main() -> str:
        async with XClient(account, timeout=1) as client:
            buffer = io.BytesIO()
            Image.new("RGB", (20, 20)).save(buffer, "JPEG")
            return await client.upload_media(
                MediaUpload(buffer.getvalue(), "image/jpeg", 20, 20, ALT)
            )

    return asyncio.run(main())


def test_upload_errors_map_to_the_error_family(fake: FakeX, account: Account) -> None:
    fake.inject("POST", "/2/media/upload/initialize", Fault.RATE_LIMIT)
    with pytest.raises(RateLimited) as limited:
        upload_once(account)
    assert limited.value.retry_after is not None and limited.value.retry_after > 0
    assert_no_secret(limited.value)

    fake.inject("POST", "/2/media/upload/", Fault.SERVER_ERROR)  # the APPEND
    with pytest.raises(Unavailable):  # an upload publishes nothing: not Unclear
        upload_once(account)

    fake.STALL_SECONDS = 1.5
    fake.inject("POST", "/2/media/upload/", Fault.STALL)  # an APPEND answered never
    with pytest.raises(Unclear) as unclear:
        upload_once(account)
    assert_no_secret(unclear.value)

    fake.processing_seconds = 0.0
    with pytest.raises(Refused) as refused:  # a media_type X does not take
        asyncio.run(_upload_odd_type(account))
    assert refused.value.status == 400
    assert upload_once(account) in fake.media  # and a good one goes through


async def _upload_odd_type(account: Account) -> str:
    async with XClient(account) as client:
        return await client.upload_media(MediaUpload(b"x" * 10, "image/tiff", 1, 1, ALT))


def test_processing_that_outlasts_the_deadline_is_unavailable(
    fake: FakeX, account: Account
) -> None:
    fake.processing_seconds = 30.0

    async def main() -> str:
        async with XClient(account) as client:
            client.media.deadline_s = 1.0
            buffer = io.BytesIO()
            Image.new("RGB", (20, 20)).save(buffer, "JPEG")
            return await client.upload_media(
                MediaUpload(buffer.getvalue(), "image/jpeg", 20, 20, ALT)
            )

    with pytest.raises(Unavailable, match="still processing"):
        asyncio.run(main())


@pytest.mark.parametrize("odd", [float("nan"), float("inf"), -5, "soon", None])
def test_an_odd_check_after_secs_still_meets_the_deadline(
    fake: FakeX, account: Account, odd: Any
) -> None:
    fake.processing_seconds = 30.0
    fake.check_after_secs = odd

    async def main() -> str:
        async with XClient(account) as client:
            client.media.deadline_s = 1.0
            buffer = io.BytesIO()
            Image.new("RGB", (20, 20)).save(buffer, "JPEG")
            upload = MediaUpload(buffer.getvalue(), "image/jpeg", 20, 20, ALT)
            return await asyncio.wait_for(client.upload_media(upload), 10)  # not forever

    with pytest.raises(Unavailable, match="still processing"):
        asyncio.run(main())
    polls = [r for r in fake.requests if r.method == "GET" and r.path == "/2/media/upload"]
    assert 1 <= len(polls) <= 2  # waited at least a second between polls


def test_a_post_with_images_is_found_after_a_lost_answer(fake: FakeX, account: Account) -> None:
    """X ends such a post's text with a t.co link to its images: still the same post (its
    own link masked as ever), and not mistaken for one with a different text."""
    text = "The verdict is online: https://court.kz/case/12"

    async def main() -> tuple[str, Any, Any]:
        async with XClient(account) as client:
            buffer = io.BytesIO()
            Image.new("RGB", (10, 10)).save(buffer, "JPEG")
            media_id = await client.upload_media(
                MediaUpload(buffer.getvalue(), "image/jpeg", 10, 10, ALT)
            )
            media = (AttachedMedia(media_id, ALT, 10, 10),)
            posted = await client.create_post(PostRequest(text, 1, "k-1", media=media))
            found = await client.find_post(PostRequest(text, 1, "k-1", media=media))
            other = await client.find_post(PostRequest(text + " later", 1, "k-2", media=media))
            return posted.remote_id, found, other

    posted, found, other = asyncio.run(main())
    assert [t["text"] for t in fake.tweets.values()] == [text]
    assert found is not None and found.remote_id == posted
    assert other is None
