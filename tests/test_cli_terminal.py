"""Every CLI output path of remote or file-derived text is terminal-safe and redacted."""

from __future__ import annotations

import json
import re
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.helpers import composer, mastodon_account, write_accounts
from tests.store.conftest import assert_no_secrets

OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"  # writes the clipboard
TITLE = "\x1b]0;pwned\x07"  # sets the window title
HOSTILE = f"rejected {OSC52}{TITLE} \x9b31m \u202eexe.gnp"
RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
TOKEN = "tk9z"  # short: only its registration when read can catch it


def run(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return composer(*args, cwd=cwd, db=cwd / "h.sqlite3", env=env, errors="surrogateescape")


class Hostile(BaseHTTPRequestHandler):
    """A 'Mastodon' that refuses everything, quoting escapes and the caller's token."""

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        said = f"{HOSTILE} for {self.headers.get('authorization')} " + "x" * 1_000_000
        body = json.dumps({"error": said}, ensure_ascii=False).encode()
        self.send_response(422)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hostile_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_publish_now_prints_a_platform_error_safe_short_and_without_the_token(
    tmp_path: Path, hostile_url: str
) -> None:
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "report.md").write_text("The count was slow. " * 5, encoding="utf-8")
    write_accounts(tmp_path, {"m": mastodon_account(hostile_url, "E")})
    scheduled = run(tmp_path, "schedule", "report", "--account", "m", "--in", "1d", "--json")
    assert scheduled.returncode == 0, scheduled.stderr
    edition = json.loads(scheduled.stdout)["editions"][0]["id"]
    result = run(tmp_path, "queue", "publish-now", str(edition), env={"E": TOKEN})
    assert result.returncode == 1, result.stderr
    assert "rejected" in result.stderr and "\\u001b]52;c;" in result.stderr
    assert not RAW_CONTROL.search(result.stderr), ascii(result.stderr[:300])
    assert TOKEN not in result.stderr + result.stdout
    assert len(result.stderr) < 2000
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert_no_secrets(tmp_path / "h.sqlite3", [TOKEN])  # nor the stored reason and attempt


def test_draft_list_shows_hostile_file_names_escaped(tmp_path: Path) -> None:
    (tmp_path / "drafts").mkdir()
    name = f"report{OSC52}\u202e\x9b"
    (tmp_path / "drafts" / f"{name}.md").write_text("Some text.", encoding="utf-8")
    result = run(tmp_path, "draft", "list")
    assert result.returncode == 0, result.stderr
    assert "report\\u001b]52;c;" in result.stdout and "\\u202e" in result.stdout
    assert not RAW_CONTROL.search(result.stdout), ascii(result.stdout)


def test_an_unexpected_error_is_one_redacted_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import composer.store
    from composer.cli import main
    from composer.redaction import forget_secrets, register_secret

    register_secret(TOKEN)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"bug near {TOKEN}{OSC52}\nsecond line")

    monkeypatch.setattr(composer.store, "search", broken)
    monkeypatch.setenv("COMPOSER_DB", str(tmp_path / "h.sqlite3"))
    try:
        with pytest.raises(SystemExit) as exited:
            main(["history"])
    finally:
        forget_secrets()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("thread-composer: internal error: RuntimeError: bug near [REDACTED]")
    assert err.count("\n") == 1 and TOKEN not in err and not RAW_CONTROL.search(err)
