"""The editor's text kept on every change, so that no keystroke is lost to a crash.

Autosave writes the draft file a second after typing stops; between two saves the TUI keeps
the editor's text here on each change (in the user data folder, never beside the drafts). A
crash, a kill or a power cut of the terminal leaves this copy behind; the next time the draft
is opened, a copy that differs from the file is offered back. A save removes it.

Written with a plain write and rename, without fsync: a process crash cannot lose it (the
kernel has it) and a keystroke must not wait for the disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from composer.workspace.sessions import data_folder


def recovery_file(draft: Path, folder: Path | None = None) -> Path:
    """Where the unsaved text of `draft` is kept: named for the draft's full path."""
    resolved = str(draft.resolve())
    digest = hashlib.sha256(resolved.encode()).hexdigest()[:16]
    return (folder or data_folder()) / "unsaved" / f"{draft.name}-{digest}"


def keep_unsaved(draft: Path, text: str, folder: Path | None = None) -> None:
    """Keep `text` as the unsaved text of `draft` (replacing the previous one)."""
    target = recovery_file(draft, folder)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = target.with_name(target.name + ".tmp")
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(temporary, target)


def unsaved_text(draft: Path, saved: str, folder: Path | None = None) -> str | None:
    """The text kept for `draft` when it differs from what the file holds (`saved`)."""
    try:
        with open(recovery_file(draft, folder), encoding="utf-8", newline="") as handle:
            kept = handle.read()  # newlines as typed: "\r\n" stays
    except (OSError, UnicodeDecodeError):
        return None
    return kept if kept != saved else None


def forget_unsaved(draft: Path, folder: Path | None = None) -> None:
    """The draft is saved: its kept copy is no longer needed."""
    with contextlib.suppress(FileNotFoundError):
        recovery_file(draft, folder).unlink()
