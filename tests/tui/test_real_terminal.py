"""The composer's first five minutes in a real terminal: the README's quick-start command in
a pseudo-terminal of 80x24, read through a VT100 emulator (pyte), keys sent as a terminal
sends them. Open the example, make a new draft, type, Tab away and back, F1, quit.

Pilot tests drive the app from inside; this one goes through the terminal itself: raw mode,
the escape sequences of Tab, shift+Tab, F1 and ctrl+q, the screen size, and a clean exit.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyte
import pytest

ROOT = Path(__file__).resolve().parents[2]
COLUMNS, LINES = 80, 24
KEYS = {
    "tab": b"\t",
    "shift+tab": b"\x1b[Z",
    "enter": b"\r",
    "escape": b"\x1b",
    "f1": b"\x1bOP",
    "ctrl+n": b"\x0e",
    "ctrl+q": b"\x11",
}


class Terminal:
    """A program on the slave side of a pty; its output kept on a pyte screen."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        pid, fd = pty.fork()
        if pid == 0:  # the child: the program, in the pty
            try:
                os.chdir(cwd)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.status: int | None = None

    def pump(self, seconds: float) -> None:
        """Read what the program writes for `seconds` (answering its terminal queries)."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.05))
            if not ready:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:  # the program closed the pty: it ended
                return
            if not data:
                return
            self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, condition: Callable[[str], bool], what: str, seconds: float = 30) -> str:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.pump(0.1)
            if condition(self.text()):
                return self.text()
        raise AssertionError(f"never saw {what}; the screen:\n{self.text()}")

    def press(self, *keys: str) -> None:
        for key in keys:
            os.write(self.fd, KEYS.get(key, key.encode()))
            self.pump(0.15)

    def type(self, text: str) -> None:
        for char in text:
            os.write(self.fd, char.encode())
            self.pump(0.02)

    def exited(self, seconds: float) -> int | None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.pump(0.1)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                return self.status
        return None

    def close(self) -> None:
        if self.status is None and self.exited(0) is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """`thread-composer drafts/example.md` in a copy of the repository's drafts, with its own
    data folder and no accounts file (the example's contacts, as for a new user)."""
    shutil.copytree(ROOT / "drafts", tmp_path / "drafts")
    shutil.copy(ROOT / "accounts.example.toml", tmp_path / "accounts.example.toml")
    script = Path(sys.executable).with_name("thread-composer")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "composer"]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "COMPOSER_DATA_DIR": str(tmp_path / "data"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    running = Terminal([*argv, "drafts/example.md"], tmp_path, env)
    try:
        yield running
    finally:
        running.close()


def test_the_first_five_minutes_in_a_real_terminal(terminal: Terminal, tmp_path: Path) -> None:
    # Open: the example, its thread, and the keys in the footer at 80 columns.
    screen = terminal.wait_for(lambda s: "1/" in s and "Quit" in s, "the example and its thread")
    assert "^t Schedule" in screen and "f1 Keys" in screen
    # A new draft: a title, and the cursor in an empty body (nothing that could be published).
    terminal.press("ctrl+n")
    terminal.wait_for(lambda s: "Title of the new draft" in s, "the new-draft dialog")
    terminal.type("Press briefing")
    terminal.press("enter")
    terminal.wait_for(lambda s: "Press briefing" in s and "Ln 4, Col 1" in s, "the new body")
    terminal.type("Hello from the first five minutes.")
    terminal.wait_for(lambda s: "first five minutes." in s.split("\n", 3)[-1], "the text")
    # Tab leaves the editor (no tab character typed), shift+Tab comes back to it.
    terminal.press("tab", "shift+tab")
    terminal.type(" Bye.")
    # F1: the keys of the screen in front; Escape closes it.
    terminal.press("f1")
    keys = terminal.wait_for(lambda s: "Keys" in s and "Schedule" in s, "the Keys screen")
    assert "ctrl+t" in keys or "^t" in keys
    terminal.press("escape")
    terminal.wait_for(lambda s: "Ln 4" in s and "Keys" not in s.split("\n")[2], "compose again")
    # Quit: the draft is saved as typed, and the program ends cleanly.
    terminal.press("ctrl+q")
    assert terminal.exited(20) == 0, terminal.text()
    text = (tmp_path / "drafts" / "press-briefing.md").read_text(encoding="utf-8")
    assert 'title = "Press briefing"' in text
    assert text.rstrip().endswith("Hello from the first five minutes. Bye.")
    assert "\t" not in text
