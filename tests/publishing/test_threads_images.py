"""Images on Threads through `thread-composer publish`, against the Threads fake: each image is
put online by the account's `media_upload_cmd` (here a small Python script that copies the
file into a "bucket" folder, notes each run and prints a URL), then posted as an IMAGE or a
CAROUSEL container with its alt text.

What is checked: a post carries its images and nothing is ever posted without them; the
command is run once per image, also across a failure and a SIGKILL; a command that fails,
hangs or prints anything but one https:// URL is one line, and the edition resumes; an
account without the command is refused at planning with one line and exit 2."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from composer.cli import main
from composer.store import edition_posts, open_database, post_media
from tests.fakes.server import Hangup, Request
from tests.fakes.threads import USER_ID, VERSION, FakeThreads

TOKEN = "threads-img-SECRET-9f8e"
ALT1 = "Observers outside polling station 12, turned away at noon"
ALT2 = "The queue at the station door"
ALT3 = "The count sheet, signed by two observers"
NAME = "drafts/report.md"
DRAFT = (
    '+++\ntitle = "Station 12"\nhook = false\n+++\n\n'
    "Our observers were turned away from polling station 12 at noon.\n\n"
    f"![{ALT1}](photos/station.jpg)\n\n---\n\n"
    "They were let in at three, after the count had started.\n\n"
    f"![{ALT2}](photos/queue.png)\n![{ALT3}](photos/sheet.jpg)\n"
)
CDN = "https://cdn.example.org/ngo/"

# The upload command: copies the file into BUCKET, notes the run, prints the file's URL.
# UPLOAD_MODE makes it misbehave as a real one might.
SCRIPT = """
import os, shutil, sys, time
path = sys.argv[1]
bucket = os.environ["BUCKET"]
with open(os.path.join(bucket, "runs.log"), "a") as log:
    log.write(path + "\\n")
mode = os.environ.get("UPLOAD_MODE", "ok")
name = os.path.basename(path)
if mode == "fail":
    sys.stderr.write("\\x1b[31mAccessDenied: secret-ish stderr\\n")
    sys.exit(3)
if mode == "hang":
    time.sleep(60)
if mode == "garbage":
    print("Uploaded! \\x1b[2J see https://cdn.example.org/x")
    sys.exit(0)
if mode == "two":
    print("https://cdn.example.org/a.jpg\\nhttps://cdn.example.org/b.jpg")
    sys.exit(0)
if mode == "http":
    print("http://cdn.example.org/" + name)
    sys.exit(0)
if mode == "bytes":
    sys.stdout.buffer.write(b"https://cdn.example.org/\\xff\\xfe.jpg\\n")
    sys.exit(0)
if mode == "long":
    sys.stdout.write("https://cdn.example.org/" + "a" * 200_000)
    sys.exit(0)
shutil.copyfile(path, os.path.join(bucket, name))
print(os.environ["CDN"] + name)
"""


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def fake() -> Iterator[FakeThreads]:
    server = FakeThreads(token=TOKEN, user_id=USER_ID)
    server.image_polls = 1  # each image container is IN_PROGRESS once before FINISHED
    with server.running():
        yield server


def photo(path: Path, color: tuple[int, int, int], fmt: str = "JPEG") -> None:
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (43.0, 15.0, 0.0)  # a GPS position: must never leave
    Image.new("RGB", (640, 480), color).save(path, fmt, exif=exif.tobytes())


def accounts(folder: Path, url: str, command: str | None) -> None:
    line = f"media_upload_cmd = {json.dumps(command)}\n" if command else ""
    (folder / "accounts.toml").write_text(
        f'[accounts.ank-threads]\nplatform = "threads"\nbase_url = "{url}{VERSION}"\n'
        f'user_id = "{USER_ID}"\naccess_token_env = "THREADS_TOKEN"\n{line}',
        encoding="utf-8",
    )


@pytest.fixture
def workspace(tmp_path: Path, fake: FakeThreads, monkeypatch: pytest.MonkeyPatch) -> Path:
    photos = tmp_path / "drafts" / "photos"
    photos.mkdir(parents=True)
    photo(photos / "station.jpg", (10, 120, 40))
    photo(photos / "queue.png", (200, 30, 30), "PNG")
    photo(photos / "sheet.jpg", (30, 30, 200))
    (tmp_path / "drafts" / "report.md").write_text(DRAFT, encoding="utf-8")
    (tmp_path / "bucket").mkdir()
    (tmp_path / "upload.py").write_text(SCRIPT, encoding="utf-8")
    command = f"{sys.executable} {tmp_path / 'upload.py'}"
    accounts(tmp_path, fake.url, command)
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "THREADS_TOKEN": TOKEN,
        "BUCKET": str(tmp_path / "bucket"),
        "CDN": CDN,
        "NO_COLOR": "1",
        "COMPOSER_DB": str(tmp_path / "history.sqlite3"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("COMPOSER_CONFIG", raising=False)
    monkeypatch.delenv("UPLOAD_MODE", raising=False)
    return tmp_path


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    def invoke(*args: str) -> Result:
        capsys.readouterr()
        with pytest.raises(SystemExit) as done:
            main(list(args))
        out, err = capsys.readouterr()
        return Result(int(done.value.code or 0), out, err)

    return invoke


def runs(workspace: Path) -> int:
    log = workspace / "bucket" / "runs.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


PUBLISH = ("publish", "report", "--account", "ank-threads")


def check_published(workspace: Path, fake: FakeThreads) -> None:
    """The thread as it must be: post 1 with its image, post 2 a carousel of two, in reply."""
    first, second = fake.thread()
    assert first["media_type"] == "IMAGE" and second["media_type"] == "CAROUSEL_ALBUM"
    assert second["reply_to_id"] == first["id"]
    assert [i["alt_text"] for i in first["images"] + second["images"]] == [ALT1, ALT2, ALT3]
    urls = [i["url"] for i in first["images"] + second["images"]]
    assert all(url.startswith(CDN) for url in urls) and len(set(urls)) == 3
    assert urls[1].endswith(".png") and urls[0].endswith(".jpg")
    for url in urls:  # what went online is the prepared file: no metadata
        data = (workspace / "bucket" / url.removeprefix(CDN)).read_bytes()
        assert b"Exif" not in data and data[:4] in (b"\xff\xd8\xff\xe0", b"\x89PNG")
    db = open_database(str(workspace / "history.sqlite3"))
    try:
        recorded = [
            row.remote_ref for post in edition_posts(db, 1) for row in post_media(db, post.id or 0)
        ]
    finally:
        db.close()
    assert recorded == urls  # the URL is each image's recorded reference


def test_a_thread_with_images_goes_out_on_threads_through_the_upload_command(
    workspace: Path, fake: FakeThreads, run: Callable[..., Result]
) -> None:
    result = run(*PUBLISH)
    assert result.code == 0, result.err
    check_published(workspace, fake)
    assert runs(workspace) == 3  # once per image
    assert not any(c["item"] and c["status"] != "FINISHED" for c in fake.containers.values())


@pytest.mark.parametrize(
    "command",
    [
        PUBLISH,
        (*PUBLISH, "--dry-run"),
        ("schedule", "report", "--account", "ank-threads", "--in", "1h"),
        ("schedule", "report", "--account", "ank-threads", "--every", "daily 09:00"),
    ],
)
def test_a_threads_account_without_an_upload_command_is_refused_at_planning(
    workspace: Path, fake: FakeThreads, run: Callable[..., Result], command: tuple[str, ...]
) -> None:
    accounts(workspace, fake.url, None)
    result = run(*command)
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        f"thread-composer: {NAME}:8: images on threads need media_upload_cmd in account "
        "ank-threads: a command that uploads a file and prints its public https:// URL "
        "(see accounts.example.toml); take the image lines out to publish the text alone"
    ]
    assert fake.containers == {} and run("queue", "--json").out.strip() in ("[]", "")


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("fail", "failed with exit status 3; run it yourself to see why"),
        ("hang", "did not finish within 1 s"),
        ("garbage", "printed something other than one https:// URL"),
        ("two", "printed something other than one https:// URL"),
        ("http", "printed something other than one https:// URL"),
        ("bytes", "printed bytes that are not UTF-8 text"),
        ("long", "printed more than 65536 bytes"),
    ],
)
def test_an_upload_command_that_misbehaves_stops_before_the_post_and_the_edition_resumes(
    workspace: Path,
    fake: FakeThreads,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    words: str,
) -> None:
    monkeypatch.setattr("composer.workspace.media_upload.MEDIA_UPLOAD_TIMEOUT", 1.0)
    monkeypatch.setenv("UPLOAD_MODE", mode)
    result = run(*PUBLISH)
    assert result.code == 1
    [line] = [x for x in result.err.splitlines() if "stopped" in x]
    assert words in line and "media_upload_cmd" in line
    for leaked in ("\x1b", "Uploaded!", "AccessDenied", "cdn.example.org/a", "aaaa"):
        assert leaked not in result.err
    assert fake.posts == {} and fake.containers == {}  # nothing posted without its image
    monkeypatch.setenv("UPLOAD_MODE", "ok")
    again = run(*PUBLISH)
    assert again.code == 0, again.err
    check_published(workspace, fake)


def test_an_image_threads_cannot_fetch_stops_the_edition_and_a_resume_uploads_nothing_again(
    workspace: Path, fake: FakeThreads, run: Callable[..., Result]
) -> None:
    bad = fake.bad_urls
    fake.on_request = lambda request: bad.update(  # the image of post 1 is unreachable
        [request.form().get("image_url", "")] if request.method == "POST" and not bad else []
    )
    result = run(*PUBLISH)
    assert result.code == 1
    assert (
        "stopped: post 1: could not take the post's images (container ERROR): UNKNOWN; can "
        "anyone open the URL its media_upload_cmd printed?"
    ) in result.err
    assert fake.posts == {} and runs(workspace) == 1
    fake.on_request = None
    bad.clear()  # the bucket was fixed
    again = run(*PUBLISH)
    assert again.code == 0, again.err
    check_published(workspace, fake)
    assert runs(workspace) == 3  # post 1's image was not uploaded again


def test_a_publisher_killed_between_the_upload_and_the_post_never_runs_the_command_again(
    workspace: Path, fake: FakeThreads
) -> None:
    env = {**os.environ}
    process: list[subprocess.Popen[str]] = []

    def publish() -> int:
        child = subprocess.Popen(
            [sys.executable, "-m", "composer", *PUBLISH],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=workspace,
            env=env,
        )
        process.append(child)
        try:
            _, err = child.communicate(timeout=90)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        assert "Traceback" not in err
        return child.returncode

    def kill_at_first_container(request: Request) -> None:
        if request.method == "POST" and request.path.endswith("/threads"):
            fake.on_request = None
            assert runs(workspace) == 1  # post 1's image is online and recorded
            os.kill(process[-1].pid, signal.SIGKILL)
            raise Hangup

    fake.on_request = kill_at_first_container
    assert publish() == -signal.SIGKILL
    assert fake.containers == {} and fake.posts == {}
    assert publish() == 0
    check_published(workspace, fake)
    assert runs(workspace) == 3  # post 1's image was uploaded once, before the kill
