"""The one error of the image pipeline."""

from __future__ import annotations

from pathlib import Path

from composer.errors import ComposerError
from composer.text.display import terminal_safe


class MediaError(ComposerError, ValueError):
    """An image that cannot be prepared; the message is one line naming the file."""

    def __init__(self, path: Path, problem: str) -> None:
        # `problem` may quote Pillow, which may quote the file.
        super().__init__(terminal_safe(f"{path}: {problem}"))
        self.path = path
        self.problem = terminal_safe(problem)  # for a caller that names the file its own way
