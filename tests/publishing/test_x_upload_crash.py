"""`python -m composer publish` with an image to the X fake: end to end, and SIGKILLed around
the upload, then run again until it exits 0. Each case checks the fake's own state:

- `none`: not killed; the prepared image (no EXIF, no GPS) went out with its alt text;
- `before_alt`: killed as the alt-text call arrives (uploaded, not recorded): the next run
  uploads again, and the post carries the new upload, alt text and all;
- `before_tweet`: the upload was recorded and the tweet request has just arrived (killed
  before it is handled): one upload, one tweet;
- `after_tweet`: the tweet was stored but its answer is lost with the process: found on the
  account's timeline, not posted again, not uploaded again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from composer.store import edition_posts, open_database, post_media
from tests.fakes.server import Hangup, Request
from tests.fakes.x import FakeX
from tests.publishing.test_upload_crash import Publisher

TOKEN = "x-upload-crash-oauth2-token"
ALT = "Observers turned away at the door of polling station 12"
DRAFT = (
    '+++\ntitle = "Upload crash"\nhook = false\nlanguage = "en"\n+++\n\n'
    "Our observers were turned away from polling station 12 at noon.\n\n"
    f"![{ALT}](station.jpg)\n\n---\n\n"
    "They were let in at three, after the count had started.\n"
)


def workspace(folder: Path, url: str) -> Path:
    (folder / "drafts").mkdir()
    (folder / "drafts" / "report.md").write_text(DRAFT, encoding="utf-8")
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (43.0, 15.0, 0.0)  # GPS
    exif[0x010F] = "CameraMaker"
    Image.new("RGB", (800, 600), (10, 120, 40)).save(
        folder / "drafts" / "station.jpg", exif=exif.tobytes()
    )
    (folder / "accounts.toml").write_text(
        f'[accounts.crash]\nplatform = "x"\nbase_url = "{url}"\n'
        'oauth2_access_token_env = "CRASH_TOKEN"\n',
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize("point", ["none", "before_alt", "before_tweet", "after_tweet"])
def test_an_image_to_x_is_uploaded_for_its_post_and_the_post_goes_out_once(
    tmp_path: Path, point: str
) -> None:
    fake = FakeX(oauth2_access_token=TOKEN)
    with fake.running():
        publisher = Publisher(workspace(tmp_path, fake.url))
        publisher.env["CRASH_TOKEN"] = TOKEN
        fired: list[str] = []

        def on_request(request: Request) -> None:
            wanted = "/2/media/metadata" if point == "before_alt" else "/2/tweets"
            if request.method == "POST" and request.path == wanted and not fired:
                fired.append(point)
                assert len(fake.media) == 1  # uploaded first
                publisher.kill()
                raise Hangup

        def on_store(tweet: dict[str, Any]) -> None:
            if not fired:
                fired.append(point)
                publisher.kill()
                raise Hangup

        if point in ("before_alt", "before_tweet"):
            fake.on_request = on_request
        elif point == "after_tweet":
            fake.on_store = on_store
        first = publisher.run()
        if point == "none":
            assert first == 0, publisher.stderr
        else:
            assert fired == [point] and first == -9, publisher.stderr
            fake.on_request = fake.on_store = None
            for _ in range(3):
                if publisher.run() == 0:
                    break
            else:
                pytest.fail(f"publish never finished: {publisher.stderr}")
        tweets = sorted(fake.tweets.values(), key=lambda t: int(t["id"]))
        assert len(tweets) == 2  # each post once
        used = tweets[0]["media_ids"]
        assert len(used) == 1 and tweets[1]["media_ids"] == []
        # Uploaded once, or (killed before its alt text) once more, the post carrying that one.
        assert len(fake.media) == (2 if point == "before_alt" else 1)
        media = fake.media[used[0]]
        assert media["alt"] == ALT
        assert b"Exif" not in media["data"] and b"CameraMaker" not in media["data"]
        posted = [r for r in fake.requests if r.method == "POST" and r.path == "/2/tweets"]
        assert len(posted) == 2  # (a request hung up by a hook is not recorded: never handled)
    db = open_database(str(tmp_path / "history.sqlite3"))
    try:
        first_post = edition_posts(db, 1)[0]
        assert first_post.id is not None
        [row] = post_media(db, first_post.id)
        assert row.remote_ref == used[0]
    finally:
        db.close()
