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


def test_a_copy_equal_to_the_file_is_removed_when_asked(tmp_path: Path) -> None:
    draft, data = tmp_path / "report.md", tmp_path / "data"
    keep_unsaved(draft, "same\n", data)
    assert unsaved_text(draft, "same\n", data) is None
    assert not recovery_file(draft, data).exists()


def test_tracking_forgets_the_copy_once_the_text_is_the_file_again(tmp_path: Path) -> None:
    from composer.workspace.recovery import track_unsaved

    draft, data = tmp_path / "report.md", tmp_path / "data"
    track_unsaved(draft, "saved SECRET", "saved", data)
    assert recovery_file(draft, data).read_text() == "saved SECRET"
    track_unsaved(draft, "saved", "saved", data)  # undone
    assert not recovery_file(draft, data).exists()


def test_changes_are_described_in_a_few_lines() -> None:
    from composer.workspace.recovery import describe_changes

    summary = describe_changes("a\nb\nc\n", "a\nb SECRET\nc\nd\ne\nf\ng\n", shown=3)
    assert summary.splitlines() == [
        "5 lines added, 1 line removed",
        "- b",
        "+ b SECRET",
        "+ d",
        "… and 3 more changed lines",
    ]
    assert describe_changes("a\n", "a\r\n").endswith(
        "(only line endings or the final newline differ)"
    )
    long = describe_changes("", "x" * 100)
    assert long.splitlines()[1] == "+ " + "x" * 59 + "…"


def test_a_change_in_the_middle_of_a_paragraph_is_shown() -> None:
    from composer.workspace.recovery import describe_changes

    paragraph = "word " * 40
    kept = paragraph[:120] + "Witness A. Name " + paragraph[120:]
    lines = describe_changes(paragraph + "\n", kept + "\n").splitlines()
    assert lines[0] == "1 line added, 1 line removed"
    assert lines[2].startswith("+ …") and "Witness A. Name" in lines[2]
    assert len(lines[2]) <= 62
