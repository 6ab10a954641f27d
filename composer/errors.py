"""The one family of thread-composer's own errors, as httpx has in `_exceptions.py`.

Every error the package raises on purpose (bad input, a refused platform, an unusable
database) is a `ComposerError`, so a front end can catch the whole family in one place and
leave everything else (a bug) to its crash handler. Each subclass keeps its own name, its
module and the built-in base it had (`ConfigError` is still a `ValueError`); the `ValueError`
branch is the one whose input is at fault (`bad_input`), which a front end tells apart
(the CLI exits 2 for it, 1 for the rest):

    ComposerError
    ├── text:       SplitError, NumberingError, EnrichError, UnknownPlatformError
    ├── workspace:  ConfigError, DraftError, WhenError, DocumentError, StarterError
    ├── media:      MediaError
    ├── store:      StoreError (DatabaseFailure, ClaimLost, EditionBusy, AlreadyHeld)
    ├── platforms:  PlatformError (Retryable, Unclear, Refused), UnsupportedPlatform
    ├── publishing: PublishError (PreflightError)
    └── scheduling: ScheduleError; recurring: RuleError

The lowest layer (pyproject.toml): it imports nothing, everything may import it.
"""

from __future__ import annotations

__all__ = ["ComposerError"]


class ComposerError(Exception):
    """An error thread-composer raises on purpose; its message is meant for the user."""

    @property
    def bad_input(self) -> bool:
        """Whether what the user gave (a file, a value, a name) is at fault rather than the
        run (a database, a platform): the family's `ValueError` branch."""
        return isinstance(self, ValueError)
