"""composer.platforms.transport against a loopback server that misbehaves on cue: answers
come back whole and in order over kept connections, and every failure is named as httpx
names it, so "never twice" can tell a request that never left (safe to send again) from
one that may have arrived (look before sending again).

The server here is scripted byte by byte (asyncio streams), not a framework: the faults
are the point. The platform fakes (stdlib http.server) and the real Bluesky PDS exercise
the transport in the other tests."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import ssl
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import trustme

from composer.platforms.base import new_http
from composer.platforms.errors import NOT_SENT, Unavailable, Unclear, no_answer_kind
from composer.platforms.transport import ApiTransport

TOKEN = "tok-transport-3b9e71"


@dataclass
class Seen:
    """What the server received: one entry a request (head and body), and connections."""

    requests: list[tuple[bytes, bytes]] = field(default_factory=list)
    connections: int = 0
    ended: int = 0  # connections over (the client closed them, or the handler ended)


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, Seen], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader, seen: Seen) -> bytes | None:
    """One request's head and body (Content-Length or chunked), recorded; None at EOF."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").lower().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    body = b""
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            body += await reader.readexactly(size)
            await reader.readexactly(2)
        await reader.readexactly(2)
    seen.requests.append((head, body))
    return head


def answer(body: bytes, status: str = "200 OK", *headers: str) -> bytes:
    extra = "".join(f"{header}\r\n" for header in headers)
    return (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}"
        f"content-length: {len(body)}\r\n\r\n"
    ).encode() + body


def echo(request_head: bytes) -> bytes:
    """An answer naming the request's path: a stale answer read for another shows."""
    path = request_head.split(b" ")[1].decode()
    return answer(json.dumps({"path": path}).encode())


async def keep_answering(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen
) -> None:
    while (head := await read_request(reader, seen)) is not None:
        writer.write(echo(head))
        await writer.drain()


@asynccontextmanager
async def server(
    handler: Handler, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1"
) -> AsyncIterator[tuple[str, Seen]]:
    seen = Seen()

    async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.connections += 1
        try:
            await handler(reader, writer, seen)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            seen.ended += 1
            writer.close()

    listening = await asyncio.start_server(connected, host, 0, ssl=tls)
    port = listening.sockets[0].getsockname()[1]
    scheme = "https" if tls else "http"
    name = "localhost" if tls else f"[{host}]" if ":" in host else host
    try:
        yield f"{scheme}://{name}:{port}", seen
    finally:
        listening.close()


def client(**options: object) -> httpx.AsyncClient:
    transport = ApiTransport(**options)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, timeout=5.0)


def sent_kind(error: httpx.TransportError) -> type:
    """What the publisher makes of a post's request that failed so (creates=True)."""
    return no_answer_kind(error, creates=True)


def test_answers_come_back_whole_and_in_order_over_one_kept_connection() -> None:
    compressed = gzip.compress(json.dumps({"text": "Сайлау — сайлау 🇰🇿"}).encode())

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen
    ) -> None:
        await read_request(reader, seen)
        writer.write(answer(b'{"id": "1"}', "200 OK", "x-ratelimit-remaining: 299"))
        await read_request(reader, seen)  # a chunked answer, in two writes
        writer.write(b'HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n6\r\n{"id":')
        await writer.drain()
        await asyncio.sleep(0.01)
        writer.write(b'\r\n5\r\n "2"}\r\n0\r\n\r\n')
        await read_request(reader, seen)  # 100 Continue first, then a gzip answer
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        writer.write(answer(compressed, "200 OK", "content-encoding: gzip"))
        await keep_answering(reader, writer, seen)

    async def scenario() -> None:
        async with server(handler) as (url, seen), client() as http:
            first = await http.post(f"{url}/a", json={"status": "Hello"})
            assert first.status_code == 200 and first.json() == {"id": "1"}
            assert first.headers["x-ratelimit-remaining"] == "299"
            second = await http.get(f"{url}/b?x=1&y=%20")
            assert second.status_code == 201 and second.json() == {"id": "2"}
            third = await http.get(f"{url}/c")
            assert third.json() == {"text": "Сайлау — сайлау 🇰🇿"}
            fourth = await http.delete(f"{url}/d")
            assert fourth.json() == {"path": "/d"}
            assert seen.connections == 1
            heads = [head for head, _ in seen.requests]
            assert heads[0].startswith(b"POST /a HTTP/1.1\r\n")
            assert seen.requests[0][1] == b'{"status":"Hello"}'
            assert heads[1].startswith(b"GET /b?x=1&y=%20 HTTP/1.1\r\n")
            assert all(b"\r\nhost: 127.0.0.1:" in head.lower() for head in heads)

    asyncio.run(scenario())


def test_an_answer_ended_by_closing_the_connection_is_read_whole() -> None:
    """HTTP/1.0 style: no length, the body ends where the connection does."""

    async def old_style(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen
    ) -> None:
        await read_request(reader, seen)
        writer.write(b'HTTP/1.0 200 OK\r\ncontent-type: application/json\r\n\r\n{"id": ')
        await writer.drain()
        await asyncio.sleep(0.02)
        writer.write(b'"9"}')
        await writer.drain()

    async def scenario() -> None:
        async with server(old_style) as (url, seen), client() as http:
            first = await http.get(url)
            assert first.json() == {"id": "9"} and first.http_version == "HTTP/1.0"
            assert (await http.get(url)).json() == {"id": "9"}
            assert seen.connections == 2  # never kept

    asyncio.run(scenario())


def test_a_streamed_upload_arrives_whole() -> None:
    parts = [bytes([n]) * 40_000 for n in range(40)]  # 1.6 MB, past asyncio's write buffer

    async def body() -> AsyncIterator[bytes]:
        for part in parts:
            yield part

    async def scenario() -> None:
        async with server(keep_answering) as (url, seen), client() as http:
            response = await http.post(f"{url}/upload", content=body())
            assert response.json() == {"path": "/upload"}
            assert seen.requests[0][1] == b"".join(parts)

    asyncio.run(scenario())


def test_an_ipv6_address() -> None:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")

    async def scenario() -> None:
        async with server(keep_answering, host="::1") as (url, seen), client() as http:
            assert url.startswith("http://[::1]:")
            assert (await http.get(f"{url}/six")).json() == {"path": "/six"}
            assert b"\r\nhost: [::1]:" in seen.requests[0][0].lower()

    asyncio.run(scenario())


def test_an_upload_the_server_stops_reading_is_a_write_timeout() -> None:
    """The request is cut part-way: not NOT_SENT (the server has its start), and the
    transport waits for room as it writes rather than buffer the whole body."""

    async def stalled(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen
    ) -> None:
        await asyncio.sleep(5)  # reads nothing

    async def body() -> AsyncIterator[bytes]:
        for _ in range(640):  # 40 MB: more than the kernel's buffers on both sides
            yield b"x" * 65_536

    async def scenario() -> None:
        async with server(stalled) as (url, _), client() as http:
            timeout = httpx.Timeout(5.0, write=0.3)
            with pytest.raises(httpx.WriteTimeout) as raised:
                await http.post(f"{url}/upload", content=body(), timeout=timeout)
            assert sent_kind(raised.value) is Unclear

    asyncio.run(scenario())


@pytest.mark.parametrize("then", ["closes", "stops reading"])
def test_an_answer_given_before_the_upload_ends_is_the_answer(then: str) -> None:
    """A server that refuses a large upload from its head (413) answers at once, then
    closes or stops reading: the caller gets that answer, as httpx's own transport gives
    it, not a broken write."""

    async def early(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer(b'{"error": "File is too large"}', "413 Payload Too Large"))
        await writer.drain()
        if then == "stops reading":
            await asyncio.sleep(5)

    async def body() -> AsyncIterator[bytes]:
        for _ in range(640):  # 40 MB: more than the kernel's buffers on both sides
            yield b"x" * 65_536

    async def scenario() -> None:
        async with server(early) as (url, _), client() as http:
            timeout = httpx.Timeout(5.0, write=0.3)
            response = await http.post(f"{url}/api/v2/media", content=body(), timeout=timeout)
            assert response.status_code == 413
            assert response.json() == {"error": "File is too large"}

    asyncio.run(scenario())


def test_a_connection_the_server_closed_while_idle_is_replaced_not_failed() -> None:
    async def once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen) -> None:
        head = await read_request(reader, seen)
        assert head is not None
        writer.write(echo(head))
        await writer.drain()  # then closes: a server's keep-alive timeout

    async def scenario() -> None:
        async with server(once) as (url, seen), client() as http:
            assert (await http.get(f"{url}/1")).json() == {"path": "/1"}
            await asyncio.sleep(0.05)  # the close arrives
            assert (await http.get(f"{url}/2")).json() == {"path": "/2"}
            assert seen.connections == 2

    asyncio.run(scenario())


def test_bytes_sent_on_an_idle_connection_are_never_read_as_the_next_answer() -> None:
    """Some servers send "408 Request Timeout" on a kept connection before closing it. Read
    as the answer to the next request (a post, say), it would mean "not done, send again"
    while the server may yet act on that request: the connection is not reused."""

    async def stale(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen) -> None:
        head = await read_request(reader, seen)
        assert head is not None
        writer.write(echo(head))
        await asyncio.sleep(0.05)
        writer.write(answer(b'{"error": "timeout"}', "408 Request Timeout"))
        await keep_answering(reader, writer, seen)  # and keeps it open

    async def scenario() -> None:
        async with server(stale) as (url, seen), client() as http:
            assert (await http.get(f"{url}/1")).json() == {"path": "/1"}
            await asyncio.sleep(0.15)  # the 408 arrives
            second = await http.post(f"{url}/2", json={"status": "x"})
            assert second.status_code == 200 and second.json() == {"path": "/2"}
            assert seen.connections == 2

    asyncio.run(scenario())


def test_a_client_used_again_by_a_later_event_loop_opens_a_new_connection() -> None:
    """A connection kept by a loop that has ended is not used, nor closed through it."""
    seen = Seen()
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    # Threads, not the test's loops: the server must outlive each of them.
    def answer_one(connection: socket.socket) -> None:
        with connection:
            connection.recv(65_536)
            connection.sendall(answer(b'{"ok": true}'))
            connection.recv(65_536)  # until the client closes or drops it

    def serve() -> None:
        for _ in range(2):
            connection, _ = listener.accept()
            seen.connections += 1
            threading.Thread(target=answer_one, args=(connection,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    http = client()

    async def once() -> int:
        return (await http.get(f"http://127.0.0.1:{port}/")).status_code

    try:
        assert asyncio.run(once()) == 200
        assert asyncio.run(once()) == 200  # the first loop's connection is left alone
        assert seen.connections == 2
    finally:
        listener.close()


def test_an_answer_saying_close_is_not_reused() -> None:
    async def closing(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen
    ) -> None:
        while await read_request(reader, seen) is not None:
            writer.write(answer(b"{}", "200 OK", "connection: close"))
            await writer.drain()
            await asyncio.sleep(1)  # keeps the socket open: only the header says close

    async def scenario() -> None:
        async with server(closing) as (url, seen), client() as http:
            for _ in range(3):
                assert (await http.get(url)).status_code == 200
            assert seen.connections == 3

    asyncio.run(scenario())


def test_a_refused_connection_was_never_sent() -> None:
    async def scenario() -> httpx.TransportError:
        async with server(keep_answering) as (url, _):
            pass  # closed: nothing listens there now
        async with client() as http:
            with pytest.raises(httpx.ConnectError) as raised:
                await http.post(f"{url}/api/v1/statuses", headers={"authorization": TOKEN})
        return raised.value

    error = asyncio.run(scenario())
    assert isinstance(error, NOT_SENT) and sent_kind(error) is Unavailable
    assert TOKEN not in str(error)


def test_a_request_the_server_read_and_dropped_is_unclear() -> None:
    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen) -> None:
        await read_request(reader, seen)  # acts on it, perhaps; never answers

    async def scenario() -> None:
        async with server(drop) as (url, seen), client() as http:
            with pytest.raises(httpx.RemoteProtocolError) as raised:
                await http.post(f"{url}/statuses", json={"status": "x"})
            assert len(seen.requests) == 1  # it did arrive
            assert sent_kind(raised.value) is Unclear

    asyncio.run(scenario())


def test_an_answer_cut_half_way_is_unclear() -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen) -> None:
        await read_request(reader, seen)
        writer.write(answer(b'{"id": "123456789"}')[:-8])
        await writer.drain()

    async def scenario() -> None:
        async with server(cut) as (url, _), client() as http:
            with pytest.raises(httpx.RemoteProtocolError) as raised:
                await http.post(f"{url}/statuses", json={"status": "x"})
            assert sent_kind(raised.value) is Unclear

    asyncio.run(scenario())


def test_a_garbled_answer_is_a_protocol_error_not_a_crash() -> None:
    async def garble(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen
    ) -> None:
        await read_request(reader, seen)
        writer.write(b"\x1b[31mHTTP/9 nonsense\r\n\x00\x00\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(1)

    async def scenario() -> None:
        async with server(garble) as (url, _), client() as http:
            with pytest.raises(httpx.RemoteProtocolError) as raised:
                await http.post(url, json={})
            assert sent_kind(raised.value) is Unclear
            assert "\x1b" not in str(raised.value)  # shown escaped, as a repr: \\x1b

    asyncio.run(scenario())


def test_an_answer_with_large_headers_is_read_as_httpx_would() -> None:
    """Headers up to 100 KB, as httpcore allows (h11's own default stops at 16 KB)."""
    policy = "default-src 'self'; " + "; ".join(f"img-src a{n}.example" for n in range(2_000))

    async def large(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen) -> None:
        await read_request(reader, seen)
        whole = answer(b'{"id": "7"}', "200 OK", f"content-security-policy: {policy}")
        writer.write(whole[:30_000])  # in two pieces: the first an unfinished head
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(whole[30_000:])
        await keep_answering(reader, writer, seen)

    async def scenario() -> None:
        async with server(large) as (url, _), client() as http:
            response = await http.get(url)
            assert len(policy) > 40_000 and response.headers["content-security-policy"] == policy
            assert response.json() == {"id": "7"}

    asyncio.run(scenario())


def test_a_slow_answer_times_out_and_is_never_read_as_the_next_ones() -> None:
    async def slow_first(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen
    ) -> None:
        head = await read_request(reader, seen)
        assert head is not None
        if len(seen.requests) == 1:
            await asyncio.sleep(0.3)  # the platform takes its time storing the post
        writer.write(echo(head))
        await writer.drain()
        await keep_answering(reader, writer, seen)

    async def scenario() -> None:
        async with server(slow_first) as (url, seen), client() as http:
            with pytest.raises(httpx.ReadTimeout) as raised:
                await http.post(f"{url}/first", json={}, timeout=0.1)
            assert sent_kind(raised.value) is Unclear
            await asyncio.sleep(0.4)  # the late answer arrives: on a closed connection
            assert seen.ended == 1  # closed by the client, not left open
            assert (await http.get(f"{url}/second")).json() == {"path": "/second"}
            assert seen.connections == 2

    asyncio.run(scenario())


def test_a_cancelled_request_closes_its_connection() -> None:
    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen) -> None:
        while (head := await read_request(reader, seen)) is not None:
            await asyncio.sleep(0.2 if len(seen.requests) == 1 else 0)
            writer.write(echo(head))
            await writer.drain()

    async def scenario() -> None:
        async with server(slow) as (url, seen), client() as http:
            task = asyncio.create_task(http.get(f"{url}/cancelled"))
            await asyncio.sleep(0.05)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.sleep(0.3)
            assert seen.ended == 1  # closed by the client, not left open
            assert (await http.get(f"{url}/next")).json() == {"path": "/next"}
            assert seen.connections == 2

    asyncio.run(scenario())


def test_requests_past_the_limit_wait_for_a_free_slot_then_time_out() -> None:
    release = asyncio.Event()

    async def held(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen) -> None:
        head = await read_request(reader, seen)
        assert head is not None
        await release.wait()
        writer.write(echo(head))
        await writer.drain()
        await keep_answering(reader, writer, seen)

    async def scenario() -> None:
        async with server(held) as (url, seen), client(max_open=2) as http:
            first = [asyncio.create_task(http.get(f"{url}/{n}")) for n in range(2)]
            await asyncio.sleep(0.05)
            with pytest.raises(httpx.PoolTimeout) as raised:
                await http.get(f"{url}/third", timeout=httpx.Timeout(5.0, pool=0.1))
            assert isinstance(raised.value, NOT_SENT)
            assert len(seen.requests) == 2  # the third never left
            waiting = asyncio.create_task(http.get(f"{url}/fourth"))
            release.set()
            assert [(await task).json()["path"] for task in first] == ["/0", "/1"]
            assert (await waiting).json() == {"path": "/fourth"}

    asyncio.run(scenario())


def test_idle_connections_are_kept_within_their_limits() -> None:
    async def scenario() -> None:
        async with server(keep_answering) as (url, seen), client(max_idle=1, keep_idle=0.1) as http:
            await asyncio.gather(http.get(f"{url}/a"), http.get(f"{url}/b"))
            assert seen.connections == 2
            await http.get(f"{url}/c")  # one of the two was kept
            assert seen.connections == 2
            await asyncio.sleep(0.15)  # past keep_idle: a new one
            await http.get(f"{url}/d")
            assert seen.connections == 3

    asyncio.run(scenario())


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def test_https_with_a_trusted_certificate(authority: trustme.CA) -> None:
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(served)
    trusting = ssl.create_default_context()
    authority.configure_trust(trusting)

    async def scenario() -> None:
        async with server(keep_answering, served) as (url, seen), client(verify=trusting) as http:
            assert (await http.get(f"{url}/tls")).json() == {"path": "/tls"}
            assert (await http.get(f"{url}/again")).json() == {"path": "/again"}
            assert seen.connections == 1

    asyncio.run(scenario())


def test_ssl_cert_file_is_trusted_as_httpx_trusts_it(
    authority: trustme.CA, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An organisation's own CA (a TLS-inspecting gateway, say), named by SSL_CERT_FILE."""
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(served)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))

    async def scenario() -> None:
        async with server(keep_answering, served) as (url, _), client() as http:
            assert (await http.get(f"{url}/own-ca")).json() == {"path": "/own-ca"}

    asyncio.run(scenario())


def test_a_certificate_not_trusted_refuses_the_connection_before_sending(
    authority: trustme.CA,
) -> None:
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(served)

    async def scenario() -> None:
        # httpx's own CA bundle: the test authority is not in it
        async with server(keep_answering, served) as (url, seen), client() as http:
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED") as raised:
                await http.post(f"{url}/statuses", json={"status": "x"})
            assert seen.requests == [] and sent_kind(raised.value) is Unavailable

    asyncio.run(scenario())


def test_a_handshake_that_never_ends_is_a_connect_timeout() -> None:
    async def silent(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen
    ) -> None:
        await asyncio.sleep(5)  # plain TCP: the client's TLS hello gets no answer

    async def scenario() -> None:
        async with server(silent) as (url, _), client() as http:
            https = url.replace("http://", "https://")
            with pytest.raises(httpx.ConnectTimeout) as raised:
                await http.get(https, timeout=httpx.Timeout(5.0, connect=0.2))
            assert sent_kind(raised.value) is Unavailable

    asyncio.run(scenario())


def test_new_http_sends_through_a_configured_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast transport does not speak to proxies: with one configured, new_http leaves
    the request to httpx's own transport, which goes through it."""
    connects: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        connects.append(head.split(b"\r\n")[0])
        writer.write(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
        await writer.drain()

    async def scenario() -> None:
        async with server(proxy) as (url, _):
            monkeypatch.setenv("HTTPS_PROXY", url)
            async with new_http(timeout=5.0) as http:
                with pytest.raises(httpx.ProxyError):
                    await http.get("https://mastodon.example/api/v1/instance")

    asyncio.run(scenario())
    assert connects == [b"CONNECT mastodon.example:443 HTTP/1.1"]


@pytest.mark.parametrize("no_proxy", [None, "example.org"])
def test_new_http_uses_the_fast_transport_without_a_proxy(
    monkeypatch: pytest.MonkeyPatch, no_proxy: str | None
) -> None:
    for variable in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(variable, raising=False)
        monkeypatch.delenv(variable.lower(), raising=False)
    if no_proxy is not None:
        monkeypatch.setenv("NO_PROXY", no_proxy)  # names no proxy

    async def scenario() -> None:
        async with server(keep_answering) as (url, _), new_http(timeout=5.0) as http:
            assert (await http.get(f"{url}/x")).json() == {"path": "/x"}
            assert isinstance(http._transport, ApiTransport)  # httpx's default transport

    asyncio.run(scenario())
