"""Running a command the accounts file names (a secret's command, a media upload command, a
notification URL's command): its output read while it runs, a deadline, a size limit, and
its whole process group ended. What a failure says is `secrets.command_output`'s. Loaded
only when a command runs: `subprocess` and its company cost `split` a few ms at start."""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time


class OutputTooLong(Exception):
    """A command printed more than its limit (it was ended)."""


def run_command(argv: list[str], timeout: float, *, limit: int | None = None) -> tuple[int, bytes]:
    """Run `argv` in a process group of its own; its exit status and standard output.

    The output is read while the command runs (a large one cannot block it); once the
    command itself has exited, after `timeout` seconds (TimeoutExpired) or once it printed
    more than `limit` bytes (OutputTooLong; none is kept), the whole group is killed: a child
    it left behind (an agent, a `sleep &`) neither keeps the output pipe open nor outlives
    the read.
    """
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert process.stdout is not None
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + timeout
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while not _exited(process):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise subprocess.TimeoutExpired(argv, timeout)
                if selector.select(min(remaining, 0.05)):
                    chunk = os.read(process.stdout.fileno(), 65536)
                    if chunk:
                        chunks.append(chunk)
                        size += len(chunk)
                        if limit is not None and size > limit:
                            raise OutputTooLong
                    else:  # every writer closed the pipe: only the exit is left to wait for
                        selector.unregister(process.stdout)
    finally:
        _kill_group(process.pid)
        process.wait()
        rest = process.stdout.read() if limit is None else process.stdout.read(limit + 1)
        chunks.append(rest)  # what was left in the pipe; writers are gone
        process.stdout.close()
    output = b"".join(chunks)
    if limit is not None and len(output) > limit:
        raise OutputTooLong
    return process.returncode, output


def _exited(process: subprocess.Popen[bytes]) -> bool:
    """Whether the process has exited, without reaping it where the system allows: until it
    is reaped, its pid (and so its process group id) cannot be reused by another process."""
    if not hasattr(os, "waitid"):  # macOS
        return process.poll() is not None
    pid = process.pid
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return info is not None


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is empty
        os.killpg(pid, signal.SIGKILL)
