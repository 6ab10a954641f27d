"""A publisher SIGKILLed around an image upload, then run again: the image is uploaded once
for its post, and the post goes out once, with it.

Each case runs `python -m composer publish` against the Mastodon fake, kills it at one point,
runs it again until it exits 0, and checks the fake's own state:
- `before_status`: the upload was answered and recorded, and the status request of the
  post that carries it has just arrived (killed before it is handled);
- `after_status`: the status was stored, but the publisher never hears the answer (the
  lost answer to the post after its upload).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from composer.store import edition_posts, open_database, post_media
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Hangup, Request

TOKEN = "masto-upload-crash-token"
ALT = "Observers outside the polling station"
DRAFT = (
    '+++\ntitle = "Upload crash"\nhook = false\nlanguage = "en"\n+++\n\n'
    "Our observers were turned away from polling station 12 at noon.\n\n"
    f"![{ALT}](station.jpg)\n\n---\n\n"
    "They were let in at three, after the count had started.\n"
)
RUN_TIMEOUT = 90.0


def workspace(folder: Path, url: str) -> Path:
    (folder / "drafts").mkdir()
    (folder / "drafts" / "report.md").write_text(DRAFT, encoding="utf-8")
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (43.0, 15.0, 0.0)
    Image.new("RGB", (800, 600), (10, 120, 40)).save(
        folder / "drafts" / "station.jpg", exif=exif.tobytes()
    )
    (folder / "accounts.toml").write_text(
        f'[accounts.crash]\nplatform = "mastodon"\ninstance = "{url}"\n'
        'access_token_env = "CRASH_TOKEN"\n',
        encoding="utf-8",
    )
    return folder


class Publisher:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {
            **os.environ,
            "CRASH_TOKEN": TOKEN,
            "NO_COLOR": "1",
            "COMPOSER_DB": str(folder / "history.sqlite3"),
        }
        self.env.pop("COMPOSER_CONFIG", None)
        self.process: subprocess.Popen[str] | None = None

    def run(self) -> int:
        process = subprocess.Popen(
            [sys.executable, "-m", "composer", "publish", "report", "--account", "crash"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=self.folder,
            env=self.env,
        )
        self.process = process
        try:
            _, self.stderr = process.communicate(timeout=RUN_TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        return process.returncode

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()


@pytest.mark.parametrize("point", ["before_status", "after_status"])
def test_a_publisher_killed_around_an_upload_uploads_once_and_posts_once(
    tmp_path: Path, point: str
) -> None:
    fake = FakeMastodon(token=TOKEN)
    with fake.running():
        publisher = Publisher(workspace(tmp_path, fake.url))
        fired: list[str] = []

        def before_status(request: Request) -> None:
            if request.method == "POST" and request.path == "/api/v1/statuses" and not fired:
                fired.append(point)
                assert len(fake.media) == 1  # uploaded first
                publisher.kill()
                raise Hangup

        def after_status(status: dict[str, Any]) -> None:
            if not fired:
                fired.append(point)
                publisher.kill()
                raise Hangup

        if point == "before_status":
            fake.on_request = before_status
        else:
            fake.on_store = after_status
        first = publisher.run()
        assert fired == [point] and first == -9, publisher.stderr
        fake.on_request = fake.on_store = None
        for _ in range(3):
            if publisher.run() == 0:
                break
        else:
            pytest.fail(f"publish never finished: {publisher.stderr}")
        [media] = fake.media.values()  # uploaded once
        statuses = fake.thread()
        assert len(statuses) == 2  # each post once
        assert statuses[0]["media_ids"] == [media["id"]] and statuses[1]["media_ids"] == []
        assert media["description"] == ALT
        assert b"Exif" not in media["data"]
    db = open_database(str(tmp_path / "history.sqlite3"))
    try:
        first_post = edition_posts(db, 1)[0]
        assert first_post.id is not None
        [row] = post_media(db, first_post.id)
        assert row.remote_ref == media["id"]
    finally:
        db.close()
