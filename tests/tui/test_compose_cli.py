"""`thread-composer [DRAFT]` opens the composer on a terminal, and prints the split preview
when it is not on one (CI, pipes)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def quick_start_folder(tmp_path: Path) -> Path:
    """A folder as the README's quick start has it: drafts/example.md and the bundled
    accounts.example.toml, no accounts.toml."""
    (tmp_path / "drafts").mkdir()
    shutil.copyfile(ROOT / "drafts" / "example.md", tmp_path / "drafts" / "example.md")
    shutil.copyfile(ROOT / "accounts.example.toml", tmp_path / "accounts.example.toml")
    return tmp_path


def test_piped_it_prints_the_preview_and_says_why(tmp_path: Path) -> None:
    folder = quick_start_folder(tmp_path)
    code = (
        "import sys\n"
        "from composer.cli import main\n"
        "try:\n"
        "    main(['drafts/example.md'])\n"
        "except SystemExit as exit:\n"
        "    print('EXIT', exit.code, 'textual' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=folder,
        capture_output=True,
        text=True,
        encoding="utf-8",
        stdin=subprocess.DEVNULL,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
    )
    assert "EXIT 0 False" in result.stderr  # exited fine, without loading Textual
    assert "note: not a terminal" in result.stderr
    assert "x · 20 posts" in result.stdout and "bluesky · " in result.stdout


def test_on_a_terminal_it_opens_the_composer(tmp_path: Path) -> None:
    folder = quick_start_folder(tmp_path)
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "composer", "drafts/example.md"],
        cwd=folder,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color"},
        close_fds=True,
    )
    os.close(follower)
    seen = b""
    try:
        deadline = time.monotonic() + 60
        while b"Mastodon" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                seen += os.read(leader, 65536)
        assert b"example.md" in seen and b"Mastodon" in seen  # the screen and its preview
        os.write(leader, b"\x11")  # ctrl+q
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            if select.select([leader], [], [], 0.5)[0]:
                try:
                    os.read(leader, 65536)
                except OSError:
                    break
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    # Quitting without typing leaves the draft as it was.
    assert (folder / "drafts" / "example.md").read_bytes() == (
        ROOT / "drafts" / "example.md"
    ).read_bytes()
