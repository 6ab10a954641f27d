"""A post's images: uploaded and recorded before the post, never twice, never left out."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from composer.platforms.base import (
    AccountInfo,
    AttachedMedia,
    ImageLimits,
    MediaUpload,
    PostRequest,
    PublishedPost,
    Refused,
    Unavailable,
)
from composer.publishing import PublishResult, publish_edition
from composer.store import (
    Database,
    DraftText,
    EditionStatus,
    NewMedia,
    PostStatus,
    create_edition,
    edition_posts,
    open_database,
    post_media,
    record_thread,
)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(str(tmp_path / "history.sqlite3"))
    yield database
    database.close()


def photo(path: Path, size: tuple[int, int] = (640, 480)) -> Path:
    """A JPEG with GPS in its EXIF, as a phone writes it."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees to show
    exif.get_ifd(0x8825)[2] = (43.0, 15.0, 0.0)  # GPSLatitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    path.write_bytes(buffer.getvalue())
    return path


@dataclass
class MediaFake:
    """A client that takes images; what it received, and a way to refuse a post."""

    db: Database
    platform: str = "bluesky"
    uploads: list[MediaUpload] = field(default_factory=list)
    posts: list[PostRequest] = field(default_factory=list)
    refuse_posts: int = 0
    fail_uploads: int = 0
    recorded_at_post: list[list[str | None]] = field(default_factory=list)

    async def verify(self) -> AccountInfo:
        return AccountInfo(handle="@a")

    async def image_limits(self) -> ImageLimits:
        return ImageLimits(max_bytes=60_000, max_pixels=200_000)

    async def upload_media(self, upload: MediaUpload) -> str:
        if self.fail_uploads:
            self.fail_uploads -= 1
            raise Unavailable("the upload service is down")
        self.uploads.append(upload)
        return f"media-{len(self.uploads)}"

    async def create_post(self, request: PostRequest) -> PublishedPost:
        # What the ledger says of this post's images at the moment the post is created.
        post_id = next(
            p.id for p in edition_posts(self.db, 1) if p.idempotency_key == request.idempotency_key
        )
        assert post_id is not None
        self.recorded_at_post.append([m.remote_ref for m in post_media(self.db, post_id)])
        if self.refuse_posts:
            self.refuse_posts -= 1
            raise Refused("no", status=400)
        self.posts.append(request)
        return PublishedPost(f"id-{request.index}", f"https://example.org/{request.index}")

    async def find_post(self, request: PostRequest) -> PublishedPost | None:
        return None

    async def aclose(self) -> None:
        return None


def edition_with_images(db: Database, tmp_path: Path, platform: str = "bluesky") -> int:
    a, b = photo(tmp_path / "a.jpg"), photo(tmp_path / "b.jpg", (300, 200))
    thread = record_thread(db, DraftText(title="Report", body="b"))
    assert thread.id is not None
    edition = create_edition(
        db,
        thread.id,
        account="acc",
        platform=platform,
        posts=["one", "two", "three"],
        media=[[NewMedia(str(a), "Police at the akimat")], [], [NewMedia(str(b), "A chart")]],
    )
    assert edition.id == 1
    return edition.id


def publish(db: Database, client: object) -> PublishResult:
    async def no_wait(seconds: float) -> None:
        return None

    return asyncio.run(publish_edition(db, 1, client, sleep=no_wait))  # type: ignore[arg-type]


def test_images_are_prepared_uploaded_and_recorded_before_their_post(
    db: Database, tmp_path: Path
) -> None:
    edition_with_images(db, tmp_path)
    client = MediaFake(db)
    outcome = publish(db, client)
    assert outcome.status is EditionStatus.PUBLISHED
    # Recorded before each post was created, and attached to it.
    assert client.recorded_at_post == [["media-1"], [], ["media-2"]]
    first = client.uploads[0]
    # 640x480 with orientation 6: upright 480x640, downscaled within 200,000 pixels.
    assert len(first.data) <= 60_000 and first.width * first.height <= 200_000
    assert first.height > first.width and abs(first.width / first.height - 0.75) < 0.01
    assert [p.media for p in client.posts] == [
        (AttachedMedia("media-1", "Police at the akimat", first.width, first.height),),
        (),
        (AttachedMedia("media-2", "A chart", 200, 300),),
    ]
    assert Image.open(io.BytesIO(first.data)).getexif() == {}  # no GPS, no orientation
    row = post_media(db, edition_posts(db, 1)[0].id or 0)[0]
    assert row.sha256 is not None and len(row.sha256) == 64 and row.uploaded_at is not None


def test_a_resumed_edition_never_uploads_again_and_never_posts_without_images(
    db: Database, tmp_path: Path
) -> None:
    edition_with_images(db, tmp_path)
    client = MediaFake(db, refuse_posts=1)
    assert publish(db, client).status is EditionStatus.FAILED  # uploaded, then post refused
    assert len(client.uploads) == 1 and client.posts == []
    again = MediaFake(db)
    assert publish(db, again).status is EditionStatus.PUBLISHED
    assert [u.alt for u in again.uploads] == ["A chart"]  # the akimat photo: not again
    assert again.posts[0].media[0].ref == "media-1"


def test_an_upload_that_keeps_failing_stops_the_edition_before_the_post(
    db: Database, tmp_path: Path
) -> None:
    edition_with_images(db, tmp_path)
    client = MediaFake(db, fail_uploads=100)
    outcome = publish(db, client)
    assert outcome.status is EditionStatus.FAILED
    assert outcome.error is not None and "post 1: image 1" in outcome.error
    assert client.posts == [] and client.recorded_at_post == []
    assert edition_posts(db, 1)[0].status is PostStatus.PENDING


def test_a_missing_file_at_publish_time_stops_before_the_post(db: Database, tmp_path: Path) -> None:
    edition_with_images(db, tmp_path)
    (tmp_path / "a.jpg").unlink()
    client = MediaFake(db)
    outcome = publish(db, client)
    assert outcome.status is EditionStatus.FAILED and client.posts == []
    assert outcome.error is not None and outcome.error.startswith("post 1: ")


def test_a_client_that_cannot_upload_refuses_the_post(db: Database, tmp_path: Path) -> None:
    edition_with_images(db, tmp_path, platform="x")

    class TextOnly(MediaFake):
        upload_media = None  # type: ignore[assignment]

    client = TextOnly(db, platform="x")
    outcome = publish(db, client)
    assert outcome.status is EditionStatus.FAILED and client.posts == []
    assert outcome.error == "post 1: images cannot be published on x yet"


def test_an_expired_media_id_is_uploaded_again(db: Database, tmp_path: Path) -> None:
    """X media ids last 24 h: an edition resumed later uploads its images again."""
    edition_with_images(db, tmp_path, platform="x")
    client = MediaFake(db, platform="x", refuse_posts=1)
    publish(db, client)
    assert len(client.uploads) == 1
    from sqlmodel import select

    from composer.store import PostMedia

    with db.session() as session:
        for row in session.exec(select(PostMedia)):
            row.uploaded_at = datetime.now(UTC) - timedelta(hours=25)
    again = MediaFake(db, platform="x")
    assert publish(db, again).status is EditionStatus.PUBLISHED
    assert len(again.uploads) == 2 and again.posts[0].media[0].ref == "media-1"


def test_a_post_found_sending_is_asked_about_with_the_images_it_was_sent_with(
    db: Database, tmp_path: Path
) -> None:
    """Mastodon answers "did you get it?" by sending the request again (its replay): that
    request must carry the post's images, or a post could go out without them."""
    from composer.store import mark_media_uploaded, mark_post_sending

    edition_with_images(db, tmp_path)
    first = edition_posts(db, 1)[0]
    assert first.id is not None
    [row] = post_media(db, first.id)
    assert row.id is not None
    mark_media_uploaded(db, row.id, remote_ref="media-9", sha256="0" * 64, width=3, height=4)
    mark_post_sending(db, first.id)
    asked: list[PostRequest] = []

    class Asking(MediaFake):
        async def find_post(self, request: PostRequest) -> PublishedPost | None:
            asked.append(request)
            return None

    client = Asking(db)
    assert publish(db, client).status is EditionStatus.PUBLISHED
    expected = (AttachedMedia("media-9", "Police at the akimat", 3, 4),)
    assert [r.media for r in asked] == [expected]
    assert client.posts[0].media == expected and [u.alt for u in client.uploads] == ["A chart"]
