"""The httpx transport the platform clients use: HTTP/1.1 over asyncio's own connections,
parsed by h11 (the parser httpcore uses), whole answers, a keep-alive pool per client.

Written by hand, on httpx's public transport interface, because httpx's default transport
(httpcore on anyio) was the daemon's largest cost: half of a busy round's CPU, in cancel
scopes, socket-attribute lookups and pool checks around each read and write. Through this
one a request through httpx costs about 380 µs of CPU instead of 710 µs (benchmarks/
bench_daemon: 2.4x to 2.5x the critical path instead of 3.3x to 3.6x). It does only what the
platforms' APIs need; it leaves to httpx's own transport proxies (`new_http` uses httpx's
own when one is configured), HTTP/2 and Unix sockets. httpx-aiohttp (aiohttp under httpx)
was the library to use, but it turns aiohttp's ServerDisconnectedError, a connection that
dropped after the request went out, into httpx.ConnectTimeout, which reads as "never sent":
the daemon would send such a post again without looking for it first.

The error kinds keep httpx's meaning, which "never twice" relies on (composer.platforms.
errors.NOT_SENT): ConnectError, ConnectTimeout and PoolTimeout only while no byte of the
request has been written; once one may have been, WriteError, WriteTimeout, ReadError,
ReadTimeout or RemoteProtocolError. A request cancelled half-way closes its connection
(its answer would otherwise be read as the next request's).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from typing import Any

import h11
import httpx

KEEP_IDLE = 5.0  # seconds an idle connection is kept (httpx's own default)
MAX_IDLE = 20  # idle connections kept at most (httpx's own default)
MAX_OPEN = 100  # requests in flight at once (httpx's max_connections default)
MAX_HEAD = 100 * 1024  # bytes an answer's status line and headers may take (httpcore's)
HAPPY_EYEBALLS = 0.25  # seconds before trying an origin's next address (RFC 8305's figure)

_Origin = tuple[bytes, str, int]  # scheme, host, port


class _Wire(asyncio.Protocol):
    """One connection: what arrives is fed to h11, and the request waiting for it woken."""

    def __init__(self, origin: _Origin, loop: asyncio.AbstractEventLoop) -> None:
        self.origin = origin
        self.loop = loop
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
        self.transport: asyncio.Transport | None = None
        self.ended = False  # the peer closed, the connection was lost, or we closed it
        self.idle_since = 0.0
        self.paused = False  # asyncio asked us to stop writing until the buffer drains
        self._arrived: asyncio.Future[bool] | None = None  # a reader waits for bytes
        self._drained: asyncio.Future[bool] | None = None  # a writer waits for room

    # asyncio's side
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if not self.ended:
            self.h11.receive_data(data)
        _settle(self._arrived)

    def eof_received(self) -> bool:
        self._end()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self._end()
        self.paused = False
        _settle(self._drained)

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        _settle(self._drained)

    def _end(self) -> None:
        if not self.ended:
            self.ended = True
            self.h11.receive_data(b"")  # tells h11 the peer closed
        _settle(self._arrived)

    # the request's side
    def reusable(self, now: float, keep_idle: float) -> bool:
        return (
            self.transport is not None
            and not self.transport.is_closing()  # we closed it, or the peer did (EOF)
            and self.h11.our_state is h11.IDLE
            # Bytes that came while it was idle (a server's "408 Request Timeout" before it
            # closes) would be read as the next request's answer: as httpcore, never reuse it.
            and not self.h11.trailing_data[0]
            and now - self.idle_since < keep_idle
            and self.loop is asyncio.get_running_loop()  # a client used by a later loop
        )

    async def write(self, data: bytes, timeout: float | None, request: httpx.Request) -> None:
        assert self.transport is not None
        if self.ended or self.transport.is_closing():
            raise httpx.WriteError("the connection closed while sending", request=request)
        self.transport.write(data)
        while self.paused:  # past asyncio's high-water mark: wait for room, as drain() does
            self._drained = self.loop.create_future()
            try:
                if not await _within(self._drained, timeout):
                    raise httpx.WriteTimeout("no room to send in time", request=request)
            finally:
                self._drained = None
            if self.ended:
                raise httpx.WriteError("the connection closed while sending", request=request)

    async def next_event(self, timeout: float | None, request: httpx.Request) -> object:
        """h11's next event of the answer, waiting at most `timeout` for each piece."""
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as error:
                raise httpx.RemoteProtocolError(str(error), request=request) from None
            if event is not h11.NEED_DATA:
                return event
            self._arrived = self.loop.create_future()
            try:
                if not await _within(self._arrived, timeout):
                    raise httpx.ReadTimeout("no answer in time", request=request)
            finally:
                self._arrived = None

    def close(self) -> None:
        self.ended = True
        # A loop that has ended cannot close its transports (asyncio would raise): the
        # socket is closed when the transport is collected.
        if self.transport is not None and not self.loop.is_closed():
            self.transport.abort()


def _settle(future: asyncio.Future[bool] | None) -> None:
    if future is not None and not future.done():
        future.set_result(True)


async def _within(future: asyncio.Future[bool], timeout: float | None) -> bool:
    """Whether `future` was settled before `timeout` seconds (None: no limit) ran out. A
    timer handle, not asyncio.wait_for, which costs a task a call on Python 3.11."""
    if timeout is None:
        return await future
    handle = asyncio.get_running_loop().call_later(timeout, _expire, future)
    try:
        return await future
    finally:
        handle.cancel()


def _expire(future: asyncio.Future[bool]) -> None:
    if not future.done():
        future.set_result(False)


async def _write_request(wire: _Wire, request: httpx.Request, timeout: float | None) -> None:
    """The request's head and body, through h11. h11 refusing the request before a byte is
    written is LocalProtocolError (not sent); after, the request is cut: WriteError."""
    connection = wire.h11
    written = False
    try:
        head = h11.Request(
            method=request.method, target=request.url.raw_path, headers=request.headers.raw
        )
        pending = [connection.send(head) or b""]
        async for chunk in request.stream:  # type: ignore[union-attr]  # an async client's
            if chunk:
                pending.append(connection.send(h11.Data(data=chunk)) or b"")
            if len(pending) > 16:  # a large upload: write as it comes
                written = True
                await wire.write(b"".join(pending), timeout, request)
                pending = []
        pending.append(connection.send(h11.EndOfMessage()) or b"")
    except h11.LocalProtocolError as error:  # a body longer or shorter than announced
        kind = httpx.WriteError if written else httpx.LocalProtocolError
        raise kind(str(error), request=request) from None
    await wire.write(b"".join(pending), timeout, request)


class ApiTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 to the platforms' APIs. `verify` as httpx takes it (True: httpx's CA bundle,
    or SSL_CERT_FILE / SSL_CERT_DIR; an ssl.SSLContext; False: no check); at most `max_open`
    requests in flight, `max_idle` idle connections kept, each for `keep_idle` seconds."""

    def __init__(
        self,
        verify: ssl.SSLContext | str | bool = True,
        *,
        max_open: int = MAX_OPEN,
        max_idle: int = MAX_IDLE,
        keep_idle: float = KEEP_IDLE,
    ) -> None:
        self._verify = verify
        self._tls: ssl.SSLContext | None = verify if isinstance(verify, ssl.SSLContext) else None
        self._max_open = max_open
        self._max_idle = max_idle
        self._keep_idle = keep_idle
        self._idle: dict[_Origin, list[_Wire]] = {}  # each origin's, oldest first
        self._busy: set[_Wire] = set()
        self._slots: asyncio.Semaphore | None = None

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:  # ~70 ms of CPU to load the CA bundle: once, when first needed
            self._tls = httpx.create_ssl_context(verify=self._verify)
        return self._tls

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._max_open)
        if self._slots.locked():  # the rare path: wait for a request to end
            try:
                async with asyncio.timeout(timeouts.get("pool")):
                    await self._slots.acquire()
            except TimeoutError:
                raise httpx.PoolTimeout("no free connection in time", request=request) from None
        else:
            await self._slots.acquire()
        try:
            return await self._exchange(request, timeouts)
        finally:
            self._slots.release()

    async def _exchange(self, request: httpx.Request, timeouts: dict[str, Any]) -> httpx.Response:
        url = request.url
        scheme = url.raw_scheme
        if scheme not in (b"http", b"https"):
            raise httpx.UnsupportedProtocol(f"no {url.scheme!r} requests here", request=request)
        host = url.raw_host.decode("ascii")  # an international name in its IDNA form
        origin: _Origin = (scheme, host, url.port or (443 if scheme == b"https" else 80))
        wire = self._idle_wire(origin) or await self._connect(origin, timeouts, request)
        self._busy.add(wire)
        try:
            response = await self._send(wire, request, timeouts)
        except BaseException:  # failed or cancelled half-way: its state is unknown
            wire.close()
            raise
        finally:
            self._busy.discard(wire)
        self._keep_or_close(wire)
        return response

    def _idle_wire(self, origin: _Origin) -> _Wire | None:
        wires = self._idle.get(origin)
        now = time.monotonic()
        while wires:
            wire = wires.pop()  # the newest: the least likely to have been closed
            if wire.reusable(now, self._keep_idle):
                return wire
            wire.close()
        return None

    async def _connect(
        self, origin: _Origin, timeouts: dict[str, Any], request: httpx.Request
    ) -> _Wire:
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        wire = _Wire(origin, loop)
        tls = self._tls_context() if scheme == b"https" else None
        try:
            async with asyncio.timeout(timeouts.get("connect")):
                await loop.create_connection(
                    lambda: wire,
                    host,
                    port,
                    ssl=tls,
                    server_hostname=host if tls is not None else None,
                    happy_eyeballs_delay=HAPPY_EYEBALLS,
                )
        except TimeoutError:
            wire.close()
            message = f"could not connect to {host}:{port} in time"
            raise httpx.ConnectTimeout(message, request=request) from None
        except OSError as error:  # refused, unreachable, no such host, certificate refused
            wire.close()
            message = str(error) or type(error).__name__
            raise httpx.ConnectError(message, request=request) from None
        except BaseException:  # cancelled while connecting
            wire.close()
            raise
        return wire

    async def _send(
        self, wire: _Wire, request: httpx.Request, timeouts: dict[str, Any]
    ) -> httpx.Response:
        """Write the request, read the whole answer."""
        write_timeout, read_timeout = timeouts.get("write"), timeouts.get("read")
        try:
            await _write_request(wire, request, write_timeout)
        except (httpx.WriteError, httpx.WriteTimeout):
            # A server may answer before it has read the whole request (413 Payload Too
            # Large) and stop reading or close: that answer, as httpcore gives it, says more
            # than the broken write.
            if not wire.h11.trailing_data[0]:
                raise

        event = await wire.next_event(read_timeout, request)
        while isinstance(event, h11.InformationalResponse):  # 100 Continue and the like
            event = await wire.next_event(read_timeout, request)
        if not isinstance(event, h11.Response):
            message = "the server closed the connection without answering"
            raise httpx.RemoteProtocolError(message, request=request)
        body = bytearray()
        while True:
            part = await wire.next_event(read_timeout, request)
            if isinstance(part, h11.Data):
                body += part.data
            elif isinstance(part, h11.EndOfMessage):
                break
            else:
                message = "the server closed the connection mid-answer"
                raise httpx.RemoteProtocolError(message, request=request)
        return httpx.Response(
            event.status_code,
            headers=event.headers.raw_items(),
            stream=httpx.ByteStream(bytes(body)),  # httpx decodes gzip and the like
            request=request,
            extensions={
                "http_version": b"HTTP/" + event.http_version,
                "reason_phrase": event.reason,
            },
        )

    def _keep_or_close(self, wire: _Wire) -> None:
        """Keep a connection both sides left ready for another request, the oldest idle one
        going past `max_idle`; close any other."""
        connection = wire.h11
        if connection.our_state is not h11.DONE or connection.their_state is not h11.DONE:
            wire.close()  # "Connection: close", or an answer framed by the connection's end
            return
        connection.start_next_cycle()
        wire.idle_since = time.monotonic()
        self._idle.setdefault(wire.origin, []).append(wire)
        if sum(len(wires) for wires in self._idle.values()) > self._max_idle:
            oldest = min(
                (wires for wires in self._idle.values() if wires), key=lambda w: w[0].idle_since
            )
            oldest.pop(0).close()

    async def aclose(self) -> None:
        for wires in self._idle.values():
            for wire in wires:
                wire.close()
        self._idle.clear()
        for wire in list(self._busy):
            wire.close()
