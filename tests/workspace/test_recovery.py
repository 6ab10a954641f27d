"""The editor's unsaved text kept between autosaves (composer.workspace.recovery)."""

from __future__ import annotations

from pathlib import Path

from composer.workspace.recovery import (
    forget_unsaved,
    keep_unsaved,
    recovery_file,
    unsaved_text,
)


def test_kept_text_is_offered_back_only_while_it_differs_from_the_file(tmp_path: Path) -> None:
    draft, data = tmp_path / "drafts" / "report.md", tmp_path / "data"
    draft.parent.mkdir()
    draft.write_text("saved text\n", encoding="utf-8")
    assert unsaved_text(draft, "saved text\n", data) is None
    keep_unsaved(draft, "saved text\nand a line typed before the crash", data)
    keep_unsaved(draft, "saved text\nand a line typed before the crash\r\nнет", data)
    assert unsaved_text(draft, "saved text\n", data) == (
        "saved text\nand a line typed before the crash\r\nнет"  # newlines kept as typed
    )
    assert unsaved_text(draft, "saved text\nand a line typed before the crash\r\nнет", data) is None
    forget_unsaved(draft, data)
    forget_unsaved(draft, data)  # twice is fine
    assert unsaved_text(draft, "saved text\n", data) is None


def test_two_drafts_of_the_same_name_in_two_folders_keep_apart(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "report.md", tmp_path / "b" / "report.md"
    data = tmp_path / "data"
    assert recovery_file(first, data) != recovery_file(second, data)
    keep_unsaved(first, "first", data)
    assert unsaved_text(second, "", data) is None
    assert unsaved_text(first, "", data) == "first"
    assert recovery_file(first, data).parent == data / "unsaved"  # never beside the drafts
