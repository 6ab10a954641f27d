"""A loopback webhook target for Apprise's `json://` URLs: it keeps every body it is sent.
`BlackHole` accepts connections and never answers (an unreachable target)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOOK_TOKEN = "hookS3cretT0ken9"


class Webhook:
    def __init__(self, status: int = 200) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self.paths: list[str] = []
        self.status = status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                outer.raw.append(body)
                outer.paths.append(self.path)
                outer.bodies.append(json.loads(body))
                self.send_response(outer.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_port}/hook/{HOOK_TOKEN}"

    @contextmanager
    def running(self) -> Iterator[Webhook]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()

    def wait_for(self, count: int, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while len(self.bodies) < count and time.monotonic() < deadline:
            time.sleep(0.05)


class BlackHole:
    """Accepts connections and never answers; `accepted` are the monotonic times."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.accepted: list[float] = []
        self.conns: list[socket.socket] = []
        self._stop = False

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.sock.getsockname()[1]}/hook/{HOOK_TOKEN}"

    def wait_accepted(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not self.accepted and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.accepted, "nothing connected to the black hole"

    @contextmanager
    def running(self) -> Iterator[BlackHole]:
        def accept() -> None:
            while not self._stop:
                try:
                    conn, _ = self.sock.accept()
                except OSError:
                    return
                self.accepted.append(time.monotonic())
                self.conns.append(conn)

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop = True
            self.sock.close()
            for conn in self.conns:
                conn.close()
