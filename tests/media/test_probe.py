"""composer.media.probe: an image's upright size from its header, and one line for a file
that cannot be posted."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import pytest
from PIL import Image

from composer.media.probe import ProbeError, probe


def _photo(path: Path, size: tuple[int, int], orientation: int | None = None) -> Path:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = image.getexif()
    if orientation is not None:
        exif[0x0112] = orientation
    image.save(path, exif=exif)
    return path


@pytest.mark.parametrize(
    ("orientation", "upright"),
    [(None, (40, 30)), (1, (40, 30)), (3, (40, 30)), (6, (30, 40)), (8, (30, 40)), (5, (30, 40))],
)
def test_the_size_is_the_upright_one(
    tmp_path: Path, orientation: int | None, upright: tuple[int, int]
) -> None:
    info = probe(_photo(tmp_path / "p.jpg", (40, 30), orientation))
    assert (info.width, info.height) == upright
    assert info.format == "JPEG"


def test_png_webp_and_gif(tmp_path: Path) -> None:
    for name in ("chart.png", "a.webp", "a.gif"):
        Image.new("RGB", (7, 5)).save(tmp_path / name)
        assert (probe(tmp_path / name).width, probe(tmp_path / name).height) == (7, 5)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "not a regular file"),
        (lambda p: p.write_text("not a photo at all"), "not an image"),
        (lambda p: p.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 3), "not an image"),
        (lambda p: Image.new("RGB", (4, 4)).save(p, format="ICO"), "not an image"),
    ],
)
def test_what_cannot_be_posted_is_one_line(tmp_path: Path, make, reason: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "photo.jpg"
    make(path)
    with pytest.raises(ProbeError, match=reason) as caught:
        probe(path)
    assert "\n" not in str(caught.value)
    assert str(tmp_path) not in str(caught.value)  # the caller names the draft line


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file(tmp_path: Path) -> None:
    path = _photo(tmp_path / "p.jpg", (4, 4))
    path.chmod(0)
    with pytest.raises(ProbeError, match="cannot be read"):
        probe(path)


def test_a_file_changed_since_is_read_again(tmp_path: Path) -> None:
    path = _photo(tmp_path / "p.jpg", (40, 30))
    assert probe(path).width == 40
    _photo(tmp_path / "new.jpg", (64, 30)).replace(path)
    assert probe(path).width == 64


def test_a_decompression_bomb_is_refused_without_decoding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    Image.new("1", (1, 1)).save(path)
    data = bytearray(path.read_bytes())
    # Claim 60000 x 60000 pixels in the IHDR, with its CRC made right.
    data[16:24] = (60000).to_bytes(4, "big") * 2
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    path.write_bytes(bytes(data))
    with pytest.raises(ProbeError, match="too many pixels"):
        probe(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_or_a_device_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)  # opening it to read would wait for a writer forever
    with pytest.raises(ProbeError, match="not a regular file"):
        probe(fifo)
    link = tmp_path / "zero.jpg"
    link.symlink_to("/dev/zero")  # endless bytes
    with pytest.raises(ProbeError, match="not a regular file"):
        probe(link)


@pytest.mark.parametrize("kind", ["TIFF", "BMP", "WEBP", "GIF", "PNG", "JPEG"])
def test_a_file_the_preview_accepts_is_one_the_upload_can_read(tmp_path: Path, kind: str) -> None:
    """One rule for both (files.READABLE): a scanned TIFF was refused by the preview's probe
    and read by the upload's pipeline."""
    from composer.media import Limits, prepare

    path = tmp_path / f"scan.{kind.lower()}"
    Image.new("RGB", (30, 20), "white").save(path, format=kind)
    assert (probe(path).width, probe(path).height) == (30, 20)
    prepared = prepare(path, Limits(max_bytes=1_000_000), cache=tmp_path / "cache")
    assert (prepared.width, prepared.height) == (30, 20)
