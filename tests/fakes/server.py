"""A loopback HTTP server for fake platforms, with faults injected on demand.

Each fake platform (tests/fakes/mastodon.py, x.py, threads.py) subclasses `FakePlatform`
and routes requests to methods that behave as the platform documents. Faults are queued per
route and consumed by the next matching request:

    fake.inject("POST", "/api/v1/statuses", Fault.RATE_LIMIT)     # 429 with reset headers
    fake.inject("POST", "/api/v1/statuses", Fault.SERVER_ERROR)   # 500, nothing stored
    fake.inject("POST", "/api/v1/statuses", Fault.STALL)          # no answer; nothing stored
    fake.inject("POST", "/api/v1/statuses", Fault.DROP_AFTER)     # stored, then connection cut

Optional hooks let a test act at exact moments (all run on the server's thread):

    fake.on_request = lambda request: ...  # as each request arrives, before it is handled
    fake.on_store = lambda post: ...       # right after a post is stored, before the answer
    fake.on_delete = lambda post_id: ...   # right after a post is deleted, before the answer

A hook may raise `Hangup`: the connection is then closed without an answer (what a client
killed at that moment would never have read anyway).

A slow write (`write_delay` seconds, set by a test) is modelled by a handler answering
`Later(seconds, finish)`: the request has been checked, the write takes `seconds` (other
requests are served meanwhile, and see nothing of it yet), then `finish` stores it and
answers. This is how a platform's idempotency is only as strong as the platform's own: a
retry arriving during the write is checked before the first one is stored.

Runs in a thread on 127.0.0.1 with an OS-chosen port, so tests can run in parallel.
"""

from __future__ import annotations

import enum
import json
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class Fault(enum.Enum):
    RATE_LIMIT = "429"
    SERVER_ERROR = "500"
    STALL = "stall"  # hold the request without acting until the client gives up
    DROP_AFTER = "drop-after"  # act (store the post), then close the connection unanswered


class Hangup(Exception):
    """Raised by a hook: close the connection without answering."""


@dataclass
class Request:
    """What the fake received, for the handlers and for tests to inspect."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-serialisable, or bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Later:
    """A handler's answer for a slow write: `finish` runs (under the fake's lock) after
    `seconds`, and its response is sent."""

    seconds: float
    finish: Callable[[], Response]


Handler = Callable[[Request], "Response | Later"]
RequestHook = Callable[[Request], None]
StoreHook = Callable[[dict[str, Any]], None]
DeleteHook = Callable[[str], None]


def _quiet_handler(
    answer: Callable[[BaseHTTPRequestHandler], None],
) -> type[BaseHTTPRequestHandler]:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
            pass

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes: without this, Nagle's algorithm and
            # delayed ACKs add 40 ms to every request.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _handle(self) -> None:
            answer(self)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

    return RequestHandler


@contextmanager
def serve_on_loopback(
    answer: Callable[[BaseHTTPRequestHandler], None],
) -> Iterator[ThreadingHTTPServer]:
    """An HTTP/1.1 server on 127.0.0.1 (a port the OS chooses) in a thread, each request
    handed to `answer`; shut down on leaving."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _quiet_handler(answer))
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class FakePlatform:
    """Subclasses register routes with `route(method, path_prefix, handler)`."""

    STALL_SECONDS = 3.0
    write_delay = 0.0  # seconds a write takes (see `Later`)

    def __init__(self) -> None:
        self._routes: list[tuple[str, str, Handler]] = []
        self._faults: dict[tuple[str, str], deque[Fault]] = defaultdict(deque)
        self.requests: list[Request] = []
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self.on_request: RequestHook | None = None
        self.on_store: StoreHook | None = None
        self.on_delete: DeleteHook | None = None
        self.deleted: list[str] = []  # the ids of the posts deleted, in order

    # --- set-up -------------------------------------------------------------------------
    def route(self, method: str, path_prefix: str, handler: Handler) -> None:
        """Serve `method` requests under `path_prefix` with `handler` (the longest prefix
        wins); routing the same method and prefix again replaces the handler."""
        self._routes = [r for r in self._routes if (r[0], r[1]) != (method, path_prefix)]
        self._routes.append((method, path_prefix, handler))

    def inject(self, method: str, path_prefix: str, *faults: Fault) -> None:
        """Queue faults for the next requests to a route (one fault per request)."""
        with self.lock:
            self._faults[(method, path_prefix)].extend(faults)

    def notify_stored(self, post: dict[str, Any]) -> None:
        """Subclasses call this right after storing a post, before answering (may raise Hangup)."""
        hook = self.on_store
        if hook is not None:
            hook(post)

    def notify_deleted(self, post_id: str) -> None:
        """Subclasses call this right after deleting a post, before answering (may raise
        Hangup): it is recorded in `deleted` first."""
        self.deleted.append(post_id)
        hook = self.on_delete
        if hook is not None:
            hook(post_id)

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @contextmanager
    def running(self) -> Iterator[FakePlatform]:
        with serve_on_loopback(self._dispatch) as server:
            self._server = server
            yield self

    # --- serving ------------------------------------------------------------------------
    def _dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        request = Request(
            method=handler.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=handler.rfile.read(length) if length else b"",
        )
        hook = self.on_request
        if hook is not None:
            try:
                hook(request)
            except Hangup:
                handler.close_connection = True
                return
        with self.lock:
            self.requests.append(request)
            match = self._match(request)
            fault = None
            if match is not None:
                queue = self._faults.get((match[0], match[1]))
                fault = queue.popleft() if queue else None
        if match is None:
            self._send(handler, Response(404, {"error": "Not found"}))
            return
        if fault is Fault.RATE_LIMIT:
            self._send(handler, self.rate_limited(request))
            return
        if fault is Fault.SERVER_ERROR:
            self._send(handler, Response(500, {"error": "Internal server error"}))
            return
        if fault is Fault.STALL:
            time.sleep(self.STALL_SECONDS)
            handler.close_connection = True
            return
        try:
            with self.lock:
                answer = match[2](request)
            if isinstance(answer, Later):
                time.sleep(answer.seconds)  # the write, unlocked: other requests go on
                with self.lock:
                    answer = answer.finish()
            response = answer
        except Hangup:
            handler.close_connection = True
            return
        if fault is Fault.DROP_AFTER:
            handler.close_connection = True  # acted, but the client never hears of it
            return
        self._send(handler, response)

    def _match(self, request: Request) -> tuple[str, str, Handler] | None:
        best: tuple[str, str, Handler] | None = None
        for method, prefix, handler in self._routes:
            fits = method == request.method and request.path.startswith(prefix)
            if fits and (best is None or len(prefix) > len(best[1])):
                best = (method, prefix, handler)
        return best

    def rate_limited(self, request: Request) -> Response:
        """The platform's 429; subclasses add their own headers."""
        return Response(429, {"error": "Too many requests"})

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, response: Response) -> None:
        body = (
            response.body
            if isinstance(response.body, bytes)
            else json.dumps(response.body).encode()
            if response.body is not None
            else b""
        )
        handler.send_response(response.status)
        headers = {"Content-Type": "application/json; charset=utf-8", **response.headers}
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
