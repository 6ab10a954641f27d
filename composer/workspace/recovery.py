"""The editor's text kept on every change, so that no keystroke is lost to a crash.

Autosave writes the draft file a second after typing stops; between two saves the TUI keeps
the editor's text here on each change (in the user data folder, never beside the drafts). A
crash, a kill or a power cut of the terminal leaves this copy behind; the next time the draft
is opened, a copy that differs from the file is shown (what it would change) and restored
only when the user asks. A save, or an edit (an undo) back to the file's text, removes it:
text deliberately taken out must never come back. A copy equal to the file is removed.

Written with a plain write and rename, without fsync: a process crash cannot lose it (the
kernel has it) and a keystroke must not wait for the disk.
"""

from __future__ import annotations

import contextlib
import difflib
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
    if kept == saved:
        forget_unsaved(draft, folder)  # nothing to offer: the file has it all
        return None
    return kept


def forget_unsaved(draft: Path, folder: Path | None = None) -> None:
    """The draft is saved: its kept copy is no longer needed."""
    with contextlib.suppress(FileNotFoundError):
        recovery_file(draft, folder).unlink()


def track_unsaved(draft: Path, text: str, saved: str | None, folder: Path | None = None) -> None:
    """After each edit: keep `text` while it differs from the file's text (`saved`), forget
    the copy once it equals it again (an undo back to the saved text leaves nothing behind)."""
    if text == saved:
        forget_unsaved(draft, folder)
    else:
        keep_unsaved(draft, text, folder)


def describe_changes(saved: str, kept: str, shown: int = 4, width: int = 60) -> str:
    """What restoring `kept` over `saved` would change, in a few plain lines: the count of
    lines added and removed, then the first changed lines ("+ added", "- removed"). A long
    line (a paragraph) changed in its middle is shown from a little before the change."""
    old, new = saved.splitlines(), kept.splitlines()
    added = removed = 0
    changed: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            continue
        gone, came = old[old_start:old_end], new[new_start:new_end]
        removed, added = removed + len(gone), added + len(came)
        for index in range(max(len(gone), len(came))):
            before = gone[index] if index < len(gone) else None
            after = came[index] if index < len(came) else None
            same = _common_prefix(before, after) if before and after else 0
            if before is not None:
                changed.append("- " + _excerpt(before, same, width))
            if after is not None:
                changed.append("+ " + _excerpt(after, same, width))
    plural = {1: ""}
    summary = (
        f"{added} line{plural.get(added, 's')} added, "
        f"{removed} line{plural.get(removed, 's')} removed"
    )
    if not changed:  # only line endings differ
        return summary + " (only line endings or the final newline differ)"
    lines = [summary, *changed[:shown]]
    if len(changed) > shown:
        lines.append(f"… and {len(changed) - shown} more changed lines")
    return "\n".join(lines)


def _common_prefix(first: str, second: str) -> int:
    """How many characters `first` and `second` share at their start."""
    return next(
        (i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b),
        min(len(first), len(second)),
    )


def _excerpt(line: str, change: int, width: int) -> str:
    """`line` cut to `width` characters, starting a little before position `change`."""
    start = max(0, change - width // 3) if len(line) > width else 0
    text = ("…" if start else "") + line[start:]
    return text if len(text) <= width else text[: width - 1] + "…"
