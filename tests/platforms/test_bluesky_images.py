"""Images on a real Bluesky PDS: a 12-megapixel phone photo goes out as a blob within the
limit, upright, without any of its metadata, with its alt text and aspect ratio, once."""

from __future__ import annotations

import asyncio
import hashlib
import io
import itertools
from pathlib import Path

import httpx
import pytest
from PIL import Image

from composer.platforms.base import MediaUpload
from composer.platforms.bluesky import BlueskyClient
from composer.publishing import PublishResult, publish_edition
from composer.store import (
    Database,
    EditionStatus,
    NewMedia,
    edition_posts,
    open_database,
    post_media,
)
from tests.helpers import recorded_edition

from .test_bluesky import MakeAccount, list_posts

ALT = "Police detain a protester outside the akimat"
BLOB_LIMIT = 2_000_000


def phone_photo(path: Path) -> Path:
    """4000x3000 stored sideways (orientation 6: shown turned 90 degrees clockwise), with
    GPS, make and model; the stored top-left corner is pure red (shown top-right)."""
    image = Image.merge(
        "RGB", [Image.effect_noise((4000, 3000), 60) for _ in range(3)]
    )  # noise: a file far above the blob limit
    image.paste((255, 0, 0), (0, 0, 1000, 750))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Model X1 serial 12345"
    exif.get_ifd(0x8825).update({1: "N", 2: (43.0, 15.0, 3.5), 3: "E", 4: (76.0, 56.0, 1.2)})
    image.save(path, "JPEG", quality=95, exif=exif.tobytes())
    assert path.stat().st_size > BLOB_LIMIT
    return path


class Counting(BlueskyClient):
    uploads = 0

    async def upload_media(self, upload: MediaUpload) -> str:
        type(self).uploads += 1
        return await super().upload_media(upload)


async def get_blob(pds: str, did: str, cid: str) -> bytes:
    async with httpx.AsyncClient() as http:
        response = await http.get(
            f"{pds}/xrpc/com.atproto.sync.getBlob", params={"did": did, "cid": cid}
        )
    assert response.status_code == 200, response.text
    return response.content


@pytest.mark.parametrize("atomic", [False, True], ids=["post-by-post", "atomic"])
def test_a_phone_photo_on_the_real_pds(
    pds: str, make_account: MakeAccount, tmp_path: Path, atomic: bool
) -> None:
    user = make_account()
    photo = phone_photo(tmp_path / "akimat.jpg")
    db: Database = open_database(str(tmp_path / "h.sqlite3"))
    texts = ["1/2 Observers at the akimat.", "2/2 The police arrived at noon."]
    edition_id = recorded_edition(
        db, texts, account="b", platform="bluesky", media=[[NewMedia(str(photo), ALT)], []]
    )
    Counting.uploads = 0

    async def main() -> PublishResult:
        client = Counting(user.account)
        try:
            return await publish_edition(db, edition_id, client, atomic=atomic)
        finally:
            await client.aclose()

    try:
        assert asyncio.run(main()).status is EditionStatus.PUBLISHED
        assert Counting.uploads == 1
        records = asyncio.run(list_posts(pds, user.did))
        assert [r["value"]["text"] for r in records] == texts
        for before, after in itertools.pairwise(records):
            assert after["value"]["reply"]["parent"] == {"uri": before["uri"], "cid": before["cid"]}
        embed = records[0]["value"]["embed"]
        assert embed["$type"] == "app.bsky.embed.images" and "embed" not in records[1]["value"]
        [image] = embed["images"]
        assert image["alt"] == ALT
        ratio = image["aspectRatio"]
        assert ratio["height"] > ratio["width"]  # upright: portrait
        assert abs(ratio["width"] / ratio["height"] - 0.75) < 0.01
        blob = image["image"]
        assert blob["mimeType"] == "image/jpeg" and blob["size"] <= BLOB_LIMIT
        data = asyncio.run(get_blob(pds, user.did, blob["ref"]["$link"]))
        assert len(data) == blob["size"] <= BLOB_LIMIT
        sent = Image.open(io.BytesIO(data))
        assert sent.size == (ratio["width"], ratio["height"])
        assert dict(sent.getexif()) == {}
        assert not {"exif", "xmp", "icc_profile", "comment", "photoshop"} & set(sent.info)
        assert b"PhoneMaker" not in data and b"12345" not in data
        width, height = sent.size
        top_right = sent.convert("RGB").getpixel((int(width * 0.9), int(height * 0.05)))
        top_left = sent.convert("RGB").getpixel((int(width * 0.1), int(height * 0.05)))
        assert isinstance(top_right, tuple) and isinstance(top_left, tuple)
        assert top_right[0] > 200 and top_right[1] < 60  # the red corner, turned upright
        assert not (top_left[0] > 200 and top_left[1] < 60)
        first = edition_posts(db, edition_id)[0]
        assert first.id is not None
        [row] = post_media(db, first.id)
        assert row.sha256 == hashlib.sha256(data).hexdigest()
        # A second publish: nothing to upload, nothing posted twice.
        asyncio.run(main())
        assert Counting.uploads == 1
        assert len(asyncio.run(list_posts(pds, user.did))) == len(texts)
    finally:
        db.close()
