"""`thread-composer draft new|list|show|edit` as a user runs them."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from tests.helpers import composer


def test_new_list_show(tmp_path: Path) -> None:
    created = composer("draft", "new", "CSTO démarche", "--account", "ank-x", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    path = tmp_path / created.stdout.strip()
    assert path.name == "csto-demarche.md" and path.parent.name == "drafts"
    listed = json.loads(composer("draft", "list", "--json", cwd=tmp_path).stdout)
    assert [(d["name"], d["title"]) for d in listed] == [("csto-demarche", "CSTO démarche")]
    shown = composer("draft", "show", "csto-demarche", cwd=tmp_path)
    assert shown.returncode == 0 and 'accounts = ["ank-x"]' in shown.stdout
    # A new draft holds no placeholder text that could be published.
    assert "posts: x 0, mastodon 0, bluesky 0" in shown.stdout


def test_edit_runs_the_editor_then_checks_the_draft(tmp_path: Path) -> None:
    composer("draft", "new", "Report", cwd=tmp_path)
    editor = tmp_path / "editor.sh"
    editor.write_text(
        '#!/bin/sh\nprintf "+++\\ntitle = \\"Report\\"\\nhook = maybe\\n+++\\nText\\n" > "$1"\n'
    )
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    result = composer(
        "draft", "edit", "report", env={"EDITOR": str(editor), "VISUAL": ""}, cwd=tmp_path
    )
    assert result.returncode == 2
    assert "drafts/report.md:3: bad front matter" in result.stderr
    # Nothing is lost: the file keeps what the author wrote, to fix it.
    assert "hook = maybe" in (tmp_path / "drafts" / "report.md").read_text()


def test_unknown_draft_lists_the_known_ones(tmp_path: Path) -> None:
    composer("draft", "new", "Known", cwd=tmp_path)
    result = composer("draft", "show", "unknown", cwd=tmp_path)
    assert result.returncode == 2
    assert "no draft 'unknown' in drafts/ (drafts: known)" in result.stderr


def test_show_and_the_piped_preview_use_the_drafts_accounts_as_the_composer_does(
    tmp_path: Path,
) -> None:
    # The TUI previews a draft on its accounts' platforms, with an account's own limit; the
    # command line said x, mastodon and bluesky at their default limits whatever the accounts.
    (tmp_path / "accounts.toml").write_text(
        '[accounts.ngo-threads]\nplatform = "threads"\nuser_id = "1"\n'
        'access_token_env = "THREADS_TOKEN"\n'
        '[accounts.ngo-masto]\nplatform = "mastodon"\ninstance = "https://social.example"\n'
        'access_token_env = "MASTODON_TOKEN"\nmax_characters = 120\n'
    )
    (tmp_path / "drafts").mkdir()
    body = " ".join(f"Sentence number {n} of the statement." for n in range(12))
    (tmp_path / "drafts" / "report.md").write_text(
        f'+++\ntitle = "Report"\naccounts = ["ngo-threads", "ngo-masto"]\n+++\n{body}\n'
    )
    shown = composer("draft", "show", "report", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "posts: threads 1, mastodon 4" in shown.stdout
    piped = composer("drafts/report.md", cwd=tmp_path, stdin="")  # a pipe, not a terminal
    assert piped.returncode == 0, piped.stderr
    headers = [line.split(" · ")[0] for line in piped.stdout.splitlines() if " · " in line]
    assert headers == ["threads", "mastodon"]
    assert "/120 ──" in piped.stdout
