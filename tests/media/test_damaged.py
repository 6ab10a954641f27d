"""Damaged and unusual files: whatever Pillow raises is one line, whatever it warns about
is not printed, and no shape of image escapes the limits (fuzzed with fixed seeds)."""

from __future__ import annotations

import io
import random
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from composer.media import JPEG, Limits, MediaError, prepare
from tests.media.images import camera_exif, damaged_exif, swapped_profile, xmp_packet

ROOT = Path(__file__).resolve().parents[2]


def test_whatever_pillow_raises_on_a_file_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pillow's plugins raise TypeError, KeyError, struct.error... on damaged files (a TIFF
    without its width raised TypeError from `n_frames`): never a traceback."""
    path = tmp_path / "scan.tiff"
    Image.new("RGB", (40, 30)).save(path)

    def broken(self: ImageFile.ImageFile) -> None:
        raise KeyError(256)

    monkeypatch.setattr(ImageFile.ImageFile, "load", broken)
    with pytest.raises(MediaError, match=r"scan\.tiff: damaged image \(KeyError: 256\)$"):
        prepare(path, Limits(max_bytes=1_000_000), cache=tmp_path / "cache")


def test_a_long_screenshot_fits_in_a_jpeg(tmp_path: Path) -> None:
    """JPEG holds at most 65,500 pixels a side; a scrolling screenshot can be longer."""
    path = tmp_path / "chat.png"
    Image.linear_gradient("L").resize((40, 70_000)).save(path)
    limits = Limits(max_bytes=5_000_000, formats=frozenset({JPEG}))
    result = prepare(path, limits, cache=tmp_path / "cache")
    assert result.mime == JPEG
    assert result.height <= 65_500 and result.height > 60_000
    assert abs(result.width * 70_000 - result.height * 40) <= 70_000  # not cropped


PREPARE = """
import sys
from pathlib import Path
from composer.media import Limits, prepare
result = prepare(Path(sys.argv[1]), Limits(max_bytes=1_000_000), cache=Path(sys.argv[2]))
print(result.width, result.height)
"""


def test_a_damaged_exif_block_prints_nothing(tmp_path: Path) -> None:
    path = tmp_path / "phone.jpg"
    Image.new("RGB", (40, 30), "white").save(path, "JPEG", exif=damaged_exif())
    with pytest.warns(UserWarning, match="Tag data larger than file"):  # Pillow does warn
        Image.open(path).getexif()
    run = subprocess.run(
        [sys.executable, "-c", PREPARE, str(path), str(tmp_path / "cache")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (run.returncode, run.stdout, run.stderr) == (0, "40 30\n", "")


def seeds() -> dict[str, bytes]:
    """Small files of each readable format, with metadata where the format holds it."""
    noise = Image.effect_noise((64, 48), 40)
    files = {}
    for kind, options in {
        "JPEG": {"exif": camera_exif(), "xmp": xmp_packet(), "icc_profile": swapped_profile()},
        "PNG": {"exif": camera_exif(), "icc_profile": swapped_profile()},
        "GIF": {},
        "WEBP": {"exif": camera_exif()},
        "TIFF": {"exif": camera_exif()},
        "BMP": {},
    }.items():
        buffer = io.BytesIO()
        (noise if kind in ("GIF", "BMP") else noise.convert("RGB")).save(buffer, kind, **options)
        files[kind] = buffer.getvalue()
    return files


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's, about what it skips
@pytest.mark.parametrize("seed", range(4))
def test_damaged_files_are_prepared_or_refused_in_one_line(tmp_path: Path, seed: int) -> None:
    """Bytes flipped, cut and inserted at random (fixed seeds): every file is either
    prepared within the limits or refused with a MediaError, nothing else escapes."""
    rng = random.Random(seed)
    originals = seeds()
    limits = Limits(max_bytes=40_000, max_side=60)
    outcomes = {"prepared": 0, "refused": 0}
    for attempt in range(150):
        kind = rng.choice(sorted(originals))
        data = bytearray(originals[kind])
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(data))
            choice = rng.random()
            if choice < 0.6:
                data[at] = rng.randrange(256)
            elif choice < 0.8:
                del data[at : at + rng.randint(1, 50)]
            else:
                data[at:at] = rng.randbytes(rng.randint(1, 20))
        path = tmp_path / f"{attempt}.{kind.lower()}"
        path.write_bytes(bytes(data))
        try:
            result = prepare(path, limits, cache=tmp_path / "cache")
        except MediaError as error:
            assert "\n" not in str(error) and str(error).startswith(str(path))
            outcomes["refused"] += 1
        else:
            assert len(result.data) <= limits.max_bytes
            assert max(result.width, result.height) <= 60
            outcomes["prepared"] += 1
    assert outcomes["prepared"] and outcomes["refused"]  # both kinds were exercised
