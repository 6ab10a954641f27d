"""Fake Mastodon instances for bench_daemon, in a process of their own.

`Fleet` starts a child process serving one FakeMastodon (tests/fakes/mastodon.py: the same
routes, idempotency and checks) per account on loopback, each request answered after
`latency` seconds. The child runs one asyncio loop for every account (no thread per
connection), so the benchmark's daemon shares its interpreter lock with nothing but itself.
At the end, `Fleet.report` asks the child what each fake stored, and when.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import resource
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Later, Request, Response


@dataclass
class Stored:
    """What one fake saw: its request count, its statuses in creation order, and when each
    status was stored (idempotency key -> time)."""

    requests: int
    statuses: list[dict[str, Any]]
    stored_at: dict[str, datetime]


class _NotingMastodon(FakeMastodon):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stored_at: dict[str, datetime] = {}
        self.on_store = lambda status: self.stored_at.__setitem__(
            status["idempotency_key"], datetime.now(UTC)
        )


async def _answer(fake: FakeMastodon, latency: float, request: Request) -> Response:
    """FakePlatform._dispatch without faults or hooks, waiting `latency` on the loop."""
    await asyncio.sleep(latency)
    with fake.lock:
        fake.requests.append(request)
        match = fake._match(request)
        if match is None:
            return Response(404, {"error": "Not found"})
        answer = match[2](request)
    if isinstance(answer, Later):  # a slow write: not used by the benchmark, kept correct
        await asyncio.sleep(answer.seconds)
        with fake.lock:
            answer = answer.finish()
    return answer


def _encode(response: Response) -> bytes:
    body = response.body if isinstance(response.body, bytes) else json.dumps(response.body).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        **response.headers,
        "Content-Length": str(len(body)),
    }
    head = f"HTTP/1.1 {response.status} X\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    return head.encode("latin-1") + b"\r\n" + body


async def _serve(fake: FakeMastodon, latency: float) -> asyncio.Server:
    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                line, *fields = head.decode("latin-1").split("\r\n")
                method, target, _ = line.split(" ", 2)
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (f.partition(":") for f in fields if f)
                }
                length = int(headers.get("content-length") or 0)
                body = await reader.readexactly(length) if length else b""
                parts = urlsplit(target)
                request = Request(method, parts.path, parse_qs(parts.query), headers, body)
                writer.write(_encode(await _answer(fake, latency, request)))
                await writer.drain()
        finally:
            writer.close()

    return await asyncio.start_server(connection, "127.0.0.1", 0, backlog=1024)


async def _run(names: list[str], latency: float, pipe: Connection) -> None:
    fakes: dict[str, _NotingMastodon] = {}
    servers = []
    for number, name in enumerate(names):
        fake = _NotingMastodon(token=f"tok-{name}", username=name)
        fake.account_id = f"1090000000000{number:05d}"
        fakes[name] = fake
        servers.append(await _serve(fake, latency))
    ports = [server.sockets[0].getsockname()[1] for server in servers]
    pipe.send({name: f"http://127.0.0.1:{port}" for name, port in zip(names, ports, strict=True)})
    serving = _cpu_seconds()
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, pipe.recv)  # "report"
    cpu = _cpu_seconds() - serving
    stored = {
        name: Stored(len(fake.requests), fake.thread(), dict(fake.stored_at))
        for name, fake in fakes.items()
    }
    pipe.send((stored, cpu))
    for server in servers:
        server.close()


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child(names: list[str], latency: float, pipe: Connection) -> None:
    asyncio.run(_run(names, latency, pipe))


class Fleet:
    """The running child: `urls` (account -> base URL), then `report()` once."""

    def __init__(self, pipe: Connection, urls: dict[str, str]) -> None:
        self._pipe = pipe
        self.urls = urls

    def report(self) -> tuple[dict[str, Stored], float]:
        """What each fake stored, and the CPU seconds the child used serving."""
        self._pipe.send("report")
        stored, cpu = self._pipe.recv()
        return stored, cpu


@contextmanager
def fleet(names: list[str], latency: float) -> Iterator[Fleet]:
    """One fake per name, `tok-NAME` its token, in a child process stopped on leaving."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_child, args=(names, latency, child), daemon=True)
    process.start()
    try:
        yield Fleet(parent, parent.recv())
    finally:
        process.kill()
        process.join()
