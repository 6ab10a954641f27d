"""A draft with images through `publish` and `schedule`: each image is checked (file, alt
text, the platform's figures) with one line naming the draft line and exit 2; it goes out
with its images (Mastodon here; X is taken too). Threads without `media_upload_cmd` is refused
rather than sent without them: tests/publishing/test_threads_images.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from composer.cli import main
from tests.fakes.mastodon import FakeMastodon

TOKEN = "masto-SECRET-img-0a1b"
ALT = "Police detain a protester outside the akimat"
NAME = "drafts/report.md"  # as the commands name it, from the workspace
TEXT = "The police detained twelve people outside the akimat on Monday."


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    fake = FakeMastodon(token=TOKEN)
    with fake.running():
        yield fake


@pytest.fixture
def workspace(tmp_path: Path, mastodon: FakeMastodon, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "drafts" / "photos").mkdir(parents=True)
    Image.new("RGB", (64, 48)).save(tmp_path / "drafts" / "photos" / "akimat.jpg")
    (tmp_path / "accounts.toml").write_text(
        f"""
[accounts.fake-masto]
platform = "mastodon"
instance = "{mastodon.url}"
access_token_env = "FAKE_MASTODON_TOKEN"

[accounts.fake-x]
platform = "x"
base_url = "http://127.0.0.1:9"
oauth2_access_token_env = "X_TOKEN"

[accounts.loose-masto]
platform = "mastodon"
instance = "{mastodon.url}"
access_token_env = "FAKE_MASTODON_TOKEN"
alt_text_required = false
""",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FAKE_MASTODON_TOKEN", TOKEN)
    monkeypatch.setenv("X_TOKEN", "x-token")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COMPOSER_DB", str(tmp_path / "history.sqlite3"))
    monkeypatch.delenv("COMPOSER_CONFIG", raising=False)
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


def write(workspace: Path, body: str, front: str = "") -> Path:
    path = workspace / "drafts" / "report.md"
    path.write_text(f'+++\ntitle = "Akimat"\n{front}+++\n{body}', encoding="utf-8")
    return path


COMMANDS = [
    ("publish", "report", "--account", "fake-masto"),
    ("publish", "report", "--account", "fake-masto", "--dry-run"),
    ("schedule", "report", "--account", "fake-masto", "--in", "1h"),
]


def refused(result: Result, line: str) -> None:
    assert result.code == 2, result.err
    assert result.err.strip().splitlines() == [f"thread-composer: {line}"]


@pytest.mark.parametrize("command", COMMANDS)
def test_an_image_without_alt_text_is_refused_naming_the_line(
    workspace: Path, mastodon: FakeMastodon, run: Callable[..., Result], command: tuple[str, ...]
) -> None:
    write(workspace, f"{TEXT}\n![](photos/akimat.jpg)\n")
    refused(
        run(*command),
        f"{NAME}:5: akimat.jpg has no alt text: describe the image between the brackets, "
        "![like this](...), or set alt_text_required = false",
    )
    assert mastodon.statuses == {}
    queue = run("queue", "--json")
    assert queue.out.strip() in ("[]", "")


@pytest.mark.parametrize("command", ["--dry-run", "--in"])
def test_a_thread_with_images_is_taken_for_x(
    workspace: Path, run: Callable[..., Result], command: str
) -> None:
    """X uploads images now (tests/platforms/test_x_images.py): no refusal."""
    write(workspace, f"{TEXT}\n![{ALT}](photos/akimat.jpg)\n")
    verb = "publish" if command == "--dry-run" else "schedule"
    extra = ("--dry-run",) if command == "--dry-run" else ("--in", "1h")
    result = run(verb, "report", "--account", "fake-x", *extra)
    assert result.code == 0, result.err
    assert "not published" not in result.err


def test_a_thread_with_images_goes_out_with_them_on_mastodon(
    workspace: Path, mastodon: FakeMastodon, run: Callable[..., Result]
) -> None:
    write(workspace, f"{TEXT}\n![{ALT}](photos/akimat.jpg)\n")
    sent = run("publish", "report", "--account", "fake-masto")
    assert sent.code == 0, sent.err
    [status] = mastodon.statuses.values()
    [media] = mastodon.media.values()
    assert status["media_ids"] == [media["id"]] and media["description"] == ALT


def test_a_scheduled_thread_keeps_its_images_in_the_ledger(
    workspace: Path, run: Callable[..., Result]
) -> None:
    from composer.store import edition_posts, open_database, post_media

    write(workspace, f"{TEXT}\n![{ALT}](photos/akimat.jpg)\n")
    result = run("schedule", "report", "--account", "fake-masto", "--in", "1h")
    assert result.code == 0, result.err
    db = open_database(str(workspace / "history.sqlite3"))
    try:
        [post] = edition_posts(db, 1)
        assert post.id is not None
        [row] = post_media(db, post.id)
        photo = (workspace / "drafts" / "photos" / "akimat.jpg").resolve()
        assert (row.source_path, row.alt, row.remote_ref) == (str(photo), ALT, None)
    finally:
        db.close()


def test_alt_text_required_false_in_the_draft_or_the_account(
    workspace: Path, run: Callable[..., Result]
) -> None:
    dry = ("--dry-run",)
    write(workspace, f"{TEXT}\n![](photos/akimat.jpg)\n", "alt_text_required = false\n")
    assert run("publish", "report", "--account", "fake-masto", *dry).code == 0
    write(workspace, f"{TEXT}\n![](photos/akimat.jpg)\n")
    assert run("publish", "report", "--account", "loose-masto", *dry).code == 0
    # The draft's word wins over the account's.
    write(workspace, f"{TEXT}\n![](photos/akimat.jpg)\n", "alt_text_required = true\n")
    assert "has no alt text" in run("publish", "report", "--account", "loose-masto").err


def test_an_alt_text_longer_than_the_platform_takes_is_refused_with_the_figure(
    workspace: Path, run: Callable[..., Result]
) -> None:
    write(workspace, f"{TEXT}\n![{'a' * 1200}](photos/akimat.jpg)\n")
    refused(
        run("publish", "report", "--account", "fake-x"),
        f"{NAME}:5: the alt text of akimat.jpg has 1200 characters; x takes at most 1000",
    )
    # Mastodon takes 1,500: the same image passes.
    assert run("publish", "report", "--account", "fake-masto", "--dry-run").code == 0


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("gone.jpg", None, "no such file"),
        ("notes.jpg", "text", "not an image (or not one of jpeg, png, gif, webp, tiff, bmp)"),
    ],
)
def test_a_missing_file_or_not_an_image_is_one_line(
    workspace: Path, run: Callable[..., Result], name: str, make: str | None, reason: str
) -> None:
    if make:
        (workspace / "drafts" / name).write_text("meeting notes", encoding="utf-8")
    write(workspace, f"{TEXT}\n![{ALT}]({name})\n")
    for command in COMMANDS:
        result = run(*command)
        assert result.code == 2
        [line] = result.err.strip().splitlines()
        assert line.startswith(f"thread-composer: {NAME}:5: {name}: {reason}")


def test_too_many_images_in_a_row_is_one_line(workspace: Path, run: Callable[..., Result]) -> None:
    rows = "\n".join(f"![Photo {n}](photos/akimat.jpg)" for n in range(5))
    write(workspace, f"{TEXT}\n{rows}\n")
    result = run("publish", "report", "--account", "fake-masto")
    refused(  # the instance's own 4 (asked first): no word of a default
        result,
        f"{NAME}:9: 5 images in a row, and a mastodon post takes 4: put text between them "
        "or leave one out",
    )


@pytest.mark.parametrize("dry_run", [False, True], ids=["publish", "dry-run"])
def test_a_first_publish_asks_the_instance_and_takes_its_6_images(
    workspace: Path, mastodon: FakeMastodon, run: Callable[..., Result], dry_run: bool
) -> None:
    """Nothing remembered of the instance: `publish` (and --dry-run) asks it before the
    images are checked, so its 6 images a post are taken, not Mastodon's default 4."""
    from composer.instances import remembered

    mastodon.max_media_attachments = 6
    rows = "\n".join(f"![Photo {n}](photos/akimat.jpg)" for n in range(6))
    write(workspace, f"{TEXT}\n{rows}\n")
    assert remembered(mastodon.url) is None
    result = run("publish", "report", "--account", "fake-masto", *(["--dry-run"] * dry_run))
    assert result.code == 0, result.err
    assert remembered(mastodon.url) is not None
    assert remembered(mastodon.url).max_media_attachments == 6  # type: ignore[union-attr]
    if dry_run:
        assert "would publish to fake-masto" in result.out and mastodon.statuses == {}
    else:
        [status] = mastodon.statuses.values()
        assert len(status["media_ids"]) == 6


def test_schedule_never_asks_and_says_how_to_have_the_instance_asked(
    workspace: Path, mastodon: FakeMastodon, run: Callable[..., Result]
) -> None:
    """`schedule` stays off the network: an instance not asked yet has the default 4, and
    the refusal's way out (`publish --dry-run`) asks it, after which 6 are taken."""
    mastodon.max_media_attachments = 6
    rows = "\n".join(f"![Photo {n}](photos/akimat.jpg)" for n in range(6))
    write(workspace, f"{TEXT}\n{rows}\n")
    at = ("--at", "2031-01-06 09:00", "--tz", "UTC")
    result = run("schedule", "report", "--account", "fake-masto", *at)
    assert result.code == 2 and mastodon.requests == []
    assert "a mastodon post takes 4" in result.err
    assert "until fake-masto's own instance is reached: `publish --dry-run`" in result.err
    assert run("publish", "report", "--account", "fake-masto", "--dry-run").code == 0
    scheduled = run("schedule", "report", "--account", "fake-masto", *at)
    assert scheduled.code == 0, scheduled.err


def test_an_instance_that_cannot_be_reached_keeps_the_default_4_in_one_line(
    workspace: Path, run: Callable[..., Result]
) -> None:
    config = workspace / "accounts.toml"
    gone = '[accounts.gone-masto]\nplatform = "mastodon"\ninstance = "http://127.0.0.1:9"\n'
    config.write_text(
        config.read_text(encoding="utf-8") + gone + 'access_token_env = "FAKE_MASTODON_TOKEN"\n',
        encoding="utf-8",
    )
    rows = "\n".join(f"![Photo {n}](photos/akimat.jpg)" for n in range(5))
    write(workspace, f"{TEXT}\n{rows}\n")
    for dry_run in ([], ["--dry-run"]):
        result = run("publish", "report", "--account", "gone-masto", *dry_run)
        refused(
            result,
            f"{NAME}:9: 5 images in a row, and a mastodon post takes 4: put text between them "
            "or leave one out (Mastodon's default, until gone-masto's own instance is "
            "reached: `publish --dry-run` or the accounts screen (f5) asks it)",
        )


def test_an_instance_that_cannot_be_asked_without_its_token_keeps_the_default_4(
    workspace: Path,
    mastodon: FakeMastodon,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FAKE_MASTODON_TOKEN")
    mastodon.max_media_attachments = 6
    rows = "\n".join(f"![Photo {n}](photos/akimat.jpg)" for n in range(5))
    write(workspace, f"{TEXT}\n{rows}\n")
    result = run("publish", "report", "--account", "fake-masto", "--dry-run")
    assert result.code == 2
    [line] = result.err.strip().splitlines()
    assert "a mastodon post takes 4" in line and "until fake-masto's own instance" in line


def test_a_recurring_rule_takes_a_draft_with_images(
    workspace: Path, run: Callable[..., Result]
) -> None:
    write(workspace, f"{TEXT}\n![{ALT}](photos/akimat.jpg)\n")
    result = run("schedule", "report", "--account", "fake-masto", "--every", "daily 09:00")
    assert result.code == 0, result.err
    # The rule is made; its images are checked again when each occurrence comes due.
    write(workspace, f"{TEXT}\n![](photos/akimat.jpg)\n")
    refused = run("schedule", "report", "--account", "fake-masto", "--every", "daily 10:00")
    assert refused.code == 2 and "has no alt text" in refused.err
