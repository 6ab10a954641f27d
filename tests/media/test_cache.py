"""The cache of prepared images: an image is prepared once per content and limits, entries
are whole or absent (two processes at once, a write cut short), and a damaged entry is
never sent."""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

import composer.media.pipeline as pipeline
from composer import locations
from composer.media import Limits, prepare, prepare_many
from tests.media.images import write_camera_photo

ROOT = Path(__file__).resolve().parents[2]
BLUESKY = Limits(max_bytes=2_000_000)
SMALL = Limits(max_bytes=150_000)  # the test photo needs a downscale for it


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_camera_photo(tmp_path_factory.mktemp("photo") / "akimat.jpg", size=(1600, 1200))


@pytest.fixture
def encodings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every encoding the pipeline makes, by MIME type."""
    made: list[str] = []
    encode: Callable[[Image.Image, str], bytes] = pipeline._encode

    def counted(image: Image.Image, mime: str) -> bytes:
        made.append(mime)
        return encode(image, mime)

    monkeypatch.setattr(pipeline, "_encode", counted)
    return made


def entries(cache: Path) -> list[Path]:
    return sorted(path for path in cache.iterdir() if not path.name.startswith(".tmp-"))


def test_the_second_call_encodes_nothing(photo: Path, tmp_path: Path, encodings: list[str]) -> None:
    first = prepare(photo, SMALL, cache=tmp_path)
    assert encodings
    encodings.clear()
    second = prepare(photo, SMALL, cache=tmp_path)
    assert encodings == []
    assert second == first
    assert hashlib.sha256(second.data).hexdigest() == second.sha256


def test_one_decode_for_several_platforms(
    photo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decodes: list[Path] = []
    decode = pipeline._decode

    def counted(source: bytes, path: Path, limits: list[Limits]) -> tuple[Image.Image, bool]:
        decodes.append(path)
        return decode(source, path, limits)

    monkeypatch.setattr(pipeline, "_decode", counted)
    platforms = [BLUESKY, Limits(max_bytes=5_000_000), SMALL]
    prepare_many(photo, platforms, cache=tmp_path)
    assert decodes == [photo]
    prepare_many(photo, platforms, cache=tmp_path)
    assert decodes == [photo]  # all three from the cache
    assert len(entries(tmp_path)) == 3


def test_the_key_is_the_content_and_the_limits(
    photo: Path, tmp_path: Path, encodings: list[str]
) -> None:
    copy = tmp_path / "renamed copy.jpg"
    copy.write_bytes(photo.read_bytes())
    prepare(photo, SMALL, cache=tmp_path / "cache")
    encodings.clear()
    prepare(copy, SMALL, cache=tmp_path / "cache")  # another name, the same bytes
    assert encodings == []
    prepare(copy, Limits(max_bytes=SMALL.max_bytes, max_side=800), cache=tmp_path / "cache")
    assert encodings  # other limits, another entry
    encodings.clear()
    Image.new("RGB", (300, 200), "white").save(copy)  # the same name, other bytes
    changed = prepare(copy, SMALL, cache=tmp_path / "cache")
    assert encodings and (changed.width, changed.height) == (300, 200)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: b"",  # empty after a power cut
        lambda data: b"\xff\xd8\xff" + b"\0" * 100 + b"\xff\xd9",  # looks like a JPEG, is not
        lambda data: data + b"trailing",  # not ending where a JPEG ends
    ],
    ids=["cut", "empty", "fake", "trailing"],
)
def test_a_damaged_entry_is_prepared_again(
    photo: Path, tmp_path: Path, encodings: list[str], damage: Callable[[bytes], bytes]
) -> None:
    good = prepare(photo, SMALL, cache=tmp_path)
    (entry,) = entries(tmp_path)
    entry.write_bytes(damage(entry.read_bytes()))
    encodings.clear()
    assert prepare(photo, SMALL, cache=tmp_path) == good
    assert encodings
    assert entry.read_bytes() == good.data  # and replaced


def test_an_entry_over_the_limits_is_not_sent(photo: Path, tmp_path: Path) -> None:
    """An entry edited by hand (or by an older version) into a larger file is not trusted."""
    good = prepare(photo, SMALL, cache=tmp_path)
    (entry,) = entries(tmp_path)
    entry.write_bytes(photo.read_bytes())  # the original: over the limit, with its GPS
    assert prepare(photo, SMALL, cache=tmp_path) == good


def test_an_unwritable_cache_still_prepares(photo: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    result = prepare(photo, SMALL, cache=blocked)
    assert len(result.data) <= SMALL.max_bytes


def test_the_default_cache_is_private_in_the_data_folder(photo: Path) -> None:
    """The conftest points COMPOSER_DATA_DIR at a fresh folder; nothing exists in it yet."""
    folder = locations.media_cache_folder()
    assert folder == locations.data_folder() / "media"
    assert not folder.exists()
    prepare(photo, SMALL)
    (entry,) = entries(folder)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert entry.stat().st_mode & 0o777 == 0o600
    assert entry.name.startswith(hashlib.sha256(photo.read_bytes()).hexdigest())


PREPARE = """
import sys, time
from pathlib import Path
from composer.media import Limits, prepare
photo, cache, ready, go = (Path(arg) for arg in sys.argv[1:5])
ready.touch()
while not go.exists():
    time.sleep(0.001)
print(prepare(photo, Limits(max_bytes=int(sys.argv[5])), cache=cache).sha256)
"""


def run_prepare(
    photo: Path, cache: Path, flags: Path, name: str, limits: Limits, **options: object
) -> subprocess.Popen[str]:
    arguments = [str(photo), str(cache), str(flags / f"ready-{name}"), str(flags / "go")]
    return subprocess.Popen(
        [sys.executable, "-c", PREPARE, *arguments, str(limits.max_bytes)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        **options,  # type: ignore[call-overload]
    )


def test_processes_preparing_the_same_image_at_once(photo: Path, tmp_path: Path) -> None:
    """Four processes write the same entry at the same moment; a reader watching the folder
    never sees a partial entry, and all four send the same bytes."""
    expected = prepare(photo, SMALL, cache=tmp_path / "reference")
    cache, flags = tmp_path / "cache", tmp_path / "flags"
    flags.mkdir()
    writers = [run_prepare(photo, cache, flags, str(n), SMALL) for n in range(4)]
    deadline = time.monotonic() + 60
    while len(list(flags.iterdir())) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    (flags / "go").touch()
    while any(writer.poll() is None for writer in writers):
        for entry in entries(cache) if cache.exists() else []:
            try:
                data = entry.read_bytes()
            except FileNotFoundError:
                continue
            assert data == expected.data, "a reader saw a partial entry"
    outputs = [writer.communicate()[0].strip() for writer in writers]
    assert [writer.returncode for writer in writers] == [0] * 4
    assert outputs == [expected.sha256] * 4
    assert [entry.read_bytes() for entry in entries(cache)] == [expected.data]
    assert [path.name for path in cache.iterdir() if path.name.startswith(".tmp-")] == []


def test_a_write_cut_short_leaves_no_entry(photo: Path, tmp_path: Path) -> None:
    """A process whose disk fills up halfway through an entry (its file size limit, here)
    leaves no entry behind, not even a temporary one, and still prepares the image."""
    expected = prepare(photo, SMALL, cache=tmp_path / "reference")
    assert len(expected.data) > 20_000
    cache, flags = tmp_path / "cache", tmp_path / "flags"
    flags.mkdir()
    (flags / "go").touch()

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    writer = run_prepare(photo, cache, flags, "full", SMALL, preexec_fn=small_files)
    assert writer.communicate(timeout=60)[0].strip() == expected.sha256
    assert writer.returncode == 0
    assert list(cache.iterdir()) == []
    assert prepare(photo, SMALL, cache=cache) == expected
    assert os.listdir(cache) == [entries(cache)[0].name]


def test_temporary_files_of_killed_writers_are_removed_later(photo: Path, tmp_path: Path) -> None:
    tmp_path.joinpath(".tmp-killed-yesterday").write_bytes(b"\xff\xd8 half a photo")
    os.utime(tmp_path / ".tmp-killed-yesterday", (time.time() - 86_400,) * 2)
    tmp_path.joinpath(".tmp-being-written").write_bytes(b"\xff\xd8 another process")
    prepare(photo, SMALL, cache=tmp_path)
    names = sorted(path.name for path in tmp_path.iterdir())
    assert ".tmp-killed-yesterday" not in names
    assert ".tmp-being-written" in names  # a writer at work right now is left alone
