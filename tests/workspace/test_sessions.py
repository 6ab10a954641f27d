from __future__ import annotations

import stat
from pathlib import Path

import pytest

from composer.workspace.sessions import SessionFile


def test_round_trip_owner_only(tmp_path: Path) -> None:
    store = SessionFile("ank-bsky", tmp_path)
    assert store.load() is None
    store.save({"accessJwt": "a", "refreshJwt": "r"})
    assert store.load() == {"accessJwt": "a", "refreshJwt": "r"}
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    store.save({"accessJwt": "a2", "refreshJwt": "r2"})
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    store.save(None)
    assert store.load() is None and not store.path.exists()


def test_unreadable_file_means_no_session(tmp_path: Path) -> None:
    store = SessionFile("x/../odd name", tmp_path)
    assert store.path.parent == tmp_path / "sessions"
    store.path.parent.mkdir(parents=True)
    store.path.write_text("{not json")
    assert store.load() is None


def test_data_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPOSER_DATA_DIR", str(tmp_path))
    assert SessionFile("a").path == tmp_path / "sessions" / "a.json"
