"""What the TUI is given to work with: folders, the accounts file, the database, the clock.

Passed in by `make_app(...)` so tests can hand the app a temporary database, a loopback
accounts file and a fixed clock (docs/DESIGN.md, "Layers": front ends get their services
passed in).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from composer.store import Database, open_database
from composer.tui.preview_work import SplitProcess
from composer.workspace.config import Config
from composer.workspace.draft_split import ConfigChoice, find_config


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """The TUI's outside world. `config()` and `database()` open lazily, once."""

    drafts_dir: Path = Path("drafts")
    config_path: str | None = None  # None: ./accounts.toml, else the bundled example
    db_url: str | None = None  # None: the default file in the user data dir
    workdir: Path = Path()  # where ./accounts.toml is looked for
    data_dir: Path | None = None  # None: COMPOSER_DATA_DIR, else the user data folder
    now: Callable[[], datetime] = _utc_now
    link_cards: bool = False  # the preview fetches Bluesky link cards (the app run by the CLI)
    spelling: bool = True  # the editor underlines misspellings (the system's dictionaries)
    # Where long drafts are split; made with the services, before the app takes the terminal.
    split_process: SplitProcess = field(default_factory=SplitProcess, repr=False)
    # Counts the reloads of the accounts file: a process splitting long drafts reads it again.
    config_generation: int = field(default=0, init=False)
    _config_choice: ConfigChoice | None = field(default=None, init=False, repr=False)
    _database: Database | None = field(default=None, init=False, repr=False)

    def config_choice(self) -> ConfigChoice:
        """The accounts file and a notice when it is the example; raises ConfigError."""
        if self._config_choice is None:
            self._config_choice = find_config(self.config_path, self.workdir)
        return self._config_choice

    def config(self) -> Config | None:
        return self.config_choice().config

    def reload_config(self) -> Config | None:
        self._config_choice = None
        self.config_generation += 1
        return self.config()

    def database(self) -> Database:
        """The history database, opened (and migrated) on first use; raises StoreError."""
        if self._database is None:
            self._database = open_database(self.db_url)
        return self._database

    def close(self) -> None:
        self.split_process.close()
        if self._database is not None:
            self._database.close()
            self._database = None
