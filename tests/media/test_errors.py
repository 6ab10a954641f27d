"""Files that cannot be prepared: one line naming the file, a MediaError (a ComposerError and
a ValueError, so the front ends exit 2), never a traceback from Pillow."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile

import composer.media.pipeline as pipeline
from composer.media import Limits, MediaError, prepare

LIMITS = Limits(max_bytes=5_000_000)


def refusal(path: Path, tmp_path: Path) -> str:
    with pytest.raises(MediaError) as caught:
        prepare(path, LIMITS, cache=tmp_path / "cache")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path).replace("\x1b", "\\u001b") + ": ")
    return message.split(": ", 1)[1]


def png(width: int, height: int, body: bytes = b"") -> bytes:
    """A PNG file whose header claims `width` x `height` (the pixels need not follow)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def test_a_missing_file(tmp_path: Path) -> None:
    assert refusal(tmp_path / "photos" / "akimat.jpg", tmp_path) == "no such file"


def test_a_folder(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    assert refusal(tmp_path / "photos", tmp_path) == "not a regular file"


def test_a_named_pipe_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    assert refusal(fifo, tmp_path) == "not a regular file"


def test_a_path_through_a_file(tmp_path: Path) -> None:
    (tmp_path / "report.md").write_text("text")
    assert refusal(tmp_path / "report.md" / "akimat.jpg", tmp_path).startswith("cannot be read")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads every file")
def test_a_file_without_read_permission(tmp_path: Path) -> None:
    path = tmp_path / "locked.jpg"
    Image.new("RGB", (10, 10)).save(path)
    path.chmod(0)
    assert refusal(path, tmp_path).startswith("cannot be read")


@pytest.mark.parametrize(
    "content",
    [
        b"# Report\n\nNot an image at all.\n",
        b"",
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",  # Pillow would run Ghostscript
        b"%PDF-1.7\n",
        b"\x00\x00\x00\x18ftypheic",  # HEIC: not read by Pillow
    ],
    ids=["text", "empty", "eps", "pdf", "heic"],
)
def test_not_an_image(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(content)
    assert refusal(path, tmp_path).startswith("not an image (or not one of jpeg, png, gif")


def test_a_truncated_jpeg(tmp_path: Path) -> None:
    whole = io.BytesIO()
    Image.effect_noise((400, 300), 50).save(whole, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    assert refusal(path, tmp_path).startswith("damaged image")


def test_a_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    """Pillow's check stays: a small file that claims 400 megapixels is not decoded."""
    path = tmp_path / "bomb.png"
    path.write_bytes(png(20_000, 20_000))
    assert refusal(path, tmp_path).startswith("too large to decode safely (more than")


def test_a_corrupt_png_body(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.png"
    path.write_bytes(png(100, 100, b"not zlib data"))
    assert refusal(path, tmp_path).startswith("damaged image")


def test_a_file_name_cannot_drive_the_terminal(tmp_path: Path) -> None:
    path = tmp_path / "evil\x1b[2Jname.jpg"
    path.write_text("no image")
    with pytest.raises(MediaError) as caught:
        prepare(path, LIMITS, cache=tmp_path / "cache")
    assert "\x1b" not in str(caught.value)
    assert "evil\\u001b[2Jname.jpg" in str(caught.value)


def test_an_image_that_cannot_fit_says_so(tmp_path: Path) -> None:
    path = tmp_path / "noise.png"
    Image.effect_noise((300, 300), 100).save(path)
    with pytest.raises(MediaError, match=r"noise\.png: cannot be made smaller than 100 bytes"):
        prepare(path, Limits(max_bytes=100), cache=tmp_path / "cache")


@pytest.mark.parametrize(
    "arguments",
    [
        {"max_bytes": 0},
        {"max_bytes": 10, "max_side": -1},
        {"max_bytes": 10, "formats": frozenset()},
        {"max_bytes": 10, "formats": frozenset({"image/png"})},
    ],
)
def test_limits_that_cannot_be_met_are_a_programming_error(arguments: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="Limits"):
        Limits(**arguments)  # type: ignore[arg-type]


def test_a_file_over_the_size_limit_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.jpg"
    Image.new("RGB", (100, 100)).save(path)
    monkeypatch.setattr(pipeline, "MAX_SOURCE_BYTES", 500)
    assert refusal(path, tmp_path) == "too large (at most 500 bytes)"


def test_what_pillow_says_cannot_drive_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "scan.png"
    Image.new("RGB", (10, 10)).save(path)

    def hostile(self: ImageFile.ImageFile) -> None:
        raise SyntaxError("bad chunk \x1b]0;owned\x07")

    monkeypatch.setattr(ImageFile.ImageFile, "load", hostile)
    assert (
        refusal(path, tmp_path) == "damaged image (SyntaxError: bad chunk \\u001b]0;owned\\u0007)"
    )
