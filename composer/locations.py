"""Where thread-composer keeps the user's data: the one home for that decision.

`COMPOSER_DATA_DIR` when set, else the platform's user data folder (on Linux
`~/.local/share/thread-composer`). It holds the history database (`history.sqlite3`, when
no `--db`/`COMPOSER_DB` is given), the platforms' sessions (`sessions/`) and the unsaved
copies of drafts (`unsaved/`), the images prepared for upload (`media/`, see
`media_cache_folder`) and the Mastodon instances' media figures (`instances.json`, see
`instance_figures_file`). The folder is private (0700): a session file holds tokens,
the history holds every post and reason.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "thread-composer"
DATA_DIR_VARIABLE = "COMPOSER_DATA_DIR"


def data_folder() -> Path:
    """The data folder (not created)."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    if override:
        return Path(override)
    import platformdirs  # here, not above: it loads tempfile and shutil, ~10 ms of `split`

    return Path(platformdirs.user_data_dir(APP_NAME))


def private_data_folder() -> Path:
    """The data folder, created if needed and made readable by its owner alone.

    Raises OSError when it cannot be created or its mode cannot be set.
    """
    folder = data_folder()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix" and folder.stat().st_mode & 0o077:
        folder.chmod(0o700)  # made by an older version, or by hand, with the umask's mode
    return folder


def media_cache_folder() -> Path:
    """Where prepared images are cached (`composer.media`), inside the data folder (not created)."""
    return data_folder() / "media"


def instance_figures_file() -> Path:
    """Where the Mastodon instances' own media figures are remembered (`composer.instances`),
    in the data folder."""
    return data_folder() / "instances.json"
