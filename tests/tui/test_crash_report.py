"""Textual's crash report shows every frame's locals: ours shows none, and exits 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SECRET = "SEKRIT-crash-7f3a9c"
APP = """
import os, sys
from pathlib import Path
import composer.tui.app as module
from composer.tui.app import ComposerApp
from composer.tui.services import Services
from composer.text.redaction import register_secret

class Crashing(ComposerApp):
    CSS_PATH = str(Path(module.__file__).parent / "app.tcss")

    def on_mount(self) -> None:
        token = os.environ["TC_TOKEN"]
        register_secret(token)  # as reading it through the accounts file does
        all_headers = {"Authorization": f"Bearer {token}"}
        raw = token.encode() + b"\\xff"
        raise ValueError(f"odd rate-limit header; sent {all_headers} {raw!r}")

app = Crashing(Services(drafts_dir=Path(sys.argv[1])))
app.run(headless=True)
sys.exit(app.return_code or 0)
"""


def test_a_crash_shows_no_locals_no_secret_and_exits_non_zero(tmp_path: Path) -> None:
    script = tmp_path / "crash.py"
    script.write_text(APP, encoding="utf-8")
    (tmp_path / "drafts").mkdir()
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "drafts")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env={**os.environ, "TC_TOKEN": SECRET, "COLUMNS": "100"},
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "ValueError: odd rate-limit header" in output  # the report itself is kept
    assert SECRET not in output and SECRET[:10] not in output, output
    assert "all_headers = {'" not in output and "token = '" not in output  # no locals panel
