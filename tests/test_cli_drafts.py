"""`thread-composer draft new|list|show|edit` as a user runs them."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path


def run(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "composer", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        timeout=60,
    )


def test_new_list_show(tmp_path: Path) -> None:
    created = run(tmp_path, "draft", "new", "CSTO démarche", "--account", "ank-x")
    assert created.returncode == 0, created.stderr
    path = tmp_path / created.stdout.strip()
    assert path.name == "csto-demarche.md" and path.parent.name == "drafts"
    listed = json.loads(run(tmp_path, "draft", "list", "--json").stdout)
    assert [(d["name"], d["title"]) for d in listed] == [("csto-demarche", "CSTO démarche")]
    shown = run(tmp_path, "draft", "show", "csto-demarche")
    assert shown.returncode == 0 and 'accounts = ["ank-x"]' in shown.stdout
    assert "posts: x 1, mastodon 1, bluesky 1" in shown.stdout


def test_edit_runs_the_editor_then_checks_the_draft(tmp_path: Path) -> None:
    run(tmp_path, "draft", "new", "Report")
    editor = tmp_path / "editor.sh"
    editor.write_text(
        '#!/bin/sh\nprintf "+++\\ntitle = \\"Report\\"\\nhook = maybe\\n+++\\nText\\n" > "$1"\n'
    )
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    result = run(tmp_path, "draft", "edit", "report", env={"EDITOR": str(editor), "VISUAL": ""})
    assert result.returncode == 2
    assert "drafts/report.md:3: bad front matter" in result.stderr
    # Nothing is lost: the file keeps what the author wrote, to fix it.
    assert "hook = maybe" in (tmp_path / "drafts" / "report.md").read_text()


def test_unknown_draft_lists_the_known_ones(tmp_path: Path) -> None:
    run(tmp_path, "draft", "new", "Known")
    result = run(tmp_path, "draft", "show", "unknown")
    assert result.returncode == 2
    assert "no draft 'unknown' in drafts/ (drafts: known)" in result.stderr
