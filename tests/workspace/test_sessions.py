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


def test_the_data_folder_made_for_a_session_is_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "new" / "data"
    monkeypatch.setenv("COMPOSER_DATA_DIR", str(data))
    SessionFile("a").save({"accessJwt": "a", "refreshJwt": "r"})
    assert stat.S_IMODE(data.stat().st_mode) == 0o700  # not the umask's 0755


def test_session_tokens_are_redacted_once_loaded(tmp_path: Path) -> None:
    from composer.redaction import REDACTED, forget_secrets, redact

    store = SessionFile("ank-x", tmp_path)
    store.save({"access": "ac3ss", "refresh": "r3fresh", "did": "did:plc:abc"})
    forget_secrets()  # another process: only the file knows the tokens
    try:
        store.load()
        assert redact("ac3ss r3fresh did:plc:abc") == f"{REDACTED} {REDACTED} did:plc:abc"
    finally:
        forget_secrets()
