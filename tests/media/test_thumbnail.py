"""Thumbnails for the TUI's post cards: small, upright, and read as safely as uploads are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from composer.media.errors import MediaError
from composer.media.thumbnail import THUMBNAIL_BOX, thumbnail


def test_a_rotated_photo_comes_upright_and_small(tmp_path: Path) -> None:
    photo = Image.new("RGB", (4032, 3024), (120, 80, 40))
    exif = photo.getexif()
    exif[0x0112] = 6  # stored on its side: upright it is portrait
    path = tmp_path / "akimat.jpg"
    photo.save(path, exif=exif)
    small = thumbnail(path)
    assert small.width <= THUMBNAIL_BOX[0] and small.height <= THUMBNAIL_BOX[1]
    assert small.height > small.width
    assert small.mode == "RGB"


def test_transparency_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "chart.png"
    Image.new("RGBA", (800, 400), (0, 0, 0, 0)).save(path)
    assert thumbnail(path).mode == "RGBA"


@pytest.mark.parametrize("kind", ["missing", "text", "folder", "fifo"])
def test_what_is_not_an_image_file_is_refused_with_one_line(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "x.jpg"
    if kind == "text":
        path.write_text("not an image", encoding="utf-8")
    elif kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)  # never waits for a writer
    with pytest.raises(MediaError) as caught:
        thumbnail(path)
    assert "\n" not in str(caught.value)
