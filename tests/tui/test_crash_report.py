"""Textual's crash report shows every frame's locals: ours shows none, and exits 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import composer.tui.app as app_module
from composer.redaction import forget_secrets, register_secret

SECRET = "SEKRIT-crash-7f3a9c"
APP = """
import os, sys
from pathlib import Path
import composer.tui.app as module
from composer.tui.app import ComposerApp
from composer.tui.services import Services
from composer.redaction import register_secret

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


def run_app(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    """Run the app of `source` (a script) headless, with SECRET in TC_TOKEN."""
    script = tmp_path / "app.py"
    script.write_text(source, encoding="utf-8")
    (tmp_path / "drafts").mkdir()
    return subprocess.run(
        [sys.executable, str(script), str(tmp_path / "drafts")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env={**os.environ, "TC_TOKEN": SECRET, "COLUMNS": "100"},
        timeout=120,
    )


def test_a_crash_shows_no_locals_no_secret_and_exits_non_zero(tmp_path: Path) -> None:
    result = run_app(tmp_path, APP)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "ValueError: odd rate-limit header" in output  # the report itself is kept
    assert SECRET not in output and SECRET[:10] not in output, output
    assert "all_headers = {'" not in output and "token = '" not in output  # no locals panel


# The package's own errors (ComposerError) are meant for the user: a worker stopped by one is
# told on the screen and the app goes on; one that escapes a handler ends the app with its
# one line (as the CLI prints it), never a traceback.
OWN_ERROR = """
import os, sys
from pathlib import Path
import composer.tui.app as module
from composer.tui.app import ComposerApp
from composer.tui.services import Services
from composer.redaction import register_secret
from composer.store import DatabaseFailure

class Failing(ComposerApp):
    CSS_PATH = str(Path(module.__file__).parent / "app.tcss")

    def on_mount(self) -> None:
        token = os.environ["TC_TOKEN"]
        register_secret(token)
        raise DatabaseFailure(f"database h.sqlite3 failed: disk I/O error \\x1b]0;t\\x07{token}")

app = Failing(Services(drafts_dir=Path(sys.argv[1])))
app.run(headless=True)
sys.exit(app.return_code or 0)
"""


def test_an_own_error_escaping_a_handler_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = run_app(tmp_path, OWN_ERROR)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines == [
        "thread-composer: database h.sqlite3 failed: disk I/O error \\u001b]0;t\\u0007[REDACTED]"
    ], output


@pytest.mark.anyio
async def test_a_worker_stopped_by_an_own_error_is_told_and_the_app_goes_on(
    tmp_path: Path,
) -> None:
    from composer.publishing import PreflightError
    from composer.tui.app import ComposerApp
    from composer.tui.services import Services

    class Failing(ComposerApp):
        CSS_PATH = str(Path(app_module.__file__).parent / "app.tcss")

        def on_mount(self) -> None:
            self.run_worker(self.fail(), exit_on_error=True)

        async def fail(self) -> None:
            raise PreflightError(f"fake-masto: the secret command failed\x1b[31m {SECRET}")

    register_secret(SECRET)
    try:
        app = Failing(Services(drafts_dir=tmp_path))
        async with app.run_test() as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running and app.return_code is None
            messages = [n.message for n in app._notifications]
    finally:
        forget_secrets()
    assert messages == ["fake-masto: the secret command failed\\u001b[31m [REDACTED]"]


def test_error_text_shows_an_own_error_as_its_message_and_anything_else_with_its_type() -> None:
    from composer.publishing import PreflightError
    from composer.tui.remote import error_text

    assert error_text(PreflightError("x-main: X_TOKEN is not set")) == "x-main: X_TOKEN is not set"
    assert error_text(KeyError("id")) == "KeyError: 'id'"
