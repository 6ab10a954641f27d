"""Tokens a platform hands an account (a Bluesky session, X's rotated OAuth 2.0 tokens), kept
between runs so that no run logs in again or loses a refresh token the platform rotated.

One JSON file per account in the user data folder (or `COMPOSER_DATA_DIR`), readable by its
owner alone and written atomically. Never in the history database.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path

from composer.locations import data_folder, private_data_folder
from composer.redaction import register_secret
from composer.workspace.drafts import write_atomically

__all__ = ["SessionFile", "data_folder"]  # data_folder: for the unsaved copies (recovery)


class SessionFile:
    """`load()` and `save()` of one account's tokens (the platforms' SessionStore).

    The file is named for the account AND for who it is (`identity`: the server and the
    handle or client), so that an account renamed, pointed elsewhere or reused by another
    accounts file never gets someone else's session.
    """

    def __init__(self, account: str, folder: Path | None = None, *, identity: str = "") -> None:
        safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", account)
        if identity:
            safe_name += "-" + hashlib.sha256(identity.encode()).hexdigest()[:16]
        self._folder = folder
        self.path = (folder or data_folder()) / "sessions" / f"{safe_name}.json"

    def load(self) -> Mapping[str, str] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # none yet, or unreadable: the platform gives a new one
        if not isinstance(data, dict):
            return None
        session = {str(k): str(v) for k, v in data.items()}
        _register(session)
        return session

    def save(self, session: Mapping[str, str] | None) -> None:
        if session is None:
            self.path.unlink(missing_ok=True)
            return
        _register(session)
        if self._folder is None:
            private_data_folder()
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.path.exists():
            self.path.touch(mode=0o600)  # write_atomically keeps an existing file's mode
        self.path.chmod(0o600)
        write_atomically(self.path, json.dumps(dict(session)))

    def __repr__(self) -> str:
        return f"SessionFile({str(self.path)!r})"


_NOT_SECRET = frozenset({"did", "handle"})


def _register(session: Mapping[str, str]) -> None:
    """A session's tokens are secrets like the accounts file's: blanked out of every text."""
    for key, value in session.items():
        if key not in _NOT_SECRET:
            register_secret(value)
