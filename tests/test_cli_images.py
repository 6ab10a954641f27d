"""Image lines through the command line: `split --json` and plain output, and the one line
(exit 2) for an image that cannot be used."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from composer.cli import main

ROOT = Path(__file__).resolve().parent.parent
TEXT = " ".join(f"Sentence {n} of the monitors' report on the trial." for n in range(12))


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def split(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """`thread-composer split ARGS` through the entry point a user runs."""
    monkeypatch.setenv("COMPOSER_CONFIG", str(ROOT / "accounts.example.toml"))
    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str) -> Result:
        capsys.readouterr()
        with pytest.raises(SystemExit) as done:
            main(["split", *args])
        out, err = capsys.readouterr()
        return Result(int(done.value.code or 0), out, err)

    return run


def photo(path: Path, size: tuple[int, int] = (4032, 3024), orientation: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, (90, 90, 90))
    exif = image.getexif()
    if orientation is not None:
        exif[0x0112] = orientation
    image.save(path, exif=exif)


def draft(folder: Path, body: str, front: str = 'title = "Akimat"\n') -> Path:
    path = folder / "report.md"
    path.write_text(f"+++\n{front}+++\n{body}", encoding="utf-8")
    return path


ALT = "Police detain a protester outside the akimat, three officers holding his arms"


def test_split_json_gives_each_post_its_media_with_upright_sizes(
    split: Callable[..., Result], tmp_path: Path
) -> None:
    photo(tmp_path / "photos" / "akimat.jpg", (4032, 3024), orientation=6)  # portrait
    photo(tmp_path / "photos" / "court.png", (800, 600))
    body = f"{TEXT}\n\n![{ALT}](photos/akimat.jpg)\n![The court](photos/court.png)\n\n{TEXT}\n"
    result = split(str(draft(tmp_path, body)), "-p", "x", "--json")
    assert result.exit_code == 0, result.stderr
    posts = json.loads(result.stdout)["posts"]
    assert all("media" in post for post in posts)
    carrying = [post for post in posts if post["media"]]
    assert len(carrying) == 1
    assert carrying[0]["media"] == [
        {
            "path": str(tmp_path / "photos" / "akimat.jpg"),
            "alt": ALT,
            "width": 3024,
            "height": 4032,
        },
        {
            "path": str(tmp_path / "photos" / "court.png"),
            "alt": "The court",
            "width": 800,
            "height": 600,
        },
    ]
    assert not any("![" in post["text"] for post in posts)


def test_split_plain_output_shows_a_chip_under_the_post(
    split: Callable[..., Result], tmp_path: Path
) -> None:
    photo(tmp_path / "akimat.jpg")
    result = split(str(draft(tmp_path, f"{TEXT[:200]}\n![{ALT}](akimat.jpg)\n")), "-p", "x")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    chip = f"[image: akimat.jpg 4032x3024, alt {len(ALT)} chars]"
    assert chip in lines
    # Under the post's text (its last line: the accounts file's tag), after its rule.
    assert lines[-1] == chip
    assert lines[1].startswith("── 1/1") and lines[2].startswith("Sentence 0")


def test_a_draft_without_images_has_no_media_key(
    split: Callable[..., Result], tmp_path: Path
) -> None:
    result = split(str(draft(tmp_path, TEXT)), "-p", "x", "--json")
    assert result.exit_code == 0
    assert all(
        set(post) == {"index", "text", "length"} for post in json.loads(result.stdout)["posts"]
    )


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.write_text("GIF89a? no, a text file"), "not an image"),
        (lambda p: p.mkdir(), "not a regular file"),
    ],
)
def test_an_image_that_cannot_be_used_is_one_line_naming_the_draft_line(
    split: Callable[..., Result],
    tmp_path: Path,
    make,
    reason: str,  # type: ignore[no-untyped-def]
) -> None:
    make(tmp_path / "gone.jpg")
    path = draft(tmp_path, f"{TEXT}\n\n![{ALT}](gone.jpg)\n")
    result = split(str(path), "-p", "x")
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    # The file's line: three of front matter, the text, a blank line, the image.
    assert line.startswith(f"thread-composer: {path}:6: gone.jpg: {reason}")


def test_names_with_spaces_and_unicode(split: Callable[..., Result], tmp_path: Path) -> None:
    photo(tmp_path / "фото 3 мая" / "акимат площадь.jpg", (30, 20))
    body = f"{TEXT}\n![Площадь перед акиматом](фото 3 мая/акимат площадь.jpg)\n"
    result = split(str(draft(tmp_path, body)), "-p", "bluesky")
    assert result.exit_code == 0, result.stderr
    assert "[image: акимат площадь.jpg 30x20, alt 22 chars]" in result.stdout


def test_a_missing_or_long_alt_text_is_a_warning_for_split(
    split: Callable[..., Result], tmp_path: Path
) -> None:
    photo(tmp_path / "a.jpg", (10, 10))
    photo(tmp_path / "b.jpg", (10, 10))
    body = f"{TEXT}\n![](a.jpg)\n\nMore.\n![{'x' * 1001}](b.jpg)\n"
    result = split(str(draft(tmp_path, body)), "-p", "x")
    assert result.exit_code == 0
    assert "[image: a.jpg 10x10, no alt text]" in result.stdout
    assert "report.md:5: a.jpg has no alt text" in result.stderr
    assert "report.md:8: the alt text of b.jpg has 1001 characters; x takes at most 1000" in (
        result.stderr
    )
    on_mastodon = split(str(draft(tmp_path, body)), "-p", "mastodon")
    assert "1001 characters" not in on_mastodon.stderr  # Mastodon takes 1,500


def test_too_many_images_in_a_row_is_one_line_naming_the_file_line(
    split: Callable[..., Result], tmp_path: Path
) -> None:
    for n in range(5):
        photo(tmp_path / f"p{n}.jpg", (10, 10))
    rows = "\n".join(f"![Photo {n}](p{n}.jpg)" for n in range(5))
    path = draft(tmp_path, f"Intro.\n{rows}\n")
    result = split(str(path), "-p", "bluesky")
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line == (
        f"thread-composer: {path}:9: 5 images in a row, and a bluesky post takes 4: "
        "put text between them or leave one out"
    )


def test_count_does_not_count_image_lines(
    split: Callable[..., Result], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = draft(tmp_path, f"Hello world.\n![{ALT}](akimat.jpg)\n")
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["count", str(path), "-p", "x"])
    assert capsys.readouterr().out.strip() == "12"


def test_the_piped_preview_shows_chips_and_never_fails_on_a_missing_file(
    split: Callable[..., Result], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo(tmp_path / "akimat.jpg", (40, 30))
    path = draft(tmp_path, f"Hello world.\n![{ALT}](akimat.jpg)\n![](gone.jpg)\n")
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main([str(path)])  # standard input is not a terminal here: the split preview
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert (
        out.count(f"[image: akimat.jpg 40x30, alt {len(ALT)} chars]") == 3
    )  # x, mastodon, bluesky
    assert out.count("[image: gone.jpg: no such file, no alt text]") == 3
