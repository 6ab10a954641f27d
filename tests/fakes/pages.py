"""A loopback web server of pages for link cards: each path serves a `Page` (status, type,
body, a delay before answering), and every request is counted per path.

It also answers as an HTTP proxy (a request line with an absolute URL is served by its
path), so a test can give a report real-looking links (`http://news.example.kz/...`, which
Bluesky's facets take for links, where `http://127.0.0.1:port/` is not one) and point
`HTTP_PROXY` at this server.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.fakes.server import serve_on_loopback


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    delay: float = 0.0  # seconds before the answer (a slow page)
    headers: dict[str, str] = field(default_factory=dict)
    chunk: int = 64 * 1024  # written in pieces this large (a huge page is not sent whole)


class PageServer:
    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.hits: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()  # body bytes written, per path
        self._server: ThreadingHTTPServer | None = None
        self.stop = threading.Event()  # set when the server shuts down: slow pages stop waiting

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def serve(self, path: str, page: Page) -> str:
        """Serve `page` at `path`; its loopback address."""
        self.pages[path] = page
        return self.url + path

    @contextmanager
    def running(self) -> Iterator[PageServer]:
        try:
            with serve_on_loopback(self._answer) as server:
                self._server = server
                yield self
        finally:
            self.stop.set()

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path or "/"  # a proxy request names the whole URL
        self.hits[path] += 1
        page = self.pages.get(path)
        if page is None:
            page = Page(b"<html><title>Not found</title></html>", status=404)
        if page.delay:
            self.stop.wait(page.delay)
        try:
            handler.send_response(page.status)
            handler.send_header("Content-Type", page.content_type)
            handler.send_header("Content-Length", str(len(page.body)))
            for name, value in page.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            for start in range(0, len(page.body), page.chunk):
                piece = page.body[start : start + page.chunk]
                handler.wfile.write(piece)
                handler.wfile.flush()
                self.sent[path] += len(piece)
                time.sleep(0)  # let the reader run between pieces
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True  # the reader had read enough
