"""A real Bluesky PDS on loopback, for the Bluesky client's tests.

The peer's scripts are in tools/bluesky-pds/ (or wherever BLUESKY_PDS_PEER points): its
setup.sh installs the pinned packages (and Node 22 if the machine's is older) into a cache
folder once; its start.sh starts a PLC directory and the PDS and says "READY". Where the
cache is, and whether it is installed, is for those scripts alone to decide: start.sh exits
with one line naming setup.sh when it is not. Without a working peer the tests that need
it are skipped, except in CI (COMPOSER_REQUIRE_PDS=1, which .ci/run sets, or CI=true, which
CI services set), where they fail instead.
"""

from __future__ import annotations

import itertools
import os
import queue
import secrets
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import httpx
import pytest

from composer.workspace.config import Account, Secret, SecretSource
from tests.required import required, unavailable

START_TIMEOUT = 60.0


def peer_folder() -> Path:
    given = os.environ.get("BLUESKY_PDS_PEER")
    if given:
        return Path(given).expanduser()
    return Path(__file__).resolve().parents[1] / "tools" / "bluesky-pds"


def pds_required() -> str | None:
    """Why a missing PDS must fail the tests rather than skip them (CI), or None."""
    return required("COMPOSER_REQUIRE_PDS")


def _unavailable(reason: str) -> NoReturn:
    unavailable("COMPOSER_REQUIRE_PDS", reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a freshly started PDS (with its own PLC directory), stopped at the end."""
    folder = peer_folder()
    script = folder / "start.sh"
    if not script.is_file():
        _unavailable(f"the Bluesky PDS peer is not at {folder} (set BLUESKY_PDS_PEER)")
    env = {
        **os.environ,
        "PDS_PORT": str(_free_port()),
        "PLC_PORT": str(_free_port()),
        "PDS_DATA_DIRECTORY": str(tmp_path_factory.mktemp("pds-data")),
    }
    process = subprocess.Popen(
        ["bash", str(script)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def drain() -> None:  # keep reading, so that a chatty PDS never blocks on a full pipe
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=drain, daemon=True).start()
    output: list[str] = []
    url = None
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _unavailable(f"the PDS did not start within {START_TIMEOUT:.0f} s: {output[-5:]}")
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                _unavailable(
                    f"the PDS exited with status {process.wait()}: {''.join(output[-10:])}"
                )
            output.append(line)
            if line.startswith("PDS_URL="):
                url = line.split("=", 1)[1].strip()
            if line.startswith("READY"):
                break
        if url is None:
            _unavailable(f"the PDS printed no PDS_URL: {''.join(output)}")
        yield url
    finally:
        _stop(process)


@dataclass(frozen=True)
class PdsAccount:
    handle: str
    password: str
    did: str
    account: Account  # as the accounts file would give it, the password inline


_counter = itertools.count(1)


@pytest.fixture(scope="session")
def make_account(pds: str) -> Callable[[], PdsAccount]:
    """Creates a fresh account on the PDS (com.atproto.server.createAccount)."""

    def create() -> PdsAccount:
        handle = f"u{next(_counter):03d}{secrets.token_hex(3)}.test"
        password = "pw-" + secrets.token_urlsafe(12)
        response = httpx.post(
            f"{pds}/xrpc/com.atproto.server.createAccount",
            json={"handle": handle, "email": f"{handle}@example.test", "password": password},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        source = SecretSource("app_password", "inline", "", 1, Secret(password))
        account = Account(
            name=handle.split(".")[0],
            platform="bluesky",
            handle=handle,
            service=pds,
            secret_sources={"app_password": source},
        )
        return PdsAccount(handle, password, response.json()["did"], account)

    return create
