"""Pruning the cache of prepared images: entries unused for 30 days go, then the least
recently used beyond the size cap; a write in progress and the use of an entry are
respected. Times are set on the files (os.utime) and the clock is passed in."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from composer.media import Limits, MediaCache, prepare
from composer.media.cache import MAX_AGE_SECONDS, PRUNE_EVERY_SECONDS
from tests.media.images import write_camera_photo

NOW = 2_000_000_000.0
DAY = 24 * 3600.0


def entry(folder: Path, name: str, size: int, last_used: float) -> Path:
    path = folder / name
    path.write_bytes(b"x" * size)
    os.utime(path, (last_used, last_used))
    return path


def names(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


def test_entries_unused_for_30_days_are_dropped(tmp_path: Path) -> None:
    entry(tmp_path, "old", 10, NOW - MAX_AGE_SECONDS - 1)
    entry(tmp_path, "recent", 10, NOW - MAX_AGE_SECONDS + 60)
    assert MediaCache(tmp_path).prune(now=NOW) == 1
    assert names(tmp_path) == {"recent"}


def test_beyond_the_cap_the_least_recently_used_go_first(tmp_path: Path) -> None:
    for day in range(5):  # a is the least recently used, e the most
        entry(tmp_path, "abcde"[day], 100, NOW - (5 - day) * DAY)
    assert MediaCache(tmp_path).prune(now=NOW, max_bytes=250) == 3
    assert names(tmp_path) == {"d", "e"}


def test_a_write_in_progress_and_the_stamp_are_never_pruned(tmp_path: Path) -> None:
    # A writer's temporary file, however old it looks: its own sweep decides (an hour).
    entry(tmp_path, ".tmp-abc123", 10_000, NOW - 400 * DAY)
    entry(tmp_path, ".pruned", 0, NOW - 400 * DAY)
    entry(tmp_path, "old", 10, NOW - 400 * DAY)
    (tmp_path / "a-folder").mkdir()
    os.utime(tmp_path / "a-folder", (0, 0))
    assert MediaCache(tmp_path).prune(now=NOW, max_bytes=0) == 1
    assert names(tmp_path) == {".tmp-abc123", ".pruned", "a-folder"}


def test_a_missing_cache_prunes_nothing(tmp_path: Path) -> None:
    assert MediaCache(tmp_path / "never-made").prune(now=NOW) == 0
    assert not MediaCache(tmp_path / "never-made").prune_if_due(now=NOW)
    assert not (tmp_path / "never-made").exists()


def test_an_entry_used_is_kept_as_recently_used(tmp_path: Path) -> None:
    photo = write_camera_photo(tmp_path / "photo.jpg", size=(400, 300))
    cache = tmp_path / "cache"
    limits = Limits(max_bytes=2_000_000)
    prepare(photo, limits, cache=cache)
    [made] = list(cache.iterdir())
    month_ago = time.time() - MAX_AGE_SECONDS - DAY  # the touch is real time
    os.utime(made, (month_ago, month_ago))
    prepare(photo, limits, cache=cache)  # used again (from the cache): touched
    assert made.stat().st_mtime > month_ago
    MediaCache(cache).prune(now=made.stat().st_mtime + DAY)
    assert made.exists()


def test_prune_if_due_prunes_at_most_once_a_day(tmp_path: Path) -> None:
    cache = MediaCache(tmp_path)
    entry(tmp_path, "first", 10, NOW - 40 * DAY)
    assert cache.prune_if_due(now=NOW)
    assert names(tmp_path) == {".pruned"}
    entry(tmp_path, "second", 10, NOW - 40 * DAY)
    assert not cache.prune_if_due(now=NOW + PRUNE_EVERY_SECONDS - 60)
    assert "second" in names(tmp_path)
    assert cache.prune_if_due(now=NOW + PRUNE_EVERY_SECONDS + 60)
    assert names(tmp_path) == {".pruned"}


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="POSIX modes, not root")
def test_a_read_only_cache_keeps_its_entries_quietly(tmp_path: Path) -> None:
    entry(tmp_path, "old", 10, NOW - 40 * DAY)
    tmp_path.chmod(0o500)
    try:
        assert MediaCache(tmp_path).prune(now=NOW) == 0
        MediaCache(tmp_path).prune_if_due(now=NOW)  # says nothing, raises nothing
    finally:
        tmp_path.chmod(0o700)
    assert names(tmp_path) == {"old"}
